/**
 * numpy's file formats, written (and read back) by hand from the specification
 * (numpy.lib.format, "NPY format version 1.0"): an .npy file is
 *   the magic "\x93NUMPY", the version bytes 1 0, a little-endian uint16 header length,
 *   an ASCII header — a Python dict literal {'descr': …, 'fortran_order': False, 'shape': (…), }
 *   padded with spaces and ended by '\n' so that the data starts at a multiple of 64 bytes —
 *   then the data in C order.
 * Two dtypes are used: '<f8' (little-endian float64) for numbers and '<U n' (n UTF-32LE code
 * points per element) for strings, both of which `np.load` reads without `allow_pickle`.
 * An .npz is a zip of such files named `<key>.npy`, stored uncompressed (as `np.savez`) or, when
 * asked, deflated (as `np.savez_compressed`; `np.load` reads both); the zip container is
 * fflate's streaming Zip (browser-safe), so arrays stream chunk by chunk and memory stays bounded.
 * A sweep store deflates each point's archive: a wide run that keeps no overlap matrices
 * (saveOverlaps "none") still has a T × p × p array of NaN for Q, 105 MB at p = 256 and
 * 200 save points, which deflates about a thousandfold.
 * The zip format without its zip64 extension stops at 4 GiB: larger archives are refused (the run
 * memory cap of src/model/budget.ts keeps a run's arrays well below it).
 *
 * Core module: plain data, no Node API.
 */
import { Inflate, Zip, ZipDeflate, ZipPassThrough, unzipSync } from 'fflate';
import { OnepassError } from './errors.js';

export type NpyDtype = '<f8' | `<U${number}`;

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
/** The zip format's limit without zip64 (sizes and offsets are uint32). */
export const ZIP32_LIMIT = 2 ** 32 - 1;
/**
 * Data goes to the zip in pieces of at most this many bytes: fflate deflates each push at once
 * into an output buffer of about the push's size, so a 105 MB array pushed whole doubled the
 * memory it took; in 1 MiB pieces deflating adds about 1 MiB whatever the array.
 */
const PUSH_BYTES = 1 << 20;

/** The .npy header (magic to '\n') of an array of `descr` and `shape`, format 1.0. */
export function npyHeader(descr: NpyDtype, shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // 10 bytes of magic, version and length; the header ends in '\n' at a multiple of 64.
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(total - 10 - 1, ' ') + '\n';
  if (dict.length > 0xffff) throw new Error('npy header longer than format 1.0 allows');
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1; out[7] = 0;
  out[8] = dict.length & 0xff; out[9] = dict.length >> 8;
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  return out;
}

const littleEndian = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** The bytes of `values` as '<f8' (a view when the platform is little-endian, as every current one is). */
export function f8Bytes(values: Float64Array): Uint8Array {
  if (littleEndian) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(8 * i, values[i], true);
  return out;
}

/** Code points of a string (a string's length counts UTF-16 units, '<U n' counts code points). */
const codePoints = (s: string) => Array.from(s, (c) => c.codePointAt(0)!);

/** A string array as '<U n' data: each element padded with zeros to n code points, UTF-32LE. */
export function unicodeArray(strings: readonly string[]): { descr: NpyDtype; bytes: Uint8Array } {
  const points = strings.map(codePoints);
  const n = Math.max(1, ...points.map((p) => p.length));
  const bytes = new Uint8Array(4 * n * strings.length);
  const view = new DataView(bytes.buffer);
  points.forEach((cps, i) => cps.forEach((cp, j) => view.setUint32(4 * (i * n + j), cp, true)));
  return { descr: `<U${n}`, bytes };
}

/** One array of an npz: its key (without .npy), dtype, shape, and its data produced in chunks, C order. */
export interface NpzEntry {
  readonly name: string;
  readonly descr: NpyDtype;
  readonly shape: readonly number[];
  readonly data: (emit: (chunk: Uint8Array) => void) => void;
}

/** A float64 array whose data is produced by `fill` in C order, in chunks of any size. */
export function f8Entry(name: string, shape: readonly number[], fill: (emit: (chunk: Float64Array) => void) => void): NpzEntry {
  return {
    name, descr: '<f8', shape,
    data: (emit) => {
      // Small pieces (one p×p matrix) are gathered into 1 MiB chunks: one zip record and one
      // write per MiB, not per matrix. A fresh buffer after each flush: the consumer may keep the view.
      const SIZE = 1 << 17;
      let buf = new Float64Array(SIZE), used = 0;
      const flush = () => { if (used) { emit(f8Bytes(buf.subarray(0, used))); buf = new Float64Array(SIZE); used = 0; } };
      fill((c) => {
        if (c.length >= SIZE) { flush(); emit(f8Bytes(c)); return; }
        if (used + c.length > SIZE) flush();
        buf.set(c, used); used += c.length;
      });
      flush();
    },
  };
}

