// Report end to end: one self-contained HTML file (inline SVG plots, tables, data: images, escaped
// text, nothing external) plus a PNG copy of every plot, written into a folder that did not exist.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValueError } from '../src/errors.js';
import { decodePng, encodePng, pngSize, PNG_SIGNATURE, readJsonlLog, Report } from '../src/report/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lossworks-report-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const EVIL = `<script>alert("pwn")</script> & 'quotes'`;

function fullReport(outDir: string, date: Date | null = null): Report {
  const r = new Report({ title: `Run ${EVIL}`, subtitle: 'distil <b>demo</b>', outDir, date });
  r.metadata({ config: { lr: 1e-3, model: { widths: [8, 16] }, note: EVIL }, backend: 'cpu', seconds: { train: 12.25 } });
  r.addSection(`Training ${EVIL}`, 'Loss per term.\n\nSecond paragraph <i>plain</i>.');
  r.lossCurves({ epoch: [1, 2, 3], loss: [1, 0.6, 0.4], kd: [0.5, 0.3, 0.2], val_loss: [1.2, 0.8, 0.7], val_psnr: [18, 21, 23], lr: [1e-3, 5e-4, 1e-4] });
  r.addSection('Evaluation');
  r.table(
    [
      { model: 'teacher', accuracy: 0.912345, params: 120000, note: 'a<b & "c"' },
      { model: 'student', accuracy: 0.88, params: 24000 },
    ],
    { title: 'Accuracy', caption: `caption ${EVIL}` },
  );
  r.table({ columns: ['k', 'v'], rows: [['x', 1.5e-7]] });
  r.barChart({ title: `Latency ${EVIL}`, categories: ['teacher', 'student'], values: { tfjs: [12, 3], onnx: [2, 0.5] }, yLabel: 'ms' });
  r.scatter({ title: 'Predicted vs true', series: { test: { x: [1, 2, 3, 4], y: [1.1, 2.2, 2.8, 4.1] } }, identityLine: true, mode: 'both' });
  // a raw vega-lite spec with a clipped mark: vega gives its clip path an id
  r.plot('Zoomed', {
    data: { values: [{ x: 1, y: 1 }, { x: 2, y: 5 }] },
    mark: { type: 'line', clip: true },
    encoding: { x: { field: 'x', type: 'quantitative', scale: { domain: [0, 1.5] } }, y: { field: 'y', type: 'quantitative' } },
  }, 'x clipped to [0, 1.5]');
  const field = Float32Array.from({ length: 12 * 8 }, (_, i) => Math.sin(i / 5));
  field[3] = Number.NaN;
  r.image({ data: field, width: 12, height: 8, colormap: 'coolwarm' }, { title: 'Residual map', caption: EVIL });
  r.image(encodePng({ width: 3, height: 2, channels: 3, data: new Uint8Array(18).fill(200) }), { title: 'Sample' });
  return r;
}

