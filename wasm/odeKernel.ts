/**
 * The quadratic network's overlap ODE in (Q⊥, M) (src/ode/quadratic.ts) in WebAssembly
 * (AssemblyScript, compiled by wasm/build.mjs with SIMD on): its O(p³) products, the whole
 * right-hand side, and a whole Dormand–Prince 5(4) step on it.
 * rowDotsUpper(A, B, C, p): C_ij = Σ_l A_il B_jl for j ≥ i, A, B, C p×p row-major f64 at byte
 * offsets in the imported memory. Each sum is taken in the order of the JavaScript fallback
 * (src/ode/rowDots.ts): two partial sums over even and odd l (the two lanes of one f64x2),
 * then (even + odd), then the last product when p is odd. WebAssembly's base SIMD set has no
 * fused multiply-add: every product is rounded before it is added, as in JavaScript, so both
 * give the same bits. Blocks of 2 rows of A × 2 rows of B: each load serves two products and
 * the four accumulators are independent chains.
 *
 * The width p and the teacher count p* are arguments of @inline bodies, which the exported
 * functions call with constants for the common sizes (p* = 2, and p = 8 with it): binaryen then
 * folds the loop bounds, the branches on p* and the divisions (below), and V8 unrolls the short
 * loops. At p = 8 the loop set-ups, branches and loads of globals cost as much as the arithmetic.
 */

