#!/usr/bin/python3
"""Opens repalign .h5 outputs with h5py and checks the documented datasets and attributes
(docs/ARCHITECTURE.md, "Analysis (HDF5)"): /synth from `repalign-cli visualize`, /ii_synth from
`repalign-cli analyze --ii-on synth`, /alignment from `repalign-cli align`. A developer tool (the
tests never run Python); needs python3-h5py (packaging/install-deps-debian.sh --fixtures).

    python3 tests/tools/check_h5py.py FILE.h5 [FILE.h5 ...]

Prints each group's shapes and attributes; exits 1 naming the first missing or malformed item.
"""
import sys

import h5py
import numpy as np

SYNTH_ATTRS = ["objective", "layer", "roi", "readout", "pooling", "model", "checkpoint", "seed", "steps", "lr",
               "starts", "size", "parameterization", "decorrelate", "decay_power", "transforms", "jitter", "scales",
               "rotations", "tv", "blur", "trace_every", "program", "created"]
II_SYNTH_ATTRS = ["source", "images_per_unit", "objective", "layer", "model", "ii_diagonal", "lpips_weights",
                  "lpips_calibrated", "lpips_resize", "program", "created"]
ALIGN_ATTRS = ["models", "checkpoints", "layers", "rois", "bundle", "projection", "max_features", "seed",
               "train_images", "val_images"]


class Bad(Exception):
    pass


def need(cond, what):
    if not cond:
        raise Bad(what)


def dataset(f, name, dtype, ndim):
    need(name in f, "missing dataset " + name)
    d = f[name]
    need(isinstance(d, h5py.Dataset), name + " is not a dataset")
    need(d.dtype == np.dtype(dtype), "%s has dtype %s, expected %s" % (name, d.dtype, dtype))
    need(d.ndim == ndim, "%s has %d dimensions, expected %d" % (name, d.ndim, ndim))
    return d


def attrs(f, group, names):
    missing = [a for a in names if a not in f[group].attrs]
    need(not missing, "%s lacks attributes %s" % (group, ", ".join(missing)))
    return {a: f[group].attrs[a] for a in names}


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def check_synth(f):
    img = dataset(f, "/synth/images", "uint8", 5)
    u, r, h, w, c = img.shape
    need(c == 3, "/synth/images last dimension is %d, expected 3" % c)
    act = dataset(f, "/synth/activations", "float32", 2)
    need(act.shape == (u, r), "/synth/activations is %s, expected %s" % (act.shape, (u, r)))
    best = dataset(f, "/synth/best", "int64", 1)[()]
    need(best.shape == (u,) and ((best >= 0) & (best < r)).all(), "/synth/best out of range")
    a = act[()]
    need((a[np.arange(u), best] >= a.max(axis=1)).all(), "/synth/best is not the start with the highest activation")
    units = dataset(f, "/synth/units", "int64", 1)
    need(units.shape == (u,), "/synth/units is %s, expected (%d,)" % (units.shape, u))
    if "/synth/trace" in f:
        t = dataset(f, "/synth/trace", "float32", 3)
        need(t.shape[:2] == (u, r), "/synth/trace is %s" % (t.shape,))
    at = attrs(f, "/synth", SYNTH_ATTRS)
    need(int(at["starts"]) == r and int(at["size"]) == h == w, "/synth attributes starts/size disagree with the images")
    print("  /synth: images %s uint8, activations %s, units %s, objective %s, layer %s, model %s, seed %s, steps %s"
          % (img.shape, act.shape, list(units[()]), text(at["objective"]), text(at["layer"]), text(at["model"]),
             at["seed"], at["steps"]))


