#!/usr/bin/env python3
"""PyTorch CPU reference for `pnpm bench` in packages/core-losses (bench/ssim.bench.ts).

Run by the TS benchmark as
  /usr/bin/python3 bench/ssim_torch.py --true T.f32 --pred P.f32 --shape 16,256,256,1 --repeats 5
on the very inputs the TS side times (raw little-endian float32, NHWC). Prints one JSON object: the
median and every wall-clock time, and the median process CPU time, in milliseconds of forward + backward of the SSIM loss (1 - mean SSIM) and the
MS-SSIM loss, plus both loss values so the two sides can be seen to compute the same thing. Exits 3
with {"error": ...} when torch is missing. Needs Debian's torch (`apt-get install -y python3-torch`)
under Debian's own /usr/bin/python3.

The computation mirrors src/metrics/ssim.ts and ms-ssim.ts exactly, in float32 like TF.js: separable
11-tap Gaussian (sigma 1.5, scipy radius int(3.5*sigma + 0.5)) as two 'valid' conv2d, C1 = (0.01 R)^2,
C2 = (0.03 R)^2 with R = 1, the five moments filtered in one batched call; MS-SSIM with weights
[0.0448, 0.2856, 0.3001, 0.2363, 0.1333], 2x2 average pooling (floor) between scales, relu before
the fractional powers.
"""
import argparse
import json
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as err:  # pragma: no cover - reported to the TS side
    print(json.dumps({"error": f"{err.name or 'torch'} is not installed for {sys.executable}"}))
    sys.exit(3)

WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]


def taps(sigma=1.5):
    r = int(3.5 * sigma + 0.5)
    x = torch.arange(-r, r + 1, dtype=torch.float64)
    g = torch.exp(-0.5 * (x / sigma) ** 2)
    return (g / g.sum()).float()


G = taps()
K = G.numel()
GV, GH = G.view(1, 1, K, 1), G.view(1, 1, 1, K)


def maps(x, y, r=1.0):
    b = x.shape[0]
    m = F.conv2d(F.conv2d(torch.cat([x, y, x * x, y * y, x * y], 0), GV), GH)
    mx, my, mxx, myy, mxy = m[:b], m[b:2 * b], m[2 * b:3 * b], m[3 * b:4 * b], m[4 * b:]
    c1, c2 = (0.01 * r) ** 2, (0.03 * r) ** 2
    cs = (2 * (mxy - mx * my) + c2) / (mxx + myy - mx * mx - my * my + c2)
    lum = (2 * mx * my + c1) / (mx * mx + my * my + c1)
    return lum * cs, cs


def ssim_loss(x, y):
    s, _ = maps(x, y)
    return 1 - s.reshape(x.shape[0], -1).mean(1).mean()


def ms_ssim_loss(x, y):
    prod = torch.ones(x.shape[0])
    for j, w in enumerate(WEIGHTS):
        s, cs = maps(x, y)
        last = j == len(WEIGHTS) - 1
        prod = prod * torch.relu((s if last else cs).mean(dim=(1, 2, 3))) ** w
        if not last:
            x, y = F.avg_pool2d(x, 2), F.avg_pool2d(y, 2)
    return 1 - prod.mean()


def time_ms(loss_fn, t, p, repeats):
    """Wall-clock and process CPU (user + system, all threads) milliseconds per forward + backward."""
    times, cpu, value = [], [], None
    for i in range(repeats + 1):  # the first run warms up and is not counted
        q = p.clone().requires_grad_(True)
        t0, c0 = time.perf_counter(), time.process_time()
        loss = loss_fn(t, q)
        loss.backward()
        _ = q.grad.sum().item()
        dt, dc = (time.perf_counter() - t0) * 1000.0, (time.process_time() - c0) * 1000.0
        value = loss.item()
        if i > 0:
            times.append(dt)
            cpu.append(dc)
    return {"median": sorted(times)[len(times) // 2], "times": times, "cpuMedian": sorted(cpu)[len(cpu) // 2], "value": value}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--true", required=True)
    ap.add_argument("--pred", required=True)
    ap.add_argument("--shape", required=True)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    n, h, w, c = (int(v) for v in a.shape.split(","))

    def load(path):  # NHWC -> one plane per channel, [N*C, 1, H, W]
        x = torch.from_numpy(np.fromfile(path, dtype="<f4").reshape(n, h, w, c))
        return x.permute(0, 3, 1, 2).reshape(n * c, 1, h, w).contiguous()

    t, p = load(a.true), load(a.pred)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "ssim": time_ms(ssim_loss, t, p, a.repeats), "ms_ssim": time_ms(ms_ssim_loss, t, p, a.repeats)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
