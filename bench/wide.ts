/**
 * The wide-network cases of `npm run bench` (issue 17), all measured in the same run:
 *  - per right-hand-side evaluation of the quadratic network's (Q⊥, M) ODE at p = 8 … 512: onepass
 *    (WebAssembly SIMD products), the same equations in C (bench/ode_perp.c) as a blocked loop and
 *    with OpenBLAS (when the Debian package libopenblas-dev is installed), and numpy
 *    (bench/ode_perp_numpy.py, full products with @);
 *  - the fixed-step Dormand–Prince 5(4) step at p = 8 on the same form, onepass against C: onepass
 *    through `integrate` with the field as solveOde builds it (the WebAssembly kernel's step, the
 *    one the adaptive solver takes at p < 32), both sides computing the embedded error estimate
 *    and its norm every step as an adaptive step does (bench/dopri5_step.h);
 *  - whole trajectories (p* = 2, η = 0.1, σ² = 1e-3, α_max = 40p, 300 save points keeping the loss
 *    only (saveOverlaps "none"), rtol 1e-10,
 *    atol 1e-14): onepass's solveOde (Dormand–Prince 8(5,3) at these widths, and the 5(4) pair it
 *    used before, side by side) against scipy's DOP853 on the numpy right-hand side at the same
 *    tolerances (scipy does not control the loss relative to itself, onepass does);
 *  - `readout: "sum"` at p = 32 (mapped onto the mean readout) and teacher weights (1, 0.5) at
 *    p = 32 (the closed form for any readout).
 * Every side is single-threaded (OPENBLAS_NUM_THREADS=1), and every time is CPU seconds of the
 * process (JavaScript: process.cpuUsage; C: CLOCK_PROCESS_CPUTIME_ID; numpy: time.process_time):
 * the machine is shared, and the wall clock of one side then depends on what else runs.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, initialCondition, makeProblem, solveOde, integrate } from '../src/index.js';
import { quadraticPerpForm } from '../src/ode/quadratic.js';
import { WIDE_DOP853_P } from '../src/ode/solve.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number | null) => (x === null ? '—' : x >= 100 ? x.toFixed(0) : x.toPrecision(3));
/** CPU seconds of this process since `from` (a process.cpuUsage() value). */
const cpuSince = (from: NodeJS.CpuUsage) => { const u = process.cpuUsage(from); return (u.user + u.system) / 1e6; };
const ONE_THREAD = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

/** The C references: blocked loop always (with gcc), OpenBLAS when its header and library are installed. */
export function buildPerpReferences(benchDir: string, dir: string): { loop: string | null; blas: string | null } {
  const src = join(benchDir, 'ode_perp.c');
  const loop = join(dir, 'ode_perp'), blas = join(dir, 'ode_perp_blas');
  try { execFileSync('gcc', ['-O3', '-march=native', '-ffast-math', '-o', loop, src, '-lm']); } catch { return { loop: null, blas: null }; }
  const inc = '/usr/include/x86_64-linux-gnu/openblas-pthread';
  try {
    execFileSync('gcc', ['-O3', '-march=native', '-ffast-math', '-DUSE_BLAS', ...(existsSync(inc) ? ['-I', inc] : []), '-o', blas, src, '-lopenblas', '-lm'], { stdio: 'ignore' });
    return { loop, blas };
  } catch {
    console.log('OpenBLAS not found (apt-get install -y libopenblas-dev): the C/BLAS reference is skipped');
    return { loop, blas: null };
  }
}

/** The wide setup; `readout` 'teacher' is the mean student readout against teacher weights (1, 0.5) (readoutQuadratic.ts). */
type WideReadout = 'mean' | 'sum' | 'teacher';
const wideConfig = (p: number, readout: WideReadout = 'mean') =>
  parseConfig({ p, pStar: 2, eta: 0.1, alphaMax: 40 * p, ...(readout === 'teacher' ? { teacherReadout: [1, 0.5] } : { readout }), saveOverlaps: 'none', init: { teacher: 'orthonormal', studentVariance: 1e-3, seed: 0 } });