def check_ii_synth(f):
    lp = dataset(f, "/ii_synth/lpips", "float32", 1)
    u = lp.shape[0]
    pl = dataset(f, "/ii_synth/lpips_per_layer", "float32", 2)
    need(pl.shape == (u, 5), "/ii_synth/lpips_per_layer is %s" % (pl.shape,))
    need(np.allclose(pl[()].sum(axis=1), lp[()], rtol=1e-5, atol=1e-6), "/ii_synth/lpips_per_layer does not sum to lpips")
    pairs = dataset(f, "/ii_synth/lpips_pairs", "float32", 3)
    at = attrs(f, "/ii_synth", II_SYNTH_ATTRS)
    r = int(at["images_per_unit"])
    need(pairs.shape == (u, r, r), "/ii_synth/lpips_pairs is %s, expected %s" % (pairs.shape, (u, r, r)))
    p = pairs[()]
    need(np.allclose(p, p.transpose(0, 2, 1)) and (np.abs(p[:, np.arange(r), np.arange(r)]) == 0).all(),
         "/ii_synth/lpips_pairs is not symmetric with a zero diagonal")
    iu = np.triu_indices(r, 1)
    mean = p[:, iu[0], iu[1]].mean(axis=1) if text(at["ii_diagonal"]) == "exclude" else p.mean(axis=(1, 2))
    need(np.allclose(mean, lp[()], rtol=1e-5, atol=1e-6), "/ii_synth/lpips is not the pair mean of lpips_pairs")
    dataset(f, "/ii_synth/color", "float32", 1)
    units = dataset(f, "/ii_synth/units", "int64", 1)
    need(units.shape == (u,), "/ii_synth/units is %s" % (units.shape,))
    if "/synth/units" in f and text(at["source"]) .endswith(f.filename):
        need((f["/synth/units"][()] == units[()]).all(), "/ii_synth/units differ from /synth/units")
    print("  /ii_synth: %d units x %d images, source %s, II-LPIPS mean %.4f, II-color mean %.3f, ii_diagonal %s, "
          "lpips_calibrated %s" % (u, r, text(at["source"]), float(lp[()].mean()), float(f["/ii_synth/color"][()].mean()),
                                   text(at["ii_diagonal"]), at["lpips_calibrated"]))


def check_alignment(f):
    at = attrs(f, "/alignment", ALIGN_ATTRS)
    m = len(text(at["models"]).split(","))
    l = len(text(at["layers"]).split(","))
    r = len(text(at["rois"]).split(","))
    for name in ["r_median", "normalized_median", "ridge_alpha", "rsa", "cka"]:
        d = dataset(f, "/alignment/" + name, "float64", 3)
        need(d.shape == (m, l, r), "/alignment/%s is %s, expected %s" % (name, d.shape, (m, l, r)))
    ceiling = dataset(f, "/alignment/rsa_ceiling", "float64", 1)
    need(ceiling.shape == (r,), "/alignment/rsa_ceiling is %s" % (ceiling.shape,))
    for name in ["features", "features_original"]:
        d = dataset(f, "/alignment/" + name, "int64", 2)
        need(d.shape == (m, l), "/alignment/%s is %s" % (name, d.shape))
    need((f["/alignment/features"][()] <= f["/alignment/features_original"][()]).all(), "projected features exceed the original")
    print("  /alignment: %d models x %d layers x %d ROIs (%s | %s), projection %s, max_features %s"
          % (m, l, r, text(at["layers"]), text(at["rois"]), text(at["projection"]), at["max_features"]))
    print("    rsa %s" % np.array2string(f["/alignment/rsa"][()].ravel(), precision=4))
    print("    cka %s" % np.array2string(f["/alignment/cka"][()].ravel(), precision=4))


def main(paths):
    if not paths:
        print(__doc__.strip())
        return 2
    for path in paths:
        try:
            with h5py.File(path, "r") as f:
                groups = [g for g in ("synth", "ii_synth", "alignment") if g in f]
                need(groups, "%s has none of /synth, /ii_synth, /alignment" % path)
                print("%s (h5py %s): %s" % (path, h5py.__version__, ", ".join("/" + g for g in groups)))
                for a in ("program", "created"):
                    need(a in f.attrs, "root attribute %s missing" % a)
                if "synth" in f:
                    check_synth(f)
                if "ii_synth" in f:
                    check_ii_synth(f)
                if "alignment" in f:
                    check_alignment(f)
        except (Bad, OSError, KeyError) as e:
            print("%s: %s" % (path, e))
            return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
