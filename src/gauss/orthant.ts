/**
 * Orthant probabilities P(z > 0) of zero-mean Gaussian vectors, and the ReLU four-variable
 * expectation built from them. They depend on correlations only.
 *  - 2 variables: 1/4 + arcsin ρ/(2π) (Sheppard).
 *  - 4 variables: no closed form; along the path R(t) = (1 − t) I + t R, Plackett's identity
 *    ∂P/∂ρ_ij = φ₂(0, 0; ρ_ij) · P(other two > 0 | z_i = z_j = 0) turns it into a smooth 1-D
 *    integral from P(I) = 1/16, in six pair terms: Gauss–Kronrod 7–15 where it has converged on
 *    the whole path, else Gauss–Kronrod 7–15 on panels graded towards the end of the path in
 *    u = √(1 − x) (below), each panel bisected until its 7-point error estimate is below 10⁻¹³
 *    per unit width. The nodes run in the WebAssembly SIMD kernel wasm/orthantKernel.ts (two per
 *    instruction, sine and arcsine inline: kernelMath.ts), or in its JavaScript twin
 *    orthantPairSumsJs, which gives the same bits.
 *  - E[H H z⁺ z⁺] (ReLU I4) by integration by parts down to these, with closed forms for the
 *    products of coincident variables.
 *
 * The end of the path. Late in a ReLU committee trajectory several students align with one
 * teacher, so R = R(1) and its 3 × 3 principal minors are nearly singular, and a pair's integrand
 * has branch points just beyond the end of the path. Pair (i, j) with partners k, l integrates
 * P₂ = ¼ + arcsin r/(2π), r = s_kl/√(s_kk s_ll) the correlation of (z_k, z_l) given z_i = z_j = 0
 * on R(t) = (1 − t) I + t R. There 1 − r² = det S/(s_kk s_ll) with det S(t) = det R(t)/(1 − t²ρ²),
 * det R(t) = Π_m (1 − t + t μ_m) (μ_m the eigenvalues of R), and s_kk(t) = det R_ijk(t)/(1 − t²ρ²)
 * (likewise s_ll): each small eigenvalue μ of R, R_ijk or R_ijl puts a zero at t* = 1/(1 − μ) ≈
 * 1 + μ, just beyond t = 1. Near a zero of det R, 1 − |r| ∝ t* − t and arcsin r = ±(π/2 −
 * √(2(1 − |r|)) + O((1 − |r|)^{3/2})): a square-root branch; near a zero of s_kk, arcsin r =
 * atan2(s_kl, √det S) runs into atan's logarithmic branch. In the path variable x = θ/top
 * (θ = arcsin(tρ), smooth at t = 1 for |ρ| < 1) both sit at distance δ ∝ μ beyond x = 1, so f(x) =
 * A(x) + √(δ + 1 − x)·B(x) + log(δ + 1 − x)·C(x) with A, B, C smooth there: a layer of width δ
 * (10⁻³–10⁻⁴ at α = 300 of the p = 8 benchmark), which bisection in x resolved with one accepted
 * panel per halving of δ and as many rejected ones (8–22 panels per pair). Substituting
 * x = 1 − u² (dx = 2u du) turns √(δ + 1 − x) into √(δ + u²) and log(δ + 1 − x) into log(δ + u²):
 * the branch points move to u = ±i√δ, a layer of width √δ instead of δ, half as many halvings,
 * and at δ → 0 the square root becomes u itself (analytic). A geometric mesh towards u = 0 (each
 * panel [h, 2h] as far from ±i√δ as it is wide once h ≳ √δ, where 15 Kronrod nodes converge to
 * ≈ 10⁻¹⁶ of the integrand's size) resolves it. This does not remove the branch points exactly:
 * that would take each δ (the small eigenvalues of R and of two 3 × 3 minors per pair, up to three
 * close together when three students share a teacher), so the mesh stays tested and adaptive.
 * The mesh: x ∈ [0, 0.4375] as it is, u ∈ [0, 0.75] (x ∈ [0.4375, 1]; all exact in binary) on
 * [3/8, 3/4], [3/16, 3/8], … down to a depth chosen from the whole-path error estimate
 * (gradedDepth), then [0, 3/(4·2^depth)]; any panel that fails its test is bisected (refine). At
 * the last state of the p = 8 benchmark (1232 of its 1260 pair terms off the whole-path rule)
 * that is 9067 panels per right-hand side, against 19562 for bisection in x.
 */
import { symmetricEigen } from '../linalg/matrix.js';
import { kernelAsin, kernelSin } from './kernelMath.js';
import { ORTHANT_KERNEL_BASE64 } from './orthantKernelBinary.js';

export function orthant2(rho: number): number {
  return 0.25 + Math.asin(Math.max(-1, Math.min(1, rho))) / (2 * Math.PI);
}

/** Gauss–Legendre nodes and weights on [0, 1] (Golub–Welsch). */
export function legendreRule(n: number): { nodes: Float64Array; weights: Float64Array } {
  const J = new Float64Array(n * n);
  for (let k = 1; k < n; k++) { const b = k / Math.sqrt(4 * k * k - 1); J[(k - 1) * n + k] = b; J[k * n + k - 1] = b; }
  const { values, vectors } = symmetricEigen(J, n);
  return { nodes: values.map((x) => (x + 1) / 2), weights: Float64Array.from({ length: n }, (_, i) => vectors[i] * vectors[i]) };
}

