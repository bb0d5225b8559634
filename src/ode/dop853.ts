/**
 * Dormand–Prince 8(5,3) (Hairer's `dop853`; Hairer, Nørsett & Wanner, Solving ODEs I, §II.10,
 * coefficients of Dormand & Prince 1981 as published with that code): 12 stages a step (the
 * 13th evaluation, f at the new point, is the next step's first), an error estimate of order 5
 * corrected by a 3rd-order one, Hairer's step control (exponent 1/8, no PI term) and a
 * continuous extension of order 7 that costs 3 more evaluations in a step containing a save
 * time. Same options and result as `integrate` (dopri5.ts), including the output functional:
 * its local error is taken along the same error vector, so a loss is controlled relative to
 * itself as with Dormand–Prince 5(4).
 *
 * Why it is here: on the wide quadratic network's smooth plateau the steps are limited by
 * accuracy, not stability, and an 8th-order method takes about half the evaluations of the
 * 5th-order one for the same tolerance (README, *Wide students*).
 */
import type { IntegrateOptions, IntegrateResult, VectorField } from './integrateTypes.js';
import { saveBook, finishRun, initialStep, runSettings } from './rkDriver.js';
import { pow } from '../math/pow.js';

/** Nodes c_i of the 12 stages, and of the three extra stages of the continuous extension (13–15; 12 is t + h). */
const C = [0, 0.05260015195876773, 0.0789002279381516, 0.1183503419072274, 0.2816496580927726, 0.3333333333333333, 0.25,
  0.3076923076923077, 0.6512820512820513, 0.6, 0.8571428571428571, 1, 1, 0.1, 0.2, 0.7777777777777778];

/**
 * Row i: the nonzero a_ij (j < i) as [j, a_ij] pairs. Rows 1–11 are the step's stages, row 12
 * the 8th-order weights b (the new point), rows 13–15 the extension's stages (which also use
 * stage 12, f at the new point).
 */
const A: readonly (readonly [number, number][])[] = [
  [],
  [[0, 0.05260015195876773]],
  [[0, 0.0197250569845379], [1, 0.0591751709536137]],
  [[0, 0.02958758547680685], [2, 0.08876275643042054]],
  [[0, 0.2413651341592667], [2, -0.8845494793282861], [3, 0.924834003261792]],
  [[0, 0.037037037037037035], [3, 0.17082860872947386], [4, 0.12546768756682242]],
  [[0, 0.037109375], [3, 0.17025221101954405], [4, 0.06021653898045596], [5, -0.017578125]],
  [[0, 0.03709200011850479], [3, 0.17038392571223998], [4, 0.10726203044637328], [5, -0.015319437748624402], [6, 0.008273789163814023]],
  [[0, 0.6241109587160757], [3, -3.3608926294469414], [4, -0.868219346841726], [5, 27.59209969944671], [6, 20.154067550477894], [7, -43.48988418106996]],
  [[0, 0.47766253643826434], [3, -2.4881146199716677], [4, -0.590290826836843], [5, 21.230051448181193], [6, 15.279233632882423], [7, -33.28821096898486], [8, -0.020331201708508627]],
  [[0, -0.9371424300859873], [3, 5.186372428844064], [4, 1.0914373489967295], [5, -8.149787010746927], [6, -18.52006565999696], [7, 22.739487099350505], [8, 2.4936055526796523], [9, -3.0467644718982196]],
  [[0, 2.273310147516538], [3, -10.53449546673725], [4, -2.0008720582248625], [5, -17.9589318631188], [6, 27.94888452941996], [7, -2.8589982771350235], [8, -8.87285693353063], [9, 12.360567175794303], [10, 0.6433927460157636]],
  [[0, 0.054293734116568765], [5, 4.450312892752409], [6, 1.8915178993145003], [7, -5.801203960010585], [8, 0.3111643669578199], [9, -0.1521609496625161], [10, 0.20136540080403034], [11, 0.04471061572777259]],
  [[0, 0.056167502283047954], [6, 0.25350021021662483], [7, -0.2462390374708025], [8, -0.12419142326381637], [9, 0.15329179827876568], [10, 0.00820105229563469], [11, 0.007567897660545699], [12, -0.008298]],
  [[0, 0.03183464816350214], [5, 0.028300909672366776], [6, 0.053541988307438566], [7, -0.05492374857139099], [10, -0.00010834732869724932], [11, 0.0003825710908356584], [12, -0.00034046500868740456], [13, 0.1413124436746325]],
  [[0, -0.42889630158379194], [5, -4.697621415361164], [6, 7.683421196062599], [7, 4.06898981839711], [8, 0.3567271874552811], [12, -0.0013990241651590145], [13, 2.9475147891527724], [14, -9.15095847217987]],
];

