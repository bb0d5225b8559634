/**
 * The Hessian of the quadratic network's population loss in weight space, at a point given by
 * its overlaps, restricted to the subspace that matters: the span of the student and teacher
 * rows (dimension d = p + p*, padded with orthonormal directions when the rows are dependent).
 *
 * Coordinates: factor C = [[Q, M], [Mᵀ, P]] = L Lᵀ (eigen-decomposition, so semidefinite C is
 * fine); the rows of L are the coordinates of the students (Ŵ, p×d) and teachers (T̂, p*×d) in an
 * orthonormal basis of that subspace, scaled so that Q = ŴŴᵀ, M = ŴT̂ᵀ, P = T̂T̂ᵀ (weights w/√N).
 * With G_Q = ∂ε/∂Q = (τ/p) I + 2Q/p² and G_M = ∂ε/∂M = −4M/(p p*):
 *   ∇_Ŵ ε = 2 G_Q Ŵ + G_M T̂,
 *   H[V] = 2 dG_Q Ŵ + 2 G_Q V + dG_M T̂,  dG_Q = tr(dQ)/p² I + 2 dQ/p²,  dG_M = −4 dM/(p p*),
 *   dQ = VŴᵀ + ŴVᵀ, dM = V T̂ᵀ.
 * Every direction outside the subspace (δW = v uᵀ, u ⊥ all rows) has curvature 2 vᵀG_Q v: the
 * eigenvalues of 2G_Q, each with multiplicity N − d, reported separately.
 */
import { matmul, matmulT, symmetricEigen, trace } from '../linalg/matrix.js';
import { jointCovariance, type Overlaps } from '../model/overlaps.js';

interface Coordinates { W: Float64Array; T: Float64Array; d: number }

/** Student and teacher coordinates in an orthonormal basis of their joint span. */
export function reducedCoordinates(o: Overlaps): Coordinates {
  const { p, pStar } = o;
  const d = p + pStar;
  const { values, vectors } = symmetricEigen(jointCovariance(o), d);
  // Eigenvalues at rounding level (a rank-deficient C, e.g. every zero-loss point, where
  // Q = R P Rᵀ, M = R P) are zero: their square roots, ~1e-8 of the scale, would put spurious
  // curvatures of that relative size into H and tip the zero-mode count (p = 3, p* = 1, P = 10⁻³:
  // 2 of the 8 zero modes came out negative).
  const floor = 1e-13 * Math.max(...values.map(Math.abs));
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let a = 0; a < d; a++) L[i * d + a] = values[a] > floor ? vectors[i * d + a] * Math.sqrt(values[a]) : 0;
  return { W: L.slice(0, p * d), T: L.slice(p * d), d };
}

function lossGradients(Q: Float64Array, M: Float64Array, P: Float64Array, p: number, pStar: number) {
  const tau = trace(Q, p) / p - trace(P, pStar) / pStar;
  const GQ = Q.map((q) => (2 * q) / (p * p));
  for (let i = 0; i < p; i++) GQ[i * p + i] += tau / p;
  const GM = M.map((m) => (-4 * m) / (p * pStar));
  return { GQ, GM };
}

export interface HessianSpectrum {
  /** Eigenvalues in the (p·d)-dimensional subspace, ascending. */
  readonly eigenvalues: number[];
  /** Eigenvalues of the block outside the subspace (2 G_Q), each of multiplicity N − d. */
  readonly orthogonalEigenvalues: number[];
  readonly negative: number;
  readonly zero: number;
  readonly positive: number;
  /** Threshold used: |λ| ≤ tolerance counts as zero. */
  readonly tolerance: number;
}

