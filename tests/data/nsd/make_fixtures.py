#!/usr/bin/python3
"""Writes the small fixtures of tests/test_nsd.cpp and tests/test_npy.cpp.

Run from anywhere with Debian's python3 (numpy, scipy, h5py): /usr/bin/python3 make_fixtures.py
Every expected value the tests check is computed here independently (numpy), and saved as
expected_*.npy next to the inputs.
"""
import gzip
import os
import struct
import zlib

import h5py
import numpy as np
import scipy.io

HERE = os.path.dirname(os.path.abspath(__file__))


def out(*parts):
    p = os.path.join(HERE, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def write_png(path, rgb):
    """Minimal 8-bit RGB PNG writer (no PIL on Debian's python)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].astype(np.uint8).tobytes() for y in range(h))

    def chunk(tag, data):
        c = struct.pack(">I", len(data)) + tag + data
        return c + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def npy_with_version(path, arr, version):
    with open(path, "wb") as f:
        np.lib.format.write_array(f, arr, version=version)


def write_nifti_gz(path, labels_kji):
    """Hand-written NIfTI-1 (.nii.gz) label volume, int16; labels_kji is [nz, ny, nx] so its
    C-order bytes are NIfTI's i-fastest order."""
    nz, ny, nx = labels_kji.shape
    hdr = bytearray(348)
    struct.pack_into("<i", hdr, 0, 348)
    struct.pack_into("<8h", hdr, 40, 3, nx, ny, nz, 1, 1, 1, 1)
    struct.pack_into("<h", hdr, 70, 4)     # datatype DT_INT16
    struct.pack_into("<h", hdr, 72, 16)    # bitpix
    struct.pack_into("<8f", hdr, 76, 1, 1.8, 1.8, 1.8, 1, 1, 1, 1)
    struct.pack_into("<f", hdr, 108, 352)  # vox_offset
    struct.pack_into("<f", hdr, 112, 1.0)  # scl_slope
    struct.pack_into("<f", hdr, 116, 0.0)  # scl_inter
    hdr[344:348] = b"n+1\x00"
    data = bytes(hdr) + b"\x00\x00\x00\x00" + labels_kji.astype("<i2").tobytes()
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:  # mtime 0: reproducible bytes
        f.write(data)


def npy_fixtures():
    base = np.arange(12, dtype=np.float64).reshape(3, 4) * 0.5 - 1.0  # value(i,j) = (4i+j)/2 - 1
    np.save(out("npy", "f4_le_c.npy"), base.astype("<f4"))
    np.save(out("npy", "f8_be_fortran.npy"), np.asfortranarray(base.astype(">f8")))
    np.save(out("npy", "i2_be.npy"), (np.arange(12).reshape(3, 4) - 6).astype(">i2"))   # value = 4i+j-6
    np.save(out("npy", "i4_le_fortran.npy"), np.asfortranarray((np.arange(24).reshape(2, 3, 4) * 1000 - 7000).astype("<i4")))
    np.save(out("npy", "u1.npy"), np.arange(200, 206, dtype=np.uint8))
    np.save(out("npy", "unicode.npy"), np.array(["a/b.png", "Ωmega", "x"], dtype="<U7"))
    np.save(out("npy", "unicode_be.npy"), np.array(["hi", "zürich"], dtype=">U6"))
    np.save(out("npy", "bytes.npy"), np.array([b"ab", b"cde"], dtype="S4"))
    npy_with_version(out("npy", "v2.npy"), base.astype("<f4"), (2, 0))
    npy_with_version(out("npy", "v3.npy"), np.array(["ünï"], dtype="<U3"), (3, 0))
    np.save(out("npy", "object.npy"), np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with open(out("npy", "truncated.npy"), "wb") as f:
        full = open(out("npy", "f4_le_c.npy"), "rb").read()
        f.write(full[:-5])


def images(n, side, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, side, side, 3), dtype=np.uint8)


def seed_npy_fixture():
    root = out("seed_npy", "x")[:-2]
    imgs = images(6, 8, 1)
    paths = []
    for i in range(6):
        rel = "images/img_%03d_nsd-%05d.png" % (i, 100 + i)
        write_png(out("seed_npy", rel), imgs[i])
        paths.append(rel)
    np.save(out("seed_npy", "preprocessed", "img_paths.npy"), np.array(paths))  # <U.. array
    rng = np.random.default_rng(2)
    v1 = rng.normal(size=(6, 5))                      # float64
    v4 = rng.normal(size=(6, 4)).astype(np.float32)   # float32, one bad voxel
    v4[3, 2] = np.nan
    np.save(out("seed_npy", "brain_activities", "V1.npy"), v1)
    np.save(out("seed_npy", "brain_activities", "V4.npy"), v4)
    np.save(out("seed_npy", "expected_images.npy"), imgs)
    np.save(out("seed_npy", "expected_V4_kept.npy"), np.delete(v4, 2, axis=1))
    # A second root whose responses have a different N than the images.
    os.makedirs(out("seed_npy_badn", "brain_activities", "x")[:-2], exist_ok=True)
    np.save(out("seed_npy_badn", "brain_activities", "V1.npy"), v1[:5])
    np.save(out("seed_npy_badn", "preprocessed", "img_paths.npy"), np.array(["../seed_npy/" + p for p in paths]))
    # A root whose images are .npy arrays of the wrong type (float) and shape (no colour axis).
    np.save(out("seed_npy_badimg", "brain_activities", "V1.npy"), v1[:2])
    np.save(out("seed_npy_badimg", "preprocessed", "img_paths.npy"), np.array(["img0.npy", "img1.npy"]))
    np.save(out("seed_npy_badimg", "img0.npy"), np.zeros((8, 8, 3), dtype=np.float32))
    np.save(out("seed_npy_badimg", "img1.npy"), np.zeros((8, 8), dtype=np.uint8))
    del root


def algonauts_fixture():
    subj = "algonauts"
    imgs = images(5, 12, 3)
    for i in range(5):
        write_png(out(subj, "training_split", "training_images", "train-%04d_nsd-%05d.png" % (i + 1, 40 + 7 * i)), imgs[i])
    rng = np.random.default_rng(4)
    lh = rng.normal(size=(5, 10)).astype(np.float32)
    rh = rng.normal(size=(5, 8)).astype(np.float32)
    np.save(out(subj, "training_split", "training_fmri", "lh_training_fmri.npy"), lh)
    np.save(out(subj, "training_split", "training_fmri", "rh_training_fmri.npy"), rh)
    lh_mask = np.array([0, 7, 1, 7, 2, 0, 7, 3, 0, 1], dtype=np.float64)  # the challenge masks are float
    rh_mask = np.array([7, 0, 0, 1, 7, 2, 2, 0], dtype=np.float64)
    np.save(out(subj, "roi_masks", "lh.prf-visualrois_challenge_space.npy"), lh_mask)
    np.save(out(subj, "roi_masks", "rh.prf-visualrois_challenge_space.npy"), rh_mask)
    mapping = {0: "Unknown", 1: "V1v", 2: "V1d", 3: "V2v", 4: "V2d", 5: "V3v", 6: "V3d", 7: "hV4"}
    np.save(out(subj, "roi_masks", "mapping_prf-visualrois.npy"), mapping, allow_pickle=True)  # pickled dict, as published
    both = np.concatenate([lh[:, lh_mask == 7], rh[:, rh_mask == 7]], axis=1)
    np.save(out(subj, "expected_hV4_both.npy"), both)
    v1 = np.concatenate([lh[:, np.isin(lh_mask, [1, 2])], rh[:, np.isin(rh_mask, [1, 2])]], axis=1)
    np.save(out(subj, "expected_V1_both.npy"), v1)
    np.save(out(subj, "expected_hV4_rh.npy"), rh[:, rh_mask == 7])
    np.save(out(subj, "expected_images.npy"), imgs)
    np.save(out(subj, "expected_ids.npy"), np.array([40 + 7 * i for i in range(5)], dtype=np.int64))


def noise_ceiling(trials):
    """NSD-style ceiling from [N,R,V] trials with NaN for missing repeats (numpy, independent)."""
    n_per = np.sum(np.isfinite(trials), axis=1)             # [N,V]
    var_r = np.nanvar(trials, axis=1, ddof=1)               # NaN where < 2 repeats
    noise_var = np.nanmean(np.where(n_per >= 2, var_r, np.nan), axis=0)
    total_var = np.nanvar(trials.reshape(-1, trials.shape[2]), axis=0, ddof=1)
    signal_var = np.maximum(total_var - noise_var, 0)
    ncsnr2 = signal_var / noise_var
    inv_n = np.mean(1.0 / n_per, axis=0)
    return ncsnr2 / (ncsnr2 + inv_n)


def nsd_fixture():
    root = "nsd_raw"
    side, brick = 16, 20
    stim = images(brick, side, 5)
    with h5py.File(out(root, "nsd_stimuli.hdf5"), "w") as f:
        f.create_dataset("imgBrick", data=stim, chunks=(1, side, side, 3))
    ntrial, sessions = 6, 2
    # subject 1 sees 73k ids (1-based) subjectim[0, :]; trials index columns 1..5 (1-based).
    subjectim = np.array([[3, 8, 12, 15, 19], [1, 2, 4, 5, 6]], dtype=np.float64)
    masterordering = np.array([[1, 2, 3, 1, 4, 2, 5, 1, 3, 4, 5, 2]], dtype=np.float64)
    scipy.io.savemat(out(root, "nsd_expdesign.mat"), {"masterordering": masterordering, "subjectim": subjectim,
                                                      "stimpattern": np.zeros((1, 1))}, format="5")
    nx, ny, nz = 5, 4, 3
    labels = np.zeros((nz, ny, nx), dtype=np.int16) - 1
    labels[1, 1:3, 1:4] = 7          # hV4: 6 voxels
    labels[0, 0, 0:2] = 1            # V1v
    labels[2, 3, 4] = 2              # V1d
    write_nifti_gz(out(root, "roi", "prf-visualrois.nii.gz"), labels)
    rng = np.random.default_rng(6)
    all_betas = []
    for s in range(1, sessions + 1):
        b = rng.integers(-900, 900, size=(ntrial, nz, ny, nx)).astype(np.int16)
        with h5py.File(out(root, "betas_fithrf_GLMdenoise_RR", "betas_session%02d.hdf5" % s), "w") as f:
            f.create_dataset("betas", data=b)
        all_betas.append(b)
    betas = np.concatenate(all_betas).reshape(ntrial * sessions, -1).astype(np.float64) / 300.0
    lin = np.flatnonzero(labels.ravel() == 7)
    ids = subjectim[0, masterordering[0].astype(int) - 1].astype(int)  # per trial, 1-based
    uniq = np.unique(ids)
    reps = max(np.sum(ids == u) for u in uniq)
    trials = np.full((len(uniq), reps, len(lin)), np.nan)
    for i, u in enumerate(uniq):
        ts = np.flatnonzero(ids == u)
        trials[i, :len(ts)] = betas[ts][:, lin]
    np.save(out(root, "expected_hV4_trials.npy"), trials.astype(np.float32))
    np.save(out(root, "expected_hV4.npy"), np.nanmean(trials, axis=1).astype(np.float32))
    np.save(out(root, "expected_hV4_nc.npy"), noise_ceiling(trials).astype(np.float32))
    np.save(out(root, "expected_ids.npy"), (uniq - 1).astype(np.int64))
    np.save(out(root, "expected_stimuli.npy"), stim[uniq - 1])
    k, j, i = np.unravel_index(lin, (nz, ny, nx))
    np.save(out(root, "expected_hV4_coords.npy"), np.stack([i, j, k], axis=1).astype(np.int32))


def seed_npy_split_fixture():
    """The reference's layout with the split in folders: ROOT/train and ROOT/val, each a seed-npy
    root (brain_activities/<ROI>.npy, preprocessed/img_paths.npy). Images are 12x12, so an
    import at --image-size 8 resizes them; the expected stimuli are Pillow's bilinear resize
    (torchvision's Resize(8) on the PIL image), computed here with python3-pil."""
    from PIL import Image
    root = "seed_npy_split"
    imgs = images(7, 12, 11)
    rng = np.random.default_rng(12)
    v1 = rng.normal(size=(7, 3))
    v4 = rng.normal(size=(7, 4)).astype(np.float32)
    v4[5, 1] = np.inf                                  # a val row: the voxel is dropped everywhere
    parts = {"train": range(0, 4), "val": range(4, 7)}
    for split, rows in parts.items():
        paths = []
        for i in rows:
            rel = "images/%s_%d_nsd-%05d.png" % (split, i, 500 + i)
            write_png(out(root, split, rel), imgs[i])
            paths.append(rel)
        np.save(out(root, split, "preprocessed", "img_paths.npy"), np.array(paths))
        np.save(out(root, split, "brain_activities", "V1.npy"), v1[list(rows)])
        np.save(out(root, split, "brain_activities", "V4.npy"), v4[list(rows)])
    resized = np.stack([np.asarray(Image.fromarray(im, "RGB").resize((8, 8), Image.BILINEAR)) for im in imgs])
    np.save(out(root, "expected_images_8.npy"), resized)
    np.save(out(root, "expected_V1.npy"), v1.astype(np.float32))
    np.save(out(root, "expected_V4_kept.npy"), np.delete(v4, 1, axis=1))
    np.save(out(root, "expected_split.npy"), np.array([0] * 4 + [1] * 3, dtype=np.uint8))
    np.save(out(root, "expected_ids.npy"), np.arange(500, 507, dtype=np.int64))
    # The same layout whose val/V1 has a different voxel count than train/V1.
    bad = "seed_npy_split_badv"
    for split, rows in parts.items():
        np.save(out(bad, split, "preprocessed", "img_paths.npy"),
                np.array(["../../%s/%s/images/%s_%d_nsd-%05d.png" % (root, split, split, i, 500 + i) for i in rows]))
        np.save(out(bad, split, "brain_activities", "V1.npy"), v1[list(rows)] if split == "train" else v1[list(rows), :2])


if __name__ == "__main__":
    npy_fixtures()
    seed_npy_fixture()
    algonauts_fixture()
    nsd_fixture()
    seed_npy_split_fixture()
    print("fixtures written under", HERE)
