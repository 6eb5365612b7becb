// Real-data check (not a unit test): reads the WMAP 7-year mask and V/W band maps (nside 32, 1024E vector
// columns) from ../shared/data/cmb-wmap-planck, checks them, and compares with healpy when Debian's
// /usr/bin/python3 has it. `pnpm --filter @lossworks/healpix run check:real`; exits 0 with "missing,
// skipped" when the folder is absent, 1 when a check fails.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UNSEEN, anafast, readHealpixMap, writeHealpixMap } from '../src/index.js';

const DIR = process.env.LOSSWORKS_CMB_DATA ?? join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'cmb-wmap-planck');
const FILES = {
  mask: 'healpy-data_wmap_temperature_analysis_mask_r9_7yr_v4_udgraded32.fits',
  V: 'healpy-data_wmap_band_iqumap_r9_7yr_V_v4_udgraded32.fits',
  W: 'healpy-data_wmap_band_iqumap_r9_7yr_W_v4_udgraded32.fits',
};

if (!existsSync(DIR)) {
  console.error(`check:real: ${DIR} missing, skipped`);
  process.exit(0);
}

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail: string): void {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
}

const files = Object.fromEntries(
  await Promise.all(Object.entries(FILES).map(async ([k, f]) => [k, await readHealpixMap(join(DIR, f))] as const)),
) as Record<keyof typeof FILES, Awaited<ReturnType<typeof readHealpixMap>>>;

for (const [k, m] of Object.entries(files)) {
  check(`${k}: layout`, m.nside === 32 && m.ordering === 'RING' && m.maps.length === 3 && m.maps.every((x) => x.length === 12288),
    `nside ${m.nside}, ${m.ordering}, columns ${m.names.join('/')}, ${m.maps[0]!.length} pixels (12 rows × 1024E flattened)`);
  const finite = m.maps.every((x) => x.every((v) => Number.isFinite(v) && v !== UNSEEN));
  check(`${k}: values`, finite, finite ? 'all finite, no UNSEEN' : 'non-finite or UNSEEN pixels');
}
const mask = files.mask.maps[0]!;
const fsky = mask.reduce((s, v) => s + v, 0) / mask.length;
check('mask: 0/1 values, f_sky ≈ 0.619 (SOURCE.md)', mask.every((v) => v === 0 || v === 1) && Math.abs(fsky - 0.619) < 0.005, `f_sky = ${fsky.toFixed(4)}`);

const W = files.W.maps[0]!;
const V = files.V.maps[0]!;
const rms = (a: Float64Array, w?: Float64Array): number => {
  let s = 0;
  let n = 0;
  a.forEach((v, i) => {
    if (!w || w[i]) {
      s += v * v;
      n++;
    }
  });
  return Math.sqrt(s / n);
};
const diff = W.map((v, i) => v - V[i]!);
check('W − V outside the mask is small next to W', rms(diff, mask) < 0.5 * rms(W, mask), `rms(W) ${rms(W, mask).toFixed(4)} mK, rms(W − V) ${rms(diff, mask).toFixed(4)} mK (unmasked sky)`);

const masked = W.map((v, i) => v * mask[i]!);
const clW = anafast(masked);
const ell = [2, 10, 30, 60, 95];
console.log(`pseudo-C_ell of W·mask (mK²): ${ell.map((l) => `ℓ=${l}: ${clW[l]!.toExponential(3)}`).join(', ')}`);

// our writer, our reader: vector columns as in the original
const dir = await mkdtemp(join(tmpdir(), 'healpix-real-'));
try {
  const out = join(dir, 'w.fits');
  await writeHealpixMap(out, files.W.maps.map((m) => Float32Array.from(m)), { repeat: 1024, columnNames: files.W.names });
  const back = await readHealpixMap(out);
  check('write (1024E, float32) and re-read W', back.maps.every((m, k) => m.every((v, i) => v === files.W.maps[k]![i])), 'identical values');
} finally {
  await rm(dir, { recursive: true, force: true });
}

// healpy on the same files, when Debian's python has it
const py = `
import json, sys, numpy as np, healpy as hp
d = sys.argv[1]
out = {}
for k, f in json.loads(sys.argv[2]).items():
    m = hp.read_map(d + "/" + f, field=None, dtype=np.float64)
    out[k] = {"sums": [float(x.sum()) for x in m], "first": [float(x[0]) for x in m]}
w = hp.read_map(d + "/" + ${JSON.stringify(FILES.W)}, dtype=np.float64)
mk = hp.read_map(d + "/" + ${JSON.stringify(FILES.mask)}, dtype=np.float64)
out["cl"] = hp.anafast(w * mk).tolist()
print(json.dumps(out))
`;
const res = existsSync('/usr/bin/python3') ? spawnSync('/usr/bin/python3', ['-c', py, DIR, JSON.stringify(FILES)], { encoding: 'utf8' }) : null;
if (!res || res.status !== 0) {
  console.log(`healpy comparison skipped: ${res ? `/usr/bin/python3 failed (${res.stderr.trim().split('\n').pop()})` : 'no /usr/bin/python3'}`);
} else {
  const hp = JSON.parse(res.stdout) as Record<string, { sums: number[]; first: number[] }> & { cl: number[] };
  for (const k of Object.keys(FILES) as (keyof typeof FILES)[]) {
    const ours = files[k].maps.map((m) => m.reduce((s, v) => s + v, 0));
    const same = ours.every((s, i) => Math.abs(s - hp[k]!.sums[i]!) <= 1e-9 * Math.abs(hp[k]!.sums[i]!) + 1e-9) && files[k].maps.every((m, i) => m[0] === hp[k]!.first[i]);
    check(`${k}: same values as healpy read_map`, same, `column sums ${ours.map((s) => s.toPrecision(10)).join(', ')}`);
  }
  let worst = 0;
  clW.forEach((c, l) => (worst = Math.max(worst, Math.abs(c - hp.cl[l]!) / Math.abs(hp.cl[l]!))));
  check('anafast(W·mask) vs healpy', worst < 1e-9, `max relative difference ${worst.toExponential(2)} over ℓ = 0..95`);
}
console.log(`check:real: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
