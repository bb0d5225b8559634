/**
 * The run configuration: its schema (zod), defaults, validation with one-line messages that
 * name the field, and `--set key=value` overrides by dotted path. Defaults are the paper's
 * headline setup: quadratic activation, teacher width p* = 2, student width p = 4, a small
 * random initialisation, ODE against SGD at N = 2000.
 */
import { z } from 'zod';
import { Matrix, EigenvalueDecomposition } from 'ml-matrix';
import { ConfigError, MAX_QUOTED, clip } from './errors.js';
import { isOverlapInit } from './initKind.js';
import { checkRunMemory } from './budget.js';
import { TIME_UNITS } from './time.js';

export const ACTIVATIONS = ['square', 'erf', 'relu', 'linear'] as const;
/** Allowed ODE tolerances (see the schema). */
export const RTOL_RANGE = [1e-14, 1e-3] as const;
export const ATOL_MAX = 1e-6;

const finite = (what: string) => z.number({ error: `must be a finite number (${what})` }).refine(Number.isFinite, `must be a finite number (${what})`);
const positive = (what: string) => finite(what).refine((v) => v > 0, `must be > 0 (${what})`);
const width = (what: string) =>
  z.number({ error: `must be an integer ≥ 1 (${what})` }).int(`must be an integer ≥ 1 (${what})`).min(1, `must be an integer ≥ 1 (${what})`).max(4096, `must be ≤ 4096 (${what})`);
/**
 * Seeds: any integer a double holds exactly (|seed| ≤ 2⁵³ − 1, negative allowed). Every value is
 * a different seed: streams are derived from the exact integer (src/random/streams.ts), never from
 * it reduced mod 2³².
 */
const seedField = (what: string) => {
  const rule = `must be an integer from -9007199254740991 to 9007199254740991 (${what})`;
  return z.number({ error: rule }).refine(Number.isSafeInteger, rule);
};
const matrix = z.array(z.array(finite('matrix entry')), { error: 'must be a matrix: an array of rows of numbers' });

const overlapInit = z.strictObject({
  Q: matrix.describe('student–student overlap, p×p'),
  M: matrix.describe('student–teacher overlap, p×p*'),
  P: matrix.describe('teacher–teacher overlap, p*×p*'),
});

/** η(α) = η0 (1 + α/α0)^(−β) (src/model/schedule.ts). */
const powerSchedule = z.strictObject({
  schedule: z.literal('power'),
  eta0: positive('initial learning rate η0'),
  alpha0: positive('time scale α0 of the decay'),
  exponent: finite('decay exponent β').refine((v) => v >= 0, 'must be ≥ 0 (decay exponent β)'),
});

/** η_i for α_{i−1} ≤ α < α_i (src/model/schedule.ts); lengths and order checked in checkSchedule. */
const piecewiseSchedule = z.strictObject({
  schedule: z.literal('piecewise'),
  values: z.array(positive('learning rate of a piece'), { error: 'must be an array of learning rates > 0' }).min(1, 'must hold at least one learning rate'),
  until: z.array(positive('α where a piece ends'), { error: 'must be an array of α values > 0' }),
});

const SCHEDULES = { power: powerSchedule, piecewise: piecewiseSchedule } as const;
const ETA_RULE = 'must be a number > 0 or a schedule object {"schedule": "power", eta0, alpha0, exponent} or {"schedule": "piecewise", values, until}';

const weightInit = z.strictObject({
  teacher: z.enum(['gaussian', 'orthonormal'], { error: 'must be "gaussian" or "orthonormal"' }).default('orthonormal'),
  studentVariance: finite('variance of the student weights').refine((v) => v >= 0, 'must be ≥ 0 (variance of the student weights)').default(1e-3),
  seed: seedField('seed of the initial weights').default(0),
});

const SAVE_OVERLAPS_RULE = 'must be "all", "none" or an integer k ≥ 1 (keep Q and M at every k-th save point, and at the last)';

