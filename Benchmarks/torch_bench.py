#!/usr/bin/env python3
"""PyTorch side of `make bench`: the same workloads as Benchmarks/RnxBench, named identically, as JSON.

Every workload runs in each PyTorch configuration worth knowing about on CPU: the default (NCHW, oneDNN on),
channels_last, and with oneDNN (mkldnn) switched off. Samples are milliseconds per call.

    torch_bench.py [--only sgemm,conv,conv18,resnet20-train,resnet20-infer,resnet18-train,latency,loading,time-to-accuracy]
                   [--image-folder DIR] [--write-image-folder DIR] [--mnist5k DIR] [--repeats N] [--warmup N]
                   [--threads N] [--json PATH]
"""
import argparse
import contextlib
import json
import os
import resource
import sys
import time
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

# (batch, in channels, size, out channels, kernel, stride), padding kernel // 2, as in RnxBench's ConvolutionCase.
CONV_RESNET20 = [(128, c, s, o, 3, st) for (c, s, o, st) in
                 [(3, 32, 16, 1), (16, 32, 16, 1), (16, 32, 32, 2), (32, 16, 32, 1), (32, 16, 64, 2), (64, 8, 64, 1)]]
CONV_RESNET18 = [(32, c, s, o, k, st) for (c, s, o, k, st) in
                 [(3, 64, 64, 7, 2), (64, 16, 64, 3, 1), (64, 16, 128, 3, 2), (64, 16, 128, 1, 2), (128, 8, 128, 3, 1),
                  (128, 8, 256, 3, 2), (128, 8, 256, 1, 2), (256, 4, 256, 3, 1), (256, 4, 512, 3, 2), (256, 4, 512, 1, 2),
                  (512, 2, 512, 3, 1)]]

# (label, channels_last, mkldnn enabled)
VARIANTS = [("default", False, True), ("channels_last", True, True), ("mkldnn-off", False, False),
            ("channels_last+mkldnn-off", True, False)]


def measure(body, warmup, repeats, prepare=None):
    """Wall-clock and process-CPU milliseconds (all threads) of each of `repeats` timed calls of `body`, after `warmup`
    untimed ones; `prepare` runs untimed."""
    for _ in range(warmup):
        if prepare:
            prepare()
        body()
    wall, cpu = [], []
    for _ in range(repeats):
        if prepare:
            prepare()
        start, start_cpu = time.perf_counter(), time.process_time()
        body()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


# OpenMP's wait policy is fixed when torch loads libgomp, so Benchmarks/run.sh runs this script once with the default
# policy and once with OMP_WAIT_POLICY=passive (idle threads sleep instead of spinning: much faster on a busy machine);
# the second run's variants carry this suffix.
POLICY_SUFFIX = "+omp-passive" if os.environ.get("OMP_WAIT_POLICY", "").lower() == "passive" else ""


