import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, mkdirSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../src/version.js';
import { parseNpz } from '../src/model/npy.js';
import { applyOverrides, parseConfig } from '../src/model/config.js';
import { makeProblem, initialCondition } from '../src/model/problem.js';
import { simulateEnsemble } from '../src/sim/ensemble.js';
import { writeCheckpoint } from '../src/io/checkpoint.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const small = ['--set', 'alphaMax=3', '--set', 'savePoints=20', '--set', 'N=200'];

test('escape with one variance prints the α_esc table and one line saying why there is no fit, not an empty fit section', () => {
  const r = run('escape', '--p', '2', '--variances', '1e-2', '--no-progress', ...small);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[2], /^\s+2\s+\S+$/, 'the table row of p = 2');
  assert.equal(lines.at(-1), 'no fit α_esc ≈ A ln(1/σ²) + B: a line needs at least 2 variances (--variances gave 1)');
  assert.doesNotMatch(r.stdout, /^fit /m);
});

test('the core VERSION matches package.json', () => {
  const pkg = JSON.parse(readFileSync(join(here, '..', '..', 'package.json'), 'utf8'));
  assert.equal(VERSION, pkg.version);
});

test('ode --json and sim --json print one document with the same schema: alpha, loss, Q, M (a matrix per α), P', () => {
  for (const cmd of ['ode', 'sim']) {
    const r = run(cmd, '--json', ...small);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'no progress bar when stderr is not a terminal');
    const doc = JSON.parse(r.stdout);
    for (const key of ['alpha', 'loss', 'Q', 'M', 'P', 'status', 'solver', 'onepassVersion', 'config']) assert.ok(key in doc, `${cmd}: missing ${key}`);
    assert.equal(doc.solver, cmd === 'ode' ? 'ode' : 'sgd');
    assert.equal(doc.alpha.length, doc.loss.length);
    assert.equal(doc.Q.length, doc.alpha.length);
    assert.deepEqual([doc.Q[0].length, doc.Q[0][0].length, doc.M[0].length, doc.M[0][0].length, doc.P.length], [4, 4, 4, 2, 2]);
    assert.equal(doc.config.p, 4);
  }
});

test('compare --out writes trajectory.csv with named columns, trajectory.npz with per-run overlaps, result.json, loss.svg, loss.png and loss.pdf, and nothing else', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'onepass-')), 'out');
  const r = run('compare', '--out', dir, ...small, '--set', 'runs=2');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /max \|ε_SGD − ε_ODE\| = /);
  assert.deepEqual(readdirSync(dir).sort(), ['loss.pdf', 'loss.png', 'loss.svg', 'result.json', 'trajectory.csv', 'trajectory.npz']);
  const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
  const n = result.ode.alpha.length;
  assert.ok(n > 10 && result.sgd.alpha.length === n && result.sgd.runs.length === 2 && result.deviation.maxAbs >= 0);
  const csv = readFileSync(join(dir, 'trajectory.csv'), 'utf8').split('\n');
  assert.match(csv[0], /^alpha,t,solver,run,seed,loss,loss_floor,q_0_0,q_0_1,.*,m_3_1$/);
  assert.equal(csv.filter((l) => /^[^,]*,[^,]*,sgd,1,/.test(l)).length, n);
  assert.equal(csv.filter((l) => /^[^,]*,[^,]*,ode,0,/.test(l)).length, n);
  // The npz holds each run's overlaps, full and symmetric, in the shapes of the README.
  const npz = parseNpz(readFileSync(join(dir, 'trajectory.npz')));
  assert.deepEqual(npz.get('sgd_Q')!.shape, [2, n, 4, 4]);
  assert.deepEqual(npz.get('ode_M')!.shape, [1, n, 4, 2]);
  assert.deepEqual(npz.get('sgd_loss')!.shape, [2, n]);
  const Q = npz.get('sgd_Q')!.data as Float64Array;
  assert.equal(Q[((1 * n + n - 1) * 4 + 0) * 4 + 3], Q[((1 * n + n - 1) * 4 + 3) * 4 + 0]);
  // Run 1's loss at the last α is the one in result.json.
  assert.equal((npz.get('sgd_loss')!.data as Float64Array)[2 * n - 1], result.sgd.runs[1].loss[n - 1]);
  assert.deepEqual([...readFileSync(join(dir, 'loss.png')).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.match(readFileSync(join(dir, 'loss.svg'), 'utf8'), /<svg[^>]*>/);
});

