#!/usr/bin/python3
"""Writes the expected outputs of tests/test_resize.cpp with Pillow (Debian: python3-pil).

Run from anywhere: /usr/bin/python3 make_resize_fixtures.py
Each case is <name>_in.npy (uint8 [H,W,3], the decoded input) and <name>_out.npy (uint8
[h,w,3], what Image.resize((w, h), Image.BILINEAR) returns for it), plus cases.txt listing
"name out_height out_width" and the Pillow version. Inputs are real images of the test data
(the interpretability PNGs, the NSD fixture stimuli) and synthetic ones of odd sizes, shrunk and
enlarged. The torchvision Resize(size) cases take the output size torchvision computes
(shorter side -> size, longer side int(size * long / short)).
"""
import os

import numpy as np
import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)


def torchvision_shape(h, w, size):
    short, long = (w, h) if w <= h else (h, w)
    new_long = int(size * long / short)
    return (new_long, size) if w <= h else (size, new_long)


def main():
    cases = []

    def add(name, rgb, out_h, out_w):
        rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
        out = np.asarray(Image.fromarray(rgb, "RGB").resize((out_w, out_h), Image.BILINEAR))
        assert out.shape == (out_h, out_w, 3)
        np.save(os.path.join(HERE, name + "_in.npy"), rgb)
        np.save(os.path.join(HERE, name + "_out.npy"), out)
        cases.append("%s %d %d" % (name, out_h, out_w))

    def png(name):
        return np.asarray(Image.open(os.path.join(DATA, "interpret", name)).convert("RGB"))

    a, b, c, d = (png("img_%s.png" % k) for k in "abcd")
    add("interp_a_224", a, *torchvision_shape(32, 32, 224))   # cifar10_224: Resize(224)
    add("interp_b_17x23", b, 17, 23)                          # shrink, odd, not square
    add("interp_c_20", c, *torchvision_shape(32, 32, 20))
    add("interp_d_45x64", d, 45, 64)                          # enlarge, not square

    stim = np.load(os.path.join(DATA, "nsd", "nsd_raw", "expected_stimuli.npy"))  # [5,16,16,3]
    add("nsd0_32", stim[0], 32, 32)                           # NSD import, enlarging
    add("nsd1_8", stim[1], 8, 8)                              # factor 2
    add("nsd2_5", stim[2], 5, 5)                              # factor 3.2
    algo = np.load(os.path.join(DATA, "nsd", "algonauts", "expected_images.npy"))  # [5,12,12,3]
    add("algonauts0_7", algo[0], 7, 7)

    rng = np.random.default_rng(12)
    # A smooth field plus noise: a natural-looking mix of flat areas and edges.
    yy, xx = np.mgrid[0:97, 0:61]
    smooth = np.stack([128 + 100 * np.sin(xx / 7.0 + c * 0.9) * np.cos(yy / 11.0) for c in range(3)], axis=-1)
    synth = np.clip(smooth + rng.normal(0, 25, size=smooth.shape), 0, 255).astype(np.uint8)
    add("synth_97x61_tv32", synth, *torchvision_shape(97, 61, 32))     # torchvision Resize(32), portrait
    add("synth_61x97_tv32", synth.transpose(1, 0, 2), *torchvision_shape(61, 97, 32))  # landscape
    add("synth_97x61_to_33x200", synth, 33, 200)              # shrink one axis, enlarge the other
    add("synth_97x61_hshrink", synth, 97, 13)                 # horizontal pass only
    add("synth_97x61_vshrink", synth, 9, 61)                  # vertical pass only
    noise = rng.integers(0, 256, size=(150, 120, 3), dtype=np.uint8)
    add("noise_150x120_32", noise, 32, 32)                    # large factor, wide support
    add("noise_150x120_tv32", noise, *torchvision_shape(150, 120, 32))
    ext = np.zeros((40, 40, 3), dtype=np.uint8)
    ext[::2, :, :] = 255                                      # extremes: stripes of 0 and 255
    ext[:, ::3, 1] = 255
    add("stripes_40_23", ext, 23, 23)
    add("stripes_40_71", ext, 71, 71)

    with open(os.path.join(HERE, "cases.txt"), "w") as f:
        f.write("# name out_height out_width (Pillow %s, Image.BILINEAR)\n" % PIL.__version__)
        f.write("\n".join(cases) + "\n")


if __name__ == "__main__":
    main()
