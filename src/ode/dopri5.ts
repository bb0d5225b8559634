/**
 * Dormand–Prince 5(4) with Hairer's PI step-size control and 4th-order dense output
 * (Hairer, Nørsett & Wanner, Solving ODEs I, §II.4–II.6; the `dopri5` code). It knows nothing
 * of physics: a vector field, tolerances, the times to save at and a divergence check.
 * Like scipy's solve_ivp, the result says what happened (status, message, step counts).
 */
import type { VectorField, IntegrateOptions, IntegrateResult } from './integrateTypes.js';
import { saveBook, finishRun, initialStep, runSettings } from './rkDriver.js';
import { integrateDop853 } from './dop853.js';
import { pow } from '../math/pow.js';

export type { VectorField, IntegrateOptions, OutputFunctional, IntegrateResult } from './integrateTypes.js';

// Butcher tableau of Dormand & Prince (1980).
const C2 = 1 / 5, C3 = 3 / 10, C4 = 4 / 5, C5 = 8 / 9;
const A21 = 1 / 5;
const A31 = 3 / 40, A32 = 9 / 40;
const A41 = 44 / 45, A42 = -56 / 15, A43 = 32 / 9;
const A51 = 19372 / 6561, A52 = -25360 / 2187, A53 = 64448 / 6561, A54 = -212 / 729;
const A61 = 9017 / 3168, A62 = -355 / 33, A63 = 46732 / 5247, A64 = 49 / 176, A65 = -5103 / 18656;
const A71 = 35 / 384, A73 = 500 / 1113, A74 = 125 / 192, A75 = -2187 / 6784, A76 = 11 / 84;
// Error estimate: 5th-order minus embedded 4th-order weights.
const E1 = 71 / 57600, E3 = -71 / 16695, E4 = 71 / 1920, E5 = -17253 / 339200, E6 = 22 / 525, E7 = -1 / 40;
// Dense output (Hairer's contd5 coefficients).
const D1 = -12715105075 / 11282082432, D3 = 87487479700 / 32700410799, D4 = -10690763975 / 1880347072;
const D5 = 701980252875 / 199316789632, D6 = -1453857185 / 822651844, D7 = 69997945 / 29380423;