/** A 0-d ('<U n', shape ()) or 1-d string array. */
export function stringEntry(name: string, value: string | readonly string[]): NpzEntry {
  const { descr, bytes } = unicodeArray(typeof value === 'string' ? [value] : value);
  return { name, descr, shape: typeof value === 'string' ? [] : [value.length], data: (emit) => emit(bytes) };
}

const itemSize = (descr: NpyDtype) => (descr === '<f8' ? 8 : 4 * Number(descr.slice(2)));

/**
 * Writes an .npz of `entries` into `write`, one array at a time: nothing larger than one chunk
 * of one array is held. Each entry's produced byte count is checked against its shape (a
 * mismatch would be a file numpy refuses: it is a programming error, thrown here).
 * The zip's timestamps are fixed (1980-01-01), so equal data gives equal bytes. `compress`: each
 * member deflated (level 1: the NaN runs it is for deflate as well at level 1 as at 9, and real
 * float64 data hardly at all at any level).
 */
export function writeNpz(entries: Iterable<NpzEntry>, write: (chunk: Uint8Array) => void, options: { readonly compress?: boolean } = {}): void {
  let size = 0;
  let error: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) { error = err; return; }
    size += chunk.length;
    if (size > ZIP32_LIMIT) throw new OnepassError(`an .npz of more than 4 GiB cannot be written (the zip format without zip64): lower savePoints, p or runs`);
    write(chunk);
  });
  const names = new Set<string>();
  for (const e of entries) {
    if (names.has(e.name)) throw new Error(`npz key ${e.name} given twice`);
    names.add(e.name);
    const expected = itemSize(e.descr) * e.shape.reduce((a, b) => a * b, 1);
    // A deflated member records its uncompressed size in 32 bits too.
    if (options.compress && expected > ZIP32_LIMIT) throw new OnepassError(`npz key ${e.name}: an array of more than 4 GiB cannot be written (the zip format without zip64): lower savePoints, p or runs`);
    const file = options.compress ? new ZipDeflate(`${e.name}.npy`, { level: 1 }) : new ZipPassThrough(`${e.name}.npy`);
    file.mtime = new Date(1980, 0, 1);
    zip.add(file);
    file.push(npyHeader(e.descr, e.shape));
    let bytes = 0;
    e.data((chunk) => {
      bytes += chunk.length;
      for (let at = 0; at < chunk.length; at += PUSH_BYTES) file.push(chunk.subarray(at, at + PUSH_BYTES));
    });
    if (bytes !== expected) throw new Error(`npz key ${e.name}: ${bytes} bytes of data for shape (${e.shape.join(', ')}) of ${e.descr} (${expected} expected)`);
    file.push(new Uint8Array(0), true);
  }
  zip.end();
  if (error) throw error;
}

