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

/**
 * The Hessian split into its Gauss–Newton and residual parts, ε = ½E[e²] ⇒ H = E[∇e ∇eᵀ] + E[e ∇²e].
 * With ∂e/∂ŵ_k = 2λ_k x/p and Wick's E[λ_kλ_l x xᵀ] = Q_kl I + ŵ_k ŵ_lᵀ + ŵ_l ŵ_kᵀ:
 *   GN[V] = (4/p²)(QV + tr(VŴᵀ) Ŵ + Ŵ Vᵀ Ŵ)           (positive semidefinite),
 *   R[V]  = (2/p) V (τ I + 2D),  D = ŴᵀŴ/p − T̂ᵀT̂/p*   (E[e x xᵀ] = tr D·I + 2D, tr D = τ),
 * and GN + R is reducedHessian's H (tested). R is of the size of e, ~√ε: off the fixed points it
 * is what gives the full H its small negative eigenvalues next to the manifold of marginal minima.
 * Outside the subspace the two parts are 4Q/p² and 2τ/p (their sum is 2G_Q).
 */
export interface HessianParts {
  /** Eigenvalues of H, of its Gauss–Newton part and of its residual part in the reduced space, ascending. */
  readonly hessian: number[];
  readonly gaussNewton: number[];
  /** The d = p + p* eigenvalues of (2/p)(τI + 2D), each of multiplicity p in the reduced space. */
  readonly residual: number[];
  /** Outside the subspace: eigenvalues of 2G_Q, of its Gauss–Newton part 4Q/p², and its residual part 2τ/p (a number). */
  readonly outside: number[];
  readonly outsideGaussNewton: number[];
  readonly outsideResidual: number;
}

export function gaussNewtonHessian(o: Overlaps, coordinates: Coordinates = reducedCoordinates(o)): { G: Float64Array; n: number } {
  const { p } = o;
  const { W, d } = coordinates;
  const Q = matmulT(W, W, p, d, p);
  const n = p * d, c = 4 / (p * p);
  // Entry ((k,a),(l,b)) = (4/p²)(Q_kl δ_ab + ŵ_ka ŵ_lb + ŵ_kb ŵ_la): E[∂e/∂ŵ_ka ∂e/∂ŵ_lb] by Wick.
  const G = new Float64Array(n * n);
  for (let k = 0; k < p; k++) for (let a = 0; a < d; a++) {
    const row = (k * d + a) * n, wka = W[k * d + a];
    for (let l = 0; l < p; l++) {
      const qkl = Q[k * p + l];
      for (let b = 0; b < d; b++) G[row + l * d + b] = c * ((a === b ? qkl : 0) + wka * W[l * d + b] + W[k * d + b] * W[l * d + a]);
    }
  }
  return { G, n };
}

/** (2/p)(τI + 2D) in the d-dimensional span (the residual part acts as V ↦ V·that). */
export function residualBlock(o: Overlaps, coordinates: Coordinates = reducedCoordinates(o)): { R: Float64Array; d: number } {
  const { p, pStar } = o;
  const { W, T, d } = coordinates;
  const tau = trace(o.Q, p) / p - trace(o.P, pStar) / pStar;
  const WtW = new Float64Array(d * d), TtT = new Float64Array(d * d);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) {
    let s = 0, t = 0;
    for (let k = 0; k < p; k++) s += W[k * d + a] * W[k * d + b];
    for (let j = 0; j < pStar; j++) t += T[j * d + a] * T[j * d + b];
    WtW[a * d + b] = s; TtT[a * d + b] = t;
  }
  const R = new Float64Array(d * d);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) R[a * d + b] = (2 / p) * ((a === b ? tau : 0) + 2 * (WtW[a * d + b] / p - TtT[a * d + b] / pStar));
  return { R, d };
}

