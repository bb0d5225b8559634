/**
 * `npm run bench`: (a) the library's SGD step (`simulateSgd`, with its WebAssembly kernel, and
 * with its plain JavaScript loop for comparison) against a straightforward C
 * implementation of the same step (bench/sgd.c, built here with gcc -O3 -march=native
 * -ffast-math) and, when python3 has numpy, a step-by-step numpy one, all timed in this run;
 * (b) sweep throughput on 2 worker threads against 1; (c) the CLI's start-up, whole processes
 * (`onepass --help`, `onepass ode --json`) against a bare `node -e 0`. Prints the machine, a
 * Markdown table and one JSON line per case; (d) the generic committee ODE cases of
 * bench/committee.ts; (e) an ensemble of 64 runs of the stochastic overlap dynamics (src/sde/),
 * p = 4, p* = 2, to α = 100, at N = 10³ and 10⁹, in one thread and on `onepass sde`'s pool of 2
 * workers (src/io/sdePool.ts): CPU and wall time, and the pool's speed-up (goal under 1 s on 2 cores); (f) the wide quadratic network (bench/wide.ts,
 * issue 17). Never part of `npm test`. `npm run bench -- --sweep` runs only (b), `-- --startup`
 * only (c), `-- --committee` only (d), `-- --sde` only (e), `-- --wide` only (f) (`-- --p512` adds
 * p = 256 and 512 to it): on a shared machine a short run is likelier to find both cores free.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir, cpus, availableParallelism, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig, initialCondition, simulateSgd, sgdStreams, square, makeNetwork, VERSION, makeProblem, solveOde, integrate, quadraticRhs } from '../src/index.js';
import { simulateSdeEnsembleOnPool } from '../src/io/sdePool.js';
import { expandSweep } from '../src/sweep/grid.js';
import { ResultStore } from '../src/io/store.js';
import { runSweep } from '../src/io/sweep.js';
import { committeeTable } from './committee.js';
import { wideCases } from './wide.js';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench');
const REPEATS = 5;
const TARGET_SECONDS = 1.5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number | null) => (x === null ? '—' : x >= 100 ? x.toFixed(0) : x.toPrecision(3));

function machine() {
  const cpuModel = (/model name\s*:\s*(.*)/.exec(safeRead('/proc/cpuinfo'))?.[1] ?? cpus()[0]?.model ?? 'unknown').trim();
  const gcc = tryRun('gcc', ['--version'])?.split('\n')[0] ?? null;
  const numpy = tryRun('python3', ['-c', 'import numpy; print(numpy.__version__)'])?.trim() ?? null;
  return { cpuModel, cores: availableParallelism(), node: process.version, gcc, numpy, onepass: VERSION };
}
function safeRead(path: string): string { try { return readFileSync(path, 'utf8'); } catch { return ''; } }
function tryRun(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : null;
}

type Engine = 'wasm' | 'js';

const cliMain = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');
/** The CLI's start-up cases: each a whole process, with the wall time it should stay under. */
const STARTUP_CASES: { name: string; args: string[]; goalSeconds: number | null }[] = [
  { name: 'node -e 0 (the floor: Node itself)', args: ['-e', '0'], goalSeconds: null },
  { name: 'onepass --help', args: [cliMain, '--help'], goalSeconds: 0.2 },
  { name: 'onepass ode --json (default config)', args: [cliMain, 'ode', '--json'], goalSeconds: 0.35 },
];

/** Wall seconds of whole processes, 10 runs each, cases interleaved so a busy moment hits all alike. */
function startupSeconds(): { name: string; median: number; min: number; goalSeconds: number | null }[] {
  const times = STARTUP_CASES.map(() => [] as number[]);
  for (let r = 0; r < 10; r++) {
    STARTUP_CASES.forEach((c, i) => {
      const t0 = performance.now();
      const run = spawnSync(process.execPath, c.args, { stdio: 'ignore' });
      if (run.status !== 0) throw new Error(`${c.name} exited with ${run.status}`);
      times[i].push((performance.now() - t0) / 1000);
    });
  }
  return STARTUP_CASES.map((c, i) => ({ name: c.name, median: median(times[i]), min: Math.min(...times[i]), goalSeconds: c.goalSeconds }));
}

/**
 * Median steps/s of the library's simulateSgd over REPEATS runs of `steps` steps, with the
 * WebAssembly kernel (the default) or the plain JavaScript loop.
 */
