/**
 * Finite-N one-pass SGD for the committee machine (shared/reference/quadratic.md):
 * a fresh x ~ N(0, I_N) each step, λ = Wx/√N, ν = W*x/√N, e = ŷ − y with ŷ = Σ v_k σ(λ_k),
 * y = Σ v*_j σ*(ν_j) + √Δ ζ, and w_k ← (1 − ηλ/N) w_k − η e v_k σ'(λ_k) x/√N (v = 1/p: the
 * quadratic paper's w_k ← w_k − η e σ'(λ_k) x/(p√N)). With a mini-batch of n_b samples the step
 * uses their mean gradient, w_k ← (1 − ηλ/N) w_k − (η/n_b) Σ_b e_b v_k σ'(λ_kb) x_b/√N, every
 * sample of the batch seeing the same weights; η may follow a schedule η(α), taken at the step's
 * start. Time α = samples/N = steps·n_b/N (src/ode/protocol.ts for the matching ODE). At each save time the overlaps are
 * computed from the weights and the population loss from the overlaps (exact, no test set).
 * The hot loop works on flat typed arrays and allocates nothing.
 */
import { committeePopulationLoss } from '../ode/committee.js';
import type { Network } from '../model/network.js';
import { overlapsOf, type Weights } from '../model/overlaps.js';
import type { Trajectory, SgdStats } from '../model/trajectory.js';
import { divergenceCheck, divergenceMessage } from '../dynamics/divergence.js';
import { formatTime, type TimeConfig } from '../model/time.js';
import { Rng } from '../random/rng.js';
import { createSgdKernel, type SgdKernel } from './wasmKernel.js';
import { ConfigError } from '../model/errors.js';
import { etaAt, type EtaSpec } from '../model/schedule.js';

export interface SgdSetup {
  readonly network: Network;
  readonly p: number;
  readonly pStar: number;
  readonly eta: number;
  readonly noise: number;
  /** Weight decay λ: w ← w − (ηλ/N) w each step (default 0). */
  readonly weightDecay?: number;
  /** Trainable student second layer: v_k ← v_k − (η_v/N) e σ(λ_k) each step (undefined: fixed). */
  readonly secondLayerRate?: number;
  /** The config's time unit for messages (src/model/time.ts); a Problem carries it. Without it, α. */
  readonly config?: TimeConfig;
  /** η(α) (src/model/schedule.ts); default the constant `eta`. The step at α uses η at its start. */
  readonly etaSchedule?: EtaSpec;
  /** With a schedule: the second layer follows η(α) instead of its constant rate. */
  readonly secondLayerFollowsEta?: boolean;
  /** Samples per step, their mean gradient (default 1); α = samples/N, a step advances it by batchSize/N. */
  readonly batchSize?: number;
}

export interface SgdOptions {
  /** Called now and then with the fraction of steps done. */
  readonly onProgress?: (fraction: number) => void;
  /**
   * Called at each saved α with that point (index into the trajectory, α, loss, Q, M; the
   * arrays are the trajectory's own, do not modify them), so a shell can stream a run as it goes.
   */
  readonly onSave?: (index: number, alpha: number, loss: number, Q: Float64Array, M: Float64Array) => void;
  /** Called after a save point at most every `everySeconds` with the full state, to checkpoint. */
  readonly checkpoint?: { readonly everySeconds: number; readonly write: (state: SgdCheckpoint) => void };
  /** Continue from a checkpoint of the same setup, weights and save grid: same result as never stopping. */
  readonly resume?: SgdCheckpoint;
  /**
   * Which loop runs the steps: 'wasm' the WebAssembly SIMD kernel, 'js' the plain JavaScript loop,
   * 'auto' (default) the kernel where the runtime has it. Both give the same numbers for the same
   * seed, bit for bit (src/sim/sgd.test.ts).
   */
  readonly engine?: 'auto' | 'wasm' | 'js';
}

/**
 * The two random streams of one SGD run: the inputs x (N Gaussians per step) and the label noise
 * ζ (one Gaussian per step when Δ > 0). Separate streams, so that the inputs of a run do not
 * depend on whether it has label noise, and so that neither interleaves with the other.
 */
export interface SgdStreams {
  readonly inputs: Rng;
  readonly labelNoise: Rng;
}

/** The streams of SGD run `run` of a config whose `seed` is `seed`: (seed, 'sgdInputs', run) and (seed, 'labelNoise', run). */
export function sgdStreams(seed: number, run: number): SgdStreams {
  return { inputs: new Rng(seed, 'sgdInputs', run), labelNoise: new Rng(seed, 'labelNoise', run) };
}

