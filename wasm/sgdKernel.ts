/**
 * The SGD simulator's hot loop in WebAssembly (AssemblyScript, compiled by wasm/build.mjs with
 * SIMD on). It does exactly the arithmetic of the plain JavaScript loop in src/sim/sgd.ts, in the
 * same order, so that both give the same bits for the same seed:
 *  - Gaussians: xoshiro128** and the 128-layer ziggurat of src/random/rng.ts (tables passed in by
 *    pointer; exp and log imported from JavaScript's Math, so the rare slow branch agrees too). The
 *    kernel holds the state of the run's input stream only; the label noise has a stream of its
 *    own (src/random/streams.ts), drawn in JavaScript for both loops;
 *  - dot products: four partial sums over n ≡ 0, 1, 2, 3 (mod 4), combined as (d0 + d1) + (d2 + d3),
 *    held here as two f64x2 accumulators; WebAssembly has no fused multiply-add in its base SIMD
 *    set, so every product is rounded before it is added, as in JavaScript;
 *  - the update w ← s·w + g x (or w + g x when s = 1).
 * What it adds over the JavaScript loop: two lanes per instruction, two rows per pass (each x load
 * serves two rows and the rows' sums are independent chains), and the fusion of step t's update
 * with step t+1's pre-activations (w is read and written once per step instead of read twice).
 * All arrays live in the imported memory at byte offsets chosen by src/sim/wasmKernel.ts.
 */

@external("env", "exp") declare function jsExp(x: f64): f64;
@external("env", "log") declare function jsLog(x: f64): f64;

const ZIG_R: f64 = 3.442619855899;

// xoshiro128** state and the ziggurat tables (KN: i32[128], WN, FN: f64[128]).
let s0: u32 = 1, s1: u32 = 0, s2: u32 = 0, s3: u32 = 0;
let kn: usize = 0, wn: usize = 0, fn: usize = 0;

export function setZiggurat(knPtr: usize, wnPtr: usize, fnPtr: usize): void {
  kn = knPtr; wn = wnPtr; fn = fnPtr;
}

export function setState(a: u32, b: u32, c: u32, d: u32): void {
  s0 = a; s1 = b; s2 = c; s3 = d;
}

/** Word i (0..3) of the generator state. */
export function getState(i: i32): u32 {
  return i == 0 ? s0 : i == 1 ? s1 : i == 2 ? s2 : s3;
}

@inline function nextU32(): u32 {
  const r = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl<u32>(s3, 11);
  return r;
}

function uniform(): f64 {
  const hi = nextU32() >>> 5, lo = nextU32() >>> 6;
  return (<f64>hi * 67108864.0 + <f64>lo) / 9007199254740992.0;
}

@inline function knAt(iz: i32): i32 { return load<i32>(kn + (<usize>iz << 2)); }
@inline function wnAt(iz: i32): f64 { return load<f64>(wn + (<usize>iz << 3)); }
@inline function fnAt(iz: i32): f64 { return load<f64>(fn + (<usize>iz << 3)); }

/** The wedge or the tail of the ziggurat (Rng.gaussianSlow, same draws in the same order). */
function gaussianSlow(j: i32, iz: i32): f64 {
  while (true) {
    const x = <f64>j * wnAt(iz);
    if (iz == 0) {
      let tx: f64, ty: f64;
      do {
        tx = -jsLog(1 - uniform()) / ZIG_R;
        ty = -jsLog(1 - uniform());
      } while (ty + ty < tx * tx);
      return j > 0 ? ZIG_R + tx : -ZIG_R - tx;
    }
    if (fnAt(iz) + uniform() * (fnAt(iz - 1) - fnAt(iz)) < jsExp(-0.5 * x * x)) return x;
    const u = <i32>nextU32();
    iz = u & 127;
    j = u >> 7;
    if (abs<i32>(j) < knAt(iz)) return <f64>j * wnAt(iz);
  }
}

