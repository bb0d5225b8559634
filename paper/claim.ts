/**
 * What a claim module returns: its checks (one per regime it is decided in), the tables of what
 * was measured (predictions beside measurements, the sensitivity to η), figure specs, and notes,
 * every sentence of which is built from numbers of this run. The report renderer
 * (paper/report.ts) turns claims into Markdown; nothing here knows about Markdown or files.
 */
import type { curvesFigureSpec } from '../src/index.js';
import type { Check } from './check.js';
import type { Measurements } from './measure.js';

export interface Table {
  readonly caption: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface Figure {
  /** File name without extension: NAME.svg and NAME.png. */
  readonly name: string;
  readonly spec: ReturnType<typeof curvesFigureSpec>;
}

export interface Claim {
  readonly id: string;
  /** The report section it belongs to (claims of one section are rendered together). */
  readonly section: string;
  readonly statement: string;
  readonly checks: Check[];
  readonly tables: Table[];
  readonly figures: Figure[];
  readonly notes: string[];
}

/** A claim module: decides its claim from the shared measurements. */
export type ClaimModule = (m: Measurements) => Claim;