function jsStepsPerSecond(N: number, p: number, pStar: number, steps: number, engine: Engine = 'wasm', batchSize = 1): number {
  const config = parseConfig({ N, p, pStar, init: { teacher: 'gaussian', studentVariance: 1e-3, seed: 0 } });
  const weights = initialCondition(config).weights!;
  const setup = { network: makeNetwork(p, pStar, square), p, pStar, eta: 0.5, noise: 0, batchSize };
  const rates: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    simulateSgd(setup, weights, [0, (steps * batchSize) / N], sgdStreams(1, r), { engine });
    rates.push(steps / ((performance.now() - t0) / 1000));
  }
  return median(rates);
}

/**
 * Steps that take about TARGET_SECONDS in the library. A short probe is dominated by the
 * per-call work (overlaps at the start and at the save points, O(p²N) each), which would make the
 * timed runs too short at large N·p: the probe grows tenfold until one run takes 0.2 s.
 */
function calibrate(N: number, p: number, pStar: number): number {
  let steps = Math.max(50, Math.round(2e6 / (N * (2 * p + pStar))));
  jsStepsPerSecond(N, p, pStar, steps); // warm-up: let V8 optimise the hot loop
  for (;;) {
    const rate = jsStepsPerSecond(N, p, pStar, steps);
    if (steps / rate >= 0.2) return Math.max(steps, Math.round(rate * TARGET_SECONDS));
    steps *= 10;
  }
}

function cStepsPerSecond(exe: string, N: number, p: number, pStar: number, steps: number, batchSize = 1): number {
  const out = execFileSync(exe, [N, p, pStar, steps, REPEATS, batchSize].map(String), { encoding: 'utf8' });
  return (JSON.parse(out) as { stepsPerSecond: number }).stepsPerSecond;
}

function numpyStepsPerSecond(N: number, p: number, pStar: number, steps: number): number | null {
  // One BLAS thread: every implementation here is single-threaded.
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const r = spawnSync('python3', [join(benchDir, 'sgd_numpy.py'), ...[N, p, pStar, steps, REPEATS].map(String)], { encoding: 'utf8', env });
  return r.status === 0 ? (JSON.parse(r.stdout) as { stepsPerSecond: number }).stepsPerSecond : null;
}

interface SweepCase { readonly N: number; readonly p: number; readonly alphaMax: number; readonly points: number }
/**
 * Two sizes of SGD point, about 0.5 s at (N, p) = (1000, 4) (16 points) and 0.8 s at (4000, 8) (12 points) with the
 * WebAssembly kernel. A pool pays ~0.2 s to start its threads and load the library, and each
 * thread's first points run while V8 still compiles in the background: a throughput measurement
 * needs enough work to see past that, as a real sweep has.
 */
const SWEEP_CASES: readonly SweepCase[] = [{ N: 1000, p: 4, alphaMax: 100, points: 16 }, { N: 4000, p: 8, alphaMax: 8, points: 12 }];

/** Wall seconds of the sweep, and the CPU seconds it got per wall second (≈ workers on an idle machine). */
async function sweepSeconds(c: SweepCase, workers: number): Promise<{ seconds: number; coresUsed: number }> {
  const points = expandSweep({ solver: 'sgd', seed: Array.from({ length: c.points }, (_, i) => i + 1), N: c.N, p: c.p, alphaMax: c.alphaMax, savePoints: 50 }).points;
  const store = ResultStore.open(join(mkdtempSync(join(tmpdir(), 'onepass-bench-')), 'results.db'));
  try {
    const cpu0 = process.cpuUsage(); // counts the worker threads too: they are threads of this process
    const s = await runSweep(points, store, { workers });
    const cpu = process.cpuUsage(cpu0);
    if (s.computed !== points.length) throw new Error(`sweep computed ${s.computed} of ${points.length} points`);
    return { seconds: s.seconds, coresUsed: (cpu.user + cpu.system) / 1e6 / s.seconds };
  } finally { store.close(); }
}

/** The headline overparameterised setup of issue 5's ODE target: p = 8, p* = 2, σ² = 1e-6, η = 0.5. */
const odeConfig = (alphaMax: number) => parseConfig({ p: 8, pStar: 2, alphaMax, savePoints: 400, init: { teacher: 'orthonormal', studentVariance: 1e-6, seed: 1 } });

/**
 * The whole trajectory, plateau and escape, to the first save point with loss < 1e-8: the α of
 * that point, then the median wall time of solveOde to it (adaptive Dormand–Prince, rtol 1e-10).
 */
