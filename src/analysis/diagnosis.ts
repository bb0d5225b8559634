/**
 * Diagnoses of a run that say only what the run measured: where along the ODE curve SGD deviates
 * most, whether (and by how much) its escape from a plateau differs, and, when a run diverged,
 * whether the ODE from the same overlaps diverges too. Plain data in, plain data and one message
 * out; the shells print the message and decide nothing.
 *
 * Stages of a loss curve, from the plateau analysis of the ODE curve (src/analysis/plateau.ts:
 * plateaus i = 1…m at levels L_i over [s_i, e_i], and the final flat run F):
 * - *plateau* i: s_i ≤ α ≤ e_i;
 * - *escape* from plateau i: e_i < α < x_i, where x_i is the first α after e_i with ε ≤ L_i/20
 *   (where the escape fit of plateau.ts ends) or the start of the next plateau, if earlier;
 * - *initial transient*: α < s_1; without a plateau, α before the loss first falls to 1/20 of its
 *   initial value (or before F, if earlier);
 * - *final flat stretch*: α in F (the final level, or a plateau not left within the saved α);
 * - *convergence*: every α after the last escape (or after the initial transient).
 * The escape from plateau i is measured on both curves as the first α ≥ s_i with ε < L_i/2 (the
 * ODE's α_esc of plateau.ts for the last plateau); it is reported as a shift only when the two
 * crossings fall between different saved points, i.e. when the saves resolve it.
 */
import type { Trajectory } from '../model/trajectory.js';
import { timeAt, type TimeConfig } from '../model/time.js';
import { analyzeLossCurve, firstCrossing, type Plateau } from './plateau.js';
import { lossDeviation, type LossDeviation } from './compare.js';

export type LossStage = 'initial transient' | 'plateau' | 'escape' | 'convergence' | 'final flat stretch';

/** A stage of the ODE curve and the α range it covers (to = Infinity: up to the end). */
export interface StageAt {
  readonly stage: LossStage;
  readonly from: number;
  readonly to: number;
  /** The plateau (or final flat run) the stage belongs to, for 'plateau', 'escape' and 'final flat stretch'. */
  readonly plateau: Plateau | null;
}

/** Where α lies on a loss curve, by the definitions of the module header. */
export function lossStageAt(curve: Pick<Trajectory, 'alpha' | 'loss'>, alpha: number, options: { floor?: number } = {}): StageAt {
  const a = analyzeLossCurve(curve.alpha, curve.loss, { floor: options.floor });
  const fall = (from: number, level: number) => firstCrossing(curve.alpha, curve.loss, from, level)?.alpha ?? Infinity;
  const ps = a.plateaus;
  let lastEnd = 0;
  for (let i = 0; i < ps.length; i++) {
    const pl = ps[i];
    if (alpha >= pl.startAlpha && alpha <= pl.endAlpha) return { stage: 'plateau', from: pl.startAlpha, to: pl.endAlpha, plateau: pl };
    const x = Math.min(fall(pl.endAlpha, pl.loss / 20), i + 1 < ps.length ? ps[i + 1].startAlpha : Infinity);
    if (alpha > pl.endAlpha && alpha < x) return { stage: 'escape', from: pl.endAlpha, to: x, plateau: pl };
    if (i + 1 < ps.length && alpha >= x && alpha < ps[i + 1].startAlpha) return { stage: 'convergence', from: x, to: ps[i + 1].startAlpha, plateau: null };
    lastEnd = x;
  }
  const transientEnd = ps.length ? ps[0].startAlpha : Math.min(fall(0, a.initialLoss / 20), a.finalFlat?.startAlpha ?? Infinity);
  if (alpha < transientEnd) return { stage: 'initial transient', from: 0, to: transientEnd, plateau: null };
  const F = a.finalFlat;
  if (F && alpha >= F.startAlpha) return { stage: 'final flat stretch', from: F.startAlpha, to: F.endAlpha, plateau: F };
  return { stage: 'convergence', from: ps.length ? lastEnd : transientEnd, to: F ? F.startAlpha : Infinity, plateau: null };
}

