/**
 * The overlap ODEs under a training protocol: mini-batches of n_b samples and a learning rate
 * η(α) that changes with time. Derivation (α = samples/N throughout; src/model/schedule.ts):
 *
 * One SGD step with n_b fresh samples x_b (b = 1…n_b), errors e_b and the mean gradient is
 *
 *   w_k ← (1 − ηλ/N) w_k − (η/n_b) Σ_b e_b v_k σ'(λ_kb) x_b/√N = w_k − (ηλ/N) w_k + Σ_b g_kb x_b/√N.   (1)
 *
 * Overlaps M_kj = w_k·w*_j/N, Q_kl = w_k·w_l/N. Over one step, to leading order in 1/N:
 *   ΔM_kj = Σ_b g_kb ν_jb/N − (ηλ/N) M_kj,                                                      (2)
 *   ΔQ_kl = Σ_b (g_kb λ_lb + g_lb λ_kb)/N − 2(ηλ/N) Q_kl + Σ_{b,b'} g_kb g_lb' (x_b·x_b')/N².     (3)
 * The drift terms of (2), (3) are sums of n_b independent copies of the batch-1 increment times
 * 1/n_b: their mean is the batch-1 mean with η → η, i.e. −(η/N) E[e v σ' ν] per step.
 * In the last term of (3) the diagonal b = b' has x_b·x_b/N → 1 and contributes
 * (η/n_b)² n_b E[e² v_k v_l σ'σ']/N; the off-diagonal pairs have x_b·x_b' = O(√N) with a mean of
 * O(1) (the squared norm of the mean gradient), so n_b(n_b − 1) of them add O(1/N²) per step:
 * negligible as N → ∞ at fixed n_b. A unit of α is N/n_b steps, so per unit α
 *
 *   dM/dα  = (1/n_b)·[drift of the batch-1 equations at η]          = −(η/n_b) v_k E[e σ'(λ_k) ν_j] − (ηλ/n_b) M_kj     (4)
 *   dQ/dα  = (1/n_b)·[drift at η] + (1/n_b²)·[η² noise term]       = −(η/n_b)(…) + (η/n_b)² v_k v_l E[e² σ'σ'] − 2(ηλ/n_b) Q   (5)
 *   dv/dα  = −(η_v/n_b) E[e σ(λ_k)]                                 (trained second layer: v ← v − (η_v/(n_b N)) Σ_b e_b σ(λ_kb))   (6)
 *
 * so per unit α the gradient part scales as 1/n_b and the SGD-noise part as 1/n_b²: the
 * equations are those of batch 1 (equations.ts) at the effective rate η_eff = η/n_b, label noise
 * and weight decay included (the decay is applied once per step, so it is per sample 1/n_b as
 * strong). Consequences: at fixed η_eff the trajectory in α does not depend on n_b, and anything
 * set by η_eff in the batch-1 equations (the stability limit, the noise floor ∝ η) holds for batch
 * n_b at n_b times the η; a step covers n_b samples, so in steps the same curve is n_b times shorter.
 *
 * Time-dependent η: the step at α uses η(α) (its start); over a unit of α, η changes by O(n_b/N)
 * between steps, so the ODE is (4)–(6) with η → η(α)/n_b, a non-autonomous right-hand side
 * (`etaAt`). A piecewise-constant η jumps: each piece [α_i, α_{i+1}) is integrated as an
 * autonomous ODE with its own constant rate, the state carried across (the jump is a step
 * boundary of the integrator, never a discontinuity inside a step).
 */
import type { Problem } from '../model/problem.js';
import { etaAt, integratedEta, isConstantEta, scheduleJumps, type EtaSpec } from '../model/schedule.js';
import type { DynamicsParams } from './equations.js';
import { integrate, type IntegrateOptions, type IntegrateResult, type VectorField } from './dopri5.js';

/** The parts of a problem that set the rates of the ODE. */
export type ProtocolProblem = Pick<Problem, 'eta' | 'secondLayerRate'> & Partial<Pick<Problem, 'etaSchedule' | 'batchSize' | 'secondLayerFollowsEta'>>;

/**
 * The rate parameters (eta, secondLayerRate, and etaAt/secondLayerRateAt when they vary) of the
 * ODE (4)–(6) on the smooth piece of the schedule that starts at `from`: η(α)/n_b, constant on a
 * piece of a piecewise schedule. Batch 1 with a constant η gives back `eta` and
 * `secondLayerRate` unchanged (η/1 = η exactly), so that case is today's ODE bit for bit.
 */