const PAIRS: [number, number, number, number][] = [[0, 1, 2, 3], [0, 2, 1, 3], [0, 3, 1, 2], [1, 2, 0, 3], [1, 3, 0, 2], [2, 3, 0, 1]];

/**
 * P(z₁, z₂, z₃, z₄ > 0) for z ~ N(0, C), C 4×4 positive definite. Each pair's term of Plackett's
 * path integral, ρ_ij/(2π√(1 − t²ρ_ij²)) · P₂(t) dt, is integrated in θ = arcsin(t ρ_ij) ∈
 * [0, arcsin ρ_ij] (dθ = ρ_ij dt/√(1 − t²ρ_ij²)), as Sheppard's formula does for two variables:
 * in t the factor is singular at t = 1 when ρ_ij → 1, and Gauss–Legendre in t lost 3·10⁻⁴ of the
 * ReLU I4 at ρ = 1 − 10⁻⁶ (a student unit aligned with a teacher unit, late in training).
 */
export function orthant4(C: ArrayLike<number>): number {
  const R = scratchR;
  // A correlation matrix already (reluI4 is called on one): C_ij/√(1·1) = C_ij exactly, so copy it.
  if (C[0] === 1 && C[5] === 1 && C[10] === 1 && C[15] === 1) for (let m = 0; m < 16; m++) R[m] = C[m];
  else for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) R[i * 4 + j] = C[i * 4 + j] / Math.sqrt(C[i * 4 + i] * C[j * 4 + j]);
  // P(z > 0) is symmetric in the four variables, and the committee ODE asks for the same set of
  // four units in up to six roles per right-hand side (E[H(λ_k)H(λ_l) λ_u⁺ λ_w⁺] for every split of
  // {k, l, u, w} into a student pair and the rest): remember each by its correlations in a
  // canonical order (the permutation with the lexicographically smallest upper triangle).
  canonicalUpper(R, key);
  const slot = memoFind(key);
  if (memoStamp[slot] === memoGeneration) return memoValue[slot];
  // Integrated in the order asked (as before this table): the rounding of the variables' order
  // changes the value in its last bits only.
  const value = orthant4Uncached(R);
  if (memoCount >= MEMO_SIZE / 2) { memoGeneration++; memoCount = 0; } // start afresh (the slot is now free too)
  memoKeys.set(key, 6 * slot);
  memoValue[slot] = value;
  memoStamp[slot] = memoGeneration;
  memoCount++;
  return value;
}

const scratchR = new Float64Array(16), key = new Float64Array(6), best = new Float64Array(6);
// Open-addressing table keyed by the six canonical correlations (bits hashed; no strings, no
// allocation): a slot is live when its stamp is the current generation.
const MEMO_SIZE = 1 << 14;
const memoKeys = new Float64Array(6 * MEMO_SIZE), memoValue = new Float64Array(MEMO_SIZE), memoStamp = new Uint32Array(MEMO_SIZE);
const keyBits = new Int32Array(key.buffer);
let memoGeneration = 1, memoCount = 0;

/** The slot holding `k`, or the free slot where it goes. */
function memoFind(k: Float64Array): number {
  let h = 0x9e3779b9 | 0;
  for (let m = 0; m < 12; m++) h = Math.imul(h ^ keyBits[m], 0x85ebca6b) ^ (h >>> 13);
  let slot = (h ^ (h >>> 16)) & (MEMO_SIZE - 1);
  for (;;) {
    if (memoStamp[slot] !== memoGeneration) return slot;
    const o = 6 * slot;
    if (memoKeys[o] === k[0] && memoKeys[o + 1] === k[1] && memoKeys[o + 2] === k[2] && memoKeys[o + 3] === k[3] && memoKeys[o + 4] === k[4] && memoKeys[o + 5] === k[5]) return slot;
    slot = (slot + 1) & (MEMO_SIZE - 1);
  }
}

// The 24 orderings of four variables, flat.
const PERMUTATIONS = new Int8Array(96);
{
  let q = 0;
  for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) for (let c = 0; c < 4; c++) for (let d = 0; d < 4; d++) {
    if (new Set([a, b, c, d]).size === 4) PERMUTATIONS.set([a, b, c, d], 4 * q++);
  }
}
const UPPER: [number, number][] = [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]];
const UPPER_I = Int8Array.from(UPPER, ([i]) => i), UPPER_J = Int8Array.from(UPPER, ([, j]) => j);

// For each ordering, the flat indices into R of its upper triangle.
const PERM_UPPER = new Int8Array(24 * 6);
for (let q = 0; q < 24; q++) for (let m = 0; m < 6; m++) PERM_UPPER[q * 6 + m] = PERMUTATIONS[4 * q + UPPER[m][0]] * 4 + PERMUTATIONS[4 * q + UPPER[m][1]];

/**
 * The upper triangle of R under the permutation that makes it lexicographically smallest, into out.
 * Its first entry is the smallest correlation R_ab, so the permutation starts (a, b) or (b, a),
 * and its second entry then picks the third variable: with no ties among the entries compared,
 * two candidates decide it (a fifth of the work of trying all 24); with ties, all 24.
 */
