/**
 * The explorer computes what the CLI computes: its worker's functions (compute.ts), called here
 * in Node, give the SGD run `onepass sim` gives for the same config, bit for bit, and the ODE
 * `onepass ode` gives. The explicit-overlaps case checks the weights realised from the overlaps
 * (a random frame from the stream (seed, overlapFrame, 0)), which the worker once drew with a
 * copy of its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { computeRun, computeHessian, computeSde } from './compute.js';
import type { WorkerReply } from './protocol.js';
import { parseConfig, makeProblem, initialCondition, solve, hessianSpectrum, analyzeLossCurve } from '../../src/index.js';

const bin = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

/** Runs the CLI with `--json` and these overrides; its parsed JSON. */
function cli(command: string, input: Record<string, unknown>): { alpha: number[]; loss: number[]; runs?: { loss: number[] }[] } {
  const set = Object.entries(input).flatMap(([k, v]) => ['--set', `${k}=${JSON.stringify(v)}`]);
  const r = spawnSync(process.execPath, [bin, command, '--json', ...(command === 'sim' ? ['--workers', '1'] : []), ...set], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function explorer(input: Record<string, unknown>): WorkerReply[] {
  const replies: WorkerReply[] = [];
  computeRun({ type: 'run', id: 1, input }, (m) => replies.push(m));
  return replies;
}

const cases: [string, Record<string, unknown>][] = [
  ['random initial weights', { p: 2, pStar: 1, N: 300, alphaMax: 4, savePoints: 40, noise: 0.01 }],
  ['explicit initial overlaps', { p: 2, pStar: 1, N: 300, alphaMax: 4, savePoints: 40, eta: 0.2, seed: 7, init: { Q: [[0.5, 0.1], [0.1, 0.4]], M: [[0.2], [-0.1]], P: [[1]] } }],
];

for (const [name, input] of cases) {
  test(`the explorer's SGD run equals run 0 of \`onepass sim\` bit for bit, and its ODE \`onepass ode\` (${name})`, () => {
    const replies = explorer(input);
    const done = replies.find((m) => m.type === 'sgd-done');
    const ode = replies.find((m) => m.type === 'ode');
    assert.ok(done?.type === 'sgd-done' && ode?.type === 'ode', JSON.stringify(replies.map((m) => m.type)));
    const sim = cli('sim', input);
    assert.deepEqual(done.sgd.alpha, sim.alpha);
    // JSON round-trips doubles exactly, so equal arrays are equal numbers.
    assert.deepEqual(done.sgd.loss, sim.runs![0].loss);
    assert.ok(done.sgd.status === 'completed' && done.sgd.loss.length > 10 && done.sgd.loss.every(Number.isFinite));
    // The streamed points are the run's own saves.
    const streamed = replies.flatMap((m) => (m.type === 'sgd-points' ? m.points.map((q) => q.loss) : []));
    assert.deepEqual(streamed, done.sgd.loss);
    assert.deepEqual(ode.ode.loss, cli('ode', input).loss);
  });
}

test('the explorer reports the quadratic analyses only where they apply, with the core\'s reason otherwise', () => {
  const square = explorer({ p: 2, pStar: 1, N: 100, alphaMax: 2, savePoints: 20 }).find((m) => m.type === 'ode');
  assert.ok(square?.type === 'ode' && square.analysis !== null && square.notApplicable === null);
  assert.equal(square.gradientFlowDrift.length, square.gradientFlowAlpha.length);
  assert.ok(square.gradientFlowAlpha.length > 0);
  const erf = explorer({ activation: 'erf', readout: 'sum', p: 2, pStar: 1, N: 100, alphaMax: 2, savePoints: 20 }).find((m) => m.type === 'ode');
  assert.ok(erf?.type === 'ode' && erf.analysis === null && /quadratic network/.test(erf.notApplicable ?? ''));
  assert.deepEqual([erf.odeDrift, erf.gradientFlowDrift, erf.gradientFlowAlpha], [[], [], []]);
});

test('the Hessian at a saved point, computed by the worker, is the library\'s spectrum there', () => {
  const config = parseConfig({ p: 2, pStar: 1, alphaMax: 2, savePoints: 20 });
  const t = solve(makeProblem(config), initialCondition(config), { method: 'ode' });
  const i = 10, replies: WorkerReply[] = [];
  computeHessian({ type: 'hessian', id: 3, index: i, overlaps: { p: 2, pStar: 1, Q: Array.from(t.Q[i]), M: Array.from(t.M[i]), P: Array.from(t.P) } }, (m) => replies.push(m));
  assert.deepEqual(replies, [{ type: 'hessian', id: 3, index: i, eigenvalues: hessianSpectrum({ p: 2, pStar: 1, Q: t.Q[i], M: t.M[i], P: t.P }).eigenvalues }]);
});

test('the explorer\'s SDE ensemble is `onepass sde --json` for the same config: the same mean loss bit for bit, and its 10–90 % band the quantiles of the CLI\'s runs', () => {
  const input = { p: 4, pStar: 2, N: 500, alphaMax: 20, savePoints: 30 };
  const runs = 16;
  const replies = explorer({ ...input });
  assert.ok(!replies.some((m) => m.type === 'sde'), 'no SDE unless asked for');
  const sde: WorkerReply[] = [];
  computeRun({ type: 'run', id: 2, input, sdeRuns: runs }, (m) => sde.push(m));
  // Posted after the ODE and before the SGD's points.
  const order = sde.map((m) => m.type);
  assert.ok(order.indexOf('ode') < order.indexOf('sde') && order.indexOf('sde') < order.indexOf('sgd-done'), order.join(','));
  const reply = sde.find((m) => m.type === 'sde');
  assert.ok(reply?.type === 'sde' && !('notApplicable' in reply));
  const cliRuns = cli('sde', { ...input, runs });
  assert.deepEqual(reply.alpha, cliRuns.alpha);
  assert.deepEqual(reply.mean, cliRuns.loss);
  assert.equal(cliRuns.runs!.length, runs);
  // R-7 quantiles by hand from the CLI's runs: h = (n − 1) q between the sorted losses.
  const q = (xs: number[], level: number) => { const s = [...xs].sort((a, b) => a - b), h = (s.length - 1) * level, i = Math.floor(h); return s[i] + (h - i) * ((s[i + 1] ?? s[i]) - s[i]); };
  for (let i = 0; i < reply.alpha.length; i++) {
    const at = cliRuns.runs!.map((r) => r.loss[i]);
    assert.ok(Math.abs(reply.lo[i] - q(at, 0.1)) <= 1e-12 * Math.abs(q(at, 0.1)) && Math.abs(reply.hi[i] - q(at, 0.9)) <= 1e-12 * Math.abs(q(at, 0.9)), `α = ${reply.alpha[i]}`);
    assert.ok(reply.lo[i] <= reply.mean[i] * 1.5 && reply.lo[i] <= reply.hi[i]);
  }
  // The band is a real spread: at the end the runs differ (finite N), the 90 % above the 10 % by more than 1 %.
  const last = reply.alpha.length - 1;
  assert.ok(reply.hi[last] > 1.01 * reply.lo[last], `${reply.lo[last]} … ${reply.hi[last]}`);
});

test('for an erf committee the explorer\'s SDE band is `onepass sde --json`\'s too (sampled noise), and a config the SDE refuses gets the core\'s one-line reason instead of a band', () => {
  const erf = { activation: 'erf', readout: 'sum', p: 2, pStar: 2, N: 200, alphaMax: 2, savePoints: 10 };
  const reply = computeSde(4, erf, 4);
  assert.ok(!('notApplicable' in reply), JSON.stringify(reply));
  assert.deepEqual(reply.mean, cli('sde', { ...erf, runs: 4 }).loss);
  const refused = computeSde(5, { ...erf, sdeNoise: 'exact' }, 4);
  assert.ok('notApplicable' in refused && /^sdeNoise: "exact" is derived for σ = z²/.test(refused.notApplicable), JSON.stringify(refused));
});

test('above p = 32 the explorer still reports the loss curve\'s plateau and escape (those of `onepass ode`\'s loss), with the quadratic analyses said to be skipped, and the ODE\'s progress rising to 1', () => {
  // p = 40: α_esc ≈ p·t_esc/η ≈ 40·2/0.5 = 160 at σ² = 10⁻³ (t_esc ≈ 1.9, README): inside α_max = 240.
  // saveOverlaps "none" keeps the CLI's JSON small (it changes no loss).
  const input = { p: 40, pStar: 2, N: 200, alphaMax: 240, savePoints: 120, saveOverlaps: 'none' };
  const replies = explorer(input);
  const ode = replies.find((m) => m.type === 'ode');
  assert.ok(ode?.type === 'ode' && ode.analysis === null && /skipped in the explorer above p = 32/.test(ode.notApplicable ?? ''));
  const l = ode.lossAnalysis;
  assert.ok(l !== null && l.plateau !== null && l.escapeAlpha !== null, JSON.stringify(l));
  // The escape of the CLI's own ODE, analysed by the library (no copy of the worker's numbers).
  const cliOde = cli('ode', input);
  assert.deepEqual(ode.ode.loss, cliOde.loss);
  assert.equal(l.escapeAlpha, analyzeLossCurve(cliOde.alpha, cliOde.loss).escapeAlpha);
  // What the escape means, on the curve: the loss falls below half the plateau's level there and not before.
  const half = l.plateau.loss / 2, i = cliOde.alpha.findIndex((a) => a >= l.escapeAlpha!);
  assert.ok(cliOde.loss[i] <= half && cliOde.loss[i - 1] > half, `ε = ${cliOde.loss[i - 1]}, ${cliOde.loss[i]} around α_esc = ${l.escapeAlpha}, half the plateau ${half}`);
  assert.ok(l.escapeAlpha > 100 && l.escapeAlpha < 240, `α_esc = ${l.escapeAlpha}`);
  const fractions = replies.flatMap((m) => (m.type === 'ode-progress' ? [m.fraction] : []));
  assert.ok(fractions.every((f, k) => f >= 0 && f <= 1 && (k === 0 || f >= fractions[k - 1])), `progress ${fractions}`);
  // The SGD run, which keeps every matrix, reaches the page thinned like the ODE: Q at about 20 of its 120 saved α.
  const done = replies.find((m) => m.type === 'sgd-done');
  assert.ok(done?.type === 'sgd-done' && done.sgd.loss.length === 120);
  const kept = (q: unknown[][]) => q.filter((x) => x.length > 0).length;
  assert.equal(kept(done.sgd.Q as unknown[][]), kept(ode.ode.Q as unknown[][]));
  assert.ok(kept(done.sgd.Q as unknown[][]) <= 21, `${kept(done.sgd.Q as unknown[][])} matrices`);
});
