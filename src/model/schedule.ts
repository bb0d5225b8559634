/**
 * Training protocols: the learning-rate schedule η(α) and the mini-batch size n_b, and what the
 * solvers need from them. Time is α = samples/N throughout (one SGD step of n_b samples advances α
 * by n_b/N); a schedule is a function of that α, never of the step count, so the same config means
 * the same protocol at every batch size.
 *
 *   constant:  η(α) = η                                  (`eta`: a number)
 *   power:     η(α) = η0 (1 + α/α0)^(−β)                 (`{"schedule": "power", eta0, alpha0, exponent}`)
 *   piecewise: η(α) = η_i for α_{i−1} ≤ α < α_i          (`{"schedule": "piecewise", values, until}`)
 *
 * A piecewise schedule with as many values as `until` entries keeps its last value after the last
 * `until` (that entry is then no jump). The SGD step at α uses η(α) at the step's start; the ODE
 * uses the effective rate η(α)/n_b (src/ode/protocol.ts derives why) and is integrated across the
 * jumps of a piecewise schedule segment by segment, each jump a step boundary.
 * Plain data and pure functions (no zod): the sweep's workers and the browser import it.
 */
import { pow } from '../math/pow.js';

export interface PowerSchedule {
  readonly schedule: 'power';
  readonly eta0: number;
  readonly alpha0: number;
  readonly exponent: number;
}

export interface PiecewiseSchedule {
  readonly schedule: 'piecewise';
  readonly values: number[];
  readonly until: number[];
}

/** A config's `eta`: a constant or a schedule object. */
export type EtaSpec = number | PowerSchedule | PiecewiseSchedule;

/** η at time α (α = samples/N). */
export function etaAt(spec: EtaSpec, alpha: number): number {
  if (typeof spec === 'number') return spec;
  if (spec.schedule === 'power') return spec.eta0 * pow(1 + alpha / spec.alpha0, -spec.exponent);
  const jumps = scheduleJumps(spec);
  let i = 0;
  while (i < jumps.length && alpha >= jumps[i]) i++;
  return spec.values[i];
}

/** η at α = 0 (the rate a shell quotes for the start of a run). */
export function initialEta(spec: EtaSpec): number {
  return etaAt(spec, 0);
}

/** The α's where a piecewise schedule jumps (increasing); none for the others. */
export function scheduleJumps(spec: EtaSpec): number[] {
  if (typeof spec === 'number' || spec.schedule !== 'piecewise') return [];
  return spec.until.slice(0, spec.values.length - 1);
}

/** True when η does not depend on α (a number, a one-value piecewise schedule, or β = 0). */
export function isConstantEta(spec: EtaSpec): boolean {
  if (typeof spec === 'number') return true;
  if (spec.schedule === 'power') return spec.exponent === 0;
  return spec.values.slice(0, spec.until.length + 1).every((v) => v === spec.values[0]);
}

/** The same schedule with every rate multiplied by f (shape kept): what a scan over η varies. */
export function scaleEta<S extends EtaSpec>(spec: S, f: number): S {
  if (typeof spec === 'number') return (spec * f) as S;
  const s = spec as PowerSchedule | PiecewiseSchedule;
  if (s.schedule === 'power') return { ...s, eta0: s.eta0 * f } as unknown as S;
  return { ...s, values: s.values.map((v) => v * f) } as unknown as S;
}

/** One short phrase for titles and messages: "η = 0.5", "η = 0.5 (1 + α/10)^−0.5", "η = 0.5 → 0.05 at α = 40". */
export function describeEta(spec: EtaSpec): string {
  if (typeof spec === 'number') return `η = ${spec}`;
  if (spec.schedule === 'power') return `η = ${spec.eta0} (1 + α/${spec.alpha0})^−${spec.exponent}`;
  const jumps = scheduleJumps(spec);
  return `η = ${spec.values.slice(0, jumps.length + 1).map((v, i) => (i === 0 ? `${v}` : `${v} at α = ${jumps[i - 1]}`)).join(' → ')}`;
}

/**
 * The pieces of [0, αEnd] on which η(α) is smooth: [0, α_1), [α_1, α_2), … (one piece for
 * constant and power schedules). The ODE integrates each piece on its own, so a jump is always a
 * step boundary.
 */
export function smoothPieces(spec: EtaSpec, alphaEnd: number): { from: number; to: number }[] {
  const cuts = scheduleJumps(spec).filter((a) => a > 0 && a < alphaEnd);
  const ends = [0, ...cuts, alphaEnd];
  return ends.slice(1).map((to, i) => ({ from: ends[i], to }));
}

/** ∫₀^α η(s) ds in closed form: the "time" that gradient-flow quantities are functions of. */
export function integratedEta(spec: EtaSpec, alpha: number): number {
  if (typeof spec === 'number') return spec * alpha;
  if (spec.schedule === 'power') {
    const { eta0, alpha0, exponent: b } = spec;
    if (Math.abs(1 - b) < 1e-12) return eta0 * alpha0 * Math.log1p(alpha / alpha0);
    return (eta0 * alpha0 * (pow(1 + alpha / alpha0, 1 - b) - 1)) / (1 - b);
  }
  let sum = 0, from = 0;
  for (const [i, to] of [...scheduleJumps(spec), Infinity].entries()) {
    if (alpha <= from) break;
    sum += spec.values[i] * (Math.min(alpha, to) - from);
    from = to;
  }
  return sum;
}