class Recorder:
    def __init__(self):
        self.measurements = []

    def add(self, workload, variant, samples, flops=None, images=None):
        variant += POLICY_SUFFIX
        wall, cpu = samples
        self.measurements.append({"workload": workload, "variant": variant, "samples_ms": wall, "cpu_ms": cpu,
                                  "flops": flops, "images": images})
        median = sorted(wall)[len(wall) // 2]
        line = f"  {workload} [{variant}]: median {median:.3f} ms (min {min(wall):.3f}, CPU {sorted(cpu)[len(cpu) // 2]:.3f} ms)"
        if flops:
            line += f", {flops / median / 1e6:.1f} GFLOP/s"
        if images:
            line += f", {images / median * 1000:.1f} images/s"
        print(line, file=sys.stderr, flush=True)


def mkldnn(enabled):
    return torch.backends.mkldnn.flags(enabled=enabled)


def memory_format(channels_last):
    return torch.channels_last if channels_last else torch.contiguous_format


def bench_sgemm(rec, args):
    n = 1024
    a, b = torch.randn(n, n), torch.randn(n, n)
    rec.add(f"sgemm {n}x{n}x{n}", "mm", measure(lambda: torch.mm(a, b), args.warmup, args.repeats), flops=2.0 * n ** 3)


def bench_conv(rec, args, cases):
    for (n, c, size, o, k, stride) in cases:
        name = f"{c}->{o} @{size} s{stride}" + ("" if k == 3 else f" k{k}") + ("" if n == 128 else f" b{n}")
        pad = k // 2
        out = (size + 2 * pad - k) // stride + 1
        flops = 2.0 * n * o * out * out * c * k * k
        for label, cl, dnn in VARIANTS:
            fmt = memory_format(cl)
            x = torch.randn(n, c, size, size).contiguous(memory_format=fmt)
            w = torch.randn(o, c, k, k).contiguous(memory_format=fmt)
            g = torch.randn(n, o, out, out).contiguous(memory_format=fmt)
            with mkldnn(dnn):
                def forward():
                    with torch.no_grad():
                        F.conv2d(x, w, None, stride, pad)
                rec.add(f"conv fwd {name}", label, measure(forward, args.warmup, args.repeats), flops=flops)

                state = {}

                def prepare():
                    xg = x.detach().requires_grad_()
                    wg = w.detach().requires_grad_()
                    state["y"] = F.conv2d(xg, wg, None, stride, pad)

                rec.add(f"conv bwd {name}", label,
                        measure(lambda: state["y"].backward(g), args.warmup, args.repeats, prepare), flops=2 * flops)


# He et al.'s CIFAR ResNet (option A shortcuts) and torchvision's ResNet-18 (option B), written out so the
# benchmark needs torch alone.

class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride, option):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.option, self.stride, self.pad = option, stride, (cout - cin)
        self.project = None
        if (stride != 1 or cin != cout) and option == "B":
            self.project = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        if self.project is not None:
            s = self.project(x)
        elif self.stride != 1 or self.pad:
            s = x[:, :, ::self.stride, ::self.stride]
            s = F.pad(s, (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
        else:
            s = x
        return F.relu(y + s)


class ResNet(nn.Module):
    def __init__(self, blocks, widths, strides, classes, option, imagenet_stem, in_channels=3):
        super().__init__()
        stem_width = widths[0]
        if imagenet_stem:
            self.stem = nn.Sequential(nn.Conv2d(in_channels, stem_width, 7, 2, 3, bias=False), nn.BatchNorm2d(stem_width),
                                      nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        else:
            self.stem = nn.Sequential(nn.Conv2d(in_channels, stem_width, 3, 1, 1, bias=False), nn.BatchNorm2d(stem_width),
                                      nn.ReLU())
        layers, cin = [], stem_width
        for n, width, stride in zip(blocks, widths, strides):
            for i in range(n):
                layers.append(BasicBlock(cin, width, stride if i == 0 else 1, option))
                cin = width
        self.stages = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.stages(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def resnet20():
    return ResNet([3, 3, 3], [16, 32, 64], [1, 2, 2], 10, "A", imagenet_stem=False)


def resnet18(classes):
    return ResNet([2, 2, 2, 2], [64, 128, 256, 512], [1, 2, 2, 2], classes, "B", imagenet_stem=True)


MODEL_VARIANTS = [("default", False, True), ("channels_last", True, True), ("mkldnn-off", False, False)]


def bench_train(rec, args, workload, make_model, batch, size, classes):
    for label, cl, dnn in MODEL_VARIANTS:
        torch.manual_seed(0)
        fmt = memory_format(cl)
        model = make_model().to(memory_format=fmt).train()
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
        x = torch.randn(batch, 3, size, size).contiguous(memory_format=fmt)
        t = torch.randint(0, classes, (batch,))

        def step():
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), t)
            loss.backward()
            opt.step()

        with mkldnn(dnn):
            rec.add(workload, label, measure(step, args.warmup, args.repeats), images=batch)


def bench_infer(rec, args, workload, make_model, batch, size):
    for label, cl, dnn in MODEL_VARIANTS:
        torch.manual_seed(0)
        fmt = memory_format(cl)
        model = make_model().to(memory_format=fmt).eval()
        x = torch.randn(batch, 3, size, size).contiguous(memory_format=fmt)

        def infer():
            with torch.no_grad():
                model(x)

        with mkldnn(dnn):
            rec.add(workload, label, measure(infer, args.warmup, args.repeats), images=batch)


def resnet50():
    """torchvision's ResNet-50 (bottleneck blocks, stride on the 3x3 convolution), for the batch-1 latency rows."""
    class Bottleneck(nn.Module):
        def __init__(self, cin, width, stride):
            super().__init__()
            cout = 4 * width
            self.body = nn.Sequential(
                nn.Conv2d(cin, width, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                nn.Conv2d(width, cout, 1, bias=False), nn.BatchNorm2d(cout))
            self.project = None
            if stride != 1 or cin != cout:
                self.project = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            return F.relu(self.body(x) + (x if self.project is None else self.project(x)))

    layers, cin = [], 64
    for n, width, stride in zip([3, 4, 6, 3], [64, 128, 256, 512], [1, 2, 2, 2]):
        for i in range(n):
            layers.append(Bottleneck(cin, width, stride if i == 0 else 1))
            cin = 4 * width
    return nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1),
                         *layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 1000))