/** An .npz in memory (small archives: tests, one sweep point, deflated when `compress`). */
export function npzBytes(entries: Iterable<NpzEntry>, options: { readonly compress?: boolean } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  writeNpz(entries, (c) => parts.push(c.slice()), options);
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** An array read back from .npy bytes: float64 data, or strings. */
export interface NpyArray {
  readonly descr: NpyDtype;
  readonly shape: number[];
  readonly data: Float64Array | string[];
}

/** An .npy file taken apart: dtype, shape and the raw data bytes (C order). */
export interface NpyParts { readonly descr: NpyDtype; readonly shape: number[]; readonly data: Uint8Array }

/**
 * Takes .npy bytes apart by the specification (versions 1.0–3.0, C order), independently of
 * the writer above: the header is read as the dict text it is.
 */
export function npyParts(bytes: Uint8Array): NpyParts {
  if (!MAGIC.every((b, i) => bytes[i] === b)) throw new Error('not an .npy file (magic)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`npy header not understood: ${header}`);
  if (fortran !== 'False') throw new Error('npy: Fortran order is not supported');
  if (descr !== '<f8' && !/^<U\d+$/.test(descr)) throw new Error(`npy: dtype ${descr} is not supported`);
  const shape = shapeText.split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  return { descr: descr as NpyDtype, shape, data: bytes.subarray(start + headerLen) };
}

/** Parses .npy bytes ('<f8' and '<U n') into numbers or strings. */
export function parseNpy(bytes: Uint8Array): NpyArray {
  const { descr, shape, data: raw } = npyParts(bytes);
  const count = shape.reduce((a, b) => a * b, 1);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (descr === '<f8') {
    const data = new Float64Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat64(8 * i, true);
    return { descr, shape, data };
  }
  const n = Number(descr.slice(2));
  const data: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    for (let j = 0; j < n; j++) {
      const cp = view.getUint32(4 * (i * n + j), true);
      if (cp === 0) break;
      s += String.fromCodePoint(cp);
    }
    data.push(s);
  }
  return { descr, shape, data };
}

/** Every array of an .npz, by key (the member name without .npy). */
export function parseNpz(bytes: Uint8Array): Map<string, NpyArray> {
  return new Map([...npzMembers(bytes)].map(([k, v]) => [k, parseNpy(v)]));
}

/**
 * The arrays of an .npz as entries for `writeNpz`, one member at a time and streamed: each
 * member's dtype and shape read from its .npy header, its data produced as it is inflated, in
 * pieces of at most about 1 MiB (compressed input is fed 1 KiB at a time: deflate expands at
 * most ≈ 1032-fold). So re-writing an archive holds no whole array, whatever its size (a stored
 * sweep point's Q can be 105 MB of NaN in a few hundred kB). Members stored or deflated, as
 * `np.savez` and `np.savez_compressed` write them; sizes are read from the central directory
 * (this writer's members carry data descriptors). An entry's data can be produced once.
 */
export function* npzEntries(bytes: Uint8Array): Generator<NpzEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = bytes.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) end--;
  if (end < 0) throw new Error('not a zip archive (no end of central directory)');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  for (let i = 0; i < count; i++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error('zip central directory damaged');
    const method = view.getUint16(at + 10, true), compressed = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    const local = view.getUint32(at + 42, true);
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    if (!name.endsWith('.npy')) throw new Error(`npz member ${name} is not an .npy file`);
    if (method !== 0 && method !== 8) throw new Error(`npz member ${name}: compression method ${method} is not supported (stored or deflated only)`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const data = bytes.subarray(start, start + compressed);
    yield method === 0 ? storedEntry(name.slice(0, -4), data) : deflatedEntry(name.slice(0, -4), data);
  }
}

/** An npz entry of stored .npy bytes: the data after the header, in 1 MiB views. */
function storedEntry(name: string, npy: Uint8Array): NpzEntry {
  const { descr, shape, data } = npyParts(npy);
  return { name, descr, shape, data: (emit) => { for (let at = 0; at < data.length; at += PUSH_BYTES) emit(data.subarray(at, at + PUSH_BYTES)); } };
}

/** An npz entry of deflated .npy bytes: inflated until its header is read, the rest as `data` runs. */
function deflatedEntry(name: string, compressed: Uint8Array): NpzEntry {
  const SLICE = 1024;
  let pending: Uint8Array[] = [];
  let sink: ((c: Uint8Array) => void) | null = null;
  const inflate = new Inflate((chunk) => { if (sink) sink(chunk); else pending.push(chunk); });
  let at = 0;
  const step = () => { const next = Math.min(compressed.length, at + SLICE); inflate.push(compressed.subarray(at, next), next === compressed.length); at = next; };
  const joined = () => { const out = new Uint8Array(pending.reduce((a, c) => a + c.length, 0)); let o = 0; for (const c of pending) { out.set(c, o); o += c.length; } pending = [out]; return out; };
  // The header: 10 (or 12) bytes, then its stated length (format 1.0: uint16 at 8; 2.0 and 3.0: uint32).
  const headerEnd = (b: Uint8Array) => (b.length < 12 ? Infinity : b[6] === 1 ? 10 + (b[8] | (b[9] << 8)) : 12 + new DataView(b.buffer, b.byteOffset).getUint32(8, true));
  let head = joined();
  while (head.length < headerEnd(head) && at < compressed.length) { step(); head = joined(); }
  const { descr, shape, data: first } = npyParts(head);
  return {
    name, descr, shape,
    data: (emit) => {
      if (first.length) emit(first);
      sink = emit;
      while (at < compressed.length) step();
      sink = null;
    },
  };
}

/** The .npy bytes of every member of an .npz, by key, in the archive's order. */
export function npzMembers(bytes: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(unzipSync(bytes))) {
    if (!name.endsWith('.npy')) throw new Error(`npz member ${name} is not an .npy file`);
    out.set(name.slice(0, -4), data);
  }
  return out;
}
