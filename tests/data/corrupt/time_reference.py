#!/usr/bin/env python3
"""Per-image cost of make_cifar_c.py's corruptions, for tests/bench/bench_corrupt.cpp.

Runs the script's own functions (loaded as make_fixtures.py does, from --script) on the fixture
images, one process, one thread (OMP/OpenBLAS/ImageMagick limited to 1), severities 1..5 in
turn, and writes tests/bench/corrupt_reference.json: mean seconds per image per corruption
(np.uint8(f(PIL image, severity)), as the script's loop), with the command, versions and machine.
Frost runs in --frost-dir (the script reads ./frostN.* on every call).
"""
import argparse
import json
import os
import platform
import sys
import time
import warnings

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MAGICK_THREAD_LIMIT"):
    os.environ[var] = "1"

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import load_recipe  # noqa: E402

NAMES = ["gaussian_noise", "shot_noise", "impulse_noise", "defocus_blur", "glass_blur", "motion_blur", "zoom_blur",
         "snow", "frost", "fog", "brightness", "contrast", "elastic_transform", "pixelate", "jpeg_compression",
         "speckle_noise", "gaussian_blur", "spatter", "saturate"]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", required=True)
    ap.add_argument("--frost-dir", required=True)
    ap.add_argument("--images", type=int, default=40, help="images per severity")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench",
                                                  "corrupt_reference.json"))
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    ns = load_recipe(os.path.abspath(args.script))
    import cv2
    cv2.setNumThreads(1)
    from PIL import Image
    base = np.load(os.path.join(os.path.dirname(os.path.abspath(__file__)), "images.npy"))
    images = [Image.fromarray(base[i % len(base)]) for i in range(args.images)]
    np.random.seed(0)
    os.chdir(args.frost_dir)
    result = {}
    for name in NAMES:
        f = ns[name]
        f(images[0], 1)  # warm-up
        t0 = time.perf_counter()
        for severity in range(1, 6):
            for img in images:
                np.uint8(f(img, severity))
        per_image = (time.perf_counter() - t0) / (5 * len(images))
        result[name] = per_image
        print("%-18s %.3f ms/image" % (name, per_image * 1e3), flush=True)
    import scipy, skimage, PIL, wand.version
    meta = {
        "what": "seconds per image of make_cifar_c.py's corruption functions (np.uint8(f(PIL image, severity)), "
                "mean over severities 1..5), one thread",
        "command": "python3 tests/data/corrupt/time_reference.py --script make_cifar_c.py --frost-dir FROST --images %d"
                   % args.images,
        "script": "github:hendrycks/robustness ImageNet-C/create_c/make_cifar_c.py @ 8190fe329f5f072a06e3a2aea02bb5dda69aed9f",
        "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "system": platform.platform(),
                    "note": "measured once while the machine was shared (2 cores, other builds running); "
                            "the bench prints these as recorded, not re-measured"},
        "measured": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "images_per_severity": args.images,
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                     "skimage": skimage.__version__, "opencv": cv2.__version__, "pillow": PIL.__version__,
                     "wand": wand.version.VERSION},
        "seconds_per_image": result,
    }
    with open(args.out, "w") as fo:
        json.dump(meta, fo, indent=1)
        fo.write("\n")


if __name__ == "__main__":
    main()
