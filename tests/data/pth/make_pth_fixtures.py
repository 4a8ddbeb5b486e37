#!/usr/bin/python3
"""Generates the torch.save fixtures of tests/test_pth.cpp (run with Debian's python3-torch).

    /usr/bin/python3 tests/data/pth/make_pth_fixtures.py

Everything is seeded: running it again rewrites the same files. Outputs (all small):
  *.zip.pth / *.legacy.pth   files exactly as torch.save writes them (zip / legacy format)
  corrupt_*.pth              hand-made damaged or hostile files
  expected.txt               per tensor: file, key path, dtype, shape, sum, |sum|, first, last
  resnet18_ckpt/             the reference-format resnet18_cifar10 checkpoint, minus its 90 MB
                             of storages: PyTorch's own data.pkl, the zip record list, the
                             formula that fills each storage, and the logits PyTorch computes
"""
import argparse
import collections
import io
import math
import os
import pickle
import struct
import sys
import zipfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.serialization

HERE = os.path.dirname(os.path.abspath(__file__))
expected_lines = []


def out(name):
    return os.path.join(HERE, name)


def walk(obj, path=""):
    """Yields (path, tensor) for every tensor in a nested dict/list/tuple, paths as pth ls uses."""
    if isinstance(obj, torch.Tensor):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from walk(v, (path + "/" if path else "") + str(k))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from walk(v, (path + "/" if path else "") + str(i))


DTYPE_NAMES = {torch.float32: "float32", torch.float64: "float64", torch.float16: "float16",
               torch.bfloat16: "bfloat16", torch.int64: "int64", torch.int32: "int32",
               torch.int16: "int16", torch.int8: "int8", torch.uint8: "uint8", torch.bool: "bool"}


def record_expected(fname, obj):
    for path, t in walk(obj):
        d = t.detach().to(torch.float64)
        flat = d.reshape(-1)
        first = flat[0].item() if flat.numel() else 0.0
        last = flat[-1].item() if flat.numel() else 0.0
        shape = ",".join(str(s) for s in t.shape)
        expected_lines.append("%s\t%s\t%s\t%s\t%.17g\t%.17g\t%.17g\t%.17g\t%d" % (
            fname, path, DTYPE_NAMES[t.dtype], shape, d.sum().item(), d.abs().sum().item(),
            first, last, 1 if t.is_contiguous() else 0))


def save_both(obj, stem, record=True):
    torch.save(obj, out(stem + ".zip.pth"))
    torch.save(obj, out(stem + ".legacy.pth"), _use_new_zipfile_serialization=False)
    if record:
        record_expected(stem + ".zip.pth", obj)
        record_expected(stem + ".legacy.pth", obj)