export function hessianParts(o: Overlaps): HessianParts {
  const { p, pStar } = o;
  const coordinates = reducedCoordinates(o);
  const { G, n } = gaussNewtonHessian(o, coordinates);
  const { R, d } = residualBlock(o, coordinates);
  // H = GN + I_p ⊗ R (the sum is tested against reducedHessian, built from the gradient's derivative).
  const H = Float64Array.from(G);
  for (let k = 0; k < p; k++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) H[(k * d + a) * n + k * d + b] += R[a * d + b];
  const tau = trace(o.Q, p) / p - trace(o.P, pStar) / pStar;
  const GQ = lossGradients(o.Q, o.M, o.P, p, pStar).GQ;
  const eig = (A: ArrayLike<number>, m: number) => Array.from(symmetricEigen(A, m).values);
  return {
    hessian: eig(H, n),
    gaussNewton: eig(G, n),
    residual: eig(R, d),
    outside: eig(GQ, p).map((v) => 2 * v),
    outsideGaussNewton: eig(o.Q, p).map((v) => (4 * v) / (p * p)),
    outsideResidual: (2 * tau) / p,
  };
}

export interface HessianTrajectory {
  readonly alpha: number[];
  readonly parts: HessianParts[];
}

/**
 * hessianParts at the saved points of a trajectory: every one while the reduced dimension
 * n = p(p + p*) is small (two n×n eigen-decompositions per point; all 300 default points up to
 * n = 80, i.e. p = 8 at p* = 2), else evenly thinned to 2·10⁸/n³ points, at least 12.
 */
export function hessianTrajectory(t: { alpha: ArrayLike<number>; Q: Float64Array[]; M: Float64Array[]; P: Float64Array; p: number; pStar: number }): HessianTrajectory {
  const n = t.p * (t.p + t.pStar);
  // Only the points saved with their overlaps (config saveOverlaps: "none" or k leaves the others empty).
  const kept = Array.from(t.Q.keys()).filter((i) => i < t.alpha.length && t.Q[i].length === t.p * t.p && t.M[i].length === t.p * t.pStar);
  const count = kept.length;
  const keep = Math.min(count, Math.max(12, Math.floor(2e8 / (n * n * n))));
  const step = count <= keep ? 1 : (count - 1) / (keep - 1);
  const alpha: number[] = [], parts: HessianParts[] = [];
  let last = -1;
  for (let k = 0; k < Math.min(keep, count); k++) {
    const i = kept[Math.min(count - 1, Math.round(k * step))];
    if (i === last) continue;
    last = i;
    alpha.push(t.alpha[i]);
    parts.push(hessianParts({ p: t.p, pStar: t.pStar, Q: t.Q[i], M: t.M[i], P: t.P }));
  }
  return { alpha, parts };
}

/**
 * The Hessian along a run as CSV, one row per α (snake_case columns, α first): hessian_1…n
 * (reduced Hessian, ascending), gauss_newton_1…n, residual_1…d (each of multiplicity p),
 * outside_1…p (2G_Q, each of multiplicity N − d), outside_gauss_newton_1…p, outside_residual.
 */
export function hessianTrajectoryCsv(t: { alpha: number[]; hessian: number[][]; gaussNewton: number[][]; residual: number[][]; outside: number[][]; outsideGaussNewton: number[][]; outsideResidual: number[] }): string {
  if (!t.alpha.length) return 'alpha\n';
  const cols = (name: string, k: number) => Array.from({ length: k }, (_, i) => `${name}_${i + 1}`);
  const header = ['alpha', ...cols('hessian', t.hessian[0].length), ...cols('gauss_newton', t.gaussNewton[0].length), ...cols('residual', t.residual[0].length),
    ...cols('outside', t.outside[0].length), ...cols('outside_gauss_newton', t.outsideGaussNewton[0].length), 'outside_residual'];
  const rows = t.alpha.map((a, i) => [a, ...t.hessian[i], ...t.gaussNewton[i], ...t.residual[i], ...t.outside[i], ...t.outsideGaussNewton[i], t.outsideResidual[i]].join(','));
  return [header.join(','), ...rows].join('\n') + '\n';
}
