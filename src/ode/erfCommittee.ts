/**
 * The committee ODE (committee.ts, same equations) for σ = σ* = erf(·/√2), with the closed forms
 * of gauss/erf.ts regrouped so that what repeats across pairs is computed once. For a wide
 * student this is the cost of the whole method: the η² term needs E[σ'(λ_k)σ'(λ_l) e²] =
 * Σ_uw c_u c_w I4(k, l, u, w) for every pair k ≤ l, i.e. p(p+1)/2 · n(n+1)/2 arcsines (n = p + p*).
 *
 * With a_i = 1 + C_ii and, for the pair (k, l), Λ₄ = a_k a_l − C_kl² (Saad & Solla's I4):
 *   Λ₁(u) = Λ₄ a_u − a_k C_lu² − a_l C_ku² + 2 C_kl C_ku C_lu         (one per u, not per (u, w))
 *   Λ₀(u, w) = Λ₄ C_uw + (C_kl C_ku − a_k C_lu) C_lw + (C_kl C_lu − a_l C_ku) C_kw
 *   I4 = (4/π²) Λ₄^{−1/2} arcsin(Λ₀ r_u r_w),  r_u = Λ₁(u)^{−1/2}
 * so the inner loop is three multiply-adds and one arcsine. The drift needs
 * E[e σ'(λ_a) z_b] = Σ_u c_u I3(a, b, u) = a_a (G C)_ab − C_ab (G ∘ C)_a·1, with
 * G_au = c_u (2/π)/(a_a √(a_a a_u − C_au²)): a matrix product instead of p·n² closures.
 * The arcsine sums run in the WebAssembly SIMD kernel wasm/erfKernel.ts (two arcsines per
 * instruction, a rational arcsine inline instead of a call to Math.asin) where the runtime has
 * SIMD, else in erfNoiseSumsJs below, which does the same arithmetic in the same order: both give
 * the same bits. Nothing is allocated per call.
 */
import type { DynamicsParams, OverlapRhs } from './equations.js';
import type { Network } from '../model/network.js';
import { ERF_KERNEL_BASE64 } from './erfKernelBinary.js';
import { kernelAsin } from '../gauss/kernelMath.js';

const TWO_PI = 2 / Math.PI, FOUR_PI2 = 4 / (Math.PI * Math.PI);

export function isErfCommittee(net: Network): boolean {
  return net.student.name === 'erf' && net.teacher.name === 'erf';
}

