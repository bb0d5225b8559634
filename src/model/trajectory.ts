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

export interface Trajectory {
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
  /** Q (p×p, row-major) at each saved α. */
  readonly Q: Float64Array[];
  /** M (p×p*, row-major) at each saved α. */
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
  /** Solver statistics (ODE: steps and right-hand-side evaluations; SGD: steps, N, and
   * wasmKernel, 1 when the WebAssembly SIMD loop ran and 0 for the JavaScript loop). */
  readonly stats: Readonly<Record<string, number>>;
}
