/**
 * The quadratic network's (Q⊥, M) right-hand side in WebAssembly (wasm/odeKernel.ts: overlaps,
 * rhs, and a whole Dormand–Prince 5(4) step on it, dopri5Step), one instance per problem with its
 * own memory holding the state, the derivative, the step's stages and every work matrix for the
 * whole integration. Its arithmetic is that of the JavaScript in quadratic.ts,
 * operation for operation (the products' order is rowDots.ts's), so both give the same bits; it
 * runs in place of the JavaScript wherever WebAssembly SIMD exists (Node, current browsers).
 */
import { odeKernelModule } from './rowDots.js';

interface Exports {
  setup(p: number, ps: number, at: number): void;
  overlaps(noise: number): number;
  getTau(): number;
  rhs(eps: number, gf: number, nq: number, decay: number): void;
  overlapsRhs(noise: number, gf: number, nq: number, decay: number): number;
  mirrorUpper(A: number): void;
  dopri5Step(h: number, rtol: number, atol: number, noise: number, gf: number, nq: number, decay: number): number;
  getLastEps(): number;
}

export interface QuadraticKernel {
  /** The state [Q⊥, M] the kernel works on, and dy/dα. */
  readonly Y: Float64Array;
  readonly DY: Float64Array;
  /** Upper triangles after overlaps(): K = MP⁻¹Mᵀ and Q = Q⊥ + K; D = MᵀM/p − P²/p*. */
  readonly K: Float64Array;
  readonly Q: Float64Array;
  readonly D: Float64Array;
  /** P⁻¹ and P²/p*, written once by the caller. */
  readonly Pinv: Float64Array;
  readonly P2s: Float64Array;
  overlaps(noise: number): number;
  tau(): number;
  rhs(eps: number, gf: number, nq: number, decay: number): void;
  /** overlaps then rhs at the state in Y; returns ε. */
  overlapsRhs(noise: number, gf: number, nq: number, decay: number): number;
  mirrorK(): void;
  mirrorQ(): void;
  /**
   * Dormand–Prince 5(4)'s state y, stages k1 … k7, new state and new state minus the error
   * estimate (dopri5.ts, integrate) in the kernel's memory.
   */
  readonly step: { readonly y: Float64Array; readonly k: readonly Float64Array[]; readonly yNew: Float64Array; readonly yErr: Float64Array };
  /**
   * One Dormand–Prince step of h from (y, k1 = f(y)): k2 … k7, yNew (left in Y with its
   * overlaps) and yErr; returns Σ (e_i/sc_i)² of the error estimate e.
   */
  dopri5Step(h: number, rtol: number, atol: number, noise: number, gf: number, nq: number, decay: number): number;
  /** ε at the new state of the last dopri5Step. */
  lastEps(): number;
}

const MAX_BYTES = 2 ** 31;

/** A kernel for width p and p* teacher units, or null where WebAssembly SIMD is missing or memory runs out. */
export function quadraticKernel(p: number, ps: number): QuadraticKernel | null {
  const module = odeKernelModule();
  if (!module) return null;
  const n = p * p + p * ps;
  // Sizes in numbers, in the order setup() reads the offsets.
  const sizes = [n, n, p * p, p * p, p * p, p * p, p * p, p * p, ps * ps, ps * ps, ps * ps,
    p * ps, p * ps, p * ps, p * ps, p * ps, p * ps, p * ps, p * ps, p, p,
    n, n, n, n, n, n, n, n, n, n];
  const at: number[] = [];
  let top = 128; // the offset table itself (31 offsets)
  for (const s of sizes) { at.push(top); top += Math.ceil((8 * s) / 16) * 16; }
  if (top > MAX_BYTES) return null;
  let memory: WebAssembly.Memory, k: Exports;
  try {
    memory = new WebAssembly.Memory({ initial: Math.ceil(top / 65536) });
    k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports;
  } catch {
    return null;
  }
  new Uint32Array(memory.buffer, 0, at.length).set(at);
  k.setup(p, ps, 0);
  const view = (i: number) => new Float64Array(memory.buffer, at[i], sizes[i]);
  return {
    Y: view(0), DY: view(1), K: view(5), Q: view(6), Pinv: view(8), P2s: view(9), D: view(10),
    overlaps: (noise) => k.overlaps(noise),
    tau: () => k.getTau(),
    rhs: (eps, gf, nq, decay) => k.rhs(eps, gf, nq, decay),
    overlapsRhs: (noise, gf, nq, decay) => k.overlapsRhs(noise, gf, nq, decay),
    mirrorK: () => k.mirrorUpper(at[5]),
    mirrorQ: () => k.mirrorUpper(at[6]),
    step: { y: view(21), k: [22, 23, 24, 25, 26, 27, 28].map(view), yNew: view(29), yErr: view(30) },
    dopri5Step: (h, rtol, atol, noise, gf, nq, decay) => k.dopri5Step(h, rtol, atol, noise, gf, nq, decay),
    lastEps: () => k.getLastEps(),
  };
}