function svgSizes(html: string): Array<[number, number]> {
  return [...html.matchAll(/<svg[^>]*\swidth="(\d+)"[^>]*\sheight="(\d+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe('Report', () => {
  it('writes one self-contained HTML file with inline SVG plots, tables and images, plus PNG plot copies', async () => {
    const outDir = join(dir, 'missing', 'run-1'); // does not exist yet
    const files = await fullReport(outDir, new Date('2030-01-02T03:04:05Z')).write();
    expect(files.html).toBe(join(outDir, 'report.html'));
    // 6 plots: loss terms, learning rate, val_psnr, latency, scatter, raw spec
    expect(files.plots.map((p) => p.slice(outDir.length + 1))).toEqual([
      'report-plot-01-loss-terms.png',
      'report-plot-02-learning-rate.png',
      'report-plot-03-validation-val-psnr.png',
      'report-plot-04-latency-script-alert-pwn-script-quotes.png',
      'report-plot-05-predicted-vs-true.png',
      'report-plot-06-zoomed.png',
    ]);
    expect(files.images).toHaveLength(2);
    expect((await readdir(outDir)).sort()).toEqual(
      ['report.html', ...files.plots, ...files.images].map((p) => p.replace(`${outDir}/`, '')).sort(),
    ); // nothing else: no temp files left
    const html = await readFile(files.html, 'utf8');

    // inline SVG, one per plot, and PNG copies at 2× the SVG size
    const sizes = svgSizes(html);
    expect(sizes).toHaveLength(6);
    expect((html.match(/<\/svg>/g) ?? []).length).toBe(6);
    for (const [i, file] of files.plots.entries()) {
      const png = await readFile(file);
      expect(Array.from(png.subarray(0, 8))).toEqual(Array.from(PNG_SIGNATURE));
      const [w, h] = sizes[i] as [number, number];
      expect(pngSize(png)).toEqual({ width: 2 * w, height: 2 * h });
    }
    // the legend/axis text of the first plot is in the SVG
    expect(html).toContain('val_loss');

    // tables
    expect((html.match(/<table/g) ?? []).length).toBe(3); // metadata, accuracy, k/v
    expect(html).toContain('<td>config.lr</td><td class="num">0.001</td>');
    expect(html).toContain('<td>config.model.widths</td><td>[8,16]</td>');
    expect(html).toContain('<td class="num">0.9123</td>');
    expect(html).toContain('<td>a&lt;b &amp; &quot;c&quot;</td>');
    expect(html).toContain('<td class="num">1.500e-7</td>');

    // images: inline PNG data URIs of the right size; also written as files
    const imgs = [...html.matchAll(/<img[^>]*src="data:image\/png;base64,([^"]+)"/g)].map((m) => Buffer.from(m[1] as string, 'base64'));
    expect(imgs).toHaveLength(2);
    expect(pngSize(imgs[0]!)).toEqual({ width: 12, height: 8 });
    expect(decodePng(imgs[1]!).data.every((v) => v === 200)).toBe(true);
    expect(html).toContain('coolwarm, range [-1, 0.9996]'); // sin(i/5) over 96 samples, 4 significant digits

    // escaping: the hostile title/caption/section text never appears raw
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<b>demo</b>');
    expect(html).toContain('<title>Run &lt;script&gt;alert(&quot;pwn&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;</title>');
    expect(html).toContain('<p>Second paragraph &lt;i&gt;plain&lt;/i&gt;.</p>');
    expect(html).toContain('Generated 2030-01-02T03:04:05.000Z');

    // self-contained: no external resources of any kind
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|<link\b|<iframe\b|<object\b/i);
    for (const m of html.matchAll(/\ssrc="([^"]*)"/g)) expect(m[1]).toMatch(/^data:image\/png;base64,/);
    for (const m of html.matchAll(/\shref="([^"]*)"/g)) expect(m[1]).toMatch(/^(#[\w-]+|report-plot-\d\d-[\w-]+\.png)$/);

    // ids stay unique across the inline SVGs (vega numbers its clip paths per view)
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(html).toContain('<clipPath id="plot6-id1">');
    expect(html).toContain('clip-path="url(#plot6-id1)"');
  });

  it('is reproducible with date: null, and names files after fileName', async () => {
    const a = await fullReport(join(dir, 'a')).write();
    const b = await new Report({ title: 'x', outDir: join(dir, 'b'), fileName: 'summary.html', date: null, plotPngs: false })
      .lineChart({ title: 'one', series: { y: [1, 2] } })
      .write();
    expect(b).toEqual({ html: join(dir, 'b', 'summary.html'), plots: [], images: [] });
    const again = await fullReport(join(dir, 'a2')).write();
    expect(await readFile(again.html, 'utf8')).toBe(await readFile(a.html, 'utf8'));
    expect(await readFile(a.html, 'utf8')).not.toContain('Generated');
  });

  it('plots a JSONL metrics log', async () => {
    const log = join(dir, 'metrics.jsonl');
    await writeFile(log, ['{"epoch":1,"loss":1.5,"val_ssim":0.5}', '{"epoch":2,"loss":0.9,"val_ssim":0.7}'].join('\n'));
    const files = await new Report({ title: 'log', outDir: join(dir, 'jsonl'), date: null })
      .lossCurves(await readJsonlLog(log), { logY: true })
      .write();
    expect(files.plots).toHaveLength(2);
    expect(svgSizes(await readFile(files.html, 'utf8'))).toHaveLength(2);
  });

  it('rejects bad options and inputs with messages naming them', () => {
    expect(() => new Report({ title: undefined as unknown as string, outDir: dir })).toThrow(/option 'title' must be a string/);
    expect(() => new Report({ title: 't', outDir: '' })).toThrow(/option 'outDir' must be a non-empty string/);
    expect(() => new Report({ title: 't', outDir: dir, fileName: '../x.html' })).toThrow(/option 'fileName' must be a plain file name/);
    const r = new Report({ title: 't', outDir: dir });
    expect(() => r.lineChart({ title: 'c', x: [1, 2, 3], series: { y: [1, 2] } })).toThrow(/series 'y' has 2 values but x has 3/);
    expect(() => r.barChart({ title: 'b', categories: ['a'], values: [1, 2] })).toThrow(/series 'value' has 2 values for 1 categories/);
    expect(() => r.lossCurves({ epoch: [1], note: ['x'] })).toThrow(/no numeric series/);
    expect(() => r.image(new Uint8Array([1, 2, 3]))).toThrow(ValueError);
    expect(() => r.table({ columns: ['a', 'b'], rows: [[1]] })).toThrow(/row 0 has 1 cells for 2 columns/);
  });
});

describe('bar charts on a log scale', () => {
  it('draws bars with a height (a log scale needs a positive baseline)', async () => {
    const { barChartSpec, renderSvg } = await import('../src/report/plots.js');
    const svg = await renderSvg(barChartSpec({ title: 'latency', categories: ['a', 'b', 'c'], values: [0.5, 10, 300], logY: true }));
    const bars = [...svg.matchAll(/aria-roledescription="bar" d="M[-\d.]+,[-\d.]+h[\d.]+v([-\d.]+)h/g)].map((m) => Math.abs(Number(m[1])));
    expect(bars.length).toBe(3);
    expect(Math.min(...bars)).toBeGreaterThan(1);
    // taller bars for larger values
    expect(bars[2]!).toBeGreaterThan(bars[1]!);
    expect(bars[1]!).toBeGreaterThan(bars[0]!);
  });
});