@inline function lanes(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/**
 * The four dot products of rows a0, a1 with rows b0, b1 (p numbers each: `pairs` bytes of whole
 * lane pairs, then the last number when p is odd), stored as (a0·b0, a0·b1) at c0 and
 * (a1·b0, a1·b1) at c1. Each load serves two products, and the four sums are independent chains.
 */
@inline function dots2x2(a0: usize, a1: usize, b0: usize, b1: usize, pairs: usize, odd: bool, last: usize, c0: usize, c1: usize): void {
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
  store<f64>(c0, r00); store<f64>(c0, r01, 8); store<f64>(c1, r10); store<f64>(c1, r11, 8);
}

@inline function rowDotsUpperIn(A: usize, B: usize, C: usize, p: i32): void {
  const row = <usize>p << 3;
  const pairs = <usize>(p >> 1) << 4; // bytes covered by whole lane pairs
  const odd = (p & 1) != 0;
  const last = <usize>(p - 1) << 3;
  let i = 0;
  for (; i + 1 < p; i += 2) {
    const a0 = A + <usize>i * row, a1 = a0 + row;
    let j = i;
    for (; j + 1 < p; j += 2) {
      const b0 = B + <usize>j * row;
      const c0 = C + (<usize>(i * p + j) << 3);
      dots2x2(a0, a1, b0, b0 + row, pairs, odd, last, c0, c0 + row);
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

export function rowDotsUpper(A: usize, B: usize, C: usize, p: i32): void {
  rowDotsUpperIn(A, B, C, p);
}

/** One entry of rowsTimesRows: Σ_l a_l b_l in rowDotsUpper's order. */
@inline function rowDot(a0: usize, b0: usize, pairs: usize, odd: bool, last: usize): f64 {
  let s0 = f64x2.splat(0);
  for (let o: usize = 0; o < pairs; o += 16) s0 = f64x2.add(s0, f64x2.mul(v128.load(a0 + o), v128.load(b0 + o)));
  let r0 = lanes(s0);
  if (odd) r0 += load<f64>(a0 + last) * load<f64>(b0 + last);
  return r0;
}

/**
 * C_im = Σ_l A_il B_ml for i < p, m < n (A p×p, B n×p, C p×n, row-major): the products of a
 * p×p matrix with the p×p* matrix M held transposed. Same summation order as rowDotsUpper.
 * Blocks of 2 rows of A × 2 rows of B (p* is even more often than not): four independent chains.
 */
@inline function rowsTimesRowsIn(A: usize, B: usize, C: usize, p: i32, n: i32): void {
  const row = <usize>p << 3;
  const pairs = <usize>(p >> 1) << 4;
  const odd = (p & 1) != 0;
  const last = <usize>(p - 1) << 3;
  const crow = <usize>n << 3;
  let i = 0;
  for (; i + 1 < p; i += 2) {
    const a0 = A + <usize>i * row, a1 = a0 + row;
    const c0 = C + (<usize>(i * n) << 3), c1 = c0 + crow;
    let m = 0;
    for (; m + 1 < n; m += 2) {
      const b0 = B + <usize>m * row;
      const o = <usize>m << 3;
      dots2x2(a0, a1, b0, b0 + row, pairs, odd, last, c0 + o, c1 + o);
    }
    if (m < n) {
      const b0 = B + <usize>m * row;
      store<f64>(c0 + (<usize>m << 3), rowDot(a0, b0, pairs, odd, last));
      store<f64>(c1 + (<usize>m << 3), rowDot(a1, b0, pairs, odd, last));
    }
  }
  if (i < p) {
    const a0 = A + <usize>i * row;
    const c0 = C + (<usize>(i * n) << 3);
    for (let m = 0; m < n; m++) store<f64>(c0 + (<usize>m << 3), rowDot(a0, B + <usize>m * row, pairs, odd, last));
  }
}

export function rowsTimesRows(A: usize, B: usize, C: usize, p: i32, n: i32): void {
  rowsTimesRowsIn(A, B, C, p, n);
}

// ---------------------------------------------------------------------------------------------
// The whole (Q⊥, M) right-hand side (src/ode/quadratic.ts: perpOverlaps, quadraticPerpRhsInto),
// ported line by line: every scalar operation in the same order as the JavaScript, so both give
// the same bits; elementwise loops over j (lowRankRow, the final assembly) are independent per j,
// so they run two lanes at a time without changing a bit. Buffers are at byte offsets chosen by
// src/ode/quadraticKernel.ts and passed once to setup().

let gp: i32 = 0, gps: i32 = 0;
let Y: usize = 0, DY: usize = 0, X2: usize = 0, G: usize = 0, GX: usize = 0, K: usize = 0, Q: usize = 0, LR: usize = 0;
let PINV: usize = 0, P2S: usize = 0, D: usize = 0;
let MPI: usize = 0, MPIT: usize = 0, MT: usize = 0, MPID: usize = 0, H: usize = 0, U: usize = 0, UT: usize = 0, GM: usize = 0;
let ROW1: usize = 0, ROW2: usize = 0;
// The Dormand–Prince step's vectors (dopri5Step): state, stages, new state, new state minus the error.
let YS: usize = 0, K1: usize = 0, K2: usize = 0, K3: usize = 0, K4: usize = 0, K5: usize = 0, K6: usize = 0, K7: usize = 0, YN: usize = 0, YE: usize = 0;
let DY0: usize = 0;
let tau: f64 = 0, lastEps: f64 = 0;

@inline function ld(b: usize, i: i32): f64 { return load<f64>(b + (<usize>i << 3)); }
@inline function st(b: usize, i: i32, v: f64): void { store<f64>(b + (<usize>i << 3), v); }
@inline function vld(b: usize, i: i32): v128 { return v128.load(b + (<usize>i << 3)); }
@inline function vst(b: usize, i: i32, v: v128): void { v128.store(b + (<usize>i << 3), v); }
@inline function sp(x: f64): v128 { return f64x2.splat(x); }

// Division by p and p*: where the divisor d is a power of two, x/d and x·(1/d) are the same
// correctly rounded number (1/d is exact), and the multiplication is several times cheaper.
// `inv` is 1/d (a constant where d is).
@inline function isPow2(d: i32): bool { return (d & (d - 1)) == 0; }
@inline function divBy(x: f64, d: i32, inv: f64): f64 { return isPow2(d) ? x * inv : x / <f64>d; }
@inline function vdivBy(x: v128, d: i32, inv: f64): v128 { return isPow2(d) ? f64x2.mul(x, sp(inv)) : f64x2.div(x, sp(<f64>d)); }

/** Sizes and buffer offsets; `at` holds the 31 offsets in the order of the globals above. */
export function setup(width: i32, teacherWidth: i32, at: usize): void {
  gp = width; gps = teacherWidth;
  Y = load<usize>(at, 0); DY = load<usize>(at, 4); X2 = load<usize>(at, 8); G = load<usize>(at, 12); GX = load<usize>(at, 16);
  K = load<usize>(at, 20); Q = load<usize>(at, 24); LR = load<usize>(at, 28); PINV = load<usize>(at, 32); P2S = load<usize>(at, 36);
  D = load<usize>(at, 40); MPI = load<usize>(at, 44); MPIT = load<usize>(at, 48); MT = load<usize>(at, 52); MPID = load<usize>(at, 56);
  H = load<usize>(at, 60); U = load<usize>(at, 64); UT = load<usize>(at, 68); GM = load<usize>(at, 72); ROW1 = load<usize>(at, 76);
  ROW2 = load<usize>(at, 80);
  YS = load<usize>(at, 84); K1 = load<usize>(at, 88); K2 = load<usize>(at, 92); K3 = load<usize>(at, 96); K4 = load<usize>(at, 100);
  K5 = load<usize>(at, 104); K6 = load<usize>(at, 108); K7 = load<usize>(at, 112); YN = load<usize>(at, 116); YE = load<usize>(at, 120);
  DY0 = DY;
}

export function getTau(): f64 { return tau; }

@inline function transposeInto(A: usize, aOff: i32, n: i32, Bt: usize, p: i32): void {
  for (let i = 0; i < p; i++) for (let m = 0; m < n; m++) st(Bt, m * p + i, ld(A, aOff + i * n + m));
}

/**
 * lowRankRow of quadratic.ts: out[j] = Σ_m a[aOff + m] Bt[m p + j] for j in [from, p). Each
 * out[j] is its own chain of the same operations in the same order, so two j at a time (one
 * f64x2, unaligned loads where `from` is odd) give the JavaScript's bits.
 */
@inline function lowRankRow(out: usize, a: usize, aOff: i32, Bt: usize, n: i32, from: i32, p: i32): void {
  let m = 0;
  const pairEnd = from + ((p - from) & ~1);
  if (n >= 2) {
    const a0 = ld(a, aOff), a1 = ld(a, aOff + 1);
    const v0 = f64x2.splat(a0), v1 = f64x2.splat(a1);
    const b1 = Bt + (<usize>p << 3);
    let j = from;
    for (; j < pairEnd; j += 2) {
      const o = <usize>j << 3;
      v128.store(out + o, f64x2.add(f64x2.mul(v0, v128.load(Bt + o)), f64x2.mul(v1, v128.load(b1 + o))));
    }
    if (j < p) st(out, j, a0 * ld(Bt, j) + a1 * ld(Bt, p + j));
    m = 2;
  } else {
    const a0 = ld(a, aOff);
    for (let j = from; j < p; j++) st(out, j, a0 * ld(Bt, j));
    m = 1;
  }
  for (; m + 1 < n; m += 2) {
    const a0 = ld(a, aOff + m), a1 = ld(a, aOff + m + 1), o0 = m * p, o1 = o0 + p;
    for (let j = from; j < p; j++) st(out, j, ld(out, j) + a0 * ld(Bt, o0 + j) + a1 * ld(Bt, o1 + j));
  }
  if (m < n) {
    const a0 = ld(a, aOff + m), o0 = m * p;
    for (let j = from; j < p; j++) st(out, j, ld(out, j) + a0 * ld(Bt, o0 + j));
  }
}

/**
 * lowRankRow's out[j], out[j + 1] in a register: the same chain of operations for each lane, with
 * no row buffer in between (the right-hand side combines them at once).
 */
@inline function lrPair(a: usize, aOff: i32, Bt: usize, n: i32, j: i32, p: i32): v128 {
  let out: v128;
  let m = 0;
  if (n >= 2) {
    out = f64x2.add(f64x2.mul(sp(ld(a, aOff)), vld(Bt, j)), f64x2.mul(sp(ld(a, aOff + 1)), vld(Bt, p + j)));
    m = 2;
  } else {
    out = f64x2.mul(sp(ld(a, aOff)), vld(Bt, j));
    m = 1;
  }
  for (; m + 1 < n; m += 2) {
    out = f64x2.add(f64x2.add(out, f64x2.mul(sp(ld(a, aOff + m)), vld(Bt, m * p + j))), f64x2.mul(sp(ld(a, aOff + m + 1)), vld(Bt, (m + 1) * p + j)));
  }
  if (m < n) out = f64x2.add(out, f64x2.mul(sp(ld(a, aOff + m)), vld(Bt, m * p + j)));
  return out;
}

/** lowRankRow's out[j] alone (the scalar lane of lrPair). */
@inline function lrOne(a: usize, aOff: i32, Bt: usize, n: i32, j: i32, p: i32): f64 {
  let out: f64;
  let m = 0;
  if (n >= 2) {
    out = ld(a, aOff) * ld(Bt, j) + ld(a, aOff + 1) * ld(Bt, p + j);
    m = 2;
  } else {
    out = ld(a, aOff) * ld(Bt, j);
    m = 1;
  }
  for (; m + 1 < n; m += 2) out = out + ld(a, aOff + m) * ld(Bt, m * p + j) + ld(a, aOff + m + 1) * ld(Bt, (m + 1) * p + j);
  if (m < n) out += ld(a, aOff + m) * ld(Bt, m * p + j);
  return out;
}

/** A[j][i] ← A[i][j] for j > i, in tiles of 32 (writing a whole column at once leaves the cache at large p). */
@inline function mirrorUpperIn(A: usize, p: i32): void {
  const B = 32;
  if (p <= B) {
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) st(A, j * p + i, ld(A, i * p + j));
    return;
  }
  for (let i0 = 0; i0 < p; i0 += B) for (let j0 = i0; j0 < p; j0 += B) {
    const iEnd = min(i0 + B, p), jEnd = min(j0 + B, p);
    for (let i = i0; i < iEnd; i++) for (let j = max(j0, i + 1); j < jEnd; j++) st(A, j * p + i, ld(A, i * p + j));
  }
}

export function mirrorUpper(A: usize): void {
  mirrorUpperIn(A, gp);
}

/** perpOverlaps of quadratic.ts on the state in Y: K, Q (upper), MP⁻¹, its transpose, Mᵀ, D, MP⁻¹D, τ; returns ε. */
@inline function overlapsIn(noise: f64, p: i32, ps: i32): f64 {
  const pp = p * p;
  const invP = 1.0 / <f64>p;
  for (let i = 0; i < p; i++) for (let j = 0; j < ps; j++) {
    let s: f64 = 0;
    for (let l = 0; l < ps; l++) s += ld(Y, pp + i * ps + l) * ld(PINV, l * ps + j);
    st(MPI, i * ps + j, s);
  }
  transposeInto(MPI, 0, ps, MPIT, p);
  transposeInto(Y, pp, ps, MT, p);
  let trQp: f64 = 0, qq: f64 = 0, qk: f64 = 0;
  for (let i = 0; i < p; i++) {
    const ri = i * p;
    trQp += ld(Y, ri + i);
    lowRankRow(ROW1, MPI, i * ps, MT, ps, i, p);
    // K and Q two j at a time; the sums qq and qk over j in order (a chain each).
    const pairEnd = i + ((p - i) & ~1);
    let j = i;
    for (; j < pairEnd; j += 2) {
      const s = vld(ROW1, j), qp = vld(Y, ri + j);
      vst(K, ri + j, s);
      vst(Q, ri + j, f64x2.add(qp, s));
    }
    for (; j < p; j++) {
      const s = ld(ROW1, j);
      st(K, ri + j, s);
      st(Q, ri + j, ld(Y, ri + j) + s);
    }
    for (j = i; j < p; j++) {
      const s = ld(ROW1, j), qp = ld(Y, ri + j);
      const w: f64 = i == j ? 1 : 2;
      qq += w * qp * qp;
      qk += w * qp * s;
    }
  }
  if (ps == 2) {
    // The three sums below in one pass: three independent chains instead of one after another.
    let s00: f64 = 0, s01: f64 = 0, s11: f64 = 0;
    for (let k = 0; k < p; k++) {
      const x = ld(MT, k), z = ld(MT, p + k);
      s00 += x * x; s01 += x * z; s11 += z * z;
    }
    const v01 = divBy(s01, p, invP) - ld(P2S, 1);
    st(D, 0, divBy(s00, p, invP) - ld(P2S, 0)); st(D, 1, v01); st(D, 2, v01); st(D, 3, divBy(s11, p, invP) - ld(P2S, 3));
  } else {
    for (let a = 0; a < ps; a++) for (let b = a; b < ps; b++) {
      let s: f64 = 0;
      for (let k = 0; k < p; k++) s += ld(MT, a * p + k) * ld(MT, b * p + k);
      const v = divBy(s, p, invP) - ld(P2S, a * ps + b);
      st(D, a * ps + b, v); st(D, b * ps + a, v);
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < ps; j++) {
    let s: f64 = 0;
    for (let l = 0; l < ps; l++) s += ld(MPI, i * ps + l) * ld(D, l * ps + j);
    st(MPID, i * ps + j, s);
  }
  let trDPi: f64 = 0, trDPi2: f64 = 0;
  for (let a = 0; a < ps; a++) for (let b = 0; b < ps; b++) {
    let s: f64 = 0, t: f64 = 0;
    for (let l = 0; l < ps; l++) { s += ld(D, a * ps + l) * ld(PINV, l * ps + b); t += ld(D, b * ps + l) * ld(PINV, l * ps + a); }
    if (a == b) trDPi += s;
    trDPi2 += s * t;
  }
  tau = divBy(trQp, p, invP) + trDPi;
  return 0.5 * tau * tau + (qq + 2 * qk) / <f64>pp + trDPi2 + noise / 2;
}

/** quadraticPerpRhsInto of quadratic.ts after overlaps() at the same state (ε = eps): dy/dα into DY. */
@inline function rhsIn(eps: f64, gf: f64, nq: f64, decay: f64, p: i32, ps: i32): void {
  const pp = p * p;
  const invP = 1.0 / <f64>p, invPs = 1.0 / <f64>ps;
  rowDotsUpperIn(Y, Y, X2, p);
  rowsTimesRowsIn(Y, MT, U, p, ps);
  for (let i = 0; i < p * ps; i++) st(H, i, divBy(ld(U, i), p, invP) + ld(MPID, i));
  transposeInto(U, 0, ps, UT, p);
  // LR = U(MP⁻¹)ᵀ + (MP⁻¹)Uᵀ and G = (X² + LR)/p + MP⁻¹D(MP⁻¹)ᵀ, upper triangles.
  for (let i = 0; i < p; i++) {
    const ri = i * p, mi = i * ps;
    const pairEnd = i + ((p - i) & ~1);
    let j = i;
    if (ps == 2) {
      // lrPair with its row's coefficients splatted once (the stores below could alias them, so
      // the compiler would reload them for every pair).
      const u0 = sp(ld(U, mi)), u1 = sp(ld(U, mi + 1)), m0 = sp(ld(MPI, mi)), m1 = sp(ld(MPI, mi + 1)), d0 = sp(ld(MPID, mi)), d1 = sp(ld(MPID, mi + 1));
      for (; j < pairEnd; j += 2) {
        const b0 = vld(MPIT, j), b1 = vld(MPIT, p + j);
        const lr = f64x2.add(f64x2.add(f64x2.mul(u0, b0), f64x2.mul(u1, b1)), f64x2.add(f64x2.mul(m0, vld(UT, j)), f64x2.mul(m1, vld(UT, p + j))));
        vst(LR, ri + j, lr);
        vst(G, ri + j, f64x2.add(vdivBy(f64x2.add(vld(X2, ri + j), lr), p, invP), f64x2.add(f64x2.mul(d0, b0), f64x2.mul(d1, b1))));
      }
    } else {
      for (; j < pairEnd; j += 2) {
        const lr = f64x2.add(lrPair(U, mi, MPIT, ps, j, p), lrPair(MPI, mi, UT, ps, j, p));
        vst(LR, ri + j, lr);
        vst(G, ri + j, f64x2.add(vdivBy(f64x2.add(vld(X2, ri + j), lr), p, invP), lrPair(MPID, mi, MPIT, ps, j, p)));
      }
    }
    if (j < p) {
      const lr = lrOne(U, mi, MPIT, ps, j, p) + lrOne(MPI, mi, UT, ps, j, p);
      st(LR, ri + j, lr);
      st(G, ri + j, divBy(ld(X2, ri + j) + lr, p, invP) + lrOne(MPID, mi, MPIT, ps, j, p));
    }
  }
  mirrorUpperIn(G, p);
  rowDotsUpperIn(G, Y, GX, p);
  rowsTimesRowsIn(G, MT, GM, p, ps);
  const c0 = 2 * eps;
  const ngf = sp(-gf), tau2 = sp(2 * tau), tau4 = sp(4 * tau), decay2 = sp(2 * decay);
  const vnq = sp(nq), vc0 = sp(c0), two = sp(2), eight = sp(8);
  for (let i = 0; i < p; i++) {
    const ri = i * p, mi = i * ps;
    // Two j at a time: the same operations on each lane as the scalar tail below.
    const pairEnd = i + ((p - i) & ~1);
    let j = i;
    // With p* = 2, lrPair with its row's coefficients splatted once.
    const two2 = ps == 2;
    const g0 = sp(ld(GM, mi)), h0 = sp(ld(H, mi)), g1 = two2 ? sp(ld(GM, mi + 1)) : g0, h1 = two2 ? sp(ld(H, mi + 1)) : h0;
    for (; j < pairEnd; j += 2) {
      const gm = two2 ? f64x2.add(f64x2.mul(g0, vld(MPIT, j)), f64x2.mul(g1, vld(MPIT, p + j))) : lrPair(GM, mi, MPIT, ps, j, p);
      const hm = two2 ? f64x2.add(f64x2.mul(h0, vld(MT, j)), f64x2.mul(h1, vld(MT, p + j))) : lrPair(H, mi, MT, ps, j, p);
      const s = f64x2.sub(vdivBy(f64x2.add(vld(GX, ri + j), gm), p, invP), vdivBy(hm, ps, invPs));
      const qqp = f64x2.add(f64x2.mul(two, vld(X2, ri + j)), vld(LR, ri + j));
      const qp = vld(Y, ri + j);
      const flow = f64x2.mul(ngf, f64x2.add(f64x2.mul(tau2, qp), vdivBy(f64x2.mul(two, qqp), p, invP)));
      const noise = f64x2.mul(vnq, f64x2.add(f64x2.add(f64x2.mul(vc0, vld(Q, ri + j)), f64x2.mul(tau4, vld(G, ri + j))), f64x2.mul(eight, s)));
      vst(DY, ri + j, f64x2.sub(f64x2.add(flow, noise), f64x2.mul(decay2, qp)));
    }
    if (j < p) {
      const s = divBy(ld(GX, ri + j) + lrOne(GM, mi, MPIT, ps, j, p), p, invP) - divBy(lrOne(H, mi, MT, ps, j, p), ps, invPs);
      const qqp = 2 * ld(X2, ri + j) + ld(LR, ri + j);
      const qp = ld(Y, ri + j);
      st(DY, ri + j, -gf * (2 * tau * qp + divBy(2 * qqp, p, invP)) + nq * (c0 * ld(Q, ri + j) + 4 * tau * ld(G, ri + j) + 8 * s) - 2 * decay * qp);
    }
  }
  mirrorUpperIn(DY, p);
  for (let i = 0; i < p * ps; i++) st(DY, pp + i, -gf * (tau * ld(Y, pp + i) + 2 * ld(H, i)) - decay * ld(Y, pp + i));
}

// The exported entry points: specialised bodies for p* = 2 (and p = 8 with it), else the general one.

export function overlaps(noise: f64): f64 {
  if (gps == 2) return gp == 8 ? overlapsIn(noise, 8, 2) : overlapsIn(noise, gp, 2);
  return overlapsIn(noise, gp, gps);
}

export function rhs(eps: f64, gf: f64, nq: f64, decay: f64): void {
  if (gps == 2) {
    if (gp == 8) rhsIn(eps, gf, nq, decay, 8, 2);
    else rhsIn(eps, gf, nq, decay, gp, 2);
  } else rhsIn(eps, gf, nq, decay, gp, gps);
}

/** overlaps() then rhs() on the state in Y, in one call (two crossings of the boundary fewer an evaluation); returns ε. */
export function overlapsRhs(noise: f64, gf: f64, nq: f64, decay: f64): f64 {
  const eps = overlaps(noise);
  rhs(eps, gf, nq, decay);
  return eps;
}

// ---------------------------------------------------------------------------------------------
// One Dormand–Prince 5(4) step (src/ode/dopri5.ts, integrate) on this right-hand side, in the
// kernel's memory: the stage combinations, the six evaluations (first same as last: k1 is the
// last step's k7) and the embedded error estimate. Each component is the JavaScript's chain of
// operations in the same order (constants folded as JavaScript folds h·a21), two components per
// f64x2, so both give the same bits; the error norm's sum runs over components in order.

const A21: f64 = 1.0 / 5;
const A31: f64 = 3.0 / 40, A32: f64 = 9.0 / 40;
const A41: f64 = 44.0 / 45, A42: f64 = -56.0 / 15, A43: f64 = 32.0 / 9;
const A51: f64 = 19372.0 / 6561, A52: f64 = -25360.0 / 2187, A53: f64 = 64448.0 / 6561, A54: f64 = -212.0 / 729;
const A61: f64 = 9017.0 / 3168, A62: f64 = -355.0 / 33, A63: f64 = 46732.0 / 5247, A64: f64 = 49.0 / 176, A65: f64 = -5103.0 / 18656;
const A71: f64 = 35.0 / 384, A73: f64 = 500.0 / 1113, A74: f64 = 125.0 / 192, A75: f64 = -2187.0 / 6784, A76: f64 = 11.0 / 84;
const E1: f64 = 71.0 / 57600, E3: f64 = -71.0 / 16695, E4: f64 = 71.0 / 1920, E5: f64 = -17253.0 / 339200, E6: f64 = 22.0 / 525, E7: f64 = -1.0 / 40;

/** Y = y + h·a21·k1 (yStage of dopri5.ts). */
function stage2(n: i32, h: f64): void {
  const c = sp(h * A21);
  let i = 0;
  for (; i + 1 < n; i += 2) vst(Y, i, f64x2.add(vld(YS, i), f64x2.mul(c, vld(K1, i))));
  if (i < n) st(Y, i, ld(YS, i) + h * A21 * ld(K1, i));
}

function stage3(n: i32, h: f64): void {
  const vh = sp(h), a1 = sp(A31), a2 = sp(A32);
  let i = 0;
  for (; i + 1 < n; i += 2) vst(Y, i, f64x2.add(vld(YS, i), f64x2.mul(vh, f64x2.add(f64x2.mul(a1, vld(K1, i)), f64x2.mul(a2, vld(K2, i))))));
  if (i < n) st(Y, i, ld(YS, i) + h * (A31 * ld(K1, i) + A32 * ld(K2, i)));
}

function stage4(n: i32, h: f64): void {
  const vh = sp(h), a1 = sp(A41), a2 = sp(A42), a3 = sp(A43);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const s = f64x2.add(f64x2.add(f64x2.mul(a1, vld(K1, i)), f64x2.mul(a2, vld(K2, i))), f64x2.mul(a3, vld(K3, i)));
    vst(Y, i, f64x2.add(vld(YS, i), f64x2.mul(vh, s)));
  }
  if (i < n) st(Y, i, ld(YS, i) + h * (A41 * ld(K1, i) + A42 * ld(K2, i) + A43 * ld(K3, i)));
}

function stage5(n: i32, h: f64): void {
  const vh = sp(h), a1 = sp(A51), a2 = sp(A52), a3 = sp(A53), a4 = sp(A54);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const s = f64x2.add(f64x2.add(f64x2.add(f64x2.mul(a1, vld(K1, i)), f64x2.mul(a2, vld(K2, i))), f64x2.mul(a3, vld(K3, i))), f64x2.mul(a4, vld(K4, i)));
    vst(Y, i, f64x2.add(vld(YS, i), f64x2.mul(vh, s)));
  }
  if (i < n) st(Y, i, ld(YS, i) + h * (A51 * ld(K1, i) + A52 * ld(K2, i) + A53 * ld(K3, i) + A54 * ld(K4, i)));
}

function stage6(n: i32, h: f64): void {
  const vh = sp(h), a1 = sp(A61), a2 = sp(A62), a3 = sp(A63), a4 = sp(A64), a5 = sp(A65);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const s = f64x2.add(f64x2.add(f64x2.add(f64x2.add(f64x2.mul(a1, vld(K1, i)), f64x2.mul(a2, vld(K2, i))), f64x2.mul(a3, vld(K3, i))), f64x2.mul(a4, vld(K4, i))), f64x2.mul(a5, vld(K5, i)));
    vst(Y, i, f64x2.add(vld(YS, i), f64x2.mul(vh, s)));
  }
  if (i < n) st(Y, i, ld(YS, i) + h * (A61 * ld(K1, i) + A62 * ld(K2, i) + A63 * ld(K3, i) + A64 * ld(K4, i) + A65 * ld(K5, i)));
}

/** yNew = y + h·(a71 k1 + a73 k3 + …) into YN and Y (the state of the seventh evaluation). */
function stage7(n: i32, h: f64): void {
  const vh = sp(h), a1 = sp(A71), a3 = sp(A73), a4 = sp(A74), a5 = sp(A75), a6 = sp(A76);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const s = f64x2.add(f64x2.add(f64x2.add(f64x2.add(f64x2.mul(a1, vld(K1, i)), f64x2.mul(a3, vld(K3, i))), f64x2.mul(a4, vld(K4, i))), f64x2.mul(a5, vld(K5, i))), f64x2.mul(a6, vld(K6, i)));
    const v = f64x2.add(vld(YS, i), f64x2.mul(vh, s));
    vst(YN, i, v); vst(Y, i, v);
  }
  if (i < n) {
    const v = ld(YS, i) + h * (A71 * ld(K1, i) + A73 * ld(K3, i) + A74 * ld(K4, i) + A75 * ld(K5, i) + A76 * ld(K6, i));
    st(YN, i, v); st(Y, i, v);
  }
}

