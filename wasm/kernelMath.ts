/**
 * Elementary functions for the WebAssembly kernels (imported by erfKernel.ts and
 * orthantKernel.ts), two lanes at a time, each lane's arithmetic that of the scalar version, so
 * that the JavaScript twins in src/gauss/kernelMath.ts give the same bits. No fused multiply-add.
 *
 * asin: on |x| ≤ ½, asin x = x + x·P(z)/Q(z), z = x², with the rational minimax coefficients
 * published with Sun's fdlibm (e_asin.c; error < 1 ulp); for |x| > ½,
 * asin|x| = π/2 − 2 asin s, s = √((1 − |x|)/2) (z = s² exact), within 2 ulps.
 * sin on |θ| ≤ π/2: its Taylor series to θ²³ (the next term is below 6·10⁻²¹), within 2 ulps.
 */

const pio2_hi: f64 = 1.57079632679489655800e+00, pio2_lo: f64 = 6.12323399573676603587e-17;
const pS0: f64 = 1.66666666666666657415e-01, pS1: f64 = -3.25565818622400915405e-01, pS2: f64 = 2.01212532134862925881e-01,
  pS3: f64 = -4.00555345006794114027e-02, pS4: f64 = 7.91534994289814532176e-04, pS5: f64 = 3.47933107596021167570e-05;
const qS1: f64 = -2.40339491173441421878e+00, qS2: f64 = 2.02094576023350569471e+00, qS3: f64 = -6.88283971605453293030e-01,
  qS4: f64 = 7.70381505559019352791e-02;

@inline export function sp(x: f64): v128 { return f64x2.splat(x); }

/** P(z)/Q(z) of the rational approximation (asin x = x + x·R(x²) on |x| ≤ ½). */
@inline function ratio(z: f64): f64 {
  const p = z * (pS0 + z * (pS1 + z * (pS2 + z * (pS3 + z * (pS4 + z * pS5)))));
  const q = 1.0 + z * (qS1 + z * (qS2 + z * (qS3 + z * qS4)));
  return p / q;
}

@inline function ratioPair(z: v128): v128 {
  let p = f64x2.add(sp(pS4), f64x2.mul(z, sp(pS5)));
  p = f64x2.add(sp(pS3), f64x2.mul(z, p));
  p = f64x2.add(sp(pS2), f64x2.mul(z, p));
  p = f64x2.add(sp(pS1), f64x2.mul(z, p));
  p = f64x2.mul(z, f64x2.add(sp(pS0), f64x2.mul(z, p)));
  let q = f64x2.add(sp(qS3), f64x2.mul(z, sp(qS4)));
  q = f64x2.add(sp(qS2), f64x2.mul(z, q));
  q = f64x2.add(sp(qS1), f64x2.mul(z, q));
  q = f64x2.add(sp(1.0), f64x2.mul(z, q));
  return f64x2.div(p, q);
}

export function asinScalar(x: f64): f64 {
  const ax = abs(x);
  if (ax <= 0.5) return x + x * ratio(x * x);
  const z = (1.0 - ax) * 0.5;
  const s = sqrt(z);
  const v = pio2_hi - (2.0 * (s + s * ratio(z)) - pio2_lo);
  return x < 0 ? -v : v;
}

/** asin of both lanes: the rational path for both when both are ≤ ½ (NaN lanes too: NaN either way), else asinScalar per lane. */
@inline export function asinPair(x: v128): v128 {
  if (v128.any_true(f64x2.gt(f64x2.abs(x), sp(0.5)))) {
    return f64x2.replace_lane(f64x2.splat(asinScalar(f64x2.extract_lane(x, 0))), 1, asinScalar(f64x2.extract_lane(x, 1)));
  }
  return f64x2.add(x, f64x2.mul(x, ratioPair(f64x2.mul(x, x))));
}

/** asin of both lanes without a branch (for arguments often above ½): both paths, selected. */
@inline export function asinPairSelect(x: v128): v128 {
  const ax = f64x2.abs(x);
  const small = f64x2.le(ax, sp(0.5));
  const z = v128.bitselect(f64x2.mul(x, x), f64x2.mul(f64x2.sub(sp(1.0), ax), sp(0.5)), small);
  const s = v128.bitselect(ax, f64x2.sqrt(z), small);
  const r = f64x2.add(s, f64x2.mul(s, ratioPair(z)));
  const big = f64x2.sub(sp(pio2_hi), f64x2.sub(f64x2.mul(sp(2.0), r), sp(pio2_lo)));
  const v = v128.bitselect(r, big, small);
  return v128.or(v128.and(v, i64x2.splat(0x7fffffffffffffff)), v128.and(x, i64x2.splat(0x8000000000000000)));
}

// sin θ = θ + θ·z·P(z), z = θ², P(z) = Σ_{k≥1} (−1)^k z^{k−1}/(2k+1)!, to θ²³.
const S3: f64 = -1.0 / 6.0, S5: f64 = 1.0 / 120.0, S7: f64 = -1.0 / 5040.0, S9: f64 = 1.0 / 362880.0, S11: f64 = -1.0 / 39916800.0,
  S13: f64 = 1.0 / 6227020800.0, S15: f64 = -1.0 / 1307674368000.0, S17: f64 = 1.0 / 355687428096000.0,
  S19: f64 = -1.0 / 121645100408832000.0, S21: f64 = 1.0 / 51090942171709440000.0, S23: f64 = -1.0 / 25852016738884976640000.0;

/** sin of both lanes, |θ| ≤ π/2. */
@inline export function sinPair(t: v128): v128 {
  const z = f64x2.mul(t, t);
  let p = f64x2.add(sp(S21), f64x2.mul(z, sp(S23)));
  p = f64x2.add(sp(S19), f64x2.mul(z, p));
  p = f64x2.add(sp(S17), f64x2.mul(z, p));
  p = f64x2.add(sp(S15), f64x2.mul(z, p));
  p = f64x2.add(sp(S13), f64x2.mul(z, p));
  p = f64x2.add(sp(S11), f64x2.mul(z, p));
  p = f64x2.add(sp(S9), f64x2.mul(z, p));
  p = f64x2.add(sp(S7), f64x2.mul(z, p));
  p = f64x2.add(sp(S5), f64x2.mul(z, p));
  p = f64x2.add(sp(S3), f64x2.mul(z, p));
  return f64x2.add(t, f64x2.mul(t, f64x2.mul(z, p)));
}
