#!/usr/bin/env python3
"""Fixtures for tests/test_corrupt.cpp: the CIFAR-10-C recipe's own functions on a few images.

The reference is ImageNet-C/create_c/make_cifar_c.py of github:hendrycks/robustness
(Apache-2.0; commit 8190fe329f5f072a06e3a2aea02bb5dda69aed9f, md5 of the file
5b4112db413823ba3110bdf8afaa2cc3). It is not copied here: pass its path with --script. Its
module-level part (which loads CIFAR-10 from the authors' disk) is skipped: only the imports and
the function/class definitions are executed, so the corruptions below are exactly the script's.

Writes into this folder:
  images.npy                 uint8 [8,32,32,3]   the inputs (deterministic from --seed)
  <corruption>.npy           uint8 [5*8,32,32,3] np.uint8(f(PIL image, severity)), severity-major,
                             for the 8 deterministic corruptions
  motion_blur_angles.npy     uint8 [5*8,32,32,3] motion_blur's Wand call with the fixed angles
                             ANGLES (the script draws the angle at random)
  random_stats.json          for the random corruptions but frost (no frost images here): the
                             mean |output - input| and the mean output in grey levels over
                             REPEATS draws of each image, per severity (np.random.seed(0))
  fixtures.json              versions, angles, the command

Run with Debian's python3 (python3-numpy python3-scipy python3-skimage python3-wand
python3-opencv python3-pil):  python3 make_fixtures.py --script /path/to/make_cifar_c.py
"""
import argparse
import ast
import json
import os
import sys
import warnings

import numpy as np

DETERMINISTIC = ["defocus_blur", "zoom_blur", "brightness", "contrast", "pixelate",
                 "jpeg_compression", "gaussian_blur", "saturate"]
ANGLES = [-45.0, -20.0, 0.0, 17.5, 45.0]
RANDOM = ["gaussian_noise", "shot_noise", "impulse_noise", "speckle_noise", "glass_blur", "motion_blur", "snow", "fog",
          "elastic_transform", "spatter"]
REPEATS = 25


def load_recipe(path):
    """Executes the script's imports and definitions (not its CIFAR loop) in a fresh namespace."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    keep = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
            if isinstance(node, ast.Import) and any(a.name.startswith("torch") for a in node.names):
                continue
            keep.append(node)
        elif isinstance(node, ast.Assign):  # the wandlibrary argtypes line
            src = ast.unparse(node)
            if src.startswith("wandlibrary."):
                keep.append(node)
        elif isinstance(node, ast.Expr) and "warnings" in ast.unparse(node):
            keep.append(node)
    module = ast.Module(body=keep, type_ignores=[])
    ns = {"__name__": "make_cifar_c"}
    exec(compile(module, path, "exec"), ns)
    return ns


def make_images(seed, count=8, size=32):
    """Smooth colour fields, edges, texture, a grey image and a saturated one."""
    rng = np.random.RandomState(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) / (size - 1)
    images = []
    for i in range(count):
        img = np.zeros((size, size, 3))
        for ch in range(3):
            a, b, c, f = rng.uniform(-1, 1, 4)
            img[..., ch] = 0.5 + 0.3 * (a * xx + b * yy) + 0.2 * np.sin(2 * np.pi * (f + 1.5) * (xx * c + yy))
        # a disc and a bar with hard edges
        cx, cy, r = rng.uniform(8, 24), rng.uniform(8, 24), rng.uniform(3, 9)
        disc = (xx * (size - 1) - cx) ** 2 + (yy * (size - 1) - cy) ** 2 <= r * r
        img[disc] = rng.uniform(0, 1, 3)
        bar = (xx * (size - 1) > rng.uniform(0, 20)) & (xx * (size - 1) < rng.uniform(22, 32)) & (yy * (size - 1) > 26)
        img[bar] = rng.uniform(0, 1, 3)
        img += rng.normal(0, 0.03, img.shape)
        if i == count - 2:  # grey: rgb2hsv's delta == 0 path
            img = np.repeat(img.mean(axis=2, keepdims=True), 3, axis=2)
        if i == count - 1:  # saturated, with pure 0 and 255
            img = np.clip((img - 0.5) * 4 + 0.5, 0, 1)
        images.append(np.clip(np.round(img * 255), 0, 255).astype(np.uint8))
    return np.stack(images)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", required=True, help="path to ImageNet-C/create_c/make_cifar_c.py")
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--seed", type=int, default=2019)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    ns = load_recipe(args.script)
    from PIL import Image
    images = make_images(args.seed)
    np.save(os.path.join(args.out, "images.npy"), images)
    for name in DETERMINISTIC:
        f = ns[name]
        out = []
        for severity in range(1, 6):
            for img in images:
                # the script's convert_img (ToTensor then ToPILImage) returns the same uint8 image
                out.append(np.uint8(f(Image.fromarray(img), severity)))
        np.save(os.path.join(args.out, name + ".npy"), np.array(out).astype(np.uint8))
    # motion_blur at fixed angles: the script's own lines with np.random.uniform replaced
    real_uniform = np.random.uniform
    out = []
    for severity in range(1, 6):
        np.random.uniform = lambda *a, **k: ANGLES[severity - 1]
        for img in images:
            out.append(np.uint8(ns["motion_blur"](Image.fromarray(img), severity)))
    np.random.uniform = real_uniform
    np.save(os.path.join(args.out, "motion_blur_angles.npy"), np.array(out).astype(np.uint8))

    np.random.seed(0)
    stats = {}
    for name in RANDOM:
        rows = []
        for severity in range(1, 6):
            change = total = count = 0.0
            for _ in range(REPEATS):
                for img in images:
                    out = np.uint8(ns[name](Image.fromarray(img), severity)).astype(np.float64)
                    change += np.abs(out - img).sum()
                    total += out.sum()
                    count += out.size
            rows.append({"severity": severity, "mean_abs_change": change / count, "mean": total / count})
        stats[name] = rows
    with open(os.path.join(args.out, "random_stats.json"), "w") as f:
        json.dump({"repeats": REPEATS, "corruptions": stats}, f, indent=1)
        f.write("\n")

    import scipy, skimage, cv2, PIL, wand.version
    meta = {
        "script": "github:hendrycks/robustness ImageNet-C/create_c/make_cifar_c.py @ 8190fe329f5f072a06e3a2aea02bb5dda69aed9f",
        "command": "python3 tests/data/corrupt/make_fixtures.py --script make_cifar_c.py --seed %d" % args.seed,
        "seed": args.seed,
        "corruptions": DETERMINISTIC,
        "motion_blur_angles": ANGLES,
        "random_stats_repeats": REPEATS,
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                     "skimage": skimage.__version__, "opencv": cv2.__version__, "pillow": PIL.__version__,
                     "wand": wand.version.VERSION, "imagemagick": wand.version.MAGICK_VERSION},
    }
    with open(os.path.join(args.out, "fixtures.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
