// Real-data check (not a unit test): fills every HC18 outline annotation in ../shared/data/medseg-hc18
// with the app's own algorithm (src/data/hc18-fill.ts) and compares it, at full resolution, with the
// reference filled masks in masks_filled_derived/ (scipy binary_fill_holes, or an ellipse fit for
// clipped outlines). Prints per-image IoU and method, then the minimum and the count; exits 1 if any IoU
// is below 0.97, 0 with "missing, skipped" when the folder is absent.
//   pnpm --filter @lossworks/medsam-distill run check:hc18
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sharedDataSet } from '@lossworks/cli-kit';
import { fillOutline } from '../src/data/hc18-fill.js';
import { readGray } from '../src/data/image-io.js';
import { maskIoU } from '../src/data/mask-ops.js';

const THRESHOLD = 0.97;
const dir = process.env.LOSSWORKS_HC18_DATA ?? sharedDataSet('medseg-hc18', import.meta.dirname);
const outlines = dir ? join(dir, 'annotations_outline') : '';
const references = dir ? join(dir, 'masks_filled_derived') : '';

if (!dir || !existsSync(outlines) || !existsSync(references)) {
  console.error(`check:hc18: ${dir ?? '../shared/data/medseg-hc18'} (annotations_outline/, masks_filled_derived/) missing, skipped`);
  process.exit(0);
}

const ids = (await readdir(outlines))
  .filter((f) => f.endsWith('_Annotation.png'))
  .map((f) => f.slice(0, -'_Annotation.png'.length))
  .sort();
const rows: Array<{ id: string; iou: number; method: string }> = [];
let missing = 0;
for (const id of ids) {
  const refFile = join(references, `${id}_Mask.png`);
  if (!existsSync(refFile)) {
    console.log(`${id}: no reference mask, not compared`);
    missing++;
    continue;
  }
  const outline = await readGray(join(outlines, `${id}_Annotation.png`));
  const reference = await readGray(refFile);
  if (outline.width !== reference.width || outline.height !== reference.height) {
    console.log(`${id}: size ${outline.width}×${outline.height} vs reference ${reference.width}×${reference.height}`);
    rows.push({ id, iou: 0, method: 'size mismatch' });
    continue;
  }
  const bin = (m: Uint8Array) => m.map((v) => (v >= 128 ? 1 : 0));
  const fill = fillOutline(bin(outline.data), outline.width, outline.height);
  const iou = maskIoU(fill.mask, bin(reference.data));
  const extra = fill.method === 'gap-closed' ? ` r=${fill.closeRadius}` : '';
  console.log(`${iou < THRESHOLD ? 'FAIL' : 'ok  '} ${id}: IoU ${iou.toFixed(6)}  ${fill.method}${extra} (flood vs fit ${fill.agreement.toFixed(6)})`);
  rows.push({ id, iou, method: fill.method });
}

const byMethod = new Map<string, number>();
for (const r of rows) byMethod.set(r.method, (byMethod.get(r.method) ?? 0) + 1);
const worst = rows.reduce((a, b) => (b.iou < a.iou ? b : a), rows[0] ?? { id: '-', iou: Number.NaN, method: '-' });
const failed = rows.filter((r) => r.iou < THRESHOLD).length;
const mean = rows.reduce((s, r) => s + r.iou, 0) / Math.max(1, rows.length);
console.log(
  `\nimages ${rows.length}${missing ? ` (+${missing} without reference)` : ''}; methods ${[...byMethod].map(([m, n]) => `${m} ${n}`).join(', ')}`,
);
console.log(`IoU min ${worst.iou.toFixed(4)} (${worst.id}), mean ${mean.toFixed(4)}; below ${THRESHOLD}: ${failed}`);
process.exitCode = failed > 0 || rows.length === 0 ? 1 : 0;
