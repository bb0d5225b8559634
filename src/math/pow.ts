/**
 * x^y with the same bits on every JavaScript engine. ECMAScript leaves `Math.pow` (and `**`)
 * implementation-approximated, and V8's differs in the last bit between Node 20 and Chromium 147
 * for about 5 % of arguments (measured on the step-size controller's exponent 0.17), which moved
 * adaptive step sizes and so trajectories. This is FreeBSD msun's (fdlibm's) pow as ported to
 * plain JavaScript by @stdlib: only +, −, ×, ÷, sqrt (correctly rounded everywhere, IEEE 754)
 * and bit manipulation of the words of a double, so a seed gives the same numbers in the CLI,
 * the explorer and under any Node version. Error below one ulp (fdlibm's bound). Every power in
 * the numeric source goes through here or is a product (squares as x * x); src/math/engineMath.test.ts
 * fails if `Math.pow` or a non-constant `**` comes back.
 */
import stdlibPow from '@stdlib/math-base-special-pow';

/** x^y, engine-independent (see the module comment); NaN for x < 0 with non-integer y, like Math.pow. */
export function pow(x: number, y: number): number {
  return stdlibPow(x, y);
}
