/**
 * Expectations when student and teacher activations differ: closed forms are per activation,
 * so any term that involves a teacher unit with a different σ* goes to Gauss–Hermite quadrature.
 * Flags say which of the variables are teacher pre-activations (only σ and σ*, never σ', apply
 * to teachers: the gradient acts on students).
 */
import type { Activation } from './expectations.js';
import { gaussianExpectation, hermiteRule } from './quadrature.js';

export interface PairExpectations {
  /** E[s(a) s(b)], s = σ or σ* per flag. */
  I2(C: ArrayLike<number>, teacherA: boolean, teacherB: boolean): number;
  /** E[σ'(a) σ'(b)] for two students. */
  J2(C: ArrayLike<number>): number;
  /** E[σ'(a) b s(c)]. */
  I3(C: ArrayLike<number>, teacherC: boolean): number;
  /** E[σ'(a) σ'(b) s(c) s(d)]. */
  I4(C: ArrayLike<number>, teacherC: boolean, teacherD: boolean): number;
}

export function pairExpectations(student: Activation, teacher: Activation): PairExpectations {
  const e = student.expectations;
  if (student === teacher || student.name === teacher.name) {
    return { I2: (C) => e.I2(C), J2: e.J2, I3: (C) => e.I3(C), I4: (C) => e.I4(C) };
  }
  const rule = hermiteRule(40), rule4 = hermiteRule(24);
  const s = (t: boolean) => (t ? teacher.sigma : student.sigma);
  const ds = student.dsigma;
  const te = teacher.expectations;
  return {
    I2: (C, a, b) => (!a && !b ? e.I2(C) : a && b ? te.I2(C) : gaussianExpectation((z) => s(a)(z[0]) * s(b)(z[1]), C, 2, rule)),
    J2: e.J2,
    I3: (C, c) => (!c ? e.I3(C) : gaussianExpectation((z) => ds(z[0]) * z[1] * teacher.sigma(z[2]), C, 3, rule)),
    I4: (C, c, d) => (!c && !d ? e.I4(C) : gaussianExpectation((z) => ds(z[0]) * ds(z[1]) * s(c)(z[2]) * s(d)(z[3]), C, 4, rule4)),
  };
}
