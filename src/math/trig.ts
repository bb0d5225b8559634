/**
 * sin x and cos x with the same bits on every JavaScript engine. ECMAScript leaves `Math.sin` and
 * `Math.cos` implementation-approximated, and Node 20's V8 and Chromium 147's differ in the last
 * bit for about 4 % (sin) and 3 % (cos) of arguments (measured on 20 000), which moved the ReLU
 * ODE's right-hand side (the arc-cosine kernel I₂ of gauss/relu.ts, ode/reluSingle.ts) and so
 * adaptive steps and trajectories between the CLI and the explorer. These are FreeBSD msun's
 * (fdlibm's) sin and cos as ported to plain JavaScript by @stdlib: Payne–Hanek / Cody–Waite
 * reduction modulo π/2 and minimax polynomials on [−π/4, π/4], made of +, −, ×, ÷ (correctly
 * rounded, IEEE 754), floor/round and bit access to the words of a double, so a seed gives the
 * same numbers everywhere. Error below one ulp (fdlibm's bound). Every sine and cosine of the
 * numeric source goes through here; src/math/engineMath.test.ts fails if `Math.sin` or
 * `Math.cos` comes back.
 */
import stdlibSin from '@stdlib/math-base-special-sin';
import stdlibCos from '@stdlib/math-base-special-cos';

/** sin x, engine-independent (see the module comment); NaN for ±∞ and NaN, like Math.sin. */
export function sin(x: number): number {
  return stdlibSin(x);
}

/** cos x, engine-independent (see the module comment); NaN for ±∞ and NaN, like Math.cos. */
export function cos(x: number): number {
  return stdlibCos(x);
}