export function gaussian(): f64 {
  const u = <i32>nextU32();
  const iz = u & 127, j = u >> 7;
  if (abs<i32>(j) < knAt(iz)) return <f64>j * wnAt(iz);
  return gaussianSlow(j, iz);
}

/** out[0..n) ← standard normal draws (the generator state in locals on the fast path). */
export function fillGaussian(out: usize, n: i32): void {
  let a = s0, b = s1, c = s2, d = s3;
  for (let i = 0; i < n; i++) {
    const u = <i32>(rotl<u32>(b * 5, 7) * 9);
    const t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
    const iz = u & 127, j = u >> 7;
    const p = out + (<usize>i << 3);
    if (abs<i32>(j) < knAt(iz)) { store<f64>(p, <f64>j * wnAt(iz)); continue; }
    s0 = a; s1 = b; s2 = c; s3 = d;
    store<f64>(p, gaussianSlow(j, iz));
    a = s0; b = s1; c = s2; d = s3;
  }
  s0 = a; s1 = b; s2 = c; s3 = d;
}

/** The tail elements n ≥ 4⌊N/4⌋ go into d0 one by one after the main loop, as in JavaScript. */
@inline function dotTail(a: usize, x: usize, from: i32, n: i32, d0: f64): f64 {
  for (let i = from; i < n; i++) d0 += load<f64>(a + (<usize>i << 3)) * load<f64>(x + (<usize>i << 3));
  return d0;
}

/** (d0 + d1) + (d2 + d3) from the accumulators [d0, d1] and [d2, d3], the tail folded into d0. */
@inline function finish(lo: v128, hi: v128, a: usize, x: usize, from: i32, n: i32): f64 {
  const d0 = dotTail(a, x, from, n, f64x2.extract_lane(lo, 0));
  return (d0 + f64x2.extract_lane(lo, 1)) + (f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1));
}

/** out[r] ← (A_r · x) · scale for the `rows` rows of the row-major rows × n matrix A. */
export function dotRows(A: usize, rows: i32, n: i32, x: usize, out: usize, scale: f64): void {
  const stride = <usize>n << 3;
  const n4 = n & ~3;
  let r = 0;
  for (; r + 1 < rows; r += 2) {
    const a0 = A + <usize>r * stride, a1 = a0 + stride;
    let p0 = f64x2.splat(0), q0 = f64x2.splat(0), p1 = f64x2.splat(0), q1 = f64x2.splat(0);
    for (let i = 0; i < n4; i += 4) {
      const o = <usize>i << 3;
      const x0 = v128.load(x + o), x1 = v128.load(x + o, 16);
      p0 = f64x2.add(p0, f64x2.mul(v128.load(a0 + o), x0));
      q0 = f64x2.add(q0, f64x2.mul(v128.load(a0 + o, 16), x1));
      p1 = f64x2.add(p1, f64x2.mul(v128.load(a1 + o), x0));
      q1 = f64x2.add(q1, f64x2.mul(v128.load(a1 + o, 16), x1));
    }
    store<f64>(out + (<usize>r << 3), finish(p0, q0, a0, x, n4, n) * scale);
    store<f64>(out + (<usize>(r + 1) << 3), finish(p1, q1, a1, x, n4, n) * scale);
  }
  if (r < rows) {
    const a0 = A + <usize>r * stride;
    let p0 = f64x2.splat(0), q0 = f64x2.splat(0);
    for (let i = 0; i < n4; i += 4) {
      const o = <usize>i << 3;
      p0 = f64x2.add(p0, f64x2.mul(v128.load(a0 + o), v128.load(x + o)));
      q0 = f64x2.add(q0, f64x2.mul(v128.load(a0 + o, 16), v128.load(x + o, 16)));
    }
    store<f64>(out + (<usize>r << 3), finish(p0, q0, a0, x, n4, n) * scale);
  }
}

