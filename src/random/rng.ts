/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna) on 32-bit integers, which
 * JavaScript does natively with Math.imul, its state derived from a (seed, purpose, index) triple
 * by the splitting scheme of ./streams.ts, so that distinct triples give independent streams.
 * Gaussians by the ziggurat method. Same triple, same numbers on every run: only integer ops,
 * IEEE double arithmetic and V8's deterministic Math.log/Math.exp are involved.
 */
import { streamState, type StreamPurpose } from './streams.js';

// Ziggurat tables for 128 layers (Marsaglia & Tsang 2000): R is the start of the tail, V the
// common area of each layer; positions are signed 25-bit integers, so the scale is 2^24.
const ZIG_R = 3.442619855899;
const ZIG_V = 9.91256303526217e-3;
const ZIG_SCALE = 16777216;
const KN = new Int32Array(128);
const WN = new Float64Array(128);
const FN = new Float64Array(128);
{
  let dn = ZIG_R, tn = dn;
  const q = ZIG_V / Math.exp(-0.5 * dn * dn);
  KN[0] = Math.floor((dn / q) * ZIG_SCALE);
  KN[1] = 0;
  WN[0] = q / ZIG_SCALE;
  WN[127] = dn / ZIG_SCALE;
  FN[0] = 1;
  FN[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(ZIG_V / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = Math.floor((dn / tn) * ZIG_SCALE);
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / ZIG_SCALE;
  }
}

/** The ziggurat's tables, shared with the WebAssembly kernel (src/sim/wasmKernel.ts) so both draw alike. */
export const ZIGGURAT_TABLES: { readonly KN: Int32Array; readonly WN: Float64Array; readonly FN: Float64Array } = { KN, WN, FN };

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * The stream (seed, purpose, index) of ./streams.ts: e.g. `new Rng(seed, 'sgdInputs', run)`.
   * `new Rng(seed)` is the stream (seed, 'general', 0), for tests and scripts. The seed must be a
   * safe integer (any sign) and the index an integer in [0, 2⁵³) (RangeError otherwise).
   */
  constructor(seed: number, purpose: StreamPurpose = 'general', index = 0) {
    [this.s0, this.s1, this.s2, this.s3] = streamState(seed, purpose, index);
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5, lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * One standard normal draw: Marsaglia & Tsang's ziggurat (J. Stat. Softw. 5(8), 2000) with 128
   * layers. Unlike the original, the layer index (low 7 bits) and the position in the layer
   * (high 25 bits, signed) come from disjoint bits of the 32-bit word (Doornik 2005).
   */
  gaussian(): number {
    const u = this.nextUint32() | 0;
    const iz = u & 127;
    const j = u >> 7; // signed, in [−2^24, 2^24)
    if (Math.abs(j) < KN[iz]) return j * WN[iz];
    return this.gaussianSlow(j, iz);
  }

  /** The rare ziggurat branch: the wedge of a layer, or the tail beyond R (~1.5% of draws). */
  private gaussianSlow(j: number, iz: number): number {
    for (;;) {
      const x = j * WN[iz];
      if (iz === 0) {
        // Tail beyond R: Marsaglia's exponential rejection method.
        let tx: number, ty: number;
        do {
          tx = -Math.log(1 - this.uniform()) / ZIG_R;
          ty = -Math.log(1 - this.uniform());
        } while (ty + ty < tx * tx);
        return j > 0 ? ZIG_R + tx : -ZIG_R - tx;
      }
      if (FN[iz] + this.uniform() * (FN[iz - 1] - FN[iz]) < Math.exp(-0.5 * x * x)) return x;
      const u = this.nextUint32() | 0;
      iz = u & 127;
      j = u >> 7;
      if (Math.abs(j) < KN[iz]) return j * WN[iz];
    }
  }

  /**
   * Fills `out` with standard normal draws; the same numbers as calling gaussian() repeatedly.
   * The fast path has xoshiro128** inlined on local state (this is the simulator's hot loop).
   */
  fillGaussian(out: Float64Array): Float64Array {
    let s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    const n = out.length;
    for (let i = 0; i < n; i++) {
      const u = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      const t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
      const iz = u & 127;
      const j = u >> 7;
      if (Math.abs(j) < KN[iz]) { out[i] = j * WN[iz]; continue; }
      this.s0 = s0; this.s1 = s1; this.s2 = s2; this.s3 = s3;
      out[i] = this.gaussianSlow(j, iz);
      s0 = this.s0; s1 = this.s1; s2 = this.s2; s3 = this.s3;
    }
    this.s0 = s0; this.s1 = s1; this.s2 = s2; this.s3 = s3;
    return out;
  }

  /** The full generator state, for checkpoints. */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  setState(state: readonly number[]): void {
    [this.s0, this.s1, this.s2, this.s3] = state;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
