/**
 * Predictions of the quadratic network's theory (σ = z², mean readouts, second layer fixed), to
 * be read beside the measurements of `analyzeSetup`. Everything here follows from the overlap
 * ODEs of the reference (P constant, T = tr P/p*, τ = tr Q/p − T, ε₀ = the loss at W = 0):
 *
 *   dM/dα = −(2η/p)[τM + 2(QM/p − MP/p*)],
 *   dQ/dα = −(4η/p)[τQ + 2(Q²/p − MMᵀ/p*)] + (4η²/p²) E[e²λλᵀ].
 *
 * 1. Norm growth (leaving W ≈ 0). With Q = qI and M = 0 the flow stays isotropic and, λ and ν being
 *    independent, the sixth moment reduces to (Wick, λ_i i.i.d. N(0, q)):
 *      F(q) = E[e²λ_k²] = q³(p+2)(p+4)/p² − 2T q²(p+2)/p + (Y₂ + Δ) q,  Y₂ = E[y²] = T² + 2 tr P²/p*²,
 *      dq/dα = (4η/p)(T − q(p+2)/p) q + (4η²/p²) F(q).
 *    At q → 0 this is dq/dα = g_Q q with g_Q = (4η/p) T + (8η²/p²) ε₀  (normGrowthRate, the
 *    growth rate of tr Q; ‖W‖ grows at half of it). The SGD-noise term is the random walk of W.
 * 2. The saddle. The isotropic flow stops where its right-hand side vanishes: the smaller root
 *    q_s of (η/p)(p+2)(p+4)/p²·q² − [(p+2)/p + 2ηT(p+2)/p²]·q + T + (η/p)(Y₂ + Δ) = 0 (η → 0:
 *    q_s = pT/(p+2), the gradient-flow saddle of hessian.ts). No real root: SGD at this η has no
 *    saddle (it runs away). sgdSaddle reports q_s and its loss.
 * 3. Alignment growth. M carries no η² term, and with Q = qI, dM/dα = M·[(2η/p)(T − q(p+2)/p) I
 *    + 4ηP/(p p*)]: along the top eigenvector of P (eigenvalue λ₁), ‖M‖ grows at
 *      g_M(q) = (2η/p)(T − q(p+2)/p) + 4ηλ₁/(p p*),
 *    g_M(0) while the norm is learned, and at the saddle (using the fixed-point equation)
 *      g_s = 4ηλ₁/(p p*) − 2η² F(q_s)/(p² q_s)   (alignmentRate; 4ηλ₁/(p p*) in gradient flow).
 * 4. Escape time, linearised stage by stage from the initial overlaps (q₀ = tr Q₀/p, M₀). At W ≈ 0
 *    q grows at g_Q and ‖M‖ at g₀ = g_M(0) (its top P-direction: M₀ e^{(2η/p)Tα} e^{4ηPα/(pp*)},
 *    m̃₀ = its norm extrapolated back to α = 0); the norm stage lasts α₁ = ln(q_s/q₀)/g_Q. Two routes:
 *    - direct: ‖M‖² (relative to q it starts at ~p*·1/N at random init) outgrows q and M reaches its escape
 *      amplitude m_d while the norm is still being learned: α_esc = ln(m_d/m̃₀)/g₀;
 *    - via the saddle: the norm settles first, then ‖M‖ grows at g_s. Along the isotropic flow
 *      (item 1), g_M(q) = ½ d ln q/dα − 2η²F/(p²q) + 4ηλ₁/(pp*), so past the norm stage exactly
 *        ln‖M(α)‖ = ln m̃₀ + ½ ln(q_s/q₀) + g_s α + (2η²/p²) ∫₀^∞ (F_s/q_s − F/q) dα,
 *      the integral a 1-D quadrature over q (normStageNoiseIntegral); α_esc is where this reaches
 *      the saddle's escape amplitude m_s.
 *    An escape amplitude is a property of the point left: the loss crosses the level at the same
 *    extrapolated ‖M‖ whatever the start, so it is read once from the ODE run from Q⊥ = 0 (m_d) or
 *    Q⊥ = q_s I (m_s) with M = δ·(direction of the grown M), δ = 10⁻⁶√q_s: m = δ e^{g α_c}, α_c the
 *    crossing time of that run, g its linear rate. When the direct estimate is below α₁ it is the
 *    prediction; past α₁ both are lower bounds of their own kind (the direct one lets M grow at
 *    its fastest rate all along, the saddle one lets the norm settle although M kept growing) and
 *    the later one is taken. Neglected: the anisotropy of Q₀ (relative O(√(p/N)) at random init),
 *    the crossover where q is neither ≈ 0 nor ≈ q_s while M already matters (the largest errors,
 *    a few %), and for P not ∝ I the slower eigen-directions of P.
 * 5. Tail. p = p*: the solution is isolated up to rotations, and the loss decays exponentially at
 *    the slowest rate of the ODE linearised at the solution in (Q⊥, M) (numerical Jacobian of the
 *    exact right-hand side, η² term included; rotation zero modes dropped): a Q⊥ mode decays the
 *    loss at its own rate (ε is linear in Q⊥ there), an M mode at twice its rate (ε is quadratic in
 *    δM). p > p*: the r = p − p* student directions outside the teacher's range are flat at second
 *    order. Minimising ε over the fast aligned part at fixed Q⊥ = sΠ_r (D = RᵀR/p − I/p* = −x I,
 *    x = (r s/p)/(p*+2)) gives ε = (s²/p²)(r + r²/(p*+2)) and τ = 2rs/(p(p*+2)), so W⊥ obeys
 *    ds/dα = −(8η/p²)(1 + r/(p*+2)) s²: s ≈ 1/(κα), and
 *      ε ≈ A α⁻², A = p² r / (64 η² (1 + r/(p*+2)))  (independent of P; the η² term is O(s³)).
 *    The law holds for α ≫ the escape: at finite α, s = 1/(κ(α − α₀)) with an offset α₀ of the
 *    order of the escape time, which steepens a log–log fit over a short window. It is derived for
 *    gradient flow. The SGD-noise term pumps W⊥ along the aligned units at a rate ∝ ε, which they
 *    shed at an O(1) rate: this raises the prefactor (measured ×1.52 on the default setup, η = 0.5,
 *    ×1.07 at η = 0.1) and can change the law (p = 3, p* = 1, η = 0.5: ε ∝ α⁻¹); not derived.
 */
