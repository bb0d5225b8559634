/**
 * Double-double arithmetic: a number is an unevaluated sum hi + lo with |lo| ≤ ulp(hi)/2, about
 * 32 significant digits (Dekker 1971; Hida, Li & Bailey, "Algorithms for quad-double precision",
 * 2001, whose sloppy-add / Dekker-product variants are used here). The ODE near a zero-loss point
 * (ode/deviation.ts) evaluates sums of O(1) Gaussian expectations that cancel to O(ε): in double
 * their rounding (≈ 10⁻¹⁶ absolute) is the whole answer once ε ≲ 10⁻¹⁰; in double-double it is
 * 10⁻³² absolute, far below what the state (stored in double, relative to the zero-loss point)
 * resolves.
 *
 * Only what the closed-form expectations need: + − × ÷, √, arcsin (one Newton step on a double
 * guess, with sin/cos from Taylor series after halving the angle three times).
 */
import { cos } from '../math/trig.js';

/** hi + lo. Immutable; operations return new values. */
export interface DD {
  readonly h: number;
  readonly l: number;
}

const SPLITTER = 134217729; // 2^27 + 1

export const dd = (h: number, l = 0): DD => ({ h, l });
export const ZERO: DD = dd(0);
export const ONE: DD = dd(1);

/** a + b exactly as s + e (Knuth's TwoSum). */
function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return { h: s, l: (a - (s - bb)) + (b - bb) };
}

/** a · b exactly as p + e (Dekker's product with Veltkamp splitting). */
export function twoProd(a: number, b: number): DD {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a), al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b), bl = b - bh;
  return { h: p, l: ((ah * bh - p) + ah * bl + al * bh) + al * bl };
}

function quick(s: number, e: number): DD {
  const h = s + e;
  return { h, l: e - (h - s) };
}

export function add(x: DD, y: DD): DD {
  const s = twoSum(x.h, y.h), t = twoSum(x.l, y.l);
  let e = s.l + t.h;
  const u = quick(s.h, e);
  e = t.l + u.l;
  return quick(u.h, e);
}

export const neg = (x: DD): DD => ({ h: -x.h, l: -x.l });
export const sub = (x: DD, y: DD): DD => add(x, neg(y));

/** x + b, b a double. */
export function addD(x: DD, b: number): DD {
  const s = twoSum(x.h, b);
  return quick(s.h, s.l + x.l);
}

export function mul(x: DD, y: DD): DD {
  const p = twoProd(x.h, y.h);
  return quick(p.h, p.l + (x.h * y.l + x.l * y.h));
}

/** x · b, b a double. */
export function mulD(x: DD, b: number): DD {
  const p = twoProd(x.h, b);
  return quick(p.h, p.l + x.l * b);
}

export function div(x: DD, y: DD): DD {
  // Two quotient digits (Hida, Li & Bailey's "sloppy" division): relative error ≈ 10⁻³².
  const q1 = x.h / y.h;
  const p = twoProd(q1, y.h);
  const rh = x.h - p.h; // exact (Sterbenz), the remainder's leading part
  const r = (rh - p.l) + x.l - q1 * y.l;
  return quick(q1, r / y.h);
}

export function sqrt(x: DD): DD {
  if (x.h <= 0) return x.h === 0 ? ZERO : dd(NaN);
  const s = Math.sqrt(x.h);
  // One Newton step from the double root doubles the digits: √x ≈ s + (x − s²)/(2s).
  const r = sub(x, twoProd(s, s));
  return addD(dd(r.h / (2 * s)), s);
}

export const toNumber = (x: DD): number => x.h + x.l;

export const PI: DD = dd(3.141592653589793, 1.2246467991473532e-16);

// (−1)^k/(2k+1)! and (−1)^k/(2k)!, k = 0…12, for the Taylor series of sin and cos (Horner in x²).
const SIN_COEF: DD[] = [], COS_COEF: DD[] = [];
{
  let f = ONE; // 1/m!
  for (let m = 0; m <= 25; m++) {
    if (m > 0) f = div(f, dd(m));
    const signed = (m >> 1) % 2 === 0 ? f : neg(f);
    (m % 2 === 0 ? COS_COEF : SIN_COEF).push(signed);
  }
}

