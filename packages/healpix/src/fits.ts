// FITS files holding HEALPix maps: a primary HDU without data and a BINTABLE extension (FITS 4.0 standard,
// §§4, 7.3; HEALPix FITS conventions as written by healpy write_map and the HEALPix Fortran tools).
//
// Reading: vector columns (e.g. 1024E: 12 rows of 1024 pixels for an nside-32 map) are flattened row by
// row; TFORM B/I/J/K/E/D are read big-endian and scaled as TZERO + TSCAL·raw in float64; integer TNULL
// values become UNSEEN; values within healpy's mask_bad tolerance of UNSEEN become exactly UNSEEN, and
// so do values equal to a BAD_DATA keyword; NaN stays NaN (as healpy read_map). INDXSCHM EXPLICIT
// (OBJECT PARTIAL) files, whose first column lists pixel indices, are expanded to full-sky maps filled
// with UNSEEN, as healpy read_map(partial=True). 64-bit integers beyond 2^53 lose precision (read as
// doubles). Every problem throws a FitsError naming the file.
// Writing: primary HDU + BINTABLE, 2880-byte blocks, 80-character cards, written to a temporary file in
// the same folder and renamed (atomic on POSIX file systems).
import { randomBytes } from 'node:crypto';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { FitsError } from './errors.js';
import { isNpixOk, isNsideOk, UNSEEN, type FloatArray, type Ordering } from './nside.js';
import { reorder } from './pixel.js';
import { isUnseen } from './udgrade.js';

const BLOCK = 2880;
const CARD = 80;

/** A header value: string, number, logical, or null for commentary cards and empty values. */
export type FitsValue = string | number | boolean | null;

/** One 80-character header card. */
export interface FitsCard {
  /** Keyword (upper case, ≤ 8 characters; '' for a blank card). */
  key: string;
  /** Parsed value (null for COMMENT, HISTORY and blank cards). */
  value: FitsValue;
  /** Comment text after '/', or the text of a commentary card. */
  comment: string;
}

/** An HDU header: its cards in order, with keyword lookup. */
export class FitsHeader {
  /** The cards, END excluded. */
  readonly cards: FitsCard[];
  constructor(cards: FitsCard[]) {
    this.cards = cards;
  }
  /** Value of the first card with this keyword, or undefined. */
  get(key: string): FitsValue | undefined {
    const k = key.toUpperCase();
    return this.cards.find((c) => c.key === k)?.value;
  }
  /** True when a card with this keyword exists. */
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }
}

/** One header-data unit located in a file. */
export interface FitsHdu {
  /** 0 for the primary HDU. */
  index: number;
  /** 'PRIMARY', or the XTENSION value ('BINTABLE', 'IMAGE', 'TABLE', …). */
  type: string;
  header: FitsHeader;
  /** Byte offset of the data in the file. */
  dataOffset: number;
  /** Data size in bytes (without padding). */
  dataLength: number;
}

// ---------------------------------------------------------------------------------------------
// Header parsing
// ---------------------------------------------------------------------------------------------

function parseValue(text: string): { value: FitsValue; comment: string } {
  let s = text.trimStart();
  if (s.startsWith("'")) {
    let i = 1;
    let out = '';
    for (;;) {
      if (i >= s.length) break; // unterminated string: take what is there
      const ch = s[i]!;
      if (ch === "'") {
        if (s[i + 1] === "'") {
          out += "'";
          i += 2;
          continue;
        }
        i++;
        break;
      }
      out += ch;
      i++;
    }
    const rest = s.slice(i);
    const slash = rest.indexOf('/');
    return { value: out.replace(/\s+$/, ''), comment: slash >= 0 ? rest.slice(slash + 1).trim() : '' };
  }
  const slash = s.indexOf('/');
  const comment = slash >= 0 ? s.slice(slash + 1).trim() : '';
  s = (slash >= 0 ? s.slice(0, slash) : s).trim();
  if (s === '') return { value: null, comment };
  if (s === 'T') return { value: true, comment };
  if (s === 'F') return { value: false, comment };
  if (/^[+-]?\d+$/.test(s)) return { value: Number(s), comment };
  const f = s.replace(/[dD]/, 'E');
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(f)) return { value: Number(f), comment };
  return { value: s, comment }; // complex or non-standard: keep the text
}

