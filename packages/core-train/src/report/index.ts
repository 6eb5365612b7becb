// @lossworks/core-train/report: self-contained HTML run reports with inline SVG plots and PNG copies.
export {
  Report,
  type ImageOptions,
  type ImageSource,
  type LossCurveOptions,
  type ReportFiles,
  type ReportOptions,
  type TableOptions,
  type TableRows,
} from './report.js';
export {
  barChartSpec,
  lineChartSpec,
  PLOT_FONT,
  renderSvg,
  scatterSpec,
  svgToPng,
  type BarChartSpec,
  type ChartSize,
  type LineChartSpec,
  type ScatterSpec,
  type SvgToPngOptions,
  type VegaLiteSpec,
} from './plots.js';
export {
  historySeries,
  isValidationKey,
  parseJsonlLog,
  readJsonlLog,
  type HistoryLike,
  type HistoryRecord,
  type HistorySeries,
  type TfHistoryLike,
} from './history.js';
export { colorize, colormapColor, COLORMAPS, type ColorizeOptions, type ColormapName } from './colormap.js';
export { crc32, decodePng, encodePng, PNG_SIGNATURE, pngSize, type RawImage } from './png.js';
export { escapeHtml, formatValue } from './html.js';
export { writeFileAtomic } from './write-atomic.js';