/** w_r ← s·w_r + g_r x (w_r + g_r x when s = 1) for each row r of W. */
export function updateRows(W: usize, rows: i32, n: i32, grad: usize, shrink: f64, x: usize): void {
  const stride = <usize>n << 3;
  const n2 = n & ~1;
  const sv = f64x2.splat(shrink);
  for (let r = 0; r < rows; r++) {
    const w = W + <usize>r * stride;
    const g = load<f64>(grad + (<usize>r << 3));
    const gv = f64x2.splat(g);
    if (shrink == 1) {
      for (let i = 0; i < n2; i += 2) {
        const o = <usize>i << 3;
        v128.store(w + o, f64x2.add(v128.load(w + o), f64x2.mul(gv, v128.load(x + o))));
      }
      if (n2 < n) { const o = <usize>n2 << 3; store<f64>(w + o, load<f64>(w + o) + g * load<f64>(x + o)); }
    } else {
      for (let i = 0; i < n2; i += 2) {
        const o = <usize>i << 3;
        v128.store(w + o, f64x2.add(f64x2.mul(sv, v128.load(w + o)), f64x2.mul(gv, v128.load(x + o))));
      }
      if (n2 < n) { const o = <usize>n2 << 3; store<f64>(w + o, shrink * load<f64>(w + o) + g * load<f64>(x + o)); }
    }
  }
}

/**
 * One pass over W for two consecutive steps: w_r ← s·w_r + g_r x_old (this step's update), then
 * out[r] ← (w_r · x_new) · scale with the updated w_r (the next step's pre-activation).
 */
export function updateDotRows(W: usize, rows: i32, n: i32, grad: usize, shrink: f64, xOld: usize, xNew: usize, out: usize, scale: f64): void {
  if (shrink != 1) {
    // Weight decay is the rare case: keep it simple, two passes.
    updateRows(W, rows, n, grad, shrink, xOld);
    dotRows(W, rows, n, xNew, out, scale);
    return;
  }
  const stride = <usize>n << 3;
  const n4 = n & ~3;
  let r = 0;
  for (; r + 1 < rows; r += 2) {
    const a0 = W + <usize>r * stride, a1 = a0 + stride;
    const g0 = f64x2.splat(load<f64>(grad + (<usize>r << 3)));
    const g1 = f64x2.splat(load<f64>(grad + (<usize>(r + 1) << 3)));
    let p0 = f64x2.splat(0), q0 = f64x2.splat(0), p1 = f64x2.splat(0), q1 = f64x2.splat(0);
    for (let i = 0; i < n4; i += 4) {
      const o = <usize>i << 3;
      const u0 = v128.load(xOld + o), u1 = v128.load(xOld + o, 16);
      const x0 = v128.load(xNew + o), x1 = v128.load(xNew + o, 16);
      const w00 = f64x2.add(v128.load(a0 + o), f64x2.mul(g0, u0));
      const w01 = f64x2.add(v128.load(a0 + o, 16), f64x2.mul(g0, u1));
      const w10 = f64x2.add(v128.load(a1 + o), f64x2.mul(g1, u0));
      const w11 = f64x2.add(v128.load(a1 + o, 16), f64x2.mul(g1, u1));
      v128.store(a0 + o, w00); v128.store(a0 + o, w01, 16);
      v128.store(a1 + o, w10); v128.store(a1 + o, w11, 16);
      p0 = f64x2.add(p0, f64x2.mul(w00, x0));
      q0 = f64x2.add(q0, f64x2.mul(w01, x1));
      p1 = f64x2.add(p1, f64x2.mul(w10, x0));
      q1 = f64x2.add(q1, f64x2.mul(w11, x1));
    }
    for (let i = n4; i < n; i++) {
      const o = <usize>i << 3;
      const u = load<f64>(xOld + o);
      store<f64>(a0 + o, load<f64>(a0 + o) + f64x2.extract_lane(g0, 0) * u);
      store<f64>(a1 + o, load<f64>(a1 + o) + f64x2.extract_lane(g1, 0) * u);
    }
    store<f64>(out + (<usize>r << 3), finish(p0, q0, a0, xNew, n4, n) * scale);
    store<f64>(out + (<usize>(r + 1) << 3), finish(p1, q1, a1, xNew, n4, n) * scale);
  }
  if (r < rows) {
    const a0 = W + <usize>r * stride;
    const g = load<f64>(grad + (<usize>r << 3));
    const g0 = f64x2.splat(g);
    let p0 = f64x2.splat(0), q0 = f64x2.splat(0);
    for (let i = 0; i < n4; i += 4) {
      const o = <usize>i << 3;
      const w00 = f64x2.add(v128.load(a0 + o), f64x2.mul(g0, v128.load(xOld + o)));
      const w01 = f64x2.add(v128.load(a0 + o, 16), f64x2.mul(g0, v128.load(xOld + o, 16)));
      v128.store(a0 + o, w00); v128.store(a0 + o, w01, 16);
      p0 = f64x2.add(p0, f64x2.mul(w00, v128.load(xNew + o)));
      q0 = f64x2.add(q0, f64x2.mul(w01, v128.load(xNew + o, 16)));
    }
    for (let i = n4; i < n; i++) {
      const o = <usize>i << 3;
      store<f64>(a0 + o, load<f64>(a0 + o) + g * load<f64>(xOld + o));
    }
    store<f64>(out + (<usize>r << 3), finish(p0, q0, a0, xNew, n4, n) * scale);
  }
}

