#!/usr/bin/python3
"""Writes the notebook's tuned checkpoint fixture of tests/test_pth.cpp (Debian's python3-torch).

    /usr/bin/python3 tests/data/pth/make_notebook_ckpt.py

The reference notebook saves, after neural tuning,
    {'student_state_dict': student (resnet18_cifar10 backbone + neural_predict = Linear(2048, V)),
     'teacher_state_dict': the frozen baseline, 'optimizer': Adam's state_dict (state keyed by
     parameter index), 'epoch': ..., 'hist': {...lists...}}
To keep the file small every float tensor is a strided view (torch.as_strided) into one of two
small shared storages, which torch.save writes once each; the values are still those of a real
model, so PyTorch's own outputs below are what the C++ side must reproduce:
  notebook_tuned/notebook_tuned.pt   the checkpoint (torch.save, zip format)
  notebook_tuned/images.npy          uint8 [10,32,32,3] test images (image_pixels)
  notebook_tuned/logits.npy          float32 [10,10]: student in eval mode, CIFAR normalisation
  notebook_tuned/readout.npy         float32 [10,V]: neural_predict(flatten(layer4(x)))
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_pth_fixtures import ResNetCifar, image_pixels  # noqa: E402

VOXELS = 6
N_IMAGES = 10


class Student(ResNetCifar):
    """The notebook's student: the baseline plus a Linear readout on flattened layer4."""

    def __init__(self):
        super().__init__()
        self.neural_predict = nn.Linear(512 * 2 * 2, VOXELS)

    def layer4_features(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return torch.flatten(x, 1)


def strided_views(model, signed, positive):
    """Replaces every parameter and buffer by a view into the shared storages."""
    rng = np.random.default_rng(3)
    views = {}
    for name, t in model.state_dict().items():
        if t.dtype == torch.int64:
            views[name] = torch.tensor(1000, dtype=torch.int64)  # num_batches_tracked
            continue
        base = name.rsplit(".", 1)[-1]
        src = positive if base in ("running_var",) or (base == "weight" and t.dim() == 1) else signed
        strides, span = [], 0
        for d in reversed(range(t.dim())):
            s = 1 if d == t.dim() - 1 else int(rng.integers(1, 4))
            strides.insert(0, s)
            span += (t.shape[d] - 1) * s
        off = int(rng.integers(0, src.numel() - span))
        views[name] = torch.as_strided(src, tuple(t.shape), tuple(strides), off)
    return views


def main():
    torch.manual_seed(7)
    n = 8192
    signed = (torch.randn(n) * 0.02).float()
    positive = (0.5 + torch.rand(n)).float()
    student = Student()
    sd = strided_views(student, signed, positive)
    sd["neural_predict.weight"] = torch.as_strided(signed, (VOXELS, 2048), (5, 1), 17)
    sd["neural_predict.bias"] = torch.as_strided(signed, (VOXELS,), (3,), 101)
    student.load_state_dict(sd)
    teacher_sd = {k: v for k, v in sd.items() if not k.startswith("neural_predict.")}

    # Adam as the notebook builds it (no lr: torch's 1e-3), after some steps: state keyed by index.
    opt = torch.optim.Adam(student.parameters(), weight_decay=0.01)
    for p in student.parameters():
        p.grad = torch.zeros_like(p)
    opt.step()
    osd = opt.state_dict()
    for i, st in osd["state"].items():
        shape = st["exp_avg"].shape
        st["step"] = torch.tensor(30.0)
        st["exp_avg"] = torch.as_strided(signed, shape, tuple([0] * (len(shape) - 1) + [1]) if shape else (), i)
        st["exp_avg_sq"] = torch.as_strided(positive, shape, tuple([0] * (len(shape) - 1) + [1]) if shape else (), i)
    for g in osd["param_groups"]:
        g["lr"] = 1e-4  # the constant scheduler's lr_init, set after the first step
    ckpt = {
        "student_state_dict": sd,
        "teacher_state_dict": teacher_sd,
        "optimizer": osd,
        "epoch": 10,
        "hist": {"train_loss": [0.9 - 0.05 * e for e in range(10)], "val_r": [0.1 + 0.01 * e for e in range(10)],
                 "val_acc": [0.87 - 0.001 * e for e in range(10)]},
    }
    d = os.path.join(HERE, "notebook_tuned")
    os.makedirs(d, exist_ok=True)
    torch.save(ckpt, os.path.join(d, "notebook_tuned.pt"))

    imgs = image_pixels(N_IMAGES)
    x = torch.from_numpy(imgs).permute(0, 3, 1, 2).double().div(255.0)
    mean = torch.tensor([0.4914, 0.4822, 0.4465], dtype=torch.float64).view(1, 3, 1, 1)
    std = torch.tensor([0.2470, 0.2435, 0.2616], dtype=torch.float64).view(1, 3, 1, 1)
    x = ((x - mean) / std).float()
    # Adam's step (weight decay on zero gradients) moved the parameters: the outputs are those
    # of the saved weights.
    student.load_state_dict(sd)
    student.eval()
    with torch.no_grad():
        logits = student(x)
        readout = student.neural_predict(student.layer4_features(x))
    np.save(os.path.join(d, "images.npy"), imgs)
    np.save(os.path.join(d, "logits.npy"), logits.numpy().astype(np.float32))
    np.save(os.path.join(d, "readout.npy"), readout.numpy().astype(np.float32))
    print("checkpoint %d bytes; logits %.3g .. %.3g; readout %.3g .. %.3g" % (
        os.path.getsize(os.path.join(d, "notebook_tuned.pt")), logits.min(), logits.max(), readout.min(), readout.max()))


if __name__ == "__main__":
    main()