function parseCard(card: string): FitsCard {
  const key = card.slice(0, 8).trim().toUpperCase();
  if (card.slice(8, 10) === '= ' && key !== 'COMMENT' && key !== 'HISTORY' && key !== '') {
    const { value, comment } = parseValue(card.slice(10));
    return { key, value, comment };
  }
  if (key === 'CONTINUE') {
    const { value, comment } = parseValue(card.slice(8));
    return { key, value, comment };
  }
  return { key, value: null, comment: card.slice(8).trim() };
}

function readHeader(bytes: Uint8Array, offset: number, name: string, hduIndex: number): { header: FitsHeader; end: number } {
  const cards: FitsCard[] = [];
  let pos = offset;
  for (;;) {
    if (pos + CARD > bytes.length) {
      throw new FitsError(name, `truncated file: header of HDU ${hduIndex} has no END card before the end of the file (${bytes.length} bytes).`);
    }
    let text = '';
    for (let i = 0; i < CARD; i++) {
      const c = bytes[pos + i]!;
      if (c < 32 || c > 126) {
        throw new FitsError(name, `invalid header: HDU ${hduIndex} card at byte ${pos} holds a non-ASCII byte (${c}); missing END card or not a FITS file.`);
      }
      text += String.fromCharCode(c);
    }
    pos += CARD;
    const card = parseCard(text);
    if (card.key === 'END') break;
    if (card.key === 'CONTINUE' && typeof card.value === 'string') {
      const prev = cards[cards.length - 1];
      if (prev && typeof prev.value === 'string' && prev.value.endsWith('&')) {
        prev.value = prev.value.slice(0, -1) + card.value;
        continue;
      }
    }
    cards.push(card);
  }
  const end = Math.ceil((pos - offset) / BLOCK) * BLOCK + offset;
  return { header: new FitsHeader(cards), end };
}

function intKey(h: FitsHeader, key: string, name: string, hdu: number, fallback?: number): number {
  const v = h.get(key);
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new FitsError(name, `HDU ${hdu}: keyword ${key} must be an integer. Value: ${v === undefined ? 'missing' : String(v)}.`);
  }
  return v;
}

/** Locates every HDU of a FITS file held in memory; `name` appears in errors. */
export function parseFits(bytes: Uint8Array, name = '<buffer>'): FitsHdu[] {
  if (bytes.length < CARD || String.fromCharCode(...bytes.subarray(0, 6)) !== 'SIMPLE') {
    throw new FitsError(name, 'not a FITS file: it does not start with a SIMPLE card.');
  }
  const hdus: FitsHdu[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const index = hdus.length;
    // trailing zero padding after the last HDU is allowed
    if (index > 0 && bytes.subarray(offset, Math.min(offset + CARD, bytes.length)).every((b) => b === 0)) break;
    const { header, end } = readHeader(bytes, offset, name, index);
    const type = index === 0 ? 'PRIMARY' : String(header.get('XTENSION') ?? '').trim();
    if (index > 0 && type === '') throw new FitsError(name, `HDU ${index} has no XTENSION keyword.`);
    const bitpix = intKey(header, 'BITPIX', name, index);
    const naxis = intKey(header, 'NAXIS', name, index);
    let count = naxis === 0 ? 0 : 1;
    for (let k = 1; k <= naxis; k++) count *= intKey(header, `NAXIS${k}`, name, index);
    const pcount = intKey(header, 'PCOUNT', name, index, 0);
    const gcount = intKey(header, 'GCOUNT', name, index, 1);
    const dataLength = naxis === 0 ? 0 : (Math.abs(bitpix) / 8) * gcount * (pcount + count);
    if (end + dataLength > bytes.length) {
      throw new FitsError(name, `truncated file: HDU ${index} (${type}) needs ${dataLength} data bytes from byte ${end}, but the file has ${bytes.length} bytes.`);
    }
    hdus.push({ index, type, header, dataOffset: end, dataLength });
    offset = end + Math.ceil(dataLength / BLOCK) * BLOCK;
  }
  return hdus;
}

// ---------------------------------------------------------------------------------------------
// BINTABLE columns
// ---------------------------------------------------------------------------------------------

/** One BINTABLE column's layout. */
export interface FitsColumn {
  /** TTYPEn, or `COLn` when absent. */
  name: string;
  /** TFORMn as written. */
  tform: string;
  /** Data type letter (L X B I J K A E D C M P Q). */
  code: string;
  /** Elements per row. */
  repeat: number;
  /** Byte offset in the row. */
  offset: number;
  /** TUNITn, or null. */
  unit: string | null;
  /** TSCALn (default 1). */
  scale: number;
  /** TZEROn (default 0). */
  zero: number;
  /** TNULLn for integer columns, or null. */
  nullValue: number | null;
}