test('bad input gives one line naming the field, exit code 2, no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onepass-'));
  writeFileSync(join(dir, 'bad.json'), '{"p": 4,');
  writeFileSync(join(dir, 'typo.json'), '{"pstar": 2}');
  const notAFolder = join(dir, 'typo.json', 'out');
  const cases: [string[], RegExp][] = [
    [['ode', '--set', 'p=0'], /^error: p: must be an integer ≥ 1/],
    [['ode', '--set', 'eta=-1'], /^error: eta: must be > 0/],
    [['ode', '--config', join(dir, 'missing.json')], /^error: --config .*missing\.json: cannot read the file \(ENOENT\)/],
    [['ode', '--config', join(dir, 'bad.json')], /^error: --config .*bad\.json: not valid JSON/],
    [['ode', '--config', join(dir, 'typo.json')], /^error: pstar: unknown key \(did you mean "pStar"\?\)/],
    [['ode', '--set', 'init.Q=[[1]]'], /^error: init\.M: must be a matrix/],
    [['sim', '--out', notAFolder, ...small], /^error: --out .*typo\.json\/out: cannot create or write this folder \(ENOTDIR\)/],
  ];
  for (const [args, pattern] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}, stderr ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('meaningless tolerances and an empty save grid exit 2 naming the field (they used to run: a curve off by 2×, a comparison of nothing)', () => {
  const cases: [string[], RegExp][] = [
    [['ode', '--set', 'rtol=1e10', '--set', 'atol=1e10'], /^error: (rtol|atol): must be /],
    [['ode', '--set', 'atol=1e10'], /^error: atol: must be > 0 and ≤ 1e-6/],
    [['compare', '--set', 'saveAt=[]'], /^error: saveAt: must contain at least one α/],
  ];
  for (const [args, pattern] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}, stderr ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('a loss below its accuracy floor is printed as "< floor", never as digits or a negative number; --json carries lossFloor', () => {
  const setup = ['--set', 'activation=erf', '--set', 'readout=mean', '--set', 'p=2', '--set', 'pStar=2', '--set', 'eta=4', '--set', 'alphaMax=800', '--set', 'init.studentVariance=0.1', '--no-progress'];
  const text = run('ode', ...setup);
  assert.equal(text.status, 0, text.stderr);
  const last = text.stdout.trim().split('\n').filter((l) => /^\s+[\d.]+\s/.test(l)).pop()!;
  assert.match(last, /^\s+800\.0\s+< \de-\d\d$/); // the deviation form resolves it down to ≈ 5e-21
  assert.match(text.stdout, /below the accuracy floor/);
  assert.doesNotMatch(text.stdout, /\s-\d\.\d+e-/);
  const doc = JSON.parse(run('ode', ...setup, '--json').stdout);
  const n = doc.loss.length;
  assert.equal(doc.lossFloor.length, n);
  assert.ok(doc.loss[n - 1] < doc.lossFloor[n - 1] && doc.loss.every((l: number) => l >= 0));
});

test('a diverging ODE says where, and quotes a stability limit below η with its α range; exit 3, no NaN', () => {
  for (const alphaMax of [2, 80]) {
    const r = run('ode', '--set', 'eta=4', '--set', `alphaMax=${alphaMax}`);
    assert.equal(r.status, 3);
    const m = /^warning: ODE diverged at α = [\d.]+: the student norm Q\[\d\]\[\d\] reached \S+ .*From these initial overlaps it stays finite over α ≤ (\d+) up to η ≈ ([\d.]+) .*: η = 4 is beyond that; try a smaller eta\n$/.exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.equal(Number(m[1]), alphaMax);
    assert.ok(Number(m[2]) < 4, r.stderr);
    assert.doesNotMatch(r.stdout, /NaN/);
  }
});

test('SGD exploding where the ODE at the same η is stable is not blamed on η: the warning says the ODE is stable and what to try', () => {
  // η = 1 is below the ODE's limit (≈ 1.2 over α ≤ 10), N = 10 far from N → ∞: about half of such
  // runs blow up (12 of 20 measured), so one of 12 does with probability 1 − 0.4¹².
  const r = run('sim', '--workers', '1', '--set', 'N=10', '--set', 'eta=1', '--set', 'runs=12', '--set', 'alphaMax=10', '--set', 'savePoints=40',
    '--set', 'init={"teacher":"orthonormal","studentVariance":0.1,"seed":7}');
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /^warning: SGD run \d+ \(seed \d+\) diverged at α = [\d.]+: .*The ODE from the same overlaps is stable at η = 1: it stays finite over α ≤ 10 up to η ≈ [\d.]+.*try a larger N, a smaller eta, or other seeds$/m);
  assert.doesNotMatch(r.stderr, /is beyond|stability limit/);
});

test('compare names the stage of the largest deviation and says nothing about an escape it did not measure (Saad–Solla, α ≤ 40)', () => {
  const r = run('compare', '--workers', '1', '--set', 'activation=erf', '--set', 'readout=sum', '--set', 'p=2', '--set', 'pStar=2', '--set', 'eta=0.5',
    '--set', 'N=500', '--set', 'alphaMax=40', '--set', 'savePoints=100', '--set', 'init.studentVariance=0.01');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^max \|ε_SGD − ε_ODE\| = \S+ at α = [\d.]+ \(max relative \S+\), (in the initial transient|on the flat stretch|in the convergence)/m);
  assert.doesNotMatch(r.stdout, /escape|fluctuations/);
});