/** sin and cos of a double |a| ≤ 2, each to ≈ 10⁻³² absolute. */
function sinCos(a: number): { s: DD; c: DD } {
  // Taylor at a/8 (|a/8| ≤ 1/4: below 10⁻³³ after the x²⁴ term), then three double-angle steps.
  const x = dd(a / 8);
  const x2 = mul(x, x);
  let s = SIN_COEF[SIN_COEF.length - 1], c = COS_COEF[COS_COEF.length - 1];
  for (let k = SIN_COEF.length - 2; k >= 0; k--) s = add(mul(s, x2), SIN_COEF[k]);
  for (let k = COS_COEF.length - 2; k >= 0; k--) c = add(mul(c, x2), COS_COEF[k]);
  s = mul(s, x);
  for (let i = 0; i < 3; i++) {
    const s2 = mulD(mul(s, c), 2);
    c = sub(mulD(mul(c, c), 2), ONE); // cos 2x = 2cos²x − 1: the absolute error stays ≈ 10⁻³²
    s = s2;
  }
  return { s, c };
}

// sin and cos at the nodes k/64, k = 0…101 (covering [0, π/2]), in double-double.
const TABLE_STEP = 64;
const SIN_TABLE: DD[] = [], COS_TABLE: DD[] = [];
for (let k = 0; k <= 101; k++) {
  const sc = sinCos(k / TABLE_STEP);
  SIN_TABLE.push(sc.s);
  COS_TABLE.push(sc.c);
}

/** sin a for a double |a| ≤ π/2, to ≈ 10⁻³² absolute: the nearest node k/64 plus a Taylor step of |r| ≤ 1/128. */
function sinDD(a: number): DD {
  const sign = a < 0 ? -1 : 1;
  const b = Math.abs(a);
  const k = Math.round(b * TABLE_STEP);
  const r = dd(b - k / TABLE_STEP); // exact: k/64 is a short binary fraction near b
  const r2 = mul(r, r);
  // sin r and cos r to r¹³/13! < 10⁻³⁴.
  let sr = SIN_COEF[6], cr = COS_COEF[6];
  for (let i = 5; i >= 0; i--) { sr = add(mul(sr, r2), SIN_COEF[i]); cr = add(mul(cr, r2), COS_COEF[i]); }
  sr = mul(sr, r);
  const s = add(mul(SIN_TABLE[k], cr), mul(COS_TABLE[k], sr));
  return sign < 0 ? neg(s) : s;
}

/**
 * arcsin x for |x| ≤ 1: Newton's step y₁ = y₀ + (x − sin y₀)/cos y₀ from y₀ = Math.asin(x.h). The
 * step is ≈ 10⁻¹⁶, so cos y₀ in double suffices; x − sin y₀ needs sin y₀ in double-double.
 */
export function asin(x: DD): DD {
  const y0 = Math.asin(Math.max(-1, Math.min(1, x.h)));
  const c = cos(y0);
  if (c < 1e-8) return dd(y0); // |x| → 1: the root's conditioning, not the arithmetic, limits
  const d = sub(x, sinDD(y0));
  return addD(dd(d.h / c, 0), y0);
}

/**
 * sin x and cos x for a double-double 0 ≤ |x| ≤ π/2, each to ≈ 10⁻³² absolute: the nearest table
 * node k/64 and Taylor series of the (double-double) remainder |r| ≤ 1/128 to r¹³/13!, combined by
 * the addition theorem (used by the ReLU four-variable orthant's quadrature, gauss/reluExact.ts).
 */
export function sinCosDD(x: DD): { s: DD; c: DD } {
  const negative = x.h < 0;
  const b = negative ? neg(x) : x;
  const k = Math.min(101, Math.round(b.h * TABLE_STEP));
  const r = addD(b, -k / TABLE_STEP); // exact in the leading part: k/64 is near b
  const r2 = mul(r, r);
  let sr = SIN_COEF[6], cr = COS_COEF[6];
  for (let i = 5; i >= 0; i--) { sr = add(mul(sr, r2), SIN_COEF[i]); cr = add(mul(cr, r2), COS_COEF[i]); }
  sr = mul(sr, r);
  const s = add(mul(SIN_TABLE[k], cr), mul(COS_TABLE[k], sr));
  const c = sub(mul(COS_TABLE[k], cr), mul(SIN_TABLE[k], sr));
  return { s: negative ? neg(s) : s, c };
}
