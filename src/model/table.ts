/**
 * A table of plain cells: the shape sweeps produce (sweep/table.ts) and figures read
 * (plot/phase.ts). It lives here, below both, so plotting does not depend on the sweep layer
 * (issue 14). Core module: plain data, no Node API.
 */
import { ConfigError } from './errors.js';

export type Cell = string | number | boolean | null;
export interface Table { readonly columns: string[]; readonly rows: Cell[][] }

/** The index of column `name`, or a ConfigError naming `what` (the option that asked for it). */
export function columnIndex(t: Table, name: string, what: string): number {
  const i = t.columns.indexOf(name);
  if (i < 0) throw new ConfigError(what, `no column "${name}" (columns: ${t.columns.join(', ')})`);
  return i;
}