function odeTrajectory(): { alphaEnd: number; ms: number; steps: number; finalLoss: number } {
  const probe = solveOde(makeProblem(odeConfig(1e5)), initialCondition(odeConfig(1e5)).overlaps);
  const i = probe.loss.findIndex((l) => l < 1e-8);
  const alphaEnd = probe.alpha[i];
  const config = odeConfig(Math.ceil(alphaEnd));
  const problem = makeProblem(config), init = initialCondition(config);
  const times: number[] = [];
  let last = probe;
  for (let r = 0; r < REPEATS + 1; r++) {
    const t0 = performance.now();
    last = solveOde(problem, init.overlaps);
    if (r > 0) times.push(performance.now() - t0); // the first run is V8's warm-up
  }
  return { alphaEnd, ms: median(times), steps: last.stats.acceptedSteps ?? 0, finalLoss: last.loss[last.loss.length - 1] };
}

/**
 * Dormand–Prince steps per second (fixed step h, six right-hand sides each) on the closed-form
 * quadratic ODEs, from the headline setup's initial overlaps with P = I: the library's integrate +
 * quadraticRhs, and the same step in C (bench/ode.c) and numpy (bench/ode_numpy.py). Each side
 * prints the final state's sum, which must agree: they are the same computation.
 */
function odeSteps(cOde: string | null, numpy: boolean) {
  const { p, pStar } = { p: 8, pStar: 2 };
  const init = initialCondition(odeConfig(1)).overlaps;
  const P = new Float64Array(pStar * pStar);
  for (let j = 0; j < pStar; j++) P[j * pStar + j] = 1;
  const y0 = Float64Array.from([...init.Q, ...init.M]);
  const h = 0.05;
  const rhs = quadraticRhs({ p, pStar, eta: 0.5, noise: 0, P });
  const run = (steps: number) => {
    const t0 = performance.now();
    const r = integrate((_t, y, dy) => rhs(y, dy), y0, { saveAt: [steps * h], fixedStep: h });
    return { rate: steps / ((performance.now() - t0) / 1000), sum: r.y[r.y.length - 1].reduce((a, b) => a + b, 0) };
  };
  run(2000); // warm-up
  const steps = Math.max(2000, Math.round(run(2000).rate * TARGET_SECONDS));
  const js = Array.from({ length: REPEATS }, () => run(steps));
  const args = [p, pStar, h, steps, REPEATS].map(String).concat(Array.from(y0, (v) => v.toPrecision(17)));
  const c = cOde ? (JSON.parse(execFileSync(cOde, args, { encoding: 'utf8' })) as { stepsPerSecond: number; stateSum: number }) : null;
  const npSteps = Math.max(50, Math.round(steps / 300));
  const npArgs = [p, pStar, h, npSteps, 3].map(String).concat(Array.from(y0, (v) => v.toPrecision(17)));
  const r = numpy ? spawnSync('python3', [join(benchDir, 'ode_numpy.py'), ...npArgs], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } }) : null;
  const np = r && r.status === 0 ? (JSON.parse(r.stdout) as { stepsPerSecond: number; stateSum: number }) : null;
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
  return {
    steps, h, js: median(js.map((x) => x.rate)), c, np, npSteps,
    // Same steps, same arithmetic up to rounding (C is built with -ffast-math): relative differences of the final sums.
    cAgreement: c ? rel(c.stateSum, js[0].sum) : null,
    numpyAgreement: np ? rel(np.stateSum, run(npSteps).sum) : null,
  };
}

/** Wall-clock and CPU seconds (all threads) of the 64-run SDE ensemble (p = 4, p* = 2, α ≤ 100) at dimension N on the worker pool of `onepass sde`. */
async function sdePoolSeconds(N: number, workers: number, sdeNoise: 'exact' | 'sampled'): Promise<{ seconds: number; cpu: number; finalLoss: number; stepsPerRun: number }> {
  const problem = makeProblem(parseConfig({ N, runs: 64, alphaMax: 100, p: 4, pStar: 2, sdeNoise }, { weights: false }));
  const c0 = process.cpuUsage(), t0 = performance.now();
  const e = await simulateSdeEnsembleOnPool(problem, { workers });
  const seconds = (performance.now() - t0) / 1000, c = process.cpuUsage(c0);
  return { seconds, cpu: (c.user + c.system) / 1e6, finalLoss: e.runs.reduce((s, t) => s + t.loss[t.loss.length - 1], 0) / e.runs.length, stepsPerRun: e.runs[0].stats.steps };
}

