/**
 * Axis scales of the figures (`--plot-scale`) and the one tick-label style they share. Tiny and
 * dependency-free: the CLI validates the option before loading any plotting code.
 */
import { ConfigError } from '../model/errors.js';

/** Which axes are logarithmic: both, y only (linear α: Saad–Solla's plateaus), x only, neither. */
export type PlotScale = 'loglog' | 'logy' | 'logx' | 'linear';

const SCALES: Record<string, PlotScale> = { loglog: 'loglog', logy: 'logy', linx: 'logy', logx: 'logx', linear: 'linear' };

/** Reads `--plot-scale`; `linx` (linear x, log loss) is another name of `logy`. */
export function parsePlotScale(raw: string, field = '--plot-scale'): PlotScale {
  const s = SCALES[raw.trim()];
  if (!s) throw new ConfigError(field, `expected loglog, logy (linear x, log y; also linx), logx or linear (got "${raw}")`);
  return s;
}

export const axesOf = (s: PlotScale) => ({ xLog: s === 'loglog' || s === 'logx', yLog: s === 'loglog' || s === 'logy' });

const SUPERSCRIPT: Record<string, string> = { '−': '⁻', '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/** A Vega expression that writes an exact power of ten as 10ᵏ (e.g. 10⁻³) and every other value as "" (the minor ticks). */
export function powerOfTenLabelExpr(): string {
  let k = "format(round(log(datum.value) / LN10), 'd')";
  // Vega's replace() swaps the first occurrence: an exponent of a double has one minus sign at most (d3 writes U+2212) and
  // three digits, so each digit is swapped three times.
  for (const [c, sup] of Object.entries(SUPERSCRIPT)) for (let i = 0; i < (c === '-' || c === '−' ? 1 : 3); i++) k = `replace(${k}, '${c}', '${sup}')`;
  return `abs(log(datum.value) / LN10 - round(log(datum.value) / LN10)) < 1e-6 ? '10' + ${k} : ''`;
}

/** The tick-label style of an axis: 10ᵏ at powers of ten on a log axis spanning a decade or more, else plain numbers (d3 "~g": 160, 0.0002, 1e-7). */
export function tickLabels(log: boolean, min: number, max: number): { labelExpr: string } {
  // An expression, not `format`: Vega would trim a format's precision to the tick step ("1.6e+2").
  return { labelExpr: log && max / min >= 10 ? powerOfTenLabelExpr() : "format(datum.value, '~g')" };
}
