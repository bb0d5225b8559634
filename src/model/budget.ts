/**
 * What a run will cost, estimated from its config before anything is computed, so that a run
 * no machine can hold or finish is refused at once with a one-line error naming the keys to
 * change, instead of failing (or never ending) after minutes or hours.
 *
 * Memory: every trajectory keeps Q (p×p), M (p×p*) and, with a trained second layer, v (p) at
 * each save point that keeps overlaps (config saveOverlaps: all of them by default), as Float64Arrays (8 bytes a number plus ~512 bytes of array bookkeeping per
 * point). A simulation holds its runs, the ODE of `compare`, their mean and the mean's rows for
 * the JSON output: runs + 4 such copies at most. The integrator adds ~16 state vectors of work
 * space (Dormand–Prince stages, dense output). Measured: p = 512, N = 2, 300 save points reached
 * 3.8 GB; runs = 10000 of p = 4 at 300 points (estimated 2.0 GiB) 2.05 GB resident.
 *
 * Time: one SGD step costs two passes over the N·(p + p*) weights; the WebAssembly kernel does
 * about 10⁹ weight visits per second on one core (README, Scale: 189 082 steps/s at N = 1000,
 * p + p* = 6), runs going in parallel on the worker threads. The ODE's late phase is stiff for
 * p > p*: its steps are bounded by stability, so its cost grows linearly in α, about 2.4 ms per
 * 1000 α at p = 8, p* = 2 (README, Scale), and the right-hand side costs ~p²(p + p*) operations;
 * that bound is the estimate (a p = p* run that converges exponentially takes fewer steps).
 */
import { ConfigError, OnepassError } from './errors.js';
import { initialEta, type EtaSpec } from './schedule.js';

/**
 * The config keys a cost estimate reads. Declared here structurally (the parsed Config has
 * them) so that config.ts can call checkRunMemory without budget.ts importing config.ts back:
 * that was an import cycle (issue 14).
 */
interface Config {
  readonly p: number;
  readonly pStar: number;
  readonly N: number;
  readonly runs: number;
  readonly alphaMax: number;
  readonly trainSecondLayer: boolean;
  readonly saveAt?: readonly number[] | undefined;
  readonly savePoints: number;
  /** Which save points keep Q and M (config key; absent = "all"). */
  readonly saveOverlaps?: 'all' | 'none' | number;
}

/** Largest estimated memory of saved overlaps and work space accepted. */
export const MAX_RUN_BYTES = 2 * 2 ** 30;
/** Seconds above which a simulation asks for explicit consent (`--yes`). */
export const CONFIRM_SECONDS = 24 * 3600;
/** Seconds beyond which nothing is run, --yes or not: no machine finishes it. */
export const REFUSE_SECONDS = 100 * 365 * 86400;
/** Step counts are exact integers and α = step/N exact only up to 2⁵³. */
export const MAX_STEPS = 2 ** 53;
/** Seconds per weight visited per SGD step, on one core with the WebAssembly kernel (see header). */
const SECONDS_PER_WEIGHT_STEP = 1e-9;

/** Number of save points of the config (an upper bound: the grid drops duplicates). */
export function savePointCount(c: Pick<Config, 'saveAt' | 'savePoints'>): number {
  return c.saveAt ? c.saveAt.length : c.savePoints;
}

/**
 * Whether save point i of n keeps its overlaps under `saveOverlaps`: all; none (only the first and
 * the last, which the analyses and the final-state report read); or every k-th and the last.
 */
export function keepsOverlaps(saveOverlaps: 'all' | 'none' | number | undefined, i: number, n: number): boolean {
  if (saveOverlaps === undefined || saveOverlaps === 'all' || i === n - 1) return true;
  return saveOverlaps === 'none' ? i === 0 : i % saveOverlaps === 0;
}

/** Number of save points that keep their overlaps (see keepsOverlaps). */
export function keptPointCount(c: Pick<Config, 'saveAt' | 'savePoints' | 'saveOverlaps'>): number {
  const n = savePointCount(c), k = c.saveOverlaps;
  if (k === undefined || k === 'all') return n;
  if (k === 'none') return Math.min(n, 2);
  return Math.ceil(n / k) + 1;
}

/** Estimated bytes of the saved overlaps and solver work space of a run of this config (see header). */
export function runMemoryBytes(c: Pick<Config, 'p' | 'pStar' | 'runs' | 'trainSecondLayer' | 'saveAt' | 'savePoints' | 'saveOverlaps'>): number {
  const stateBytes = 8 * (c.p * c.p + c.p * c.pStar + (c.trainSecondLayer ? c.p : 0));
  return (keptPointCount(c) * stateBytes + savePointCount(c) * 512) * (c.runs + 4) + 16 * stateBytes;
}

const gib = (b: number) => `${(b / 2 ** 30).toPrecision(2)} GiB`;

