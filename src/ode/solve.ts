/**
 * Integrates the overlap ODEs of a problem from given initial overlaps and returns a Trajectory.
 * Picks the closed-form right-hand side for the quadratic paper's network (square, mean
 * readout, and any uniform readout mapped exactly onto it: uniformQuadratic.ts), for σ = z² with
 * any other readout (readoutQuadratic.ts), else the generic sum of Gaussian expectations. A blow-up of the student norms stops the
 * run with a message saying where (and `divergedAt`) instead of NaNs.
 */
import type { Problem } from '../model/problem.js';
import type { Overlaps } from '../model/overlaps.js';
import type { Trajectory, OdeStats } from '../model/trajectory.js';
import type { DynamicsParams, OverlapRhs } from './equations.js';
import { packState } from './equations.js';
import { quadraticRhs, quadraticPerpForm } from './quadratic.js';
import { committeeRhs, committeeLossAndFloor } from './committee.js';
import { isSingleRelu, reluSinglePerpForm } from './reluSingle.js';
import { integrate, type VectorField } from './dopri5.js';
import { integratePieces, piecesFrom, protocolRates, type ProtocolProblem } from './protocol.js';
import { scaleEta, smoothPieces } from '../model/schedule.js';
import { deviationForm, exactExpectationsOf, SWITCH_LOSS_RATIO } from './deviation.js';
import { divergenceCheck, divergenceMessage } from '../dynamics/divergence.js';
import { formatTime } from '../model/time.js';
import { isMeanQuadratic } from '../model/network.js';
import { uniformQuadraticScales, meanEquivalent, mappedRhs } from './uniformQuadratic.js';
import { keepsOverlaps } from '../model/budget.js';
import { isSquareNetwork, readoutQuadraticRhs, readoutQuadraticLossAndFloor } from './readoutQuadratic.js';

export interface OdeOptions {
  /** Called with the fraction of the α range done. */
  readonly onProgress?: (fraction: number) => void;
  /** Save times; default the problem's grid. */
  readonly saveAt?: ArrayLike<number>;
  readonly rtol?: number;
  readonly atol?: number;
  /** false: drop the η² SGD-noise term (gradient flow on the population loss). Default true. */
  readonly sgdNoise?: boolean;
  /** Which save points keep Q and M (default the config's `saveOverlaps`); the others get empty arrays. */
  readonly saveOverlaps?: 'all' | 'none' | number;
  /**
   * The integrator (dopri5.ts, dop853.ts). Default: Dormand–Prince 8(5,3) for the quadratic
   * network in (Q⊥, M) at p ≥ WIDE_DOP853_P and for ReLU in (Q, M) at p ≥ RELU_DOP853_P,
   * Dormand–Prince 5(4) everywhere else.
   */
  readonly method?: 'dopri5' | 'dop853';
  /**
   * Where the quadratic network's (Q⊥, M) right-hand side and Dormand–Prince 5(4) step run:
   * 'auto' (default) in the WebAssembly kernel where WebAssembly SIMD exists, 'js' in the
   * JavaScript fallback. Both give the same bits (tested).
   */
  readonly engine?: 'auto' | 'js';
}

/**
 * From this width on the (Q⊥, M) form is integrated by Dormand–Prince 8(5,3): its steps are
 * limited by accuracy on the plateau, and the 8th-order pair takes 0.40–0.43 of the 5(4) pair's
 * evaluations (p = 32–128, README *Wide students*). Narrower networks keep the 5(4) pair and its
 * bits (every accuracy table of the README was measured with it).
 */
export const WIDE_DOP853_P = 32;

/**
 * From this width on a ReLU network on the generic (Q, M) path is integrated by Dormand–Prince
 * 8(5,3) too: its steps are limited by accuracy (the p = 8 benchmark of README *Benchmarks*
 * rejects 1 step in 593), and 8(5,3) takes 0.45–0.54 of the evaluations at p = 3–8 (sum and mean
 * readouts, α ≤ 100–300), each a four-variable orthant sum of O(p⁴) terms. Below it the runs
 * take well under a second and keep the 5(4) bits that the ReLU accuracy tables (p = p* = 2) and
 * the reference tests were measured with.
 */
