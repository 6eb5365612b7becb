// One self-contained HTML file per run: sections of text, metadata and metric tables, inline SVG plots
// and inline PNG images, plus a PNG copy of every plot. Nothing in the page is loaded from elsewhere.
import { basename, extname, join } from 'node:path';
import { ValueError } from '../errors.js';
import { colorize, type ColorizeOptions } from './colormap.js';
import { historySeries, isValidationKey, type HistoryLike } from './history.js';
import { escapeHtml, flatten, formatValue, slug, STYLE } from './html.js';
import { encodePng, pngSize, type RawImage } from './png.js';
import {
  barChartSpec,
  lineChartSpec,
  renderSvg,
  scatterSpec,
  svgToPng,
  type BarChartSpec,
  type LineChartSpec,
  type ScatterSpec,
  type VegaLiteSpec,
} from './plots.js';
import { writeFileAtomic } from './write-atomic.js';

/** Options of {@link Report}. */
export interface ReportOptions {
  /** Page title (escaped). */
  title: string;
  /** Folder for the HTML and PNG files; created if missing. */
  outDir: string;
  /** HTML file name; default 'report.html'. PNGs are named after it: `report-plot-01-<title>.png`. */
  fileName?: string;
  /** Shown under the title. */
  subtitle?: string;
  /** Write a PNG copy of every plot; default true. */
  plotPngs?: boolean;
  /** Write every added image as a PNG file too (it is always inlined in the page); default true. */
  imageFiles?: boolean;
  /** PNG pixels per SVG pixel for plot copies; default 2. */
  pngScale?: number;
  /** Font files for resvg when DejaVu Sans is not installed (see svgToPng). */
  fontFiles?: readonly string[];
  /** Time stamp shown in the page; default now; null leaves it out (reproducible files). */
  date?: Date | null;
}

/** Options of {@link Report.lossCurves}. */
export interface LossCurveOptions {
  /** Title of the training-loss chart; default 'Loss terms'. */
  title?: string;
  /** Log-scaled y on the loss chart. */
  logY?: boolean;
  /** Only these keys (training and validation); default every numeric key. */
  keys?: readonly string[];
  /** Validation metrics in one chart instead of one chart each. */
  combineValidation?: boolean;
}

/** A table's rows: records (columns from their keys) or `{ columns, rows }` with array rows. */
export type TableRows = ReadonlyArray<Record<string, unknown>> | { columns: readonly string[]; rows: ReadonlyArray<readonly unknown[]> };

/** Options of {@link Report.table}. */
export interface TableOptions {
  title?: string;
  caption?: string;
  /** Column order/subset for record rows; default the keys in first-seen order. */
  columns?: readonly string[];
  /** Significant digits for non-integer numbers; default 4. */
  digits?: number;
}

/** An image for {@link Report.image}: PNG bytes, a scalar field with a colormap, or 8-bit pixels. */
export type ImageSource =
  | Uint8Array
  | { png: Uint8Array }
  | ({ data: ArrayLike<number>; width: number; height: number } & ColorizeOptions)
  | { pixels: Uint8Array | Uint8ClampedArray; width: number; height: number; channels: 1 | 2 | 3 | 4 };

/** Options of {@link Report.image}. */
export interface ImageOptions {
  title?: string;
  caption?: string;
  /** Display width in CSS px (small images are scaled up without smoothing); default max(width, 160). */
  displayWidth?: number;
}

/** What {@link Report.write} wrote (absolute or as given, under `outDir`). */
export interface ReportFiles {
  html: string;
  /** PNG copies of the plots, in page order. */
  plots: string[];
  /** PNG files of the added images, in page order. */
  images: string[];
}

type Item =
  | { kind: 'text'; text: string }
  | { kind: 'plot'; title: string; spec: VegaLiteSpec; caption?: string }
  | { kind: 'table'; title?: string; caption?: string; columns: string[]; rows: unknown[][]; digits: number; meta?: boolean }
  | { kind: 'image'; title?: string; caption?: string; png: Uint8Array; width: number; height: number; displayWidth: number };

interface Section {
  title: string | null;
  items: Item[];
}

/**
 * Renames every id in an SVG to `<prefix><n>` in order of appearance, and the references to them, so
 * several inline SVGs on one page cannot clash and the page does not depend on vega's global counters.
 */