const WIDTH: Record<string, number> = { L: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16, P: 8, Q: 16 };
const NUMERIC = new Set(['B', 'I', 'J', 'K', 'E', 'D']);

/** Column layouts of a BINTABLE header; throws on an unknown TFORM or a row width that does not match NAXIS1. */
export function tableColumns(hdu: FitsHdu, name = '<buffer>'): FitsColumn[] {
  const h = hdu.header;
  const tfields = intKey(h, 'TFIELDS', name, hdu.index);
  const cols: FitsColumn[] = [];
  let offset = 0;
  for (let i = 1; i <= tfields; i++) {
    const tform = String(h.get(`TFORM${i}`) ?? '').trim();
    const m = /^(\d*)([A-Z])(.*)$/.exec(tform.toUpperCase());
    const code = m?.[2] ?? '';
    if (!m || !(code in WIDTH || code === 'X')) {
      throw new FitsError(name, `HDU ${hdu.index}: unknown TFORM${i} '${tform}' (column ${i}); known types: L X B I J K A E D C M P Q.`);
    }
    const repeat = m[1] === '' ? 1 : Number(m[1]);
    const bytes = code === 'X' ? Math.ceil(repeat / 8) : repeat * WIDTH[code]!;
    const num = (k: string, d: number): number => {
      const v = h.get(`${k}${i}`);
      return typeof v === 'number' ? v : d;
    };
    const tnull = h.get(`TNULL${i}`);
    cols.push({
      name: String(h.get(`TTYPE${i}`) ?? `COL${i}`).trim(),
      tform,
      code,
      repeat,
      offset,
      unit: h.has(`TUNIT${i}`) ? String(h.get(`TUNIT${i}`)).trim() : null,
      scale: num('TSCAL', 1),
      zero: num('TZERO', 0),
      nullValue: typeof tnull === 'number' && 'BIJK'.includes(code) ? tnull : null,
    });
    offset += bytes;
  }
  const naxis1 = intKey(h, 'NAXIS1', name, hdu.index);
  if (offset !== naxis1) {
    throw new FitsError(name, `HDU ${hdu.index}: the TFORM widths add up to ${offset} bytes per row, but NAXIS1 = ${naxis1}.`);
  }
  return cols;
}