test('analyze --json has the documented keys, with the Hessian counts of the default setup', () => {
  const r = run('analyze', '--json', '--set', 'alphaMax=60');
  assert.equal(r.status, 0, r.stderr);
  const a = JSON.parse(r.stdout);
  for (const k of ['escapeAlpha', 'plateau', 'conserved', 'implicitBias', 'hessian']) assert.ok(k in a, `missing ${k}`);
  assert.ok(a.plateau.loss > 0.9 && a.escapeAlpha > 5 && a.escapeAlpha < 30);
  assert.ok(a.conserved.maxDrift > 0.1 && a.conserved.gradientFlowMaxDrift < 1e-6);
  assert.ok(a.implicitBias.distanceToClosest < a.implicitBias.distanceToTypical);
  assert.equal(a.hessian.saddle.negative, 8);
  assert.deepEqual(a.hessian.plateau, a.hessian.saddle, 'the old key, kept for one release');
  assert.equal(a.hessian.solution.zero, 13);
});

test('reproduce writes a report with figures and marks each claim, with the verdicts measured when it was written', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'onepass-')), 'report');
  const r = run('reproduce', '--out', dir, '--json');
  assert.equal(r.status, 0, r.stderr);
  const { checks } = JSON.parse(r.stdout);
  const figures = ['compare', 'loss-vs-p', 'wide-escape-vs-p', 'wide-loss-vs-t', 'escape-vs-variance', 'conserved', 'hessian', 'batch-limit', 'batch-times', 'schedules', 'finite-n-escape', 'closest-probability'].flatMap((f) => [`${f}.png`, `${f}.svg`]);
  assert.deepEqual(readdirSync(dir).sort(), [...figures, 'report.json', 'report.md'].sort(), 'the report folder holds exactly the report');
  // The paper's twelve claims, the training protocols' two and the two finite-N findings, each decided at least once; the ODE claims in gradient flow and at η = 0.01 and 0.25.
  type C = { id: string; regime: string; holds: boolean | null; criterion: string; margin: string };
  const ids = ['sgdFollowsOde', 'escapeRate', 'lossDecay', 'modestAcceleration', 'wideEscape', 'escapeLog', 'conserved', 'closestSolution', 'sgdClosest', 'saddle', 'marginalMinima', 'phaseRetrieval', 'batchSize', 'schedules', 'finiteNExitTimes', 'closestProbability'];
  assert.deepEqual([...new Set(checks.map((c: C) => c.id))], ids);
  for (const id of ['lossDecay', 'modestAcceleration', 'escapeLog', 'closestSolution']) {
    for (const regime of ['gradient flow (η → 0)', 'η = 0.01', 'η = 0.25']) assert.ok(checks.some((c: C) => c.id === id && c.regime === regime), `${id} at ${regime}`);
  }
  for (const c of checks as C[]) assert.ok([true, false, null].includes(c.holds) && c.criterion && c.margin, `${c.id}: ${JSON.stringify(c)}`);
  const holds = (id: string) => checks.filter((c: C) => c.id === id).map((c: C) => c.holds);
  // Facts of the mathematics: these must hold, wherever they are decided.
  for (const id of ['conserved', 'saddle', 'marginalMinima', 'closestSolution', 'phaseRetrieval', 'batchSize', 'schedules']) assert.ok(holds(id).every((h: boolean | null) => h === true), id);
  const report = readFileSync(join(dir, 'report.md'), 'utf8');
  assert.match(report, new RegExp(`## Summary\n\n\\d+ checks hold, \\d+ do not hold, \\d+ are undecided within margin \\(${checks.length} in all\\)`));
  for (const f of ['compare', 'loss-vs-p', 'wide-escape-vs-p', 'wide-loss-vs-t', 'escape-vs-variance', 'conserved', 'hessian', 'batch-limit', 'batch-times', 'schedules', 'finite-n-escape', 'closest-probability']) {
    assert.match(report, new RegExp(`!\\[${f}\\]\\(${f}\\.png\\)`));
    assert.deepEqual([...readFileSync(join(dir, `${f}.png`)).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  }
});

