import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../model/config.js';
import { makeProblem } from '../model/problem.js';
import { simulateSdeEnsemble } from '../sde/ensemble.js';
import { simulateSdeEnsembleOnPool } from './sdePool.js';

test('the SDE ensemble on a pool of 2 workers is the sequential one bit for bit (exact and sampled noise, "both" ensembles), in run order, with progress reaching 1', async () => {
  for (const extra of [{ ensemble: 'both' }, { activation: 'erf', p: 2, pStar: 2 }]) {
    const problem = makeProblem(parseConfig({ N: 300, runs: 5, alphaMax: 4, savePoints: 10, ...extra }));
    const seq = simulateSdeEnsemble(problem);
    let last = 0;
    const pool = await simulateSdeEnsembleOnPool(problem, { workers: 2, onProgress: (f) => { last = f; } });
    assert.equal(last, 1);
    assert.equal(pool.runs.length, 5);
    for (let r = 0; r < 5; r++) {
      assert.deepEqual(pool.runs[r].loss, seq.runs[r].loss, `run ${r}`);
      assert.deepEqual(pool.runs[r].Q, seq.runs[r].Q, `run ${r}`);
    }
    assert.deepEqual(pool.lossStd, seq.lossStd);
  }
});
