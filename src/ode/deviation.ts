/**
 * The committee ODE near a zero-loss point, in deviation variables and double-double arithmetic.
 *
 * Why. On the generic path (committee.ts) the state is (Q, M), of size O(1), and the loss
 * ε = ½ Σ_uv c_u c_v I2_uv (c = (v, −v*)) and the right-hand side are sums of O(1) expectations
 * that cancel to O(ε) near a solution (for the drift terms O(√ε), and O(ε) in the combinations
 * that set the loss). Three errors of absolute size u ≈ 10⁻¹⁶ follow, each a relative error u/ε
 * of the loss: (i) the loss formula rounds; (ii) the right-hand side rounds, and the dynamics
 * integrate that noise into the state (measured: 4·10⁻⁶ at ε = 10⁻¹⁰ for erf, K = M = 2);
 * (iii) the state itself cannot hold the O(ε) part of Q — the student's variance outside the
 * teacher subspace, Q⊥ = Q − M P⁻¹ Mᵀ — to better than u absolute.
 *
 * The cure, for any activation with closed-form expectations (erf, square, linear, ReLU:
 * gauss/reluExact.ts):
 * (a) State. Fix a reference student t_k = Σ_j A_kj w*_j in the teacher subspace (A = M P⁻¹ when
 * the run switches here, the projection of each student onto the teachers then) and integrate
 * the overlaps of the deviations d_k = w_k − t_k:
 *
 *   D = d dᵀ/N (p × p),  R = d w*ᵀ/N (p × p*),  so  Q = D + R Aᵀ + A Rᵀ + A P Aᵀ,  M = R + A P
 *
 * (an affine change of variables: dD/dα = dQ/dα − (dM/dα) Aᵀ − A (dM/dα)ᵀ, dR/dα = dM/dα).
 * Near the solution D = O(ε_s) and R = O(√ε_s) (ε_s the loss at the switch), stored to u
 * relative: the O(ε) geometry the loss measures is held to u·ε_s absolute, not u. A trained
 * second layer is stored as v − v_s likewise.
 * (b) Arithmetic. Q and M are rebuilt from the state exactly in double-double (dd.ts; products
 * of doubles are exact there), and every expectation, every sum over units, the loss and the
 * change of variables run in double-double: the cancellations lose 10⁻³² absolute, not 10⁻¹⁶.
 * The results are rounded to double once, relative to their own (small) size.
 * The error left is the state's rounding, u relative to D, R (and the integration error, which
 * the loss control of solve.ts keeps relative to the loss).
 *
 * The rates are those of the protocol (protocol.ts): η(α)/n_b of a schedule and batch size, read
 * at each evaluation, and on a piecewise schedule each piece's constant (`rhsWith`: the same
 * variables, around the same A, across a jump).
 *
 * Double-double costs ≈ 10–20× a double right-hand side, so a run switches here only once its
 * loss falls below SWITCH_LOSS_RATIO times the size of the terms it cancels (solve.ts); above
 * that the double form's rounding is ≲ 10⁻⁸ relative.
 */
import type { DynamicsParams } from './equations.js';
import type { Network } from '../model/network.js';
import type { ExactExpectations } from '../gauss/expectations.js';
import { add, addD, dd, mul, mulD, sub, toNumber, twoProd, ZERO, type DD } from '../gauss/dd.js';
import { symmetricFunction } from '../linalg/matrix.js';

/**
 * Switch to the deviation form once ε < SWITCH_LOSS_RATIO · Σ|c_u c_v I2_uv| / 2. For ReLU the
 * (Q, M) phase before it is noisier (its right-hand side rounds to ≈ u/√ε, relu.ts) and leaves an
 * absolute state error that later becomes a relative loss error of 1.5·10⁻⁷ (p = p* = 2, sum
 * readout, η = 0.5, against bench/relu_committee_mpmath.py); switching at 10⁻⁴ gave 6·10⁻⁹ there
 * but sent the ReLU p = 8 benchmark (ε ≈ 10⁻⁴ at its end) into double-double: 3.4× its CPU time.
 */
