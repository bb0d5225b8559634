/**
 * The overlap ODEs for any activation, as sums of the Gaussian expectations of
 * gauss/expectations.ts over hidden units (equations.ts). Slow (O(p²(p + p*)²) four-variable
 * expectations per call) but general: a new activation only needs its expectations. The
 * quadratic closed form (quadratic.ts) is tested against this.
 */
import type { Activation } from '../gauss/expectations.js';
import type { DynamicsParams, OverlapRhs } from './equations.js';
import { jointCovariance, type Overlaps } from '../model/overlaps.js';

/** Copies the covariance of the variables `idx` out of the joint covariance C (side n). */
function subCovariance(C: Float64Array, n: number, idx: readonly number[], out: Float64Array): Float64Array {
  const k = idx.length;
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) out[a * k + b] = C[idx[a] * n + idx[b]];
  return out;
}

/** Readout weights of the error e = Σ_u c_u σ(z_u) − √Δ ζ over z = (λ, ν): c = (1/p, −1/p*). */
function errorCoefficients(p: number, pStar: number): Float64Array {
  const c = new Float64Array(p + pStar);
  c.fill(1 / p, 0, p);
  c.fill(-1 / pStar, p);
  return c;
}

/** ε = ½ E[e²] = ½ Σ_uv c_u c_v E[σ(z_u) σ(z_v)] + Δ/2, for any activation. */
export function committeePopulationLoss(o: Overlaps, activation: Activation, noise: number): number {
  const n = o.p + o.pStar;
  const C = jointCovariance(o);
  const c = errorCoefficients(o.p, o.pStar);
  const c2 = new Float64Array(4);
  let s = 0;
  for (let u = 0; u < n; u++) for (let v = 0; v < n; v++) s += c[u] * c[v] * activation.expectations.I2(subCovariance(C, n, [u, v], c2));
  return 0.5 * s + noise / 2;
}

export function committeeRhs(params: DynamicsParams, activation: Activation): OverlapRhs {
  const { p, pStar, eta, noise, P } = params;
  const n = p + pStar;
  const pp = p * p;
  const c = errorCoefficients(p, pStar);
  const { I3, I4, J2 } = activation.expectations;
  const c2 = new Float64Array(4), c3 = new Float64Array(9), c4 = new Float64Array(16);
  return (y, dy) => {
    const C = jointCovariance({ p, pStar, Q: y.subarray(0, pp) as Float64Array, M: y.subarray(pp) as Float64Array, P });
    // E[e σ'(z_a) z_b] = Σ_u c_u I3(a, b, u)
    const eDz = (a: number, b: number) => {
      let s = 0;
      for (let u = 0; u < n; u++) s += c[u] * I3(subCovariance(C, n, [a, b, u], c3));
      return s;
    };
    for (let k = 0; k < p; k++) {
      for (let j = 0; j < pStar; j++) dy[pp + k * pStar + j] = -(eta / p) * eDz(k, p + j);
      for (let l = k; l < p; l++) {
        let e2 = 0;
        if (params.sgdNoise !== false) {
          e2 = noise * J2(subCovariance(C, n, [k, l], c2));
          for (let u = 0; u < n; u++) for (let v = 0; v < n; v++) e2 += c[u] * c[v] * I4(subCovariance(C, n, [k, l, u, v], c4));
        }
        const d = -(eta / p) * (eDz(k, l) + eDz(l, k)) + ((eta * eta) / pp) * e2;
        dy[k * p + l] = d;
        dy[l * p + k] = d;
      }
    }
  };
}