class Tiny(nn.Module):
    """A tiny CNN: enough to have conv, BN (with buffers) and linear entries."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def tiny_fixtures():
    torch.manual_seed(1)
    model = Tiny()
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.01)
    x = torch.randn(2, 3, 8, 8)
    for _ in range(2):
        opt.zero_grad()
        F.cross_entropy(model(x), torch.tensor([0, 2])).backward()
        opt.step()
    sd = model.state_dict()
    save_both(sd, "tiny_state")
    ckpt = {
        "epoch": 7,
        "state_dict": sd,
        "optimizer": opt.state_dict(),
        "train_losses": [2.302585092994046, 1.75, 1.5, 1.25, 0.875],
        "best_val_loss": float("inf"),
        "wandb_run_name": None,
    }
    save_both(ckpt, "tiny_ckpt")
    # Protocols 4 and 5 (FRAME, MEMOIZE, SHORT_BINUNICODE, ...) as pickle_protocol= gives them.
    torch.save(ckpt, out("tiny_ckpt_proto4.zip.pth"), pickle_protocol=4)
    torch.save(ckpt, out("tiny_ckpt_proto5.zip.pth"), pickle_protocol=5)
    record_expected("tiny_ckpt_proto4.zip.pth", ckpt)
    record_expected("tiny_ckpt_proto5.zip.pth", ckpt)
    # DataParallel-style names and a model saved as nn.Parameters (plain list of tensors).
    dp = collections.OrderedDict(("module." + k, v) for k, v in sd.items())
    torch.save(dp, out("tiny_dataparallel.zip.pth"))
    record_expected("tiny_dataparallel.zip.pth", dp)
    params = {"weights": [p for p in model.parameters()], "step": torch.tensor(3.0)}
    torch.save(params, out("parameters.zip.pth"))
    record_expected("parameters.zip.pth", params)
    # numpy scalars, as training scripts often store losses and epochs.
    npck = {"state_dict": sd, "best_val_loss": np.float64(0.4375), "best_acc": np.float32(0.875),
            "epoch": np.int64(12), "lr": 0.01, "arch": "resnet18_cifar10"}
    torch.save(npck, out("numpy_scalars.zip.pth"))
    record_expected("numpy_scalars.zip.pth", npck)
    # What `python train.py` checkpoints often hold too: argparse args (a class: refused).
    torch.save({"state_dict": sd, "args": argparse.Namespace(lr=0.1)}, out("corrupt_namespace.zip.pth"))
    # A whole pickled module (torch.save(model)) and a TorchScript archive: refused with a hint.
    torch.save(model, out("corrupt_whole_model.zip.pth"))
    torch.jit.save(torch.jit.script(model), out("corrupt_torchscript.zip.pth"))


def dtype_fixtures():
    torch.manual_seed(2)
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) * 0.5 - 3
    shared = torch.randn(10)
    big = torch.randn(20)
    d = collections.OrderedDict()
    d["f32"] = torch.randn(2, 3)
    d["f64"] = torch.randn(3, 2, dtype=torch.float64)
    d["f16"] = torch.randn(5).half()
    d["bf16"] = torch.randn(2, 2).bfloat16()
    d["i64"] = torch.tensor([[-(2 ** 40), 5], [7, 2 ** 62]], dtype=torch.int64)
    d["u8"] = torch.tensor([0, 1, 127, 128, 255], dtype=torch.uint8)
    d["bool"] = torch.tensor([True, False, True, True])
    d["scalar"] = torch.tensor(3.5)
    d["empty"] = torch.zeros(0, 3)
    d["transposed"] = base.t()                 # non-contiguous view
    d["view_a"] = shared[:6].view(2, 3)        # two views of one storage
    d["view_b"] = shared[4:]
    d["offset"] = big[7:12]                    # storage offset 7
    d["strided"] = base[::2, 1::2]             # non-unit strides
    save_both(d, "dtypes")
    # Bare storages: untyped (bytes, as torch.storage.UntypedStorage) and typed (LongStorage).
    raw = torch.tensor([1.5, 2.5, -3.0]).storage()._storage
    torch.save({"untyped": raw, "typed": torch.tensor([1, 2]).storage()}, out("storages.zip.pth"))


def lpips_alex_fixture():
    """Laid out as lpips/weights/v0.1/alex.pth: legacy format, saved from cuda:0."""
    torch.manual_seed(3)
    sd = collections.OrderedDict()
    for i, c in enumerate([64, 192, 384, 256, 256]):
        sd["lin%d.model.1.weight" % i] = torch.rand(1, c, 1, 1) * 0.2
    real_tag = torch.serialization.location_tag
    torch.serialization.location_tag = lambda storage: "cuda:0"
    try:
        torch.save(sd, out("lpips_alex.legacy.pth"), _use_new_zipfile_serialization=False)
    finally:
        torch.serialization.location_tag = real_tag
    record_expected("lpips_alex.legacy.pth", sd)


def alexnet_fixture():
    """Laid out as torchvision's alexnet-owt-7be5be79.pth (legacy format, features.N /
    classifier.N), channel counts reduced to keep the file small."""
    torch.manual_seed(4)
    shapes = [("features.0", (8, 3, 11, 11)), ("features.3", (24, 8, 5, 5)), ("features.6", (48, 24, 3, 3)),
              ("features.8", (32, 48, 3, 3)), ("features.10", (32, 32, 3, 3)),
              ("classifier.1", (16, 32 * 6 * 6)), ("classifier.4", (16, 16)), ("classifier.6", (10, 16))]
    sd = collections.OrderedDict()
    for name, shape in shapes:
        sd[name + ".weight"] = torch.randn(*shape) * 0.05
        sd[name + ".bias"] = torch.randn(shape[0]) * 0.01
    torch.save(sd, out("alexnet_owt_layout.legacy.pth"), _use_new_zipfile_serialization=False)
    record_expected("alexnet_owt_layout.legacy.pth", sd)


# --- hand-made files -----------------------------------------------------------------------

def zip_with(records, path):
    """A zip in torch's layout (stored entries) from {name: bytes}."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, data in records.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)  # reproducible bytes