/** Refuses a config whose saved overlaps would not fit in memory (ConfigError naming the keys). */
export function checkRunMemory(c: Pick<Config, 'p' | 'pStar' | 'runs' | 'trainSecondLayer' | 'saveAt' | 'savePoints' | 'saveOverlaps'>): void {
  const bytes = runMemoryBytes(c);
  if (bytes > MAX_RUN_BYTES) {
    const points = savePointCount(c);
    throw new ConfigError(c.saveAt ? 'saveAt' : 'savePoints',
      `${points} save points of p = ${c.p} (p² + p·p* = ${c.p * c.p + c.p * c.pStar} numbers each) for ${c.runs} run(s) need about ${gib(bytes)} of memory; at most ${gib(MAX_RUN_BYTES)}: lower savePoints (or the length of saveAt), p or runs, or keep fewer overlap matrices (saveOverlaps: "none" or k)`);
  }
}

export interface SgdWork {
  /** SGD steps of one run: α_max·N. */
  readonly stepsPerRun: number;
  /** Estimated wall-clock seconds of the whole ensemble on `workers` threads. */
  readonly seconds: number;
}

/** Steps and estimated time of the config's SGD ensemble on `workers` threads (see header). */
export function sgdWork(c: Pick<Config, 'alphaMax' | 'N' | 'p' | 'pStar' | 'runs'>, workers: number): SgdWork {
  const stepsPerRun = Math.round(c.alphaMax * c.N);
  const parallel = Math.max(1, Math.min(workers, c.runs));
  const seconds = Math.ceil(c.runs / parallel) * stepsPerRun * 2 * c.N * (c.p + c.pStar) * SECONDS_PER_WEIGHT_STEP;
  return { stepsPerRun, seconds };
}

/**
 * Euler–Maruyama steps and rough seconds of one thread for the config's SDE ensemble (src/sde/):
 * per step, measured on a busy machine, exact noise ≈ 12 µs at p = 4, p* = 2 (the covariance is
 * O(D²), D = p(p+1)/2 + p p*) and ≈ 60 ms at p = 48 (D = 1272), where the covariance's Cholesky
 * factor, D³/6 multiply-adds, takes over: 3·10⁻¹¹ D³ s; sampled noise ≈ 15 µs there, O(D) (8
 * samples) plus the drift, whose ReLU quadrature makes a step ≈ 1 ms at p = 4 (O(p(p + p*))).
 * Independent of N. Each save time shortens a step into two (1191 steps to α = 100 at h = 0.1 and
 * 300 save points). The exact noise holds the D×D covariance and its factor (16 D² bytes: 17 GiB at
 * p = 256, where the process was killed for memory): more than MAX_RUN_BYTES is refused.
 */
export function sdeWork(c: Pick<Config, 'alphaMax' | 'p' | 'pStar' | 'runs' | 'saveAt' | 'savePoints'> & { readonly sdeStep: number; readonly activation: string; readonly teacherActivation?: string | undefined; readonly sdeNoise?: string }, exact: boolean): { readonly steps: number; readonly seconds: number } {
  const steps = c.runs * (Math.ceil(c.alphaMax / c.sdeStep) + savePointCount(c));
  const D = (c.p * (c.p + 1)) / 2 + c.p * c.pStar;
  if (exact && 16 * D * D > MAX_RUN_BYTES) {
    throw new ConfigError('sdeNoise', `${c.sdeNoise === 'exact' ? '"exact"' : '"auto" takes the exact noise here, which'} needs the ${D}×${D} covariance of the p(p+1)/2 + p·p* overlaps at p = ${c.p} and its Cholesky factor, about ${gib(16 * D * D)} of memory; at most ${gib(MAX_RUN_BYTES)}: set sdeNoise to "sampled" (memory O(D)) or lower p`);
  }
  const relu = c.activation === 'relu' || c.teacherActivation === 'relu';
  // Mixed activations: the drift is the ODE's right-hand side, one 24⁴-node quadrature per η² term (odeSeconds).
  const mixed = c.teacherActivation !== undefined && c.teacherActivation !== c.activation;
  const n = c.p + c.pStar;
  const perStep = exact ? Math.max(12e-6 * (D / 18) * (D / 18), 3e-11 * D * D * D) : mixed ? 0.05 * ((c.p * (c.p + 1)) / 2) * ((n * (n + 1)) / 2) : relu ? 1e-3 * (c.p * (c.p + c.pStar)) / 24 : 15e-6 * Math.max(1, D / 18);
  return { steps, seconds: steps * perStep };
}

interface NetworkKeys { activation?: string; teacherActivation?: string; trainSecondLayer?: boolean; teacherReadout?: readonly number[]; studentReadout?: readonly number[] }

/**
 * Multiply-adds a second of the config's closed-form quadratic path, or null when the network is
 * not σ = σ* = z²: the (Q⊥, M) kernel of uniform readouts (WebAssembly), or the JavaScript closed
 * form of any other readout (readoutQuadratic.ts: 2p³, at about 10⁹ a second).
 */