/**
 * Σ_i (e_i / sc_i)², e = h·(e1 k1 + e3 k3 + … + e7 k7) the difference of the 5th- and 4th-order
 * solutions, sc_i = atol + rtol·max(|y_i|, |yNew_i|), summed in order of i; yErr = yNew − e.
 */
function errorNorm(n: i32, h: f64, rtol: f64, atol: f64): f64 {
  const vh = sp(h), e1 = sp(E1), e3 = sp(E3), e4 = sp(E4), e5 = sp(E5), e6 = sp(E6), e7 = sp(E7), va = sp(atol), vr = sp(rtol);
  let err: f64 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const s = f64x2.add(f64x2.add(f64x2.add(f64x2.add(f64x2.add(f64x2.mul(e1, vld(K1, i)), f64x2.mul(e3, vld(K3, i))), f64x2.mul(e4, vld(K4, i))), f64x2.mul(e5, vld(K5, i))), f64x2.mul(e6, vld(K6, i))), f64x2.mul(e7, vld(K7, i)));
    const ei = f64x2.mul(vh, s), yn = vld(YN, i);
    vst(YE, i, f64x2.sub(yn, ei));
    const e = f64x2.div(ei, f64x2.add(va, f64x2.mul(vr, f64x2.max(f64x2.abs(vld(YS, i)), f64x2.abs(yn)))));
    const ee = f64x2.mul(e, e);
    err += f64x2.extract_lane(ee, 0);
    err += f64x2.extract_lane(ee, 1);
  }
  if (i < n) {
    const ei = h * (E1 * ld(K1, i) + E3 * ld(K3, i) + E4 * ld(K4, i) + E5 * ld(K5, i) + E6 * ld(K6, i) + E7 * ld(K7, i));
    const yn = ld(YN, i);
    st(YE, i, yn - ei);
    const e = ei / (atol + rtol * max(abs(ld(YS, i)), abs(yn)));
    err += e * e;
  }
  return err;
}