/** The (Q⊥, M) state of the wide setup at its start, with a small symmetric Q⊥ so that no product is trivially zero. */
function perpState(p: number): { y: Float64Array; P: Float64Array } {
  const o = initialCondition(wideConfig(p)).overlaps;
  const y = quadraticPerpForm({ p, pStar: 2, eta: 0.1, noise: 0, P: o.P })!.toPerp(o.Q, o.M);
  for (let i = 0; i < p; i++) for (let j = i; j < p; j++) y[i * p + j] = y[j * p + i] = y[i * p + j] + 1e-3 * Math.sin(i * p + j);
  return { y, P: o.P };
}

export interface EvalRow { p: number; onepass: number; cLoop: number | null; cBlas: number | null; numpy: number | null; agreement: number | null }

/** Median seconds per evaluation of each side at width p (about 0.3 s of work per side and repeat). */
export function perEvaluation(p: number, refs: { loop: string | null; blas: string | null }, numpy: boolean, numpyScript: string): EvalRow {
  const { y, P } = perpState(p);
  const form = quadraticPerpForm({ p, pStar: 2, eta: 0.1, noise: 0, P })!;
  const dy = new Float64Array(y.length);
  // Two states in turn: the form keeps the overlaps of the state it last saw (the integrator asks
  // for the loss where it has just evaluated), and a repeated state would skip that part.
  const y2 = Float64Array.from(y);
  y2[0] += 1e-12;
  const count = Math.max(4, 2 * Math.round(1.5e8 / (p * p * (p + 64))));
  const times: number[] = [];
  for (let r = 0; r < 6; r++) {
    const t0 = process.cpuUsage();
    for (let k = 0; k < count; k += 2) { form.rhs(y2, dy); form.rhs(y, dy); }
    if (r > 0) times.push(cpuSince(t0) / count); // the first is V8's warm-up
  }
  const sum = dy.reduce((a, b) => a + b, 0);
  const state = Array.from(y, (v) => v.toPrecision(17)).join(' ');
  const c = (exe: string | null) => {
    if (!exe) return null;
    const r = spawnSync(exe, [p, 2, 0.1, 'eval', count, 5].map(String), { input: state, encoding: 'utf8', env: ONE_THREAD, maxBuffer: 1 << 26 });
    return r.status === 0 ? (JSON.parse(r.stdout) as { secondsPerEvaluation: number; dySum: number }) : null;
  };
  const loop = c(refs.loop), blas = c(refs.blas);
  let np: { secondsPerEvaluation: number } | null = null;
  if (numpy) {
    const r = spawnSync('python3', [numpyScript], { input: JSON.stringify({ p, pStar: 2, eta: 0.1, y0: Array.from(y), mode: 'eval', count: Math.max(3, Math.round(count / 2)), repeats: 3 }), encoding: 'utf8', env: ONE_THREAD, maxBuffer: 1 << 26 });
    np = r.status === 0 ? JSON.parse(r.stdout) : null;
  }
  const agreement = loop ? Math.abs(loop.dySum - sum) / Math.abs(sum) : null;
  return { p, onepass: median(times), cLoop: loop?.secondsPerEvaluation ?? null, cBlas: blas?.secondsPerEvaluation ?? null, numpy: np?.secondsPerEvaluation ?? null, agreement };
}

