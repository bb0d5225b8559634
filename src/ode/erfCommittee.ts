/**
 * The committee ODE (committee.ts, same equations) for σ = σ* = erf(·/√2), with the closed forms
 * of gauss/erf.ts regrouped so that what repeats across pairs is computed once. For a wide
 * student this is the cost of the whole method: the η² term needs E[σ'(λ_k)σ'(λ_l) e²] =
 * Σ_uw c_u c_w I4(k, l, u, w) for every pair k ≤ l, i.e. p(p+1)/2 · n(n+1)/2 arcsines (n = p + p*).
 *
 * With a_i = 1 + C_ii and, for the pair (k, l), Λ₄ = a_k a_l − C_kl² (Saad & Solla's I4):
 *   Λ₁(u) = Λ₄ a_u − a_k C_lu² − a_l C_ku² + 2 C_kl C_ku C_lu         (one per u, not per (u, w))
 *   Λ₀(u, w) = Λ₄ C_uw + (C_kl C_ku − a_k C_lu) C_lw + (C_kl C_lu − a_l C_ku) C_kw
 *   I4 = (4/π²) Λ₄^{−1/2} arcsin(Λ₀ r_u r_w),  r_u = Λ₁(u)^{−1/2}
 * so the inner loop is three multiply-adds and one arcsine. The drift needs
 * E[e σ'(λ_a) z_b] = Σ_u c_u I3(a, b, u) = a_a (G C)_ab − C_ab (G ∘ C)_a·1, with
 * G_au = c_u (2/π)/(a_a √(a_a a_u − C_au²)): a matrix product instead of p·n² closures.
 * Nothing is allocated per call.
 */
import type { DynamicsParams, OverlapRhs } from './equations.js';
import type { Network } from '../model/network.js';

const TWO_PI = 2 / Math.PI, FOUR_PI2 = 4 / (Math.PI * Math.PI);

export function isErfCommittee(net: Network): boolean {
  return net.student.name === 'erf' && net.teacher.name === 'erf';
}

export function erfCommitteeRhs(params: DynamicsParams, net: Network): OverlapRhs {
  const { p, pStar, eta, noise, P } = params;
  const decay = params.weightDecay ?? 0;
  const withNoise = params.sgdNoise !== false;
  const n = p + pStar, pp = p * p, offV = pp + p * pStar;
  const train = params.secondLayerRate !== undefined;
  const C = new Float64Array(n * n), a = new Float64Array(n), c = new Float64Array(n);
  const G = new Float64Array(p * n), g = new Float64Array(p), GC = new Float64Array(p * n);
  const r = new Float64Array(n), ck = new Float64Array(n), cl = new Float64Array(n);
  for (let j = 0; j < pStar; j++) {
    c[p + j] = -net.vStar[j];
    for (let i = 0; i < pStar; i++) C[(p + i) * n + p + j] = P[i * pStar + j];
  }
  for (let k = 0; k < p; k++) c[k] = net.v[k];
  return (y, dy) => {
    if (train) for (let k = 0; k < p; k++) c[k] = y[offV + k];
    for (let k = 0; k < p; k++) {
      for (let l = 0; l < p; l++) C[k * n + l] = y[k * p + l];
      for (let j = 0; j < pStar; j++) { const m = y[pp + k * pStar + j]; C[k * n + p + j] = m; C[(p + j) * n + k] = m; }
    }
    for (let i = 0; i < n; i++) a[i] = 1 + C[i * n + i];
    // dv_k/dα = −η_v Σ_u c_u I2(k, u), I2 = (2/π) arcsin(C_ku/√(a_k a_u)).
    if (train) {
      for (let k = 0; k < p; k++) {
        let s = 0;
        for (let u = 0; u < n; u++) s += c[u] * TWO_PI * Math.asin(C[k * n + u] / Math.sqrt(a[k] * a[u]));
        dy[offV + k] = -params.secondLayerRate! * s;
      }
    }
    // Drift: E[e σ'(λ_a) z_b] = a_a (G C)_ab − C_ab g_a.
    for (let k = 0; k < p; k++) {
      let s = 0;
      for (let u = 0; u < n; u++) {
        const cku = C[k * n + u];
        const gku = (c[u] * TWO_PI) / (a[k] * Math.sqrt(a[k] * a[u] - cku * cku));
        G[k * n + u] = gku;
        s += gku * cku;
      }
      g[k] = s;
      for (let b = 0; b < n; b++) {
        let t = 0;
        for (let u = 0; u < n; u++) t += G[k * n + u] * C[u * n + b];
        GC[k * n + b] = t;
      }
    }
    const eDz = (k: number, b: number) => a[k] * GC[k * n + b] - C[k * n + b] * g[k];
    for (let k = 0; k < p; k++) {
      for (let j = 0; j < pStar; j++) dy[pp + k * pStar + j] = -eta * c[k] * eDz(k, p + j) - eta * decay * C[k * n + p + j];
      for (let l = k; l < p; l++) {
        let e2 = 0;
        if (withNoise) {
          const ak = a[k], al = a[l], ckl = C[k * n + l];
          const l4 = ak * al - ckl * ckl;
          for (let u = 0; u < n; u++) {
            const cku = C[k * n + u], clu = C[l * n + u];
            ck[u] = cku;
            cl[u] = clu;
            const l1 = l4 * a[u] - ak * clu * clu - al * cku * cku + 2 * ckl * cku * clu;
            r[u] = 1 / Math.sqrt(l1);
          }
          let s = 0;
          for (let u = 0; u < n; u++) {
            const fl = ckl * ck[u] - ak * cl[u], fk = ckl * cl[u] - al * ck[u];
            const row = u * n;
            // w = u: Λ₀ = Λ₁(u) − Λ₄ (C_uu = a_u − 1).
            let su = 0.5 * c[u] * Math.asin((l4 * C[row + u] + fl * cl[u] + fk * ck[u]) * r[u] * r[u]);
            for (let w = u + 1; w < n; w++) su += c[w] * Math.asin((l4 * C[row + w] + fl * cl[w] + fk * ck[w]) * r[u] * r[w]);
            s += c[u] * su;
          }
          e2 = (2 * s * FOUR_PI2 + noise * TWO_PI) / Math.sqrt(l4); // + Δ J2, J2 = (2/π) Λ₄^{−1/2}
        }
        const d = -eta * (c[k] * eDz(k, l) + c[l] * eDz(l, k)) + eta * eta * c[k] * c[l] * e2 - 2 * eta * decay * C[k * n + l];
        dy[k * p + l] = d;
        dy[l * p + k] = d;
      }
    }
  };
}
