/**
 * Distances between doubles in units in the last place, from their bit patterns (exact, no
 * floating-point arithmetic): for tests of elementary functions against a reference. Used by the
 * *.test.ts files only.
 */

const view = new DataView(new ArrayBuffer(8));

/** The double's position on the ordered line of all doubles (−0 and +0 both at 0). */
function ordinal(x: number): bigint {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const magnitude = bits & 0x7fffffffffffffffn;
  return bits >> 63n ? -magnitude : magnitude;
}

/** How many steps from one double to the next separate a and b: 0 if equal, 1 if neighbours; for finite a, b. */
export function ulpsApart(a: number, b: number): number {
  const d = ordinal(a) - ordinal(b);
  return Number(d < 0n ? -d : d);
}

/** The next double above (dir = 1) or below (dir = −1) a positive finite x. */
export function nextDouble(x: number, dir: 1 | -1): number {
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + BigInt(dir));
  return view.getFloat64(0);
}
