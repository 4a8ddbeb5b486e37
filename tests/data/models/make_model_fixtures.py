#!/usr/bin/python3
"""Writes the fixtures of tests/test_models.cpp for the three models the reference's factory
builds beside the CIFAR ResNets and VGGs (run with Debian's python3-torch, python3-torchvision
and python3-pil):

    /usr/bin/python3 tests/data/models/make_model_fixtures.py

  alexnet.pth          torchvision.models.alexnet() with classifier[6] = Linear(4096, 10),
                       torch.save(model.state_dict())
  resnet50.pth         torchvision.models.resnet50() with fc = Linear(2048, 10), same
  resnet50_madry.pth   the robustness library's CIFAR ResNet50 inside its AttackerModel, saved
                       as robustness saves checkpoints: {'model': state_dict, 'optimizer',
                       'schedule', 'epoch'}; keys module.normalizer.new_mean/new_std,
                       module.model.*, module.attacker.normalize.*, module.attacker.model.*
  test_batch.bin       tests/data/interpret/img_a..d.png as CIFAR-10 binary records (labels 0-3)
  images_224.npy       uint8 [4,224,224,3]: those images after torchvision Resize(224) on the
                       PIL image (Pillow's bilinear resample with antialiasing)
  logits.txt           per model and image: PyTorch's logits (eval mode), one line each:
                       <model> <input> <image> <10 logits>; input "224" = images_224 through
                       ToTensor + the CIFAR normalisation, "32" = the 32-pixel images through
                       ToTensor and the checkpoint's own normaliser (robustness format)

The weights are real tensors of each architecture, but every one is a strided view
(torch.as_strided) into one of a few small shared storages, so torch.save writes each storage
once, with each tensor's offset and strides: alexnet's 57 M parameters fit in a few MB. The
storages differ by scale (He-like per fan-in, rounded to powers of two), which keeps the
activations O(1) through the networks. Seeded: running it again rewrites the same files.
"""
import collections
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2470, 0.2435, 0.2616)
# robustness.datasets.CIFAR's normalisation (what its checkpoints store in the normalizer).
MADRY_MEAN = (0.4914, 0.4822, 0.4465)
MADRY_STD = (0.2023, 0.1994, 0.2010)
STORAGE = 1 << 16  # floats per shared storage


def out(name):
    return os.path.join(HERE, name)


# --- robustness/cifar_models/resnet.py (ResNet50), verbatim in structure and names ----------