/** All values of a numeric column, row by row (vector columns flattened), scaled as TZERO + TSCAL·raw. */
export function readColumn(bytes: Uint8Array, hdu: FitsHdu, col: FitsColumn, name = '<buffer>'): Float64Array {
  if (!NUMERIC.has(col.code)) {
    throw new FitsError(name, `HDU ${hdu.index}: column '${col.name}' has TFORM '${col.tform}', not a numeric type (B, I, J, K, E, D).`);
  }
  const naxis1 = intKey(hdu.header, 'NAXIS1', name, hdu.index);
  const rows = intKey(hdu.header, 'NAXIS2', name, hdu.index);
  const view = new DataView(bytes.buffer, bytes.byteOffset + hdu.dataOffset, rows * naxis1);
  const out = new Float64Array(rows * col.repeat);
  const w = WIDTH[col.code]!;
  const { scale, zero, nullValue } = col;
  const scaled = scale !== 1 || zero !== 0;
  let k = 0;
  for (let r = 0; r < rows; r++) {
    let off = r * naxis1 + col.offset;
    for (let e = 0; e < col.repeat; e++, off += w, k++) {
      let raw: number;
      switch (col.code) {
        case 'B':
          raw = view.getUint8(off);
          break;
        case 'I':
          raw = view.getInt16(off, false);
          break;
        case 'J':
          raw = view.getInt32(off, false);
          break;
        case 'K':
          raw = Number(view.getBigInt64(off, false));
          break;
        case 'E':
          raw = view.getFloat32(off, false);
          break;
        default:
          raw = view.getFloat64(off, false);
      }
      out[k] = nullValue !== null && raw === nullValue ? UNSEEN : scaled ? raw * scale + zero : raw;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// HEALPix maps
// ---------------------------------------------------------------------------------------------

/** Options of readHealpixMap / parseHealpixMap. */
export interface ReadHealpixOptions {
  /** HDU to read (default: the first BINTABLE extension). */
  hdu?: number;
  /** Columns to read, by 0-based index among the map columns or by TTYPE name (default: all numeric map columns). */
  fields?: (number | string)[];
  /** Reorder the maps to this ordering (default: keep the file's). */
  ordering?: Ordering;
}

/** A HEALPix map file as read. */
export interface HealpixMapFile {
  /** The file name used in errors. */
  file: string;
  nside: number;
  /** Ordering of the returned maps. */
  ordering: Ordering;
  /** ORDERING keyword of the file (null if absent: RING assumed, as healpy). */
  fileOrdering: Ordering | null;
  /** INDXSCHM: IMPLICIT (full sky) or EXPLICIT (partial sky, expanded with UNSEEN). */
  indexScheme: 'IMPLICIT' | 'EXPLICIT';
  /** COORDSYS keyword (e.g. 'G', 'C', 'E'), or null. */
  coordsys: string | null;
  /** Names (TTYPE) of the returned maps. */
  names: string[];
  /** Units (TUNIT) of the returned maps (null when absent). */
  units: (string | null)[];
  /** The maps, 12·nside² values each (Float64Array). */
  maps: Float64Array[];
  /** EXPLICIT files: the pixel indices present in the file (in the file's ordering). */
  pixels: Int32Array | null;
  /** Header of the map HDU, and of the primary HDU. */
  header: FitsHeader;
  primaryHeader: FitsHeader;
}

function orderingOf(v: FitsValue | undefined, name: string): Ordering | null {
  if (v === undefined || v === null) return null;
  const s = String(v).trim().toUpperCase();
  if (s === 'RING') return 'RING';
  if (s === 'NESTED' || s === 'NEST') return 'NESTED';
  throw new FitsError(name, `ORDERING must be 'RING' or 'NESTED'. Value: '${String(v)}'.`);
}

/** Reads HEALPix maps from FITS bytes (see the module comment); `name` appears in errors. */
export function parseHealpixMap(bytes: Uint8Array, name = '<buffer>', options: ReadHealpixOptions = {}): HealpixMapFile {
  const hdus = parseFits(bytes, name);
  let hdu: FitsHdu | undefined;
  if (options.hdu !== undefined) {
    hdu = hdus[options.hdu];
    if (!hdu) throw new FitsError(name, `HDU ${options.hdu} does not exist (the file has ${hdus.length} HDUs).`);
    if (hdu.type !== 'BINTABLE') throw new FitsError(name, `HDU ${options.hdu} is ${hdu.type}, not a BINTABLE: HEALPix maps are binary tables.`);
  } else {
    hdu = hdus.find((h) => h.type === 'BINTABLE');
    if (!hdu) throw new FitsError(name, `no BINTABLE extension (HDUs: ${hdus.map((h) => h.type).join(', ')}): HEALPix maps are binary tables.`);
  }
  const h = hdu.header;
  const pixtype = h.get('PIXTYPE');
  if (pixtype !== undefined && String(pixtype).trim().toUpperCase() !== 'HEALPIX') {
    throw new FitsError(name, `PIXTYPE must be 'HEALPIX'. Value: '${String(pixtype)}'.`);
  }
  const cols = tableColumns(hdu, name);
  const rows = intKey(h, 'NAXIS2', name, hdu.index);
  const obj = String(h.get('OBJECT') ?? '').trim().toUpperCase();
  const schm = String(h.get('INDXSCHM') ?? '').trim().toUpperCase();
  if (schm !== '' && schm !== 'IMPLICIT' && schm !== 'EXPLICIT') throw new FitsError(name, `INDXSCHM must be IMPLICIT or EXPLICIT. Value: '${schm}'.`);
  const explicit = schm === 'EXPLICIT' || (schm === '' && obj === 'PARTIAL');
  if ((schm === 'EXPLICIT' && obj === 'FULLSKY') || (schm === 'IMPLICIT' && obj === 'PARTIAL')) {
    throw new FitsError(name, `INDXSCHM = ${schm} contradicts OBJECT = ${obj}.`);
  }
  const fileOrdering = orderingOf(h.get('ORDERING'), name);
  const mapCols = explicit ? cols.slice(1) : cols;
  const candidates = mapCols.filter((c) => NUMERIC.has(c.code));
  let chosen: FitsColumn[];
  if (options.fields) {
    chosen = options.fields.map((f) => {
      const c = typeof f === 'number' ? mapCols[f] : mapCols.find((x) => x.name.toUpperCase() === f.toUpperCase());
      if (!c) throw new FitsError(name, `column ${typeof f === 'number' ? `#${f}` : `'${f}'`} not found. Map columns: ${mapCols.map((x) => x.name).join(', ')}.`);
      return c;
    });
  } else {
    chosen = candidates;
  }
  if (chosen.length === 0) throw new FitsError(name, `HDU ${hdu.index} has no numeric map column.`);

  const nsideKey = h.get('NSIDE');
  let nside: number;
  let pixels: Int32Array | null = null;
  const badData = h.get('BAD_DATA');
  const clean = (m: Float64Array): Float64Array => {
    for (let i = 0; i < m.length; i++) {
      const v = m[i]!;
      if (isUnseen(v) || (typeof badData === 'number' && v === badData)) m[i] = UNSEEN;
    }
    return m;
  };
  let maps: Float64Array[];
  if (!explicit) {
    const counts = chosen.map((c) => rows * c.repeat);
    const npix = counts[0]!;
    const bad = chosen.find((c, i) => counts[i] !== npix);
    if (bad) throw new FitsError(name, `columns hold different pixel counts (${chosen.map((c, i) => `${c.name}: ${counts[i]}`).join(', ')}).`);
    if (nsideKey === undefined) {
      if (!isNpixOk(npix)) throw new FitsError(name, `no NSIDE keyword, and the pixel count NAXIS2 × repeat = ${rows} × ${chosen[0]!.repeat} = ${npix} is not 12·nside².`);
      nside = Math.round(Math.sqrt(npix / 12));
    } else {
      if (typeof nsideKey !== 'number' || !isNsideOk(nsideKey)) throw new FitsError(name, `NSIDE must be an integer in [1, 8192]. Value: ${String(nsideKey)}.`);
      nside = nsideKey;
      if (npix !== 12 * nside * nside) {
        throw new FitsError(name, `NSIDE = ${nside} needs ${12 * nside * nside} pixels, but column '${chosen[0]!.name}' holds NAXIS2 × repeat = ${rows} × ${chosen[0]!.repeat} = ${npix} (NAXIS2 mismatch).`);
      }
    }
    const first = h.get('FIRSTPIX');
    const last = h.get('LASTPIX');
    if ((typeof first === 'number' && first !== 0) || (typeof last === 'number' && last !== npix - 1)) {
      throw new FitsError(name, `FIRSTPIX/LASTPIX = ${String(first)}/${String(last)} do not cover the ${npix} pixels of an IMPLICIT full-sky map.`);
    }
    maps = chosen.map((c) => clean(readColumn(bytes, hdu, c, name)));
  } else {
    if (typeof nsideKey !== 'number' || !isNsideOk(nsideKey)) throw new FitsError(name, `an EXPLICIT (partial-sky) map needs an NSIDE keyword in [1, 8192]. Value: ${String(nsideKey)}.`);
    nside = nsideKey;
    const npix = 12 * nside * nside;
    const pixCol = cols[0]!;
    if (!'BIJK'.includes(pixCol.code)) throw new FitsError(name, `EXPLICIT map: the first column ('${pixCol.name}') must hold integer pixel indices. TFORM: '${pixCol.tform}'.`);
    const pix = readColumn(bytes, hdu, pixCol, name);
    pixels = new Int32Array(pix.length);
    for (let i = 0; i < pix.length; i++) {
      const p = pix[i]!;
      if (!Number.isInteger(p) || p < 0 || p >= npix) throw new FitsError(name, `EXPLICIT map: pixel index ${p} (row ${Math.floor(i / pixCol.repeat) + 1}) is outside [0, ${npix - 1}] for NSIDE ${nside}.`);
      pixels[i] = p;
    }
    maps = chosen.map((c) => {
      if (rows * c.repeat !== pix.length) throw new FitsError(name, `EXPLICIT map: column '${c.name}' holds ${rows * c.repeat} values for ${pix.length} pixel indices.`);
      const values = clean(readColumn(bytes, hdu, c, name));
      const full = new Float64Array(npix).fill(UNSEEN);
      for (let i = 0; i < values.length; i++) full[pixels![i]!] = values[i]!;
      return full;
    });
  }
  if (fileOrdering === 'NESTED' || options.ordering === 'NESTED') {
    if (!isNsideOk(nside, { nest: true })) throw new FitsError(name, `NSIDE ${nside} is not a power of two, as the NESTED ordering needs.`);
  }
  const from = fileOrdering ?? 'RING';
  const to = options.ordering ?? from;
  if (to !== from) maps = maps.map((m) => reorder(m, from === 'RING' ? 'r2n' : 'n2r'));
  const coordsys = h.get('COORDSYS');
  return {
    file: name,
    nside,
    ordering: to,
    fileOrdering,
    indexScheme: explicit ? 'EXPLICIT' : 'IMPLICIT',
    coordsys: coordsys === undefined || coordsys === null ? null : String(coordsys).trim(),
    names: chosen.map((c) => c.name),
    units: chosen.map((c) => c.unit),
    maps,
    pixels,
    header: h,
    primaryHeader: hdus[0]!.header,
  };
}

/** Reads HEALPix maps from a FITS file (see parseHealpixMap). */
export async function readHealpixMap(path: string, options: ReadHealpixOptions = {}): Promise<HealpixMapFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new FitsError(path, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { cause: err });
  }
  return parseHealpixMap(bytes, path, options);
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/** Column types the writer produces. */
export type FitsMapType = 'E' | 'D' | 'J' | 'K' | 'I' | 'B';

/** Options of writeHealpixMap / serializeHealpixMap. */
export interface WriteHealpixOptions {
  /** Ordering of the given maps (written as ORDERING). Default 'RING'. */
  ordering?: Ordering;
  /** TTYPE names. Default healpy's: TEMPERATURE; Q/U_POLARISATION; TEMPERATURE, Q_, U_POLARISATION; else C1, C2, … */
  columnNames?: string[];
  /** TUNIT, one for all columns or one per column. */
  units?: string | (string | null)[];
  /** Column type: E (float32), D (float64), J/K/I/B (integers: UNSEEN and NaN become TNULL). Default E for Float32Array maps, D otherwise. */
  dtype?: FitsMapType;
  /** Elements per row (vector column, e.g. 1024); must divide the pixel count. Default 1. */
  repeat?: number;
  /** COORDSYS keyword ('G', 'E', 'C'). */
  coordsys?: string;
  /** Write only pixels that are not UNSEEN in the first map, with a PIXEL column (INDXSCHM EXPLICIT, OBJECT PARTIAL). */
  partial?: boolean;
  /** Extra cards for the BINTABLE header: [keyword, value, comment?]. */
  extraHeader?: [string, FitsValue, string?][];
  /** Replace an existing file (default false: FitsError if it exists). */
  overwrite?: boolean;
}

function formatValue(v: FitsValue, key: string, name: string): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return (v ? 'T' : 'F').padStart(20);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new FitsError(name, `card ${key}: header values must be finite numbers. Value: ${v}.`);
    if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v).padStart(20);
    let s = String(v).toUpperCase();
    if (!s.includes('.') && !s.includes('E')) s += '.0';
    return s.padStart(20);
  }
  const quoted = `'${v.replace(/'/g, "''").padEnd(8)}'`;
  return quoted;
}