def bench_latency(rec, args):
    """Batch-1 eval-mode `m(x)` of a fresh model per variant, after warm-up; and the default variant's first call alone
    (one sample), as a fresh process meets it for the first model, as RnxBench measures it."""
    for workload, make_model, size in [("latency resnet20 b1 32px", resnet20, 32),
                                       ("latency resnet18 b1 224px", lambda: resnet18(1000), 224),
                                       ("latency resnet50 b1 224px", resnet50, 224)]:
        for label, cl, dnn in MODEL_VARIANTS:
            torch.manual_seed(0)
            fmt = memory_format(cl)
            model = make_model().to(memory_format=fmt).eval()
            x = torch.randn(1, 3, size, size).contiguous(memory_format=fmt)

            def infer():
                with torch.no_grad():
                    model(x)

            with mkldnn(dnn):
                # Only the first configuration's first call is cold: the later ones reuse what it initialised.
                if label == MODEL_VARIANTS[0][0]:
                    rec.add(workload + " first call", label, measure(infer, 0, 1), images=1)
                rec.add(workload, label, measure(infer, args.warmup, args.repeats), images=1)


LOADING_WORKLOAD = "jpeg folder 64px flip+crop+rotate epoch"


def write_image_folder(root, classes=20, per_class=100):
    """Tiny-ImageNet-like JPEGs for the `loading` group: `root/class_NN/img_NNN.jpg`, 64x64 RGB, quality 90, smooth
    gradients plus noise (so they compress like photos, not like flat colour), from a fixed seed."""
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:64, 0:64].astype(np.float32) / 63
    for c in range(classes):
        folder = os.path.join(root, f"class_{c:02d}")
        os.makedirs(folder, exist_ok=True)
        for i in range(per_class):
            a = rng.uniform(0, 255, size=(3, 3))
            pixels = np.stack([a[k, 0] * x + a[k, 1] * y + a[k, 2] * x * y for k in range(3)], axis=-1) / 2
            pixels += rng.normal(0, 20, size=pixels.shape)
            Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(os.path.join(folder, f"img_{i:03d}.jpg"), quality=90)


class JpegFolder(torch.utils.data.Dataset):
    """torchvision's ImageFolder + RandomHorizontalFlip + RandomCrop(56) + RandomRotation(15) + ToTensor, written with
    PIL alone (torchvision is not installable beside this CPU build of torch): decode, augment and convert per item."""

    def __init__(self, root):
        self.samples = [(os.path.join(root, c, f), label) for label, c in enumerate(sorted(os.listdir(root)))
                        for f in sorted(os.listdir(os.path.join(root, c)))]

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        import random
        import numpy as np
        from PIL import Image
        path, label = self.samples[index]
        with Image.open(path) as f:
            image = f.convert("RGB")
        if random.random() < 0.5:
            image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        left, top = random.randint(0, image.width - 56), random.randint(0, image.height - 56)
        image = image.crop((left, top, left + 56, top + 56))
        image = image.rotate(random.uniform(-15, 15), resample=Image.Resampling.BILINEAR)
        return torch.from_numpy(np.asarray(image, dtype=np.float32).transpose(2, 0, 1) / 255), label


def bench_loading(rec, args):
    """One shuffled epoch, batches of 64, 2 worker processes (started inside the timing, as each epoch starts them)."""
    dataset = JpegFolder(args.image_folder)

    def epoch():
        for _ in torch.utils.data.DataLoader(dataset, batch_size=64, shuffle=True, num_workers=2):
            pass

    rec.add(LOADING_WORKLOAD, "PIL + DataLoader(2 workers)", measure(epoch, 1, args.repeats), images=len(dataset))