export const SWITCH_LOSS_RATIO = 1e-7;

/** The double-double expectations of a network, when it has them (same closed-form σ for student and teacher). */
export function exactExpectationsOf(net: Network): ExactExpectations | null {
  if (net.student.name !== net.teacher.name || !net.student.exact) return null;
  return net.student.exact;
}

/** The rates of the ODE on one smooth piece of a protocol (protocol.ts): constants, or η(α), η_v(α). */
export type DeviationRates = Pick<DynamicsParams, 'eta' | 'secondLayerRate' | 'etaAt' | 'secondLayerRateAt'>;

export interface DeviationForm {
  /** dy/dα at the rates of `params` (η(α) when they vary: α the third argument, 0 when omitted). */
  readonly rhs: (y: Float64Array, dy: Float64Array, alpha?: number) => void;
  /**
   * The same field at other rates (the next piece of a piecewise schedule): the reference A and
   * the state's meaning are those of this form, so a run goes on across a jump in the same variables.
   */
  readonly rhsWith: (rates: DeviationRates) => (y: Float64Array, dy: Float64Array, alpha?: number) => void;
  readonly lossAndFloor: (y: Float64Array) => { loss: number; floor: number };
  /** The deviation state of overlaps (Q, M[, v]) packed as y = [Q, M, v]. */
  readonly y0: Float64Array;
  /** Back to the packed (Q, M[, v]) state, in double. */
  readonly toOverlaps: (y: Float64Array) => Float64Array;
  /** Q (p × p) in double, into a reused buffer (for the divergence check). */
  readonly viewQ: (y: Float64Array) => Float64Array;
}

/**
 * The deviation form around the reference A = M P⁻¹ of the packed state `y` = [Q, M(, v)].
 * The same equations as committee.ts (see its header), term for term, in double-double.
 */