function canonicalUpper(R: Float64Array, out: Float64Array): void {
  let a = 0, b = 1, min = R[1], ties = false;
  for (let m = 1; m < 6; m++) {
    const x = R[UPPER_I[m] * 4 + UPPER_J[m]];
    if (x < min) { min = x; a = UPPER_I[m]; b = UPPER_J[m]; ties = false; } else if (x === min) ties = true;
  }
  if (!ties) {
    // The other two variables, c < d.
    const c = a === 0 ? (b === 1 ? 2 : 1) : 0, d = 6 - a - b - c;
    if (orient(R, a, b, c, d, best) && orient(R, b, a, c, d, scratchUpper)) {
      let m = 0;
      for (; m < 6 && scratchUpper[m] === best[m]; m++);
      if (m === 6 || scratchUpper[m] < best[m]) best.set(scratchUpper);
      out.set(best);
      return;
    }
  }
  for (let m = 0; m < 6; m++) best[m] = R[PERM_UPPER[m]];
  for (let o = 6; o < 144; o += 6) {
    let m = 0;
    for (; m < 6; m++) if (R[PERM_UPPER[o + m]] !== best[m]) break;
    if (m < 6 && R[PERM_UPPER[o + m]] < best[m]) for (; m < 6; m++) best[m] = R[PERM_UPPER[o + m]];
  }
  out.set(best);
}

/** The upper triangle of R in the order (x, y, then the other two by R_x·, smaller first) into out; false on a tie there. */
function orient(R: Float64Array, x: number, y: number, c: number, d: number, out: Float64Array): boolean {
  const rc = R[x * 4 + c], rd = R[x * 4 + d];
  if (rc === rd) return false;
  const u = rc < rd ? c : d, v = rc < rd ? d : c;
  out[0] = R[x * 4 + y]; out[1] = R[x * 4 + u]; out[2] = R[x * 4 + v];
  out[3] = R[y * 4 + u]; out[4] = R[y * 4 + v]; out[5] = R[u * 4 + v];
  return true;
}
const scratchUpper = new Float64Array(6);

function orthant4Uncached(R: Float64Array): number {
  const k = orthantKernel();
  const m = k.memory;
  let count = 0;
  for (const [i, j, kk, l] of PAIRS) {
    const rho = R[i * 4 + j];
    if (rho === 0) continue;
    // The correlation of (z_k, z_l) given z_i = z_j = 0 along R(t) (off-diagonals scaled by t), as
    // the Schur complement of R(t)_{ij,ij} gives it, with its t-independent parts out of the node loop:
    // s_uv(t) = t r_uv [u ≠ v] + [u = v] − t² (a_uv − t b_uv)/(1 − t² r_ij²),
    // a_uv = r_ui r_vi + r_uj r_vj, b_uv = r_ij (r_ui r_vj + r_uj r_vi).
    const rki = R[kk * 4 + i], rkj = R[kk * 4 + j], rli = R[l * 4 + i], rlj = R[l * 4 + j];
    const o = 9 * count;
    tops[count] = pairParams[o] = Math.asin(Math.max(-1, Math.min(1, rho)));
    pairParams[o + 1] = rho;
    pairParams[o + 2] = R[kk * 4 + l];
    pairParams[o + 3] = rki * rki + rkj * rkj;
    pairParams[o + 4] = 2 * rho * rki * rkj;
    pairParams[o + 5] = rli * rli + rlj * rlj;
    pairParams[o + 6] = 2 * rho * rli * rlj;
    pairParams[o + 7] = rki * rli + rkj * rlj;
    pairParams[o + 8] = rho * (rki * rlj + rkj * rli);
    setJob(m, count, count, 0, 1, 0);
    count++;
  }
  // Gauss–Kronrod 7–15 on the whole path first: where the 15-point value agrees with the 7-point
  // one to 1e-11, it is converged (measured on every 4-set along the ReLU p = 8 benchmark
  // trajectory: within 1.5e-16 of 128-point Gauss–Legendre wherever accepted). The other pairs
  // (near-singular, late in a trajectory) go on graded panels (gradedDepth says why), all in
  // one kernel call, and any panel of those that fails its test is bisected (refine).
  k.pairSums(count);
  let jobs = 0;
  for (let q = 0; q < count; q++) {
    const kr = m[RESULTS + 2 * q], g = m[RESULTS + 2 * q + 1];
    if (Math.abs(tops[q] * (kr - g)) <= 2 * Math.PI * 1e-11) { sums[q] = kr; continue; }
    sums[q] = 0;
    panels[q] = 0;
    // The graded mesh (see gradedDepth): x ∈ [0, 0.4375], then u ∈ [0, 0.75] in halvings towards u = 0.
    jobOwner[jobs] = q; setJob(m, jobs++, q, 0, 0.4375, 0);
    let hi = 0.75;
    for (let d = gradedDepth(Math.abs(tops[q] * (kr - g)) * INV_TWO_PI); d > 0; d--) { hi *= 0.5; jobOwner[jobs] = q; setJob(m, jobs++, q, hi, hi, 1); }
    jobOwner[jobs] = q; setJob(m, jobs++, q, 0, hi, 1);
  }
  if (jobs > 0) refine(k, jobs);
  let integral = 0;
  for (let q = 0; q < count; q++) integral += (tops[q] * sums[q]) / (2 * Math.PI);
  return 1 / 16 + integral;
}

