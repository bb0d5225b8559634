import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as library from './library.js';

test('after load() of every part, each name the commands import from library.ts is bound (none left undefined)', async () => {
  await library.load('pool', 'sweep', 'reproduce');
  const unbound = Object.entries(library).filter(([, v]) => v === undefined).map(([k]) => k);
  // cliProgress is bound only when stderr is a terminal, the only time a bar is drawn.
  assert.deepEqual(unbound.filter((k) => k !== 'cliProgress'), []);
});
