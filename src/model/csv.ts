/**
 * The one CSV convention of every CSV onepass writes (issue 14, issue 19 §2; the README's table
 * "CSV files" lists each file's columns):
 *  - RFC 4180: comma-separated, a header row, cells quoted only when they hold `"`, `,` or a line
 *    break, rows ended by `\n`;
 *  - column names in snake_case; files indexed by time start with `alpha` and `t`
 *    (src/model/time.ts), both always present whatever the config's `time`;
 *  - overlaps as `q_k_l` (k ≤ l, Q symmetric), `m_k_j`, second-layer weights `v_k`, with the
 *    0-based indices of the npz arrays (`q_0_1` is `Q[..., 0, 1]`);
 *  - numbers at full precision (JavaScript's shortest round-trip form), non-finite ones as
 *    `NaN`, `Infinity`, `-Infinity` (pandas and numpy read all three); a missing value is an
 *    empty cell, never 0.
 * Rows are produced one by one into `write`, so a large file streams (V8 strings stop at 2²⁹
 * characters). Core module: plain data, no Node API.
 */

export type CsvCell = string | number | boolean | null | undefined;

const SNAKE = /^[a-z][a-z0-9_]*$/;

/** One cell as text (see the header). */
export function csvCell(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Writes the header now and returns the row writer. Column names must follow the convention
 * (snake_case; `configColumns`, config keys such as `alphaMax` or `init.studentVariance`, keep the
 * spelling `--set` takes): a name that
 * does not is a programming error, caught by the tests of every writer.
 */
export function csvWriter(columns: readonly string[], write: (chunk: string) => void, configColumns: ReadonlySet<string> = new Set()): (cells: readonly CsvCell[]) => void {
  const bad = columns.find((c) => !SNAKE.test(c) && !configColumns.has(c));
  if (bad !== undefined) throw new Error(`CSV column ${JSON.stringify(bad)} breaks the CSV convention (snake_case)`);
  write(columns.map(csvCell).join(',') + '\n');
  return (cells) => {
    if (cells.length !== columns.length) throw new Error(`CSV row of ${cells.length} cells for ${columns.length} columns`);
    write(cells.map(csvCell).join(',') + '\n');
  };
}

/** A whole (small) CSV as one string. */
export function csvText(columns: readonly string[], rows: Iterable<readonly CsvCell[]>, configColumns?: ReadonlySet<string>): string {
  const parts: string[] = [];
  const row = csvWriter(columns, (c) => parts.push(c), configColumns);
  for (const r of rows) row(r);
  return parts.join('');
}

/** The overlap column names of a p-unit student and p*-unit teacher, in the CSV order. */
export function overlapColumns(p: number, pStar: number, withV: boolean): { q: [number, number][]; names: string[] } {
  const q: [number, number][] = [];
  for (let k = 0; k < p; k++) for (let l = k; l < p; l++) q.push([k, l]);
  const names = q.map(([k, l]) => `q_${k}_${l}`);
  for (let k = 0; k < p; k++) for (let j = 0; j < pStar; j++) names.push(`m_${k}_${j}`);
  if (withV) for (let k = 0; k < p; k++) names.push(`v_${k}`);
  return { q, names };
}