/** Job `slot` of the kernel: pair q's parameters on the panel [a, a + w] of its variable (mode 0: x, 1: u with x = 1 − u²). */
function setJob(m: Float64Array, slot: number, q: number, a: number, w: number, mode: number): void {
  const o = JOBS + JOB * slot;
  for (let c = 0; c < 9; c++) m[o + c] = pairParams[9 * q + c];
  m[o + 9] = a; m[o + 10] = w; m[o + 11] = mode;
}

/**
 * Adds the `jobs` panels set up in the kernel (owners in jobOwner) into sums, after evaluating
 * them: a panel is accepted when its 7-point error estimate, w·|K − G|·|top|/(2π), is below
 * PANEL_TOLERANCE = 1e-13 times its width w, else bisected (both halves in one kernel call) until
 * it is, so that each pair's term is good to ≈ 1e-13 absolute (the 15-point value is usually far
 * better; with 1e-11 per unit width one late p = 8 set was 2·10⁻¹³ off).
 */
function refine(k: OrthantKernel, jobs: number): void {
  const m = k.memory;
  k.pairSums(jobs);
  let n = 0;
  for (let r = 0; r < jobs; r++) {
    const o = JOBS + JOB * r, q = jobOwner[r];
    if (accept(m, r, q) || n >= STACK) { sums[q] += m[o + 10] * m[RESULTS + 2 * r]; continue; }
    stackOwner[n] = q; stackA[n] = m[o + 9]; stackW[n] = m[o + 10]; stackMode[n++] = m[o + 11];
  }
  while (n > 0) {
    const q = stackOwner[--n], a = stackA[n], h = 0.5 * stackW[n], mode = stackMode[n];
    setJob(m, 0, q, a, h, mode);
    setJob(m, 1, q, a + h, h, mode);
    k.pairSums(2);
    panels[q] += 2;
    for (let r = 0; r < 2; r++) {
      // A non-finite integrand (a degenerate covariance, e.g. students of zero norm) is passed on as
      // it is, for the ODE to report; bisecting it would never pass the test (2⁴⁰ panels: a hang).
      // MAX_PANELS bounds the work of any other integrand that never converges.
      if (accept(m, r, q) || h < 2 ** -40 || n >= STACK || panels[q] > MAX_PANELS) { sums[q] += h * m[RESULTS + 2 * r]; continue; }
      stackOwner[n] = q; stackA[n] = a + r * h; stackW[n] = h; stackMode[n++] = mode;
    }
  }
}

/** Whether job r (of pair q) passed its test, or has a non-finite integrand (passed on as it is). */
function accept(m: Float64Array, r: number, q: number): boolean {
  const d = m[RESULTS + 2 * r] - m[RESULTS + 2 * r + 1];
  return !Number.isFinite(d) || Math.abs(tops[q]) * INV_TWO_PI * Math.abs(d) <= PANEL_TOLERANCE;
}

/**
 * How many halvings towards u = 0 the graded mesh of a pair starts with (module header: why),
 * from the 7-point error estimate e on the whole path, which grows as the layer thins: on the pairs
 * of 11 states along the ReLU p = 8 benchmark trajectory the depth that needed fewest panels was 1
 * at e ≤ 10⁻⁹, 2 at e ≈ 10⁻⁸, 3 at e ≈ 10⁻⁶, 3–4 at 10⁻⁵, 4–5 beyond. A wrong guess costs panels,
 * never accuracy (every panel is tested).
 */
function gradedDepth(e: number): number {
  return e > 1e-4 ? 5 : e > 1e-5 ? 4 : e > 1e-7 ? 3 : e > 1e-9 ? 2 : 1;
}

const PANEL_TOLERANCE = 1e-13;
const MAX_PANELS = 1 << 14;
const STACK = 256;
const stackA = new Float64Array(STACK), stackW = new Float64Array(STACK), stackMode = new Float64Array(STACK), stackOwner = new Int8Array(STACK);

// Kernel memory layout (orthantKernel.ts): rules at 0–47, jobs of 12 f64 from 48 (up to 64), results from 816.
const JOBS = 48, JOB = 12, RESULTS = 816, MEMORY = 944;
const sums = new Float64Array(6), tops = new Float64Array(6), pairParams = new Float64Array(54), panels = new Int32Array(6), jobOwner = new Int8Array(64);

export interface OrthantKernel {
  /** The kernel's memory (orthantKernel.ts's layout), or the twin's. */
  readonly memory: Float64Array;
  /** Kronrod and Gauss 7 sums (per unit width) of `count` jobs (each: a pair's nine parameters, its panel a, w, and mode) at 48 + 12i, into 816 + 2i. */
  pairSums(count: number): void;
  /** Whether pairSums is the WebAssembly kernel (false: orthantPairSumsJs). */
  readonly wasm: boolean;
}

let kernel: OrthantKernel | undefined;

