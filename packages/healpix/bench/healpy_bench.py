#!/usr/bin/python3
"""healpy side of `pnpm bench` (spawned by bench/sht-bench.ts with Debian's /usr/bin/python3).

    healpy_bench.py <repeats> <map.fits> [<map.fits> ...]

Times map2alm (iter 0 and 3) and alm2map at lmax = 3*nside - 1 on the given maps (written by our FITS
writer), one warm-up call each, then the medians (wall clock and CPU time) of <repeats> calls.
Prints one JSON document.
"""
import json
import os
import sys
import time

import numpy as np
import healpy as hp


def median_time(fn, repeats):
    """Median wall-clock and CPU (process, all threads) seconds of `repeats` calls after a warm-up."""
    fn()  # warm-up
    wall, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return float(np.median(wall)), float(np.median(cpu)), [float(x) for x in wall]


def main():
    repeats = int(sys.argv[1])
    out = {"healpy": hp.__version__, "numpy": np.__version__, "threads": os.environ.get("OMP_NUM_THREADS", "default"), "results": []}
    for path in sys.argv[2:]:
        m = hp.read_map(path, dtype=np.float64)
        nside = hp.get_nside(m)
        lmax = 3 * nside - 1
        alm = hp.map2alm(m, lmax=lmax, iter=3)
        cases = {
            "map2alm iter=0": lambda: hp.map2alm(m, lmax=lmax, iter=0),
            "map2alm iter=3": lambda: hp.map2alm(m, lmax=lmax, iter=3),
            "alm2map": lambda: hp.alm2map(alm, nside, lmax=lmax),
        }
        for name, fn in cases.items():
            med, cpu, runs = median_time(fn, repeats)
            out["results"].append({"nside": nside, "lmax": lmax, "op": name, "median_s": med, "cpu_s": cpu, "runs_s": runs})
        out.setdefault("cl", {})[str(nside)] = hp.alm2cl(alm).tolist()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