/**
 * The ensemble in this thread, then on the pool with 2 workers (threads started cold, as in
 * `onepass sde`). The printed ratio is the pool's speed-up in wall time over one thread: it is
 * above 1 only when the machine has two idle cores (two workers cost ≈ 0.75–1.1 s of CPU more than one thread, measured).
 */
async function sdeRows(): Promise<string[]> {
  const rows = ['| SDE ensemble: 64 runs, p = 4, p* = 2, α ≤ 100 | 1 thread, CPU s | 1 thread, wall s | pool of 2, CPU s | pool of 2, wall s | speed-up (1-thread wall / pool wall) | goal, s | Euler–Maruyama steps per run | mean final loss |', '|---|---|---|---|---|---|---|---|---|'];
  for (const [N, noise] of [[1e3, 'exact'], [1e9, 'exact'], [1e3, 'sampled']] as const) {
    const one = await sdePoolSeconds(N, 1, noise), two = await sdePoolSeconds(N, 2, noise);
    console.log(JSON.stringify({ case: 'sde-ensemble', N, sdeNoise: noise, runs: 64, p: 4, pStar: 2, alphaMax: 100, oneThreadCpuSeconds: one.cpu, oneThreadSeconds: one.seconds, poolCpuSeconds: two.cpu, poolSeconds: two.seconds, poolSpeedup: one.seconds / two.seconds, stepsPerRun: one.stepsPerRun, finalLoss: one.finalLoss }));
    rows.push(`| N = ${N.toExponential(0)}, ${noise} noise | ${one.cpu.toFixed(2)} | ${one.seconds.toFixed(2)} | ${two.cpu.toFixed(2)} | ${two.seconds.toFixed(2)} | ${(one.seconds / two.seconds).toFixed(2)} | < 1 (2 threads) | ${one.stepsPerRun} | ${one.finalLoss.toExponential(2)} |`);
  }
  return rows;
}

/**
 * The mini-batch step (issue 15): samples/s of the WebAssembly kernel at n_b = 1, 2, 4 and 16
 * against the C reference's batch variant (bench/sgd.c) for n_b = 1 and 16, same samples per run;
 * the goal is a batch step whose per-sample speed stays within 10 % of batch 1's. That ratio is
 * taken on CPU time (process.cpuUsage), best of REPEATS interleaved runs: on a shared machine wall
 * time moved by ±15 % between identical runs, CPU time by ≈ 1 %. `npm run bench -- --batch` runs only this.
 */
function batchRows(cExe: string | null): string[] {
  const rows = ['| (N, p, p*) | n_b | onepass samples/s (wall) | C samples/s (wall) | onepass / C | onepass samples per CPU-second | per-sample speed / n_b = 1 (CPU time) |', '|---|---|---|---|---|---|---|'];
  const batches = [1, 2, 4, 16];
  for (const [N, p, pStar] of [[1000, 4, 2], [4000, 8, 2]] as const) {
    const config = parseConfig({ N, p, pStar, init: { teacher: 'gaussian', studentVariance: 1e-3, seed: 0 } });
    const weights = initialCondition(config).weights!;
    const samples = calibrate(N, p, pStar);
    const cpu = new Map<number, number>(), wall = new Map<number, number>();
    for (let r = 0; r < REPEATS; r++) {
      for (const B of batches) {
        const setup = { network: makeNetwork(p, pStar, square), p, pStar, eta: 0.5, noise: 0, batchSize: B };
        const steps = Math.max(1, Math.round(samples / B));
        const c0 = process.cpuUsage(), t0 = performance.now();
        simulateSgd(setup, weights, [0, (steps * B) / N], sgdStreams(1, r), { engine: 'wasm' });
        const u = process.cpuUsage(c0);
        cpu.set(B, Math.max(cpu.get(B) ?? 0, (steps * B) / ((u.user + u.system) / 1e6)));
        wall.set(B, Math.max(wall.get(B) ?? 0, (steps * B) / ((performance.now() - t0) / 1000)));
      }
    }
    for (const B of batches) {
      const steps = Math.max(1, Math.round(samples / B));
      const c = cExe && (B === 1 || B === 16) ? cStepsPerSecond(cExe, N, p, pStar, steps, B) * B : null;
      const js = wall.get(B)!;
      const line = { case: 'sgd-batch', N, p, pStar, batchSize: B, steps, jsSamplesPerSecond: js, cSamplesPerSecond: c, jsOverC: c ? js / c : null, jsSamplesPerCpuSecond: cpu.get(B)!, perSampleSpeedOverBatch1: cpu.get(B)! / cpu.get(1)! };
      console.log(JSON.stringify(line));
      rows.push(`| (${N}, ${p}, ${pStar}) | ${B} | ${fmt(js)} | ${fmt(c)} | ${fmt(line.jsOverC)} | ${fmt(line.jsSamplesPerCpuSecond)} | ${line.perSampleSpeedOverBatch1.toFixed(3)} |`);
    }
  }
  return rows;
}