/** Dormand–Prince 5(4) steps per second at p = 8 on the (Q⊥, M) form, fixed h, from the headline start (η = 0.5). */
export function perpStep(loop: string | null): { js: number; c: number | null; agreement: number | null } {
  const p = 8, pStar = 2, h = 0.05, eta = 0.5;
  const config = parseConfig({ p, pStar, alphaMax: 1, savePoints: 2, init: { teacher: 'orthonormal', studentVariance: 1e-6, seed: 1 } });
  const o = initialCondition(config).overlaps;
  const P = new Float64Array(pStar * pStar);
  for (let j = 0; j < pStar; j++) P[j * pStar + j] = 1;
  const form = quadraticPerpForm({ p, pStar, eta, noise: 0, P })!;
  const y0 = form.toPerp(o.Q, o.M);
  // The field as solveOde builds it: with the kernel's Dormand–Prince step, which computes the
  // error estimate at a fixed step too (as the C reference does).
  const field = Object.assign((_t: number, y: Float64Array, dy: Float64Array) => form.rhs(y, dy), form.dopri5 ? { dopri5: form.dopri5 } : {});
  const run = (steps: number) => {
    const t0 = process.cpuUsage();
    const r = integrate(field, y0, { saveAt: [steps * h], fixedStep: h });
    return { rate: steps / cpuSince(t0), sum: r.y[r.y.length - 1].reduce((a, b) => a + b, 0) };
  };
  run(2000);
  const steps = Math.max(2000, Math.round(run(2000).rate * 1.5));
  const js = median(Array.from({ length: 5 }, () => run(steps).rate));
  if (!loop) return { js, c: null, agreement: null };
  const r = JSON.parse(execFileSync(loop, [p, pStar, eta, 'step', steps, 5, h].map(String), { input: Array.from(y0, (v) => v.toPrecision(17)).join(' '), encoding: 'utf8' })) as { stepsPerSecond: number; stateSum: number };
  const mine = run(steps).sum;
  return { js, c: r.stepsPerSecond, agreement: Math.abs(r.stateSum - mine) / Math.abs(mine) };
}

interface Solve { seconds: number; evaluations: number; finalLoss: number }
export interface TrajectoryRow { p: number; readout: string; seconds: number; evaluations: number; finalLoss: number; before: Solve | null; scipy: Solve | null }

/**
 * CPU seconds of solveOde (median of `repeats`), after untimed warm-ups when repeats > 1: V8
 * needs 3–4 solves at p = 32 before the integrator's loops run at full speed (a p ≥ 256 solve is
 * its own warm-up).
 */
function timedSolve(problem: ReturnType<typeof makeProblem>, init: ReturnType<typeof initialCondition>['overlaps'], repeats: number, method?: 'dopri5'): Solve {
  const times: number[] = [];
  let t: ReturnType<typeof solveOde> | null = null;
  for (let w = 0; w < (repeats > 1 ? (problem.p <= 64 ? 4 : 1) : 0); w++) t = solveOde(problem, init, method ? { method } : {});
  for (let r = 0; r < repeats; r++) {
    const t0 = process.cpuUsage();
    t = solveOde(problem, init, method ? { method } : {});
    times.push(cpuSince(t0));
  }
  return { seconds: median(times), evaluations: t!.stats.rhsEvaluations ?? 0, finalLoss: t!.loss[t!.loss.length - 1] };
}

/**
 * One whole trajectory of the wide setup: onepass as it chooses (median of `repeats`), onepass
 * with Dormand–Prince 5(4) where it chooses 8(5,3) (the integrator before), and scipy DOP853 once.
 */
export function trajectory(p: number, numpy: boolean, numpyScript: string, readout: WideReadout = 'mean', repeats = 3): TrajectoryRow {
  const config = wideConfig(p, readout);
  const problem = makeProblem(config), init = initialCondition(config).overlaps;
  const now = timedSolve(problem, init, repeats);
  const before = readout !== 'teacher' && p >= WIDE_DOP853_P ? timedSolve(problem, init, repeats, 'dopri5') : null;
  let scipy: TrajectoryRow['scipy'] = null;
  if (numpy && readout === 'mean') {
    const y0 = quadraticPerpForm({ p, pStar: 2, eta: 0.1, noise: 0, P: init.P })!.toPerp(init.Q, init.M);
    const r = spawnSync('python3', [numpyScript], {
      input: JSON.stringify({ p, pStar: 2, eta: 0.1, y0: Array.from(y0), mode: 'trajectory', tEval: Array.from(problem.saveAt), rtol: config.rtol, atol: config.atol }),
      encoding: 'utf8', env: ONE_THREAD, maxBuffer: 1 << 26,
    });
    scipy = r.status === 0 ? JSON.parse(r.stdout) : null;
  }
  return { p, readout, ...now, before, scipy };
}

