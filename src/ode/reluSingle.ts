/**
 * Closed-form overlap ODEs for one ReLU student learning one ReLU teacher (p = p* = 1, v = v* = 1),
 * integrated in (Q⊥, M), Q⊥ = Q − M²/P: the student's variance orthogonal to the teacher.
 *
 * Why: near the teacher (ε → 0) the generic path (committee.ts) evaluates differences of O(1)
 * expectations, and ReLU's three-variable one needs the conditional variance
 * C_νν − C_λν²/C_λλ = P Q⊥/Q, which from a stored Q is rounding noise of size u and enters under a
 * square root, so the right-hand side errs by ≈ u/√ε (5·10⁻⁴ relative loss error at ε = 10⁻¹⁰,
 * and a right-hand side too rough for the step-size control late in a run). With Q⊥ in the
 * state every term below is a product of small quantities, accurate to a few ulps relative.
 *
 * With a = √Q, b = √P, θ the angle between student and teacher (sin θ = √(Q⊥/Q), cos θ = M/(ab)),
 * g1(θ) = θ − sin θ cos θ ≈ 2θ³/3 and g2(θ) = sin θ − θ cos θ ≈ θ³/3 (both ≥ 0), the expectations
 * of relu.ts (I3 by Gaussian integration by parts, I2 the arc-cosine kernel) reduce to
 *
 *   E[e H(λ) ν] = (M − P)/2 + P g1/(2π)
 *   E[e H(λ) λ] = (Q − M)/2 + ab(θ cos θ − sin θ)/(2π)
 *   E[e² H(λ)]  = (Q⊥ + (M − P)²/P)/2 − (2ab g2 + P g1)/(2π)
 *   ε           = (Q⊥ + (M − P)²/P)/4 − ab g2/(2π) + Δ/2
 *
 * (Q − 2M + P = Q⊥ + (M − P)²/P), and with dQ⊥ = dQ − 2(M/P) dM the O(√ε) terms cancel
 * analytically (Q − M − M(M − P)/P = Q⊥, ab(θ cos θ − sin θ) − M g1 = −ab sin³θ):
 *
 *   dM/dα  = −η E[e H(λ) ν] − ηλ M
 *   dQ⊥/dα = −η (Q⊥ − ab sin³θ/π) + η² (E[e² H(λ)] + Δ/2) − 2ηλ Q⊥.
 */
import type { DynamicsParams } from './equations.js';
import type { Network } from '../model/network.js';
import type { PerpForm } from './quadratic.js';
import { sin, cos } from '../math/trig.js';

/** True for the network this form covers: ReLU student and teacher, one unit each, weights 1. */
export function isSingleRelu(net: Network): boolean {
  return net.student.name === 'relu' && net.teacher.name === 'relu' &&
    net.v.length === 1 && net.vStar.length === 1 && net.v[0] === 1 && net.vStar[0] === 1;
}

/** θ − sin θ cos θ and sin θ − θ cos θ, by their Taylor series below θ = 1/2 (no cancellation). */
function angleTerms(theta: number): { g1: number; g2: number } {
  if (theta >= 0.5) {
    const s = sin(theta), c = cos(theta);
    return { g1: theta - s * c, g2: s - theta * c };
  }
  // g1 = Σ_{k≥1} (−1)^{k+1} (2θ)^{2k+1} / (2 (2k+1)!),  g2 = Σ_{k≥1} (−1)^{k+1} 2k θ^{2k+1} / (2k+1)!
  const t2 = theta * theta;
  let g1 = 0, g2 = 0, pow = theta * t2, fact = 6, sign = 1, four = 4;
  for (let k = 1; k <= 12; k++) {
    g1 += (sign * pow * four) / fact; // (2θ)^{2k+1}/2 = 2^{2k} θ^{2k+1}; four = 4^k, exact
    g2 += (sign * 2 * k * pow) / fact;
    pow *= t2;
    four *= 4;
    fact *= (2 * k + 2) * (2 * k + 3);
    sign = -sign;
  }
  return { g1, g2 };
}

interface State { q: number; a: number; b: number; s: number; theta: number; g1: number; g2: number; dist: number }

function state(qp: number, m: number, P: number): State {
  const q = qp + (m * m) / P;
  const a = Math.sqrt(q), b = Math.sqrt(P);
  if (!(q > 0)) return { q: 0, a: 0, b, s: 0, theta: 0, g1: 0, g2: 0, dist: P };
  const s = Math.sqrt(Math.max(qp, 0) / q);
  const theta = Math.atan2(s, m / (a * b));
  const { g1, g2 } = angleTerms(theta);
  return { q, a, b, s, theta, g1, g2, dist: Math.max(qp, 0) + ((m - P) * (m - P)) / P };
}

/** The (Q⊥, M) form for one ReLU unit learning one ReLU teacher; P = [P] (1×1). */
export function reluSinglePerpForm(params: DynamicsParams): PerpForm {
  const { noise, etaAt } = params;
  const P = params.P[0];
  let eta = params.eta;
  let nq = params.sgdNoise === false ? 0 : eta * eta;
  let decay = eta * (params.weightDecay ?? 0);
  const u = Number.EPSILON / 2;
  const qBuf = new Float64Array(1);
  return {
    rhs: (y, dy, alpha = 0) => {
      if (etaAt) { // η(α) (src/ode/protocol.ts)
        eta = etaAt(alpha);
        nq = params.sgdNoise === false ? 0 : eta * eta;
        decay = eta * (params.weightDecay ?? 0);
      }
      const qp = y[0], m = y[1];
      const st = state(qp, m, P);
      if (st.q === 0) { dy[0] = 0; dy[1] = 0; return; } // H(0) = 0: a zero student does not move
      const eHnu = (m - P) / 2 + (P * st.g1) / (2 * Math.PI);
      const e2H = st.dist / 2 - (2 * st.a * st.b * st.g2 + P * st.g1) / (2 * Math.PI);
      dy[1] = -eta * eHnu - decay * m;
      dy[0] = -eta * (Math.max(qp, 0) - (st.a * st.b * st.s * st.s * st.s) / Math.PI) + nq * (e2H + noise / 2) - 2 * decay * qp;
    },
    lossAndFloor: (y) => {
      const m = y[1];
      const st = state(y[0], m, P);
      const quad = st.dist / 4, cubic = (st.a * st.b * st.g2) / (2 * Math.PI);
      // Each term to a few ulps; (M − P)²/(4P) carries M's own rounding δ = u(|M| + P): by
      // |M − P|δ/(2P) to first order, and by δ²/(4P) even when M rounds to P exactly.
      const dm = u * (Math.abs(m) + P);
      const floor = 8 * u * (quad + cubic) + (Math.abs(m - P) * dm) / (2 * P) + (dm * dm) / (4 * P) + u * noise;
      return { loss: quad - cubic + noise / 2, floor };
    },
    toPerp: (Q, M) => Float64Array.of(Q[0] - (M[0] * M[0]) / P, M[0]),
    toQ: (y) => Float64Array.of(y[0] + (y[1] * y[1]) / P),
    viewQ: (y) => { qBuf[0] = y[0] + (y[1] * y[1]) / P; return qBuf; },
  };
}
