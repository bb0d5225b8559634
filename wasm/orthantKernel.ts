/**
 * The 4-variable orthant probability's pair integrals (src/gauss/orthant.ts, orthant4Uncached) in
 * WebAssembly (AssemblyScript, compiled by wasm/build.mjs with SIMD on). Each job is one pair's
 * integrand on one panel [a, a + w] of its variable, by Gauss–Kronrod 7–15. For the pair's
 * parameters (top, ρ, r_kl, a_kk, b_kk, a_ll, b_ll, a_kl, b_kl) the integrand at x ∈ [0, 1] is
 *   P₂(θ),  θ = top·x,  t = sin θ · (1/ρ),  d = 1 − t²ρ²,
 *   n_kk = d − t² (a_kk − t b_kk),  n_ll likewise,  n_kl = t r_kl d − t² (a_kl − t b_kl),
 *   P₂ = ¼ + asin(clamp(n_kl/√(n_kk n_ll))) · (1/(2π)),
 * (n = d·s, the conditional covariances s of orthant.ts times d > 0, which cancels in the
 * correlation: two divisions and two square roots per node, with the arcsine's; the divider is
 * what limits the loop, and dividing by d first cost a third division). A job's
 * variable is x itself (mode 0) or u with x = 1 − u² (mode 1: the integrand times dx/du = 2u,
 * orthant.ts's graded panels near the end x = 1, where a near-singular correlation puts a layer).
 * Two nodes per f64x2 (lane 0: even q, lane 1: odd q; the sum is lane 0 + lane 1), with sin and
 * asin from kernelMath.ts. The JavaScript twin (orthantPairSumsJs in orthant.ts) does the same
 * operations in the same order, so both give the same bits.
 *
 * Memory (f64 index): 0 Kronrod nodes on [0, 1] (15, padded to 16 with weight 0), 16 their
 * weights, 32 the 7-point Gauss weights on them, 48 the jobs (12 each, up to 64: the nine pair
 * parameters, a, w, mode), 816 the results (2 per job: the Kronrod and Gauss sums on the panel,
 * per unit width).
 */
import { asinPairSelect, sinPair, sp } from './kernelMath';

const INV_TWO_PI: f64 = 1 / (2 * Math.PI);
const JOBS: i32 = 48, RESULTS: i32 = 816;

@inline function at(i: i32): f64 { return load<f64>(<usize>i << 3); }
@inline function vat(i: i32): v128 { return v128.load(<usize>i << 3); }

@inline function integrand(x: v128, top: v128, rinv: v128, rho: v128, rkl: v128, akk: v128, bkk: v128, all: v128, bll: v128, akl: v128, bkl: v128): v128 {
  const t = f64x2.mul(sinPair(f64x2.mul(top, x)), rinv);
  const t2 = f64x2.mul(t, t);
  const d = f64x2.sub(sp(1), f64x2.mul(f64x2.mul(t2, rho), rho));
  const nkk = f64x2.sub(d, f64x2.mul(t2, f64x2.sub(akk, f64x2.mul(t, bkk))));
  const nll = f64x2.sub(d, f64x2.mul(t2, f64x2.sub(all, f64x2.mul(t, bll))));
  const nkl = f64x2.sub(f64x2.mul(f64x2.mul(t, rkl), d), f64x2.mul(t2, f64x2.sub(akl, f64x2.mul(t, bkl))));
  const v = f64x2.max(sp(-1), f64x2.min(sp(1), f64x2.div(nkl, f64x2.sqrt(f64x2.mul(nkk, nll)))));
  return f64x2.add(sp(0.25), f64x2.mul(asinPairSelect(v), sp(INV_TWO_PI)));
}

/** The integrand in u with x = 1 − u², times dx/du = 2u (mode 1). */
@inline function graded(u: v128, top: v128, rinv: v128, rho: v128, rkl: v128, akk: v128, bkk: v128, all: v128, bll: v128, akl: v128, bkl: v128): v128 {
  const f = integrand(f64x2.sub(sp(1), f64x2.mul(u, u)), top, rinv, rho, rkl, akk, bkk, all, bll, akl, bkl);
  return f64x2.mul(f, f64x2.add(u, u));
}

