import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stateFromQuery, stateToQuery, validate, presetState, DEFAULT_STATE } from './state.js';

test('the explorer\'s URL carries batchSize and a schedule JSON for η, and they become the config --set would build', () => {
  const eta = '{"schedule":"piecewise","values":[0.5,0.05],"until":[40]}';
  const state = { ...DEFAULT_STATE, batchSize: '4', eta };
  const back = stateFromQuery(stateToQuery(state));
  assert.equal(back.batchSize, '4');
  assert.equal(back.eta, eta);
  const v = validate(back);
  assert.ok('config' in v);
  assert.equal(v.config.batchSize, 4);
  assert.deepEqual(v.config.eta, { schedule: 'piecewise', values: [0.5, 0.05], until: [40] });
  // A bad schedule is the library's one-line field error, shown as is.
  const bad = validate({ ...state, eta: '{"schedule":"piecewise","values":[0.5,0.1,0.01],"until":[40, 20]}' });
  assert.ok('error' in bad && bad.error.startsWith('eta.until.1: must be strictly increasing'), JSON.stringify(bad));
  const preset = validate(presetState('batch-schedule'));
  assert.ok('config' in preset && preset.config.batchSize === 8 && typeof preset.config.eta === 'object');
});