function closedFormRate(c: NetworkKeys): number | null {
  if (c.activation !== 'square' || (c.teacherActivation !== undefined && c.teacherActivation !== 'square')) return null;
  return c.trainSecondLayer || c.teacherReadout || c.studentReadout ? 0.5e9 : 5e9;
}

/**
 * Upper estimate of the ODE's wall-clock seconds up to α_max (see header). The quadratic network's
 * closed form (src/ode/quadratic.ts) costs per evaluation ~3 µs plus p³ + 4p²p* multiply-adds at
 * 5·10⁹ a second (the WebAssembly kernel measured 7.8·10⁹ on its products) plus the integrator's
 * ~7 passes over the p² + pp* state (10⁹ a second); its evaluations are at most 2500 plus the
 * stability bound of the late phase, 1.6 per unit of ηα (the p = 8, η = 0.5 figure above).
 * Measured (p* = 2, η = 0.1, α_max = 40p): 1988 evaluations at p = 128, 2150 at p = 32.
 */
export function odeSeconds(c: Pick<Config, 'alphaMax' | 'p' | 'pStar'> & { eta?: EtaSpec } & NetworkKeys): number {
  const rate = closedFormRate(c);
  if (rate !== null) {
    // A schedule is costed at its η at α = 0 (its largest, for the decaying schedules in use).
    const evals = 2500 + 1.6 * (c.eta === undefined ? 0.5 : initialEta(c.eta)) * c.alphaMax;
    const perEval = 3e-6 + (c.p * c.p * c.p + 4 * c.p * c.p * c.pStar) / rate + (7 * c.p * (c.p + c.pStar)) / 1e9;
    return evals * perEval;
  }
  if (c.teacherActivation !== undefined && c.teacherActivation !== c.activation) {
    // Mixed activations: every η² expectation E[σ'σ'σσ] is a 24⁴-node Gauss–Hermite sum (src/gauss/quadrature.ts),
    // one per pair k ≤ l of students and pair of units: p(p+1)/2 · n(n+1)/2 of them, n = p + p*, ≈ 40–60 ms each
    // (measured, busy machine: 8.2 s an evaluation at p = 4, p* = 2; 0.19 s at p = p* = 1, which took
    // 44 evaluations to α = 10 and 98 to α = 40 at η = 0.1). Before, this path was costed as the closed forms (24 µs).
    const n = c.p + c.pStar;
    return (50 + 2 * c.alphaMax) * 0.05 * ((c.p * (c.p + 1)) / 2) * ((n * (n + 1)) / 2);
  }
  return c.alphaMax * 2.4e-6 * Math.max(1, (c.p * c.p * (c.p + c.pStar)) / 640);
}

/** Seconds above which a command says up front how long its work will take. */
export const ANNOUNCE_SECONDS = 60;

/** The line a command prints before work estimated beyond a minute, else null. */
export function estimateNote(seconds: number, work: string): string | null {
  return seconds > ANNOUNCE_SECONDS && Number.isFinite(seconds) ? `note: ${work}: estimated up to ${humanDuration(seconds)} here (src/model/budget.ts); progress follows on stderr` : null;
}

/** A duration for people: seconds, hours, days or years, two digits. */
export function humanDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'forever';
  const two = (x: number) => (x < 100 || x >= 1e6 ? x.toPrecision(2) : String(Math.round(x)));
  if (seconds < 3600) return `${two(seconds / 60)} minutes`;
  if (seconds < 86400 * 2) return `${two(seconds / 3600)} hours`;
  if (seconds < 86400 * 365 * 2) return `${two(seconds / 86400)} days`;
  return `${two(seconds / (86400 * 365))} years`;
}

/** Upper estimate of an escape sweep's seconds: one ODE per (p, σ²) up to α_max (see odeSeconds). */
export function escapeSweepSeconds(c: Pick<Config, 'alphaMax' | 'pStar'> & { eta?: EtaSpec } & NetworkKeys, ps: readonly number[], variances: number): number {
  return ps.reduce((sum, p) => sum + variances * odeSeconds({ ...c, p }), 0);
}

/**
 * The one time rule of every command, applied before computing: work estimated beyond a century
 * is refused (no machine finishes it), above a day it needs consent (`yes`, the --yes option).
 * `work` says what was estimated, `keys` what to lower.
 */
export function checkTime(seconds: number, work: string, keys: string, yes: boolean | undefined): void {
  const what = `${work} would take about ${humanDuration(seconds)} here; ${keys}`;
  if (!(seconds <= REFUSE_SECONDS)) throw new ConfigError('alphaMax', what);
  if (seconds > CONFIRM_SECONDS && !yes) throw new ConfigError('alphaMax', `${what}, or pass --yes to run anyway`);
}