/** The pair integrals in WebAssembly where the runtime has SIMD, else their JavaScript twin (same bits). */
export function orthantKernel(): OrthantKernel {
  if (kernel) return kernel;
  let memory: Float64Array | null = null, run: ((count: number) => void) | null = null;
  try {
    const module = new WebAssembly.Module(Uint8Array.from(atob(ORTHANT_KERNEL_BASE64), (ch) => ch.charCodeAt(0)));
    const mem = new WebAssembly.Memory({ initial: 1 });
    const exports = new WebAssembly.Instance(module, { env: { memory: mem } }).exports as unknown as { pairSums(count: number): void };
    memory = new Float64Array(mem.buffer, 0, MEMORY);
    run = exports.pairSums;
  } catch {
    memory = null; // no WebAssembly SIMD here: the twin below
  }
  const m = memory ?? new Float64Array(MEMORY);
  fillRules(m);
  const pairSums = run ?? ((count: number) => orthantPairSumsJs(m, count));
  kernel = { memory: m, pairSums, wasm: run !== null };
  return kernel;
}

/** The node tables of orthantKernel.ts's layout: Kronrod 15 (+ a node of weight 0), its weights, the Gauss 7 weights. */
function fillRules(m: Float64Array): void {
  m.set(KRONROD_NODES, 0);
  m[15] = 0.5;
  m.set(KRONROD_WEIGHTS, 16);
  m.set(GAUSS7_WEIGHTS, 32);
}

/** The JavaScript twin of orthantKernel.ts's pairSums on the same layout: lanes of even and odd nodes, then lane 0 + lane 1. */
export function orthantPairSumsJs(m: Float64Array, count: number): void {
  for (let i = 0; i < count; i++) {
    const o = JOBS + JOB * i;
    const rinv = 1 / m[o + 1];
    const f = (x: number) => pairIntegrand(m[o] * x, rinv, m[o + 1], m[o + 2], m[o + 3], m[o + 4], m[o + 5], m[o + 6], m[o + 7], m[o + 8]);
    const node = m[o + 11] === 0 ? f : (u: number) => f(1 - u * u) * (u + u);
    let k0 = 0, k1 = 0, g0 = 0, g1 = 0;
    const a = m[o + 9], w = m[o + 10];
    for (let q = 0; q < 16; q += 2) {
      const f0 = node(a + w * m[q]), f1 = node(a + w * m[q + 1]);
      k0 += m[16 + q] * f0; k1 += m[17 + q] * f1;
      g0 += m[32 + q] * f0; g1 += m[33 + q] * f1;
    }
    m[RESULTS + 2 * i] = k0 + k1;
    m[RESULTS + 2 * i + 1] = g0 + g1;
  }
}

/** P(z_k, z_l > 0 | z_i = z_j = 0) along the path at t = sin θ / ρ_ij, as the kernel computes it. */
function pairIntegrand(theta: number, rinv: number, rho: number, rkl: number, akk: number, bkk: number, all: number, bll: number, akl: number, bkl: number): number {
  const t = kernelSin(theta) * rinv;
  const t2 = t * t;
  // The conditional covariances times d = 1 − t²ρ² > 0 (d cancels in the correlation).
  const d = 1 - t2 * rho * rho;
  const nkk = d - t2 * (akk - t * bkk), nll = d - t2 * (all - t * bll);
  const nkl = t * rkl * d - t2 * (akl - t * bkl);
  return 0.25 + kernelAsin(Math.max(-1, Math.min(1, nkl / Math.sqrt(nkk * nll)))) * INV_TWO_PI;
}

const INV_TWO_PI = 1 / (2 * Math.PI);

// Gauss–Kronrod 7–15 on [0, 1]: the 15 Kronrod nodes (Kronrod 1965; the values tabulated in
// QUADPACK, Piessens et al. 1983) with their weights, and the weights of the 7-point Gauss rule on
// its nodes (every second Kronrod node; 0 elsewhere). Exactness of both is tested.
const XK = [0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926,
  0.741531185599394439863864773280788, 0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
  0.207784955007898467600689403773245, 0];
const WK = [0.022935322010529224963732008058970, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518,
  0.140653259715525918745189590510238, 0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
  0.204432940075298892414161999234649, 0.209482141084727828012999174891714];
const WG = [0, 0.129484966168869693270611432679082, 0, 0.279705391489276667901467771423780, 0, 0.381830050505118944950369775488975, 0,
  0.417959183673469387755102040816327];
export const KRONROD_NODES = new Float64Array(15), KRONROD_WEIGHTS = new Float64Array(15), GAUSS7_WEIGHTS = new Float64Array(15);
for (let m = 0; m < 15; m++) {
  const i = m < 8 ? m : 14 - m, x = m < 8 ? -XK[i] : XK[i]; // ascending on [−1, 1]
  KRONROD_NODES[m] = (1 + x) / 2;
  KRONROD_WEIGHTS[m] = WK[i] / 2;
  GAUSS7_WEIGHTS[m] = WG[i] / 2;
}

/** Density of N(0, v) at 0. */
const phi0 = (v: number) => 1 / Math.sqrt(2 * Math.PI * v);

