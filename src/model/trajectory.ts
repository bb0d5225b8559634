/**
 * The one result type of every solver, ODE or finite-N SGD (as in committee_learning, the two
 * mirror each other so that comparing them is one line): the saved times α, the population
 * loss and the overlaps there, and an honest account of how the run ended.
 */

/**
 * How a run ended, the one definition (ODE, SGD, sweep rows): 'completed' reached the last save
 * time; 'diverged' stopped on a blow-up; 'failed' could not go on (e.g. the ODE step underflowed).
 */
export type RunStatus = 'completed' | 'diverged' | 'failed';

/** What the ODE solver reports about its work (src/ode/dopri5.ts). */
export interface OdeStats {
  readonly acceptedSteps: number;
  readonly rejectedSteps: number;
  /** Right-hand-side evaluations, the measure of the ODE's cost. */
  readonly rhsEvaluations: number;
}

/** What an SGD run reports about its work (src/sim/sgd.ts). */
export interface SgdStats {
  /** SGD steps taken (α = steps/N at the end). */
  readonly steps: number;
  readonly N: number;
  /** 1 when the WebAssembly SIMD loop ran, 0 for the plain JavaScript loop (a number, for the JSON schema). */
  readonly wasmKernel: 0 | 1;
}

/** What an SDE run reports about its work (src/sde/integrate.ts). */
export interface SdeStats {
  /** Euler–Maruyama steps taken. */
  readonly steps: number;
  readonly N: number;
  /** Steps after which Q⊥ was projected back onto the positive semi-definite cone. */
  readonly projections: number;
}

export type SolverStats = OdeStats | SgdStats | SdeStats;

/**
 * `S` narrows the solver statistics: `solve` returns Trajectory<OdeStats> for the ODE methods
 * and Trajectory<SgdStats> for SGD runs; code that takes either reads them as SolverStats.
 */
export interface Trajectory<S extends SolverStats = SolverStats> {
  readonly solver: 'ode' | 'sgd' | 'sde';
  readonly p: number;
  readonly pStar: number;
  /** Saved times α = samples/N (= steps/N at batch size 1). */
  readonly alpha: Float64Array;
  /** Population loss ε(Q, M, P) at each saved α (exact in the overlaps, not a test-set estimate). */
  readonly loss: Float64Array;
  /**
   * ODE only: a bound on the rounding error of each saved loss (the accuracy floor). A loss below
   * its floor is not resolved (only "ε < lossFloor" is known; such losses are stored clamped at 0
   * or above, never negative). Above it the loss is accurate to about rtol relative.
   */
  readonly lossFloor?: Float64Array;
  /**
   * Q (p×p, row-major) at each saved α; empty (length 0) at the points that keep no overlaps
   * (config `saveOverlaps`: all keep them by default; the first and last always do).
   */
  readonly Q: Float64Array[];
  /** M (p×p*, row-major) at each saved α; empty where Q is. */
  readonly M: Float64Array[];
  /** Student second-layer weights v (length p) at each saved α, when the second layer is trained. */
  readonly v?: Float64Array[];
  /** P (p*×p*, row-major), constant. */
  readonly P: Float64Array;
  /** 'completed': reached the last save time; 'diverged': stopped on a blow-up (see message). */
  readonly status: RunStatus;
  readonly message: string;
  /** With status 'diverged': the α at which the divergence was detected (ODE: the step's end;
   * SGD: the first save point at which it was checked, after the last saved α). */
  readonly divergedAt?: number;
  /** Solver statistics: OdeStats for the ODE, SgdStats for an SGD run. */
  readonly stats: S;
}

/**
 * Several SGD runs of one problem from the same initial weights with independent sample streams
 * (src/sim/ensemble.ts), and the mean and spread of their loss at each saved α. Plain data, here
 * beside Trajectory so that the output writers (model/output.ts) need nothing from the solvers.
 */
export interface Ensemble<S extends SgdStats | SdeStats = SgdStats> {
  readonly runs: Trajectory<S>[];
  /** The config's seed: run r used the streams (seed, sgdInputs, r) and (seed, labelNoise, r). */
  readonly seed: number;
  /** α of the saved points common to all runs. */
  readonly alpha: Float64Array;
  readonly lossMean: Float64Array;
  /** Sample standard deviation over runs (0 for a single run). */
  readonly lossStd: Float64Array;
}