import { symmetricEigen, generalEigenvalues, trace, matmul } from '../linalg/matrix.js';
import type { Overlaps } from '../model/overlaps.js';
import { quadraticPerpForm } from '../ode/quadratic.js';
import { integrate } from '../ode/dopri5.js';
import type { DynamicsParams } from '../ode/equations.js';

/**
 * The setup the theory needs: the dynamics' parameters without weight decay (not derived).
 * sgdNoise = false is gradient flow: every η² term below is dropped.
 */
export type TheorySetup = Pick<DynamicsParams, 'p' | 'pStar' | 'eta' | 'noise' | 'P' | 'sgdNoise'>;

/** The η of the η² SGD-noise terms: η, or 0 in gradient flow. */
const noiseEta = (s: TheorySetup) => (s.sgdNoise === false ? 0 : s.eta);

export type TailTheory =
  | { readonly law: 'exponential'; readonly rate: number }
  /** `limit`: the power law is derived for gradient flow (η → 0); the SGD-noise term changes it (README). */
  | { readonly law: 'power'; readonly exponent: number; readonly prefactor: number; readonly limit: 'gradient flow' };

/** Loss at W = 0: ½(T² + 2 tr P²/p*²) + Δ/2. */
export function lossAtZero(s: TheorySetup): number {
  const T = trace(s.P, s.pStar) / s.pStar;
  let p2 = 0;
  for (const v of s.P) p2 += v * v;
  return 0.5 * (T * T + (2 * p2) / (s.pStar * s.pStar)) + s.noise / 2;
}

/** F(q) = E[e²λ_k²] at Q = qI, M = 0 (module header, item 1). */
export function isotropicSixthMoment(s: TheorySetup, q: number): number {
  const { p } = s;
  const T = trace(s.P, s.pStar) / s.pStar;
  const y2 = 2 * lossAtZero(s);
  return (q * q * q * (p + 2) * (p + 4)) / (p * p) - (2 * T * q * q * (p + 2)) / p + y2 * q;
}

