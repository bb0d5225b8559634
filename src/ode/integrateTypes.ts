/**
 * The interface shared by the embedded Runge–Kutta integrators (dopri5.ts, dop853.ts): a vector
 * field, the options (tolerances, save times, hooks, an output functional) and the result.
 */
import type { RunStatus } from '../model/trajectory.js';

/**
 * dy/dt = f(t, y), written into dy. A field may carry its own Dormand–Prince 5(4) step
 * (`dopri5`), which the 5(4) integrator then takes in place of its JavaScript stages.
 */
export type VectorField = ((t: number, y: Float64Array, dy: Float64Array) => void) & { readonly dopri5?: Dopri5Stepper };

/**
 * One Dormand–Prince 5(4) step of a vector field done elsewhere (the WebAssembly kernel of the
 * quadratic network's (Q⊥, M) form, quadratic.ts), in buffers of its own. It must do the
 * operations of dopri5.ts's stages and error estimate in the same order (same bits), and the
 * field must not depend on t (the stages' times are not passed).
 */
export interface Dopri5Stepper {
  /** The state y, the stages k1 … k7, the new state and the new state minus the error estimate. */
  readonly y: Float64Array;
  readonly k: readonly Float64Array[];
  readonly yNew: Float64Array;
  readonly yErr: Float64Array;
  /** From (y, k1 = f(y)): k2 … k7, yNew = f's state of k7, and yErr; returns Σ_i (e_i/sc_i)², sc_i = atol + rtol·max(|y_i|, |yNew_i|). */
  step(h: number, rtol: number, atol: number): number;
}

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
