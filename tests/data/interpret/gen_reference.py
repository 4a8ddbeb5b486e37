#!/usr/bin/python3
"""Reference values for the interpretability tests (tests/test_lpips.cpp, test_stats.cpp).

Run with Debian's /usr/bin/python3 (torch, numpy, scipy). Writes, next to this script:
  img_a.png .. img_d.png   32x32 RGB test images (from a formula, written with zlib)
  lpips_reference.txt      LPIPS (AlexNet, v0.1) distances with the random:0 weights
  alex.pth                 the random:0 lin weights as an lpips-style state dict, saved in
                           torch.save's legacy (non-zip) format like the official file
  stats_reference.txt      sample arrays and scipy.stats results

LPIPS is written here from its definition (the `lpips` package is not installable offline):
scaling layer (x - shift) / scale, AlexNet features (torchvision layout) tapped after relu1..5,
unit-normalisation over channels with eps 1e-10 added after the square root, squared
difference, 1x1 lin layer without bias, spatial average, sum over the five layers. The weights
are the program's `random:SEED` weights, re-derived here from the same counter-based
generator (splitmix64), so the C++ test can rebuild them exactly.
"""
import os
import struct
import zlib

import numpy as np
import scipy
import scipy.stats as st
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
M64 = (1 << 64) - 1


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def mix_seed(a, b, c=0):
    return splitmix64(splitmix64(splitmix64(a) ^ b) ^ c)


def splitmix64_np(x):
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def uniforms(seed, tensor_no, n):
    """repalign::Rng(mixSeed(seed, tensor_no)).uniform() n times."""
    start = mix_seed(seed, tensor_no)
    with np.errstate(over="ignore"):
        states = np.uint64(start) + np.arange(n, dtype=np.uint64)
    return (splitmix64_np(states) >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


CH = [64, 192, 384, 256, 256]
CIN = [3, 64, 192, 384, 256]
KS = [11, 5, 3, 3, 3]
STRIDE = [4, 1, 1, 1, 1]
PAD = [2, 2, 1, 1, 1]


def random_weights(seed):
    conv_w, conv_b, lin = [], [], []
    for l in range(5):
        shape = (CH[l], CIN[l], KS[l], KS[l])
        fan_in = CIN[l] * KS[l] * KS[l]
        bound = np.sqrt(6.0 / fan_in)
        u = uniforms(seed, 2 * l, int(np.prod(shape)))
        conv_w.append(torch.from_numpy(((2 * u - 1) * bound).astype(np.float32).reshape(shape)))
        u = uniforms(seed, 2 * l + 1, CH[l])
        conv_b.append(torch.from_numpy(((2 * u - 1) * 0.1).astype(np.float32)))
    for l in range(5):
        u = uniforms(seed, 10 + l, CH[l])
        lin.append(torch.from_numpy((u * 2.0 / CH[l]).astype(np.float32).reshape(1, CH[l], 1, 1)))
    return conv_w, conv_b, lin


def lpips_v01(x0, x1, w):
    """x0, x1: float32 [B,3,H,W] in [-1, 1]. Returns per-layer [B,5] and total [B]."""
    conv_w, conv_b, lin = w
    shift = torch.tensor([-.030, -.088, -.188]).view(1, 3, 1, 1)
    scale = torch.tensor([.458, .448, .450]).view(1, 3, 1, 1)

    def feats(x):
        x = (x - shift) / scale
        out = []
        # torchvision AlexNet.features: conv relu pool conv relu pool conv relu conv relu conv relu pool
        for l in range(5):
            if l in (1, 2):
                x = F.max_pool2d(x, kernel_size=3, stride=2)
            x = F.relu(F.conv2d(x, conv_w[l], conv_b[l], stride=STRIDE[l], padding=PAD[l]))
            out.append(x)
        return out

    def normalize_tensor(t, eps=1e-10):
        norm_factor = torch.sqrt(torch.sum(t ** 2, dim=1, keepdim=True))
        return t / (norm_factor + eps)

    f0, f1 = feats(x0), feats(x1)
    parts = []
    for l in range(5):
        d = (normalize_tensor(f0[l]) - normalize_tensor(f1[l])) ** 2
        parts.append(F.conv2d(d, lin[l]).mean([2, 3], keepdim=True))
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    return torch.cat([p.view(-1, 1) for p in parts], 1), total.view(-1)


def prepare(img, side):
    x = torch.from_numpy(img).permute(2, 0, 1).unsqueeze(0).float() / 255.0
    if side and side != img.shape[0]:
        x = F.interpolate(x, size=(side, side), mode="bilinear", align_corners=False)
    return x * 2 - 1


def test_image(n, h=32, w=32):
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), np.int64)
    for c in range(3):
        img[:, :, c] = (x * (3 + n) + y * (5 + 2 * n) + c * 40 + n * 17 + ((x * y) % (7 + n)) * 9) % 256
    return img.astype(np.uint8)


def write_png(path, img):
    h, w, _ = img.shape
    raw = b"".join(b"\x00" + img[r].tobytes() for r in range(h))

    def chunk(tag, data):
        c = struct.pack(">I", len(data)) + tag + data
        return c + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def fmt(v):
    return repr(float(v))


