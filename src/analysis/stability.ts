/**
 * The learning-rate stability limit of a setup: the largest η for which the overlap ODE, from
 * the same initial condition and over the same α range, does not diverge (bisection on ln η).
 * What a diverging run reports next to its η. It is "about": it depends on the initial
 * condition and on α_max, and at finite N SGD fluctuations shift it a little.
 */
import type { Config } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solveOde } from '../ode/solve.js';

export interface StabilityLimit {
  /** Largest η found stable. */
  readonly stable: number;
  /** Smallest η found to diverge. */
  readonly unstable: number;
}

/** Bisection between a stable and a diverging η, to relative precision `tolerance`; null if η/1024 still diverges. */
export function stabilityLimit(config: Config, tolerance = 0.02): StabilityLimit | null {
  const initial = initialCondition(config).overlaps;
  const diverges = (eta: number) => {
    const c: Config = { ...config, eta };
    const status = solveOde(makeProblem(c), initial).status;
    return status !== 'completed';
  };
  let unstable = config.eta;
  if (!diverges(unstable)) {
    // Search upwards for a diverging η (at most 2^10 × the given one).
    let k = 0;
    while (!diverges(unstable * 2) && k++ < 10) unstable *= 2;
    if (k > 10) return null;
    unstable *= 2;
  }
  let stable = unstable / 2;
  let k = 0;
  while (diverges(stable)) { unstable = stable; stable /= 2; if (++k > 10) return null; }
  while (unstable / stable > 1 + tolerance) {
    const mid = Math.sqrt(stable * unstable);
    if (diverges(mid)) unstable = mid; else stable = mid;
  }
  return { stable, unstable };
}