test('a simulation killed with SIGKILL resumes from its checkpoint to a result identical to an uninterrupted run (its 2 runs on 2 worker threads; the reference in one thread)', async () => {
  const { spawn } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  const dir = join(mkdtempSync(join(tmpdir(), 'onepass-')), 'run');
  // About 1.5 s per run with the WebAssembly kernel: long enough to be killed half-way.
  const setup = ['--set', 'N=1500', '--set', 'alphaMax=120', '--set', 'runs=2', '--set', 'savePoints=60'];
  const child = spawn(process.execPath, [bin, 'sim', '--out', dir, '--checkpoint-every', '0.1', '--workers', '2', '--json', ...setup], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 60_000;
  while (!existsSync(join(dir, 'checkpoint.json')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300)); // let it get into the run a little further
  child.kill('SIGKILL');
  await exited;
  assert.ok(existsSync(join(dir, 'checkpoint.json')), 'a checkpoint was written before the kill');
  assert.ok(!existsSync(join(dir, 'result.json')), 'the run was killed before it finished');
  const wrong = run('sim', '--out', dir, '--resume', '--json', ...setup, '--set', 'eta=0.4');
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /^error: --resume: the checkpoint in .* belongs to another config \(eta differs\)/);
  const text = readFileSync(join(dir, 'checkpoint.json'), 'utf8');
  const state = JSON.parse(text.slice(text.indexOf('\n') + 1)).state; // after the header line
  assert.ok(state.current.some((c: unknown) => c !== null), 'the checkpoint holds a run in progress');
  const resumed = run('sim', '--out', dir, '--resume', '--workers', '2', '--json', ...setup);
  assert.equal(resumed.status, 0, resumed.stderr);
  const straight = run('sim', '--workers', '1', '--json', ...setup);
  const a = JSON.parse(resumed.stdout), b = JSON.parse(straight.stdout);
  assert.deepEqual(a.loss, b.loss);
  assert.deepEqual(a.Q, b.Q);
  assert.deepEqual(a.runs.map((r: { loss: number[] }) => r.loss), b.runs.map((r: { loss: number[] }) => r.loss));
  assert.ok(!existsSync(join(dir, 'checkpoint.json')), 'the checkpoint is removed once the run is complete');
});