export const configSchema = z.strictObject({
  activation: z.enum(ACTIVATIONS, { error: `must be one of: ${ACTIVATIONS.join(', ')}` }).default('square'),
  teacherActivation: z.enum(ACTIVATIONS, { error: `must be one of: ${ACTIVATIONS.join(', ')}` }).optional(),
  readout: z.enum(['mean', 'sum'], { error: 'must be "mean" (1/p, 1/p*) or "sum" (unnormalised committee)' }).default('mean'),
  teacherReadout: z.array(finite('teacher second-layer weight'), { error: 'must be an array of p* numbers (teacher second-layer weights)' }).optional(),
  weightDecay: finite('weight decay λ').refine((v) => v >= 0, 'must be ≥ 0 (weight decay λ)').default(0),
  studentReadout: z.array(finite('student second-layer weight'), { error: 'must be an array of p numbers (initial student second-layer weights)' }).optional(),
  trainSecondLayer: z.boolean({ error: 'must be true or false' }).default(false),
  secondLayerRate: positive('learning rate η_v of the second layer').optional(),
  p: width('student width').default(4),
  pStar: width('teacher width').default(2),
  eta: z.union([positive('learning rate'), powerSchedule, piecewiseSchedule], { error: ETA_RULE }).default(0.5),
  /** Samples per SGD step (their mean gradient); α counts samples/N, so a step advances α by batchSize/N. */
  batchSize: z.number({ error: 'must be an integer ≥ 1 (samples per SGD step)' }).int('must be an integer ≥ 1 (samples per SGD step)').min(1, 'must be an integer ≥ 1 (samples per SGD step)').max(1_000_000, 'must be ≤ 1000000 (samples per SGD step)').default(1),
  noise: finite('label-noise variance Δ').refine((v) => v >= 0, 'must be ≥ 0 (label-noise variance Δ)').default(0),
  alphaMax: positive("final time α = samples/N").default(80),
  saveAt: z.array(finite('α').refine((v) => v >= 0, 'must be ≥ 0'), { error: 'must be an array of α values' }).optional(),
  // Presentation only (src/model/time.ts): the unit of every table, figure axis and message; data files carry both.
  time: z.enum(TIME_UNITS, { error: 'must be "alpha" (α = samples/N) or "t" (t = ηα/p for the mean readout, ηα for the sum readout)' }).default('alpha'),
  savePoints: z.number().int('must be an integer').min(2, 'must be ≥ 2').max(100000, 'must be ≤ 100000').default(300),
  // Which save points keep Q and M (the loss is kept at all): a wide run's overlaps are p² numbers
  // a point (2 MB at p = 512). budget.ts counts only the kept ones.
  saveOverlaps: z.union([z.literal('all'), z.literal('none'), z.number().int(SAVE_OVERLAPS_RULE).min(1, SAVE_OVERLAPS_RULE).max(1e9, SAVE_OVERLAPS_RULE)], {
    error: SAVE_OVERLAPS_RULE,
  }).default('all'),
  init: z.union([weightInit, overlapInit], {
    error: 'must be either { teacher, studentVariance, seed } (random weights) or { Q, M, P } (explicit overlaps)',
  }).default({ teacher: 'orthonormal', studentVariance: 1e-3, seed: 0 }),
  N: z.number({ error: 'must be an integer ≥ 2 (input dimension)' }).int('must be an integer ≥ 2 (input dimension)').min(2, 'must be an integer ≥ 2 (input dimension)').default(2000),
  seed: seedField('seed of the SGD samples').default(1),
  runs: z.number().int('must be an integer').min(1, 'must be ≥ 1 (number of SGD runs)').max(10000, 'must be ≤ 10000').default(1),
  // What the runs of an ensemble vary: the data stream (run r: sgdInputs/labelNoise/sdeNoise index r),
  // the initial weights (run r: its own draw from init.seed, same data stream), or both.
  ensemble: z.enum(['data', 'init', 'both'], { error: 'must be "data" (runs vary the samples), "init" (the initial weights) or "both"' }).default('data'),
  // Euler–Maruyama α-step of `onepass sde` (src/sde/integrate.ts; weak order 1, strong order ½).
  sdeStep: finite('α-step of the SDE integrator').refine((v) => v > 0 && v <= 1, 'must be > 0 and ≤ 1 (α-step of the SDE integrator)').default(0.1),
  // The SDE's noise covariance (src/sde/): "exact" (closed form, σ = z² with a uniform readout),
  // "sampled" (unbiased Monte-Carlo estimate, any network), "auto" (exact where derived).
  sdeNoise: z.enum(['auto', 'exact', 'sampled'], { error: 'must be "auto" (exact where derived, else sampled), "exact" or "sampled" (the SDE\'s noise covariance)' }).default('auto'),
  // Where Dormand–Prince's error control means something: below rtol ≈ 10⁻¹⁴ (≈ 50 ulps) the
  // embedded error estimate is rounding noise and the controller chases it; above 10⁻³ it is
  // outside its asymptotic regime (rtol = atol = 10¹⁰ gave a curve off by 2×). atol only keeps
  // components near 0 from demanding relative accuracy; the overlaps start at ≈ σ² (10⁻³ by
  // default, often smaller), so it must stay well below them.
  rtol: finite('relative tolerance of the ODE integrator').refine((v) => v >= RTOL_RANGE[0] && v <= RTOL_RANGE[1], 'must be in [1e-14, 1e-3] (relative tolerance of the ODE integrator)').default(1e-10),
  atol: finite('absolute tolerance of the ODE integrator').refine((v) => v > 0 && v <= ATOL_MAX, 'must be > 0 and ≤ 1e-6 (absolute tolerance of the ODE integrator)').default(1e-14),
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type OverlapInit = z.output<typeof overlapInit>;
export type WeightInit = z.output<typeof weightInit>;

// Lives with the initial conditions so that the sweep's worker threads, which receive configs
// already parsed, need not load zod.
export { isOverlapInit };

/** Weights of p + p* rows of length N take this many bytes; refuse what would exhaust memory. */
const MAX_WEIGHT_BYTES = 4 * 2 ** 30;

/** Bytes of the teacher and student weights (and their update copy) of a config at dimension N. */
export function weightBytes(c: Pick<Config, 'N' | 'p' | 'pStar'>): number {
  return 8 * c.N * (c.p + c.pStar) * 2;
}

/** Whether a config's weights fit in memory (else only the SDE, which needs no weights, can run it). */
export function weightsFit(c: Pick<Config, 'N' | 'p' | 'pStar'>): boolean {
  return weightBytes(c) <= MAX_WEIGHT_BYTES;
}

/**
 * Validates a configuration object and fills in defaults; throws ConfigError naming the field.
 * `weights: false` (the SDE) skips the check that N-dimensional weights fit in memory.
 */
export function parseConfig(input: unknown, options: { readonly weights?: boolean } = {}): Config {
  assertSafeKeys(input);
  // `init` is one of two shapes: pick the schema by its keys so errors speak of the intended one.
  const init = (input as { init?: unknown } | null)?.init;
  if (init !== null && typeof init === 'object' && !Array.isArray(init)) {
    const overlapsGiven = ['Q', 'M', 'P'].some((k) => k in init);
    const schema = overlapsGiven ? overlapInit : weightInit;
    const r = schema.safeParse(init);
    if (!r.success) throw configError(r.error.issues[0], init, ['init'], Object.keys(schema.shape));
  }
  checkEtaShape((input as { eta?: unknown } | null)?.eta);
  const result = configSchema.safeParse(input ?? {});
  if (!result.success) throw configError(result.error.issues[0], input, [], Object.keys(configSchema.shape));
  const config = result.data;
  checkConsistency(config, options.weights ?? true);
  return config;
}

/**
 * A given value as a message quotes it: JSON, except that a non-finite number is spelled out (JSON
 * writes Infinity and NaN as null, so `eta: 1e999`, which JSON.parse reads as Infinity, said "got null").
 */
function shown(v: unknown): string {
  return clip(typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v) ?? String(v));
}

/** One zod issue as a one-line ConfigError: field path, what is allowed, what was given. */
function configError(issue: z.core.$ZodIssue, input: unknown, prefix: string[], knownKeys: string[]): ConfigError {
  const path = [...prefix, ...issue.path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const hint = didYouMean(key, knownKeys);
    return new ConfigError(clip(path ? `${path}.${key}` : key), `unknown key${hint ? ` (did you mean "${hint}"?)` : ''} (allowed: ${knownKeys.join(', ')})`);
  }
  const got = valueAt(input, issue.path);
  const given = got === undefined ? '' : ` (got ${shown(got)})`;
  return new ConfigError(clip(path) || 'config', `${issue.message.replace(/^Invalid input: /, '')}${given}`);
}

/**
 * `eta` is a number or one of the schedule objects: pick the schema by its shape (by `schedule` for
 * an object) so that an error names the field inside the schedule, not the union.
 */
function checkEtaShape(eta: unknown): void {
  if (eta === undefined) return;
  if (typeof eta === 'number') {
    const r = configSchema.shape.eta.safeParse(eta);
    if (!r.success) throw new ConfigError('eta', `must be > 0 (learning rate) (got ${shown(eta)})`);
    return;
  }
  if (eta === null || typeof eta !== 'object' || Array.isArray(eta)) throw new ConfigError('eta', `${ETA_RULE} (got ${clip(JSON.stringify(eta) ?? String(eta))})`);
  const kind = (eta as { schedule?: unknown }).schedule;
  if (typeof kind !== 'string' || !(kind in SCHEDULES)) {
    throw new ConfigError('eta.schedule', `must be "power" or "piecewise" (got ${clip(JSON.stringify(kind) ?? 'nothing')})`);
  }
  const schema = SCHEDULES[kind as keyof typeof SCHEDULES];
  const r = schema.safeParse(eta);
  if (!r.success) throw configError(r.error.issues[0], eta, ['eta'], Object.keys(schema.shape));
  if (kind === 'piecewise') checkPiecewise(r.data as z.output<typeof piecewiseSchedule>);
}

function checkPiecewise(s: z.output<typeof piecewiseSchedule>): void {
  const n = s.values.length, m = s.until.length;
  if (n !== m + 1 && n !== m) {
    throw new ConfigError('eta.values', `must have one entry more than eta.until (a rate per piece), or as many with the last rate kept (got ${n} values for ${m} until)`);
  }
  for (let i = 1; i < m; i++) {
    if (!(s.until[i] > s.until[i - 1])) throw new ConfigError(`eta.until.${i}`, `must be strictly increasing (got ${s.until[i]} after ${s.until[i - 1]})`);
  }
}

function checkConsistency(c: Config, weights: boolean): void {
  const bytes = weightBytes(c);
  if (weights && bytes > MAX_WEIGHT_BYTES) {
    throw new ConfigError('N', `N = ${c.N} with p + p* = ${c.p + c.pStar} needs ${(bytes / 2 ** 30).toFixed(1)} GiB for the weights; at most ${MAX_WEIGHT_BYTES / 2 ** 30} GiB is allowed`);
  }
  checkRunMemory(c);
  if (c.saveAt) {
    for (let i = 1; i < c.saveAt.length; i++) {
      if (!(c.saveAt[i] > c.saveAt[i - 1])) throw new ConfigError(`saveAt.${i}`, `must be strictly increasing (got ${c.saveAt[i]} after ${c.saveAt[i - 1]})`);
    }
    // Save times are rounded to whole SGD steps (problem.ts): a grid with no step after the start
    // saves only the initial point and leaves nothing to integrate or compare.
    if (!c.saveAt.some((a) => stepOf(a, c) >= 1)) {
      throw new ConfigError('saveAt', `must contain at least one α ≥ ${c.batchSize === 1 ? '1/(2N)' : `${c.batchSize}/(2N)`} = ${c.batchSize / (2 * c.N)} (a time after the start; got ${JSON.stringify(c.saveAt).slice(0, 60)})`);
    }
    const last = c.saveAt[c.saveAt.length - 1];
    if (last !== undefined && last > c.alphaMax) throw new ConfigError('saveAt', `values must be ≤ alphaMax = ${c.alphaMax} (got ${last})`);
  }
  checkWholeSteps(c);
  if (isOverlapInit(c.init)) checkOverlaps(c.init, c.p, c.pStar);
  // p* orthonormal rows need p* ≤ N; beyond that Gram–Schmidt divides by zero and the run is NaN.
  else if (c.init.teacher === 'orthonormal' && c.pStar > c.N) {
    throw new ConfigError('pStar', `an orthonormal teacher needs p* ≤ N (got p* = ${c.pStar}, N = ${c.N}); raise N or use init.teacher = "gaussian"`);
  }
  const teacherActivation = c.teacherActivation ?? c.activation;
  if (teacherActivation !== c.activation && (c.activation === 'relu' || teacherActivation === 'relu')) {
    // Mixed pairs have no closed forms and go to tensor Gauss–Hermite quadrature
    // (src/gauss/mixed.ts), which does not converge on ReLU's kink: measured against independent
    // references, E[relu(a) b²] is 4.5e-4 off (enters the loss itself) and
    // E[1{a>0} 1{b>0} erf(c) erf(d)] 17 % off (the η² term), silently.
    throw new ConfigError('teacherActivation', `relu cannot be mixed with ${c.activation === 'relu' ? teacherActivation : c.activation} (got activation = ${c.activation}, teacherActivation = ${teacherActivation}): the mixed Gaussian expectations would come from quadrature that is up to 17 % off at ReLU's kink; use the same activation for student and teacher`);
  }
  if (c.studentReadout && c.studentReadout.length !== c.p) {
    throw new ConfigError('studentReadout', `must have p = ${c.p} entries (got ${c.studentReadout.length})`);
  }
  if (c.teacherReadout && c.teacherReadout.length !== c.pStar) {
    throw new ConfigError('teacherReadout', `must have p* = ${c.pStar} entries (got ${c.teacherReadout.length})`);
  }
}

/**
 * Save times are rounded to whole SGD steps (multiples of batchSize/N, `saveGrid`): a run shorter than
 * half a step would be 0 steps that "complete" with a deviation of 0, and explicit save times
 * closer than a step would silently merge into one point.
 */
function checkWholeSteps(c: Config): void {
  const step = c.batchSize === 1 ? '1/N' : `batchSize/N`;
  if (stepOf(c.alphaMax, c) < 1) {
    // alphaMax, like every save time, is rounded to the nearest whole step (0.0004 at N = 2000 runs one step, to 0.0005),
    // so the bound is half a step; the message says so, as "at least one step" alone contradicted that run.
    throw new ConfigError('alphaMax', `must round to at least one SGD step: runs end at the nearest whole step of ${step} = ${c.batchSize / c.N}, so alphaMax ≥ ${c.batchSize / c.N / 2} (got ${c.alphaMax} with N = ${c.N}${c.batchSize === 1 ? '' : `, batchSize = ${c.batchSize}`})`);
  }
  if (!c.saveAt) return;
  for (let i = 1; i < c.saveAt.length; i++) {
    if (stepOf(c.saveAt[i], c) === stepOf(c.saveAt[i - 1], c)) {
      throw new ConfigError(`saveAt.${i}`, `α = ${c.saveAt[i - 1]} and ${c.saveAt[i]} fall on the same SGD step (saves are at multiples of ${step} = ${c.batchSize / c.N}); space them by at least ${step} or raise N`);
    }
  }
}

/** The SGD step nearest to time α: a step is batchSize samples, α counts samples/N. */
export function stepOf(alpha: number, c: Pick<Config, 'N' | 'batchSize'>): number {
  return Math.round((alpha * c.N) / c.batchSize);
}

function checkShape(name: string, m: number[][], rows: number, cols: number, what: string) {
  if (m.length !== rows) throw new ConfigError(`init.${name}`, `must be ${rows}×${cols} (${what}); it has ${m.length} rows, expected ${rows}`);
  const bad = m.findIndex((r) => r.length !== cols);
  if (bad >= 0) throw new ConfigError(`init.${name}`, `must be ${rows}×${cols} (${what}); row ${bad} has ${m[bad].length} entries, expected ${cols}`);
}

/** Shapes, symmetry and positive semidefiniteness of [[Q, M], [Mᵀ, P]] (it is a covariance). */
function checkOverlaps(init: OverlapInit, p: number, pStar: number): void {
  checkShape('Q', init.Q, p, p, 'p×p');
  checkShape('M', init.M, p, pStar, 'p×p*');
  checkShape('P', init.P, pStar, pStar, 'p*×p*');
  for (const [name, m] of [['Q', init.Q], ['P', init.P]] as const) {
    for (let i = 0; i < m.length; i++) for (let j = 0; j < i; j++) {
      if (Math.abs(m[i][j] - m[j][i]) > 1e-12 * (Math.abs(m[i][j]) + Math.abs(m[j][i]) + 1e-300)) {
        throw new ConfigError(`init.${name}`, `must be symmetric (entry [${i}][${j}] = ${m[i][j]} but [${j}][${i}] = ${m[j][i]})`);
      }
    }
  }
  const n = p + pStar;
  const C = Matrix.zeros(n, n);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) C.set(i, j, init.Q[i][j]);
  for (let i = 0; i < p; i++) for (let j = 0; j < pStar; j++) { C.set(i, p + j, init.M[i][j]); C.set(p + j, i, init.M[i][j]); }
  for (let i = 0; i < pStar; i++) for (let j = 0; j < pStar; j++) C.set(p + i, p + j, init.P[i][j]);
  const eig = new EigenvalueDecomposition(C, { assumeSymmetric: true }).realEigenvalues;
  const scale = Math.max(...eig.map(Math.abs), 1e-300);
  const min = Math.min(...eig);
  if (min < -1e-10 * scale) {
    throw new ConfigError('init', `[[Q, M], [Mᵀ, P]] must be positive semidefinite (it is the covariance of the pre-activations); its smallest eigenvalue is ${min.toPrecision(3)}`);
  }
}

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

