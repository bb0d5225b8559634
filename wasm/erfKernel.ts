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
 * The arcsine: on |x| ≤ ½, asin x = x + x·P(z)/Q(z), z = x², with the rational minimax
 * coefficients published with Sun's fdlibm (e_asin.c; error < 1 ulp); both lanes take this path
 * when both are ≤ ½ (in the committee ODE nearly every argument is: they are correlations of
 * units given two others). Otherwise each lane goes through asinScalar, which for |x| > ½ uses
 * asin|x| = π/2 − 2 asin s, s = √((1 − |x|)/2) (z = s² exact), within 2 ulps.
 *
 * Memory (f64, from byte 0; m = n rounded up to even, padding zero): C (m × m, the joint
 * covariance of (λ, ν)), c (m), a (m; a = 1 + diag C), five work vectors of m (r, C_k·, C_l·,
 * f_l, f_k), then S (p × p; only k ≤ l written).
 */

const pio2_hi: f64 = 1.57079632679489655800e+00, pio2_lo: f64 = 6.12323399573676603587e-17;
const pS0: f64 = 1.66666666666666657415e-01, pS1: f64 = -3.25565818622400915405e-01, pS2: f64 = 2.01212532134862925881e-01,
  pS3: f64 = -4.00555345006794114027e-02, pS4: f64 = 7.91534994289814532176e-04, pS5: f64 = 3.47933107596021167570e-05;
const qS1: f64 = -2.40339491173441421878e+00, qS2: f64 = 2.02094576023350569471e+00, qS3: f64 = -6.88283971605453293030e-01,
  qS4: f64 = 7.70381505559019352791e-02;

/** P(z)/Q(z) of the rational approximation (asin x = x + x·R(x²) on |x| ≤ ½). */
@inline function ratio(z: f64): f64 {
  const p = z * (pS0 + z * (pS1 + z * (pS2 + z * (pS3 + z * (pS4 + z * pS5)))));
  const q = 1.0 + z * (qS1 + z * (qS2 + z * (qS3 + z * qS4)));
  return p / q;
}

export function asinScalar(x: f64): f64 {
  const ax = abs(x);
  if (ax <= 0.5) return x + x * ratio(x * x);
  const z = (1.0 - ax) * 0.5;
  const s = sqrt(z);
  const v = pio2_hi - (2.0 * (s + s * ratio(z)) - pio2_lo);
  return x < 0 ? -v : v;
}

@inline function sp(x: f64): v128 { return f64x2.splat(x); }

@inline function asinPair(x: v128): v128 {
  if (v128.any_true(f64x2.gt(f64x2.abs(x), sp(0.5)))) { // (NaN lanes take the fast path: NaN either way)
    return f64x2.replace_lane(f64x2.splat(asinScalar(f64x2.extract_lane(x, 0))), 1, asinScalar(f64x2.extract_lane(x, 1)));
  }
  const z = f64x2.mul(x, x);
  let p = f64x2.add(sp(pS4), f64x2.mul(z, sp(pS5)));
  p = f64x2.add(sp(pS3), f64x2.mul(z, p));
  p = f64x2.add(sp(pS2), f64x2.mul(z, p));
  p = f64x2.add(sp(pS1), f64x2.mul(z, p));
  p = f64x2.mul(z, f64x2.add(sp(pS0), f64x2.mul(z, p)));
  let q = f64x2.add(sp(qS3), f64x2.mul(z, sp(qS4)));
  q = f64x2.add(sp(qS2), f64x2.mul(z, q));
  q = f64x2.add(sp(qS1), f64x2.mul(z, q));
  q = f64x2.add(sp(1.0), f64x2.mul(z, q));
  return f64x2.add(x, f64x2.mul(x, f64x2.div(p, q)));
}

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