test('analyze with a trained second layer on the quadratic network reports the fixed-readout analyses as not applicable', () => {
  // The conserved quantity, implicit bias and Hessian assume v = 1/p for ever; trained, v moves
  // (the old output printed a gradient-flow "conserved" drift of 1.16e+3 as if it applied).
  const r = run('analyze', '--json', '--set', 'trainSecondLayer=true', '--set', 'alphaMax=20', '--set', 'savePoints=60');
  assert.equal(r.status, 0, r.stderr);
  const a = JSON.parse(r.stdout);
  assert.equal(a.conserved, null);
  assert.equal(a.implicitBias, null);
  assert.equal(a.hessian, null);
  assert.match(a.note, /second layer fixed/);
});

test('analyze on an erf committee (Saad–Solla) finds its plateau and escape, and says the quadratic-only analyses do not apply', () => {
  const r = run('analyze', '--json', '--set', 'activation=erf', '--set', 'readout=sum', '--set', 'p=2', '--set', 'pStar=2', '--set', 'eta=0.5',
    '--set', 'alphaMax=400', '--set', 'init.studentVariance=0.01');
  assert.equal(r.status, 0, r.stderr);
  const a = JSON.parse(r.stdout);
  // the symmetric plateau near 1/3 − (4/π) arcsin(1/4) ≈ 0.0116 (shifted by finite η), then the escape
  assert.ok(a.plateau && a.plateau.loss > 0.01 && a.plateau.loss < 0.02, JSON.stringify(a.plateau));
  assert.ok(a.escapeAlpha > a.plateau.startAlpha);
  assert.equal(a.hessian, null);
  assert.match(a.note, /quadratic network/);
});

// ---- nothing lost, nothing unbounded (issue 13) ----

/** A checkpoint of an interrupted `sim` with these --set's: the state after its 5th save point, through the library. */
function interruptedRun(dir: string, sets: string[]): void {
  const config = parseConfig(applyOverrides({}, sets.filter((_, i) => i % 2 === 1)));
  let saves = 0;
  simulateEnsemble(makeProblem(config), initialCondition(config), { checkpoint: { everySeconds: 0, write: (s) => { if (++saves === 5) writeCheckpoint(dir, config, s); } } });
}
const runFor = (seconds: number, ...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: seconds * 1000 });
const oneLine = (r: { status: number | null; stderr: string }, pattern: RegExp, what: string) => {
  assert.equal(r.status, 2, `${what}: exit ${r.status}, stderr ${r.stderr}`);
  assert.match(r.stderr, pattern, what);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
};

test('a plain rerun into a folder holding an interrupted run\'s checkpoint refuses ("use --resume, or --force"); --force starts over', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'onepass-')), 'D');
  mkdirSync(dir);
  interruptedRun(dir, small);
  const checkpoint = readFileSync(join(dir, 'checkpoint.json'));
  const r = run('sim', '--out', dir, ...small);
  oneLine(r, /^error: --out .*D: holds the checkpoint of an interrupted run \(checkpoint\.json\); use --resume, or --force to start over$/m, 'rerun');
  assert.equal(r.stdout, '', 'nothing computed');
  assert.deepEqual(readFileSync(join(dir, 'checkpoint.json')), checkpoint);
  const forced = run('sim', '--out', dir, '--force', ...small);
  assert.equal(forced.status, 0, forced.stderr);
  assert.deepEqual(readdirSync(dir).sort(), ['loss.pdf', 'loss.png', 'loss.svg', 'result.json', 'trajectory.csv', 'trajectory.npz']);
});