async function main(): Promise<void> {
  if (process.argv.includes('--sde')) {
    console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    const rows = await sdeRows();
    console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n\n${rows.join('\n')}`);
    return;
  }
  const m = machine();
  console.log(`machine: ${m.cpuModel}, ${m.cores} cores; node ${m.node}; ${m.gcc ?? 'no gcc'}; numpy ${m.numpy ?? 'absent'}`);
  // Other processes on the machine skew every number here, the 2-worker speedup most: say how busy it was.
  console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(JSON.stringify({ machine: m }));

  let cExe: string | null = null, cOde: string | null = null;
  if (m.gcc) {
    const dir = mkdtempSync(join(tmpdir(), 'onepass-bench-'));
    cExe = join(dir, 'sgd');
    cOde = join(dir, 'ode');
    execFileSync('gcc', ['-O3', '-march=native', '-ffast-math', '-o', cExe, join(benchDir, 'sgd.c'), '-lm']);
    execFileSync('gcc', ['-O3', '-march=native', '-ffast-math', '-o', cOde, join(benchDir, 'ode.c'), '-lm']);
  } else console.log('gcc not found: the C reference is skipped');
  if (!m.numpy) console.log('python3 with numpy not found: the numpy reference is skipped (apt-get install -y python3-numpy)');

  if (process.argv.includes('--committee')) { console.log(`\n${committeeTable()}\nload average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`); return; }
  const sweepOnly = process.argv.includes('--sweep'), startupOnly = process.argv.includes('--startup'), batchOnly = process.argv.includes('--batch');
  if (batchOnly) { batchRows(cExe).forEach((r) => console.log(r)); return; }
  if (process.argv.includes('--wide')) {
    const table = wideCases(benchDir, mkdtempSync(join(tmpdir(), 'onepass-bench-')), m.numpy !== null);
    console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n\n${table}\n`);
    return;
  }
  const startupRows: string[] = [];
  if (!sweepOnly) {
    startupRows.push('| start-up (whole process, 10 runs) | median, s | min, s | goal, s |', '|---|---|---|---|');
    for (const c of startupSeconds()) {
      console.log(JSON.stringify({ case: 'cli-startup', ...c }));
      startupRows.push(`| ${c.name} | ${c.median.toFixed(3)} | ${c.min.toFixed(3)} | ${c.goalSeconds === null ? '—' : `< ${c.goalSeconds}`} |`);
    }
  }
  if (startupOnly) {
    console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n\n${startupRows.join('\n')}`);
    return;
  }
  const rows: string[] = [];
  rows.push('| (N, p, p*) | steps | onepass (WebAssembly kernel) steps/s | onepass (plain JS loop) steps/s | C steps/s | numpy steps/s | onepass / C | onepass / numpy |', '|---|---|---|---|---|---|---|---|');
  for (const [N, p, pStar] of sweepOnly ? [] : [[1000, 4, 2], [4000, 8, 2], [10000, 32, 4]] as const) {
    const steps = calibrate(N, p, pStar);
    const js = jsStepsPerSecond(N, p, pStar, steps);
    const plain = jsStepsPerSecond(N, p, pStar, Math.max(50, Math.round(steps / 4)), 'js');
    const c = cExe ? cStepsPerSecond(cExe, N, p, pStar, steps) : null;
    const np = m.numpy ? numpyStepsPerSecond(N, p, pStar, Math.max(50, Math.round(steps / 4))) : null;
    const line = {
      case: 'sgd-step', N, p, pStar, steps, repeats: REPEATS, jsStepsPerSecond: js, plainJsStepsPerSecond: plain, cStepsPerSecond: c, numpyStepsPerSecond: np,
      jsOverC: c ? js / c : null, jsOverNumpy: np ? js / np : null,
    };
    console.log(JSON.stringify(line));
    rows.push(`| (${N}, ${p}, ${pStar}) | ${steps} | ${fmt(js)} | ${fmt(plain)} | ${fmt(c)} | ${fmt(np)} | ${fmt(line.jsOverC)} | ${fmt(line.jsOverNumpy)} |`);
  }

  const odeRows: string[] = [];
  if (!sweepOnly) {
    const o = odeSteps(cOde, m.numpy !== null);
    const line = {
      case: 'ode-step', p: 8, pStar: 2, h: o.h, steps: o.steps, jsStepsPerSecond: o.js, cStepsPerSecond: o.c?.stepsPerSecond ?? null, numpyStepsPerSecond: o.np?.stepsPerSecond ?? null,
      jsOverC: o.c ? o.js / o.c.stepsPerSecond : null, jsOverNumpy: o.np ? o.js / o.np.stepsPerSecond : null,
      finalStateRelativeDifference: { c: o.cAgreement, numpy: o.numpyAgreement },
    };
    console.log(JSON.stringify(line));
    const t = odeTrajectory();
    console.log(JSON.stringify({ case: 'ode-trajectory', p: 8, pStar: 2, studentVariance: 1e-6, eta: 0.5, alphaEnd: t.alphaEnd, finalLoss: t.finalLoss, acceptedSteps: t.steps, ms: t.ms, integrationsPerSecond: 1000 / t.ms }));
    odeRows.push(
      '| quadratic ODE, (p, p*) = (8, 2) | onepass | C | numpy | onepass / C | onepass / numpy |', '|---|---|---|---|---|---|',
      `| Dormand–Prince steps/s (fixed h = ${o.h}, 6 right-hand sides each; final states differ from onepass's by ${[o.cAgreement, o.numpyAgreement].map((x) => (x === null ? '—' : x.toExponential(0))).join(' (C), ')} (numpy), relative) | ${fmt(o.js)} | ${fmt(line.cStepsPerSecond)} | ${fmt(line.numpyStepsPerSecond)} | ${fmt(line.jsOverC)} | ${fmt(line.jsOverNumpy)} |`,
      `| whole trajectory from σ² = 1e-6 to loss < 1e-8 (α = ${t.alphaEnd.toFixed(0)}, ${t.steps} adaptive steps, rtol 1e-10), ms | ${t.ms.toFixed(1)} | — | — | — | — |`,
    );
  }

  const wideTable = sweepOnly ? '' : wideCases(benchDir, mkdtempSync(join(tmpdir(), 'onepass-bench-')), m.numpy !== null);
  const sweepLines: string[] = [];
  for (const c of SWEEP_CASES) {
    const ones: { seconds: number; coresUsed: number }[] = [], twos: { seconds: number; coresUsed: number }[] = [];
    for (let r = 0; r < 3; r++) { ones.push(await sweepSeconds(c, 1)); twos.push(await sweepSeconds(c, 2)); }
    const one = median(ones.map((r) => r.seconds)), two = median(twos.map((r) => r.seconds));
    const line = {
      case: 'sweep-throughput', points: c.points, N: c.N, p: c.p, pStar: 2, stepsPerPoint: c.N * c.alphaMax, oneWorkerSeconds: one, twoWorkerSeconds: two, speedup: one / two,
      oneWorkerCoresUsed: median(ones.map((r) => r.coresUsed)), twoWorkerCoresUsed: median(twos.map((r) => r.coresUsed)),
    };
    console.log(JSON.stringify(line));
    sweepLines.push(`| ${c.points} SGD points, (N, p, p*) = (${c.N}, ${c.p}, 2), ${line.stepsPerPoint} steps each | ${one.toFixed(2)} | ${two.toFixed(2)} | ${line.speedup.toFixed(2)}× | ${line.oneWorkerCoresUsed.toFixed(2)} / ${line.twoWorkerCoresUsed.toFixed(2)} |`);
  }
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const committeeRows = sweepOnly ? '' : committeeTable();
  if (!sweepOnly) console.log(`\n${rows.join('\n')}\n\n${batchRows(cExe).join('\n')}\n\n${odeRows.join('\n')}\n\n${committeeRows}\n\n${wideTable}\n\n${startupRows.join('\n')}\n`);
  console.log('| sweep (median of 3) | 1 worker, s | 2 workers, s | throughput ratio | CPU s per wall s (1 / 2 workers; < 2 means other processes held a core) |');
  console.log('|---|---|---|---|---|');
  console.log(sweepLines.join('\n'));
  if (!sweepOnly) console.log(`\n${(await sdeRows()).join('\n')}`);
}

await main();