// clip and MAX_QUOTED live in errors.ts, which the CLI loads without the schema.
export { MAX_QUOTED, clip };

/**
 * The closest known key by edit distance, if it is close enough to be a typo (distance at most
 * max(2, ⌊len/3⌋)). The distance is at least the difference of the lengths, so candidates whose
 * length differs by more than that are skipped unmeasured: a megabyte-long key costs nothing.
 */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(key.length / 3));
  let best: string | undefined, bestD = Infinity;
  for (const k of known) {
    if (Math.abs(k.length - key.length) > limit) continue;
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) { bestD = d; best = k; }
  }
  return bestD <= limit ? best : undefined;
}

/** Levenshtein distance, one row at a time (O(|a|·|b|) time, O(|b|) memory). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** Keys that reach an object's prototype (`o.__proto__.x = …` sets Object.prototype.x): never config keys. */
const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

function unsafeKeyError(path: readonly string[]): ConfigError {
  return new ConfigError(clip(path.join('.')), 'not allowed as a key (__proto__, constructor and prototype would reach the object prototype)');
}

/** No config nests deeper than a few levels (a sweep list of init.Q matrices is 5); the bound keeps
 * the recursive walks that follow (copy, schema) off the stack limit. */
const MAX_DEPTH = 16;

/**
 * Refuses `__proto__`, `constructor` and `prototype` as keys anywhere in a config (a JSON file
 * can hold "__proto__" as an own key), so that no later assignment along a path can pollute
 * Object.prototype, and nesting deeper than MAX_DEPTH. Iterative, with each entry pointing to its
 * parent (a path is built only for the message), so deep nesting costs neither stack nor
 * depth² time.
 */
