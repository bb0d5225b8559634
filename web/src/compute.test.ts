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
import { computeRun, computeHessian } from './compute.js';
import type { WorkerReply } from './protocol.js';
import { parseConfig, makeProblem, initialCondition, solve, hessianSpectrum } from '../../src/index.js';

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