/**
 * The mini-batch update: w_r ← s·w_r + Σ_b g_rb x_b over the batch's B inputs (x_0 at `x0`, x_b for
 * b ≥ 1 at Xrest + (b − 1)·n; grad: rows × B row-major), accumulated per element in the order
 * b = 0, 1, …, B − 1 starting from s·w_r + g_r0 x_0 (w_r + g_r0 x_0 when s = 1), exactly as
 * src/sim/sgd.ts's plain loop; then, when xNew ≠ 0, out[r] ← (w_r · xNew)·scale with the updated
 * w_r (the next step's first pre-activation, dotRows' order), fused as for batch 1.
 * Elements are independent, so the loops may be interchanged without changing a bit: W is walked
 * in blocks of BLOCK elements (in L1), each block taking the inputs four at a time
 * ((((w + g_1 x_1) + g_2 x_2) + g_3 x_3) + g_4 x_4: one load and store of w per four inputs).
 * When xNew2 ≠ 0 (n_b = 2, whose next step's second input is drawn before this update too),
 * out2[r] ← (w_r · xNew2)·scale likewise: the second input's fields cost no pass of their own.
 * Measured (n = 1000, p = 4, B = 16): an inner loop over b per element pair ran 12 % slower per
 * sample than batch 1; blocked and fused, within a few per cent of it.
 */
const BLOCK: i32 = 256; // a multiple of 4: the dot's four-way split runs on across blocks

