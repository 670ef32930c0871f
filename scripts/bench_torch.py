#!/usr/bin/env python3
"""PyTorch peer of `npm run bench`: times the harness's MLP and CNN training step in PyTorch.

Same models as src/models/build.ts (MLP 784-256-128-10; CNN conv3x3x32-relu-pool2-conv3x3x64-relu-
pool2-dense128-relu-dense10, 'valid' convolutions), batch 128, Adam (lr 1e-3, betas 0.9/0.999,
eps 1e-8), softmax cross-entropy, synthetic MNIST-shaped data (seeded), ReLU. A step is what the
harness's step is: pick the batch, forward, loss, backward, Adam, read the loss. Several thread
counts are timed round-robin (torch.set_num_threads before each step); `npm run bench` runs one
count per process instead, with OMP_NUM_THREADS and OPENBLAS_NUM_THREADS set to it, because the
idle threads of a larger pool spin into the next step's time.

    python3 scripts/bench_torch.py --model mlp --threads 1,2 --steps 40 [--warmup 3] [--device cuda] [--json]

Prints one JSON object: {"torch": version, "blas": ..., "model": ..., "step_ms": {"1": [...], "2": [...]}}.
Needs Debian's python3-torch (and libopenblas0-pthread, or Linear layers run on the reference BLAS).
"""
import argparse
import json
import sys
import time

import torch
from torch import nn


def build(model: str) -> nn.Module:
    if model == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    if model == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10),
        )
    raise SystemExit(f"unknown model {model!r}: expected mlp or cnn")


def loaded_blas() -> str:
    """The BLAS library this process mapped (Debian's torch uses whatever libblas.so.3 points to)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            names = {line.split()[-1].rsplit("/", 1)[-1] for line in maps if "blas" in line.lower()}
    except OSError:
        return "unknown"
    return ", ".join(sorted(names)) or "none mapped"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="mlp", choices=["mlp", "cnn"])
    parser.add_argument("--threads", default="1", help="comma-separated thread counts, timed round-robin")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--device", default="cpu", help="cpu, or cuda for the GPU (scripts/gpu-check.sh); data and model live there")
    parser.add_argument("--json", action="store_true", help="(the output is always JSON; accepted for symmetry)")
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",")]

    gen = torch.Generator().manual_seed(args.seed)
    n = args.batch_size * 16
    prototypes = torch.rand(10, 1, 28, 28, generator=gen)
    labels = torch.randint(0, 10, (n,), generator=gen)
    images = (prototypes[labels] + 0.3 * torch.randn(n, 1, 28, 28, generator=gen)).clamp_(0, 1)
    order = torch.randperm(n, generator=gen)
    device = torch.device(args.device)
    images, labels, order = images.to(device), labels.to(device), order.to(device)

    torch.manual_seed(args.seed)
    model = build(args.model).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = nn.CrossEntropyLoss()
    cursor = 0

    def step() -> float:
        nonlocal cursor
        if cursor + args.batch_size > n:
            cursor = 0
        idx = order[cursor:cursor + args.batch_size]
        cursor += args.batch_size
        x, y = images[idx], labels[idx]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()  # waits for the device, as the harness's read of the loss does

    times = {str(t): [] for t in threads}
    for t in threads:
        torch.set_num_threads(t)
        for _ in range(args.warmup):
            step()
    for _ in range(args.steps):
        for t in threads:
            torch.set_num_threads(t)
            start = time.perf_counter()
            step()
            times[str(t)].append((time.perf_counter() - start) * 1000)
    blas = loaded_blas()
    gpu = torch.cuda.get_device_name(device) if device.type == "cuda" else None
    json.dump({"torch": torch.__version__, "blas": blas, "device": args.device, "gpu": gpu, "model": args.model,
               "batch_size": args.batch_size, "step_ms": times}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
