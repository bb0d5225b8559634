import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from './files.js';
import { OnepassError } from '../model/errors.js';

test('atomic writes: a failed write leaves the old file whole and no temporary file behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onepass-atomic-'));
  const path = join(dir, 'result.json');
  writeFileAtomic(path, '{"old":true}');
  assert.equal(readFileSync(path, 'utf8'), '{"old":true}');
  // The rename cannot replace a directory: the write fails after the temporary file was written.
  const blocked = join(dir, 'blocked');
  mkdirSync(blocked);
  writeFileSync(join(blocked, 'x'), 'keep');
  assert.throws(() => writeFileAtomic(blocked, 'new'), (e: unknown) => e instanceof OnepassError && /cannot write .*blocked/.test(e.message));
  assert.deepEqual(readdirSync(dir).sort(), ['blocked', 'result.json']);
  assert.equal(readFileSync(join(blocked, 'x'), 'utf8'), 'keep');
  writeFileAtomic(path, '{"new":true}');
  assert.equal(readFileSync(path, 'utf8'), '{"new":true}');
  assert.deepEqual(readdirSync(dir).sort(), ['blocked', 'result.json']);
});
