/**
 * The O(p³) products of the quadratic network's overlap ODE (src/ode/quadratic.ts,
 * quadraticPerpRhsInto) in WebAssembly (AssemblyScript, compiled by wasm/build.mjs with SIMD on).
 * rowDotsUpper(A, B, C, p): C_ij = Σ_l A_il B_jl for j ≥ i, A, B, C p×p row-major f64 at byte
 * offsets in the imported memory. Each sum is taken in the order of the JavaScript fallback
 * (src/ode/rowDots.ts): two partial sums over even and odd l (the two lanes of one f64x2),
 * then (even + odd), then the last product when p is odd. WebAssembly's base SIMD set has no
 * fused multiply-add: every product is rounded before it is added, as in JavaScript, so both
 * give the same bits. Blocks of 2 rows of A × 2 rows of B: each load serves two products and
 * the four accumulators are independent chains.
 */

@inline function lanes(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

export function rowDotsUpper(A: usize, B: usize, C: usize, p: i32): void {
  const row = <usize>p << 3;
  const pairs = <usize>(p >> 1) << 4; // bytes covered by whole lane pairs
  const odd = (p & 1) != 0;
  const last = <usize>(p - 1) << 3;
  let i = 0;
  for (; i + 1 < p; i += 2) {
    const a0 = A + <usize>i * row, a1 = a0 + row;
    let j = i;
    for (; j + 1 < p; j += 2) {
      const b0 = B + <usize>j * row, b1 = b0 + row;
      let s00 = f64x2.splat(0), s01 = f64x2.splat(0), s10 = f64x2.splat(0), s11 = f64x2.splat(0);
      for (let o: usize = 0; o < pairs; o += 16) {
        const x0 = v128.load(a0 + o), x1 = v128.load(a1 + o), z0 = v128.load(b0 + o), z1 = v128.load(b1 + o);
        s00 = f64x2.add(s00, f64x2.mul(x0, z0));
        s01 = f64x2.add(s01, f64x2.mul(x0, z1));
        s10 = f64x2.add(s10, f64x2.mul(x1, z0));
        s11 = f64x2.add(s11, f64x2.mul(x1, z1));
      }
      let r00 = lanes(s00), r01 = lanes(s01), r10 = lanes(s10), r11 = lanes(s11);
      if (odd) {
        const x0 = load<f64>(a0 + last), x1 = load<f64>(a1 + last), z0 = load<f64>(b0 + last), z1 = load<f64>(b1 + last);
        r00 += x0 * z0; r01 += x0 * z1; r10 += x1 * z0; r11 += x1 * z1;
      }
      const c0 = C + (<usize>(i * p + j) << 3), c1 = c0 + row;
      store<f64>(c0, r00); store<f64>(c0, r01, 8); store<f64>(c1, r10); store<f64>(c1, r11, 8);
    }
    if (j < p) {
      const b0 = B + <usize>j * row;
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
      for (let o: usize = 0; o < pairs; o += 16) {
        const z = v128.load(b0 + o);
        s0 = f64x2.add(s0, f64x2.mul(v128.load(a0 + o), z));
        s1 = f64x2.add(s1, f64x2.mul(v128.load(a1 + o), z));
      }
      let r0 = lanes(s0), r1 = lanes(s1);
      if (odd) { const z = load<f64>(b0 + last); r0 += load<f64>(a0 + last) * z; r1 += load<f64>(a1 + last) * z; }
      store<f64>(C + (<usize>(i * p + j) << 3), r0);
      store<f64>(C + (<usize>((i + 1) * p + j) << 3), r1);
    }
  }
  if (i < p) {
    const a0 = A + <usize>i * row, b0 = B + <usize>i * row;
    let s = f64x2.splat(0);
    for (let o: usize = 0; o < pairs; o += 16) s = f64x2.add(s, f64x2.mul(v128.load(a0 + o), v128.load(b0 + o)));
    let r = lanes(s);
    if (odd) r += load<f64>(a0 + last) * load<f64>(b0 + last);
    store<f64>(C + (<usize>(i * p + i) << 3), r);
  }
}

/**
 * C_im = Σ_l A_il B_ml for i < p, m < n (A p×p, B n×p, C p×n, row-major): the products of a
 * p×p matrix with the p×p* matrix M held transposed. Same summation order as rowDotsUpper.
 * Two rows of B per pass, so each load of A serves two products (p* is even more often than not).
 */
export function rowsTimesRows(A: usize, B: usize, C: usize, p: i32, n: i32): void {
  const row = <usize>p << 3;
  const pairs = <usize>(p >> 1) << 4;
  const odd = (p & 1) != 0;
  const last = <usize>(p - 1) << 3;
  for (let i = 0; i < p; i++) {
    const a0 = A + <usize>i * row;
    const c0 = C + (<usize>(i * n) << 3);
    let m = 0;
    for (; m + 1 < n; m += 2) {
      const b0 = B + <usize>m * row, b1 = b0 + row;
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
      for (let o: usize = 0; o < pairs; o += 16) {
        const x = v128.load(a0 + o);
        s0 = f64x2.add(s0, f64x2.mul(x, v128.load(b0 + o)));
        s1 = f64x2.add(s1, f64x2.mul(x, v128.load(b1 + o)));
      }
      let r0 = lanes(s0), r1 = lanes(s1);
      if (odd) { const x = load<f64>(a0 + last); r0 += x * load<f64>(b0 + last); r1 += x * load<f64>(b1 + last); }
      store<f64>(c0 + (<usize>m << 3), r0);
      store<f64>(c0 + (<usize>m << 3), r1, 8);
    }
    if (m < n) {
      const b0 = B + <usize>m * row;
      let s0 = f64x2.splat(0);
      for (let o: usize = 0; o < pairs; o += 16) s0 = f64x2.add(s0, f64x2.mul(v128.load(a0 + o), v128.load(b0 + o)));
      let r0 = lanes(s0);
      if (odd) r0 += load<f64>(a0 + last) * load<f64>(b0 + last);
      store<f64>(c0 + (<usize>m << 3), r0);
    }
  }
}
