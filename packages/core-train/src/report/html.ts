// Escaping and formatting for the HTML report.

/** Escapes text for HTML element content and quoted attribute values (& < > " '). */
export function escapeHtml(text: unknown): string {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A table cell: integers as is, other numbers to `digits` significant digits (exponent when tiny/huge). */
export function formatValue(v: unknown, digits = 4): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
    if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(Math.max(0, digits - 1));
    return String(Number(v.toPrecision(digits)));
  }
  if (typeof v === 'bigint' || typeof v === 'boolean' || typeof v === 'string') return String(v);
  if (v instanceof Date) return v.toISOString();
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** Flattens nested plain objects to dotted keys ({a: {b: 1}} → {'a.b': 1}); arrays stay values. */
export function flatten(obj: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && Object.getPrototypeOf(v) === Object.prototype) {
      flatten(v as Record<string, unknown>, key, out);
    } else out[key] = v;
  }
  return out;
}

/** A file-name-safe slug of a title. */
export function slug(title: string): string {
  return (
    title
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'plot'
  );
}

/** The report's stylesheet (inline: the page loads nothing). */
export const STYLE = `
:root { color-scheme: light; }
body { font-family: 'DejaVu Sans', system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; margin-top: 2.2rem; } h3 { margin-bottom: 0.4rem; }
.subtitle { color: #555; margin-top: 0; } .generated { color: #888; font-size: 0.85rem; }
nav ol { columns: 2; font-size: 0.95rem; }
figure { margin: 1.2rem 0; } figcaption { color: #555; font-size: 0.9rem; margin-top: 0.3rem; }
figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 0.6rem 0 1.2rem; font-size: 0.92rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } th { background: #f4f4f4; }
table.meta td:first-child { font-family: 'DejaVu Sans Mono', monospace; color: #444; }
img.pixelated { image-rendering: pixelated; }
.images { display: flex; flex-wrap: wrap; gap: 1rem; }
`;
