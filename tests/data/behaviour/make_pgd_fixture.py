#!/usr/bin/env python3
"""Expected PGD robust accuracies for tests/test_behaviour.cpp, from PyTorch (Debian's
python3-torch; the test itself needs no Python).

Model: the reference's resnet18_cifar10 with the deterministic weights of
tests/data/pth/resnet18_ckpt (every tensor from make_pth_fixtures.py's formula, listed in its
records.txt), which the C++ test rebuilds into a checkpoint of its own. Images: make_pth_fixtures'
image_pixels(N) (uint8 HWC), in [0, 1] as ToTensor makes them; the normalisation (the reference's
CIFAR-10 mean/std) is inside the model. Labels: the model's own clean predictions, so the clean
accuracy is 1 and PGD has something to break.

PGD (Madry et al.) as the MadryLab robustness library steps it, no random start, the final
iterate: linf x' = clip01(x + clip_eps(x' + a sign(g) - x)); l2 x' = clip01(x + renorm_eps(x' +
a g / (||g|| + 1e-10) - x)); a = eps * STEP_FRACTION; g the gradient of the summed cross-entropy.

Writes pgd_expected.txt: the settings, the labels, and per (norm, eps) the robust accuracy and
the per-image correctness.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
PTH = os.path.join(HERE, "..", "pth")
sys.path.insert(0, PTH)
import make_pth_fixtures as mp  # noqa: E402  (ResNetCifar, formula, image_pixels)

N = 100
STEPS = 5
STEP_FRACTION = 0.25
ATTACKS = [("linf", [1.0, 2.0]), ("l2", [0.25])]  # linf eps in /255, l2 in [0, 1] pixels
MEAN = torch.tensor([0.4914, 0.4822, 0.4465], dtype=torch.float32).view(1, 3, 1, 1)
STD = torch.tensor([0.2470, 0.2435, 0.2616], dtype=torch.float32).view(1, 3, 1, 1)


def build_model():
    model = mp.ResNetCifar()
    sd = model.state_dict()
    with open(os.path.join(PTH, "resnet18_ckpt", "records.txt")) as f:
        for line in f:
            r = line.rstrip("\n").split("\t")
            if len(r) < 8 or r[1] != "storage" or r[7] not in sd:
                continue
            key, dtype, numel, scale, offset, name = int(r[2]), r[3], int(r[4]), float(r[5]), float(r[6]), r[7]
            with torch.no_grad():
                if dtype == "int64":
                    sd[name].fill_(int(offset))
                else:
                    sd[name].copy_(torch.from_numpy(mp.formula(key, numel, scale, offset)).reshape(sd[name].shape))
    model.load_state_dict(sd)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def pgd(model, x, y, norm, eps, steps, step):
    orig = x.detach()
    adv = orig.clone()
    for _ in range(steps):
        a = adv.clone().requires_grad_(True)
        loss = F.cross_entropy(model((a - MEAN) / STD), y, reduction="sum")
        (g,) = torch.autograd.grad(loss, [a])
        with torch.no_grad():
            if norm == "linf":
                adv = a + step * g.sign()
                adv = orig + torch.clamp(adv - orig, -eps, eps)
            else:
                gn = g.reshape(g.shape[0], -1).norm(dim=1).view(-1, 1, 1, 1)
                adv = a + step * g / (gn + 1e-10)
                adv = orig + (adv - orig).renorm(p=2, dim=0, maxnorm=eps)
            adv = torch.clamp(adv, 0, 1)
    return adv.detach()


def main():
    torch.set_num_threads(2)
    model = build_model()
    imgs = mp.image_pixels(N)
    x = torch.from_numpy(imgs.astype(np.float32) * np.float32(1.0 / 255.0)).permute(0, 3, 1, 2).contiguous()
    with torch.no_grad():
        labels = model((x - MEAN) / STD).argmax(1)
    lines = ["# make_pgd_fixture.py, torch %s" % torch.__version__,
             "images %d" % N, "steps %d" % STEPS, "step_fraction %.17g" % STEP_FRACTION,
             "labels " + " ".join(str(int(v)) for v in labels)]
    for norm, eps_list in ATTACKS:
        for e in eps_list:
            eps = e / 255.0 if norm == "linf" else e
            adv = pgd(model, x, labels, norm, eps, STEPS, eps * STEP_FRACTION)
            with torch.no_grad():
                ok = (model((adv - MEAN) / STD).argmax(1) == labels).int()
            lines.append("%s %.17g %.17g %s" % (norm, e, ok.float().mean().item(), "".join(str(int(v)) for v in ok)))
            print(lines[-1][:60])
    with open(os.path.join(HERE, "pgd_expected.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