/** The escape from one plateau of the ODE curve, measured on both curves (α where ε < level/2). */
export interface EscapeComparison {
  readonly plateauLoss: number;
  /** null: the curve had not fallen below half the level by its last saved α. */
  readonly odeAlpha: number | null;
  readonly sgdAlpha: number | null;
  /** sgdAlpha − odeAlpha, when both were measured. */
  readonly shift: number | null;
  /** The two crossings fall between different saved points (the save grid resolves the shift). */
  readonly resolved: boolean;
}

export interface DeviationDiagnosis extends LossDeviation {
  /** Stage of the ODE curve at alphaAtMaxAbs; null when nothing was compared. */
  readonly stage: StageAt | null;
  /** Standard errors of the ensemble mean at alphaAtMaxAbs (ensembles of ≥ 2 runs), else null. */
  readonly standardErrors: number | null;
  /** One entry per plateau of the ODE curve. */
  readonly escapes: EscapeComparison[];
  /** Last α compared (the SGD curve stops early when a run diverged). */
  readonly comparedUpTo: number;
  readonly message: string;
}

/** The time unit of the messages (src/model/time.ts): α, or t with `time: "t"`. */
interface Clock { readonly sym: string; readonly of: (alpha: number) => number }
const clockOf = (time?: TimeConfig): Clock => (time?.time === 't' ? { sym: 't', of: (a) => timeAt(time, a) } : { sym: 'α', of: (a) => a });

const num = (x: number, digits = 4) => (Number.isFinite(x) ? String(Number(x.toPrecision(digits))) : String(x));
const sci = (x: number) => (Number.isFinite(x) ? x.toExponential(3) : String(x));

function stageText(s: StageAt, hasPlateau: boolean, upTo: number, c: Clock): string {
  const level = s.plateau ? `ε ≈ ${num(s.plateau.loss, 3)}` : '';
  switch (s.stage) {
    case 'plateau': return `on the ODE's plateau at ${level} (${c.sym} ∈ [${num(c.of(s.from), 3)}, ${num(c.of(s.to), 3)}])`;
    case 'escape': return Number.isFinite(s.to)
      ? `in the ODE's escape from its plateau at ${level} (${c.sym} ∈ (${num(c.of(s.from), 3)}, ${num(c.of(s.to), 3)}), until the loss falls to 1/20 of it)`
      : `in the ODE's escape from its plateau at ${level} (${c.sym} > ${num(c.of(s.from), 3)}; the loss does not fall to 1/20 of it by the end of the run)`;
    case 'initial transient': return Number.isFinite(s.to)
      ? `in the initial transient (${c.sym} < ${num(c.of(s.to), 3)}, before the ODE ${hasPlateau ? 'reaches its first plateau' : 'loss first falls to 1/20 of its initial value or flattens'})`
      : `in the initial transient, which covers every ${c.sym} compared (${c.sym} ≤ ${num(c.of(upTo), 4)}: the ODE loss never fell to 1/20 of its initial value nor flattened there)`;
    case 'final flat stretch': return `on the flat stretch that ends the ODE curve, ${level} for ${c.sym} ≥ ${num(c.of(s.from), 3)} (the final level, or a plateau not left by the last ${c.sym})`;
    case 'convergence': return `in the convergence after ${hasPlateau ? 'the ODE\'s escape' : 'the initial transient'} (${c.sym} > ${num(c.of(s.from), 3)})`;
  }
}

/**
 * The SGD–ODE deviation and where it is: the stage of the ODE curve at the largest deviation,
 * its size in standard errors of an ensemble mean, and the escapes from the ODE's plateaus
 * measured on both curves. `sgd.lossStd` and `runs` (ensembles) give the standard errors.
 */