def pickle_with_storages(obj, pid_fn, protocol=2):
    buf = io.BytesIO()
    p = pickle.Pickler(buf, protocol=protocol)
    p.persistent_id = pid_fn
    p.dump(obj)
    return buf.getvalue()


class FakeStorage:
    def __init__(self, key, numel, cls="FloatStorage"):
        self.key, self.numel, self.cls = key, numel, cls


def fake_tensor(storage, offset, size, stride):
    """Pickles as torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())."""
    class T:
        def __reduce__(self):
            return (torch._utils._rebuild_tensor_v2,
                    (storage, offset, size, stride, False, collections.OrderedDict()))
    return T()


def fake_pid(obj):
    if isinstance(obj, FakeStorage):
        return ("storage", getattr(torch, obj.cls), obj.key, "cpu", obj.numel)
    return None


def corrupt_fixtures():
    # Storage size larger than its record (4 floats claimed 1000000).
    s = FakeStorage("0", 1000000)
    pkl = pickle_with_storages(collections.OrderedDict(w=fake_tensor(s, 0, (1000000,), (1,))), fake_pid)
    zip_with({"archive/data.pkl": pkl, "archive/data/0": struct.pack("<4f", 1, 2, 3, 4),
              "archive/version": b"3\n"}, out("corrupt_storage_size.zip.pth"))
    # A view reaching past its storage (size 3x3 on 4 elements).
    s = FakeStorage("0", 4)
    pkl = pickle_with_storages({"w": fake_tensor(s, 0, (3, 3), (3, 1))}, fake_pid)
    zip_with({"archive/data.pkl": pkl, "archive/data/0": struct.pack("<4f", 1, 2, 3, 4),
              "archive/version": b"3\n"}, out("corrupt_view_bounds.zip.pth"))
    # A pickle that would run a shell command if unpickled by Python.
    evil = b"\x80\x02cposix\nsystem\nq\x00X\x0b\x00\x00\x00touch PWNEDq\x01\x85q\x02Rq\x03."
    zip_with({"archive/data.pkl": evil, "archive/version": b"3\n"}, out("corrupt_unknown_global.zip.pth"))
    # A storage record that the zip directory says is stored but whose CRC is wrong.
    good = open(out("tiny_state.zip.pth"), "rb").read()
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        names = z.namelist()
        records = {n: z.read(n) for n in names}
    storage = [n for n in names if "/data/" in n][0]
    buf = bytearray(good)
    at = buf.find(records[storage])
    buf[at] ^= 0xFF
    open(out("corrupt_crc.zip.pth"), "wb").write(bytes(buf))
    # Legacy: a storage whose element count disagrees with its tensors.
    legacy = bytearray(open(out("tiny_state.legacy.pth"), "rb").read())
    key_list_end = find_legacy_data_start(bytes(legacy))
    struct.pack_into("<q", legacy, key_list_end, 999999)
    open(out("corrupt_legacy_count.legacy.pth"), "wb").write(bytes(legacy))
    # Big-endian zip (byteorder record "big"), as PyTorch on s390x writes.
    vals = [1.5, -2.25, 3.0, 1e-3]
    s = FakeStorage("0", 4)
    pkl = pickle_with_storages(collections.OrderedDict(w=fake_tensor(s, 0, (2, 2), (2, 1))), fake_pid)
    zip_with({"archive/data.pkl": pkl, "archive/byteorder": b"big", "archive/data/0": struct.pack(">4f", *vals),
              "archive/version": b"3\n"}, out("bigendian.zip.pth"))
    expected_lines.append("bigendian.zip.pth\tw\tfloat32\t2,2\t%.17g\t%.17g\t1.5\t%.17g\t1" % (
        sum(np.float32(vals).astype(np.float64)), sum(abs(np.float32(vals).astype(np.float64))),
        float(np.float32(1e-3))))


