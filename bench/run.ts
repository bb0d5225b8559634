/**
 * `npm run bench`: (a) the library's SGD step (`simulateSgd`, with its WebAssembly kernel, and
 * with its plain JavaScript loop for comparison) against a straightforward C
 * implementation of the same step (bench/sgd.c, built here with gcc -O3 -march=native
 * -ffast-math) and, when python3 has numpy, a step-by-step numpy one, all timed in this run;
 * (b) sweep throughput on 2 worker threads against 1. Prints the machine, a Markdown table and
 * one JSON line per case. Never part of `npm test`. `npm run bench -- --sweep` runs only (b):
 * on a shared machine a short run is likelier to find both cores free.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir, cpus, availableParallelism, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig, initialCondition, simulateSgd, square, makeNetwork, Rng, VERSION } from '../src/index.js';
import { expandSweep } from '../src/sweep/grid.js';
import { ResultStore } from '../src/io/store.js';
import { runSweep } from '../src/io/sweep.js';

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

/**
 * Median steps/s of the library's simulateSgd over REPEATS runs of `steps` steps, with the
 * WebAssembly kernel (the default) or the plain JavaScript loop.
 */
function jsStepsPerSecond(N: number, p: number, pStar: number, steps: number, engine: Engine = 'wasm'): number {
  const config = parseConfig({ N, p, pStar, init: { teacher: 'gaussian', studentVariance: 1e-3, seed: 0 } });
  const weights = initialCondition(config).weights!;
  const setup = { network: makeNetwork(p, pStar, square), p, pStar, eta: 0.5, noise: 0 };
  const rates: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    simulateSgd(setup, weights, [0, steps / N], new Rng(r + 1), { engine });
    rates.push(steps / ((performance.now() - t0) / 1000));
  }
  return median(rates);
}

/** Steps that take about TARGET_SECONDS in the library (a short calibration run first). */
function calibrate(N: number, p: number, pStar: number): number {
  const probe = Math.max(50, Math.round(2e6 / (N * (2 * p + pStar))));
  jsStepsPerSecond(N, p, pStar, probe); // warm-up: let V8 optimise the hot loop
  const rate = jsStepsPerSecond(N, p, pStar, probe);
  return Math.max(probe, Math.round(rate * TARGET_SECONDS));
}

function cStepsPerSecond(exe: string, N: number, p: number, pStar: number, steps: number): number {
  const out = execFileSync(exe, [N, p, pStar, steps, REPEATS].map(String), { encoding: 'utf8' });
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
 * Two sizes of SGD point, about 0.5 s at (N, p) = (1000, 4) and 0.8 s at (4000, 8) with the
 * WebAssembly kernel. A pool pays ~0.2 s to start its threads and load the library, and each
 * thread's first points run while V8 still compiles in the background: a throughput measurement
 * needs enough work to see past that, as a real sweep has.
 */
const SWEEP_CASES: readonly SweepCase[] = [{ N: 1000, p: 4, alphaMax: 100, points: 16 }, { N: 4000, p: 8, alphaMax: 8, points: 8 }];

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

async function main(): Promise<void> {
  const m = machine();
  console.log(`machine: ${m.cpuModel}, ${m.cores} cores; node ${m.node}; ${m.gcc ?? 'no gcc'}; numpy ${m.numpy ?? 'absent'}`);
  // Other processes on the machine skew every number here, the 2-worker speedup most: say how busy it was.
  console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(JSON.stringify({ machine: m }));

  let cExe: string | null = null;
  if (m.gcc) {
    cExe = join(mkdtempSync(join(tmpdir(), 'onepass-bench-')), 'sgd');
    execFileSync('gcc', ['-O3', '-march=native', '-ffast-math', '-o', cExe, join(benchDir, 'sgd.c'), '-lm']);
  } else console.log('gcc not found: the C reference is skipped');
  if (!m.numpy) console.log('python3 with numpy not found: the numpy reference is skipped (apt-get install -y python3-numpy)');

  const sweepOnly = process.argv.includes('--sweep');
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
  if (!sweepOnly) console.log(`\n${rows.join('\n')}\n`);
  console.log('| sweep (median of 3) | 1 worker, s | 2 workers, s | throughput ratio | CPU s per wall s (1 / 2 workers; < 2 means other processes held a core) |');
  console.log('|---|---|---|---|---|');
  console.log(sweepLines.join('\n'));
}

await main();
