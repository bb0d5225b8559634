/**
 * The overlap ODEs for any activation, as sums of the Gaussian expectations of
 * gauss/expectations.ts over hidden units (equations.ts). Slow (O(p²(p + p*)²) four-variable
 * expectations per call) but general: a new activation only needs its expectations. The
 * quadratic closed form (quadratic.ts) and the regrouped erf form (erfCommittee.ts, which
 * committeeRhs uses for erf) are tested against this.
 */
import type { DynamicsParams, OverlapRhs } from './equations.js';
import { jointCovariance, type Overlaps } from '../model/overlaps.js';
import type { Network } from '../model/network.js';
import { pairExpectations, unitAt } from '../gauss/mixed.js';
import { erfCommitteeRhs, isErfCommittee } from './erfCommittee.js';
import { reluI4 } from '../gauss/orthant.js';

/** Copies the covariance of the variables `idx` out of the joint covariance C (side n). */
function subCovariance(C: Float64Array, n: number, idx: ArrayLike<number>, out: Float64Array): Float64Array {
  const k = idx.length;
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) out[a * k + b] = C[idx[a] * n + idx[b]];
  return out;
}

/** Readout weights of the error e = Σ_u c_u s_u(z_u) − √Δ ζ over z = (λ, ν): c = (v, −v*). */
function errorCoefficients(net: Network): Float64Array {
  const c = new Float64Array(net.v.length + net.vStar.length);
  c.set(net.v, 0);
  net.vStar.forEach((w, j) => { c[net.v.length + j] = -w; });
  return c;
}

/** ε = ½ E[e²] = ½ Σ_uv c_u c_v E[s_u(z_u) s_v(z_v)] + Δ/2, for any activations and readouts. */
export function committeePopulationLoss(o: Overlaps, net: Network, noise: number): number {
  return committeeLossAndFloor(o, net, noise).loss;
}

/**
 * The loss, a bound on its rounding error and the size of the terms it sums (scale = ½Σ|terms|). Near a solution ε is a difference of O(1) terms
 * c_u c_v I2_uv that cancel; summing m = (p + p*)² terms, each a closed form good to a few ulps,
 * errs by at most ≈ (m + 4) u Σ|c_u c_v I2_uv| / 2 (Higham, Accuracy and Stability, §4.2), and
 * the state, rounded to u relative, contributes as much again: the loss is not resolved below.
 */
export function committeeLossAndFloor(o: Overlaps, net: Network, noise: number): { loss: number; floor: number; scale: number } {
  const n = o.p + o.pStar;
  const C = jointCovariance(o);
  const c = errorCoefficients(net);
  const E = pairExpectations(net.student, net.teacher);
  const c2 = new Float64Array(4);
  let s = 0, abs = 0;
  for (let u = 0; u < n; u++) for (let v = 0; v < n; v++) {
    const t = c[u] * c[v] * E.I2(subCovariance(C, n, [u, v], c2), unitAt(u, o.p), unitAt(v, o.p));
    s += t;
    abs += Math.abs(t);
  }
  return { loss: 0.5 * s + noise / 2, floor: (n * n + 4) * (Number.EPSILON / 2) * abs + (Number.EPSILON / 2) * noise, scale: 0.5 * abs };
}

/**
 * dM_kj = −η v_k E[e σ'(λ_k) ν_j] − ηλ M_kj
 * dQ_kl = −η (v_k E[e σ'(λ_k) λ_l] + v_l E[e σ'(λ_l) λ_k]) + η² v_k v_l E[e² σ'(λ_k) σ'(λ_l)] − 2ηλ Q_kl
 * (λ = weight decay; the η² term includes Δ v_k v_l E[σ'σ']).
 */
export function committeeRhs(params: DynamicsParams, net: Network): OverlapRhs {
  // erfCommittee.ts takes a constant η; an η(α) (a power-law schedule) runs term by term here.
  return isErfCommittee(net) && !params.etaAt && !params.secondLayerRateAt ? erfCommitteeRhs(params, net) : genericCommitteeRhs(params, net);
}

