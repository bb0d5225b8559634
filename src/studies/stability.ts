/**
 * The learning-rate stability limit of a setup, defined so that it is measured and says over
 * which range: η_c(α_max) = the largest η at which the overlap ODE, from the given initial
 * overlaps, stays finite (no divergence event, src/dynamics/divergence.ts) over α ≤ α_max.
 *
 * It depends on α_max by nature: a larger η blows up sooner, so a shorter range tolerates a
 * larger η (measured, default setup: η_c ≈ 2.40 over α ≤ 2, ≈ 1.15 over α ≤ 40); it can only
 * decrease as α_max grows. Every message that quotes it names the range. It is found by bisection
 * on ln η between an η that stays finite and one that diverges, to relative precision
 * `tolerance`; between the two brackets the ODE was not run, and the bisection assumes that the
 * stable η's below the bracket form an interval (true in every setup we measured, not proven).
 * The bracket is consistent with any η whose own ODE was run: if that ODE diverged, the search
 * starts from it and `stable` < η; if it completed, `stable` ≥ η.
 * It is a limit for the config's batch size n_b (the ODE runs at η/n_b, src/ode/protocol.ts, so
 * the limit grows ∝ n_b). For a schedule the bisection scales the whole schedule and reports its
 * η at α = 0 (η0 of a power law, the first value of a piecewise one).
 */
import type { Config } from '../model/config.js';
import type { Overlaps } from '../model/overlaps.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { solve } from '../solve.js';
import type { StabilityLimit, OdeStability } from '../analysis/diagnosis.js';
import type { Trajectory } from '../model/trajectory.js';
import { initialEta, scaleEta } from '../model/schedule.js';

/** How far the search goes from the config's η, in factors of 2 either way. */
const SEARCH_DOUBLINGS = 10;

export type { StabilityLimit, OdeStability };

/**
 * Brackets η_c(α_max) for `config` (its η is the starting point) from `initial` (default: the
 * config's initial overlaps). `etaDiverges`, when known (the ODE at the config's η was already
 * run), saves that solve.
 */
export function stabilityLimit(config: Config, options: { tolerance?: number; initial?: Overlaps; etaDiverges?: boolean } = {}): StabilityLimit {
  const tolerance = options.tolerance ?? 0.02;
  const initial = options.initial ?? initialCondition(config).overlaps;
  const alphaMax = config.alphaMax;
  const about = { alphaMax, batchSize: config.batchSize, scheduled: typeof config.eta !== 'number' };
  // A schedule is scaled as a whole (its shape kept) and quoted by its η at α = 0; the batch size
  // is the config's, so the limit is that of this batch size (src/ode/protocol.ts: ∝ batchSize).
  const eta = initialEta(config.eta);
  const withEta = (e: number): Config['eta'] => (typeof config.eta === 'number' ? e : scaleEta(config.eta, e / eta));
  const diverges = (e: number) => solve(makeProblem({ ...config, eta: withEta(e) }), { overlaps: initial }, { method: 'ode' }).status !== 'completed';
  let stable: number, unstable: number;
  if (options.etaDiverges ?? diverges(eta)) {
    unstable = eta;
    stable = eta / 2;
    for (let k = 1; diverges(stable); k++) {
      if (k >= SEARCH_DOUBLINGS) return { stable: null, unstable: stable, ...about };
      unstable = stable;
      stable /= 2;
    }
  } else {
    stable = eta;
    unstable = eta * 2;
    for (let k = 1; !diverges(unstable); k++) {
      if (k >= SEARCH_DOUBLINGS) return { stable: unstable, unstable: null, ...about };
      stable = unstable;
      unstable *= 2;
    }
  }
  while (unstable / stable > 1 + tolerance) {
    const mid = Math.sqrt(stable * unstable);
    if (diverges(mid)) unstable = mid; else stable = mid;
  }
  return { stable, unstable, ...about };
}

/**
 * Measures what a divergence diagnosis needs (analysis/diagnosis.ts): the ODE at the config's η
 * from the config's initial overlaps (pass it when already computed) and the stability limit over
 * α ≤ alphaMax.
 */
export function odeStability(config: Config, ode?: Pick<Trajectory, 'status' | 'message' | 'divergedAt'>): OdeStability {
  const initial = initialCondition(config).overlaps;
  const o = ode ?? solve(makeProblem(config), { overlaps: initial }, { method: 'ode' });
  const limit = stabilityLimit(config, { initial, etaDiverges: o.status !== 'completed' });
  return { eta: initialEta(config.eta), alphaMax: config.alphaMax, time: { eta: config.eta, batchSize: config.batchSize, p: config.p, readout: config.readout, time: config.time }, ode: { status: o.status, divergedAt: o.divergedAt ?? null, message: o.message }, limit };
}
