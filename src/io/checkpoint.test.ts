import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../model/config.js';
import { makeProblem, initialCondition } from '../model/problem.js';
import { simulateEnsemble, type EnsembleCheckpoint } from '../sim/ensemble.js';
import { OnepassError } from '../model/errors.js';
import { checkpointText, parseCheckpoint, readCheckpoint, writeCheckpoint, checkpointWriter, CHECKPOINT_FILE } from './checkpoint.js';

// Two runs at N = 200: run 0 finished, run 1 in progress (its state after the 10th save point).
const config = parseConfig({ N: 200, alphaMax: 3, savePoints: 20, runs: 2 });
const problem = makeProblem(config);
// Serialised when written: the ensemble reuses its state objects between checkpoints.
const texts: string[] = [];
simulateEnsemble(problem, initialCondition(config), { checkpoint: { everySeconds: 0, write: (s) => texts.push(checkpointText(config, s)) } });
const text = texts.find((t) => { const s = parseCheckpoint(t, config, 'x'); return s.finished[0] !== null && s.current[1]?.alpha.length === 10; })!;
const state: EnsembleCheckpoint = parseCheckpoint(text, config, 'x');
const [header, body] = [text.slice(0, text.indexOf('\n')), text.slice(text.indexOf('\n') + 1)];

/** The checkpoint with its body edited and its checksum recomputed: only the field validation can catch it. */
function edited(edit: (b: { config: unknown; state: Record<string, unknown[]> }) => void): string {
  const b = JSON.parse(body);
  edit(b);
  const nb = JSON.stringify(b);
  return JSON.stringify({ ...JSON.parse(header), sha256: createHash('sha256').update(nb).digest('hex') }) + '\n' + nb;
}
const f64 = (xs: number[]) => ({ $float64: Buffer.from(Float64Array.from(xs).buffer).toString('base64') });
const refused = (t: string, why: RegExp) => assert.throws(() => parseCheckpoint(t, config, 'D/checkpoint.json'),
  (e: unknown) => e instanceof OnepassError && /^--resume: D\/checkpoint\.json is not a valid checkpoint: /.test(e.message) && why.test(e.message) && !e.message.includes('\n'));

test('a checkpoint reads back bit for bit, and resumes to the uninterrupted result', () => {
  assert.equal(checkpointText(config, state), text);
  assert.equal(state.current[1]!.W.length, config.p * config.N);
  const resumed = simulateEnsemble(problem, initialCondition(config), { resume: state });
  const plain = simulateEnsemble(problem, initialCondition(config));
  assert.deepEqual(Array.from(resumed.lossMean), Array.from(plain.lossMean));
});

test('a flipped bit anywhere, an edited loss or a cut file fails the checksum', () => {
  const W = (body.match(/"W":\{"\$float64":"([^"]+)"/) ?? [])[1]!;
  const flipped = W.slice(0, 20) + (W[20] === 'A' ? 'B' : 'A') + W.slice(21);
  refused(header + '\n' + body.replace(W, flipped), /checksum does not match/);
  refused(header + '\n' + body.replace(/"loss":\[([-\d.e]+)/, '"loss":[0.45'), /checksum does not match/);
  refused(text.slice(0, text.length - 10), /checksum does not match/);
});

test('every field is validated even with a matching checksum: shapes, generator states, step, saved arrays', () => {
  refused(edited((b) => { (b.state.current[1] as Record<string, unknown>).W = f64(Array(100).fill(0.1)); }), /state\.current\[1\]\.W must hold 800 numbers \(holds 100\)/);
  const rngOf = (b: { state: Record<string, unknown[]> }) => (b.state.current[1] as Record<string, Record<string, unknown>>).rng;
  refused(edited((b) => { rngOf(b).labelNoise = [0, 0, 0, 0]; }), /\.rng\.labelNoise must not be all zero/);
  refused(edited((b) => { rngOf(b).inputs = [1, 2, 3]; }), /\.rng\.inputs must be 4 32-bit words/);
  refused(edited((b) => { (b.state.current[1] as Record<string, unknown>).step = 1e12; }), /\.step must be an integer in \[0, 600\]/);
  refused(edited((b) => { (b.state.current[1] as Record<string, unknown>).step = -5; }), /\.step must be an integer in \[0, 600\]/);
  refused(edited((b) => { (b.state.current[1] as Record<string, unknown[]>).Q.pop(); }), /current\[1\]\.Q must hold one array per saved α \(10\)/);
  refused(edited((b) => { (b.state.current[1] as Record<string, unknown[]>).alpha.splice(5, 1); }), /alpha\[5\] must be the save grid's α/);
  refused(edited((b) => { (b.state.finished[0] as Record<string, unknown>).M = []; }), /finished\[0\]\.M must hold one array per saved α/);
  refused(edited((b) => { b.state.finished.pop(); }), /state\.finished must list the 2 run\(s\)/);
  refused(edited((b) => { (b.state.current[1] as Record<string, unknown>).extra = 1; }), /\.extra is not part of a checkpoint/);
});

test('each run in progress holds the states of its two streams, inputs and label noise; the older one-generator layout is refused', () => {
  const { inputs } = state.current[1]!.rng;
  refused(edited((b) => { (b.state.current[1] as Record<string, unknown>).rng = inputs; }), /\.rng must hold the states of the run's two streams, \{ inputs, labelNoise \}/);
  refused(edited((b) => { (b.state.current[1] as Record<string, unknown>).rng = { inputs, noise: inputs }; }), /\.rng must hold the states of the run's two streams/);
  refused(edited((b) => { (b.state.current[1] as Record<string, unknown>).rngNoise = inputs; }), /\.rngNoise is not part of a checkpoint/);
  // A file of the earlier format (one generator per run, the old seeding) is refused by its header.
  refused(header.replace('onepass-checkpoint-2', 'onepass-checkpoint') + '\n' + body, /no header line \(written by an older onepass/);
  assert.notDeepEqual(state.current[1]!.rng.inputs, state.current[1]!.rng.labelNoise);
});

test('null, an old-format file, or another config is a one-line refusal', () => {
  refused('null', /no header line/);
  refused(JSON.stringify({ onepassVersion: '0.1.0', config, state: null }), /no header line/);
  assert.throws(() => parseCheckpoint(text, parseConfig({ N: 200, alphaMax: 3, savePoints: 20, runs: 2, eta: 0.25 }), 'D/checkpoint.json'), /belongs to another config \(eta differs\)/);
});

test('a failed checkpoint write warns once and the run goes on to the same result', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'onepass-ckpt-')), 'missing');
  const warnings: string[] = [];
  const write = checkpointWriter(dir, config, (m) => warnings.push(m));
  const e = simulateEnsemble(problem, initialCondition(config), { checkpoint: { everySeconds: 0, write } });
  const plain = simulateEnsemble(problem, initialCondition(config));
  assert.deepEqual(Array.from(e.lossMean), Array.from(plain.lossMean));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^checkpoint not saved \(cannot write .*checkpoint\.json: ENOENT\); the run continues/);
  const ok = mkdtempSync(join(tmpdir(), 'onepass-ckpt-'));
  writeCheckpoint(ok, config, state);
  assert.equal(readFileSync(join(ok, CHECKPOINT_FILE), 'utf8'), text);
  assert.ok(readCheckpoint(ok, config).current[1]);
  writeFileSync(join(ok, CHECKPOINT_FILE), 'null');
  assert.throws(() => readCheckpoint(ok, config), /not a valid checkpoint: no header line/);
  assert.ok(existsSync(join(ok, CHECKPOINT_FILE)));
});
