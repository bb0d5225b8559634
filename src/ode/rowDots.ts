/**
 * The O(p³) part of the quadratic network's overlap ODE (quadratic.ts): C_ij = Σ_l A_il B_jl for
 * j ≥ i, p×p row-major, in the WebAssembly SIMD kernel (wasm/odeKernel.ts) where the runtime has
 * it, else in the JavaScript loop below. Both sum in the same order — two partial sums over even
 * and odd l, then (even + odd), then the last product when p is odd — with one rounding per
 * product and per addition, so they give the same bits (tested), in Node and in the browser.
 * The matrices live in the kernel's memory for the whole integration: the right-hand side writes
 * its inputs into the views and reads the results from them, with no copy and no allocation.
 */
import { ODE_KERNEL_BASE64 } from './odeKernelBinary.js';

interface KernelExports {
  rowDotsUpper(A: number, B: number, C: number, p: number): void;
  rowsTimesRows(A: number, B: number, C: number, p: number, n: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled ODE kernel (cached per thread), or null where WebAssembly SIMD is missing. */
export function odeKernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    compiled = new WebAssembly.Module(Uint8Array.from(atob(ODE_KERNEL_BASE64), (c) => c.charCodeAt(0)));
  } catch {
    compiled = null; // no WebAssembly SIMD here: the JavaScript loop gives the same numbers
  }
  return compiled;
}

/**
 * C_ij = Σ_l A_il B_jl for j ≥ i (A, B at offsets aOff, bOff), in the kernel's summation order.
 * Rows in blocks of 2 × 2: each load serves two products and the eight partial sums are
 * independent chains. Entries below the diagonal that a block straddles (C_{i+1,i}) are
 * written too; callers read only j ≥ i.
 */
export function rowDotsUpperJs(A: Float64Array, aOff: number, B: Float64Array, bOff: number, p: number, C: Float64Array): void {
  const even = p & ~1, odd = (p & 1) !== 0;
  let i = 0;
  for (; i + 1 < p; i += 2) {
    const a0 = aOff + i * p, a1 = a0 + p;
    let j = i;
    for (; j + 1 < p; j += 2) {
      const b0 = bOff + j * p, b1 = b0 + p;
      let e00 = 0, e01 = 0, e10 = 0, e11 = 0, o00 = 0, o01 = 0, o10 = 0, o11 = 0;
      for (let l = 0; l < even; l += 2) {
        const x0 = A[a0 + l], x1 = A[a1 + l], z0 = B[b0 + l], z1 = B[b1 + l];
        e00 += x0 * z0; e01 += x0 * z1; e10 += x1 * z0; e11 += x1 * z1;
        const u0 = A[a0 + l + 1], u1 = A[a1 + l + 1], w0 = B[b0 + l + 1], w1 = B[b1 + l + 1];
        o00 += u0 * w0; o01 += u0 * w1; o10 += u1 * w0; o11 += u1 * w1;
      }
      let r00 = e00 + o00, r01 = e01 + o01, r10 = e10 + o10, r11 = e11 + o11;
      if (odd) {
        const x0 = A[a0 + even], x1 = A[a1 + even], z0 = B[b0 + even], z1 = B[b1 + even];
        r00 += x0 * z0; r01 += x0 * z1; r10 += x1 * z0; r11 += x1 * z1;
      }
      C[i * p + j] = r00; C[i * p + j + 1] = r01; C[(i + 1) * p + j] = r10; C[(i + 1) * p + j + 1] = r11;
    }
    if (j < p) {
      const b0 = bOff + j * p;
      let e0 = 0, e1 = 0, o0 = 0, o1 = 0;
      for (let l = 0; l < even; l += 2) {
        const z = B[b0 + l], w = B[b0 + l + 1];
        e0 += A[a0 + l] * z; e1 += A[a1 + l] * z; o0 += A[a0 + l + 1] * w; o1 += A[a1 + l + 1] * w;
      }
      let r0 = e0 + o0, r1 = e1 + o1;
      if (odd) { const z = B[b0 + even]; r0 += A[a0 + even] * z; r1 += A[a1 + even] * z; }
      C[i * p + j] = r0; C[(i + 1) * p + j] = r1;
    }
  }
  if (i < p) {
    const a0 = aOff + i * p, b0 = bOff + i * p;
    let e = 0, o = 0;
    for (let l = 0; l < even; l += 2) { e += A[a0 + l] * B[b0 + l]; o += A[a0 + l + 1] * B[b0 + l + 1]; }
    let r = e + o;
    if (odd) r += A[a0 + even] * B[b0 + even];
    C[i * p + i] = r;
  }
}

