// Plot specs (vega-lite) and their rendering: vega-lite compile → vega View (renderer 'none') → SVG,
// and SVG → PNG with resvg. vega, vega-lite and resvg are imported on first use only.
import { ValueError } from '../errors.js';

/** Font used in plots and when rasterising them (STACK.md: resvg falls back to serif without it). */
export const PLOT_FONT = 'DejaVu Sans';

/** A vega-lite spec (a plain JSON object). */
export type VegaLiteSpec = Record<string, unknown>;

/** Size shared by the chart builders. */
export interface ChartSize {
  /** Plot area width in px; default 480. */
  width?: number;
  /** Plot area height in px; default 260. */
  height?: number;
}

/** A line chart over a shared x: one line per series. */
export interface LineChartSpec extends ChartSize {
  title: string;
  /** x values (e.g. epochs); default 1, 2, ... */
  x?: readonly number[];
  /** y values per series name, aligned with `x`; NaN/null/undefined points are skipped. */
  series: Record<string, ReadonlyArray<number | null | undefined>>;
  xLabel?: string;
  yLabel?: string;
  /** Log-scaled y (non-positive points skipped). */
  logY?: boolean;
  /** Mark every point; default when a series has ≤ 50 points. */
  points?: boolean;
}

/** A bar chart: one bar per category, or grouped bars when `values` is a record of series. */
export interface BarChartSpec extends ChartSize {
  title: string;
  categories: readonly string[];
  values: readonly number[] | Record<string, readonly number[]>;
  xLabel?: string;
  yLabel?: string;
  logY?: boolean;
}

/** An x–y plot of one or more series (points, lines or both). */
export interface ScatterSpec extends ChartSize {
  title: string;
  series: Record<string, { x: readonly number[]; y: readonly number[] }>;
  xLabel?: string;
  yLabel?: string;
  /** Default 'points'. */
  mode?: 'points' | 'lines' | 'both';
  /** Draw y = x (e.g. predicted vs true). */
  identityLine?: boolean;
  logX?: boolean;
  logY?: boolean;
}

const BASE_CONFIG = {
  font: PLOT_FONT,
  background: 'white',
  view: { stroke: '#ccc' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
  title: { fontSize: 14, anchor: 'start' },
};

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function base(title: string, size: ChartSize, data: unknown[]): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: size.width ?? 480,
    height: size.height ?? 260,
    config: BASE_CONFIG,
    data: { values: data },
  };
}

function checkTitle(fn: string, title: unknown): void {
  if (typeof title !== 'string') throw new ValueError(`${fn}: option 'title' must be a string. Value: ${String(title)}.`);
}

/** vega-lite spec of a {@link LineChartSpec}. */
export function lineChartSpec(spec: LineChartSpec): VegaLiteSpec {
  checkTitle('lineChart', spec.title);
  const names = Object.keys(spec.series);
  if (names.length === 0) throw new ValueError(`lineChart: option 'series' is empty (chart '${spec.title}').`);
  const rows: Array<{ x: number; y: number; series: string }> = [];
  let longest = 0;
  for (const name of names) {
    const ys = spec.series[name] as ReadonlyArray<number | null | undefined>;
    if (spec.x && spec.x.length !== ys.length) {
      throw new ValueError(`lineChart: series '${name}' has ${ys.length} values but x has ${spec.x.length} (chart '${spec.title}').`);
    }
    longest = Math.max(longest, ys.length);
    ys.forEach((y, i) => {
      const x = spec.x ? spec.x[i] : i + 1;
      if (finite(y) && finite(x) && (!spec.logY || y > 0)) rows.push({ x, y, series: name });
    });
  }
  return {
    ...base(spec.title, spec, rows),
    mark: { type: 'line', point: spec.points ?? longest <= 50, strokeWidth: 1.8 },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        title: spec.xLabel ?? 'epoch',
        scale: { zero: false },
        // Whole epochs/steps: no 1.4, 1.8 ticks.
        ...(rows.every((r) => Number.isInteger(r.x)) ? { axis: { tickMinStep: 1, format: 'd' } } : {}),
      },
      y: { field: 'y', type: 'quantitative', title: spec.yLabel ?? 'value', scale: spec.logY ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, sort: names },
    },
  };
}