export const RELU_DOP853_P = 4;

/**
 * The right-hand side of a problem's overlap ODE at its rates from α = `from` on (batch size and
 * schedule: protocol.ts; `from` picks the piece of a piecewise schedule).
 */
export function overlapRhs(problem: Pick<Problem, 'network' | 'p' | 'pStar' | 'eta' | 'noise' | 'weightDecay' | 'secondLayerRate'> & ProtocolProblem, P: Float64Array, sgdNoise = true, from = 0): OverlapRhs {
  const params: DynamicsParams = { p: problem.p, pStar: problem.pStar, noise: problem.noise, P, sgdNoise, weightDecay: problem.weightDecay, ...protocolRates(problem, from) };
  if (problem.secondLayerRate === undefined) {
    if (isMeanQuadratic(problem.network)) return quadraticRhs(params);
    const scales = uniformQuadraticScales(problem.network);
    if (scales) {
      const eq = meanEquivalent(params, scales.c, scales.cStar);
      return mappedRhs(quadraticRhs(eq.params), problem.p, problem.pStar, eq.a);
    }
  }
  // Any other readout of σ = z² (teacher weights, a trained second layer): closed form too.
  if (isSquareNetwork(problem.network)) return readoutQuadraticRhs(params, problem.network);
  return committeeRhs(params, problem.network);
}

/**
 * The square network with uniform readouts (v = c/p, v* = c* / p*, e.g. "sum") solved as its exact
 * mean-readout equivalent (uniformQuadratic.ts) and mapped back: Q unchanged, M = M'/a, P as
 * given, loss and its floor ×c². null when the network is not of that kind.
 */
function solveUniformQuadratic(problem: Problem, initial: Overlaps, options: OdeOptions): Trajectory<OdeStats> | null {
  if (problem.secondLayerRate !== undefined || isMeanQuadratic(problem.network)) return null;
  const scales = uniformQuadraticScales(problem.network);
  if (!scales) return null;
  const { p, pStar, network } = problem;
  const eq = meanEquivalent({ p, pStar, eta: problem.eta, noise: problem.noise, P: initial.P, weightDecay: problem.weightDecay }, scales.c, scales.cStar);
  const v = new Float64Array(p).fill(1 / p), vStar = new Float64Array(pStar).fill(1 / pStar);
  const mapped: Problem = {
    // η' = c²η at every α: the whole schedule scales (the batch size carries over unchanged).
    ...problem, eta: eq.params.eta, etaSchedule: scaleEta(problem.etaSchedule, scales.c * scales.c), noise: eq.params.noise, weightDecay: eq.params.weightDecay ?? 0,
    network: { ...network, v, vStar },
  };
  const mappedInitial: Overlaps = { ...initial, M: Float64Array.from(initial.M, (x) => eq.a * x), P: eq.params.P };
  const t = solveOde(mapped, mappedInitial, options);
  return {
    ...t,
    M: t.M.map((m) => Float64Array.from(m, (x) => x / eq.a)),
    P: initial.P,
    loss: t.loss.map((l) => l * eq.lossScale),
    ...(t.lossFloor ? { lossFloor: t.lossFloor.map((l) => l * eq.lossScale) } : {}),
  };
}