export function assertSafeKeys(value: unknown): void {
  type Entry = { v: unknown; key: string; parent: Entry | undefined; depth: number };
  const pathOf = (e: Entry | undefined): string[] => { const path: string[] = []; for (; e?.parent; e = e.parent) path.push(e.key); return path.reverse(); };
  const stack: Entry[] = [{ v: value, key: '', parent: undefined, depth: 0 }];
  while (stack.length) {
    const entry = stack.pop()!;
    const v = entry.v;
    if (v === null || typeof v !== 'object') continue;
    if (entry.depth > MAX_DEPTH) throw new ConfigError(clip(pathOf(entry).join('.')), `nested more than ${MAX_DEPTH} levels deep; no config is`);
    const arr = Array.isArray(v);
    for (const k of Object.keys(v)) {
      if (!arr && UNSAFE_KEYS.has(k)) throw unsafeKeyError([...pathOf(entry), k]);
      const child = (v as Record<string, unknown>)[k];
      if (child !== null && typeof child === 'object') stack.push({ v: child, key: k, parent: entry, depth: entry.depth + 1 });
    }
  }
}

/** A deep copy of JSON-like data whose objects have no prototype (nothing to pollute, nothing inherited). */
function nullPrototypeCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(nullPrototypeCopy);
  if (value === null || typeof value !== 'object') return value;
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(value)) out[k] = nullPrototypeCopy(v);
  return out;
}

