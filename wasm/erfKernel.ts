/**
 * The η² (SGD-noise) sums of the erf committee ODE (src/ode/erfCommittee.ts) in WebAssembly
 * (AssemblyScript, compiled by wasm/build.mjs with SIMD on): for every student pair k ≤ l,
 *   S_kl = Σ_u c_u (½ c_u arcsin(x_uu) + Σ_{w>u} c_w arcsin(x_uw)),
 *   x_uw = ((Λ₄ C_uw + f_l(u) C_lw) + f_k(u) C_kw) r_u r_w,
 * the O(p² n²) arcsines that are the whole cost of a wide erf committee. The inner sum over w
 * runs two w at a time in one f64x2 over the even-padded side m (lanes: even and odd w, from
 * w = u & ~1; the first pair weighs w = u by ½ c_u and, for odd u, w = u − 1 by 0; the padding
 * has C = r = c = 0, so x = 0 and adds 0), then lane 0 + lane 1: no scalar tail and no call. The
 * JavaScript fallback (erfNoiseSumsJs in erfCommittee.ts) sums in this order, and WebAssembly
 * has no fused multiply-add, so both give the same bits.
 *
 * The arcsine is kernelMath.ts's asinPair: both lanes take its rational path when both
 * arguments are ≤ ½, as nearly all are here (correlations of units given two others).
 *
 * Memory (f64, from byte 0; m = n rounded up to even, padding zero): C (m × m, the joint
 * covariance of (λ, ν)), c (m), a (m; a = 1 + diag C), five work vectors of m (r, C_k·, C_l·,
 * f_l, f_k), then S (p × p; only k ≤ l written).
 */

import { asinPair, asinScalar, sp } from './kernelMath';

@inline function at(base: usize, i: i32): f64 { return load<f64>(base + (<usize>i << 3)); }
@inline function put(base: usize, i: i32, v: f64): void { store<f64>(base + (<usize>i << 3), v); }

export function noiseSums(p: i32, n: i32): void {
  const m = (n + 1) & ~1; // padded side: row u's w = u & ~1, …, m − 1 in whole pairs
  const mm = <usize>m << 3;
  const C: usize = 0, c = C + <usize>m * mm, a = c + mm, r = a + mm, ck = r + mm, cl = ck + mm, fl = cl + mm, fk = fl + mm, S = fk + mm;
  for (let k = 0; k < p; k++) {
    for (let l = k; l < p; l++) {
      const ak = at(a, k), al = at(a, l), ckl = at(C, k * m + l);
      const l4 = ak * al - ckl * ckl;
      for (let u = 0; u < n; u++) {
        const cku = at(C, k * m + u), clu = at(C, l * m + u);
        put(ck, u, cku);
        put(cl, u, clu);
        const l1 = l4 * at(a, u) - ak * clu * clu - al * cku * cku + 2 * ckl * cku * clu;
        put(r, u, 1 / sqrt(l1));
        put(fl, u, ckl * cku - ak * clu);
        put(fk, u, ckl * clu - al * cku);
      }
      let s: f64 = 0;
      for (let u = 0; u < n; u++) {
        const cu = at(c, u), row = C + <usize>u * mm;
        const L4 = sp(l4), FL = sp(at(fl, u)), FK = sp(at(fk, u)), RU = sp(at(r, u));
        let w = u & ~1;
        // The first pair holds w = u with weight ½ c_u and, for odd u, w = u − 1 with weight 0.
        let o = <usize>w << 3;
        let x = f64x2.mul(f64x2.mul(f64x2.add(f64x2.add(f64x2.mul(L4, v128.load(row + o)), f64x2.mul(FL, v128.load(cl + o))), f64x2.mul(FK, v128.load(ck + o))), RU), v128.load(r + o));
        const first = (u & 1) == 0 ? f64x2.replace_lane(f64x2.splat(0.5 * cu), 1, at(c, u + 1)) : f64x2.replace_lane(f64x2.splat(0), 1, 0.5 * cu);
        let acc = f64x2.mul(first, asinPair(x));
        for (w += 2; w < m; w += 2) {
          o = <usize>w << 3;
          x = f64x2.mul(f64x2.mul(f64x2.add(f64x2.add(f64x2.mul(L4, v128.load(row + o)), f64x2.mul(FL, v128.load(cl + o))), f64x2.mul(FK, v128.load(ck + o))), RU), v128.load(r + o));
          acc = f64x2.add(acc, f64x2.mul(v128.load(c + o), asinPair(x)));
        }
        s += cu * (f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1));
      }
      put(S, k * p + l, s);
    }
  }
}