export function protocolRates(problem: ProtocolProblem, from = 0): Pick<DynamicsParams, 'eta' | 'secondLayerRate' | 'etaAt' | 'secondLayerRateAt'> {
  const spec: EtaSpec = problem.etaSchedule ?? problem.eta;
  const B = problem.batchSize ?? 1;
  const follows = problem.secondLayerFollowsEta === true;
  const fixedV = problem.secondLayerRate;
  const varying = !isConstantEta(spec) && scheduleJumps(spec).length === 0; // power law: smooth, non-constant
  const eta = etaAt(spec, from) / B;
  const secondLayerRate = fixedV === undefined ? undefined : (follows ? etaAt(spec, from) : fixedV) / B;
  if (!varying) return { eta, secondLayerRate };
  const etaOf = (a: number) => etaAt(spec, a) / B;
  return {
    eta, secondLayerRate, etaAt: etaOf,
    ...(fixedV !== undefined && follows ? { secondLayerRateAt: etaOf } : {}),
  };
}

/** η/n_b at time α: the rate the ODE runs at (for shells and analyses that quote it). */
export function effectiveEta(problem: ProtocolProblem, alpha: number): number {
  return etaAt(problem.etaSchedule ?? problem.eta, alpha) / (problem.batchSize ?? 1);
}

/**
 * Integrates over the smooth pieces [from, to) of a schedule one after the other, each with its
 * own vector field (`fieldOf(from)`), carrying the state across: a jump of η is where one
 * integration ends and the next starts, so no Dormand–Prince step straddles it. The result is
 * that of one integration over the whole grid (saves, status, summed step counts). One piece is
 * exactly one call of `integrate`. When `opts.stopWhen` ends the run inside a piece, the result
 * is that piece's (`stopped`, `tEnd`, `yEnd`) with the saves before it, and later pieces are not
 * started: the caller goes on from there (solve.ts, in deviation variables; `piecesFrom`).
 */
export function integratePieces(pieces: readonly { from: number; to: number }[], fieldOf: (from: number) => VectorField, y0: Float64Array, opts: IntegrateOptions): IntegrateResult {
  if (pieces.length <= 1) return integrate(fieldOf(pieces[0]?.from ?? 0), y0, opts);
  const saveAt = Array.from(opts.saveAt);
  const t: number[] = [], y: Float64Array[] = [];
  let accepted = 0, rejected = 0, nfev = 0, state = y0;
  let final: IntegrateResult | null = null;
  for (const [i, piece] of pieces.entries()) {
    // This piece's saves: (from, to] (the first piece also α = from), and `to` itself to carry the state on.
    const own = saveAt.filter((a) => (i === 0 ? a >= piece.from : a > piece.from) && a <= piece.to);
    const carry = own[own.length - 1] !== piece.to;
    // Save indices are the whole grid's: this piece's k is the grid's base + k. The state at the
    // piece's end is always kept, as the next piece starts from it.
    const base = t.length, last = own.length - 1;
    const r = integrate(fieldOf(piece.from), state, {
      ...opts, t0: piece.from, saveAt: carry ? [...own, piece.to] : own,
      ...(opts.onSave ? { onSave: (k: number, tk: number, yk: Float64Array) => { if (k <= last) opts.onSave!(base + k, tk, yk); } } : {}),
      ...(opts.keepState ? { keepState: (k: number) => k >= last || opts.keepState!(base + k) } : {}),
    });
    accepted += r.acceptedSteps; rejected += r.rejectedSteps; nfev += r.rhsEvaluations;
    // A run that `stopWhen` ended inside this piece never reached the carried save: all it saved is the grid's.
    const n = carry && r.status === 'completed' && !r.stopped ? r.t.length - 1 : r.t.length;
    for (let k = 0; k < n; k++) { t.push(r.t[k]); y.push(r.y[k]); }
    final = r;
    if (r.status !== 'completed' || r.stopped) break;
    state = r.y[r.y.length - 1];
  }
  return { ...final!, t: Float64Array.from(t), y, acceptedSteps: accepted, rejectedSteps: rejected, rhsEvaluations: nfev };
}

/**
 * The smooth pieces of [from, to] (from a switch time inside some piece on): the pieces of
 * `smoothPieces(schedule, to)` that end after `from`, the first one cut to start at `from`.
 */
export function piecesFrom(pieces: readonly { from: number; to: number }[], from: number): { from: number; to: number }[] {
  return pieces.filter((q) => q.to > from).map((q) => ({ from: Math.max(q.from, from), to: q.to }));
}

/**
 * The rates an analysis of a trajectory needs: η_eff = η(0)/n_b, and ∫₀^α η_eff, which replaces
 * η_eff·α in gradient-flow quantities (escape time t = ∫η_eff dα/p, the conserved quantity) when
 * η varies; undefined for a constant η (then η_eff·α, as before).
 */
export function analysisRates(problem: ProtocolProblem): { eta: number; etaIntegral?: (alpha: number) => number } {
  const spec: EtaSpec = problem.etaSchedule ?? problem.eta;
  const B = problem.batchSize ?? 1;
  const eta = etaAt(spec, 0) / B;
  return isConstantEta(spec) ? { eta } : { eta, etaIntegral: (a) => integratedEta(spec, a) / B };
}
