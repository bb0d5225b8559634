import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchStudy } from './batch.js';
import { parseConfig } from '../model/config.js';
import { ConfigError } from '../model/errors.js';
import { divergenceDiagnosis } from '../analysis/diagnosis.js';
import { odeStability } from './stability.js';

const SMALL = { p: 2, pStar: 1, alphaMax: 20, savePoints: 120, init: { teacher: 'orthonormal', studentVariance: 0.01, seed: 3 } } as const;

test('each batch size gets its own stability limit, n_b·η_c(1) within the 1 % bisection tolerance, and at η = f·η_c(n_b) the time in samples is n_b-independent while the steps are 1/n_b', () => {
  const s = batchStudy(parseConfig({ ...SMALL, N: 1600 }), { batchSizes: [1, 4], fraction: 0.5, target: 0.3 });
  const [one, four] = s.points;
  assert.ok(one.limit.stable !== null && four.limit.stable !== null);
  // The batch ODE runs at η/n_b (src/ode/protocol.ts): the limit is ∝ n_b.
  assert.ok(Math.abs(four.limit.stable! / (4 * one.limit.stable!) - 1) <= 0.01, `${four.limit.stable} vs 4 × ${one.limit.stable}`);
  assert.equal(one.eta, 0.5 * one.limit.stable!);
  assert.ok(one.escapeAlpha !== null && four.escapeAlpha !== null && one.targetAlpha !== null && four.targetAlpha !== null);
  // Same curve in α up to the limits' 1 % and the save grid (multiples of 4/N = 0.0025 at n_b = 4).
  assert.ok(Math.abs(four.escapeSamples! / one.escapeSamples! - 1) < 0.02, `${four.escapeSamples} vs ${one.escapeSamples}`);
  assert.equal(four.escapeSteps, four.escapeSamples! / 4);
  assert.equal(one.escapeSteps, one.escapeSamples);
  assert.throws(() => batchStudy(parseConfig(SMALL), { batchSizes: [1], fraction: 1.5, target: 1e-2 }), (e: unknown) => e instanceof ConfigError && e.field === 'fraction');
});

test('divergence messages quote the stability limit of the run\'s batch size, and of a schedule scaled as a whole', () => {
  const diverging = parseConfig({ ...SMALL, batchSize: 4, eta: 40, alphaMax: 2, savePoints: 20 });
  const st = odeStability(diverging);
  assert.equal(st.ode.status, 'diverged');
  const d = divergenceDiagnosis({ solver: 'ode', status: 'diverged', message: st.ode.message, divergedAt: st.ode.divergedAt ?? undefined, alpha: new Float64Array() }, st)!;
  assert.match(d.message, /at batchSize = 4/);
  const scheduled = odeStability(parseConfig({ ...SMALL, alphaMax: 2, savePoints: 20, eta: { schedule: 'piecewise', values: [10, 1], until: [1] } }));
  assert.equal(scheduled.limit.scheduled, true);
  const ds = divergenceDiagnosis({ solver: 'ode', status: 'diverged', message: scheduled.ode.message, divergedAt: scheduled.ode.divergedAt ?? undefined, alpha: new Float64Array() }, scheduled)!;
  assert.match(ds.message, /η at α = 0, the whole schedule scaled with it/);
});