/** The Hessian matrix in the reduced coordinates, (p·d)×(p·d), row-major, by exact H[V] products. */
export function reducedHessian(o: Overlaps): { H: Float64Array; n: number; GQ: Float64Array } {
  const { p, pStar, Q, M, P } = o;
  const { W, T, d } = reducedCoordinates(o);
  const { GQ } = lossGradients(Q, M, P, p, pStar);
  const n = p * d;
  const H = new Float64Array(n * n);
  const V = new Float64Array(n);
  for (let col = 0; col < n; col++) {
    V.fill(0);
    V[col] = 1;
    const dQ = matmulT(V, W, p, d, p);
    for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) { const s = dQ[i * p + j] + dQ[j * p + i]; dQ[i * p + j] = s; dQ[j * p + i] = s; }
    const dM = matmulT(V, T, p, d, pStar);
    const trdQ = trace(dQ, p);
    const dGQ = dQ.map((v) => (2 * v) / (p * p));
    for (let i = 0; i < p; i++) dGQ[i * p + i] += trdQ / (p * p);
    const dGM = dM.map((v) => (-4 * v) / (p * pStar));
    const a = matmul(dGQ, W, p, p, d), b = matmul(GQ, V, p, p, d), c = matmul(dGM, T, p, pStar, d);
    for (let r = 0; r < n; r++) H[r * n + col] = 2 * a[r] + 2 * b[r] + c[r];
  }
  return { H, n, GQ };
}

/** Spectrum with counts of negative, zero (|λ| ≤ relTol·max|λ|) and positive eigenvalues. */
export function hessianSpectrum(o: Overlaps, relTol = 1e-8): HessianSpectrum {
  const { H, n, GQ } = reducedHessian(o);
  const values = Array.from(symmetricEigen(H, n).values);
  const orth = Array.from(symmetricEigen(GQ, o.p).values, (v) => 2 * v);
  const scale = Math.max(...values.map(Math.abs), ...orth.map(Math.abs), 1e-300);
  const tolerance = relTol * scale;
  return {
    eigenvalues: values,
    orthogonalEigenvalues: orth,
    negative: values.filter((v) => v < -tolerance).length,
    zero: values.filter((v) => Math.abs(v) <= tolerance).length,
    positive: values.filter((v) => v > tolerance).length,
    tolerance,
  };
}

/**
 * The symmetric saddle Q = q I, M = 0, a gradient-flow fixed point: with Q = qI the flow is
 * dq/dα = −(4η/p)(τ + 2q/p) q − 2ηλ q (τ = q − tr P/p*), zero at q = p (tr P/p* − λp/2)/(p + 2);
 * q = p tr P/(p*(p + 2)) without weight decay λ. (At q ≤ 0 the only fixed point is W = 0.)
 */
export function symmetricSaddle(p: number, pStar: number, P: Float64Array, weightDecay = 0): Overlaps {
  const q = Math.max(0, (p * (trace(P, pStar) / pStar - (weightDecay * p) / 2)) / (p + 2));
  const Q = new Float64Array(p * p);
  for (let i = 0; i < p; i++) Q[i * p + i] = q;
  return { p, pStar, Q, M: new Float64Array(p * pStar), P };
}

/** @deprecated The old name of symmetricSaddle (it is the saddle, not the loss plateau); kept for one release. */
export const symmetricPlateau = symmetricSaddle;

/** The zero-loss point W = R W* (R = √(p/p*)·O on the manifold): Q = R P Rᵀ, M = R P. */
export function solutionOverlaps(R: Float64Array, P: Float64Array, p: number, pStar: number): Overlaps {
  const M = matmul(R, P, p, pStar, pStar);
  const Q = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
    let s = 0;
    for (let a = 0; a < pStar; a++) s += M[i * pStar + a] * R[j * pStar + a];
    Q[i * p + j] = s;
  }
  return { p, pStar, Q, M, P };
}

/**
 * Zero modes expected at a zero-loss point for p ≥ p*, in the reduced space: the tangent space
 * of the manifold, p p* − p*(p*+1)/2, plus the p(p − p*) directions v uᵀ that move the
 * (p − p*)-dimensional null space of Rᵀ into the p student directions outside the teacher
 * subspace, which are flat at second order (the loss grows at fourth order there).
 */
export function expectedSolutionZeroModes(p: number, pStar: number): { manifold: number; secondOrderFlat: number } {
  return { manifold: p * pStar - (pStar * (pStar + 1)) / 2, secondOrderFlat: p * (p - pStar) };
}
