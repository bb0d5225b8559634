/**
 * The quantity conserved by the gradient-flow overlap ODEs of the quadratic network.
 *
 * Derivation. For σ(z) = z² the population gradient is linear in W: with
 * e = xᵀKx/N, K = WᵀW/p − W*ᵀW* / p*, E[e xxᵀ]/N = (τ I + 2K/N)/N, so gradient flow reads
 *   dW/dα = −(2η/p) (τ W + 2 Q W/p − (2/p*) M W*).
 * Split W = M P⁻¹ W* + W⊥ (rows of W⊥ orthogonal to the teacher's). The last term lies in the
 * teacher subspace, so
 *   dW⊥/dα = A W⊥,   dM/dα = A M + M B,   A = −(2η/p)(τ I + 2Q/p),  B = (4η/(p p*)) P,
 * with the same p×p matrix A acting on the left of both. Hence W⊥(α) = U W⊥(0) and
 * M(α) = U M(0) e^{Bα} for one invertible U(α), and U drops out of
 *   J(α) = e^{−Bα} Mᵀ Q⊥⁻¹ M e^{−Bα},   Q⊥ = W⊥W⊥ᵀ/N = Q − M P⁻¹ Mᵀ,
 * which is therefore constant (p*×p*, explicit in α through B). It says the component of the
 * student outside the teacher subspace only ever mixes its rows: its row space in ℝᴺ is fixed by
 * the initialisation, which is what selects the zero-loss solution closest to it.
 *
 * What breaks it: the O(η²) SGD-noise term of dQ/dα (it adds (4η²/p²) E[e² λλᵀ] to Q, not of the
 * form A Q⊥ + Q⊥ A), including its label-noise part Δ Q; at finite N, also the fluctuations of
 * single-sample gradients. dM/dα has no η² term.
 */
import { matmul, matmulT, symmetricEigen, symmetricFunction, transpose } from '../linalg/matrix.js';
import type { Overlaps } from '../model/overlaps.js';

/** Q⊥ = Q − M P⁻¹ Mᵀ: the Gram matrix of the student's components outside the teacher subspace. */
export function orthogonalOverlap(o: Overlaps): Float64Array {
  const { p, pStar, Q, M, P } = o;
  const Pinv = symmetricFunction(P, pStar, (x) => 1 / x);
  const MPinv = matmul(M, Pinv, p, pStar, pStar);
  const MPM = matmulT(MPinv, M, p, pStar, p);
  return Q.map((q, i) => q - MPM[i]);
}

/**
 * J(α) = e^{−Bα} Mᵀ Q⊥⁻¹ M e^{−Bα}, B = 4η P/(p p*), as a p*×p* row-major matrix; null when Q⊥ is
 * ill conditioned (smallest eigenvalue below `minRatio` = 10⁻⁵ of the largest of Q). Near a zero-loss
 * point W⊥ → 0 and Q⊥ = Q − M P⁻¹ Mᵀ is a difference of O(1) numbers: with overlaps accurate to
 * ~10⁻¹⁰ (the ODE's default tolerance), J keeps ~5 digits at this conditioning.
 */
export function conservedQuantity(o: Overlaps, eta: number, alpha: number, minRatio = 1e-5): Float64Array | null {
  const { p, pStar, M, P } = o;
  const Qperp = orthogonalOverlap(o);
  const smallest = symmetricEigen(Qperp, p).values[0];
  const largestQ = symmetricEigen(o.Q, p).values[p - 1];
  if (!(smallest > minRatio * Math.max(largestQ, 1e-300))) return null;
  const QperpInv = symmetricFunction(Qperp, p, (x) => 1 / x);
  const expB = symmetricFunction(P, pStar, (x) => Math.exp((-4 * eta * x * alpha) / (p * pStar)));
  const MtQiM = matmul(transpose(M, p, pStar), matmul(QperpInv, M, p, p, pStar), pStar, p, pStar);
  return matmul(matmul(expB, MtQiM, pStar, pStar, pStar), expB, pStar, pStar, pStar);
}

export interface ConservedDrift {
  /** J at the first saved α. */
  readonly initial: number[];
  /** max over α of ‖J(α) − J(0)‖_F / ‖J(0)‖_F, over the α's where J is well conditioned. */
  readonly maxDrift: number;
  /** Relative drift at each saved α (NaN where Q⊥ is numerically singular). */
  readonly drift: Float64Array;
  /** Last α where J could be evaluated. */
  readonly evaluatedUpTo: number;
}

/** Relative drift of J along a trajectory (ODE or SGD) run with learning rate η. */
export function conservedDrift(t: { p: number; pStar: number; alpha: ArrayLike<number>; Q: Float64Array[]; M: Float64Array[]; P: Float64Array }, eta: number, etaIntegral?: (alpha: number) => number): ConservedDrift {
  // With a varying η (schedule, src/ode/protocol.ts) ηα becomes ∫₀^α η: J at η = 1 and that time.
  // Points saved without overlaps (config saveOverlaps: "none" or k) hold empty Q and M: J is not evaluated there.
  const J = Array.from(t.Q, (Q, i) => Q.length < t.p * t.p ? null : conservedQuantity({ p: t.p, pStar: t.pStar, Q, M: t.M[i], P: t.P }, etaIntegral ? 1 : eta, etaIntegral ? etaIntegral(t.alpha[i]) : t.alpha[i]));
  const J0 = J[0];
  const drift = new Float64Array(J.length).fill(NaN);
  let maxDrift = 0, evaluatedUpTo = t.alpha[0];
  if (J0) {
    const norm0 = Math.hypot(...J0);
    J.forEach((j, i) => {
      if (!j) return;
      let d = 0;
      for (let k = 0; k < j.length; k++) { const e = j[k] - J0[k]; d += e * e; }
      drift[i] = Math.sqrt(d) / norm0;
      maxDrift = Math.max(maxDrift, drift[i]);
      evaluatedUpTo = t.alpha[i];
    });
  }
  return { initial: J0 ? Array.from(J0) : [], maxDrift: J0 ? maxDrift : NaN, drift, evaluatedUpTo };
}