export function diagnoseDeviation(
  ode: Pick<Trajectory, 'alpha' | 'loss'>,
  sgd: { readonly alpha: ArrayLike<number>; readonly loss: ArrayLike<number>; readonly lossStd?: ArrayLike<number>; readonly runs?: number },
  options: { floor?: number; time?: TimeConfig } = {},
): DeviationDiagnosis {
  const c = clockOf(options.time);
  const n = Math.min(ode.alpha.length, sgd.alpha.length);
  const sgdCurve = { alpha: Float64Array.from(sgd.alpha).subarray(0, n), loss: Float64Array.from(sgd.loss).subarray(0, n) };
  const deviation = lossDeviation(ode, sgdCurve);
  const comparedUpTo = n ? ode.alpha[n - 1] : 0;
  if (n === 0) return { ...deviation, stage: null, standardErrors: null, escapes: [], comparedUpTo, message: 'nothing to compare: no saved α in common' };
  const stage = lossStageAt(ode, deviation.alphaAtMaxAbs, options);
  const odeAnalysis = analyzeLossCurve(ode.alpha, ode.loss, { floor: options.floor });
  const i = Array.prototype.findIndex.call(ode.alpha, (a: number) => a === deviation.alphaAtMaxAbs);
  const runs = sgd.runs ?? 1;
  const se = sgd.lossStd && runs >= 2 && i >= 0 ? sgd.lossStd[i] / Math.sqrt(runs) : 0;
  const standardErrors = se > 0 ? deviation.maxAbs / se : null;
  const escapes = odeAnalysis.plateaus.map((pl): EscapeComparison => {
    const o = firstCrossing(ode.alpha, ode.loss, pl.startAlpha, pl.loss / 2);
    const s = firstCrossing(sgdCurve.alpha, sgdCurve.loss, pl.startAlpha, pl.loss / 2);
    return {
      plateauLoss: pl.loss, odeAlpha: o?.alpha ?? null, sgdAlpha: s?.alpha ?? null,
      shift: o && s ? s.alpha - o.alpha : null, resolved: !!o && !!s && o.index !== s.index,
    };
  });
  const parts = [`max |ε_SGD − ε_ODE| = ${sci(deviation.maxAbs)} at ${c.sym} = ${num(c.of(deviation.alphaAtMaxAbs))} (max relative ${sci(deviation.maxRel)}), ${stageText(stage, odeAnalysis.plateaus.length > 0, comparedUpTo, c)}`];
  if (standardErrors !== null) parts[0] += `; ${num(standardErrors, 3)} standard errors of the mean of ${runs} runs`;
  if (n < ode.alpha.length) parts.push(`compared over ${c.sym} ≤ ${num(c.of(comparedUpTo))} only (the SGD curve stops there)`);
  for (const e of escapes) {
    const where = `escape from the ODE's plateau at ε ≈ ${num(e.plateauLoss, 3)} (first ${c.sym} with ε below half of it)`;
    if (e.shift !== null && e.resolved) parts.push(`${where}: SGD at ${c.sym} = ${num(c.of(e.sgdAlpha!))}, ODE at ${c.sym} = ${num(c.of(e.odeAlpha!))} (shift ${e.shift > 0 ? '+' : '−'}${num(Math.abs(c.of(e.sgdAlpha!) - c.of(e.odeAlpha!)), 3)})`);
    else if (e.odeAlpha !== null && e.sgdAlpha === null) parts.push(`${where}: ODE at ${c.sym} = ${num(c.of(e.odeAlpha))}; SGD had not escaped by ${c.sym} = ${num(c.of(comparedUpTo))}`);
    else if (e.odeAlpha === null && e.sgdAlpha !== null) parts.push(`${where}: SGD at ${c.sym} = ${num(c.of(e.sgdAlpha))}; the ODE had not escaped by ${c.sym} = ${num(c.of(comparedUpTo))}`);
  }
  return { ...deviation, stage, standardErrors, escapes, comparedUpTo, message: parts.join('; ') };
}

/**
 * The learning-rate stability limit η_c(α_max) of a setup, as bracketed by a bisection
 * (src/studies/stability.ts): the largest η found to stay finite over α ≤ alphaMax and the
 * smallest found to diverge there.
 */
export interface StabilityLimit {
  /** Largest η found to stay finite over α ≤ alphaMax; null if even η/2^10 diverges. */
  readonly stable: number | null;
  /** Smallest η found to diverge over α ≤ alphaMax; null if none up to η·2^10. */
  readonly unstable: number | null;
  /** The α range the limit refers to (the config's alphaMax). */
  readonly alphaMax: number;
  /** The batch size the limit is for (the config's). */
  readonly batchSize: number;
  /** True when η is a schedule: the limit is on its η at α = 0, the whole schedule scaled with it. */
  readonly scheduled: boolean;
}

/**
 * The ODE at a run's η from the same initial overlaps, and its stability limit over α ≤ α_max:
 * what a divergence diagnosis needs, measured by `odeStability` (src/studies/stability.ts, since
 * it runs many solves).
 */
