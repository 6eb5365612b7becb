#!/usr/bin/env python3
"""PyTorch CPU reference for `pnpm bench:kernels` (packages/core-train/bench/kernels.ts).

Run by the TS benchmark as `/usr/bin/python3 bench/kernels_torch.py --json` (once with
OPENBLAS_NUM_THREADS=1 and once with the defaults); prints one JSON object: median milliseconds per
workload. Needs Debian's torch: `apt-get install -y python3-torch` (torch 1.13, CPU), and Debian's own
/usr/bin/python3 (another python3 earlier on PATH does not see it).

The workloads mirror bench/kernels.ts exactly (shapes, layers, Adam lr 1e-3, MSE):
  sgemm        1024x1024 @ 1024x1024 float32
  convnet      Conv 1->32->32->32->1, 3x3, dilations 1,2,4,1, 'same' padding, ReLU between, 64x64, batch 16
  lstm         LSTM(64) -> LSTM(64) -> Dense(1) on the last step, T=214, F=7, batch 64
  transformer  one post-norm encoder block: d 256, 4 heads, FFN 1024 (ReLU), 64 tokens, batch 32
"""
import argparse
import json
import sys
import time

import torch
from torch import nn


def median_ms(fn, reps, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    times.sort()
    return times[len(times) // 2]


def sgemm(reps):
    a = torch.randn(1024, 1024)
    b = torch.randn(1024, 1024)
    return median_ms(lambda: torch.mm(a, b), reps, 3)


def train_step_fn(model, x, y):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def convnet(reps):
    layers = []
    chans = [1, 32, 32, 32, 1]
    for i, d in enumerate([1, 2, 4, 1]):
        layers.append(nn.Conv2d(chans[i], chans[i + 1], 3, padding=d, dilation=d))
        if i < 3:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    x = torch.randn(16, 1, 64, 64)
    y = torch.randn(16, 1, 64, 64)
    return median_ms(train_step_fn(model, x, y), reps, 2)


class LstmNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(7, 64, num_layers=2, batch_first=True)
        self.head = nn.Linear(64, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])


def lstm(reps):
    x = torch.randn(64, 214, 7)
    y = torch.randn(64, 1)
    return median_ms(train_step_fn(LstmNet(), x, y), reps, 1)


def transformer(reps):
    model = nn.TransformerEncoderLayer(d_model=256, nhead=4, dim_feedforward=1024, dropout=0.0, batch_first=True)
    x = torch.randn(32, 64, 256)
    y = torch.randn(32, 64, 256)
    return median_ms(train_step_fn(model, x, y), reps, 2)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--reps', type=int, default=10, help='timed repetitions per workload (median is reported)')
    p.add_argument('--only', nargs='*', default=None, help='subset of: sgemm convnet lstm transformer')
    p.add_argument('--json', action='store_true', help='print one JSON object (the TS bench reads it)')
    args = p.parse_args()
    torch.manual_seed(0)
    work = {'sgemm': sgemm, 'convnet': convnet, 'lstm': lstm, 'transformer': transformer}
    names = args.only or list(work)
    reps = {'sgemm': max(args.reps, 20), 'convnet': args.reps, 'lstm': max(3, args.reps // 3), 'transformer': args.reps}
    result = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'ms': {}}
    for name in names:
        result['ms'][name] = median_ms if False else work[name](reps[name])
        if not args.json:
            print(f'{name}: {result["ms"][name]:.2f} ms', file=sys.stderr)
    print(json.dumps(result))


if __name__ == '__main__':
    main()