test('a failed output write (a real full disk) keeps the finished run\'s checkpoint, leaves the folder as it was, and --resume then finishes it', (t) => {
  const mnt = mkdtempSync(join(tmpdir(), 'onepass-tmpfs-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]).status !== 0) { t.skip('cannot mount a tmpfs here (needs root)'); return; }
  try {
    const dir = join(mnt, 'D');
    mkdirSync(dir);
    interruptedRun(dir, small);
    const checkpoint = readFileSync(join(dir, 'checkpoint.json'));
    // Leave 64 KiB free: the checkpoint is there, the outputs (a 100 kB PNG among them) do not fit.
    const { bavail, bsize } = statfsSync(mnt);
    writeFileSync(join(mnt, 'filler'), Buffer.alloc(Number(bavail) * Number(bsize) - 64 * 1024));
    const full = run('sim', '--out', dir, '--resume', ...small);
    oneLine(full, /^error: cannot write .*D\/[a-z.]+: ENOSPC; .*D is unchanged and keeps its checkpoint \(--resume finishes the run again\)$/m, 'full disk');
    assert.deepEqual(readdirSync(dir), ['checkpoint.json']);
    assert.deepEqual(readFileSync(join(dir, 'checkpoint.json')), checkpoint);
    assert.deepEqual(readdirSync(mnt).sort(), ['D', 'filler'], 'no temporary folder left');
    rmSync(join(mnt, 'filler'));
    const resumed = run('sim', '--out', dir, '--resume', ...small);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.deepEqual(readdirSync(dir).sort(), ['loss.pdf', 'loss.png', 'loss.svg', 'result.json', 'trajectory.csv', 'trajectory.npz']);
    const straight = join(mkdtempSync(join(tmpdir(), 'onepass-')), 'S');
    assert.equal(run('sim', '--out', straight, ...small).status, 0);
    assert.equal(readFileSync(join(dir, 'trajectory.csv'), 'utf8'), readFileSync(join(straight, 'trajectory.csv'), 'utf8'));
  } finally { spawnSync('umount', [mnt]); rmSync(mnt, { recursive: true, force: true }); }
});

test('a folder in the way of an output (mkdir D/trajectory.csv) is refused before computing, so no run is lost to EISDIR', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'onepass-')), 'D');
  mkdirSync(join(dir, 'trajectory.csv'), { recursive: true });
  const r = run('sim', '--out', dir, ...small);
  oneLine(r, /^error: --out .*D: holds the folder or link "trajectory\.csv", which onepass did not write/, 'EISDIR');
  assert.equal(r.stdout, '');
});

test('a null, edited or truncated checkpoint is a one-line refusal with exit 2', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'onepass-')), 'D');
  mkdirSync(dir);
  writeFileSync(join(dir, 'checkpoint.json'), 'null');
  oneLine(run('sim', '--out', dir, '--resume', ...small), /^error: --resume: .*checkpoint\.json is not a valid checkpoint: no header line/, 'null');
  interruptedRun(dir, small);
  const text = readFileSync(join(dir, 'checkpoint.json'), 'utf8');
  writeFileSync(join(dir, 'checkpoint.json'), text.replace(/"step":(\d+)/, '"step":1$1'));
  oneLine(run('sim', '--out', dir, '--resume', ...small), /not a valid checkpoint: its checksum does not match its content/, 'edited step');
});

test('unwritable special paths and non-regular configs fail at once with exit 2, before any computing', () => {
  oneLine(runFor(20, 'ode', '--out', '/proc/onepass-out'), /^error: --out \/proc\/onepass-out: .*system folder/, '--out /proc');
  oneLine(runFor(20, 'sim', '--out', '/sys/onepass/x', ...small), /^error: --out \/sys\/onepass\/x: .*system folder/, '--out /sys');
  oneLine(runFor(20, 'ode', '--config', '/dev/zero'), /^error: --config \/dev\/zero: not a regular file/, '--config /dev/zero');
});