def lpips_reference():
    w = random_weights(0)
    imgs = {name: test_image(n) for n, name in enumerate("abcd")}
    for name, img in imgs.items():
        write_png(os.path.join(HERE, f"img_{name}.png"), img)
    lines = ["# LPIPS v0.1 (AlexNet) with random:0 weights; generated by gen_reference.py",
             f"# torch {torch.__version__}",
             "# pair resize total relu1 relu2 relu3 relu4 relu5"]
    # a few weight values, to check the generator itself
    lines.append("weight features.0.weight[0] " + fmt(w[0][0].flatten()[0]))
    lines.append("weight features.0.weight[last] " + fmt(w[0][0].flatten()[-1]))
    lines.append("weight features.10.bias[7] " + fmt(w[1][4][7]))
    lines.append("weight lin2[100] " + fmt(w[2][2].flatten()[100]))
    for a, b, side in [("a", "b", 64), ("a", "c", 64), ("b", "d", 64), ("c", "d", 64), ("a", "b", 0), ("d", "a", 32)]:
        with torch.no_grad():
            parts, total = lpips_v01(prepare(imgs[a], side), prepare(imgs[b], side), w)
        lines.append(f"pair {a}{b} {side} " + fmt(total[0]) + " " + " ".join(fmt(v) for v in parts[0]))
    # the II of a 4-image unit: all pairs through the formula
    from collections import OrderedDict
    sd = OrderedDict((f"lin{l}.model.1.weight", w[2][l].clone()) for l in range(5))
    torch.save(sd, os.path.join(HERE, "alex.pth"), _use_new_zipfile_serialization=False)
    names = "abcd"
    with torch.no_grad():
        m = np.zeros((4, 4))
        for i in range(4):
            for j in range(4):
                _, t = lpips_v01(prepare(imgs[names[i]], 64), prepare(imgs[names[j]], 64), w)
                m[i, j] = float(t[0])
    lines.append("ii_full_matrix_mean " + fmt(m.mean()))
    lines.append("ii_pairs_mean " + fmt(m[np.triu_indices(4, 1)].mean()))
    with open(os.path.join(HERE, "lpips_reference.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def stats_reference():
    rs = np.random.RandomState(20240611)
    arrays = {
        "g1": np.round(rs.normal(0.354, 0.05, 40), 3),
        "g2": np.round(rs.normal(0.322, 0.04, 45), 3),
        "g3": np.round(rs.normal(0.340, 0.06, 30), 3),
        "s1": np.array([0.31, 0.42, 0.29, 0.37, 0.35]),
        "s2": np.array([0.28, 0.26, 0.33, 0.24, 0.30, 0.27]),
        "p1": np.round(rs.normal(0.35, 0.05, 30), 6),
    }
    arrays["p2"] = np.round(arrays["p1"] - rs.normal(0.01, 0.02, 30), 6)
    q1 = np.round(rs.normal(0.35, 0.05, 80), 2)
    q2 = q1.copy()
    q2[:60] = np.round(q1[:60] - rs.normal(0.01, 0.02, 60), 2)  # last 20 identical (zeros), ties by rounding
    arrays["q1"], arrays["q2"] = q1, q2
    arrays["u1"] = rs.normal(0.354, 0.050, 512).astype(np.float32).astype(np.float64)
    arrays["u2"] = (arrays["u1"] - rs.normal(0.03, 0.04, 512)).astype(np.float32).astype(np.float64)
    lines = [f"# scipy {scipy.__version__}, numpy {np.__version__}; generated by gen_reference.py"]
    for k, v in arrays.items():
        lines.append(f"array {k} " + " ".join(fmt(x) for x in v))

    def val(name, v):
        lines.append(f"value {name} {fmt(v)}")

    def cohen(a, b):
        na, nb = len(a), len(b)
        sp = np.sqrt(((na - 1) * np.var(a, ddof=1) + (nb - 1) * np.var(b, ddof=1)) / (na + nb - 2))
        return (np.mean(a) - np.mean(b)) / sp

    A = arrays
    r = st.f_oneway(A["g1"], A["g2"], A["g3"]); val("anova3.F", r.statistic); val("anova3.p", r.pvalue)
    r = st.f_oneway(A["g1"], A["g2"]); val("anova2.F", r.statistic); val("anova2.p", r.pvalue)
    r = st.f_oneway(A["u1"], A["u2"]); val("anova_u.F", r.statistic); val("anova_u.p", r.pvalue)
    r = st.ttest_ind(A["g1"], A["g2"], equal_var=False); val("welch.t", r.statistic); val("welch.p", r.pvalue)
    r = st.ttest_ind(A["u1"], A["u2"], equal_var=False); val("welch_u.t", r.statistic); val("welch_u.p", r.pvalue)
    r = st.mannwhitneyu(A["g1"], A["g2"]); val("mwu.U", r.statistic); val("mwu.p", r.pvalue)
    r = st.mannwhitneyu(A["s1"], A["s2"]); val("mwu_small.U", r.statistic); val("mwu_small.p", r.pvalue)
    r = st.mannwhitneyu(A["u1"], A["u2"]); val("mwu_u.U", r.statistic); val("mwu_u.p", r.pvalue)
    r = st.wilcoxon(A["p1"], A["p2"]); val("wil_exact.T", r.statistic); val("wil_exact.p", r.pvalue)
    r = st.wilcoxon(A["q1"], A["q2"]); val("wil_ties.T", r.statistic); val("wil_ties.p", r.pvalue)
    r = st.wilcoxon(A["u1"], A["u2"]); val("wil_u.T", r.statistic); val("wil_u.p", r.pvalue)
    val("cohen.d", cohen(A["g1"], A["g2"]))
    val("cohen_u.d", cohen(A["u1"], A["u2"]))
    val("g1.mean", np.mean(A["g1"])); val("g1.std", np.std(A["g1"], ddof=1)); val("g1.median", np.median(A["g1"]))
    val("g2.median", np.median(A["g2"]))
    with open(os.path.join(HERE, "stats_reference.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    lpips_reference()
    stats_reference()