/** Growth rate of tr Q per unit α at W ≈ 0, SGD noise included: (4η/p)T + (8η²/p²)ε₀. */
export function normGrowthRate(s: TheorySetup): number {
  const T = trace(s.P, s.pStar) / s.pStar;
  return (4 * s.eta * T) / s.p + (8 * s.eta * noiseEta(s) * lossAtZero(s)) / (s.p * s.p);
}

/** The symmetric saddle of SGD at this η (module header, item 2): Q = qI, M = 0; null when none exists. */
export function sgdSaddle(s: TheorySetup): { q: number; loss: number } | null {
  const { p } = s;
  const eta = noiseEta(s); // every η below multiplies an SGD-noise term (η = 0: q_s = pT/(p + 2))
  const T = trace(s.P, s.pStar) / s.pStar;
  const a = ((eta / p) * (p + 2) * (p + 4)) / (p * p);
  const b = (p + 2) / p + (2 * eta * T * (p + 2)) / (p * p);
  const c = T + (eta / p) * 2 * lossAtZero(s);
  const disc = b * b - 4 * a * c;
  if (!(disc >= 0)) return null;
  // Smaller root, written without cancellation: 2c/(b + √disc).
  const q = (2 * c) / (b + Math.sqrt(disc));
  const tau = q - T;
  // ε at Q = qI, M = 0: ½[τ² + 2(q²/p + tr P²/p*²)] + Δ/2.
  let p2 = 0;
  for (const v of s.P) p2 += v * v;
  return { q, loss: 0.5 * (tau * tau + 2 * ((q * q) / p + p2 / (s.pStar * s.pStar))) + s.noise / 2 };
}

function largestEigenvalueOfP(s: TheorySetup): number {
  const v = symmetricEigen(s.P, s.pStar).values;
  return v[s.pStar - 1];
}

/** Growth rate of ‖M‖ per unit α at the SGD saddle (module header, item 3); null without a saddle. */
export function alignmentRate(s: TheorySetup): number | null {
  const sad = sgdSaddle(s);
  if (!sad) return null;
  const { p, pStar, eta } = s;
  return (4 * eta * largestEigenvalueOfP(s)) / (p * pStar) - (2 * eta * noiseEta(s) * isotropicSixthMoment(s, sad.q)) / (p * p * sad.q);
}

export interface EscapePrediction {
  /** Predicted α at which the loss first falls below `level`. */
  readonly alpha: number;
  /** Duration of the norm-growth stage, α₁ = ln(q_s/q₀)/g_Q. */
  readonly normStageAlpha: number;
  /** ‖M‖ at the end of the norm stage, and the extrapolated ‖M‖ at which the loss crosses the level. */
  readonly alignmentAtSaddle: number;
  readonly escapeAmplitude: number;
  /** 'direct': M grew to its escape amplitude before the norm was learned; 'saddle': the norm first, then the escape from the saddle. */
  readonly route: 'direct' | 'saddle';
  /** The loss level whose crossing is predicted. */
  readonly level: number;
}

/**
 * α_esc from the initial overlaps (module header, item 4): the α at which the loss falls below
 * `level` (the escape level of analyzeLossCurve: half its reference loss). null when there is no
 * SGD saddle, the saddle's loss is already below `level`, M₀ = 0 or the saddle is not unstable.
 */
