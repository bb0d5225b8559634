/**
 * The messages between the page and its worker. Plain structured-cloneable data only, so the
 * page never touches the solvers and the worker never touches the DOM.
 */
import type { SetupAnalysis, TrajectoryJson, LossCurveAnalysis } from '../../src/index.js';

/** Page → worker: run this (unvalidated) config; the worker validates it again itself. */
export interface RunRequest {
  readonly type: 'run';
  readonly id: number;
  readonly input: Record<string, unknown>;
  /** Also run an SDE ensemble of this many runs (the page's "SDE ensemble" control); absent or 0: none. */
  readonly sdeRuns?: number;
}

/** Page → worker: the Hessian spectrum at the overlaps of one saved point of the ODE (row-major, flat). */
export interface HessianRequest {
  readonly type: 'hessian';
  readonly id: number;
  /** Index of the saved point (the slider's position), echoed in the reply. */
  readonly index: number;
  readonly overlaps: { readonly p: number; readonly pStar: number; readonly Q: number[]; readonly M: number[]; readonly P: number[] };
}

export type WorkerRequest = RunRequest | HessianRequest;

/** One saved point of the streaming SGD run; Q (p×p) and M (p×p*) row-major, empty where a wide run keeps none. */
export interface SgdPoint {
  readonly alpha: number;
  readonly loss: number;
  readonly Q: number[];
  readonly M: number[];
}

/** Files for the export buttons, made in the worker so the page stays a thin shell. */
export interface DataExport {
  readonly csv: string;
  readonly json: string;
}

/** The SDE ensemble's loss: mean and the 10 % / 90 % quantiles over its runs at each saved α; or why the SDE does not apply. */
export type SdeReply =
  | { readonly type: 'sde'; readonly id: number; readonly runs: number; readonly alpha: number[]; readonly mean: number[]; readonly lo: number[]; readonly hi: number[]; readonly notCompleted: number; readonly ms: number }
  | { readonly type: 'sde'; readonly id: number; readonly notApplicable: string };

export type WorkerReply =
  | SdeReply
  | {
      readonly type: 'ode'; readonly id: number; readonly ode: TrajectoryJson;
      /** Relative drift of the conserved J along this ODE (NaN where undefined) and along gradient flow. */
      readonly odeDrift: number[]; readonly gradientFlowDrift: number[]; readonly gradientFlowAlpha: number[];
      readonly analysis: SetupAnalysis | null;
      /** Why `analysis` is null (the core's analysisPlan), else null. */
      readonly notApplicable: string | null;
      readonly ms: number; readonly exports: DataExport;
      /** Plateaus and escape of the ODE's loss, for networks where `analysis` (quadratic only) is null. */
      readonly lossAnalysis: LossCurveAnalysis | null;
    }
  | { readonly type: 'sgd-points'; readonly id: number; readonly points: SgdPoint[]; readonly fraction: number }
  | { readonly type: 'sgd-progress'; readonly id: number; readonly fraction: number }
  /** Progress of the ODE solves (ODE then gradient flow), 0 … 1. */
  | { readonly type: 'ode-progress'; readonly id: number; readonly fraction: number }
  | {
      readonly type: 'sgd-done'; readonly id: number; readonly sgd: TrajectoryJson; readonly drift: number[];
      readonly ms: number; readonly exports: DataExport;
      /** Which SGD loop ran: the WebAssembly SIMD kernel, or the JavaScript fallback where the browser lacks it. */
      readonly engine: 'WebAssembly SIMD' | 'JavaScript';
      /** With runs > 1: the loss mean and sample std over the runs (at the α's all runs reached). */
      readonly ensemble?: { alpha: number[]; lossMean: number[]; lossStd: number[]; runs: number; notCompleted: number };
    }
  | { readonly type: 'hessian'; readonly id: number; readonly index: number; readonly eigenvalues: number[] }
  | { readonly type: 'error'; readonly id: number; readonly message: string };