/**
 * Accuracy floor of a ReLU network on the (Q, M) path (p > 1, or p = 1 with other than unit
 * readouts: before its loss falls to where it switches to the deviation form, with ReLU
 * expectations in double-double (gauss/reluExact.ts), with or without an η schedule; at
 * 3·10⁸ u ≈ 3.3·10⁻⁸ of the scale it lies below that switch, 10⁻⁷ of it), in units of u·scale (scale = ½Σ|c_u c_v I2_uv| ≈ 2.7 at p = p* = 2, sum readout).
 * Why. Its right-hand side is a sum of O(1) expectations in double (the 4-variable one by
 * quadrature, the 3-variable one with the conditional variance C_cc − C_ac²/C_aa that cancels as a
 * student aligns with a teacher), so every evaluation carries an absolute rounding error of some
 * u·Σ|terms|, and the dynamics integrate it into Q and M, hence into the loss (linear in the state
 * near a solution): an absolute error δ that no rtol removes (tightening rtol takes more steps and
 * accumulates as much). Measured (p = p* = 2, sum readout, η = 0.5, small init; six runs with
 * rtol 10⁻⁸ … 10⁻¹³, whose spread is this noise): the saved losses spread by 2·10⁻¹⁴ to 7·10⁻¹⁴
 * absolute (70–250 u·scale) for ε from 2·10⁻⁷ down to 5·10⁻¹⁰, 10⁻¹³ at 10⁻¹⁰ and 5·10⁻¹³ at
 * 2.5·10⁻¹¹ (the noise grows as the alignment sharpens the cancellation). Taking δ ≤ 300 u·scale,
 * a loss is good to 10⁻⁶ relative only above 10⁶ δ: the floor is 3·10⁸ u·scale (≈ 10⁻⁷ there).
 * Below it the run prints `< floor` instead of digits, and the loss control stops chasing noise.
 */
export const RELU_QM_FLOOR_FACTOR = 3e8;

/** ReLU in student or teacher (used where it is integrated in (Q, M) in double: no perp form). */
function hasRelu(net: Problem['network']): boolean {
  return net.student.name === 'relu' || net.teacher.name === 'relu';
}

/** Local relative tolerance of the loss, in units of the state's rtol (see solveOde). */
export const LOSS_RTOL_FACTOR = 100;