/** The same, term by term from the expectations of any activation (the reference for erfCommittee.ts). */
export function genericCommitteeRhs(params: DynamicsParams, net: Network): OverlapRhs {
  const { p, pStar, noise, P, etaAt, secondLayerRateAt } = params;
  const decay = params.weightDecay ?? 0;
  const n = p + pStar;
  const pp = p * p;
  const c = errorCoefficients(net);
  const train = params.secondLayerRate !== undefined;
  const offV = pp + p * pStar;
  const v = Float64Array.from(net.v);
  const E = pairExpectations(net.student, net.teacher);
  const c2 = new Float64Array(4), c3 = new Float64Array(9), c4 = new Float64Array(16);
  // Index lists reused (an array literal per expectation was 4 % of the ReLU p = 8 run in GC).
  const idx3 = new Int32Array(3), idx4 = new Int32Array(4);
  const Cbuf = new Float64Array(n * n);
  // ReLU student and teacher: E[H(λ_k)H(λ_l) z_u⁺ z_w⁺] = √C_uu √C_ww · reluI4(the correlations),
  // which relu.ts's perVariable computes per term; here the correlations of all units once per
  // call (the same operations, so the same bits), then reluI4 on their 4 × 4 blocks.
  const relu = net.student.name === 'relu' && net.teacher.name === 'relu';
  const sd = new Float64Array(n), Rbuf = new Float64Array(n * n);
  const reluTerm = (): number => {
    for (let m = 0; m < 4; m++) if (!(sd[idx4[m]] > 0)) return 0; // a unit of zero variance: λ = 0, H(0) = 0 = 0⁺
    return sd[idx4[2]] * sd[idx4[3]] * reluI4(subCovariance(Rbuf, n, idx4, c4));
  };
  return (y, dy, alpha = 0) => {
    // η(α) and η_v(α) of a schedule (src/ode/protocol.ts); constants otherwise.
    const eta = etaAt ? etaAt(alpha) : params.eta;
    const etaV = secondLayerRateAt ? secondLayerRateAt(alpha) : params.secondLayerRate!;
    if (train) for (let k = 0; k < p; k++) { v[k] = y[offV + k]; c[k] = v[k]; } // the second layer is state
    const C = jointCovariance({ p, pStar, Q: y.subarray(0, pp) as Float64Array, M: y.subarray(pp, offV) as Float64Array, P }, Cbuf);
    if (relu) {
      for (let i = 0; i < n; i++) sd[i] = Math.sqrt(C[i * n + i]);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Rbuf[i * n + j] = C[i * n + j] / (sd[i] * sd[j]);
    }
    // dv_k/dα = −η_v E[e σ(λ_k)] = −η_v Σ_u c_u E[σ(λ_k) s_u(z_u)]
    if (train) {
      for (let k = 0; k < p; k++) {
        let s = 0;
        for (let u = 0; u < n; u++) s += c[u] * E.I2(subCovariance(C, n, [k, u], c2), 'student', unitAt(u, p));
        dy[offV + k] = -etaV * s;
      }
    }
    // E[e σ'(z_a) z_b] = Σ_u c_u I3(a, b, u)
    const eDz = (a: number, b: number) => {
      let s = 0;
      idx3[0] = a; idx3[1] = b;
      for (let u = 0; u < n; u++) { idx3[2] = u; s += c[u] * E.I3(subCovariance(C, n, idx3, c3), unitAt(u, p)); }
      return s;
    };
    for (let k = 0; k < p; k++) {
      for (let j = 0; j < pStar; j++) dy[pp + k * pStar + j] = -eta * v[k] * eDz(k, p + j) - eta * decay * C[k * n + p + j];
      for (let l = k; l < p; l++) {
        let e2 = 0;
        if (params.sgdNoise !== false) {
          e2 = noise * E.J2(subCovariance(C, n, [k, l], c2));
          idx4[0] = k; idx4[1] = l;
          for (let u = 0; u < n; u++) for (let w = u; w < n; w++) {
            idx4[2] = u; idx4[3] = w;
            const term = c[u] * c[w] * (relu ? reluTerm() : E.I4(subCovariance(C, n, idx4, c4), unitAt(u, p), unitAt(w, p)));
            e2 += u === w ? term : 2 * term; // symmetric in (u, w)
          }
        }
        const d = -eta * (v[k] * eDz(k, l) + v[l] * eDz(l, k)) + eta * eta * v[k] * v[l] * e2 - 2 * eta * decay * C[k * n + l];
        dy[k * p + l] = d;
        dy[l * p + k] = d;
      }
    }
  };
}