/** Runs the wide cases and returns the README's Markdown table; widths 512 only with --p512 (about a minute). */
export function wideCases(benchDir: string, tmp: string, numpy: boolean): string {
  const numpyScript = join(benchDir, 'ode_perp_numpy.py');
  const refs = buildPerpReferences(benchDir, tmp);
  const big = process.argv.includes('--p512');
  const rows: string[] = [`(load average of the machine at the start: ${loadavg().map((x) => x.toFixed(1)).join(', ')} for 1, 5, 15 min; times are CPU seconds)`, ''];
  rows.push('| quadratic ODE in (Q⊥, M), p* = 2 | onepass | C, blocked loop | C, OpenBLAS | numpy | onepass / C loop | onepass / C BLAS | onepass / numpy |', '|---|---|---|---|---|---|---|---|');
  for (const p of big ? [8, 32, 128, 512] : [8, 32, 128]) {
    const e = perEvaluation(p, refs, numpy, numpyScript);
    console.log(JSON.stringify({ case: 'quadratic-perp-rhs', ...e }));
    const us = (x: number | null) => (x === null ? '—' : `${fmt(x * 1e6)} µs`);
    const ratio = (x: number | null) => (x === null ? '—' : `${fmt(e.onepass / x)}`);
    rows.push(`| one right-hand side, p = ${p} (sums of dy agree with C to ${e.agreement === null ? '—' : e.agreement.toExponential(0)}) | ${us(e.onepass)} | ${us(e.cLoop)} | ${us(e.cBlas)} | ${us(e.numpy)} | ${ratio(e.cLoop)} | ${ratio(e.cBlas)} | ${ratio(e.numpy)} |`);
  }
  const s = perpStep(refs.loop);
  console.log(JSON.stringify({ case: 'quadratic-perp-step', p: 8, ...s }));
  rows.push(`| Dormand–Prince steps/s, p = 8 (fixed h = 0.05, error estimate computed on both sides; final states differ by ${s.agreement === null ? '—' : s.agreement.toExponential(0)}) | ${fmt(s.js)} | ${fmt(s.c)} | — | — | ${s.c ? fmt(s.js / s.c) : '—'} (C / onepass ${s.c ? fmt(s.c / s.js) : '—'}) | — | — |`);
  rows.push('', '| whole trajectory, p* = 2, η = 0.1, σ² = 1e-3, α_max = 40p, rtol 1e-10 | onepass, CPU s | evaluations | onepass with 5(4) (before), CPU s | evaluations | scipy DOP853 (numpy), CPU s | evaluations | onepass / scipy | before / scipy | final losses, relative difference to scipy |', '|---|---|---|---|---|---|---|---|---|---|');
  const cases: [number, WideReadout][] = [[32, 'mean'], [64, 'mean'], [128, 'mean'], [32, 'sum'], [32, 'teacher']];
  if (big) cases.push([256, 'mean'], [512, 'mean']);
  for (const [p, readout] of cases) {
    const t = trajectory(p, numpy, numpyScript, readout, p >= 256 ? 1 : p <= 64 ? 5 : 3);
    console.log(JSON.stringify({ case: 'quadratic-trajectory', ...t }));
    const sc = t.scipy, b = t.before;
    const secs = (x: Solve | null) => (x ? x.seconds.toFixed(2) : '—');
    const evals = (x: Solve | null) => (x ? String(x.evaluations) : '—');
    const over = (x: Solve | null) => (x && sc ? fmt(x.seconds / sc.seconds) : '—');
    rows.push(`| p = ${p}, ${readout === 'teacher' ? 'teacher readout (1, 0.5)' : `readout ${readout}`} | ${secs(t)} | ${evals(t)} | ${secs(b)} | ${evals(b)} | ${secs(sc)} | ${evals(sc)} | ${over(t)} | ${over(b)} | ${sc ? (Math.abs(sc.finalLoss - t.finalLoss) / t.finalLoss).toExponential(0) : '—'} |`);
  }
  rows.push('', `(load average of the machine at the end: ${loadavg().map((x) => x.toFixed(1)).join(', ')} for 1, 5, 15 min)`);
  return rows.join('\n');
}
