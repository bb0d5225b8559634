/**
 * A validated config becomes a problem: the activation object, the save grid, and the initial
 * condition (overlaps, and the weights behind them when they were drawn at random).
 */
import type { Activation } from '../gauss/expectations.js';
import { activationByName } from '../gauss/activations.js';
import type { Config } from './config.js';
import { fromRows } from '../linalg/matrix.js';
import { overlapsOf, type Overlaps, type Weights } from './overlaps.js';
import { isOverlapInit, studentWeights, teacherWeights } from './init.js';
import { Rng } from '../random/rng.js';
import { makeNetwork, type Network } from './network.js';
import { initialEta, type EtaSpec } from './schedule.js';

export interface Problem {
  readonly config: Config;
  readonly activation: Activation;
  readonly p: number;
  readonly pStar: number;
  /** η at α = 0; the solvers follow `etaSchedule` (η(α), src/model/schedule.ts). */
  readonly eta: number;
  /** The learning rate as configured: a constant or a schedule of α = samples/N. */
  readonly etaSchedule: EtaSpec;
  /** Samples per SGD step (their mean gradient); one step advances α by batchSize/N. */
  readonly batchSize: number;
  readonly noise: number;
  /** Activations and readout weights of student and teacher. */
  readonly network: Network;
  readonly weightDecay: number;
  /** Learning rate of the student second layer when it is trained (config trainSecondLayer), else undefined. */
  readonly secondLayerRate?: number;
  /** True when the second layer is trained without its own `secondLayerRate`: it then follows η(α). */
  readonly secondLayerFollowsEta?: boolean;
  /** Save times α, increasing; multiples of 1/N so that the SGD run hits them exactly. */
  readonly saveAt: Float64Array;
}

export interface InitialCondition {
  readonly overlaps: Overlaps;
  /** The drawn weights when `init` asks for random weights; absent for explicit overlaps. */
  readonly weights?: Weights;
}

export function makeProblem(config: Config): Problem {
  const activation = activationByName(config.activation);
  const teacher = config.teacherActivation ? activationByName(config.teacherActivation) : activation;
  return {
    config,
    activation,
    network: makeNetwork(config.p, config.pStar, activation, teacher, config.readout, config.teacherReadout, config.studentReadout),
    weightDecay: config.weightDecay,
    secondLayerRate: config.trainSecondLayer ? (config.secondLayerRate ?? initialEta(config.eta)) : undefined,
    ...(config.trainSecondLayer && config.secondLayerRate === undefined ? { secondLayerFollowsEta: true } : {}),
    p: config.p,
    pStar: config.pStar,
    eta: initialEta(config.eta),
    etaSchedule: config.eta,
    batchSize: config.batchSize,
    noise: config.noise,
    saveAt: saveGrid(config),
  };
}

/**
 * The save grid: the config's `saveAt`, else α = 0 and `savePoints − 1` log-spaced times from
 * α_lo = min(10⁻³·alphaMax, max(0.1, 1/N)) to alphaMax (log axes are how plateaus and escapes
 * are read). Rounded to whole SGD steps (multiples of batchSize/N), duplicates dropped, so ODE and SGD
 * are saved at the same α. α_lo ≤ 0.1 resolves the first stage whatever alphaMax: its rates are
 * O(η) per unit α (tr Q grows at 0.625 on the default setup), so the norm-growth plateau lasts
 * α ~ 1–10; starting at 10⁻³·alphaMax (= 100 at alphaMax = 10⁵) saved no point on it.
 */
export function saveGrid(config: Config): Float64Array {
  const { N, alphaMax } = config;
  const B = config.batchSize ?? 1;
  let raw: number[];
  if (config.saveAt) raw = config.saveAt;
  else {
    const n = config.savePoints - 1;
    const lo = Math.log(Math.min(alphaMax * 1e-3, Math.max(0.1, 1 / N))), hi = Math.log(alphaMax);
    raw = [0, ...Array.from({ length: n }, (_, i) => Math.exp(lo + ((hi - lo) * i) / (n - 1 || 1)))];
  }
  // One step is B samples: α = step·B/N (B = 1: exactly today's grid, step/N).
  const steps = [...new Set(raw.map((a) => Math.round((a * N) / B)))].sort((a, b) => a - b);
  return Float64Array.from(steps, (s) => (s * B) / N);
}

/** Draws the initial weights (random init: streams (init.seed, teacherWeights) and (init.seed, studentWeights)) or takes the given overlaps (explicit init). */
export function initialCondition(config: Config): InitialCondition {
  const { p, pStar, N, init } = config;
  if (isOverlapInit(init)) {
    return { overlaps: { p, pStar, Q: fromRows(init.Q), M: fromRows(init.M), P: fromRows(init.P) } };
  }
  // Teacher and student from their own streams of init.seed (src/random/streams.ts).
  const teacher = teacherWeights(init.teacher, pStar, N, new Rng(init.seed, 'teacherWeights'));
  const W = studentWeights(p, N, init.studentVariance, new Rng(init.seed, 'studentWeights'));
  const weights: Weights = { N, p, pStar, W, teacher };
  return { overlaps: overlapsOf(weights), weights };
}
