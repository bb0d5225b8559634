/**
 * The order parameters of a teacher–student committee: Q = WWᵀ/N (p×p), M = WW*ᵀ/N (p×p*),
 * P = W*W*ᵀ/N (p*×p*), row-major. They are the covariance of the pre-activations
 * (λ, ν) = (Wx, W*x)/√N for x ~ N(0, I_N), and everything the N → ∞ dynamics needs.
 */

export interface Overlaps {
  readonly p: number;
  readonly pStar: number;
  /** Student–student overlap, p×p. */
  readonly Q: Float64Array;
  /** Student–teacher overlap, p×p*. */
  readonly M: Float64Array;
  /** Teacher–teacher overlap, p*×p*; constant in time. */
  readonly P: Float64Array;
}

/** Dense weights: `W` is p×N, `teacher` is p*×N, both row-major. */
export interface Weights {
  readonly N: number;
  readonly p: number;
  readonly pStar: number;
  readonly W: Float64Array;
  readonly teacher: Float64Array;
}

/** Overlaps of explicit weights (the ODE's initial condition for a given finite-N draw). */
export function overlapsOf(weights: Weights): Overlaps {
  const { N, p, pStar, W, teacher } = weights;
  const gram = (A: Float64Array, ra: number, B: Float64Array, rb: number) => {
    const out = new Float64Array(ra * rb);
    for (let i = 0; i < ra; i++) {
      for (let j = 0; j < rb; j++) {
        let s = 0;
        const ai = i * N, bj = j * N;
        for (let n = 0; n < N; n++) s += A[ai + n] * B[bj + n];
        out[i * rb + j] = s / N;
      }
    }
    return out;
  };
  return { p, pStar, Q: gram(W, p, W, p), M: gram(W, p, teacher, pStar), P: gram(teacher, pStar, teacher, pStar) };
}

/** The joint covariance C = [[Q, M], [Mᵀ, P]] of (λ, ν), side p + p*. */
export function jointCovariance(o: Overlaps, out?: Float64Array): Float64Array {
  const { p, pStar, Q, M, P } = o;
  const n = p + pStar;
  const C = out ?? new Float64Array(n * n);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) C[i * n + j] = Q[i * p + j];
    for (let j = 0; j < pStar; j++) {
      C[i * n + p + j] = M[i * pStar + j];
      C[(p + j) * n + i] = M[i * pStar + j];
    }
  }
  for (let i = 0; i < pStar; i++) for (let j = 0; j < pStar; j++) C[(p + i) * n + p + j] = P[i * pStar + j];
  return C;
}