/** Everything a run needs to continue bit for bit: weights, the states of both streams and the saves so far. */
export interface SgdCheckpoint {
  readonly step: number;
  readonly W: Float64Array;
  /** The generator states of the two streams (SgdStreams). */
  readonly rng: { readonly inputs: number[]; readonly labelNoise: number[] };
  readonly alpha: number[];
  readonly loss: number[];
  readonly Q: Float64Array[];
  readonly M: Float64Array[];
  /** Trained second layer: its current weights and its saved history. */
  readonly v?: Float64Array;
  readonly vs?: Float64Array[];
}

/**
 * Runs SGD from `initial` (copied, not modified), saving at the α's of `saveAt` (multiples of 1/N;
 * others are rounded to the nearest step). The inputs come from `streams.inputs`, the label noise
 * from `streams.labelNoise` (both advanced: a caller may continue them).
 */
export function simulateSgd(setup: SgdSetup, initial: Weights, saveAt: ArrayLike<number>, streams: SgdStreams, options: SgdOptions = {}): Trajectory<SgdStats> {
  const { network, p, pStar, eta, noise } = setup;
  const { vStar } = network;
  const etaV = setup.secondLayerRate;
  const v = Float64Array.from(options.resume?.v ?? network.v);
  const sigmaLambda = new Float64Array(p);
  const B = setup.batchSize ?? 1;
  const spec: EtaSpec = setup.etaSchedule ?? eta;
  const constantEta = typeof spec === 'number';
  const decayRate = setup.weightDecay ?? 0;
  // The rates of the current step (set by ratesAt at each step when η varies).
  let etaStep = constantEta ? spec : eta;
  let shrink = 1 - (etaStep * decayRate) / initial.N;
  let etaVStep = etaV;
  const dv = new Float64Array(p);
  const { N } = initial;
  const rng = streams.inputs, noiseRng = streams.labelNoise;
  if (options.resume) {
    rng.setState(options.resume.rng.inputs);
    noiseRng.setState(options.resume.rng.labelNoise);
  }
  const engine = options.engine ?? 'auto';
  const kernel = engine === 'js' ? null : createSgdKernel(N, p, pStar, B);
  if (engine === 'wasm' && !kernel) throw new ConfigError('engine', 'the WebAssembly kernel is unavailable here (no WebAssembly SIMD, or the weights exceed 2 GiB); use engine "js" or "auto"');
  // With the kernel the weights live in its memory; the plain loop keeps its own copy.
  const W = kernel ? kernel.W : new Float64Array(p * N);
  W.set(options.resume?.W ?? initial.W);
  const T = kernel ? kernel.T : initial.teacher;
  if (kernel) kernel.T.set(initial.teacher);
  // The batch's inputs x_0 … x_{B−1}, N apart (the plain loop's own; the kernel's live in its memory).
  const X = kernel ? null : new Float64Array(N * B);
  const lambda = kernel ? kernel.lambda : new Float64Array(p);
  const nu = kernel ? kernel.nu : new Float64Array(pStar);
  // Update coefficients grad_kb, p × B row-major (B = 1: one per row).
  const grad = kernel ? kernel.grad : new Float64Array(p * B);
  const invSqrtN = 1 / Math.sqrt(N);
  const sqrtNoise = Math.sqrt(noise);
  const { sigma, dsigma } = network.student;
  const sigmaStar = network.teacher.sigma;

  /**
   * From the pre-activations λ, ν of sample b of this step: the error e = ŷ − y, the update
   * coefficients grad_kb = −(η/n_b) e v_k σ'(λ_k)/√N of w_k ← (1 − ηλ/N) w_k + Σ_b grad_kb x_b,
   * and the second layer's step, accumulated in dv (applied after the batch: every sample sees the
   * same v). Shared by both engines: only the O(N) loops differ between them. n_b = 1: η/1 = η
   * exactly, so the numbers are those of the batch-1 loop bit for bit.
   */
  const backward = (b: number) => {
    let yHat = 0;
    for (let k = 0; k < p; k++) {
      sigmaLambda[k] = sigma(lambda[k]);
      yHat += v[k] * sigmaLambda[k];
    }
    let y = 0;
    for (let j = 0; j < pStar; j++) y += vStar[j] * sigmaStar(nu[j]);
    // The label noise has its own stream, drawn here in JavaScript for both loops (one draw per step).
    const e = yHat - y - (noise > 0 ? sqrtNoise * noiseRng.gaussian() : 0);
    const rate = etaStep / B;
    for (let k = 0; k < p; k++) grad[k * B + b] = -rate * e * v[k] * dsigma(lambda[k]) * invSqrtN;
    if (etaVStep !== undefined) for (let k = 0; k < p; k++) dv[k] += (etaVStep / N / B) * e * sigmaLambda[k];
  };
  /** Applies the batch's second-layer step (v_k − (0 + x) = v_k − x: batch 1 unchanged). */
  const secondLayerStep = () => {
    if (etaVStep === undefined) return;
    for (let k = 0; k < p; k++) { v[k] -= dv[k]; dv[k] = 0; }
  };
  /** η, the decay factor and η_v of the step starting at α = step·n_b/N (a schedule only). */
  const ratesAt = (step: number) => {
    if (constantEta) return;
    etaStep = etaAt(spec, (step * B) / N);
    shrink = 1 - (etaStep * decayRate) / N;
    if (etaV !== undefined && setup.secondLayerFollowsEta) etaVStep = etaStep;
  };

  const saveSteps = Array.from(saveAt, (a) => Math.round((a * N) / B));
  const totalSteps = saveSteps.length ? saveSteps[saveSteps.length - 1] : 0;
  const r0 = options.resume;
  const alpha: number[] = r0 ? [...r0.alpha] : [], loss: number[] = r0 ? [...r0.loss] : [];
  const Qs: Float64Array[] = r0 ? [...r0.Q] : [], Ms: Float64Array[] = r0 ? [...r0.M] : [];
  const Vs: Float64Array[] = r0?.vs ? [...r0.vs] : [];
  let lastCheckpoint = Date.now();
  let P: Float64Array = overlapsOf(initial).P;
  const check = divergenceCheck(overlapsOf(initial));
  let divergedAt: number | undefined;
  let status: Trajectory['status'] = 'completed';
  let message = `reached ${setup.config ? formatTime(setup.config, (totalSteps * B) / N) : `α = ${(totalSteps * B) / N}`}`;
  const progressEvery = Math.max(1, Math.floor(totalSteps / 200));
  const progress = options.onProgress;

  /** The plain JavaScript loop: the reference the kernel is tested against, and the fallback. */
  const runPlain = (X: Float64Array, from: number, to: number) => {
    for (let step = from; step < to; step++) {
      ratesAt(step);
      for (let b = 0; b < B; b++) {
        const x = X.subarray(b * N, (b + 1) * N);
        rng.fillGaussian(x);
        for (let k = 0; k < p; k++) lambda[k] = dotRow(W, k * N, x, N) * invSqrtN;
        for (let j = 0; j < pStar; j++) nu[j] = dotRow(T, j * N, x, N) * invSqrtN;
        backward(b);
      }
      for (let k = 0; k < p; k++) {
        const g = grad[k * B], off = k * N;
        if (B === 1) {
          if (shrink !== 1) for (let n = 0; n < N; n++) W[off + n] = shrink * W[off + n] + g * X[n];
          else for (let n = 0; n < N; n++) W[off + n] += g * X[n];
          continue;
        }
        // The kernel's order (wasm/sgdKernel.ts updateRowsBatch): s·w + g_0 x_0, then + g_b x_b for b = 1, 2, …
        for (let n = 0; n < N; n++) {
          let acc = shrink !== 1 ? shrink * W[off + n] + g * X[n] : W[off + n] + g * X[n];
          for (let b = 1; b < B; b++) acc += grad[k * B + b] * X[b * N + n];
          W[off + n] = acc;
        }
      }
      secondLayerStep();
      if (progress && step % progressEvery === 0) progress(step / totalSteps);
    }
  };

  /**
   * The same steps with the kernel: step t's update and step t+1's pre-activations share one pass
   * over W (the kernel holds the input stream's state; the label noise stream stays in JavaScript).
   * The block's last step updates alone, so that at a save point weights and generators are
   * exactly those of the plain loop.
   */
  const runKernel = (k: SgdKernel, from: number, to: number) => {
    if (from >= to) return;
    k.setRngState(rng.getState());
    if (B === 2) {
      // n_b = 2: both of the next step's inputs are drawn before this step's update (the input stream's
      // order is unchanged: x_0, x_1 of each step in turn; the label noise has its own stream), so the
      // update pass computes both their λ and no pass over W is spent on the second input's fields.
      let c = 0;
      k.drawSlot(c);
      k.drawSecond(c);
      k.studentFieldsAt(c);
      k.secondStudentFields(c);
      for (let step = from; ; step++) {
        ratesAt(step);
        k.teacherFieldsAt(c);
        backward(0);
        k.takeSecondFields();
        k.secondTeacherFields(c);
        backward(1);
        secondLayerStep();
        if (progress && step % progressEvery === 0) progress(step / totalSteps);
        if (step + 1 === to) { k.updatePair(c, -1, shrink); break; }
        k.drawSlot(1 - c);
        k.drawSecond(1 - c);
        k.updatePair(c, 1 - c, shrink);
        c = 1 - c;
      }
      rng.setState(k.rngState());
      return;
    }
    if (B > 1) {
      // Mini-batch: the B inputs' fields with the same weights, then one pass over W that updates it
      // and (except after the block's last step) computes the next step's first λ, as for batch 1.
      let c = 0;
      k.drawSlot(c);
      k.studentFieldsAt(c);
      for (let step = from; ; step++) {
        ratesAt(step);
        k.teacherFieldsAt(c);
        backward(0);
        for (let b = 1; b < B; b++) {
          k.drawSlot(1 + b);
          k.studentFieldsAt(1 + b);
          k.teacherFieldsAt(1 + b);
          backward(b);
        }
        secondLayerStep();
        if (progress && step % progressEvery === 0) progress(step / totalSteps);
        if (step + 1 === to) { k.updateBatch(c, -1, shrink); break; }
        k.drawSlot(1 - c);
        k.updateBatch(c, 1 - c, shrink);
        c = 1 - c;
      }
      rng.setState(k.rngState());
      return;
    }
    let b = 0;
    k.drawInput(b);
    k.studentFields(b);
    for (let step = from; ; step++) {
      ratesAt(step);
      k.teacherFields(b);
      backward(0);
      secondLayerStep();
      if (progress && step % progressEvery === 0) progress(step / totalSteps);
      if (step + 1 === to) { k.update(b, shrink); break; }
      k.drawInput(1 - b);
      k.updateThenFields(b, 1 - b, shrink);
      b = 1 - b;
    }
    rng.setState(k.rngState());
  };

  let step = r0?.step ?? 0;
  for (let s = alpha.length; s < saveSteps.length; s++) {
    const target = saveSteps[s];
    if (kernel) runKernel(kernel, step, target);
    else runPlain(X!, step, target);
    step = Math.max(step, target);
    const o = overlapsOf({ N, p, pStar, W, teacher: T });
    P = o.P;
    const reason = check((step * B) / N, o.Q);
    if (reason !== null) { status = 'diverged'; message = divergenceMessage(reason, setup.config); divergedAt = reason.alpha; break; }
    alpha.push((step * B) / N);
    Qs.push(o.Q);
    Ms.push(o.M);
    if (etaV !== undefined) Vs.push(v.slice());
    loss.push(committeePopulationLoss(o, etaV !== undefined ? { ...network, v } : network, noise));
    options.onSave?.(alpha.length - 1, (step * B) / N, loss[loss.length - 1], o.Q, o.M);
    if (options.checkpoint && Date.now() - lastCheckpoint >= 1000 * options.checkpoint.everySeconds && s < saveSteps.length - 1) {
      options.checkpoint.write({ step, W: W.slice(), rng: { inputs: rng.getState(), labelNoise: noiseRng.getState() }, alpha: [...alpha], loss: [...loss], Q: [...Qs], M: [...Ms], ...(etaV !== undefined ? { v: v.slice(), vs: [...Vs] } : {}) });
      lastCheckpoint = Date.now();
    }
  }
  progress?.(1);
  return {
    solver: 'sgd', p, pStar, alpha: Float64Array.from(alpha), loss: Float64Array.from(loss), Q: Qs, M: Ms, ...(etaV !== undefined ? { v: Vs } : {}), P,
    // wasmKernel: 1 when the WebAssembly loop ran, 0 for the JavaScript loop (same numbers either way).
    status, message, ...(divergedAt !== undefined ? { divergedAt } : {}), stats: { steps: step, N, wasmKernel: kernel ? 1 : 0 },
  };
}

/**
 * Σ_n A[off + n] x[n] with four independent accumulators: a single running sum is bound by the
 * latency of floating-point addition, four keep the multiply-add units busy.
 */
function dotRow(A: Float64Array, off: number, x: Float64Array, N: number): number {
  let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
  let n = 0;
  for (; n + 3 < N; n += 4) {
    d0 += A[off + n] * x[n];
    d1 += A[off + n + 1] * x[n + 1];
    d2 += A[off + n + 2] * x[n + 2];
    d3 += A[off + n + 3] * x[n + 3];
  }
  for (; n < N; n++) d0 += A[off + n] * x[n];
  return (d0 + d1) + (d2 + d3);
}