/** C_im = Σ_l A_il B_ml for i < p, m < n (A p×p, B n×p, C p×n), in the kernel's summation order. */
export function rowsTimesRowsJs(A: Float64Array, B: Float64Array, C: Float64Array, p: number, n: number): void {
  const even = p & ~1, odd = (p & 1) !== 0;
  for (let i = 0; i < p; i++) {
    const a0 = i * p;
    let m = 0;
    for (; m + 1 < n; m += 2) {
      const b0 = m * p, b1 = b0 + p;
      let e0 = 0, e1 = 0, o0 = 0, o1 = 0;
      for (let l = 0; l < even; l += 2) {
        const x = A[a0 + l], u = A[a0 + l + 1];
        e0 += x * B[b0 + l]; e1 += x * B[b1 + l]; o0 += u * B[b0 + l + 1]; o1 += u * B[b1 + l + 1];
      }
      let r0 = e0 + o0, r1 = e1 + o1;
      if (odd) { const x = A[a0 + even]; r0 += x * B[b0 + even]; r1 += x * B[b1 + even]; }
      C[i * n + m] = r0; C[i * n + m + 1] = r1;
    }
    if (m < n) {
      const b0 = m * p;
      let e = 0, o = 0;
      for (let l = 0; l < even; l += 2) { e += A[a0 + l] * B[b0 + l]; o += A[a0 + l + 1] * B[b0 + l + 1]; }
      let r = e + o;
      if (odd) r += A[a0 + even] * B[b0 + even];
      C[i * n + m] = r;
    }
  }
}

/** The p×p matrices of the products X², GX and where they are computed. */
export interface RowDotsWorkspace {
  /** Where the products run. */
  readonly engine: 'wasm' | 'js';
  /** Inputs: X (= Q⊥) and G, written by the caller. */
  readonly X: Float64Array;
  readonly G: Float64Array;
  /** Input: Mᵀ (n×p, n = p*), written by the caller. */
  readonly Mt: Float64Array;
  /** Outputs, upper triangle: X2_ij = Σ_l X_il X_jl, GX_ij = Σ_l G_il X_jl. */
  readonly X2: Float64Array;
  readonly GX: Float64Array;
  /** Outputs, p×n: U = XM, GM = GM. */
  readonly U: Float64Array;
  readonly GM: Float64Array;
  /** X2 and U from X and Mt. */
  squareX(): void;
  /** GX and GM from G, X and Mt. */
  productGX(): void;
}

/** Memory beyond which the JavaScript loop runs (p ≈ 8000: far beyond any ODE run). */
const MAX_BYTES = 2 ** 31;

/**
 * Work matrices for width p and n = p* teacher units, in a kernel instance of their own unless
 * engine is 'js' or the kernel is unavailable.
 */
export function rowDotsWorkspace(p: number, n: number, engine: 'wasm' | 'js' = 'wasm'): RowDotsWorkspace {
  const square = 8 * p * p, thin = 8 * p * n;
  const at = [0, square, 2 * square, 3 * square, 4 * square, 4 * square + thin, 4 * square + 2 * thin];
  const bytes = 4 * square + 3 * thin;
  const module = engine === 'wasm' && bytes <= MAX_BYTES ? odeKernelModule() : null;
  if (module) {
    try {
      const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
      const k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
      const view = (i: number, size: number) => new Float64Array(memory.buffer, at[i], size);
      return {
        engine: 'wasm', X: view(0, p * p), G: view(1, p * p), X2: view(2, p * p), GX: view(3, p * p),
        Mt: view(4, p * n), U: view(5, p * n), GM: view(6, p * n),
        squareX: () => { k.rowDotsUpper(at[0], at[0], at[2], p); k.rowsTimesRows(at[0], at[4], at[5], p, n); },
        productGX: () => { k.rowDotsUpper(at[1], at[0], at[3], p); k.rowsTimesRows(at[1], at[4], at[6], p, n); },
      };
    } catch { /* out of memory for an instance: the JavaScript loop below */ }
  }
  const X = new Float64Array(p * p), G = new Float64Array(p * p), X2 = new Float64Array(p * p), GX = new Float64Array(p * p);
  const Mt = new Float64Array(p * n), U = new Float64Array(p * n), GM = new Float64Array(p * n);
  return {
    engine: 'js', X, G, X2, GX, Mt, U, GM,
    squareX: () => { rowDotsUpperJs(X, 0, X, 0, p, X2); rowsTimesRowsJs(X, Mt, U, p, n); },
    productGX: () => { rowDotsUpperJs(G, 0, X, 0, p, GX); rowsTimesRowsJs(G, Mt, GM, p, n); },
  };
}
