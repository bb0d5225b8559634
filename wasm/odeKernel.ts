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

// ---------------------------------------------------------------------------------------------
// The whole (Q⊥, M) right-hand side (src/ode/quadratic.ts: perpOverlaps, quadraticPerpRhsInto),
// ported line by line: every scalar operation in the same order as the JavaScript, so both give
// the same bits; elementwise loops over j (lowRankRow, the final assembly) are independent per j,
// so they could run two lanes at a time without changing a bit. Buffers are at byte offsets
// chosen by src/ode/quadraticKernel.ts and passed once to setup().

let p: i32 = 0, ps: i32 = 0;
let Y: usize = 0, DY: usize = 0, X2: usize = 0, G: usize = 0, GX: usize = 0, K: usize = 0, Q: usize = 0, LR: usize = 0;
let PINV: usize = 0, P2S: usize = 0, D: usize = 0;
let MPI: usize = 0, MPIT: usize = 0, MT: usize = 0, MPID: usize = 0, H: usize = 0, U: usize = 0, UT: usize = 0, GM: usize = 0;
let ROW1: usize = 0, ROW2: usize = 0;
let tau: f64 = 0;

@inline function ld(b: usize, i: i32): f64 { return load<f64>(b + (<usize>i << 3)); }
@inline function st(b: usize, i: i32, v: f64): void { store<f64>(b + (<usize>i << 3), v); }
@inline function vld(b: usize, i: i32): v128 { return v128.load(b + (<usize>i << 3)); }
@inline function vst(b: usize, i: i32, v: v128): void { v128.store(b + (<usize>i << 3), v); }

/** Sizes and buffer offsets; `at` holds the 21 offsets in the order of the globals above. */
export function setup(width: i32, teacherWidth: i32, at: usize): void {
  p = width; ps = teacherWidth;
  Y = load<usize>(at, 0); DY = load<usize>(at, 4); X2 = load<usize>(at, 8); G = load<usize>(at, 12); GX = load<usize>(at, 16);
  K = load<usize>(at, 20); Q = load<usize>(at, 24); LR = load<usize>(at, 28); PINV = load<usize>(at, 32); P2S = load<usize>(at, 36);
  D = load<usize>(at, 40); MPI = load<usize>(at, 44); MPIT = load<usize>(at, 48); MT = load<usize>(at, 52); MPID = load<usize>(at, 56);
  H = load<usize>(at, 60); U = load<usize>(at, 64); UT = load<usize>(at, 68); GM = load<usize>(at, 72); ROW1 = load<usize>(at, 76);
  ROW2 = load<usize>(at, 80);
}

export function getTau(): f64 { return tau; }

function transposeInto(A: usize, aOff: i32, n: i32, Bt: usize): void {
  for (let i = 0; i < p; i++) for (let m = 0; m < n; m++) st(Bt, m * p + i, ld(A, aOff + i * n + m));
}

/**
 * lowRankRow of quadratic.ts: out[j] = Σ_m a[aOff + m] Bt[m p + j] for j in [from, p). Each
 * out[j] is its own chain of the same operations in the same order, so two j at a time (one
 * f64x2, unaligned loads where `from` is odd) give the JavaScript's bits. Inlined: at p = 8 it
 * is called 48 times an evaluation on rows of 1–8 numbers, where a call costs as much as the work.
 */
