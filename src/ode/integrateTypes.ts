/**
 * The interface shared by the embedded Runge–Kutta integrators (dopri5.ts, dop853.ts): a vector
 * field, the options (tolerances, save times, hooks, an output functional) and the result.
 */
import type { RunStatus } from '../model/trajectory.js';

export type VectorField = (t: number, y: Float64Array, dy: Float64Array) => void;

export interface IntegrateOptions {
  /** Times at which to report y (dense output), increasing, all ≥ t0. */
  readonly saveAt: ArrayLike<number>;
  readonly t0?: number;
  /** Relative and absolute tolerance of the local error (mixed norm, RMS over components). */
  readonly rtol?: number;
  readonly atol?: number;
  /** Fixed step size: disables error control (used by the convergence-order tests). */
  readonly fixedStep?: number;
  readonly maxSteps?: number;
  /** Called after each accepted step; a non-null string stops the run as diverged with that reason. */
  readonly divergence?: (t: number, y: Float64Array) => string | null;
  /** Called after each accepted step with the current time. */
  readonly onStep?: (t: number) => void;
  /**
   * A scalar output g(y) (the reported quantity) whose local error is controlled relative to
   * itself, on top of the per-component norm: a step is accepted only if, besides ‖err‖ ≤ 1,
   * |g(y₁) − g(y₁ − err)| ≤ rtol·|g(y₁)| + floor(y₁), err the embedded error estimate. A quantity that
   * shrinks by orders of magnitude (a loss) keeps its relative accuracy, which tolerances on the
   * components, fixed in absolute terms once they stop shrinking, do not give.
   */
  readonly output?: OutputFunctional;
  /**
   * Checked after each accepted step (after its save times are written): true ends the run there
   * with status 'completed', `stopped` set and the state in `yEnd`, so that the caller can go on
   * from (tEnd, yEnd) in other variables.
   */
  readonly stopWhen?: (t: number, y: Float64Array) => boolean;
  /**
   * Called with each save point's index, time and state (a buffer reused from point to point
   * when the state is not kept: copy what must outlive the call).
   */
  readonly onSave?: (index: number, t: number, y: Float64Array) => void;
  /** Whether save point `index` keeps its state in the result (default all); the others get an empty array. */
  readonly keepState?: (index: number) => boolean;
  /**
   * The method: 'dopri5' (default) this file's Dormand–Prince 5(4), 'dop853' the 8(5,3) pair of
   * dop853.ts (fewer evaluations where steps are limited by accuracy at tight tolerances).
   */
  readonly method?: 'dopri5' | 'dop853';
}

export interface OutputFunctional {
  /** g(y), and the absolute floor of its control there (e.g. the rounding error of evaluating g). */
  readonly g: (y: Float64Array) => { readonly value: number; readonly floor: number };
  readonly rtol: number;
}

export interface IntegrateResult {
  /** The save times actually reached (all of saveAt when status is 'completed'). */
  readonly t: Float64Array;
  readonly y: Float64Array[];
  readonly status: RunStatus;
  readonly message: string;
  /** Time at which the integration stopped. */
  readonly tEnd: number;
  readonly acceptedSteps: number;
  readonly rejectedSteps: number;
  readonly rhsEvaluations: number;
  /** The state at tEnd. */
  readonly yEnd: Float64Array;
  /** True when `stopWhen` ended the run before the last save time. */
  readonly stopped?: boolean;
}