TIME_TO_ACCURACY_WORKLOAD = "time to accuracy mnist5k resnet8 one-cycle"
# The quick-start recipe (examples/quickstart.rnx) with its learning-rate finder's choice fixed: seed(0) gives valley
# 1.318e-2 on MNIST-5k, so the recipe's max_lr = 10 x valley = 0.1318. RnxBench's TimeToAccuracyBenchmark uses the
# same three figures.
TIME_TO_ACCURACY = {"epochs": 8, "batch": 64, "max_lr": 0.1318, "threshold": 0.96}


def read_idx(path):
    """An MNIST IDX file (gzip-compressed) as a numpy array, shaped by its header."""
    import gzip
    import numpy as np
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def bench_time_to_accuracy(rec, args):
    """examples/quickstart.rnx in PyTorch: cifar_resnet(8) on one channel (He-normal fan-in convolutions, option A
    shortcuts), MNIST-5k's 4,000 training digits in [0, 1] with RandomCrop(28, padding=2), shuffled batches of 64 with
    the last partial one dropped, SGD momentum 0.9 and weight decay 5e-4 on convolution and linear weights only,
    OneCycleLR with PyTorch's defaults over 8 epochs. Wall time from the first batch until the 1,000 held-out digits,
    evaluated after each epoch, first reach the threshold; every repeat trains a fresh model from the same seed."""
    import numpy as np
    cfg = TIME_TO_ACCURACY
    root = args.mnist5k
    train_x = torch.from_numpy(read_idx(os.path.join(root, "train-images-idx3-ubyte.gz")).astype(np.float32) / 255).unsqueeze(1)
    train_y = torch.from_numpy(read_idx(os.path.join(root, "train-labels-idx1-ubyte.gz")).astype(np.int64))
    valid_x = torch.from_numpy(read_idx(os.path.join(root, "t10k-images-idx3-ubyte.gz")).astype(np.float32) / 255).unsqueeze(1)
    valid_y = torch.from_numpy(read_idx(os.path.join(root, "t10k-labels-idx1-ubyte.gz")).astype(np.int64))
    batch, count = cfg["batch"], train_x.shape[0]
    steps = count // batch

    def run():
        torch.manual_seed(0)
        model = ResNet([1, 1, 1], [16, 32, 64], [1, 2, 2], 10, "A", imagenet_stem=False, in_channels=1)
        for module in model.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")
        decay = [p for n, p in model.named_parameters() if p.ndim > 1]
        rest = [p for n, p in model.named_parameters() if p.ndim <= 1]
        opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": rest, "weight_decay": 0}],
                              lr=cfg["max_lr"], momentum=0.9)
        schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg["max_lr"], total_steps=cfg["epochs"] * steps)
        accuracies, seconds, cpu, reached = [], [], [], None
        start, start_cpu = time.perf_counter(), time.process_time()
        for epoch in range(cfg["epochs"]):
            model.train()
            order = torch.randperm(count)
            for b in range(steps):
                index = order[b * batch:(b + 1) * batch]
                padded = F.pad(train_x[index], (2, 2, 2, 2))
                offsets = torch.randint(0, 5, (batch, 2))
                x = torch.stack([padded[i, :, t:t + 28, l:l + 28] for i, (t, l) in enumerate(offsets.tolist())])
                loss = F.cross_entropy(model(x), train_y[index])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                schedule.step()
            model.eval()
            with torch.no_grad():
                correct = sum((model(valid_x[i:i + 256]).argmax(1) == valid_y[i:i + 256]).sum().item()
                              for i in range(0, valid_x.shape[0], 256))
            accuracies.append(correct / valid_x.shape[0])
            seconds.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            if reached is None and accuracies[-1] >= cfg["threshold"]:
                reached = epoch
        return accuracies, seconds, cpu, reached

    record_time_to_accuracy(rec, [run() for _ in range(args.repeats)], "SGD + OneCycleLR")