export function predictEscape(s: TheorySetup, initial: Overlaps, level: number): EscapePrediction | null {
  const { p, pStar, eta, P } = s;
  const sad = sgdSaddle(s);
  const gs = alignmentRate(s);
  const perp = quadraticPerpForm({ p, pStar, eta, noise: s.noise, P, sgdNoise: s.sgdNoise });
  if (!sad || gs === null || !(gs > 0) || !perp || !(sad.loss > level)) return null;
  const q0 = trace(initial.Q, p) / p;
  const gQ = normGrowthRate(s);
  const T = trace(P, pStar) / pStar;
  const alpha1 = Math.max(0, Math.log(sad.q / q0) / gQ);
  const lambda1 = largestEigenvalueOfP(s);
  const gM0 = (2 * eta * T) / p + (4 * eta * lambda1) / (p * pStar);
  // M(α) = M₀ e^{(2η/p)Tα} e^{4ηPα/(pp*)} while the norm is learned (the right factor through P's eigen-decomposition).
  const grown = (alpha: number) => {
    const { values, vectors } = symmetricEigen(P, pStar);
    const E = new Float64Array(pStar * pStar);
    for (let i = 0; i < pStar; i++) for (let j = 0; j < pStar; j++) {
      let sum = 0;
      for (let k = 0; k < pStar; k++) sum += vectors[i * pStar + k] * vectors[j * pStar + k] * Math.exp((4 * eta * values[k] * alpha) / (p * pStar));
      E[i * pStar + j] = sum;
    }
    return matmul(initial.M, E, p, pStar, pStar).map((m) => m * Math.exp((2 * eta * T * alpha) / p));
  };
  const M1 = grown(alpha1);
  const m1 = Math.hypot(...M1);
  if (!(m1 > 0)) return null;
  const delta = 1e-6 * Math.sqrt(sad.q);
  // Route 1, direct: M reaches its escape amplitude while Q⊥ is still ≈ 0 (read off the run from Q⊥ = 0).
  const lnM0 = Math.log(m1) - gM0 * alpha1; // ln m̃₀: the top P-direction's growth extrapolated back
  const direct = escapeAmplitude(perp, 0, M1, m1, delta, level, gM0, p, pStar);
  if (direct === null) return null;
  const directAlpha = (Math.log(direct) - lnM0) / gM0;
  if (directAlpha <= alpha1) return { alpha: directAlpha, route: 'direct', normStageAlpha: alpha1, alignmentAtSaddle: m1, escapeAmplitude: direct, level };
  // Route 2, via the saddle: the norm is learned first, then M grows at g_s from ‖M(α₁)‖.
  const viaSaddle = escapeAmplitude(perp, sad.q, M1, m1, delta, level, gs, p, pStar);
  if (viaSaddle === null) return null;
  // ln‖M(α)‖ → ln‖M₀‖ + ½ ln(q_s/q₀) + g_s α + (2η²/p²) I for α past the norm stage (header, item 4).
  const lnM = lnM0 + 0.5 * Math.log(sad.q / q0) + ((2 * eta * noiseEta(s)) / (p * p)) * normStageNoiseIntegral(s, q0, sad.q);
  const saddleAlpha = (Math.log(viaSaddle) - lnM) / gs;
  // Past α₁ both are lower bounds of their own kind (header, item 4): the later one is the prediction.
  return saddleAlpha >= directAlpha
    ? { alpha: saddleAlpha, route: 'saddle', normStageAlpha: alpha1, alignmentAtSaddle: m1, escapeAmplitude: viaSaddle, level }
    : { alpha: directAlpha, route: 'direct', normStageAlpha: alpha1, alignmentAtSaddle: m1, escapeAmplitude: direct, level };
}

/**
 * I = ∫₀^∞ (F(q_s)/q_s − F(q)/q) dα along the isotropic norm flow dq/dα = f(q) from q₀ to q_s,
 * as ∫ (F_s/q_s − F/q) q/f(q) d ln q (midpoint rule in ln q; the integrand is finite at q_s,
 * where numerator and f vanish together).
 */
export function normStageNoiseIntegral(s: TheorySetup, q0: number, qs: number): number {
  const { p, eta } = s;
  const T = trace(s.P, s.pStar) / s.pStar;
  const f = (q: number) => ((4 * eta) / p) * (T - (q * (p + 2)) / p) * q + ((4 * eta * noiseEta(s)) / (p * p)) * isotropicSixthMoment(s, q);
  const Fs = isotropicSixthMoment(s, qs) / qs;
  const n = 4000, a = Math.log(q0), b = Math.log(qs);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const q = Math.exp(a + ((b - a) * (i + 0.5)) / n);
    sum += ((Fs - isotropicSixthMoment(s, q) / q) * q) / f(q);
  }
  return (sum * (b - a)) / n;
}

/** Escape amplitude: δ e^{g α_c}, α_c the crossing time of the ODE run from Q⊥ = qI, M = δ·M̂. */
function escapeAmplitude(perp: NonNullable<ReturnType<typeof quadraticPerpForm>>, q: number, M: Float64Array, m: number, delta: number, level: number, g: number, p: number, pStar: number): number | null {
  const y0 = new Float64Array(p * p + p * pStar);
  for (let i = 0; i < p; i++) y0[i * p + i] = q;
  for (let i = 0; i < p * pStar; i++) y0[p * p + i] = (delta * M[i]) / m;
  const crossing = saddleCrossing(perp, y0, level, g);
  return crossing === null ? null : delta * Math.exp(g * crossing);
}