export function integrate(f: VectorField, y0: Float64Array, opts: IntegrateOptions): IntegrateResult {
  if (opts.method === 'dop853') return integrateDop853(f, y0, opts);
  const n = y0.length;
  const { rtol, atol, maxSteps, t0, tFinal } = runSettings(opts);
  const saveAt = opts.saveAt;
  let t = t0;

  // The field's own step (the WebAssembly kernel), working in its own buffers; else the stages below.
  const stepper = f.dopri5 !== undefined && f.dopri5.y.length === n ? f.dopri5 : null;
  const vec = (b: Float64Array | undefined) => b ?? new Float64Array(n);
  const y = vec(stepper?.y);
  y.set(y0);
  const [k1, k2, k3, k4, k5, k6, k7] = Array.from({ length: 7 }, (_, i) => vec(stepper?.k[i]));
  const yStage = new Float64Array(n), yNew = vec(stepper?.yNew), yErr = vec(stepper?.yErr);
  const output = opts.output;
  const r1 = new Float64Array(n), r2 = new Float64Array(n), r3 = new Float64Array(n), r4 = new Float64Array(n), r5 = new Float64Array(n);

  const book = saveBook(opts, y, t);
  // The counts are passed, not captured: a closure over t and the counts would keep them in a
  // heap context that every step reads and writes (≈ 5 % of the loop's own time at n = 80).
  const { stateFor, save } = book;
  let next = book.next;

  let nfev = 0, accepted = 0, rejected = 0;
  if (next >= saveAt.length) return finishRun(book, { t, accepted, rejected, nfev }, y, 'completed', 'nothing to integrate');

  f(t, y, k1); nfev++;
  if (!k1.every(Number.isFinite) || !y.every(Number.isFinite)) {
    return finishRun(book, { t, accepted, rejected, nfev }, y, 'failed', `the right-hand side is not finite at the initial point t = ${t} (degenerate initial condition?)`);
  }
  const scale = (i: number, a: number, b: number) => atol + rtol * Math.max(Math.abs(a), Math.abs(b));

  let h: number;
  if (opts.fixedStep !== undefined) h = opts.fixedStep;
  else { h = initialStep(f, t, y, k1, k2, k3, yStage, tFinal, rtol, atol, 5); nfev++; }

  let facOld = 1e-4;
  let lastRejected = false;
  while (next < saveAt.length) {
    if (accepted + rejected >= maxSteps) return finishRun(book, { t, accepted, rejected, nfev }, y, 'failed', `gave up after ${maxSteps} steps at t = ${t}`);
    if (t + h > tFinal) h = tFinal - t;
    // Relative to t (a tiny first step from a tiny state is legitimate and then grows); also catches h = NaN.
    if (opts.fixedStep === undefined && (!(h > 1e-14 * Math.abs(t)) || h < 1e-300)) {
      return finishRun(book, { t, accepted, rejected, nfev }, y, 'failed', `step size underflow at t = ${t} (the equations are stiff or singular here)`);
    }
    let err = 0;
    if (stepper) {
      // k2 … k7, yNew, yErr and the error's sum of squares in one call: the operations below, in
      // their order. The error is computed at a fixed step too (the same step code throughout).
      const sum = stepper.step(h, rtol, atol);
      nfev += 6;
      if (opts.fixedStep === undefined) err = Math.sqrt(sum / n);
    } else {
      for (let i = 0; i < n; i++) yStage[i] = y[i] + h * A21 * k1[i];
      f(t + C2 * h, yStage, k2);
      for (let i = 0; i < n; i++) yStage[i] = y[i] + h * (A31 * k1[i] + A32 * k2[i]);
      f(t + C3 * h, yStage, k3);
      for (let i = 0; i < n; i++) yStage[i] = y[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
      f(t + C4 * h, yStage, k4);
      for (let i = 0; i < n; i++) yStage[i] = y[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
      f(t + C5 * h, yStage, k5);
      for (let i = 0; i < n; i++) yStage[i] = y[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
      f(t + h, yStage, k6);
      for (let i = 0; i < n; i++) yNew[i] = y[i] + h * (A71 * k1[i] + A73 * k3[i] + A74 * k4[i] + A75 * k5[i] + A76 * k6[i]);
      f(t + h, yNew, k7);
      nfev += 6;
      if (opts.fixedStep === undefined) {
        for (let i = 0; i < n; i++) {
          const ei = h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i]);
          yErr[i] = yNew[i] - ei;
          const e = ei / scale(i, y[i], yNew[i]);
          err += e * e;
        }
        err = Math.sqrt(err / n);
      }
    }
    if (opts.fixedStep === undefined) {
      if (output && err <= 1) {
        // The output's local error from the same estimate (its first-order change along err).
        const g1 = output.g(yNew);
        const eg = Math.abs(g1.value - output.g(yErr).value) / Math.max(output.rtol * Math.abs(g1.value) + g1.floor, Number.MIN_VALUE);
        err = Math.max(err, eg);
      }
      if (!Number.isFinite(err)) err = 1e10; // a stage blew up: retry with a much smaller step
    }

    if (err <= 1) {
      const tOld = t;
      t = next < saveAt.length && t + h >= tFinal ? tFinal : t + h;
      accepted++;
      // Dense output coefficients for t ∈ [tOld, tOld + h], before y is overwritten; only for a
      // step that contains a save time (most do not: this is a sizeable part of a step's cost).
      if (next < saveAt.length && saveAt[next] <= t) {
        for (let i = 0; i < n; i++) {
          const dy = yNew[i] - y[i];
          const bspl = h * k1[i] - dy;
          r1[i] = y[i];
          r2[i] = dy;
          r3[i] = bspl;
          r4[i] = dy - h * k7[i] - bspl;
          r5[i] = h * (D1 * k1[i] + D3 * k3[i] + D4 * k4[i] + D5 * k5[i] + D6 * k6[i] + D7 * k7[i]);
        }
      }
      while (next < saveAt.length && saveAt[next] <= t) {
        const theta = (saveAt[next] - tOld) / h, theta1 = 1 - theta;
        const out = stateFor(next);
        for (let i = 0; i < n; i++) out[i] = r1[i] + theta * (r2[i] + theta1 * (r3[i] + theta * (r4[i] + theta1 * r5[i])));
        save(next, out);
        next++;
      }
      y.set(yNew);
      k1.set(k7); // first-same-as-last
      const reason = opts.divergence?.(t, y) ?? null;
      if (reason !== null) return finishRun(book, { t, accepted, rejected, nfev }, y, 'diverged', reason);
      opts.onStep?.(t);
      if (next < saveAt.length && opts.stopWhen?.(t, y)) return finishRun(book, { t, accepted, rejected, nfev }, y, 'completed', `stopped at t = ${t}`, true);
      if (opts.fixedStep === undefined) {
        // PI controller (Gustafsson; Hairer's β = 0.04), growth clamped to [0.2, 10].
        const fac11 = pow(err, 0.2 - 0.04 * 0.75);
        let fac = fac11 / pow(facOld, 0.04);
        fac = Math.max(0.1, Math.min(5, fac / 0.9));
        let hNew = h / fac;
        if (lastRejected) hNew = Math.min(hNew, h);
        facOld = Math.max(err, 1e-4);
        lastRejected = false;
        h = hNew;
      }
    } else {
      const fac11 = pow(err, 0.2 - 0.04 * 0.75);
      h = h / Math.min(5, fac11 / 0.9);
      lastRejected = true;
      rejected++;
    }
  }
  return finishRun(book, { t, accepted, rejected, nfev }, y, 'completed', `reached t = ${tFinal}`);
}
