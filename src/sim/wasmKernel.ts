/**
 * The WebAssembly SGD kernel (wasm/sgdKernel.ts) as typed-array views over its memory. One
 * instance per simulation, with its own memory sized for (N, p, p*): the weights live in that
 * memory for the whole run, and the simulator reads them through `W` at save points.
 * The compiled module is cached per thread; where WebAssembly or its SIMD extension is missing
 * (an old browser, a locked-down runtime) `createSgdKernel` returns null and the simulator uses
 * its plain JavaScript loop, which gives the same numbers.
 */
import { SGD_KERNEL_BASE64 } from './sgdKernelBinary.js';
import { ZIGGURAT_TABLES } from '../random/rng.js';

interface KernelExports {
  setZiggurat(kn: number, wn: number, fn: number): void;
  setState(a: number, b: number, c: number, d: number): void;
  getState(i: number): number;
  gaussian(): number;
  fillGaussian(out: number, n: number): void;
  dotRows(A: number, rows: number, n: number, x: number, out: number, scale: number): void;
  updateRows(W: number, rows: number, n: number, grad: number, shrink: number, x: number): void;
  updateDotRows(W: number, rows: number, n: number, grad: number, shrink: number, xOld: number, xNew: number, out: number, scale: number): void;
  updateRowsBatch(W: number, rows: number, n: number, grad: number, B: number, shrink: number, x0: number, Xrest: number, xNew: number, out: number, scale: number, xNew2: number, out2: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = Uint8Array.from(atob(SGD_KERNEL_BASE64), (c) => c.charCodeAt(0));
    compiled = new WebAssembly.Module(bytes);
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Whether this runtime can run the WebAssembly kernel (WebAssembly with 128-bit SIMD). */
export function wasmKernelAvailable(): boolean {
  return kernelModule() !== null;
}

/** Largest memory we ask for: beyond it the JavaScript loop runs instead (it has no such limit). */
const MAX_BYTES = 2 ** 31;

export interface SgdKernel {
  /** Student weights, p × N row-major (the live weights: read them, do not keep them past the run). */
  readonly W: Float64Array;
  /** Teacher weights, p* × N. */
  readonly T: Float64Array;
  /** Pre-activations λ (p) and ν (p*) of the current input, and the update coefficients (p × batch, row-major). */
  readonly lambda: Float64Array;
  readonly nu: Float64Array;
  readonly grad: Float64Array;
  /** The two input buffers x_0, x_1 (N each): a step's first input, alternating as in the fused batch-1 loop. */
  readonly x: readonly [Float64Array, Float64Array];
  setRngState(state: readonly number[]): void;
  rngState(): number[];
  gaussian(): number;
  /** Draws the input into buffer b (0 or 1). */
  drawInput(b: number): void;
  /** λ ← W x_b /√N. */
  studentFields(b: number): void;
  /** ν ← W* x_b /√N. */
  teacherFields(b: number): void;
  /** w_k ← s w_k + grad_k x_b. */
  update(b: number, shrink: number): void;
  /** w_k ← s w_k + grad_k x_b, then λ ← W x_c /√N with the new weights, in one pass over W. */
  updateThenFields(b: number, c: number, shrink: number): void;
  /**
   * Mini-batch inputs: slot 0 or 1 is a step's first input (the two alternating buffers), slot
   * 1 + b (b = 1 … B − 1) its input b.
   */
  drawSlot(slot: number): void;
  studentFieldsAt(slot: number): void;
  teacherFieldsAt(slot: number): void;
  /** w_k ← s w_k + Σ_b grad_kb x_b with x_0 in slot `first`; then, if `next` ≥ 0, λ ← W x_next/√N in the same pass. */
  updateBatch(first: number, next: number, shrink: number): void;
  /**
   * n_b = 2 only, the second input in its own alternating buffer c (0 or 1), so that both of the
   * next step's inputs can be drawn before this step's update and their fields taken in its pass.
   */
  drawSecond(c: number): void;
  /** λ₂ ← W x₂_c/√N (kept apart from λ until takeSecondFields). */
  secondStudentFields(c: number): void;
  /** ν ← W* x₂_c/√N. */
  secondTeacherFields(c: number): void;
  /** λ ← λ₂: the second input's fields become the current ones. */
  takeSecondFields(): void;
  /** w_k ← s w_k + grad_k0 x_c + grad_k1 x₂_c; then, if next ≥ 0, λ ← W x_next/√N and λ₂ ← W x₂_next/√N in the same pass. */
  updatePair(c: number, next: number, shrink: number): void;
}

/** A kernel instance for (N, p, p*) and batch size B, or null when WebAssembly SIMD is unavailable or the run is too large. */
export function createSgdKernel(N: number, p: number, pStar: number, B = 1): SgdKernel | null {
  const module = kernelModule();
  if (!module) return null;
  let top = 0;
  const take = (bytes: number) => { const at = top; top += Math.ceil(bytes / 16) * 16; return at; };
  const knAt = take(4 * 128), wnAt = take(8 * 128), fnAt = take(8 * 128);
  // Two buffers for a step's first input (alternating, as the fused loop needs), then inputs 1 … B − 1.
  const wAt = take(8 * p * N), tAt = take(8 * pStar * N), xAt = [take(8 * N), take(8 * N)];
  const restAt = take(8 * N * (B - 1));
  const secondAt = [restAt, B === 2 ? take(8 * N) : restAt];
  const slotAt = (slot: number) => (slot < 2 ? xAt[slot] : restAt + 8 * N * (slot - 2));
  const lambdaAt = take(8 * p), lambda2At = take(8 * p), nuAt = take(8 * pStar), gradAt = take(8 * p * B);
  if (top > MAX_BYTES) return null;
  let memory: WebAssembly.Memory;
  let k: KernelExports;
  try {
    memory = new WebAssembly.Memory({ initial: Math.ceil(top / 65536) });
    k = new WebAssembly.Instance(module, { env: { memory, exp: Math.exp, log: Math.log } }).exports as unknown as KernelExports;
  } catch {
    return null; // out of memory for this instance: the JavaScript loop still works
  }
  const buf = memory.buffer;
  new Int32Array(buf, knAt, 128).set(ZIGGURAT_TABLES.KN);
  new Float64Array(buf, wnAt, 128).set(ZIGGURAT_TABLES.WN);
  new Float64Array(buf, fnAt, 128).set(ZIGGURAT_TABLES.FN);
  k.setZiggurat(knAt, wnAt, fnAt);
  const invSqrtN = 1 / Math.sqrt(N);
  const lambdaView = new Float64Array(buf, lambdaAt, p), lambda2View = new Float64Array(buf, lambda2At, p);
  return {
    W: new Float64Array(buf, wAt, p * N),
    T: new Float64Array(buf, tAt, pStar * N),
    lambda: lambdaView,
    nu: new Float64Array(buf, nuAt, pStar),
    grad: new Float64Array(buf, gradAt, p * B),
    x: [new Float64Array(buf, xAt[0], N), new Float64Array(buf, xAt[1], N)],
    setRngState: (s) => k.setState(s[0], s[1], s[2], s[3]),
    rngState: () => [k.getState(0), k.getState(1), k.getState(2), k.getState(3)],
    gaussian: () => k.gaussian(),
    drawInput: (b) => k.fillGaussian(xAt[b], N),
    studentFields: (b) => k.dotRows(wAt, p, N, xAt[b], lambdaAt, invSqrtN),
    teacherFields: (b) => k.dotRows(tAt, pStar, N, xAt[b], nuAt, invSqrtN),
    update: (b, shrink) => k.updateRows(wAt, p, N, gradAt, shrink, xAt[b]),
    updateThenFields: (b, c, shrink) => k.updateDotRows(wAt, p, N, gradAt, shrink, xAt[b], xAt[c], lambdaAt, invSqrtN),
    drawSlot: (slot) => k.fillGaussian(slotAt(slot), N),
    studentFieldsAt: (slot) => k.dotRows(wAt, p, N, slotAt(slot), lambdaAt, invSqrtN),
    teacherFieldsAt: (slot) => k.dotRows(tAt, pStar, N, slotAt(slot), nuAt, invSqrtN),
    updateBatch: (first, next, shrink) => k.updateRowsBatch(wAt, p, N, gradAt, B, shrink, xAt[first], restAt, next < 0 ? 0 : xAt[next], lambdaAt, invSqrtN, 0, 0),
    drawSecond: (c) => k.fillGaussian(secondAt[c], N),
    secondStudentFields: (c) => k.dotRows(wAt, p, N, secondAt[c], lambda2At, invSqrtN),
    secondTeacherFields: (c) => k.dotRows(tAt, pStar, N, secondAt[c], nuAt, invSqrtN),
    takeSecondFields: () => lambdaView.set(lambda2View),
    updatePair: (c, next, shrink) =>
      k.updateRowsBatch(wAt, p, N, gradAt, 2, shrink, xAt[c], secondAt[c], next < 0 ? 0 : xAt[next], lambdaAt, invSqrtN, next < 0 ? 0 : secondAt[next], lambda2At),
  };
}
