/**
 * Small dense matrices as row-major Float64Arrays: the few products the overlap equations need.
 * Sizes are p, p* ≤ a few dozen, so plain loops are the right tool; big linear algebra
 * (eigenproblems) goes through ml-matrix.
 */
import { Matrix, EigenvalueDecomposition } from 'ml-matrix';

/**
 * out = A (r×k) · B̃ (k×c), where B̃[l][j] = B[l·rowStride + j·colStride]: B itself (k×c,
 * strides c and 1) or the transpose of a c×k B (strides 1 and k). `out` must not alias A or B.
 */
function product(A: ArrayLike<number>, B: ArrayLike<number>, r: number, k: number, c: number, rowStride: number, colStride: number, out: Float64Array): Float64Array {
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += A[i * k + l] * B[l * rowStride + j * colStride];
      out[i * c + j] = s;
    }
  }
  return out;
}

/** out = A (r×k) · B (k×c). `out` must not alias A or B. */
export function matmul(A: ArrayLike<number>, B: ArrayLike<number>, r: number, k: number, c: number, out = new Float64Array(r * c)): Float64Array {
  return product(A, B, r, k, c, c, 1, out);
}

/** out = A (r×k) · Bᵀ where B is c×k. */
export function matmulT(A: ArrayLike<number>, B: ArrayLike<number>, r: number, k: number, c: number, out = new Float64Array(r * c)): Float64Array {
  return product(A, B, r, k, c, 1, k, out);
}

export function trace(A: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += A[i * n + i];
  return s;
}

/** Σ_ij A_ij B_ij = tr(A Bᵀ). */
export function frobeniusDot(A: ArrayLike<number>, B: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < A.length; i++) s += A[i] * B[i];
  return s;
}

/** Nested arrays (rows) from a row-major matrix, for JSON. */
export function toRows(A: ArrayLike<number>, r: number, c: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < r; i++) rows.push(Array.from({ length: c }, (_, j) => A[i * c + j]));
  return rows;
}

/** Row-major Float64Array from nested arrays (shape checked by the caller's schema). */
export function fromRows(rows: readonly (readonly number[])[]): Float64Array {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[i * c + j] = rows[i][j];
  return out;
}

/** Eigen-decomposition of a symmetric n×n matrix (ml-matrix): A = V diag(values) Vᵀ, values ascending. */
export function symmetricEigen(A: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, 0.5 * (A[i * n + j] + A[j * n + i]));
  const eig = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const order = Array.from(eig.realEigenvalues.keys()).sort((a, b) => eig.realEigenvalues[a] - eig.realEigenvalues[b]);
  const values = Float64Array.from(order, (k) => eig.realEigenvalues[k]);
  const V = eig.eigenvectorMatrix;
  const vectors = new Float64Array(n * n);
  order.forEach((k, col) => { for (let i = 0; i < n; i++) vectors[i * n + col] = V.get(i, k); });
  return { values, vectors };
}

/** Eigenvalues of a general (non-symmetric) n×n matrix (ml-matrix): real and imaginary parts, unordered. */
export function generalEigenvalues(A: ArrayLike<number>, n: number): { real: number[]; imaginary: number[] } {
  const m = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, A[i * n + j]);
  const eig = new EigenvalueDecomposition(m);
  return { real: eig.realEigenvalues, imaginary: eig.imaginaryEigenvalues };
}

/** f(A) = V f(Λ) Vᵀ for symmetric A (matrix exponential, inverse square root, …). */
export function symmetricFunction(A: ArrayLike<number>, n: number, f: (x: number) => number): Float64Array {
  const { values, vectors } = symmetricEigen(A, n);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += vectors[i * n + k] * f(values[k]) * vectors[j * n + k];
    out[i * n + j] = s;
  }
  return out;
}

export function transpose(A: ArrayLike<number>, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = A[i * c + j];
  return out;
}