/** Error estimates: the 5th-order one (E5) and the 3rd-order one (E3), over stages 0–11. */
const E5: readonly [number, number][] = [[0, 0.01312004499419488], [5, -1.2251564463762044], [6, -0.4957589496572502], [7, 1.6643771824549864], [8, -0.35032884874997366], [9, 0.3341791187130175], [10, 0.08192320648511571], [11, -0.022355307863886294]];
const E3: readonly [number, number][] = [[0, -0.18980075407240762], [5, 4.450312892752409], [6, 1.8915178993145003], [7, -5.801203960010585], [8, -0.4226823213237919], [9, -0.1521609496625161], [10, 0.20136540080403034], [11, 0.02265179219836082]];

/** The continuous extension's last four coefficient rows (Hairer's contd8 rcont5–8), over stages 0–15. */
const D: readonly (readonly [number, number][])[] = [
  [[0, -8.428938276109013], [5, 0.5667149535193777], [6, -3.0689499459498917], [7, 2.38466765651207], [8, 2.117034582445028], [9, -0.871391583777973], [10, 2.2404374302607883], [11, 0.6315787787694688], [12, -0.08899033645133331], [13, 18.148505520854727], [14, -9.194632392478356], [15, -4.436036387594894]],
  [[0, 10.427508642579134], [5, 242.28349177525817], [6, 165.20045171727028], [7, -374.5467547226902], [8, -22.113666853125306], [9, 7.733432668472264], [10, -30.674084731089398], [11, -9.332130526430229], [12, 15.697238121770845], [13, -31.139403219565178], [14, -9.35292435884448], [15, 35.81684148639408]],
  [[0, 19.985053242002433], [5, -387.0373087493518], [6, -189.17813819516758], [7, 527.8081592054236], [8, -11.57390253995963], [9, 6.8812326946963], [10, -1.0006050966910838], [11, 0.7777137798053443], [12, -2.778205752353508], [13, -60.19669523126412], [14, 84.32040550667716], [15, 11.99229113618279]],
  [[0, -25.69393346270375], [5, -154.18974869023643], [6, -231.5293791760455], [7, 357.6391179106141], [8, 93.40532418362432], [9, -37.45832313645163], [10, 104.0996495089623], [11, 29.8402934266605], [12, -43.53345659001114], [13, 96.32455395918828], [14, -39.17726167561544], [15, -149.72683625798564]],
];

/** The order conditions' data, for tests: nodes, stage rows, b, and the error rows. */
export const DOP853_TABLEAU = { C, A, E5, E3, D };

/** A row of coefficients as offsets into K (stage j at j·n) and values, for `combine`. */
interface Row { readonly at: Int32Array; readonly a: Float64Array }
const rowOf = (terms: readonly (readonly [number, number])[], n: number): Row =>
  ({ at: Int32Array.from(terms, ([j]) => j * n), a: Float64Array.from(terms, ([, a]) => a) });

/**
 * out[i] = Σ_r a_r K[at_r + i] for i in [i0, i1), summed over the row's terms in order, up to
 * four terms a pass. Callers go through the state in blocks of BLOCK numbers and do all of a
 * block's work at once: at wide p the state has 10⁴–10⁵ numbers and passes over whole vectors
 * are bound by memory traffic; a block's partial sums stay in the first-level cache.
 */