function makeCard(name: string, key: string, value: FitsValue, comment = ''): string {
  if (!/^[A-Z0-9_-]{1,8}$/.test(key)) throw new FitsError(name, `invalid header keyword '${key}': 1–8 characters of A–Z, 0–9, '_' or '-'.`);
  if (/[^\x20-\x7e]/.test(String(value ?? '') + comment)) throw new FitsError(name, `card ${key}: values and comments must be printable ASCII.`);
  let text = `${key.padEnd(8)}= ${formatValue(value, key, name)}`;
  if (comment && text.length + 3 + comment.length <= CARD) text += ` / ${comment}`;
  if (text.length > CARD) throw new FitsError(name, `card ${key} does not fit in 80 characters: ${text}`);
  return text.padEnd(CARD);
}

function headerBytes(cards: string[]): Uint8Array {
  const all = [...cards, 'END'.padEnd(CARD)];
  const n = Math.ceil((all.length * CARD) / BLOCK) * BLOCK;
  const out = new Uint8Array(n).fill(32);
  let pos = 0;
  for (const c of all) {
    for (let i = 0; i < CARD; i++) out[pos + i] = c.charCodeAt(i);
    pos += CARD;
  }
  return out;
}

const INT_RANGE: Record<string, [number, number]> = { B: [0, 255], I: [-32768, 32767], J: [-2147483648, 2147483647], K: [-(2 ** 53), 2 ** 53] };
const TNULL: Record<string, number> = { B: 255, I: -32768, J: -2147483648, K: -(2 ** 53) };