test('runs no machine can hold or finish are refused up front, naming the keys to change; a long one needs --yes', () => {
  oneLine(runFor(20, 'sim', '--set', 'p=512', '--set', 'N=2', '--set', 'alphaMax=150'), /^error: savePoints: 300 save points of p = 512 .* need about 3\.\d GiB of memory; at most 2\.0 GiB: lower savePoints/, 'p = 512');
  oneLine(runFor(20, 'sim', '--set', 'p=4096', '--set', 'N=2', '--set', 'savePoints=2'), /^error: savePoints: 2 save points of p = 4096/, 'p = 4096');
  oneLine(runFor(20, 'sim', '--set', 'alphaMax=1e9'), /^error: alphaMax: 2\.00e\+12 SGD steps per run × 1 run\(s\) would take about \d+ days here; lower alphaMax, N or runs, or pass --yes to run anyway$/m, 'α = 1e9');
  oneLine(runFor(20, 'sim', '--set', 'alphaMax=1e308', '--yes'), /^error: alphaMax: α_max·N = Infinity SGD steps per run is beyond what can be counted exactly/, 'α = 1e308');
  oneLine(runFor(20, 'ode', '--set', 'alphaMax=1e308', '--yes'), /^error: alphaMax: the ODE up to α = 1e\+308 would take about .* years here; lower alphaMax$/m, 'ODE α = 1e308');
});

test('the hint over an interrupted run\'s checkpoint is true for each command: ode, escape and analyze of the ODE cannot resume it and say so', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'onepass-')), 'D');
  mkdirSync(dir);
  interruptedRun(dir, small);
  const checkpoint = readFileSync(join(dir, 'checkpoint.json'));
  const cannot = /^error: --out .*D: holds the checkpoint of an interrupted simulation \(checkpoint\.json\), which this command cannot continue; continue it with --resume of the command that started it \(sim, compare or analyze --sim\), or pass --force to replace it$/m;
  oneLine(run('ode', '--out', dir, ...small), cannot, 'ode');
  oneLine(run('escape', '--out', dir, '--p', '2', '--variances', '1e-2', ...small), cannot, 'escape');
  oneLine(run('analyze', '--out', dir, ...small), cannot, 'analyze');
  oneLine(run('analyze', '--out', dir, '--sim', ...small), /; use --resume, or --force to start over$/m, 'analyze --sim');
  oneLine(run('compare', '--out', dir, ...small), /; use --resume, or --force to start over$/m, 'compare');
  // Before, analyze --resume of the ODE skipped the check and replaced the checkpoint.
  oneLine(run('analyze', '--out', dir, '--resume', ...small), /^error: --resume: continues an interrupted simulation; add --sim/, 'analyze --resume');
  assert.deepEqual(readFileSync(join(dir, 'checkpoint.json')), checkpoint, 'the checkpoint is kept');
});

test('compare --resume validates the checkpoint before the ODE runs (an ODE estimated at ~40 minutes is never started)', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'onepass-')), 'D');
  mkdirSync(dir);
  writeFileSync(join(dir, 'checkpoint.json'), 'null');
  // alphaMax = 10⁹: the ODE alone would take ~2400 s (src/model/budget.ts); the refusal comes at once.
  const r = runFor(30, 'compare', '--out', dir, '--resume', '--yes', '--set', 'alphaMax=1e9', '--set', 'N=200');
  oneLine(r, /^error: --resume: .*checkpoint\.json is not a valid checkpoint: no header line/, 'compare --resume');
});