export function erfCommitteeRhs(params: DynamicsParams, net: Network): OverlapRhs {
  const { p, pStar, eta, noise, P } = params;
  const decay = params.weightDecay ?? 0;
  const withNoise = params.sgdNoise !== false;
  const n = p + pStar, pp = p * p, offV = pp + p * pStar;
  const train = params.secondLayerRate !== undefined;
  const C = new Float64Array(n * n), a = new Float64Array(n), c = new Float64Array(n), S = new Float64Array(p * p);
  const noiseSums = erfNoiseSums(p, n);
  const G = new Float64Array(p * n), g = new Float64Array(p), GC = new Float64Array(p * n);
  for (let j = 0; j < pStar; j++) {
    c[p + j] = -net.vStar[j];
    for (let i = 0; i < pStar; i++) C[(p + i) * n + p + j] = P[i * pStar + j];
  }
  for (let k = 0; k < p; k++) c[k] = net.v[k];
  return (y, dy) => {
    if (train) for (let k = 0; k < p; k++) c[k] = y[offV + k];
    for (let k = 0; k < p; k++) {
      for (let l = 0; l < p; l++) C[k * n + l] = y[k * p + l];
      for (let j = 0; j < pStar; j++) { const m = y[pp + k * pStar + j]; C[k * n + p + j] = m; C[(p + j) * n + k] = m; }
    }
    for (let i = 0; i < n; i++) a[i] = 1 + C[i * n + i];
    // dv_k/dα = −η_v Σ_u c_u I2(k, u), I2 = (2/π) arcsin(C_ku/√(a_k a_u)).
    if (train) {
      for (let k = 0; k < p; k++) {
        let s = 0;
        for (let u = 0; u < n; u++) s += c[u] * TWO_PI * Math.asin(C[k * n + u] / Math.sqrt(a[k] * a[u]));
        dy[offV + k] = -params.secondLayerRate! * s;
      }
    }
    // Drift: E[e σ'(λ_a) z_b] = a_a (G C)_ab − C_ab g_a.
    for (let k = 0; k < p; k++) {
      let s = 0;
      for (let u = 0; u < n; u++) {
        const cku = C[k * n + u];
        const gku = (c[u] * TWO_PI) / (a[k] * Math.sqrt(a[k] * a[u] - cku * cku));
        G[k * n + u] = gku;
        s += gku * cku;
      }
      g[k] = s;
      for (let b = 0; b < n; b++) {
        let t = 0;
        for (let u = 0; u < n; u++) t += G[k * n + u] * C[u * n + b];
        GC[k * n + b] = t;
      }
    }
    const eDz = (k: number, b: number) => a[k] * GC[k * n + b] - C[k * n + b] * g[k];
    if (withNoise) noiseSums.run(C, c, a, S);
    for (let k = 0; k < p; k++) {
      for (let j = 0; j < pStar; j++) dy[pp + k * pStar + j] = -eta * c[k] * eDz(k, p + j) - eta * decay * C[k * n + p + j];
      for (let l = k; l < p; l++) {
        let e2 = 0;
        if (withNoise) {
          const ckl = C[k * n + l];
          const l4 = a[k] * a[l] - ckl * ckl;
          e2 = (2 * S[k * p + l] * FOUR_PI2 + noise * TWO_PI) / Math.sqrt(l4); // + Δ J2, J2 = (2/π) Λ₄^{−1/2}
        }
        const d = -eta * (c[k] * eDz(k, l) + c[l] * eDz(l, k)) + eta * eta * c[k] * c[l] * e2 - 2 * eta * decay * C[k * n + l];
        dy[k * p + l] = d;
        dy[l * p + k] = d;
      }
    }
  };
}

// ─── The arcsine sums S_kl (wasm/erfKernel.ts, whose header gives the formula and the order) ───

/** Offsets (in numbers) of the kernel's memory layout for n = p + p* variables (side m: n padded to even). */
function noiseLayout(p: number, n: number) {
  const m = (n + 1) & ~1;
  const c = m * m, a = c + m, r = a + m, ck = r + m, cl = ck + m, fl = cl + m, fk = fl + m, S = fk + m;
  return { m, c, a, r, ck, cl, fl, fk, S, size: S + p * p };
}

/**
 * The JavaScript twin of the kernel's noiseSums, on one array in the kernel's layout: the same
 * operations in the same order (lanes of even and odd w from u & ~1, the first pair weighted
 * (½ c_u, c_{u+1}) or (0, ½ c_u), then lane 0 + lane 1), so the same bits.
 */
