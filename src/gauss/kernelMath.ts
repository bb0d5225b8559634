/**
 * The elementary functions of the WebAssembly kernels (wasm/kernelMath.ts), in JavaScript with
 * the same operations in the same order, so that the kernels' JavaScript twins (erfCommittee.ts,
 * orthant.ts) give the same bits where WebAssembly SIMD is missing. Inline arithmetic rather than
 * calls into Math.asin and Math.sin, whose results also differ between engines.
 *  - asin: fdlibm's rational minimax on |x| ≤ ½ (x + x·P(x²)/Q(x²), < 1 ulp), and
 *    asin|x| = π/2 − 2 asin √((1 − |x|)/2) beyond (≤ 2 ulps); NaN outside [−1, 1].
 *  - sin on |θ| ≤ π/2: the Taylor series to θ²³ (next term < 6·10⁻²¹), within 2 ulps.
 */

const PIO2_HI = 1.57079632679489655800e+00, PIO2_LO = 6.12323399573676603587e-17;
const PS0 = 1.66666666666666657415e-01, PS1 = -3.25565818622400915405e-01, PS2 = 2.01212532134862925881e-01,
  PS3 = -4.00555345006794114027e-02, PS4 = 7.91534994289814532176e-04, PS5 = 3.47933107596021167570e-05;
const QS1 = -2.40339491173441421878e+00, QS2 = 2.02094576023350569471e+00, QS3 = -6.88283971605453293030e-01,
  QS4 = 7.70381505559019352791e-02;

function asinRatio(z: number): number {
  const p = z * (PS0 + z * (PS1 + z * (PS2 + z * (PS3 + z * (PS4 + z * PS5)))));
  const q = 1 + z * (QS1 + z * (QS2 + z * (QS3 + z * QS4)));
  return p / q;
}

/** asin x as the kernels compute it. */
export function kernelAsin(x: number): number {
  const ax = Math.abs(x);
  if (ax <= 0.5) return x + x * asinRatio(x * x);
  const z = (1 - ax) * 0.5;
  const s = Math.sqrt(z);
  const v = PIO2_HI - (2 * (s + s * asinRatio(z)) - PIO2_LO);
  return x < 0 ? -v : v;
}

const S3 = -1 / 6, S5 = 1 / 120, S7 = -1 / 5040, S9 = 1 / 362880, S11 = -1 / 39916800, S13 = 1 / 6227020800,
  S15 = -1 / 1307674368000, S17 = 1 / 355687428096000, S19 = -1 / 121645100408832000,
  S21 = 1 / 51090942171709440000, S23 = -1 / 25852016738884976640000;

/** sin θ for |θ| ≤ π/2 as the kernels compute it. */
export function kernelSin(t: number): number {
  const z = t * t;
  const p = S3 + z * (S5 + z * (S7 + z * (S9 + z * (S11 + z * (S13 + z * (S15 + z * (S17 + z * (S19 + z * (S21 + z * S23)))))))));
  return t + t * (z * p);
}