def find_legacy_data_start(data):
    """Offset of the first storage's element count: after the five pickles of the header."""
    f = io.BytesIO(data)
    for _ in range(3):  # magic, protocol, sys info
        pickle.load(f)
    class Skim(pickle.Unpickler):
        def find_class(self, module, name):
            return collections.OrderedDict if name == "OrderedDict" else (lambda *a, **k: None)

        def persistent_load(self, pid):
            return None
    Skim(f).load()
    pickle.load(f)  # storage keys
    return f.tell()


# --- resnet18_cifar10 in the reference training script's checkpoint format -----------------

class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNetCifar(nn.Module):
    """The reference's CIFAR ResNet: 3x3 stem, stride 1, no bias; max-pool kept; torchvision names."""

    def __init__(self, layers=(2, 2, 2, 2), num_classes=10):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make(64, layers[0], 1)
        self.layer2 = self._make(128, layers[1], 2)
        self.layer3 = self._make(256, layers[2], 2)
        self.layer4 = self._make(512, layers[3], 2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, num_classes)

    def _make(self, planes, blocks, stride):
        mods = []
        for b in range(blocks):
            mods.append(BasicBlock(self.inplanes, planes, stride if b == 0 else 1))
            self.inplanes = planes
        return nn.Sequential(*mods)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def formula(key, numel, scale, offset):
    """Storage values the C++ test regenerates: a 32-bit integer hash of (key, index) mapped
    to [-1, 1), times scale, plus offset, computed in float64 and rounded to float32."""
    i = np.arange(numel, dtype=np.uint64)
    m = np.uint64(0xFFFFFFFF)
    h = (i * np.uint64(2654435761) + np.uint64(key) * np.uint64(40503) + np.uint64(12345)) & m
    h ^= h >> np.uint64(15)
    h = (h * np.uint64(2246822519)) & m
    h ^= h >> np.uint64(13)
    u = h.astype(np.float64) / 4294967296.0
    return (offset + scale * (2.0 * u - 1.0)).astype(np.float32)


def image_pixels(n_images):
    """The test images: uint8 HWC, value = hash of (image, y, x, channel)."""
    idx = np.arange(n_images * 32 * 32 * 3, dtype=np.uint64)
    m = np.uint64(0xFFFFFFFF)
    h = (idx * np.uint64(2246822519) + np.uint64(977)) & m
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(2654435761)) & m
    h ^= h >> np.uint64(15)
    return (h % np.uint64(256)).astype(np.uint8).reshape(n_images, 32, 32, 3)


