/**
 * Stream splitting: every random stream of onepass is named by a triple (seed, purpose, index)
 * and its generator state is a fixed function of that triple alone. The purposes are listed in
 * STREAM (teacher weights, student weights, the frame realising explicit overlaps, the SGD inputs
 * of run r, the label noise of run r, …); so two streams that differ in any of the three never
 * share numbers, whatever seeds a user picks (equal seeds for weights and samples, 0, negative,
 * beyond 2³²).
 *
 * The scheme (fixed: changing it changes every result):
 *  1. A = seed as a 64-bit two's-complement word. Seeds are safe integers (|seed| < 2⁵³), so
 *     distinct seeds give distinct A: nothing is reduced mod 2³² (2³² and 0 stay apart).
 *  2. B = purpose · 2⁵³ + index, with purpose < 2¹¹ and 0 ≤ index < 2⁵³: distinct
 *     (purpose, index) give distinct B. (seed, purpose, index) ↦ (A, B) is one-to-one.
 *  3. Four Feistel rounds over the two 64-bit halves, with SplitMix64's finaliser
 *     (Steele, Lea & Flood 2014, "variant 13") as the round function, γ = 0x9e3779b97f4a7c15:
 *       B ^= mix(A + γ); A ^= mix(B + 2γ); B ^= mix(A + 3γ); A ^= mix(B + 4γ)   (mod 2⁶⁴).
 *     Each round is invertible (it xors one half with a function of the other), so the map is a
 *     bijection of 128-bit words: distinct triples give distinct states. After the rounds every
 *     bit of the state depends on every bit of the triple (mix is a full-avalanche bijection).
 *  4. The xoshiro128** state is the four 32-bit words (low A, high A, low B, high B). The one
 *     128-bit input that maps to the forbidden all-zero state is given the state (1, 0, 0, 0).
 * xoshiro128** has a single cycle of length 2¹²⁸ − 1 through all non-zero states, so distinct
 * states are distinct starting points on it; n streams of L draws each overlap with probability
 * below n²L/2¹²⁸ (for a million streams of 2⁴⁰ draws, 2⁻⁴⁸). This is the seeding Vigna
 * recommends for the xoshiro family (SplitMix64 output as the state), keyed by the triple.
 * BigInt is used here, once per stream; the generators themselves run on 32-bit integers.
 */

/**
 * The purposes of onepass's streams, and their numbers in the scheme above. Fixed: a new purpose
 * gets a new number, an existing one never changes.
 */
export const STREAM = {
  /** Streams of tests and scripts that need "some random numbers" (`new Rng(seed)`). */
  general: 0,
  /** Teacher weights W* drawn from `init.seed`. */
  teacherWeights: 1,
  /** Student weights W drawn from `init.seed`. */
  studentWeights: 2,
  /** The random orthonormal frame that realises explicit overlaps in dimension N, from `seed`. */
  overlapFrame: 3,
  /** The inputs x of SGD run r (index r), from `seed`. */
  sgdInputs: 4,
  /** The label noise ζ of SGD run r (index r), from `seed`. */
  labelNoise: 5,
  /** Seeds of sweep points, derived from the sweep's seeds and the point's values (index: their hash). */
  sweepPoint: 6,
  /** The Brownian increments of SDE run r (index r), from `seed` (src/sde/). */
  sdeNoise: 7,
  /** The initial overlaps of run r drawn from their finite-N law (ensemble "init"/"both"), from `init.seed`. */
  initOverlaps: 8,
} as const;

export type StreamPurpose = keyof typeof STREAM;

const MASK64 = (1n << 64n) - 1n;
const GAMMA = 0x9e3779b97f4a7c15n;

/** SplitMix64's output function: a bijection of 64-bit words with full avalanche. */
export function mix64(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** The seed range every stream accepts: the safe integers (the largest range JSON numbers keep exactly). */
export function isValidSeed(seed: number): boolean {
  return Number.isSafeInteger(seed);
}

/**
 * The xoshiro128** state (four 32-bit words, as signed int32) of stream (seed, purpose, index).
 * Throws a plain Error (an engine bug: configs validate their seeds) for a seed that is not a
 * safe integer, an index outside [0, 2⁵³) or an unknown purpose.
 */
export function streamState(seed: number, purpose: StreamPurpose, index = 0): [number, number, number, number] {
  if (!isValidSeed(seed)) throw new Error(`seed must be an integer in ±(2^53 − 1) (got ${seed})`);
  if (!Number.isSafeInteger(index) || index < 0) throw new Error(`stream index must be an integer in [0, 2^53) (got ${index})`);
  const code = STREAM[purpose];
  if (code === undefined) throw new Error(`unknown stream purpose "${String(purpose)}"`);
  let a = BigInt.asUintN(64, BigInt(seed));
  let b = (BigInt(code) << 53n) | BigInt(index);
  b ^= mix64((a + GAMMA) & MASK64);
  a ^= mix64((b + 2n * GAMMA) & MASK64);
  b ^= mix64((a + 3n * GAMMA) & MASK64);
  a ^= mix64((b + 4n * GAMMA) & MASK64);
  const word = (x: bigint, shift: bigint) => Number(BigInt.asIntN(32, x >> shift));
  const s: [number, number, number, number] = [word(a, 0n), word(a, 32n), word(b, 0n), word(b, 32n)];
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  return s;
}

/**
 * A 53-bit key of a text (two independent 32-bit FNV-1a lanes, each finished with MurMur3's
 * fmix32), to use as a stream index: e.g. a sweep point's swept values. Distinct texts share a
 * key with probability about 2⁻⁵³.
 */
export function textKey(text: string): number {
  let h1 = 0x811c9dc5 | 0, h2 = 0x2545f491 | 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  const fmix = (h: number) => {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  };
  return (fmix(h1) >>> 11) * 2 ** 32 + fmix(h2 ^ text.length);
}

/** Uniform in [0, 2⁵³): a safe non-negative integer made of 53 bits of a state's mix (for derived seeds). */
export function derivedSeed(seed: number, purpose: StreamPurpose, index: number): number {
  const [s0, s1, s2, s3] = streamState(seed, purpose, index);
  // The state words are already fully mixed; fold all four into 53 bits.
  const hi = ((s1 ^ s3) >>> 0) >>> 11, lo = (s0 ^ s2) >>> 0;
  return hi * 2 ** 32 + lo;
}