def record_time_to_accuracy(rec, runs, variant):
    """One sample per run (accuracies, wall and CPU seconds at each epoch's end, the first epoch at the threshold): the
    time until the threshold was first reached (the whole run when it never was); the epochs and accuracies of the
    median run go into the record for the report."""
    cfg = TIME_TO_ACCURACY
    at = [reached if reached is not None else len(seconds) - 1 for _, seconds, _, reached in runs]
    wall = [run[1][i] * 1000 for run, i in zip(runs, at)]
    cpu = [run[2][i] * 1000 for run, i in zip(runs, at)]
    median = sorted(range(len(runs)), key=lambda i: wall[i])[len(runs) // 2]
    accuracies, seconds, _, reached = runs[median]
    rec.add(TIME_TO_ACCURACY_WORKLOAD, variant, (wall, cpu))
    rec.measurements[-1]["accuracy"] = {"threshold": cfg["threshold"], "epochs": None if reached is None else reached + 1,
                                        "accuracies": accuracies, "epoch_end_seconds": seconds}
    print(f"    accuracy by epoch {[round(a, 4) for a in accuracies]}, threshold {cfg['threshold']} "
          f"{'reached in epoch ' + str(reached + 1) if reached is not None else 'not reached'}", file=sys.stderr, flush=True)


def kernels():
    """The kernels PyTorch chose on this CPU: ATen's vector capability and the oneDNN and BLAS builds it carries."""
    parts = [f"ATen cpu capability {torch.backends.cpu.get_cpu_capability()}"]
    config = torch.__config__.show()
    for line in config.splitlines():
        line = line.strip().lstrip("- ")
        if line.startswith(("Intel(R) MKL-DNN", "Intel(R) oneAPI Math Kernel Library", "Intel(R) Math Kernel Library")):
            parts.append(line.split(" (Git Hash")[0].replace(" for Intel(R) 64 architecture applications", ""))
        elif line.startswith("BLAS_INFO="):
            parts.append("BLAS " + line.split("=", 1)[1].split(",")[0])
    parts.append(f"mkldnn {'available' if torch.backends.mkldnn.is_available() else 'absent'}, "
                 f"MKL {'available' if torch.backends.mkl.is_available() else 'absent'}")
    if os.environ.get("ONEDNN_MAX_CPU_ISA"):
        parts.append(f"ONEDNN_MAX_CPU_ISA={os.environ['ONEDNN_MAX_CPU_ISA']}")
    return ", ".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="sgemm,conv")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json")
    parser.add_argument("--image-folder", help="the JPEG class folders of the loading group")
    parser.add_argument("--mnist5k", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "mnist5k"),
                        help="the MNIST-5k IDX files of the time-to-accuracy group (default: the bundled data/mnist5k)")
    parser.add_argument("--write-image-folder", metavar="DIR", help="write the loading group's JPEGs to DIR and exit")
    args = parser.parse_args()
    if args.write_image_folder:
        write_image_folder(args.write_image_folder)
        return
    if "loading" in args.only.split(",") and not args.image_folder:
        parser.error("the loading group needs --image-folder DIR")
    if args.repeats < 1 or args.warmup < 0 or args.threads < 1:
        parser.error("--repeats and --threads must be positive, --warmup non-negative")
    torch.set_num_threads(args.threads)
    # Toggling mkldnn warns about TF32 on Intel GPUs, which this CPU build does not have.
    warnings.filterwarnings("ignore", message="TF32 acceleration")
    groups = set(args.only.split(","))
    print(f"torch {torch.__version__}: {torch.get_num_threads()} threads, {kernels()}", file=sys.stderr, flush=True)
    rec = Recorder()
    if "sgemm" in groups:
        bench_sgemm(rec, args)
    if "conv" in groups:
        bench_conv(rec, args, CONV_RESNET20)
    if "conv18" in groups:
        bench_conv(rec, args, CONV_RESNET18)
    if "resnet20-train" in groups:
        bench_train(rec, args, "resnet20 train step b128", resnet20, 128, 32, 10)
    if "resnet20-infer" in groups:
        bench_infer(rec, args, "resnet20 inference b256", resnet20, 256, 32)
    if "resnet18-train" in groups:
        bench_train(rec, args, "resnet18-200 train step b32 64px", lambda: resnet18(200), 32, 64, 200)
    if "latency" in groups:
        bench_latency(rec, args)
    if "loading" in groups:
        bench_loading(rec, args)
    if "time-to-accuracy" in groups:
        bench_time_to_accuracy(rec, args)
    report = {"tool": "torch", "version": torch.__version__, "threads": torch.get_num_threads(), "kernels": kernels(),
              "peak_resident_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
              "measurements": rec.measurements}
    text = json.dumps(report, indent=1, sort_keys=True)
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, args.json)
    else:
        print(text)


if __name__ == "__main__":
    main()