def resnet_fixture():
    torch.manual_seed(5)
    model = ResNetCifar()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.01)
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    opt.step()  # creates the momentum buffers
    sd = model.state_dict()
    train_losses = [2.1 - 0.01 * e for e in range(150)]
    ckpt = {
        "epoch": 150,
        "state_dict": sd,
        "optimizer": opt.state_dict(),
        "train_losses": train_losses,
        "val_losses": [l + 0.1 for l in train_losses],
        "best_val_loss": 0.2345,
        "wandb_run_name": None,
    }
    # Fill every storage, in the order torch.save will number them, by the formula.
    table = []
    names = list(sd.keys())
    tensors = [(n, sd[n]) for n in names]
    for i, st in sorted(opt.state_dict()["state"].items()):
        tensors.append(("optimizer/state/%d/momentum_buffer" % i, st["momentum_buffer"]))
    with torch.no_grad():
        for key, (name, t) in enumerate(tensors):
            base = name.rsplit(".", 1)[-1]
            if t.dtype == torch.int64:
                t.fill_(1000)
                table.append((key, name, "int64", t.numel(), 0.0, 1000.0))
                continue
            if name.startswith("optimizer/"):
                scale, offset = 1e-3, 0.0
            elif name == "fc.weight":  # small, so that logits stay O(1-10)
                scale, offset = 0.01, 0.0
            elif base == "weight" and t.dim() > 1:
                fan_in = t[0].numel()
                scale, offset = math.sqrt(6.0 / fan_in), 0.0
            elif base == "weight":
                scale, offset = 0.2, 1.0
            elif base == "running_var":
                scale, offset = 0.3, 1.0
            else:
                scale, offset = 0.1, 0.0
            t.copy_(torch.from_numpy(formula(key, t.numel(), scale, offset)).reshape(t.shape))
            table.append((key, name, "float32", t.numel(), scale, offset))
    # The optimizer's buffers are the same objects as in opt.state; state_dict() shares them.
    ckpt["optimizer"] = opt.state_dict()
    buf = io.BytesIO()
    torch.save(ckpt, buf)
    raw = buf.getvalue()
    d = os.path.join(HERE, "resnet18_ckpt")
    os.makedirs(d, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        infos = z.infolist()
        recs = []
        for info in infos:
            data = z.read(info.filename)
            if info.filename.endswith("/data.pkl"):
                open(os.path.join(d, "data.pkl"), "wb").write(data)
                recs.append("%s\tpickle\tdata.pkl" % info.filename)
            elif "/data/" in info.filename:
                key = int(info.filename.rsplit("/", 1)[1])
                k, name, dtype, numel, scale, offset = table[key]
                want = formula(key, numel, scale, offset).tobytes() if dtype == "float32" else \
                    np.full(numel, 1000, dtype=np.int64).tobytes()
                assert data == want, "storage %d (%s) is not the formula's" % (key, name)
                recs.append("%s\tstorage\t%d\t%s\t%d\t%.17g\t%.17g\t%s" % (info.filename, key, dtype, numel, scale, offset, name))
            else:
                recs.append("%s\ttext\t%s" % (info.filename, data.decode("ascii").replace("\n", "\\n")))
    open(os.path.join(d, "records.txt"), "w").write("\n".join(recs) + "\n")
    print("resnet18 checkpoint would be %.1f MB; committed data.pkl %d bytes" % (len(raw) / 1e6, os.path.getsize(os.path.join(d, "data.pkl"))))

    # Logits PyTorch computes in eval mode for the test images, normalised as the reference does.
    model.eval()
    n = 6
    imgs = image_pixels(n)
    labels = [i % 10 for i in range(n)]
    x = torch.from_numpy(imgs).permute(0, 3, 1, 2).double().div(255.0)
    mean = torch.tensor([0.4914, 0.4822, 0.4465], dtype=torch.float64).view(1, 3, 1, 1)
    std = torch.tensor([0.2470, 0.2435, 0.2616], dtype=torch.float64).view(1, 3, 1, 1)
    x = ((x - mean) / std).float()
    with torch.no_grad():
        logits = model(x)
    with open(os.path.join(d, "logits.txt"), "w") as f:
        f.write("# %d images (image_pixels in make_pth_fixtures.py), label = index %% 10; logits [N,10]\n" % n)
        for row in logits:
            f.write(" ".join("%.9g" % v for v in row.tolist()) + "\n")
    # CIFAR-10 binary records of those images, so eval reads them with its own loader.
    rec = bytearray()
    for i in range(n):
        rec.append(labels[i])
        rec += imgs[i].transpose(2, 0, 1).tobytes()
    open(os.path.join(d, "test_batch.bin"), "wb").write(bytes(rec))
    print("logits range %.3f .. %.3f" % (logits.min().item(), logits.max().item()))


def main():
    tiny_fixtures()
    dtype_fixtures()
    lpips_alex_fixture()
    alexnet_fixture()
    corrupt_fixtures()
    resnet_fixture()
    with open(out("expected.txt"), "w") as f:
        f.write("# file\tkey path\tdtype\tshape\tsum\tsum of |x|\tfirst\tlast\tcontiguous (by torch %s)\n" % torch.__version__)
        f.write("\n".join(expected_lines) + "\n")
    total = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(HERE) for fn in fns)
    print("fixtures: %d bytes in all" % total)


if __name__ == "__main__":
    sys.exit(main())