export function solveOde(problem: Problem, initial: Overlaps, options: OdeOptions = {}): Trajectory<OdeStats> {
  const uniform = solveUniformQuadratic(problem, initial, options);
  if (uniform) return uniform;
  const { p, pStar } = problem;
  const pp = p * p;
  const sgdNoise = options.sgdNoise ?? true;
  const saveAt = options.saveAt ?? problem.saveAt;
  const tFinal = saveAt.length ? saveAt[saveAt.length - 1] : 0;
  const check = divergenceCheck(initial);
  const train = problem.secondLayerRate !== undefined;
  const offV = pp + p * pStar;
  const rtol = options.rtol ?? problem.config.rtol;
  // The rates on the piece of the schedule starting at `from` (batch size and η(α): protocol.ts).
  const paramsFrom = (from: number): DynamicsParams => ({ p, pStar, noise: problem.noise, P: initial.P, sgdNoise, weightDecay: problem.weightDecay, ...protocolRates(problem, from) });
  // The quadratic network integrates (Q⊥, M), in which its loss is not a cancellation
  // (quadratic.ts), and so does one ReLU unit learning one (reluSingle.ts); other networks
  // integrate (Q, M[, v]) and their loss has a rounding floor.
  const perpFrom = (from: number) => train ? null
    : isMeanQuadratic(problem.network) ? quadraticPerpForm(paramsFrom(from), options.engine === 'js' ? 'js' : 'wasm')
    : isSingleRelu(problem.network) ? reluSinglePerpForm(paramsFrom(from))
    : null;
  const perp = perpFrom(0);
  const overlapsOf = (y: Float64Array): Overlaps => ({ p, pStar, Q: y.subarray(0, pp), M: y.subarray(pp, offV), P: initial.P });
  const networkOf = (y: Float64Array) => (train ? { ...problem.network, v: y.subarray(offV) } : problem.network);
  const noisyRhs = !perp && hasRelu(problem.network);
  const lossAndFloor = perp
    ? perp.lossAndFloor
    : isSquareNetwork(problem.network)
      ? (y: Float64Array) => readoutQuadraticLossAndFloor(overlapsOf(y), networkOf(y), problem.noise)
      : (y: Float64Array) => {
        const r = committeeLossAndFloor(overlapsOf(y), networkOf(y), problem.noise);
        return noisyRhs ? { loss: r.loss, floor: Math.max(r.floor, RELU_QM_FLOOR_FACTOR * (Number.EPSILON / 2) * r.scale) } : r;
      };
  const y0 = perp ? perp.toPerp(initial.Q, initial.M) : packState(initial, train ? problem.network.v : undefined);
  const atol = options.atol ?? problem.config.atol;
  // The reported loss is controlled relative to itself, down to its rounding floor. Its local
  // tolerance 100·rtol gave a global error of 5·10⁻⁸ relative (phase retrieval, ε from 1 to
  // 10⁻¹⁹, against an independent 40-digit solve) at 2.3× the steps without this control;
  // rtol itself gave 6·10⁻¹⁰ at 4×.
  const lossControl = (g: (y: Float64Array) => { loss: number; floor: number }) =>
    ({ g: (y: Float64Array) => { const r = g(y); return { value: r.loss, floor: r.floor }; }, rtol: LOSS_RTOL_FACTOR * rtol });
  const progress = options.onProgress && tFinal > 0 ? (t: number) => options.onProgress!(t / tFinal) : undefined;
  // Networks on the generic path whose expectations exist in double-double go on, once their
  // loss is small against the terms it cancels, in deviation variables (deviation.ts), at the
  // protocol's rates: η(α)/n_b on a power law, piece by piece on a piecewise schedule (the switch
  // may fall in any piece; the pieces after it run in deviation variables).
  const exact = perp ? null : exactExpectationsOf(problem.network);
  const keepMode = options.saveOverlaps ?? problem.config.saveOverlaps;
  const keep = (i: number) => keepsOverlaps(keepMode, i, saveAt.length);
  // The loss at every save point, from the state as it is saved (kept or not).
  const lf: { loss: number; floor: number }[] = [];
  // The last state saved without its overlaps: a run that stops early (diverged, failed) keeps it as its final point.
  const lastDropped = new Float64Array(y0.length);
  // A piecewise η is integrated piece by piece, each jump a step boundary (protocol.ts).
  // The (Q⊥, M) form's field carries its Dormand–Prince 5(4) step in the WebAssembly kernel (same
  // bits). The first piece's is `perp` itself: the loss control then finds the overlaps of the
  // new state (the step's last evaluation) still in its buffers.
  const fieldOf = (from: number): VectorField => {
    const form = perp ? (from === 0 ? perp : perpFrom(from)!) : null;
    const rhs: OverlapRhs = form ? form.rhs : overlapRhs(problem, initial.P, sgdNoise, from);
    const field = (t: number, y: Float64Array, dy: Float64Array) => rhs(y, dy, t);
    return form?.dopri5 ? Object.assign(field, { dopri5: form.dopri5 }) : field;
  };
  const pieces = smoothPieces(problem.etaSchedule, tFinal);
  const pastSwitch = (y: Float64Array) => { const r = committeeLossAndFloor(overlapsOf(y), networkOf(y), problem.noise); return r.loss < SWITCH_LOSS_RATIO * r.scale; };
  // A run that starts past the switch (its initial overlaps near a solution, e.g. a late state
  // given as init) goes into the deviation form at once: there the (Q, M) right-hand side in
  // double came out NaN at the initial-step probe (an Euler step of up to α_max from so close to a
  // solution), and the run failed with a step size underflow at α = 0; when it did step, its first
  // step left 3.6e-6 of error (the teacher-readout case in solve.test.ts).
  const startsPast = exact !== null && pastSwitch(y0);
  const result = startsPast
    ? { t: new Float64Array(0), y: [] as Float64Array[], status: 'completed' as const, message: '', tEnd: 0, yEnd: y0, stopped: true, acceptedSteps: 0, rejectedSteps: 0, rhsEvaluations: 0 }
    : integratePieces(pieces, fieldOf, y0, {
    saveAt,
    rtol,
    atol,
    method: options.method ?? ((perp && isMeanQuadratic(problem.network) && p >= WIDE_DOP853_P) || (noisyRhs && p >= RELU_DOP853_P) ? 'dop853' : 'dopri5'),
    output: lossControl(lossAndFloor),
    divergence: (t, y) => { const e = check(t, perp ? perp.viewQ(y) : y.subarray(0, pp)); return e && divergenceMessage(e, problem.config); },
    onStep: progress,
    onSave: (i, _t, y) => { lf[i] = lossAndFloor(y); if (!keep(i)) lastDropped.set(y); },
    keepState: keep,
    ...(exact ? { stopWhen: (_t: number, y: Float64Array) => pastSwitch(y) } : {}),
  });
  const none = new Float64Array(0);
  const saved = result.y.length;
  if (saved > 0 && result.y[saved - 1].length === 0) result.y[saved - 1] = lastDropped;
  const Q = result.y.map((y) => (y.length === 0 ? none : perp ? perp.toQ(y) : y.slice(0, pp)));
  const M = result.y.map((y) => (y.length === 0 ? none : y.slice(pp, offV)));
  const v = train ? result.y.map((y) => (y.length === 0 ? none : y.slice(offV))) : undefined;
  const stats = { acceptedSteps: result.acceptedSteps, rejectedSteps: result.rejectedSteps, rhsEvaluations: result.rhsEvaluations };
  let { status, message, tEnd } = result;
  const alpha = Array.from(result.t);
  if (result.stopped && exact) {
    const form = deviationForm(paramsFrom(result.tEnd), problem.network, exact, result.yEnd);
    const switchLoss = lossAndFloor(result.yEnd).loss;
    const rest = Array.from(saveAt).filter((a) => a > result.tEnd);
    if (startsPast && saveAt[0] <= result.tEnd) {
      // α = 0 itself on the grid: the initial state, as the deviation form sees it.
      const yq = form.toOverlaps(form.y0);
      alpha.push(result.tEnd);
      Q.push(yq.slice(0, pp));
      M.push(yq.slice(pp, offV));
      v?.push(yq.slice(offV));
      lf.push(form.lossAndFloor(form.y0));
    }
    // The rest of the switch's piece and every later one, each at its own rates (protocol.ts).
    const r2 = integratePieces(piecesFrom(pieces, result.tEnd), (from) => { const rhs = form.rhsWith(protocolRates(problem, from)); return (t, y, dy) => rhs(y, dy, t); }, form.y0, {
      t0: result.tEnd,
      saveAt: rest,
      rtol: rtol,
      // D and R are O(ε_s) and O(√ε_s) (ε_s the loss here): the absolute tolerance scales with them.
      atol: atol * Math.min(1, switchLoss),
      output: lossControl(form.lossAndFloor),
      divergence: (t, y) => { const e = check(t, form.viewQ(y)); return e && divergenceMessage(e, problem.config); },
      onStep: progress,
    });
    for (let i = 0; i < r2.y.length; i++) {
      // The second phase keeps its (small, generic-path) states; saveOverlaps applies to the grid as a whole.
      const kept = keep(alpha.length) || i === r2.y.length - 1;
      const yq = kept ? form.toOverlaps(r2.y[i]) : none;
      alpha.push(r2.t[i]);
      Q.push(kept ? yq.slice(0, pp) : none);
      M.push(kept ? yq.slice(pp, offV) : none);
      v?.push(kept ? yq.slice(offV) : none);
      lf.push(form.lossAndFloor(r2.y[i]));
    }
    stats.acceptedSteps += r2.acceptedSteps;
    stats.rejectedSteps += r2.rejectedSteps;
    stats.rhsEvaluations += r2.rhsEvaluations;
    ({ status, message, tEnd } = r2);
  }
  // Below its floor a loss is rounding noise (it can even come out negative): it is reported as
  // the floor's bound, never as digits; `lossFloor` says which points are resolved.
  const lossFloor = Float64Array.from(lf, (x) => x.floor);
  const loss = Float64Array.from(lf, (x) => Math.max(x.loss, 0));
  return {
    solver: 'ode', p, pStar, alpha: Float64Array.from(alpha), loss, lossFloor, Q, M, ...(v ? { v } : {}), P: initial.P,
    status, message: status === 'completed' ? `reached ${formatTime(problem.config, tFinal)}` : message, ...(status === 'diverged' ? { divergedAt: tEnd } : {}), stats,
  };
}