export function erfNoiseSumsJs(p: number, n: number, mem: Float64Array): void {
  const L = noiseLayout(p, n), m = L.m;
  const xAt = (row: number, w: number, l4: number, flu: number, fku: number, ru: number) =>
    kernelAsin((l4 * mem[row + w] + flu * mem[L.cl + w] + fku * mem[L.ck + w]) * ru * mem[L.r + w]);
  for (let k = 0; k < p; k++) {
    for (let l = k; l < p; l++) {
      const ak = mem[L.a + k], al = mem[L.a + l], ckl = mem[k * m + l];
      const l4 = ak * al - ckl * ckl;
      for (let u = 0; u < n; u++) {
        const cku = mem[k * m + u], clu = mem[l * m + u];
        mem[L.ck + u] = cku;
        mem[L.cl + u] = clu;
        const l1 = l4 * mem[L.a + u] - ak * clu * clu - al * cku * cku + 2 * ckl * cku * clu;
        mem[L.r + u] = 1 / Math.sqrt(l1);
        mem[L.fl + u] = ckl * cku - ak * clu;
        mem[L.fk + u] = ckl * clu - al * cku;
      }
      let s = 0;
      for (let u = 0; u < n; u++) {
        const cu = mem[L.c + u], ru = mem[L.r + u], flu = mem[L.fl + u], fku = mem[L.fk + u], row = u * m;
        let w = u & ~1;
        // w = u (Λ₀ = Λ₁(u) − Λ₄ there) weighs ½ c_u; w = u − 1 (odd u) weighs 0.
        let acc0 = (u & 1) === 0 ? 0.5 * cu * xAt(row, w, l4, flu, fku, ru) : 0 * xAt(row, w, l4, flu, fku, ru);
        let acc1 = ((u & 1) === 0 ? mem[L.c + u + 1] : 0.5 * cu) * xAt(row, w + 1, l4, flu, fku, ru);
        for (w += 2; w < m; w += 2) {
          acc0 += mem[L.c + w] * xAt(row, w, l4, flu, fku, ru);
          acc1 += mem[L.c + w + 1] * xAt(row, w + 1, l4, flu, fku, ru);
        }
        s += cu * (acc0 + acc1);
      }
      mem[L.S + k * p + l] = s;
    }
  }
}

let erfModule: WebAssembly.Module | null | undefined;

/** The compiled kernel (cached per thread), or null where WebAssembly SIMD is missing. */
function erfKernelModule(): WebAssembly.Module | null {
  if (erfModule !== undefined) return erfModule;
  try {
    erfModule = new WebAssembly.Module(Uint8Array.from(atob(ERF_KERNEL_BASE64), (ch) => ch.charCodeAt(0)));
  } catch {
    erfModule = null;
  }
  return erfModule;
}

export interface ErfNoiseSums {
  /**
   * S_kl = Σ_u c_u (½ c_u asin x_uu + Σ_{w>u} c_w asin x_uw) for k ≤ l into S (p × p row-major),
   * from the joint covariance C (n × n), c = (v, −v*) and a = 1 + diag C.
   */
  run(C: Float64Array, c: Float64Array, a: Float64Array, S: Float64Array): void;
  /** Whether run() is the WebAssembly kernel (false: erfNoiseSumsJs). */
  readonly wasm: boolean;
}

/** The arcsine sums for p students and n − p teachers, in a kernel instance of their own (or the fallback; `useWasm: false` forces it). */
export function erfNoiseSums(p: number, n: number, useWasm = true): ErfNoiseSums {
  const L = noiseLayout(p, n), m = L.m;
  const module = useWasm ? erfKernelModule() : null;
  let mem: Float64Array | null = null, kernel: ((p: number, n: number) => void) | null = null;
  if (module) {
    try {
      const memory = new WebAssembly.Memory({ initial: Math.ceil((8 * L.size) / 65536) });
      const k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as { noiseSums(p: number, n: number): void };
      mem = new Float64Array(memory.buffer, 0, L.size);
      kernel = k.noiseSums;
    } catch {
      mem = null; // memory refused: the fallback
    }
  }
  const wasm = mem !== null;
  const M = mem ?? new Float64Array(L.size); // zero: the padding stays 0
  return {
    wasm,
    run: (C, c, a, S) => {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) M[i * m + j] = C[i * n + j];
        M[L.c + i] = c[i];
        M[L.a + i] = a[i];
      }
      if (kernel) kernel(p, n);
      else erfNoiseSumsJs(p, n, M);
      for (let k = 0; k < p; k++) for (let l = k; l < p; l++) S[k * p + l] = M[L.S + k * p + l];
    },
  };
}