/** FITS bytes of a HEALPix map file (primary HDU + BINTABLE); see WriteHealpixOptions. */
export function serializeHealpixMap(maps: FloatArray | FloatArray[], options: WriteHealpixOptions = {}, name = '<buffer>'): Uint8Array {
  const card = (key: string, value: FitsValue, comment = ''): string => makeCard(name, key, value, comment);
  const list = Array.isArray(maps) ? maps : [maps];
  if (list.length === 0) throw new FitsError(name, 'no map to write.');
  const npix = list[0]!.length;
  if (!isNpixOk(npix)) throw new FitsError(name, `map length must be 12·nside². Value: ${npix}.`);
  if (list.some((m) => m.length !== npix)) throw new FitsError(name, `all maps must have ${npix} pixels. Values: ${list.map((m) => m.length).join(', ')}.`);
  const nside = Math.round(Math.sqrt(npix / 12));
  const ordering = options.ordering ?? 'RING';
  if (ordering !== 'RING' && ordering !== 'NESTED') throw new FitsError(name, `option 'ordering' must be 'RING' or 'NESTED'. Value: ${String(ordering)}.`);
  if (ordering === 'NESTED' && !isNsideOk(nside, { nest: true })) throw new FitsError(name, `NESTED ordering needs a power-of-two nside. Value: ${nside}.`);
  const dtype = options.dtype ?? (list[0] instanceof Float32Array ? 'E' : 'D');
  if (!NUMERIC.has(dtype)) throw new FitsError(name, `option 'dtype' must be one of E, D, J, K, I, B. Value: ${String(dtype)}.`);
  const standard: Record<number, string[]> = { 1: ['TEMPERATURE'], 2: ['Q_POLARISATION', 'U_POLARISATION'], 3: ['TEMPERATURE', 'Q_POLARISATION', 'U_POLARISATION'] };
  const names = options.columnNames ?? standard[list.length] ?? list.map((_, i) => `C${i + 1}`);
  if (names.length !== list.length) throw new FitsError(name, `option 'columnNames' needs ${list.length} names. Value: ${names.length}.`);
  const units = typeof options.units === 'string' ? list.map(() => options.units as string) : (options.units ?? list.map(() => null));
  if (units.length !== list.length) throw new FitsError(name, `option 'units' needs ${list.length} entries. Value: ${units.length}.`);

  // rows: pixel list for partial maps
  let pix: Int32Array | null = null;
  if (options.partial) {
    const keep: number[] = [];
    for (let p = 0; p < npix; p++) if (!isUnseen(list[0]![p]!)) keep.push(p);
    if (keep.length === 0) throw new FitsError(name, 'partial map: every pixel of the first map is UNSEEN.');
    pix = Int32Array.from(keep);
  }
  const nvalues = pix ? pix.length : npix;
  const repeat = options.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1 || nvalues % repeat !== 0) {
    throw new FitsError(name, `option 'repeat' must be a positive integer dividing the ${nvalues} values per column. Value: ${repeat}.`);
  }
  const rows = nvalues / repeat;
  const pixCode = npix > 2147483647 ? 'K' : 'J';
  const colsSpec = [
    ...(pix ? [{ name: 'PIXEL', code: pixCode, unit: null as string | null }] : []),
    ...names.map((n, i) => ({ name: n, code: dtype, unit: units[i] ?? null })),
  ];
  const rowBytes = colsSpec.reduce((s, c) => s + WIDTH[c.code]! * repeat, 0);
  const cards: string[] = [
    card('XTENSION', 'BINTABLE', 'binary table extension'),
    card('BITPIX', 8, 'array data type'),
    card('NAXIS', 2, 'number of array dimensions'),
    card('NAXIS1', rowBytes, 'length of a row in bytes'),
    card('NAXIS2', rows, 'number of rows'),
    card('PCOUNT', 0, 'number of group parameters'),
    card('GCOUNT', 1, 'number of groups'),
    card('TFIELDS', colsSpec.length, 'number of table fields'),
  ];
  colsSpec.forEach((c, i) => {
    cards.push(card(`TTYPE${i + 1}`, c.name, 'label for field'));
    cards.push(card(`TFORM${i + 1}`, `${repeat}${c.code}`, 'data format of field'));
    if (c.unit) cards.push(card(`TUNIT${i + 1}`, c.unit, 'physical unit of field'));
    if (c.name !== 'PIXEL' && c.code in TNULL) cards.push(card(`TNULL${i + 1}`, TNULL[c.code]!, 'UNSEEN and NaN pixels'));
  });
  cards.push(card('PIXTYPE', 'HEALPIX', 'HEALPIX pixelisation'));
  cards.push(card('ORDERING', ordering, 'Pixel ordering scheme, either RING or NESTED'));
  if (options.coordsys) cards.push(card('COORDSYS', options.coordsys, 'Ecliptic, Galactic or Celestial (equatorial)'));
  cards.push(card('EXTNAME', 'xtension', 'name of this binary table extension'));
  cards.push(card('NSIDE', nside, 'Resolution parameter of HEALPIX'));
  cards.push(card('FIRSTPIX', 0, 'First pixel # (0 based)'));
  cards.push(card('LASTPIX', npix - 1, 'Last pixel # (0 based)'));
  cards.push(card('INDXSCHM', pix ? 'EXPLICIT' : 'IMPLICIT', 'Indexing: IMPLICIT or EXPLICIT'));
  cards.push(card('OBJECT', pix ? 'PARTIAL' : 'FULLSKY', 'Sky coverage, either FULLSKY or PARTIAL'));
  if (dtype === 'E' || dtype === 'D') cards.push(card('BAD_DATA', UNSEEN, 'Sentinel value given to bad pixels'));
  for (const [k, v, c] of options.extraHeader ?? []) cards.push(card(k.toUpperCase(), v, c ?? ''));

  const primary = headerBytes([
    card('SIMPLE', true, 'conforms to FITS standard'),
    card('BITPIX', 8, 'array data type'),
    card('NAXIS', 0, 'number of array dimensions'),
    card('EXTEND', true),
  ]);
  const ext = headerBytes(cards);
  const dataLen = rowBytes * rows;
  const data = new Uint8Array(Math.ceil(dataLen / BLOCK) * BLOCK);
  const view = new DataView(data.buffer);
  let colOffset = 0;
  for (const [ci, c] of colsSpec.entries()) {
    const values: ArrayLike<number> = pix && ci === 0 ? pix : list[ci - (pix ? 1 : 0)]!;
    const w = WIDTH[c.code]!;
    for (let v = 0; v < nvalues; v++) {
      const src = pix ? pix[v]! : v;
      let x = pix && ci === 0 ? values[v]! : values[src]!;
      const off = Math.floor(v / repeat) * rowBytes + colOffset + (v % repeat) * w;
      switch (c.code) {
        case 'E':
          view.setFloat32(off, x, false);
          break;
        case 'D':
          view.setFloat64(off, x, false);
          break;
        default: {
          const isPixel = pix !== null && ci === 0;
          if (!isPixel && (Number.isNaN(x) || isUnseen(x))) x = TNULL[c.code]!;
          else {
            const [lo, hi] = INT_RANGE[c.code]!;
            if (!Number.isInteger(x) || x < lo || x > hi || (!isPixel && x === TNULL[c.code])) {
              throw new FitsError(name, `column '${c.name}' (TFORM ${c.code}): value ${x} at pixel ${src} is not an integer in [${lo}, ${hi}]${isPixel ? '' : ' other than TNULL'}.`);
            }
          }
          if (c.code === 'B') view.setUint8(off, x);
          else if (c.code === 'I') view.setInt16(off, x, false);
          else if (c.code === 'J') view.setInt32(off, x, false);
          else view.setBigInt64(off, BigInt(x), false);
        }
      }
    }
    colOffset += w * repeat;
  }
  const out = new Uint8Array(primary.length + ext.length + data.length);
  out.set(primary, 0);
  out.set(ext, primary.length);
  out.set(data, primary.length + ext.length);
  return out;
}

/** Writes HEALPix maps to a FITS file atomically (temporary file, then rename); see WriteHealpixOptions. */
export async function writeHealpixMap(path: string, maps: FloatArray | FloatArray[], options: WriteHealpixOptions = {}): Promise<void> {
  const bytes = serializeHealpixMap(maps, options, path);
  if (!options.overwrite) {
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new FitsError(path, 'the file exists; pass overwrite: true to replace it.');
  }
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, bytes, { flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new FitsError(path, `cannot write the file (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { cause: err });
  }
}
