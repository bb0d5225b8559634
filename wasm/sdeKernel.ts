/**
 * The hot loops of the SDE's exact noise covariance (src/sde/quadraticNoise.ts, eqs. (5)–(8)) in
 * WebAssembly (AssemblyScript, compiled by wasm/build.mjs): the products S_m = 2 CA S_{m−1}
 * (`powers`) and the Hankel products t^W, the mean and the covariance loop (`covariance`). Every
 * sum runs in the order of the JavaScript in quadraticNoise.ts, product by product, and
 * WebAssembly has no fused multiply-add, so both give the same bits (tested). Pointers are byte
 * offsets in the imported memory; S_u[ab] lives at sv[(a n + b)·5 + u] (R = 4).
 */

/** S_m[ij] = 2 Σ_l CA[il] S_{m−1}[jl] for j ≥ i, mirrored, m = 1 … 4. */
export function powers(CA: usize, sv: usize, n: i32): void {
  for (let m = 1; m <= 4; m++) {
    for (let i = 0; i < n; i++) {
      const ri = CA + (<usize>(i * n) << 3);
      for (let j = i; j < n; j++) {
        let s: f64 = 0;
        let pl = sv + (<usize>(j * n * 5 + m - 1) << 3);
        for (let l = 0; l < n; l++, pl += 40) s += load<f64>(ri + (<usize>l << 3)) * load<f64>(pl);
        const v = 2 * s;
        store<f64>(sv + (<usize>((i * n + j) * 5 + m) << 3), v);
        store<f64>(sv + (<usize>((j * n + i) * 5 + m) << 3), v);
      }
    }
  }
}

@inline function ld(p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)); }

/**
 * t^W_ab[i] = Σ_j W[i+j] S_j[ab] for the three weight blocks (W at W: QQ, QM, MM, 5 each; tw
 * blocks at 0, 5nn, 10nn), the mean Σ_u m_x[u] S_u[ab] (m at mw: Q then M weights, 5 each), and
 * cov[x, y] of (8) minus the means' product, from the six offsets per pair at offs (i32).
 */