/** P(z > 0) for k ≤ 4 zero-mean variables with covariance C (side k). */
export function orthant(C: ArrayLike<number>, k: number): number {
  const r = (i: number, j: number) => C[i * k + j] / Math.sqrt(C[i * k + i] * C[j * k + j]);
  if (k === 0) return 1;
  if (k === 1) return 0.5;
  if (k === 2) return orthant2(r(0, 1));
  if (k === 3) return 0.125 + (Math.asin(r(0, 1)) + Math.asin(r(0, 2)) + Math.asin(r(1, 2))) / (4 * Math.PI);
  return orthant4(C);
}

/**
 * Factors of a product of functions of zero-mean Gaussian variables: H(z) (Heaviside), R(z) = z⁺,
 * R2(z) = (z⁺)², D(z) = δ(z).
 */
export type Factor = 'H' | 'R' | 'R2' | 'D';

/**
 * E[Π_i f_i(z_i)] for z ~ N(0, C) (side k ≤ 4, positive definite), f_i ∈ {H, R, R2, D}, by
 * Gaussian integration by parts (E[z_j Φ] = Σ_m C_jm E[∂_m Φ]) and conditioning on z = 0 for
 * each δ, down to orthant probabilities. Exact up to the 1-D quadrature inside `orthant4`.
 */
export function expectProduct(C: Float64Array, k: number, f: readonly Factor[]): number {
  const d = f.indexOf('D');
  if (d >= 0) return phi0(C[d * k + d]) * expectProduct(...condition(C, k, d), f.filter((_, i) => i !== d));
  let j = f.indexOf('R2');
  if (j < 0) j = f.indexOf('R');
  if (j < 0) return orthant(C, k);
  // f_j = z_j · g_j(z_j) with g = H for R, g = R for R2; then ∂_j g_j = δ (R) or H (R2).
  const g: Factor = f[j] === 'R' ? 'H' : 'R';
  const dg: Factor = f[j] === 'R' ? 'D' : 'H';
  let total = C[j * k + j] * expectProduct(C, k, f.map((x, i) => (i === j ? dg : x)));
  for (let m = 0; m < k; m++) {
    if (m === j || C[j * k + m] === 0) continue;
    const { factor, scale } = derivative(f[m]);
    if (scale === 0) continue;
    total += C[j * k + m] * scale * expectProduct(C, k, f.map((x, i) => (i === j ? g : i === m ? factor : x)));
  }
  return total;
}

function derivative(f: Factor): { factor: Factor; scale: number } {
  if (f === 'H') return { factor: 'D', scale: 1 };
  if (f === 'R') return { factor: 'H', scale: 1 };
  if (f === 'R2') return { factor: 'R', scale: 2 };
  return { factor: 'D', scale: 0 }; // δ' never arises: δ factors are conditioned out first
}

/** Covariance of the other variables given z_d = 0. */
function condition(C: Float64Array, k: number, d: number): [Float64Array, number] {
  const idx = Array.from({ length: k }, (_, i) => i).filter((i) => i !== d);
  const out = new Float64Array((k - 1) * (k - 1));
  idx.forEach((a, r) => idx.forEach((b, s) => { out[r * (k - 1) + s] = C[a * k + b] - (C[a * k + d] * C[b * k + d]) / C[d * k + d]; }));
  return [out, k - 1];
}

/**
 * E[H(a) H(b) c⁺ d⁺] for (a, b, c, d) ~ N(0, C). Identical variables (the ODE asks for
 * E[H(λ_k)² …] and E[… (λ_u⁺)²] among others, whose 4×4 covariance is singular) are merged
 * first: H·H = H, H·R = R, R·R = R2; the distinct ones have a positive-definite covariance.
 */
export function reluI4(C: ArrayLike<number>): number {
  const fast = reluI4Distinct(C);
  if (fast !== null) return fast;
  const merged = reluI4Merged(C);
  if (merged !== null) return merged;
  const kinds: Factor[] = ['H', 'H', 'R', 'R'];
  const groups: number[] = [];
  const factors: Factor[] = [];
  const rep: number[] = []; // representative slot of each group
  for (let i = 0; i < 4; i++) {
    let g = -1;
    for (let q = 0; q < rep.length; q++) {
      const r = rep[q];
      if (C[i * 4 + i] === C[r * 4 + r] && C[i * 4 + r] === C[i * 4 + i] && [0, 1, 2, 3].every((m) => C[i * 4 + m] === C[r * 4 + m])) { g = q; break; }
    }
    if (g < 0) { rep.push(i); factors.push(kinds[i]); groups.push(rep.length - 1); continue; }
    groups.push(g);
    factors[g] = merge(factors[g], kinds[i]);
  }
  const k = rep.length;
  const S = new Float64Array(k * k);
  rep.forEach((a, r) => rep.forEach((b, s) => { S[r * k + s] = C[a * 4 + b]; }));
  return expectProduct(S, k, factors);
}

function merge(a: Factor, b: Factor): Factor {
  if (a === 'H') return b;
  if (b === 'H') return a;
  if (a === 'R' && b === 'R') return 'R2';
  throw new Error(`cannot merge ${a} and ${b}`);
}

