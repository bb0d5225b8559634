/**
 * Files (Node only): configs in, run folders out. Every output is written atomically (a
 * temporary file in the same folder, then rename), so an interrupted run leaves the old file
 * or the new one, never half of one.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, rmSync, accessSync, constants } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { OnepassError } from '../model/errors.js';

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new OnepassError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Creates the output folder (and parents) and checks it is writable. */
export function prepareOutDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new OnepassError(`--out ${dir}: cannot create or write this folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Reads and parses a JSON config file, with one-line errors for missing files and bad JSON. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new OnepassError(`--config ${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')); // a UTF-8 byte-order mark (Windows editors) is not JSON
  } catch (err) {
    throw new OnepassError(`--config ${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** Rasterises an SVG to PNG at twice its size (resvg, system fonts). */
export function svgToPng(svg: string): Uint8Array {
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}