/** The integrand at node pair q of the panel: in x, or in u when `inU` (a constant at each call, so each copy has no branch). */
@inline function node(q: i32, inU: bool, a: v128, w: v128, top: v128, rinv: v128, rho: v128, rkl: v128, akk: v128, bkk: v128, all: v128, bll: v128, akl: v128, bkl: v128): v128 {
  const u = f64x2.add(a, f64x2.mul(w, vat(q)));
  return inU ? graded(u, top, rinv, rho, rkl, akk, bkk, all, bll, akl, bkl) : integrand(u, top, rinv, rho, rkl, akk, bkk, all, bll, akl, bkl);
}

/**
 * The Kronrod and Gauss sums of job i (at o) into the results. All eight node pairs of the panel
 * are in flight at once: each is a long dependent chain (sine, arcsine), so the loop is
 * latency-bound (two at a time took 1.4× as long per panel, four 1.1×; a test of the mode inside
 * the node loop, 1.6×).
 */
@inline function job(i: i32, o: i32, inU: bool): void {
  const top = sp(at(o)), rho = sp(at(o + 1)), rinv = sp(1 / at(o + 1)), rkl = sp(at(o + 2)), akk = sp(at(o + 3)), bkk = sp(at(o + 4));
  const all = sp(at(o + 5)), bll = sp(at(o + 6)), akl = sp(at(o + 7)), bkl = sp(at(o + 8));
  const a = sp(at(o + 9)), w = sp(at(o + 10)); // panel [a, a + w] (0 and 1: the whole; a + 1·x = x exactly)
  const f0 = node(0, inU, a, w, top, rinv, rho, rkl, akk, bkk, all, bll, akl, bkl);
  const f1 = node(2, inU, a, w, top, rinv, rho, rkl, akk, bkk, all, bll, akl, bkl);
  const f2 = node(4, inU, a, w, top, rinv, rho, rkl, akk, bkk, all, bll, akl, bkl);
  const f3 = node(6, inU, a, w, top, rinv, rho, rkl, akk, bkk, all, bll, akl, bkl);
  const f4 = node(8, inU, a, w, top, rinv, rho, rkl, akk, bkk, all, bll, akl, bkl);
  const f5 = node(10, inU, a, w, top, rinv, rho, rkl, akk, bkk, all, bll, akl, bkl);
  const f6 = node(12, inU, a, w, top, rinv, rho, rkl, akk, bkk, all, bll, akl, bkl);
  const f7 = node(14, inU, a, w, top, rinv, rho, rkl, akk, bkk, all, bll, akl, bkl);
  // Summed in node order, as the JavaScript twin does (lane 0: even nodes, lane 1: odd).
  let k = sp(0), g = sp(0);
  k = f64x2.add(k, f64x2.mul(vat(16), f0)); g = f64x2.add(g, f64x2.mul(vat(32), f0));
  k = f64x2.add(k, f64x2.mul(vat(18), f1)); g = f64x2.add(g, f64x2.mul(vat(34), f1));
  k = f64x2.add(k, f64x2.mul(vat(20), f2)); g = f64x2.add(g, f64x2.mul(vat(36), f2));
  k = f64x2.add(k, f64x2.mul(vat(22), f3)); g = f64x2.add(g, f64x2.mul(vat(38), f3));
  k = f64x2.add(k, f64x2.mul(vat(24), f4)); g = f64x2.add(g, f64x2.mul(vat(40), f4));
  k = f64x2.add(k, f64x2.mul(vat(26), f5)); g = f64x2.add(g, f64x2.mul(vat(42), f5));
  k = f64x2.add(k, f64x2.mul(vat(28), f6)); g = f64x2.add(g, f64x2.mul(vat(44), f6));
  k = f64x2.add(k, f64x2.mul(vat(30), f7)); g = f64x2.add(g, f64x2.mul(vat(46), f7));
  store<f64>(<usize>(RESULTS + 2 * i) << 3, f64x2.extract_lane(k, 0) + f64x2.extract_lane(k, 1));
  store<f64>(<usize>(RESULTS + 1 + 2 * i) << 3, f64x2.extract_lane(g, 0) + f64x2.extract_lane(g, 1));
}

/** The Kronrod and Gauss sums of `count` jobs (the mode tested once per job). */
export function pairSums(count: i32): void {
  for (let i = 0; i < count; i++) {
    const o = JOBS + 12 * i;
    if (at(o + 11) == 0) job(i, o, false);
    else job(i, o, true);
  }
}
