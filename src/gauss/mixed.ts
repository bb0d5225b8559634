/**
 * Expectations when student and teacher activations differ: closed forms are per activation,
 * so any term that involves a teacher unit with a different σ* goes to Gauss–Hermite quadrature.
 * The `Unit` arguments say whose pre-activation a variable is, student (σ) or teacher (σ*); σ'
 * applies to students only (the gradient acts on students). Names as in expectations.ts.
 */
import type { Activation } from './expectations.js';
import { gaussianExpectation, hermiteRule } from './quadrature.js';
import { ConfigError } from '../model/errors.js';

/** Whose pre-activation a variable is: a student's (through σ) or a teacher's (through σ*). */
export type Unit = 'student' | 'teacher';

/** The unit behind index u of the joint (student, teacher) covariance: students come first, p of them. */
export const unitAt = (u: number, p: number): Unit => (u >= p ? 'teacher' : 'student');

export interface PairExpectations {
  /** E[s_a(a) s_b(b)], s = σ for a student and σ* for a teacher: the population loss. */
  I2(C: ArrayLike<number>, a: Unit, b: Unit): number;
  /** E[σ'(a) σ'(b)] for two students. */
  J2(C: ArrayLike<number>): number;
  /** E[σ'(a) b s_c(c)], a a student. */
  I3(C: ArrayLike<number>, c: Unit): number;
  /** E[σ'(a) σ'(b) s_c(c) s_d(d)], a and b students. */
  I4(C: ArrayLike<number>, c: Unit, d: Unit): number;
}

export function pairExpectations(student: Activation, teacher: Activation): PairExpectations {
  const e = student.expectations;
  if (student === teacher || student.name === teacher.name) {
    return { I2: (C) => e.I2(C), J2: e.J2, I3: (C) => e.I3(C), I4: (C) => e.I4(C) };
  }
  const rule = hermiteRule(40), rule4 = hermiteRule(24);
  const act = (u: Unit) => (u === 'teacher' ? teacher : student);
  const s = (u: Unit) => act(u).sigma;
  const ds = student.dsigma;
  const te = teacher.expectations;
  return {
    I2: (C, a, b) => (a === 'student' && b === 'student' ? e.I2(C) : a === 'teacher' && b === 'teacher' ? te.I2(C)
      : (checkResolved(C, 2, [act(a), act(b)]), gaussianExpectation((z) => s(a)(z[0]) * s(b)(z[1]), C, 2, rule))),
    J2: e.J2,
    I3: (C, c) => (c === 'student' ? e.I3(C) : (checkResolved(C, 3, [student, null, teacher]), gaussianExpectation((z) => ds(z[0]) * z[1] * teacher.sigma(z[2]), C, 3, rule))),
    I4: (C, c, d) => (c === 'student' && d === 'student' ? e.I4(C)
      : (checkResolved(C, 4, [student, student, act(c), act(d)]), gaussianExpectation((z) => ds(z[0]) * ds(z[1]) * s(c)(z[2]) * s(d)(z[3]), C, 4, rule4))),
  };
}

/**
 * Largest variance of an erf argument that the tensor rules resolve: erf(z/√2) and its Gaussian
 * derivative vary on the scale 1/√Var in the whitened coordinate. Measured against closed forms
 * (E[erf(a/√2) b] = C_ab √(2/π)/√(1 + C_aa)) and an 80-node rule: at variance 2 the 40-node
 * I2 is exact to 3·10⁻¹⁴ and the 24⁴-node I4 to 10⁻⁵; at 3 the I4 is 7·10⁻⁴ off, at 100 the I2 2 %.
 */
export const ERF_QUADRATURE_MAX_VARIANCE = 2;

/** Refuses (loudly, instead of a silently wrong expectation) an erf argument too wide for the rule. */
function checkResolved(C: ArrayLike<number>, d: number, acts: readonly (Activation | null)[]): void {
  for (let i = 0; i < d; i++) {
    const v = C[i * d + i];
    if (acts[i]?.name === 'erf' && v > ERF_QUADRATURE_MAX_VARIANCE) {
      throw new ConfigError('teacherActivation', `the mixed erf expectations are computed by quadrature, accurate while every erf argument has variance ≤ ${ERF_QUADRATURE_MAX_VARIANCE}; one reached ${v.toPrecision(3)} (Q or P), beyond which it is silently off (7·10⁻⁴ at 3, 2 % at 100); use the same activation for student and teacher, or smaller weights`);
    }
  }
}