@inline function lowRankRow(out: usize, a: usize, aOff: i32, Bt: usize, n: i32, from: i32): void {
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

export function mirrorUpper(A: usize): void {
  const B = 32;
  for (let i0 = 0; i0 < p; i0 += B) for (let j0 = i0; j0 < p; j0 += B) {
    const iEnd = min(i0 + B, p), jEnd = min(j0 + B, p);
    for (let i = i0; i < iEnd; i++) for (let j = max(j0, i + 1); j < jEnd; j++) st(A, j * p + i, ld(A, i * p + j));
  }
}

/** perpOverlaps of quadratic.ts on the state in Y: K, Q (upper), MP⁻¹, its transpose, Mᵀ, D, MP⁻¹D, τ; returns ε. */
export function overlaps(noise: f64): f64 {
  const pp = p * p;
  for (let i = 0; i < p; i++) for (let j = 0; j < ps; j++) {
    let s: f64 = 0;
    for (let l = 0; l < ps; l++) s += ld(Y, pp + i * ps + l) * ld(PINV, l * ps + j);
    st(MPI, i * ps + j, s);
  }
  transposeInto(MPI, 0, ps, MPIT);
  transposeInto(Y, pp, ps, MT);
  let trQp: f64 = 0, qq: f64 = 0, qk: f64 = 0;
  for (let i = 0; i < p; i++) {
    const ri = i * p;
    trQp += ld(Y, ri + i);
    lowRankRow(ROW1, MPI, i * ps, MT, ps, i);
    for (let j = i; j < p; j++) {
      const s = ld(ROW1, j), qp = ld(Y, ri + j);
      st(K, ri + j, s);
      st(Q, ri + j, qp + s);
      const w: f64 = i == j ? 1 : 2;
      qq += w * qp * qp;
      qk += w * qp * s;
    }
  }
  for (let a = 0; a < ps; a++) for (let b = a; b < ps; b++) {
    let s: f64 = 0;
    for (let k = 0; k < p; k++) s += ld(MT, a * p + k) * ld(MT, b * p + k);
    const v = s / <f64>p - ld(P2S, a * ps + b);
    st(D, a * ps + b, v); st(D, b * ps + a, v);
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
  tau = trQp / <f64>p + trDPi;
  return 0.5 * tau * tau + (qq + 2 * qk) / <f64>pp + trDPi2 + noise / 2;
}

/** quadraticPerpRhsInto of quadratic.ts after overlaps() at the same state (ε = eps): dy/dα into DY. */
export function rhs(eps: f64, gf: f64, nq: f64, decay: f64): void {
  const pp = p * p;
  const fp = <f64>p, fps = <f64>ps, vfp = f64x2.splat(fp);
  rowDotsUpper(Y, Y, X2, p);
  rowsTimesRows(Y, MT, U, p, ps);
  for (let i = 0; i < p * ps; i++) st(H, i, ld(U, i) / fp + ld(MPID, i));
  transposeInto(U, 0, ps, UT);
  for (let i = 0; i < p; i++) {
    const ri = i * p, mi = i * ps;
    lowRankRow(ROW1, U, mi, MPIT, ps, i);
    lowRankRow(ROW2, MPI, mi, UT, ps, i);
    const pairEnd = i + ((p - i) & ~1);
    let j = i;
    for (; j < pairEnd; j += 2) vst(LR, ri + j, f64x2.add(vld(ROW1, j), vld(ROW2, j)));
    for (; j < p; j++) st(LR, ri + j, ld(ROW1, j) + ld(ROW2, j));
    lowRankRow(ROW1, MPID, mi, MPIT, ps, i);
    for (j = i; j < pairEnd; j += 2) vst(G, ri + j, f64x2.add(f64x2.div(f64x2.add(vld(X2, ri + j), vld(LR, ri + j)), vfp), vld(ROW1, j)));
    for (; j < p; j++) st(G, ri + j, (ld(X2, ri + j) + ld(LR, ri + j)) / fp + ld(ROW1, j));
  }
  mirrorUpper(G);
  rowDotsUpper(G, Y, GX, p);
  rowsTimesRows(G, MT, GM, p, ps);
  const c0 = 2 * eps;
  const ngf = f64x2.splat(-gf), tau2 = f64x2.splat(2 * tau), tau4 = f64x2.splat(4 * tau), decay2 = f64x2.splat(2 * decay);
  const vnq = f64x2.splat(nq), vc0 = f64x2.splat(c0), two = f64x2.splat(2), eight = f64x2.splat(8), vfps = f64x2.splat(fps);
  for (let i = 0; i < p; i++) {
    const ri = i * p, mi = i * ps;
    lowRankRow(ROW1, GM, mi, MPIT, ps, i);
    lowRankRow(ROW2, H, mi, MT, ps, i);
    // Two j at a time: the same operations on each lane as the scalar tail below.
    const pairEnd = i + ((p - i) & ~1);
    let j = i;
    for (; j < pairEnd; j += 2) {
      const s = f64x2.sub(f64x2.div(f64x2.add(vld(GX, ri + j), vld(ROW1, j)), vfp), f64x2.div(vld(ROW2, j), vfps));
      const qqp = f64x2.add(f64x2.mul(two, vld(X2, ri + j)), vld(LR, ri + j));
      const qp = vld(Y, ri + j);
      const flow = f64x2.mul(ngf, f64x2.add(f64x2.mul(tau2, qp), f64x2.div(f64x2.mul(two, qqp), vfp)));
      const noise = f64x2.mul(vnq, f64x2.add(f64x2.add(f64x2.mul(vc0, vld(Q, ri + j)), f64x2.mul(tau4, vld(G, ri + j))), f64x2.mul(eight, s)));
      vst(DY, ri + j, f64x2.sub(f64x2.add(flow, noise), f64x2.mul(decay2, qp)));
    }
    for (; j < p; j++) {
      const s = (ld(GX, ri + j) + ld(ROW1, j)) / fp - ld(ROW2, j) / fps;
      const qqp = 2 * ld(X2, ri + j) + ld(LR, ri + j);
      const qp = ld(Y, ri + j);
      st(DY, ri + j, -gf * (2 * tau * qp + (2 * qqp) / fp) + nq * (c0 * ld(Q, ri + j) + 4 * tau * ld(G, ri + j) + 8 * s) - 2 * decay * qp);
    }
  }
  mirrorUpper(DY);
  for (let i = 0; i < p * ps; i++) st(DY, pp + i, -gf * (tau * ld(Y, pp + i) + 2 * ld(H, i)) - decay * ld(Y, pp + i));
}

/** overlaps() then rhs() on the state in Y, in one call (two crossings of the boundary fewer an evaluation); returns ε. */
export function overlapsRhs(noise: f64, gf: f64, nq: f64, decay: f64): f64 {
  const eps = overlaps(noise);
  rhs(eps, gf, nq, decay);
  return eps;
}