/** α at which the run from y0 first has loss < level (linear interpolation between dense saves). */
function saddleCrossing(perp: NonNullable<ReturnType<typeof quadraticPerpForm>>, y0: Float64Array, level: number, gs: number): number | null {
  // ln(1/δ) ≈ 14 e-folds at rate g_s, then the nonlinear escape: 4× that is ample.
  const horizon = (4 * 14) / gs;
  const n = 4000;
  const saveAt = Array.from({ length: n + 1 }, (_, i) => (horizon * i) / n);
  let crossed = false;
  const r = integrate((_t, y, dy) => perp.rhs(y, dy), y0, {
    saveAt, rtol: 1e-9, atol: 1e-16,
    // Stop once the loss is below the level: the rest of the run is not needed.
    divergence: (_t, y) => { if (crossed) return 'crossed'; if (perp.lossAndFloor(y).loss < level) crossed = true; return null; },
  });
  const loss = r.y.map((y) => perp.lossAndFloor(y).loss);
  for (let i = 1; i < loss.length; i++) {
    if (loss[i] < level) {
      const f = (loss[i - 1] - level) / (loss[i - 1] - loss[i]);
      return r.t[i - 1] + f * (r.t[i] - r.t[i - 1]);
    }
  }
  return null;
}

/**
 * The law of the approach to zero loss (module header, item 5); null when p < p* (no zero-loss
 * point) or with label noise (the loss then tends to a floor set by the SGD noise: not derived).
 */
export function tailTheory(s: TheorySetup): TailTheory | null {
  const { p, pStar, eta } = s;
  if (p < pStar || s.noise > 0) return null;
  if (p > pStar) {
    const r = p - pStar;
    return { law: 'power', exponent: 2, prefactor: (p * p * r) / (64 * eta * eta * (1 + r / (pStar + 2))), limit: 'gradient flow' };
  }
  const rate = solutionDecayRate(s);
  return rate === null ? null : { law: 'exponential', rate };
}

/**
 * Slowest decay rate of the loss at the zero-loss point W = W* (p = p*; every point of the
 * manifold is a rotation of it): eigenvalues of the numerical Jacobian of the (Q⊥, M) right-hand
 * side. The Jacobian is block lower-triangular (δM does not feed Q⊥ at first order), so the
 * Q⊥ block and the M block are taken apart; the loss is linear in Q⊥ and quadratic in δM.
 */
function solutionDecayRate(s: TheorySetup): number | null {
  const { p, pStar, eta, P } = s;
  const perp = quadraticPerpForm({ p, pStar, eta, noise: 0, P, sgdNoise: s.sgdNoise });
  if (!perp) return null;
  const pp = p * p, n = pp + p * pStar;
  const y = new Float64Array(n);
  y.set(P, pp); // M = R P with R = I
  const J = new Float64Array(n * n);
  const plus = new Float64Array(n), minus = new Float64Array(n);
  const scale = Math.sqrt(Math.max(...Array.from(P, Math.abs)));
  for (let col = 0; col < n; col++) {
    const h = 1e-6 * scale;
    const yp = Float64Array.from(y), ym = Float64Array.from(y);
    yp[col] += h; ym[col] -= h;
    perp.rhs(yp, plus); perp.rhs(ym, minus);
    for (let row = 0; row < n; row++) J[row * n + col] = (plus[row] - minus[row]) / (2 * h);
  }
  const block = (from: number, size: number) => {
    const m = new Float64Array(size * size);
    for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) m[i * size + j] = J[(from + i) * n + from + j];
    return generalEigenvalues(m, size).real;
  };
  const perpRates = block(0, pp).map((v) => -v);
  const mRates = block(pp, p * pStar).map((v) => -2 * v);
  const all = [...perpRates, ...mRates];
  const big = Math.max(...all.map(Math.abs));
  // Rotation zero modes (and Q⊥'s antisymmetric directions, which the symmetric state never takes) are dropped.
  const rates = all.filter((v) => v > 1e-6 * big);
  return rates.length ? Math.min(...rates) : null;
}