function rowSum(out: Float64Array, row: Row, K: Float64Array, i0: number, i1: number): void {
  const { at, a } = row, m = at.length;
  let r = 0;
  for (; r < m; r += 4) {
    const left = m - r, first = r === 0;
    const a0 = a[r], o0 = at[r];
    if (left >= 4) {
      const a1 = a[r + 1], a2 = a[r + 2], a3 = a[r + 3], o1 = at[r + 1], o2 = at[r + 2], o3 = at[r + 3];
      if (first) for (let i = i0; i < i1; i++) out[i] = a0 * K[o0 + i] + a1 * K[o1 + i] + a2 * K[o2 + i] + a3 * K[o3 + i];
      else for (let i = i0; i < i1; i++) out[i] = out[i] + a0 * K[o0 + i] + a1 * K[o1 + i] + a2 * K[o2 + i] + a3 * K[o3 + i];
    } else if (left === 3) {
      const a1 = a[r + 1], a2 = a[r + 2], o1 = at[r + 1], o2 = at[r + 2];
      if (first) for (let i = i0; i < i1; i++) out[i] = a0 * K[o0 + i] + a1 * K[o1 + i] + a2 * K[o2 + i];
      else for (let i = i0; i < i1; i++) out[i] = out[i] + a0 * K[o0 + i] + a1 * K[o1 + i] + a2 * K[o2 + i];
    } else if (left === 2) {
      const a1 = a[r + 1], o1 = at[r + 1];
      if (first) for (let i = i0; i < i1; i++) out[i] = a0 * K[o0 + i] + a1 * K[o1 + i];
      else for (let i = i0; i < i1; i++) out[i] = out[i] + a0 * K[o0 + i] + a1 * K[o1 + i];
    } else if (first) for (let i = i0; i < i1; i++) out[i] = a0 * K[o0 + i];
    else for (let i = i0; i < i1; i++) out[i] = out[i] + a0 * K[o0 + i];
  }
}

const BLOCK = 512;

/** out = y + h Σ_r a_r K_r (the stage combinations), block by block. `out` is not `y`. */
function combine(out: Float64Array, y: Float64Array, h: number, row: Row, K: Float64Array, n: number): void {
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const i1 = Math.min(n, i0 + BLOCK);
    rowSum(out, row, K, i0, i1);
    for (let i = i0; i < i1; i++) out[i] = y[i] + h * out[i];
  }
}

