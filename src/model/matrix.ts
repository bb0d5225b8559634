/**
 * Small dense matrices as row-major Float64Arrays: the few products the overlap equations need.
 * Sizes are p, p* ≤ a few dozen, so plain loops are the right tool; big linear algebra
 * (eigenproblems) goes through ml-matrix.
 */

/** out = A (r×k) · B (k×c). `out` must not alias A or B. */
export function matmul(A: ArrayLike<number>, B: ArrayLike<number>, r: number, k: number, c: number, out = new Float64Array(r * c)): Float64Array {
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += A[i * k + l] * B[l * c + j];
      out[i * c + j] = s;
    }
  }
  return out;
}

/** out = A (r×k) · Bᵀ where B is c×k. */
export function matmulT(A: ArrayLike<number>, B: ArrayLike<number>, r: number, k: number, c: number, out = new Float64Array(r * c)): Float64Array {
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += A[i * k + l] * B[j * k + l];
      out[i * c + j] = s;
    }
  }
  return out;
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