export function covariance(sv: usize, tw: usize, W: usize, mw: usize, a: usize, b: usize, isQ: usize, offs: usize, mean: usize, cov: usize, n: i32, dim: i32): void {
  const nn = n * n;
  const q0 = ld(W, 0), q1 = ld(W, 1), q2 = ld(W, 2), q3 = ld(W, 3), q4 = ld(W, 4);
  const h0 = ld(W, 5), h1 = ld(W, 6), h2 = ld(W, 7), h3 = ld(W, 8), h4 = ld(W, 9);
  const m0 = ld(W, 10), m1 = ld(W, 11), m2 = ld(W, 12), m3 = ld(W, 13), m4 = ld(W, 14);
  const o1 = nn * 5, o2 = 2 * nn * 5;
  for (let ia = 0; ia < n; ia++) for (let ib = ia; ib < n; ib++) {
    const ab = (ia * n + ib) * 5, ba = (ib * n + ia) * 5;
    const v0 = ld(sv, ab), v1 = ld(sv, ab + 1), v2 = ld(sv, ab + 2), v3 = ld(sv, ab + 3), v4 = ld(sv, ab + 4);
    let t = 0 + q0 * v0 + q1 * v1 + q2 * v2 + q3 * v3 + q4 * v4; store<f64>(tw + (<usize>ab << 3), t); store<f64>(tw + (<usize>ba << 3), t);
    t = 0 + q1 * v0 + q2 * v1 + q3 * v2 + q4 * v3; store<f64>(tw + (<usize>(ab + 1) << 3), t); store<f64>(tw + (<usize>(ba + 1) << 3), t);
    t = 0 + q2 * v0 + q3 * v1 + q4 * v2; store<f64>(tw + (<usize>(ab + 2) << 3), t); store<f64>(tw + (<usize>(ba + 2) << 3), t);
    t = 0 + q3 * v0 + q4 * v1; store<f64>(tw + (<usize>(ab + 3) << 3), t); store<f64>(tw + (<usize>(ba + 3) << 3), t);
    t = 0 + q4 * v0; store<f64>(tw + (<usize>(ab + 4) << 3), t); store<f64>(tw + (<usize>(ba + 4) << 3), t);
    t = 0 + h0 * v0 + h1 * v1 + h2 * v2 + h3 * v3 + h4 * v4; store<f64>(tw + (<usize>(o1 + ab) << 3), t); store<f64>(tw + (<usize>(o1 + ba) << 3), t);
    t = 0 + h1 * v0 + h2 * v1 + h3 * v2 + h4 * v3; store<f64>(tw + (<usize>(o1 + ab + 1) << 3), t); store<f64>(tw + (<usize>(o1 + ba + 1) << 3), t);
    t = 0 + h2 * v0 + h3 * v1 + h4 * v2; store<f64>(tw + (<usize>(o1 + ab + 2) << 3), t); store<f64>(tw + (<usize>(o1 + ba + 2) << 3), t);
    t = 0 + h3 * v0 + h4 * v1; store<f64>(tw + (<usize>(o1 + ab + 3) << 3), t); store<f64>(tw + (<usize>(o1 + ba + 3) << 3), t);
    t = 0 + h4 * v0; store<f64>(tw + (<usize>(o1 + ab + 4) << 3), t); store<f64>(tw + (<usize>(o1 + ba + 4) << 3), t);
    t = 0 + m0 * v0 + m1 * v1 + m2 * v2 + m3 * v3 + m4 * v4; store<f64>(tw + (<usize>(o2 + ab) << 3), t); store<f64>(tw + (<usize>(o2 + ba) << 3), t);
    t = 0 + m1 * v0 + m2 * v1 + m3 * v2 + m4 * v3; store<f64>(tw + (<usize>(o2 + ab + 1) << 3), t); store<f64>(tw + (<usize>(o2 + ba + 1) << 3), t);
    t = 0 + m2 * v0 + m3 * v1 + m4 * v2; store<f64>(tw + (<usize>(o2 + ab + 2) << 3), t); store<f64>(tw + (<usize>(o2 + ba + 2) << 3), t);
    t = 0 + m3 * v0 + m4 * v1; store<f64>(tw + (<usize>(o2 + ab + 3) << 3), t); store<f64>(tw + (<usize>(o2 + ba + 3) << 3), t);
    t = 0 + m4 * v0; store<f64>(tw + (<usize>(o2 + ab + 4) << 3), t); store<f64>(tw + (<usize>(o2 + ba + 4) << 3), t);
  }
  for (let x = 0; x < dim; x++) {
    const ax = (load<i32>(a + (<usize>x << 2)) * n + load<i32>(b + (<usize>x << 2))) * 5;
    const w = load<u8>(isQ + <usize>x) != 0 ? mw : mw + 40;
    let s: f64 = 0;
    for (let u = 0; u < 5; u++) s += ld(w, u) * ld(sv, ax + u);
    store<f64>(mean + (<usize>x << 3), s);
  }
  let k = 0;
  for (let x = 0; x < dim; x++) {
    const mx = ld(mean, x);
    for (let y = x; y < dim; y++, k++) {
      const o = offs + (<usize>(6 * k) << 2);
      const tab = tw + (<usize>load<i32>(o) << 3), tac = tw + (<usize>load<i32>(o + 4) << 3), tad = tw + (<usize>load<i32>(o + 8) << 3);
      const scd = sv + (<usize>load<i32>(o + 12) << 3), sbd = sv + (<usize>load<i32>(o + 16) << 3), sbc = sv + (<usize>load<i32>(o + 20) << 3);
      const s =
        load<f64>(tab) * load<f64>(scd) + load<f64>(tac) * load<f64>(sbd) + load<f64>(tad) * load<f64>(sbc) +
        load<f64>(tab, 8) * load<f64>(scd, 8) + load<f64>(tac, 8) * load<f64>(sbd, 8) + load<f64>(tad, 8) * load<f64>(sbc, 8) +
        load<f64>(tab, 16) * load<f64>(scd, 16) + load<f64>(tac, 16) * load<f64>(sbd, 16) + load<f64>(tad, 16) * load<f64>(sbc, 16) +
        load<f64>(tab, 24) * load<f64>(scd, 24) + load<f64>(tac, 24) * load<f64>(sbd, 24) + load<f64>(tad, 24) * load<f64>(sbc, 24) +
        load<f64>(tab, 32) * load<f64>(scd, 32) + load<f64>(tac, 32) * load<f64>(sbd, 32) + load<f64>(tad, 32) * load<f64>(sbc, 32);
      const v = s - mx * ld(mean, y);
      store<f64>(cov + (<usize>(x * dim + y) << 3), v);
      store<f64>(cov + (<usize>(y * dim + x) << 3), v);
    }
  }
}

/**
 * Lower Cholesky factor L of the symmetric n×n A (row-major), pivots at or below `tol` taken as 0
 * with their column: src/sde/quadraticNoise.ts `cholesky` (semidefinite), operation for operation.
 */
export function cholesky(A: usize, L: usize, n: i32, tol: f64): void {
  memory.fill(L, 0, <usize>(n * n) << 3);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let s = ld(A, rj + j);
    for (let k = 0; k < j; k++) s -= ld(L, rj + k) * ld(L, rj + k);
    if (!(s > tol)) continue;
    const ljj = Math.sqrt(s);
    store<f64>(L + (<usize>(rj + j) << 3), ljj);
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let t = ld(A, ri + j);
      for (let k = 0; k < j; k++) t -= ld(L, ri + k) * ld(L, rj + k);
      store<f64>(L + (<usize>(ri + j) << 3), t / ljj);
    }
  }
}