export function integrateDop853(f: VectorField, y0: Float64Array, opts: IntegrateOptions): IntegrateResult {
  const n = y0.length;
  const { rtol, atol, maxSteps, t0, tFinal } = runSettings(opts);
  const saveAt = opts.saveAt;
  let t = t0;

  const y = Float64Array.from(y0);
  // The 16 stages, n numbers each: 0–11 the step's, 12 f at the new point, 13–15 the extension's.
  const K = new Float64Array(16 * n);
  const stage = (j: number) => K.subarray(j * n, (j + 1) * n);
  const k = Array.from({ length: 16 }, (_, j) => stage(j));
  const yStage = new Float64Array(n), yNew = new Float64Array(n), yErr = new Float64Array(n);
  const e5 = new Float64Array(n), e3 = new Float64Array(n);
  const [r1, r2, r3, r4, r5, r6, r7] = Array.from({ length: 7 }, () => new Float64Array(n));
  const output = opts.output;
  const rows = A.map((r) => rowOf(r, n));
  const err5 = rowOf(E5, n), err3 = rowOf(E3, n), dense = D.map((r) => rowOf(r, n));

  const book = saveBook(opts, y, t);
  let nfev = 0, accepted = 0, rejected = 0;
  const finish = (status: IntegrateResult['status'], message: string, stopped = false) => finishRun(book, { t, accepted, rejected, nfev }, y, status, message, stopped);
  if (book.next >= saveAt.length) return finish('completed', 'nothing to integrate');

  f(t, y, k[0]); nfev++;
  if (!k[0].every(Number.isFinite) || !y.every(Number.isFinite)) {
    return finish('failed', `the right-hand side is not finite at the initial point t = ${t} (degenerate initial condition?)`);
  }
  let h: number;
  if (opts.fixedStep !== undefined) h = opts.fixedStep;
  else { h = initialStep(f, t, y, k[0], k[1], k[2], yStage, tFinal, rtol, atol, 8); nfev++; }

  let lastRejected = false;
  while (book.next < saveAt.length) {
    if (accepted + rejected >= maxSteps) return finish('failed', `gave up after ${maxSteps} steps at t = ${t}`);
    if (t + h > tFinal) h = tFinal - t;
    if (opts.fixedStep === undefined && (!(h > 1e-14 * Math.abs(t)) || h < 1e-300)) {
      return finish('failed', `step size underflow at t = ${t} (the equations are stiff or singular here)`);
    }
    for (let s = 1; s < 12; s++) {
      combine(yStage, y, h, rows[s], K, n);
      f(t + C[s] * h, yStage, k[s]);
    }
    combine(yNew, y, h, rows[12], K, n);
    nfev += 11;

    let err = 0;
    if (opts.fixedStep === undefined) {
      // Hairer's estimate: err = |h| ‖e5‖² / √(n (‖e5‖² + 0.01‖e3‖²)) in the scaled norm, i.e. the
      // RMS of the vector h·s·e5 with s = ‖e5‖/√(‖e5‖² + 0.01‖e3‖²): that vector is the error
      // the output functional is checked along.
      let s5 = 0, s3 = 0;
      for (let i0 = 0; i0 < n; i0 += BLOCK) {
        const i1 = Math.min(n, i0 + BLOCK);
        rowSum(e5, err5, K, i0, i1);
        rowSum(e3, err3, K, i0, i1);
        for (let i = i0; i < i1; i++) {
          const sc = atol + rtol * Math.max(Math.abs(y[i]), Math.abs(yNew[i]));
          const a = e5[i] / sc, b = e3[i] / sc;
          s5 += a * a; s3 += b * b;
        }
      }
      const deno = s5 + 0.01 * s3;
      const s = deno > 0 ? Math.sqrt(s5 / deno) : 0;
      // deno is NaN when a stage left the field's domain (a NaN right-hand side): reject, never accept as err = 0.
      err = deno > 0 ? (Math.abs(h) * s5) / Math.sqrt(n * deno) : deno === 0 ? 0 : Infinity;
      if (output && err <= 1) {
        for (let i = 0; i < n; i++) yErr[i] = yNew[i] - h * s * e5[i];
        const g1 = output.g(yNew);
        const eg = Math.abs(g1.value - output.g(yErr).value) / Math.max(output.rtol * Math.abs(g1.value) + g1.floor, Number.MIN_VALUE);
        err = Math.max(err, eg);
      }
      if (!Number.isFinite(err)) err = 1e10; // a stage blew up: retry with a much smaller step
    }

    if (err <= 1) {
      f(t + h, yNew, k[12]); nfev++;
      const tOld = t;
      t = t + h >= tFinal ? tFinal : t + h;
      accepted++;
      if (saveAt[book.next] <= t) {
        // Continuous extension (Hairer's contd8): three more stages, then
        // y(tOld + θh) = y + θ(r1 + (1−θ)(r2 + θ(r3 + (1−θ)(r4 + θ(r5 + (1−θ)(r6 + θ r7)))))),
        // r4…r7 = h·(rows of D)·K.
        for (let s = 13; s < 16; s++) {
          combine(yStage, y, h, rows[s], K, n);
          f(tOld + C[s] * h, yStage, k[s]);
        }
        nfev += 3;
        const o12 = 12 * n, rd = [r4, r5, r6, r7];
        for (let i0 = 0; i0 < n; i0 += BLOCK) {
          const i1 = Math.min(n, i0 + BLOCK);
          for (let i = i0; i < i1; i++) {
            const dy = yNew[i] - y[i], bspl = h * K[i] - dy;
            r1[i] = dy; r2[i] = bspl; r3[i] = dy - h * K[o12 + i] - bspl;
          }
          for (let d = 0; d < 4; d++) {
            const r = rd[d];
            rowSum(r, dense[d], K, i0, i1);
            for (let i = i0; i < i1; i++) r[i] = h * r[i];
          }
        }
        while (book.next < saveAt.length && saveAt[book.next] <= t) {
          const th = (saveAt[book.next] - tOld) / h, th1 = 1 - th;
          const out = book.stateFor(book.next);
          for (let i = 0; i < n; i++) {
            out[i] = y[i] + th * (r1[i] + th1 * (r2[i] + th * (r3[i] + th1 * (r4[i] + th * (r5[i] + th1 * (r6[i] + th * r7[i]))))));
          }
          book.save(book.next, out);
          book.next++;
        }
      }
      y.set(yNew);
      k[0].set(k[12]); // first-same-as-last
      const reason = opts.divergence?.(t, y) ?? null;
      if (reason !== null) return finish('diverged', reason);
      opts.onStep?.(t);
      if (book.next < saveAt.length && opts.stopWhen?.(t, y)) return finish('completed', `stopped at t = ${t}`, true);
      if (opts.fixedStep === undefined) {
        // Hairer's dop853 control: fac = err^{1/8}/0.9 clamped to [1/6, 3] (h grows at most 6×, shrinks at most 3×).
        const fac11 = pow(err, 1 / 8);
        const fac = Math.max(1 / 6, Math.min(1 / 0.333, fac11 / 0.9));
        let hNew = h / fac;
        if (lastRejected) hNew = Math.min(hNew, h);
        lastRejected = false;
        h = hNew;
      }
    } else {
      const fac11 = pow(err, 1 / 8);
      h = h / Math.min(1 / 0.333, fac11 / 0.9);
      lastRejected = true;
      rejected++;
    }
  }
  return finish('completed', `reached t = ${tFinal}`);
}