/**
 * Applies `key=value` overrides by dotted path (`init.studentVariance=1e-8`). The value is read
 * as JSON when it parses (numbers, arrays, objects, true/false), else as a plain string.
 */
export function applyOverrides(config: Record<string, unknown>, overrides: readonly string[]): Record<string, unknown> {
  assertSafeKeys(config);
  // Built on null-prototype objects: even a key that slipped past the checks could not reach Object.prototype.
  const out = nullPrototypeCopy(config) as Record<string, unknown>;
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new ConfigError('--set', `expected key=value, got "${clip(o)}"`);
    const path = o.slice(0, eq).split('.');
    const bad = path.findIndex((k) => UNSAFE_KEYS.has(k));
    if (bad >= 0) throw unsafeKeyError(path.slice(0, bad + 1));
    const raw = o.slice(eq + 1);
    let value: unknown;
    try { value = JSON.parse(raw); } catch { value = raw; }
    assertSafeKeys(value);
    value = nullPrototypeCopy(value);
    let cur: Record<string, unknown> = out;
    for (let i = 0; i < path.length - 1; i++) {
      const k = path[i];
      if (cur[k] === undefined) cur[k] = Object.create(null);
      if (typeof cur[k] !== 'object' || cur[k] === null || Array.isArray(cur[k])) {
        throw new ConfigError(clip(path.slice(0, i + 1).join('.')), `is not an object, cannot set "${clip(o.slice(0, eq))}"`);
      }
      cur = cur[k] as Record<string, unknown>;
    }
    cur[path[path.length - 1]] = value;
  }
  return out;
}