export function deviationForm(params: DynamicsParams, net: Network, E: ExactExpectations, y: Float64Array): DeviationForm {
  const { p, pStar, noise } = params;
  const P = params.P;
  const n = p + pStar, pp = p * p, offV = pp + p * pStar;
  const train = params.secondLayerRate !== undefined;
  const decay = params.weightDecay ?? 0;
  const withNoise = params.sgdNoise !== false;
  const u = Number.EPSILON / 2;
  // A = M P⁻¹ (pseudo-inverse: a singular P only makes the reference less close, never wrong).
  const Pinv = symmetricFunction(P, pStar, (x) => (x > 1e-12 ? 1 / x : 0));
  const A = new Float64Array(p * pStar);
  for (let k = 0; k < p; k++) for (let j = 0; j < pStar; j++) {
    let s = 0;
    for (let i = 0; i < pStar; i++) s += y[pp + k * pStar + i] * Pinv[i * pStar + j];
    A[k * pStar + j] = s;
  }
  // A P and A P Aᵀ in double-double, once.
  const AP: DD[] = [];
  for (let k = 0; k < p; k++) for (let j = 0; j < pStar; j++) {
    let s = ZERO;
    for (let i = 0; i < pStar; i++) s = add(s, twoProd(A[k * pStar + i], P[i * pStar + j]));
    AP.push(s);
  }
  const APA: DD[] = [];
  for (let k = 0; k < p; k++) for (let l = 0; l < p; l++) {
    let s = ZERO;
    for (let j = 0; j < pStar; j++) s = add(s, mulD(AP[k * pStar + j], A[l * pStar + j]));
    APA.push(s);
  }
  const vRef = Float64Array.from(train ? y.subarray(offV, offV + p) : net.v);
  const vStar = net.vStar;

  /** Joint covariance C = [[Q, M], [Mᵀ, P]] (n × n) and the error coefficients c = (v, −v*), exact. */
  const C: DD[] = new Array(n * n).fill(ZERO);
  const c: DD[] = new Array(n).fill(ZERO);
  const rebuild = (s: Float64Array) => {
    for (let k = 0; k < p; k++) {
      for (let l = k; l < p; l++) {
        let q = addD(APA[k * p + l], s[k * p + l]);
        for (let j = 0; j < pStar; j++) {
          q = add(q, twoProd(s[pp + k * pStar + j], A[l * pStar + j]));
          q = add(q, twoProd(A[k * pStar + j], s[pp + l * pStar + j]));
        }
        C[k * n + l] = q;
        C[l * n + k] = q;
      }
      for (let j = 0; j < pStar; j++) {
        const m = addD(AP[k * pStar + j], s[pp + k * pStar + j]);
        C[k * n + p + j] = m;
        C[(p + j) * n + k] = m;
      }
      c[k] = train ? addD(dd(vRef[k]), s[offV + k]) : dd(vRef[k]);
    }
    for (let i = 0; i < pStar; i++) {
      for (let j = 0; j < pStar; j++) C[(p + i) * n + p + j] = dd(P[i * pStar + j]);
      c[p + i] = dd(-vStar[i]);
    }
  };
  const c2: DD[] = new Array(4), c3: DD[] = new Array(9), c4: DD[] = new Array(16);
  const subCov = (idx: readonly number[], out: DD[]) => {
    const m = idx.length;
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) out[a * m + b] = C[idx[a] * n + idx[b]];
    return out;
  };
  const idx2 = [0, 0], idx3 = [0, 0, 0], idx4 = [0, 0, 0, 0];
  const I2 = (a: number, b: number) => { idx2[0] = a; idx2[1] = b; return E.I2(subCov(idx2, c2)); };
  /** E[e σ'(z_a) z_b] = Σ_u c_u I3(a, b, u). */
  const eDz = (a: number, b: number) => {
    let s = ZERO;
    idx3[0] = a; idx3[1] = b;
    for (let w = 0; w < n; w++) { idx3[2] = w; s = add(s, mul(c[w], E.I3(subCov(idx3, c3)))); }
    return s;
  };
  const lossDD = () => {
    let s = ZERO;
    for (let a = 0; a < n; a++) {
      s = add(s, mul(mul(c[a], c[a]), I2(a, a)));
      for (let b = a + 1; b < n; b++) s = add(s, mulD(mul(mul(c[a], c[b]), I2(a, b)), 2));
    }
    return addD(mulD(s, 0.5), noise / 2);
  };
  const dM: DD[] = new Array(p * pStar).fill(ZERO);
  const dQ: DD[] = new Array(pp).fill(ZERO);

  // The rates enter only as double factors of the double-double sums: η (and η_v) at α, from a
  // schedule's η(α)/n_b (protocol.ts, equations (4)–(6)), or the constants, whose products
  // (η², ηλ) are the same operations as in a constant-rate field, so the same bits.
  const rhsWith = (rates: DeviationRates) => (s: Float64Array, dy: Float64Array, alpha = 0) => {
    const eta = rates.etaAt ? rates.etaAt(alpha) : rates.eta;
    const etaV = rates.secondLayerRateAt ? rates.secondLayerRateAt(alpha) : rates.secondLayerRate!;
    rebuild(s);
    if (train) {
      for (let k = 0; k < p; k++) {
        let t = ZERO;
        for (let w = 0; w < n; w++) t = add(t, mul(c[w], I2(k, w)));
        dy[offV + k] = -etaV * toNumber(t);
      }
    }
    for (let k = 0; k < p; k++) {
      for (let j = 0; j < pStar; j++) {
        dM[k * pStar + j] = sub(mulD(mul(c[k], eDz(k, p + j)), -eta), mulD(C[k * n + p + j], eta * decay));
      }
      for (let l = k; l < p; l++) {
        let e2 = ZERO;
        if (withNoise) {
          idx2[0] = k; idx2[1] = l;
          e2 = mulD(E.J2(subCov(idx2, c2)), noise);
          idx4[0] = k; idx4[1] = l;
          for (let a = 0; a < n; a++) {
            idx4[2] = a;
            for (let b = a; b < n; b++) {
              idx4[3] = b;
              const term = mul(mul(c[a], c[b]), E.I4(subCov(idx4, c4)));
              e2 = add(e2, a === b ? term : mulD(term, 2));
            }
          }
        }
        const drift = add(mul(c[k], eDz(k, l)), mul(c[l], eDz(l, k)));
        const d = sub(add(mulD(drift, -eta), mulD(mul(mul(c[k], c[l]), e2), eta * eta)), mulD(C[k * n + l], 2 * eta * decay));
        dQ[k * p + l] = d;
        dQ[l * p + k] = d;
      }
    }
    for (let k = 0; k < p; k++) {
      for (let j = 0; j < pStar; j++) dy[pp + k * pStar + j] = toNumber(dM[k * pStar + j]);
      for (let l = 0; l < p; l++) {
        // dD = dQ − dM Aᵀ − A dMᵀ, before rounding: this is where the O(√ε) parts cancel.
        let d = dQ[k * p + l];
        for (let j = 0; j < pStar; j++) d = sub(d, add(mulD(dM[k * pStar + j], A[l * pStar + j]), mulD(dM[l * pStar + j], A[k * pStar + j])));
        dy[k * p + l] = toNumber(d);
      }
    }
  };
  const rhs = rhsWith(params);

  const lossAndFloor = (s: Float64Array) => {
    rebuild(s);
    const loss = toNumber(lossDD());
    // The state's rounding, u relative to D and R, moves the loss by ≈ u Σ|v_k v_l D_kl| (it is
    // linear in D with O(1) coefficients) plus the second-order part in R; the double-double
    // evaluation itself adds ≈ 10⁻³² of the O(1) terms (negligible).
    let dsz = 0, rsz = 0;
    for (let k = 0; k < p; k++) {
      for (let l = 0; l < p; l++) dsz += Math.abs(s[k * p + l] * toNumber(c[k]) * toNumber(c[l]));
      for (let j = 0; j < pStar; j++) { const z = s[pp + k * pStar + j]; rsz += z * z; }
    }
    return { loss, floor: 8 * u * (Math.abs(loss) + 4 * dsz + rsz) + u * noise + 1e-30 };
  };

  // The initial deviation state, from the packed (Q, M[, v]) in double-double.
  const y0 = new Float64Array(y.length);
  for (let k = 0; k < p; k++) for (let j = 0; j < pStar; j++) y0[pp + k * pStar + j] = toNumber(sub(dd(y[pp + k * pStar + j]), AP[k * pStar + j]));
  for (let k = 0; k < p; k++) for (let l = 0; l < p; l++) {
    let d = sub(dd(y[k * p + l]), APA[k * p + l]);
    for (let j = 0; j < pStar; j++) d = sub(sub(d, twoProd(y0[pp + k * pStar + j], A[l * pStar + j])), twoProd(A[k * pStar + j], y0[pp + l * pStar + j]));
    y0[k * p + l] = toNumber(d);
  }
  // (v − v_s starts at 0.)

  const qBuf = new Float64Array(pp);
  const toOverlaps = (s: Float64Array) => {
    rebuild(s);
    const out = new Float64Array(s.length);
    for (let k = 0; k < p; k++) {
      for (let l = 0; l < p; l++) out[k * p + l] = toNumber(C[k * n + l]);
      for (let j = 0; j < pStar; j++) out[pp + k * pStar + j] = toNumber(C[k * n + p + j]);
      if (train) out[offV + k] = toNumber(c[k]);
    }
    return out;
  };
  const viewQ = (s: Float64Array) => {
    rebuild(s);
    for (let k = 0; k < p; k++) for (let l = 0; l < p; l++) qBuf[k * p + l] = toNumber(C[k * n + l]);
    return qBuf;
  };
  return { rhs, rhsWith, lossAndFloor, y0, toOverlaps, viewQ };
}