/** Conditional covariance of the variables `keep` (3 of 4) given z_x = 0, into `out` (3 × 3). */
function conditionOn(C: ArrayLike<number>, x: number, keep: readonly number[], out: Float64Array): void {
  const cxx = C[x * 4 + x];
  for (let r = 0; r < 3; r++) for (let s = 0; s < 3; s++) {
    const i = keep[r], j = keep[s];
    out[r * 3 + s] = C[i * 4 + j] - (C[i * 4 + x] * C[j * 4 + x]) / cxx;
  }
}

/**
 * E[H(z₀) H(z₁) z₂⁺] for a 3 × 3 covariance S, by integration by parts in z₂ (as expectProduct):
 * Σ_y S_2y φ(0; S_yy) P(the other two > 0 | z_y = 0). null where a conditional variance is not positive.
 */
function hhr(S: Float64Array): number | null {
  let total = 0;
  for (let y = 0; y < 3; y++) {
    const syy = S[y * 3 + y];
    if (!(syy > 0)) return null;
    const i = y === 0 ? 1 : 0, j = y === 2 ? 1 : 2;
    const tii = S[i * 3 + i] - (S[i * 3 + y] * S[i * 3 + y]) / syy, tjj = S[j * 3 + j] - (S[j * 3 + y] * S[j * 3 + y]) / syy;
    if (!(tii > 0 && tjj > 0)) return null;
    const tij = S[i * 3 + j] - (S[i * 3 + y] * S[j * 3 + y]) / syy;
    total += S[2 * 3 + y] * phi0(syy) * orthant2(tij / Math.sqrt(tii * tjj));
  }
  return total;
}

const scratch3 = new Float64Array(9);
const KEEP: readonly (readonly number[])[] = [[1, 2, 3], [0, 2, 3], [0, 1, 3]];

/**
 * E[H(a) H(b) c⁺ d⁺] for four distinct variables, written out (the same integration by parts as
 * expectProduct, without its recursion and allocation; the ReLU committee ODE spends its time here):
 *   C_ca φ(C_aa) E[H_b H_c d⁺ | a = 0] + C_cb φ(C_bb) E[H_a H_c d⁺ | b = 0]
 *   + C_cc φ(C_cc) E[H_a H_b d⁺ | c = 0] + C_cd P(a, b, c, d > 0).
 * null when two variables coincide or a conditional variance is not positive (expectProduct then).
 */
function reluI4Distinct(C: ArrayLike<number>): number | null {
  for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) {
    if (C[i * 4 + j] * C[i * 4 + j] >= C[i * 4 + i] * C[j * 4 + j]) return null; // |ρ| = 1: coincident (or degenerate)
  }
  let total = 0;
  for (let x = 0; x < 3; x++) {
    const cx = C[2 * 4 + x];
    if (cx === 0) continue;
    conditionOn(C, x, KEEP[x], scratch3);
    const e = hhr(scratch3);
    if (e === null) return null;
    total += cx * phi0(C[x * 4 + x]) * e;
  }
  const ccd = C[2 * 4 + 3];
  return ccd === 0 ? total : total + ccd * orthant4(C);
}

const SQRT_2PI = Math.sqrt(2 * Math.PI);
const group = new Int8Array(4), rep = new Int8Array(4), kind = new Int8Array(4), S3 = new Float64Array(9);
const H = 0, R = 1, R2 = 2; // factor of a merged group: H·H = H, H·R = R, R·R = R2

/**
 * reluI4 when variables coincide (identical rows of C, as reluI4 merges them), in closed form
 * without recursion or allocation: the merged products are one of E[(a⁺)²], E[a⁺b⁺],
 * E[H(a)(b⁺)²], E[H(a) b⁺ c⁺], E[H(a)H(b)(c⁺)²] (helpers below, the same integration by parts
 * as expectProduct). null when a conditional variance is not positive (expectProduct then).
 */
function reluI4Merged(C: ArrayLike<number>): number | null {
  let k = 0;
  for (let i = 0; i < 4; i++) {
    let g = -1;
    for (let q = 0; q < k && g < 0; q++) {
      const r = rep[q];
      if (C[i * 4 + i] === C[r * 4 + r] && C[i * 4 + r] === C[i * 4 + i] && C[i * 4] === C[r * 4] && C[i * 4 + 1] === C[r * 4 + 1] && C[i * 4 + 2] === C[r * 4 + 2] && C[i * 4 + 3] === C[r * 4 + 3]) g = q;
    }
    const f = i < 2 ? H : R;
    if (g < 0) { rep[k] = i; kind[k] = f; group[i] = k++; continue; }
    group[i] = g;
    kind[g] = kind[g] === H ? f : f === H ? kind[g] : R2;
  }
  // C between the representatives of groups x and y: C[rep[x] * 4 + rep[y]] (written out: a closure over C here was allocated per call).
  if (k === 1) return kind[0] === R2 ? 0.5 * C[rep[0] * 5] : null;
  if (k === 2) {
    const r0 = rep[0], r1 = rep[1];
    if (kind[0] === R && kind[1] === R) return eRR(C[r0 * 5], C[r0 * 4 + r1], C[r1 * 5]);
    const a = kind[0] === H ? 0 : 1, b = 1 - a; // E[H(a)(b⁺)²]
    if (kind[a] !== H || kind[b] !== R2) return null;
    const ra = rep[a], rb = rep[b];
    return eHR2(C[ra * 5], C[ra * 4 + rb], C[rb * 5]);
  }
  if (k !== 3) return null;
  let nH = 0, nR2 = 0;
  for (let q = 0; q < 3; q++) { if (kind[q] === H) nH++; if (kind[q] === R2) nR2++; }
  // Order the three as (H, …, R or R2 last) into S3.
  const order = nH === 1 ? orderHRR : orderHHR2;
  if (!((nH === 1 && nR2 === 0) || (nH === 2 && nR2 === 1))) return null;
  order(kind);
  for (let x = 0; x < 3; x++) for (let y = 0; y < 3; y++) S3[x * 3 + y] = C[rep[perm3[x]] * 4 + rep[perm3[y]]];
  return nH === 1 ? eHRR(S3) : eHHR2(S3);
}