class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, self.expansion * planes, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(self.expansion * planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != self.expansion * planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, self.expansion * planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(self.expansion * planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        out += self.shortcut(x)
        return F.relu(out)


class MadryResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=10):
        super().__init__()
        widths = [64, 128, 256, 512]
        self.in_planes = 64
        self.conv1 = nn.Conv2d(3, self.in_planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.layer1 = self._make_layer(block, widths[0], num_blocks[0], stride=1)
        self.layer2 = self._make_layer(block, widths[1], num_blocks[1], stride=2)
        self.layer3 = self._make_layer(block, widths[2], num_blocks[2], stride=2)
        self.layer4 = self._make_layer(block, widths[3], num_blocks[3], stride=2)
        self.linear = nn.Linear(widths[3] * block.expansion, num_classes)

    def _make_layer(self, block, planes, num_blocks, stride):
        layers = []
        for s in [stride] + [1] * (num_blocks - 1):
            layers.append(block(self.in_planes, planes, s))
            self.in_planes = planes * block.expansion
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer4(self.layer3(self.layer2(self.layer1(out))))
        out = F.avg_pool2d(out, 4)
        return self.linear(out.view(out.size(0), -1))


class InputNormalize(nn.Module):
    """robustness.helpers.InputNormalize."""

    def __init__(self, new_mean, new_std):
        super().__init__()
        self.register_buffer("new_mean", new_mean[..., None, None])
        self.register_buffer("new_std", new_std[..., None, None])

    def forward(self, x):
        x = torch.clamp(x, 0, 1)
        return (x - self.new_mean) / self.new_std


class Attacker(nn.Module):
    """robustness.attacker.Attacker: holds the same model object and its own normaliser."""

    def __init__(self, model, mean, std):
        super().__init__()
        self.normalize = InputNormalize(mean, std)
        self.model = model


class AttackerModel(nn.Module):
    """robustness.attacker.AttackerModel (the module checkpoints are saved from)."""

    def __init__(self, model, mean, std):
        super().__init__()
        self.normalizer = InputNormalize(mean, std)
        self.model = model
        self.attacker = Attacker(model, mean, std)

    def forward(self, x):
        return self.model(self.normalizer(x))


# --- weights as views into a few shared storages --------------------------------------------

class Storages:
    def __init__(self, seed):
        self.gen = torch.Generator().manual_seed(seed)
        self.pool = {}

    def get(self, kind, lo, hi):
        if kind not in self.pool:
            self.pool[kind] = torch.rand(STORAGE, generator=self.gen) * (hi - lo) + lo
        return self.pool[kind]

    def view(self, base, shape):
        """A view of @p shape into @p base with a random offset and random strides that keep it
        inside the storage (overlapping elements are fine for a fixture)."""
        shape = list(shape)
        if not shape:
            off = int(torch.randint(0, STORAGE, (1,), generator=self.gen))
            return base.as_strided((), (), off)
        strides = [0] * len(shape)
        span = 1  # elements between the first and one past the last, so far
        budget = STORAGE // 2
        for d in reversed(range(len(shape))):
            if shape[d] == 1:
                strides[d] = int(torch.randint(1, 4, (1,), generator=self.gen))
                continue
            # Contiguous-like (stride = span) while it fits; overlapping rows once it does not.
            room = max(1, (budget - span) // (shape[d] - 1))
            hi = max(1, min(span + (2 if d == len(shape) - 1 else 0), room))
            lo = max(1, hi // 2)
            strides[d] = int(torch.randint(lo, hi + 1, (1,), generator=self.gen))
            span += strides[d] * (shape[d] - 1)
        off = int(torch.randint(0, STORAGE - span, (1,), generator=self.gen))
        return base.as_strided(shape, strides, off)


def strided_weights(model, seed, small_gamma=()):
    """Replaces every parameter and buffer of @p model by a strided view into shared storages."""
    st = Storages(seed)
    counter = torch.zeros(1, dtype=torch.int64)
    counter_store = torch.arange(64, dtype=torch.int64) * 7 + 3
    with torch.no_grad():
        for mname, m in model.named_modules():
            for pname, p in list(m.named_parameters(recurse=False)) + list(m.named_buffers(recurse=False)):
                full = (mname + "." if mname else "") + pname
                if p.dtype == torch.int64:
                    v = counter_store.as_strided((), (), int(counter) % 64)
                    counter += 1
                elif isinstance(m, (nn.BatchNorm2d,)):
                    if pname == "weight":
                        v = st.view(st.get("small_gamma", 0.1, 0.3) if any(full.startswith(s) or full.endswith(s)
                                    for s in small_gamma) else st.get("gamma", 0.6, 1.4), p.shape)
                    elif pname == "running_var":
                        v = st.view(st.get("var", 0.8, 1.6), p.shape)
                    else:  # bias, running_mean
                        v = st.view(st.get("shift", -0.1, 0.1), p.shape)
                elif pname == "bias":
                    v = st.view(st.get("shift", -0.1, 0.1), p.shape)
                else:
                    fan_in = p[0].numel()
                    k = int(round(math.log2(fan_in / 2.0)))  # He variance 2/fan_in ~ 2^-k
                    a = math.sqrt(3.0) * 2.0 ** (-k / 2.0)
                    v = st.view(st.get("w%d" % k, -a, a), p.shape)
                if isinstance(p, nn.Parameter):
                    p.data = v
                else:
                    m._buffers[pname] = v
    return st


def storage_count(sd):
    return len({t.storage().data_ptr() for t in sd.values()})


# --- inputs ---------------------------------------------------------------------------------

def load_images():
    imgs = [np.asarray(Image.open(os.path.join(REPO, "tests", "data", "interpret", "img_%s.png" % n)).convert("RGB"))
            for n in "abcd"]
    return np.stack(imgs)  # uint8 [4,32,32,3]


def write_cifar_batch(imgs, path):
    with open(path, "wb") as f:
        for i, im in enumerate(imgs):
            f.write(bytes([i]))
            f.write(np.ascontiguousarray(im.transpose(2, 0, 1)).tobytes())


def to_tensor(imgs_uint8):
    return torch.from_numpy(imgs_uint8).permute(0, 3, 1, 2).float().div(255)  # ToTensor


def normalise(x, mean, std):
    return (x - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)


def main():
    torch.set_num_threads(1)
    imgs = load_images()
    write_cifar_batch(imgs, out("test_batch.bin"))
    resize = torchvision.transforms.Resize(224)
    imgs224 = np.stack([np.asarray(resize(Image.fromarray(im))) for im in imgs])
    assert imgs224.shape == (4, 224, 224, 3), imgs224.shape
    np.save(out("images_224.npy"), imgs224)
    # The reference's cifar10_224 pipeline, whole: Resize(224) on the PIL image, ToTensor, Normalize.
    pipeline = torchvision.transforms.Compose([resize, torchvision.transforms.ToTensor(),
                                               torchvision.transforms.Normalize(CIFAR_MEAN, CIFAR_STD)])
    x224 = torch.stack([pipeline(Image.fromarray(im)) for im in imgs])
    assert torch.equal(x224, normalise(to_tensor(imgs224), CIFAR_MEAN, CIFAR_STD))
    lines = []

    def record(name, inp, logits):
        for i, row in enumerate(logits.tolist()):
            lines.append("%s %s %d %s" % (name, inp, i, " ".join("%.9g" % v for v in row)))

    torch.manual_seed(0)
    alex = torchvision.models.alexnet()
    alex.classifier[6] = nn.Linear(4096, 10)
    strided_weights(alex, seed=11)
    alex.eval()
    sd = alex.state_dict()
    assert len(sd) == 16 and sum(p.numel() for p in alex.parameters()) == 57044810
    torch.save(sd, out("alexnet.pth"))
    with torch.no_grad():
        record("alexnet", "224", alex(x224))
    print("alexnet: %d storages" % storage_count(sd))

    torch.manual_seed(0)
    r50 = torchvision.models.resnet50()
    r50.fc = nn.Linear(2048, 10)
    strided_weights(r50, seed=12, small_gamma=("bn3.weight",))
    r50.eval()
    sd = r50.state_dict()
    assert len(sd) == 320 and sum(p.numel() for p in r50.parameters()) == 23528522
    torch.save(sd, out("resnet50.pth"))
    with torch.no_grad():
        record("resnet50", "224", r50(x224))
    print("resnet50: %d storages" % storage_count(sd))

    torch.manual_seed(0)
    madry = MadryResNet(Bottleneck, [3, 4, 6, 3])
    strided_weights(madry, seed=13, small_gamma=("bn3.weight",))
    assert len(madry.state_dict()) == 320 and sum(p.numel() for p in madry.parameters()) == 23520842
    wrapped = AttackerModel(madry, torch.tensor(MADRY_MEAN), torch.tensor(MADRY_STD))
    wrapped = nn.DataParallel(wrapped)  # robustness saves the DataParallel module: "module." prefix
    wrapped.eval()
    sd = wrapped.state_dict()
    assert "module.normalizer.new_mean" in sd and "module.attacker.model.linear.weight" in sd
    opt = torch.optim.SGD(madry.parameters(), lr=0.1, momentum=0.9)
    torch.save({"model": sd, "optimizer": opt.state_dict(), "schedule": None, "epoch": 153}, out("resnet50_madry.pth"))
    with torch.no_grad():
        record("resnet50_madry", "32", wrapped.module(to_tensor(imgs)))
    print("resnet50_madry: %d storages" % storage_count(sd))

    with open(out("logits.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    for n in ("alexnet.pth", "resnet50.pth", "resnet50_madry.pth", "images_224.npy"):
        print(n, os.path.getsize(out(n)))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