/** overlaps() then rhs() at the state in Y, dy/dα into `into`. */
@inline function evaluate(into: usize, noise: f64, gf: f64, nq: f64, decay: f64): void {
  DY = into;
  lastEps = overlapsRhs(noise, gf, nq, decay);
}

/**
 * One step of h from (YS, K1 = f(YS)): K2 … K7, YN (the 5th-order solution, also left in Y with its
 * overlaps, ε in lastEps) and YE; returns the error estimate's Σ (e_i/sc_i)² (dopri5.ts takes the RMS).
 */
export function dopri5Step(h: f64, rtol: f64, atol: f64, noise: f64, gf: f64, nq: f64, decay: f64): f64 {
  const n = gp * gp + gp * gps;
  stage2(n, h); evaluate(K2, noise, gf, nq, decay);
  stage3(n, h); evaluate(K3, noise, gf, nq, decay);
  stage4(n, h); evaluate(K4, noise, gf, nq, decay);
  stage5(n, h); evaluate(K5, noise, gf, nq, decay);
  stage6(n, h); evaluate(K6, noise, gf, nq, decay);
  stage7(n, h); evaluate(K7, noise, gf, nq, decay);
  DY = DY0;
  return errorNorm(n, h, rtol, atol);
}

/** ε at the state of the last evaluation of dopri5Step (the new state). */
export function getLastEps(): f64 { return lastEps; }