const perm3 = new Int8Array(3);
function orderHRR(kinds: Int8Array): void {
  const h = kinds[0] === H ? 0 : kinds[1] === H ? 1 : 2;
  perm3[0] = h; perm3[1] = h === 0 ? 1 : 0; perm3[2] = h === 2 ? 1 : 2;
}
function orderHHR2(kinds: Int8Array): void {
  const r = kinds[0] === R2 ? 0 : kinds[1] === R2 ? 1 : 2;
  perm3[0] = r === 0 ? 1 : 0; perm3[1] = r === 2 ? 1 : 2; perm3[2] = r;
}

/** E[H(x) y⁺] for a zero-mean pair: (√T_yy + T_xy/√T_xx)/(2√(2π)) (IBP in y; P(· > 0 | · = 0) = ½). */
function eHR(txx: number, txy: number, tyy: number): number | null {
  if (!(txx > 0 && tyy > 0)) return null;
  return (Math.sqrt(tyy) + txy / Math.sqrt(txx)) / (2 * SQRT_2PI);
}

/** E[a⁺ b⁺] = S_aa φ(0; S_aa) E[b⁺ | a = 0] + S_ab P(a, b > 0) (the arc-cosine kernel). */
function eRR(saa: number, sab: number, sbb: number): number | null {
  const t = sbb - (sab * sab) / saa;
  if (!(saa > 0 && t >= 0)) return null;
  return saa * phi0(saa) * (Math.sqrt(t) / SQRT_2PI) + sab * orthant2(sab / Math.sqrt(saa * sbb));
}

/** E[H(a)(b⁺)²] = S_bb P(a, b > 0) + S_ab φ(0; S_aa) E[b⁺ | a = 0]. */
function eHR2(saa: number, sab: number, sbb: number): number | null {
  const t = sbb - (sab * sab) / saa;
  if (!(saa > 0 && t >= 0)) return null;
  return sbb * orthant2(sab / Math.sqrt(saa * sbb)) + sab * phi0(saa) * (Math.sqrt(t) / SQRT_2PI);
}

/** P(z₀, z₁, z₂ > 0) = 1/8 + (arcsin ρ₀₁ + arcsin ρ₀₂ + arcsin ρ₁₂)/(4π). */
function orthant3(S: Float64Array): number {
  const r01 = S[1] / Math.sqrt(S[0] * S[4]), r02 = S[2] / Math.sqrt(S[0] * S[8]), r12 = S[5] / Math.sqrt(S[4] * S[8]);
  return 0.125 + (Math.asin(r01) + Math.asin(r02) + Math.asin(r12)) / (4 * Math.PI);
}

/** E[H(z_i) z_j⁺ | z_y = 0] · φ(0; S_yy) for the 3 × 3 covariance S (i, j, y distinct). */
function deltaHR(S: Float64Array, y: number, i: number, j: number): number | null {
  const syy = S[y * 3 + y];
  if (!(syy > 0)) return null;
  const e = eHR(S[i * 3 + i] - (S[i * 3 + y] * S[i * 3 + y]) / syy, S[i * 3 + j] - (S[i * 3 + y] * S[j * 3 + y]) / syy, S[j * 3 + j] - (S[j * 3 + y] * S[j * 3 + y]) / syy);
  return e === null ? null : phi0(syy) * e;
}

/** E[H(z₀) z₁⁺ z₂⁺] = S₁₁ E[δ(z₁)H(z₀)z₂⁺] + S₁₀ E[δ(z₀)H(z₁)z₂⁺] + S₁₂ P(z₀, z₁, z₂ > 0) (IBP in z₁). */
function eHRR(S: Float64Array): number | null {
  const d1 = deltaHR(S, 1, 0, 2), d0 = deltaHR(S, 0, 1, 2);
  if (d1 === null || d0 === null) return null;
  return S[4] * d1 + S[1] * d0 + S[5] * orthant3(S);
}

/** E[H(z₀)H(z₁)(z₂⁺)²] = S₂₂ P(z₀, z₁, z₂ > 0) + S₂₀ E[δ(z₀)H(z₁)z₂⁺] + S₂₁ E[δ(z₁)H(z₀)z₂⁺] (IBP in z₂). */
function eHHR2(S: Float64Array): number | null {
  const d0 = deltaHR(S, 0, 1, 2), d1 = deltaHR(S, 1, 0, 2);
  if (d0 === null || d1 === null) return null;
  return S[8] * orthant3(S) + S[6] * d0 + S[7] * d1;
}