export interface OdeStability {
  readonly eta: number;
  readonly alphaMax: number;
  /** The time unit of the messages (the config's `time` and what converts to it). */
  readonly time?: TimeConfig;
  readonly ode: { readonly status: Trajectory['status']; readonly divergedAt: number | null; readonly message: string };
  readonly limit: StabilityLimit;
}

export interface DivergenceDiagnosis {
  readonly solver: Trajectory['solver'];
  readonly seed: number | null;
  readonly status: Trajectory['status'];
  readonly divergedAt: number | null;
  /** Whether the ODE at the same η from the same overlaps stays finite over α ≤ alphaMax. */
  readonly odeStable: boolean;
  readonly message: string;
}

/** ": η = … is beyond that; try a smaller eta", when the limit bracket is below η (it is whenever the ODE at η diverged). */
function beyond(s: OdeStability): string {
  return s.limit.stable !== null && s.limit.stable < s.eta ? `: η = ${s.eta} is beyond that; try a smaller eta` : '';
}

function limitText(s: OdeStability): string {
  const { stable, unstable } = s.limit;
  const c = clockOf(s.time);
  // The limit is per batch size (∝ batchSize) and, for a schedule, on η(0) with the schedule scaled.
  const batch = s.limit.batchSize !== undefined && s.limit.batchSize !== 1 ? ` at batchSize = ${s.limit.batchSize}` : '';
  const scaled = s.limit.scheduled ? ' (η at α = 0, the whole schedule scaled with it)' : '';
  const range = `over ${c.sym} ≤ ${num(c.of(s.alphaMax))}${batch}${scaled}`;
  if (stable === null) return `it diverges ${range} even at η = ${num(unstable!, 3)}`;
  if (unstable === null) return `it stays finite ${range} up to at least η = ${num(stable, 3)}`;
  return `it stays finite ${range} up to η ≈ ${num(stable, 3)} (diverges at ${num(unstable, 3)}; bisection on η)`;
}

/**
 * Why a run stopped, from what was measured: for an ODE run, its stability limit; for an SGD run,
 * whether the ODE at the same η from the same overlaps diverges too. Never says that η is beyond
 * a limit unless the ODE at η diverged (then the limit is below η by construction). null for a
 * completed run.
 */
export function divergenceDiagnosis(run: Pick<Trajectory, 'solver' | 'status' | 'message' | 'divergedAt' | 'alpha'>, stability: OdeStability, seed?: number, runIndex?: number): DivergenceDiagnosis | null {
  if (run.status === 'completed') return null;
  const odeStable = stability.ode.status === 'completed';
  const base = { solver: run.solver, seed: seed ?? null, status: run.status, divergedAt: run.divergedAt ?? null, odeStable };
  const eta = `η = ${stability.eta}`;
  if (run.solver === 'ode') {
    if (run.status === 'failed') return { ...base, message: `ODE ${run.message}` };
    return { ...base, message: `ODE ${run.message}. From these initial overlaps ${limitText(stability)}${beyond(stability)}` };
  }
  // A finite-N run (SGD or its SDE) is named by the config's seed and its index r (its streams are (seed, ·, r)).
  const who = `${run.solver === 'sde' ? 'SDE' : 'SGD'} run${runIndex !== undefined ? ` ${runIndex}` : ''}${seed !== undefined ? ` (seed ${seed})` : ''}`;
  const c = clockOf(stability.time);
  const lastFinite = run.alpha.length ? ` (finite at the save point ${c.sym} = ${num(c.of(run.alpha[run.alpha.length - 1]))})` : '';
  const what = `${who} ${run.message}${run.status === 'diverged' ? lastFinite : ''}`;
  if (odeStable) {
    return {
      ...base,
      message: `${what}. The ODE from the same overlaps is stable at ${eta}: ${limitText(stability)}. ` +
        'A finite-N run that blows up where the ODE does not has left the N → ∞ description: try a larger N, a smaller eta, or other seeds',
    };
  }
  if (stability.ode.status === 'failed') return { ...base, message: `${what}. The ODE from the same overlaps failed too: ${stability.ode.message}` };
  const at = stability.ode.divergedAt !== null ? ` at ${c.sym} = ${num(c.of(stability.ode.divergedAt))}` : '';
  return { ...base, message: `${what}. The ODE from the same overlaps diverges too${at}; ${limitText(stability)}${beyond(stability)}` };
}