export function updateRowsBatch(W: usize, rows: i32, n: i32, grad: usize, B: i32, shrink: f64, x0: usize, Xrest: usize, xNew: usize, out: usize, scale: f64, xNew2: usize, out2: usize): void {
  const stride = <usize>n << 3;
  const sv = f64x2.splat(shrink);
  const n4 = n & ~3;
  for (let r = 0; r < rows; r++) {
    const w = W + <usize>r * stride;
    const gRow = grad + ((<usize>r * <usize>B) << 3);
    let p0 = f64x2.splat(0), q0 = f64x2.splat(0), p1 = f64x2.splat(0), q1 = f64x2.splat(0);
    if (B == 2 && xNew != 0 && xNew2 != 0) {
      // n_b = 2 with both next fields: one loop, each element updated ((s·)w + g_0 x_0) + g_1 x_1 and
      // then taken into both dots (dotRows' accumulators, four elements a turn) while in registers.
      const g0 = load<f64>(gRow), g1 = load<f64>(gRow + 8);
      const g0v = f64x2.splat(g0), g1v = f64x2.splat(g1);
      const x1 = Xrest;
      for (let i = 0; i < n4; i += 4) {
        const o = <usize>i << 3;
        let wa = v128.load(w + o), wb = v128.load(w + o, 16);
        if (shrink != 1) { wa = f64x2.mul(sv, wa); wb = f64x2.mul(sv, wb); }
        wa = f64x2.add(f64x2.add(wa, f64x2.mul(g0v, v128.load(x0 + o))), f64x2.mul(g1v, v128.load(x1 + o)));
        wb = f64x2.add(f64x2.add(wb, f64x2.mul(g0v, v128.load(x0 + o, 16))), f64x2.mul(g1v, v128.load(x1 + o, 16)));
        v128.store(w + o, wa); v128.store(w + o, wb, 16);
        p0 = f64x2.add(p0, f64x2.mul(wa, v128.load(xNew + o)));
        q0 = f64x2.add(q0, f64x2.mul(wb, v128.load(xNew + o, 16)));
        p1 = f64x2.add(p1, f64x2.mul(wa, v128.load(xNew2 + o)));
        q1 = f64x2.add(q1, f64x2.mul(wb, v128.load(xNew2 + o, 16)));
      }
      for (let i = n4; i < n; i++) {
        const o = <usize>i << 3;
        const a = shrink != 1 ? shrink * load<f64>(w + o) + g0 * load<f64>(x0 + o) : load<f64>(w + o) + g0 * load<f64>(x0 + o);
        store<f64>(w + o, a + g1 * load<f64>(x1 + o));
      }
      store<f64>(out + (<usize>r << 3), finish(p0, q0, w, xNew, n4, n) * scale);
      store<f64>(out2 + (<usize>r << 3), finish(p1, q1, w, xNew2, n4, n) * scale);
      continue;
    }
    for (let lo = 0; lo < n; lo += BLOCK) {
      const hi = min(lo + BLOCK, n);
      const hi2 = lo + ((hi - lo) & ~1);
      const g0 = load<f64>(gRow), g0v = f64x2.splat(g0);
      // b = 0: s·w + g_0 x_0 (w + g_0 x_0 when s = 1).
      {
        if (shrink == 1) {
          for (let i = lo; i < hi2; i += 2) { const o = <usize>i << 3; v128.store(w + o, f64x2.add(v128.load(w + o), f64x2.mul(g0v, v128.load(x0 + o)))); }
          if (hi2 < hi) { const o = <usize>hi2 << 3; store<f64>(w + o, load<f64>(w + o) + g0 * load<f64>(x0 + o)); }
        } else {
          for (let i = lo; i < hi2; i += 2) { const o = <usize>i << 3; v128.store(w + o, f64x2.add(f64x2.mul(sv, v128.load(w + o)), f64x2.mul(g0v, v128.load(x0 + o)))); }
          if (hi2 < hi) { const o = <usize>hi2 << 3; store<f64>(w + o, shrink * load<f64>(w + o) + g0 * load<f64>(x0 + o)); }
        }
      }
      let b = 1;
      if (B <= 4) {
        // Small batches: inputs 1 … B − 1 in one more pass, (w + g_1 x_1) + g_2 x_2 …, the order kept.
        const x1 = Xrest, x2 = x1 + stride, x3 = x2 + stride;
        const g1 = load<f64>(gRow + 8), g2 = B > 2 ? load<f64>(gRow + 16) : 0, g3 = B > 3 ? load<f64>(gRow + 24) : 0;
        const g1v = f64x2.splat(g1), g2v = f64x2.splat(g2), g3v = f64x2.splat(g3);
        if (B == 2) {
          for (let i = lo; i < hi2; i += 2) { const o = <usize>i << 3; v128.store(w + o, f64x2.add(v128.load(w + o), f64x2.mul(g1v, v128.load(x1 + o)))); }
        } else if (B == 3) {
          for (let i = lo; i < hi2; i += 2) { const o = <usize>i << 3; v128.store(w + o, f64x2.add(f64x2.add(v128.load(w + o), f64x2.mul(g1v, v128.load(x1 + o))), f64x2.mul(g2v, v128.load(x2 + o)))); }
        } else {
          for (let i = lo; i < hi2; i += 2) {
            const o = <usize>i << 3;
            v128.store(w + o, f64x2.add(f64x2.add(f64x2.add(v128.load(w + o), f64x2.mul(g1v, v128.load(x1 + o))), f64x2.mul(g2v, v128.load(x2 + o))), f64x2.mul(g3v, v128.load(x3 + o))));
          }
        }
        if (hi2 < hi) {
          const o = <usize>hi2 << 3;
          let a = load<f64>(w + o) + g1 * load<f64>(x1 + o);
          if (B > 2) a += g2 * load<f64>(x2 + o);
          if (B > 3) a += g3 * load<f64>(x3 + o);
          store<f64>(w + o, a);
        }
        b = B;
      }
      for (; b + 3 < B; b += 4) {
        const x1 = Xrest + <usize>(b - 1) * stride, x2 = x1 + stride, x3 = x2 + stride, x4 = x3 + stride;
        const g1 = load<f64>(gRow + (<usize>b << 3)), g2 = load<f64>(gRow + (<usize>(b + 1) << 3));
        const g3 = load<f64>(gRow + (<usize>(b + 2) << 3)), g4 = load<f64>(gRow + (<usize>(b + 3) << 3));
        const g1v = f64x2.splat(g1), g2v = f64x2.splat(g2), g3v = f64x2.splat(g3), g4v = f64x2.splat(g4);
        for (let i = lo; i < hi2; i += 2) {
          const o = <usize>i << 3;
          let acc = f64x2.add(v128.load(w + o), f64x2.mul(g1v, v128.load(x1 + o)));
          acc = f64x2.add(acc, f64x2.mul(g2v, v128.load(x2 + o)));
          acc = f64x2.add(acc, f64x2.mul(g3v, v128.load(x3 + o)));
          v128.store(w + o, f64x2.add(acc, f64x2.mul(g4v, v128.load(x4 + o))));
        }
        if (hi2 < hi) {
          const o = <usize>hi2 << 3;
          store<f64>(w + o, (((load<f64>(w + o) + g1 * load<f64>(x1 + o)) + g2 * load<f64>(x2 + o)) + g3 * load<f64>(x3 + o)) + g4 * load<f64>(x4 + o));
        }
      }
      for (; b < B; b++) {
        const xb = Xrest + <usize>(b - 1) * stride;
        const g = load<f64>(gRow + (<usize>b << 3)), gv = f64x2.splat(g);
        for (let i = lo; i < hi2; i += 2) { const o = <usize>i << 3; v128.store(w + o, f64x2.add(v128.load(w + o), f64x2.mul(gv, v128.load(xb + o)))); }
        if (hi2 < hi) { const o = <usize>hi2 << 3; store<f64>(w + o, load<f64>(w + o) + g * load<f64>(xb + o)); }
      }
      if (xNew != 0) {
        // This block's share of w_r · xNew, while it is in L1: dotRows' accumulators over n4.
        const top = min(hi, n4);
        for (let i = lo; i < top; i += 4) {
          const o = <usize>i << 3;
          p0 = f64x2.add(p0, f64x2.mul(v128.load(w + o), v128.load(xNew + o)));
          q0 = f64x2.add(q0, f64x2.mul(v128.load(w + o, 16), v128.load(xNew + o, 16)));
        }
        if (xNew2 != 0) {
          for (let i = lo; i < top; i += 4) {
            const o = <usize>i << 3;
            p1 = f64x2.add(p1, f64x2.mul(v128.load(w + o), v128.load(xNew2 + o)));
            q1 = f64x2.add(q1, f64x2.mul(v128.load(w + o, 16), v128.load(xNew2 + o, 16)));
          }
        }
      }
    }
    if (xNew != 0) store<f64>(out + (<usize>r << 3), finish(p0, q0, w, xNew, n4, n) * scale);
    if (xNew2 != 0) store<f64>(out2 + (<usize>r << 3), finish(p1, q1, w, xNew2, n4, n) * scale);
  }
}