function renameSvgIds(svg: string, prefix: string): string {
  const names = new Map<string, string>();
  for (const m of svg.matchAll(/\bid="([^"]+)"/g)) if (!names.has(m[1] as string)) names.set(m[1] as string, `${prefix}${names.size + 1}`);
  const rename = (id: string) => names.get(id) ?? id;
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${rename(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${rename(id)})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${rename(id)}"`);
}

function toRawImage(source: ImageSource, fn: string): { png: Uint8Array; width: number; height: number; range?: [number, number]; colormap?: string } {
  if (source instanceof Uint8Array) {
    const size = pngSize(source);
    return { png: source, ...size };
  }
  if ('png' in source) {
    const size = pngSize(source.png);
    return { png: source.png, ...size };
  }
  if ('pixels' in source) {
    const img: RawImage = { width: source.width, height: source.height, channels: source.channels, data: new Uint8Array(source.pixels) };
    return { png: encodePng(img), width: img.width, height: img.height };
  }
  if ('data' in source) {
    const { data, width, height, ...opts } = source;
    const img = colorize(data, width, height, opts);
    return { png: encodePng(img), width, height, range: [img.min, img.max], colormap: opts.colormap ?? 'viridis' };
  }
  throw new ValueError(`${fn}: unsupported image source (PNG bytes, {png}, {data, width, height} or {pixels, width, height, channels}).`);
}

/**
 * An HTML report for one run. Add content in page order, then {@link write}:
 *
 * ```ts
 * const r = new Report({ title: 'cmb-inpaint: pconv-unet', outDir: 'reports/run-1' });
 * r.metadata({ config, backend: sel.name, seconds: { train: 812, eval: 9 } });
 * r.addSection('Training').lossCurves(history);
 * r.addSection('Evaluation').table(metricsRows, { title: 'Test metrics' }).image({ data: map, width, height, colormap: 'coolwarm' });
 * const files = await r.write(); // { html, plots, images }
 * ```
 *
 * All text is escaped; plots are vega-lite charts rendered to inline SVG (no scripts, no CDN) with a
 * PNG copy each; images are embedded as data: URIs. Files are written atomically (temp + rename).
 */
export class Report {
  private readonly options: ReportOptions;
  private readonly sections: Section[] = [{ title: null, items: [] }];

  constructor(options: ReportOptions) {
    if (!options || typeof options.title !== 'string') throw new ValueError(`Report: option 'title' must be a string. Value: ${String(options?.title)}.`);
    if (typeof options.outDir !== 'string' || options.outDir === '') {
      throw new ValueError(`Report: option 'outDir' must be a non-empty string. Value: ${String(options.outDir)}.`);
    }
    const fileName = options.fileName ?? 'report.html';
    if (fileName !== basename(fileName) || fileName === '') {
      throw new ValueError(`Report: option 'fileName' must be a plain file name (no folders). Value: ${fileName}.`);
    }
    if (options.pngScale !== undefined && !(options.pngScale > 0)) {
      throw new ValueError(`Report: option 'pngScale' must be > 0. Value: ${options.pngScale}.`);
    }
    this.options = { ...options, fileName };
  }

  private get current(): Section {
    return this.sections[this.sections.length - 1] as Section;
  }

  /** Starts a new section (an h2 with an optional paragraph); later items go into it. */
  addSection(title: string, text?: string): this {
    this.sections.push({ title: String(title), items: [] });
    if (text) this.text(text);
    return this;
  }

  /** A paragraph of plain text (blank lines split paragraphs). */
  text(text: string): this {
    this.current.items.push({ kind: 'text', text: String(text) });
    return this;
  }

  /** Run metadata (config, backend, timings, versions) as a key–value table; nested objects get dotted keys. */
  metadata(meta: Record<string, unknown>, title = 'Run'): this {
    const flat = flatten(meta);
    this.current.items.push({ kind: 'table', title, columns: ['key', 'value'], rows: Object.entries(flat), digits: 6, meta: true });
    return this;
  }

  /** A line chart over a shared x (see {@link LineChartSpec}). */
  lineChart(spec: LineChartSpec): this {
    return this.plot(spec.title, lineChartSpec(spec));
  }

  /** A bar chart (see {@link BarChartSpec}). */
  barChart(spec: BarChartSpec): this {
    return this.plot(spec.title, barChartSpec(spec));
  }

  /** An x–y scatter or line plot (see {@link ScatterSpec}). */
  scatter(spec: ScatterSpec): this {
    return this.plot(spec.title, scatterSpec(spec));
  }

  /** Any vega-lite spec with inline data (`data.values`), rendered like the built-in charts. */
  plot(title: string, spec: VegaLiteSpec, caption?: string): this {
    this.current.items.push({ kind: 'plot', title: String(title), spec, ...(caption ? { caption } : {}) });
    return this;
  }

  /**
   * Curves of a training log: one chart with every loss term (and its `val_` twin), a learning-rate
   * chart if logged, and the other validation metrics (one chart each unless `combineValidation`).
   */
  lossCurves(history: HistoryLike, options: LossCurveOptions = {}): this {
    const h = historySeries(history);
    const keys = Object.keys(h.series).filter((k) => !options.keys || options.keys.includes(k));
    const isLr = (k: string) => /^(lr|learning_?rate)$/i.test(k);
    const isTiming = (k: string) => /(^|_)(time|ms|sec|seconds|duration|eta|samples_per_sec)$/i.test(k);
    const train = keys.filter((k) => !isValidationKey(k) && !isLr(k) && !isTiming(k));
    const valOfTrain = keys.filter((k) => isValidationKey(k) && train.includes(k.replace(/^val(idation)?[_/.]/, '')));
    const valOther = keys.filter((k) => isValidationKey(k) && !valOfTrain.includes(k));
    const pick = (ks: string[]) => Object.fromEntries(ks.map((k) => [k, h.series[k] as Array<number | null>]));
    if (train.length + valOfTrain.length > 0) {
      this.lineChart({ title: options.title ?? 'Loss terms', x: h.x, xLabel: h.xKey, yLabel: 'loss', series: pick([...train, ...valOfTrain]), logY: options.logY });
    }
    const lr = keys.filter(isLr);
    if (lr.length) this.lineChart({ title: 'Learning rate', x: h.x, xLabel: h.xKey, yLabel: 'learning rate', series: pick(lr), height: 160 });
    if (valOther.length && options.combineValidation) {
      this.lineChart({ title: 'Validation metrics', x: h.x, xLabel: h.xKey, series: pick(valOther) });
    } else {
      for (const k of valOther) this.lineChart({ title: `Validation: ${k}`, x: h.x, xLabel: h.xKey, yLabel: k, series: pick([k]), width: 360, height: 200 });
    }
    if (train.length + valOfTrain.length + lr.length + valOther.length === 0) {
      throw new ValueError(`Report.lossCurves: the history has no numeric series${options.keys ? ` among keys ${options.keys.join(', ')}` : ''}.`);
    }
    return this;
  }

  /** An HTML table of metric rows (numbers right-aligned, `digits` significant digits). */
  table(rows: TableRows, options: TableOptions = {}): this {
    let columns: string[];
    let body: unknown[][];
    if (Array.isArray(rows)) {
      const recs = rows as ReadonlyArray<Record<string, unknown>>;
      columns = options.columns ? [...options.columns] : [...new Set(recs.flatMap((r) => Object.keys(r)))];
      body = recs.map((r) => columns.map((c) => r[c]));
    } else {
      const t = rows as { columns: readonly string[]; rows: ReadonlyArray<readonly unknown[]> };
      if (!Array.isArray(t.columns) || !Array.isArray(t.rows)) throw new ValueError(`Report.table: rows must be records or { columns, rows }.`);
      columns = [...t.columns];
      body = t.rows.map((r, i) => {
        if (r.length !== columns.length) throw new ValueError(`Report.table: row ${i} has ${r.length} cells for ${columns.length} columns.`);
        return [...r];
      });
    }
    this.current.items.push({ kind: 'table', title: options.title, caption: options.caption, columns, rows: body, digits: options.digits ?? 4 });
    return this;
  }

  /** An image: PNG bytes, a scalar field through a colormap (NaN = transparent), or raw 8-bit pixels. */
  image(source: ImageSource, options: ImageOptions = {}): this {
    const img = toRawImage(source, 'Report.image');
    const auto = img.range ? `${img.colormap}, range [${formatValue(img.range[0])}, ${formatValue(img.range[1])}]` : undefined;
    const caption = [options.caption, auto].filter(Boolean).join(' · ') || undefined;
    this.current.items.push({
      kind: 'image',
      title: options.title,
      caption,
      png: img.png,
      width: img.width,
      height: img.height,
      displayWidth: options.displayWidth ?? Math.max(img.width, 160),
    });
    return this;
  }

  /** Renders every plot, writes the PNG copies and image files, then the HTML; returns the paths. */
  async write(): Promise<ReportFiles> {
    const { outDir, fileName = 'report.html' } = this.options;
    const stem = basename(fileName, extname(fileName));
    const files: ReportFiles = { html: join(outDir, fileName), plots: [], images: [] };
    const rendered = new Map<Item, { svg?: string; file?: string }>();
    let plotNo = 0;
    let imageNo = 0;
    for (const section of this.sections) {
      for (const item of section.items) {
        if (item.kind === 'plot') {
          plotNo++;
          let svg: string;
          try {
            svg = renameSvgIds(await renderSvg(item.spec), `plot${plotNo}-id`);
          } catch (err) {
            throw new ValueError(`Report.write: plot '${item.title}' could not be rendered: ${(err as Error).message}`, { cause: err });
          }
          let file: string | undefined;
          if (this.options.plotPngs !== false) {
            file = join(outDir, `${stem}-plot-${String(plotNo).padStart(2, '0')}-${slug(item.title)}.png`);
            await writeFileAtomic(file, await svgToPng(svg, { scale: this.options.pngScale ?? 2, fontFiles: this.options.fontFiles }));
            files.plots.push(file);
          }
          rendered.set(item, { svg, ...(file ? { file } : {}) });
        } else if (item.kind === 'image' && this.options.imageFiles !== false) {
          imageNo++;
          const file = join(outDir, `${stem}-image-${String(imageNo).padStart(2, '0')}-${slug(item.title ?? 'image')}.png`);
          await writeFileAtomic(file, item.png);
          files.images.push(file);
          rendered.set(item, { file });
        }
      }
    }
    await writeFileAtomic(files.html, this.html(rendered));
    return files;
  }

  private html(rendered: Map<Item, { svg?: string; file?: string }>): string {
    const o = this.options;
    const parts: string[] = [];
    const titled = this.sections.filter((s) => s.title !== null);
    parts.push(
      '<!doctype html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      `<title>${escapeHtml(o.title)}</title>`,
      `<style>${STYLE}</style>`,
      '</head>',
      '<body>',
      '<header>',
      `<h1>${escapeHtml(o.title)}</h1>`,
    );
    if (o.subtitle) parts.push(`<p class="subtitle">${escapeHtml(o.subtitle)}</p>`);
    const date = o.date === undefined ? new Date() : o.date;
    if (date) parts.push(`<p class="generated">Generated ${escapeHtml(date.toISOString())} by @lossworks/core-train.</p>`);
    parts.push('</header>');
    if (titled.length > 1) {
      parts.push('<nav><ol>');
      this.sections.forEach((s, i) => {
        if (s.title !== null) parts.push(`<li><a href="#section-${i}">${escapeHtml(s.title)}</a></li>`);
      });
      parts.push('</ol></nav>');
    }
    this.sections.forEach((s, i) => {
      if (s.title === null && s.items.length === 0) return;
      parts.push(`<section id="section-${i}">`);
      if (s.title !== null) parts.push(`<h2>${escapeHtml(s.title)}</h2>`);
      for (const item of s.items) parts.push(this.itemHtml(item, rendered.get(item)));
      parts.push('</section>');
    });
    parts.push('</body>', '</html>', '');
    return parts.join('\n');
  }

  private itemHtml(item: Item, done: { svg?: string; file?: string } | undefined): string {
    switch (item.kind) {
      case 'text':
        return item.text
          .split(/\n\s*\n/)
          .map((p) => `<p>${escapeHtml(p.trim())}</p>`)
          .join('\n');
      case 'plot': {
        const link = done?.file ? ` <a href="${escapeHtml(basename(done.file))}">PNG</a>` : '';
        const caption = item.caption ? `${escapeHtml(item.caption)}${link}` : link.trim();
        return `<figure class="plot">${done?.svg ?? ''}${caption ? `<figcaption>${caption}</figcaption>` : ''}</figure>`;
      }
      case 'table': {
        const head = `<tr>${item.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
        const rows = item.rows
          .map(
            (r) =>
              `<tr>${r
                .map((v) => `<td${typeof v === 'number' ? ' class="num"' : ''}>${escapeHtml(formatValue(v, item.digits))}</td>`)
                .join('')}</tr>`,
          )
          .join('\n');
        return [
          item.title ? `<h3>${escapeHtml(item.title)}</h3>` : '',
          `<table${item.meta ? ' class="meta"' : ''}>`,
          item.caption ? `<caption>${escapeHtml(item.caption)}</caption>` : '',
          `<thead>${head}</thead>`,
          `<tbody>${rows}</tbody>`,
          '</table>',
        ]
          .filter(Boolean)
          .join('\n');
      }
      case 'image': {
        const b64 = Buffer.from(item.png).toString('base64');
        const h = Math.round((item.displayWidth * item.height) / item.width);
        const cls = item.displayWidth > item.width ? ' class="pixelated"' : '';
        return [
          '<figure class="image">',
          item.title ? `<h3>${escapeHtml(item.title)}</h3>` : '',
          `<img${cls} src="data:image/png;base64,${b64}" width="${item.displayWidth}" height="${h}" alt="${escapeHtml(item.title ?? 'image')}">`,
          item.caption ? `<figcaption>${escapeHtml(item.caption)}</figcaption>` : '',
          '</figure>',
        ]
          .filter(Boolean)
          .join('\n');
      }
    }
  }
}