/** vega-lite spec of a {@link BarChartSpec}. */
export function barChartSpec(spec: BarChartSpec): VegaLiteSpec {
  checkTitle('barChart', spec.title);
  const grouped = !Array.isArray(spec.values);
  const series: Record<string, readonly number[]> = grouped
    ? (spec.values as Record<string, readonly number[]>)
    : { value: spec.values as readonly number[] };
  const rows: Array<{ category: string; value: number; series: string }> = [];
  for (const [name, vals] of Object.entries(series)) {
    if (vals.length !== spec.categories.length) {
      throw new ValueError(`barChart: series '${name}' has ${vals.length} values for ${spec.categories.length} categories (chart '${spec.title}').`);
    }
    vals.forEach((v, i) => {
      if (finite(v) && (!spec.logY || v > 0)) rows.push({ category: spec.categories[i] as string, value: v, series: name });
    });
  }
  // A log scale has no zero: bars need an explicit positive baseline below the smallest value, else
  // vega-lite draws them from the (infinite) zero and every bar comes out with zero height.
  const logBase = spec.logY && rows.length ? 10 ** Math.floor(Math.log10(Math.min(...rows.map((r) => r.value)))) : undefined;
  return {
    ...base(spec.title, spec, rows),
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'category', type: 'nominal', title: spec.xLabel ?? null, sort: [...spec.categories], axis: { labelAngle: 0 } },
      y: { field: 'value', type: 'quantitative', title: spec.yLabel ?? 'value', ...(spec.logY ? { scale: { type: 'log' } } : {}) },
      ...(logBase !== undefined ? { y2: { datum: logBase } } : {}),
      ...(grouped
        ? { xOffset: { field: 'series', type: 'nominal', sort: Object.keys(series) }, color: { field: 'series', type: 'nominal', title: null, sort: Object.keys(series) } }
        : {}),
      tooltip: [{ field: 'category' }, { field: 'value', format: '.4g' }],
    },
  };
}

/** vega-lite spec of a {@link ScatterSpec}. */
export function scatterSpec(spec: ScatterSpec): VegaLiteSpec {
  checkTitle('scatter', spec.title);
  const names = Object.keys(spec.series);
  if (names.length === 0) throw new ValueError(`scatter: option 'series' is empty (chart '${spec.title}').`);
  const rows: Array<{ x: number; y: number; series: string; i: number }> = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const name of names) {
    const s = spec.series[name] as { x: readonly number[]; y: readonly number[] };
    if (s.x.length !== s.y.length) throw new ValueError(`scatter: series '${name}' has ${s.x.length} x and ${s.y.length} y values.`);
    s.x.forEach((x, i) => {
      const y = s.y[i];
      if (finite(x) && finite(y) && (!spec.logX || x > 0) && (!spec.logY || y > 0)) {
        rows.push({ x, y, series: name, i });
        lo = Math.min(lo, x, y);
        hi = Math.max(hi, x, y);
      }
    });
  }
  const mode = spec.mode ?? 'points';
  const enc = {
    x: { field: 'x', type: 'quantitative', title: spec.xLabel ?? 'x', scale: spec.logX ? { type: 'log' } : { zero: false } },
    y: { field: 'y', type: 'quantitative', title: spec.yLabel ?? 'y', scale: spec.logY ? { type: 'log' } : { zero: false } },
    color: { field: 'series', type: 'nominal', title: null, sort: names },
  };
  const main =
    mode === 'points'
      ? { mark: { type: 'point', filled: true, size: 30, opacity: 0.8 }, encoding: enc }
      : { mark: { type: 'line', point: mode === 'both' }, encoding: { ...enc, order: { field: 'i', type: 'quantitative' } } };
  const layers: unknown[] = [main];
  if (spec.identityLine && Number.isFinite(lo)) {
    layers.push({
      data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] },
      mark: { type: 'line', strokeDash: [4, 4], color: '#888' },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
    });
  }
  return { ...base(spec.title, spec, rows), layer: layers };
}

/** Renders a vega-lite spec to an SVG string (no DOM, no network: data must be inline). */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const warnings: string[] = [];
  const logger = {
    level: () => logger,
    error: (...m: unknown[]) => { warnings.push(m.join(' ')); return logger; },
    warn: (...m: unknown[]) => { warnings.push(m.join(' ')); return logger; },
    info: () => logger,
    debug: () => logger,
  };
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0], { logger: logger as never }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.None });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Options of {@link svgToPng}. */
export interface SvgToPngOptions {
  /** Pixels per SVG pixel; default 2. */
  scale?: number;
  /** Extra .ttf/.otf files for text (when DejaVu Sans is not installed); system fonts are loaded too. */
  fontFiles?: readonly string[];
}

/** Rasterises SVG to PNG with @resvg/resvg-js on a white background, text in DejaVu Sans. */
export async function svgToPng(svg: string, options: SvgToPngOptions = {}): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    font: {
      loadSystemFonts: true,
      defaultFontFamily: PLOT_FONT,
      sansSerifFamily: PLOT_FONT,
      ...(options.fontFiles?.length ? { fontFiles: [...options.fontFiles] } : {}),
    },
  });
  return new Uint8Array(resvg.render().asPng());
}
