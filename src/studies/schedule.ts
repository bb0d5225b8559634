/**
 * The schedule study: with label noise Δ > 0, one-pass SGD at a constant η stalls at an excess
 * loss ε − Δ/2 that grows with η (the η² SGD-noise term of the ODE keeps pumping Δ into Q); a
 * decaying η goes lower. For a fixed budget of samples (α ≤ alphaMax, α = samples/N) the study
 * integrates the ODE for a constant η0, power laws η0 (1 + α/α0)^(−β) over a list of β, and a
 * piecewise drop η0 → η0·dropFactor at α_drop, and reports each final loss, its excess over Δ/2,
 * and the best β. All at the config's batch size (the ODE runs at η(α)/n_b).
 */
import type { Config } from '../model/config.js';
import { ConfigError } from '../model/errors.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { initialEta, type EtaSpec } from '../model/schedule.js';
import { solveOde } from '../ode/solve.js';
import type { Trajectory } from '../model/trajectory.js';

export interface ScheduleStudyOptions {
  /** Decay exponents β of the power laws. */
  readonly exponents: readonly number[];
  /** α0 of the power laws (default alphaMax/100). */
  readonly alpha0?: number;
  /** α of the piecewise drop (default alphaMax/2) and the factor η is multiplied by there (default 0.1). */
  readonly dropAt?: number;
  readonly dropFactor?: number;
  readonly onProgress?: (fraction: number) => void;
}

export interface ScheduleRun {
  readonly label: string;
  readonly kind: 'constant' | 'power' | 'piecewise';
  readonly eta: EtaSpec;
  readonly status: Trajectory['status'];
  readonly finalLoss: number;
  /** finalLoss − Δ/2: what the schedule has not yet learned. */
  readonly excessLoss: number;
  readonly trajectory: Trajectory;
}

export interface ScheduleStudy {
  readonly runs: ScheduleRun[];
  /** The power law with the lowest final loss among completed runs (null if none completed). */
  readonly bestExponent: number | null;
  readonly noise: number;
  readonly alphaMax: number;
  readonly batchSize: number;
  /** α0 of the power laws. */
  readonly alpha0: number;
}

export function scheduleStudy(config: Config, options: ScheduleStudyOptions): ScheduleStudy {
  if (!(config.noise > 0)) throw new ConfigError('noise', 'must be > 0 for the schedule study (with Δ = 0 a constant η does not stall; set e.g. --set noise=0.1)');
  const eta0 = initialEta(config.eta);
  const alpha0 = options.alpha0 ?? config.alphaMax / 100;
  const dropAt = options.dropAt ?? config.alphaMax / 2;
  const dropFactor = options.dropFactor ?? 0.1;
  if (!(alpha0 > 0)) throw new ConfigError('alpha0', `must be > 0 (got ${alpha0})`);
  if (!(dropAt > 0 && dropAt < config.alphaMax)) throw new ConfigError('drop-at', `must be in (0, alphaMax = ${config.alphaMax}) (got ${dropAt})`);
  if (!(dropFactor > 0)) throw new ConfigError('drop-factor', `must be > 0 (got ${dropFactor})`);
  for (const b of options.exponents) if (!(Number.isFinite(b) && b >= 0)) throw new ConfigError('exponents', `must be numbers ≥ 0 (got ${b})`);
  const candidates: { kind: ScheduleRun['kind']; eta: EtaSpec }[] = [
    { kind: 'constant', eta: eta0 },
    ...options.exponents.map((exponent) => ({ kind: 'power' as const, eta: { schedule: 'power' as const, eta0, alpha0, exponent } })),
    { kind: 'piecewise', eta: { schedule: 'piecewise', values: [eta0, eta0 * dropFactor], until: [dropAt] } },
  ];
  const initial = initialCondition(config).overlaps;
  const runs = candidates.map((cand, i) => {
    const t = solveOde(makeProblem({ ...config, eta: cand.eta }), initial);
    options.onProgress?.((i + 1) / candidates.length);
    const finalLoss = t.loss[t.loss.length - 1];
    // Short legend labels; `eta` holds the full schedule.
    const e = cand.eta;
    const label = typeof e === 'number' ? `constant η = ${e}` : e.schedule === 'power' ? `power law β = ${e.exponent}` : `η × ${dropFactor} at α = ${dropAt}`;
    return { label, kind: cand.kind, eta: cand.eta, status: t.status, finalLoss, excessLoss: finalLoss - config.noise / 2, trajectory: t };
  });
  const powers = runs.filter((r) => r.kind === 'power' && r.status === 'completed');
  const best = powers.reduce<ScheduleRun | null>((b, r) => (b === null || r.finalLoss < b.finalLoss ? r : b), null);
  return { runs, bestExponent: best ? (best.eta as { exponent: number }).exponent : null, noise: config.noise, alphaMax: config.alphaMax, batchSize: config.batchSize, alpha0 };
}
