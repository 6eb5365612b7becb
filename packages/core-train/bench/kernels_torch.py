#!/usr/bin/env python3
"""PyTorch CPU reference for `pnpm bench:kernels` (packages/core-train/bench/kernels.ts).

Needs Debian's torch: `apt-get install -y python3-torch` (torch 1.13, CPU), and Debian's own
/usr/bin/python3 (another python3 earlier on PATH does not see it).

Modes:
  --serve WORKLOAD   build the workload, run one warm-up step, print "ready", then for every line
                     "step" on stdin run one step and print {"ms": wall, "cpu": process CPU ms};
                     "quit" ends. The TS benchmark interleaves these steps with the onnx backend's.
  --peak             SGEMM 1024² GFLOP/s (best of 20) at torch.set_num_threads(1) and (cores), as JSON.
  --json [--only W]  (stand-alone) median milliseconds per workload, as JSON.

The workloads mirror bench/kernels-workloads.ts exactly (shapes, layers, Adam lr 1e-3, MSE):
  sgemm        1024x1024 @ 1024x1024 float32
  convnet      Conv 1->32->32->32->1, 3x3, dilations 1,2,4,1, 'same' padding, ReLU between, 64x64, batch 16
  lstm         LSTM(64) -> LSTM(64) -> Dense(1) on the last step, T=214, F=7, batch 64
  transformer  one post-norm encoder block: d 256, 4 heads, FFN 1024 (ReLU), 64 tokens, batch 32
  poolnet      Conv 3->32 (ReLU) -> MaxPool 2 -> Conv 32->64 (ReLU) -> MaxPool 2 -> Dense 10, 32x32, batch 32
"""
import argparse
import json
import os
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


def make_sgemm():
    a = torch.randn(1024, 1024)
    b = torch.randn(1024, 1024)
    return lambda: torch.mm(a, b)


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


def make_convnet():
    layers = []
    chans = [1, 32, 32, 32, 1]
    for i, d in enumerate([1, 2, 4, 1]):
        layers.append(nn.Conv2d(chans[i], chans[i + 1], 3, padding=d, dilation=d))
        if i < 3:
            layers.append(nn.ReLU())
    return train_step_fn(nn.Sequential(*layers), torch.randn(16, 1, 64, 64), torch.randn(16, 1, 64, 64))


class LstmNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(7, 64, num_layers=2, batch_first=True)
        self.head = nn.Linear(64, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])


def make_lstm():
    return train_step_fn(LstmNet(), torch.randn(64, 214, 7), torch.randn(64, 1))


def make_transformer():
    model = nn.TransformerEncoderLayer(d_model=256, nhead=4, dim_feedforward=1024, dropout=0.0, batch_first=True)
    return train_step_fn(model, torch.randn(32, 64, 256), torch.randn(32, 64, 256))


def make_poolnet():
    model = nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 8 * 8, 10),
    )
    return train_step_fn(model, torch.randn(32, 3, 32, 32), torch.randn(32, 10))


WORK = {'sgemm': make_sgemm, 'convnet': make_convnet, 'lstm': make_lstm, 'transformer': make_transformer, 'poolnet': make_poolnet}
REPS = {'sgemm': 20, 'convnet': 10, 'lstm': 3, 'transformer': 10, 'poolnet': 10}


def serve(name):
    step = WORK[name]()
    step()
    print('ready', flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == 'quit':
            break
        c0 = time.process_time()
        t0 = time.perf_counter()
        step()
        ms = (time.perf_counter() - t0) * 1000.0
        print(json.dumps({'ms': ms, 'cpu': (time.process_time() - c0) * 1000.0}), flush=True)


def peak():
    a = torch.randn(1024, 1024)
    b = torch.randn(1024, 1024)
    out = {}
    for threads in sorted({1, os.cpu_count() or 1}):
        torch.set_num_threads(threads)
        best = min(median_ms(lambda: torch.mm(a, b), 1, 2 if i == 0 else 0) for i in range(20))
        out[str(threads)] = 2 * 1024 ** 3 / (best * 1e6)
    print(json.dumps({'gflops': out, 'torch': torch.__version__}))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--serve', choices=list(WORK), help='interleaved mode (see above)')
    p.add_argument('--peak', action='store_true', help='SGEMM peak GFLOP/s at 1 and all threads')
    p.add_argument('--reps', type=int, default=10, help='timed repetitions per workload (median is reported)')
    p.add_argument('--only', nargs='*', default=None, help='subset of: ' + ' '.join(WORK))
    p.add_argument('--json', action='store_true', help='print one JSON object')
    args = p.parse_args()
    torch.manual_seed(0)
    if args.serve:
        serve(args.serve)
        return
    if args.peak:
        peak()
        return
    names = args.only or list(WORK)
    result = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'ms': {}}
    for name in names:
        reps = max(REPS[name], args.reps) if name == 'sgemm' else max(3, REPS[name] * args.reps // 10)
        result['ms'][name] = median_ms(WORK[name](), reps, 2)
        if not args.json:
            print(f'{name}: {result["ms"][name]:.2f} ms', file=sys.stderr)
    print(json.dumps(result))


if __name__ == '__main__':
    main()