test('escape estimates its time before computing, by the same rule: above a day it asks for --yes, above a century it is refused', () => {
  oneLine(runFor(30, 'escape', '--p', '2', '--variances', '1e-2', '--set', 'alphaMax=1e11'),
    /^error: alphaMax: 1 ODE up to α = 100000000000 would take about [\d.]+ (hours|days) here; lower alphaMax or give fewer --p and --variances, or pass --yes to run anyway$/m, 'a day');
  oneLine(runFor(30, 'escape', '--p', '2,4', '--variances', '1e-2,1e-3', '--set', 'alphaMax=1e16', '--yes'),
    /^error: alphaMax: 4 ODEs up to α = 10000000000000000 would take about .* years here; lower alphaMax or give fewer --p and --variances$/m, 'a century');
});

test('a run killed while swapping its folder in is finished by the next run on the folder, which says so in one line', () => {
  const parent = mkdtempSync(join(tmpdir(), 'onepass-'));
  const dir = join(parent, 'D');
  mkdirSync(dir);
  interruptedRun(dir, small);
  // What a kill between the two renames leaves: the complete new folder and the old one aside
  // (process 4194305 is above Linux's largest pid, so it is dead).
  const fresh = join(parent, '.D.onepass-4194305.new');
  mkdirSync(fresh);
  writeFileSync(join(fresh, 'result.json'), '{"finished":true}\n');
  const r = run('ode', '--out', dir, '--force', ...small);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^note: recovered .*D: finished replacing .*D with the complete outputs of a run killed while swapping them in \(process 4194305\)\n$/);
  assert.deepEqual(readdirSync(parent), ['D']);
  assert.deepEqual(readdirSync(dir).sort(), ['loss.pdf', 'loss.png', 'loss.svg', 'result.json', 'trajectory.csv', 'trajectory.npz']);
});

test('reproduce writes its report folder as a run folder: a folder holding other files, or an interrupted simulation\'s checkpoint, is refused before computing', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'onepass-')), 'report');
  mkdirSync(dir);
  writeFileSync(join(dir, 'notes.txt'), 'keep');
  oneLine(runFor(20, 'reproduce', '--out', dir), /^error: --out .*report: holds the file "notes\.txt", which onepass did not write/, 'notes');
  rmSync(join(dir, 'notes.txt'));
  interruptedRun(dir, small);
  oneLine(runFor(20, 'reproduce', '--out', dir), /^error: --out .*report: holds the file "checkpoint\.json", another onepass command's, which this one would not keep/, 'checkpoint');
  assert.deepEqual(readdirSync(dir), ['checkpoint.json']);
});

test('analyze --sim estimates the time of every run it simulates, not of the one it analyses', () => {
  // One run: 10⁸ steps × 2·1000·6 weights × 10⁻⁹ s ≈ 20 minutes; 10⁴ runs are days on any machine of ≤ 64 cores.
  oneLine(runFor(30, 'analyze', '--sim', '--set', 'runs=10000', '--set', 'N=1000', '--set', 'alphaMax=1e5', '--set', 'savePoints=2'),
    /^error: alphaMax: 1\.00e\+8 SGD steps per run × 10000 run\(s\) would take about .* here; lower alphaMax, N or runs, or pass --yes to run anyway$/m, 'analyze --sim');
});

test('time "t" is the unit of the table, the messages and the figure axis, while the data files keep both α and t', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'onepass-')), 'out');
  // t = ηα/p = 0.5 · 4 / 4 at the end (mean readout).
  const r = run('ode', '--set', 'time=t', '--set', 'alphaMax=4', '--set', 'savePoints=20', '--out', dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /t = ηα\/p ≤ 0\.5 \(α ≤ 4\)/);
  assert.match(r.stdout, /reached t = 0\.5 \(α = 4\)/);
  assert.match(r.stdout, /^ {11}t {4}ODE loss$/m);
  assert.match(r.stdout, /^ {6}0\.5000 /m, 'the last row of the table is at t = 0.5');
  assert.match(readFileSync(join(dir, 'loss.svg'), 'utf8'), /t = ηα\/p/);
  const last = readFileSync(join(dir, 'trajectory.csv'), 'utf8').trim().split('\n').pop()!.split(',');
  assert.deepEqual(last.slice(0, 2), ['4', '0.5']);
});
