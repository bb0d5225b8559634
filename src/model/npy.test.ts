import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { npyHeader, npzBytes, npzEntries, f8Entry, stringEntry, parseNpz, parseNpy, writeNpz } from './npy.js';
import { trajectoryNpzEntries, writeTrajectoryNpz } from './trajectoryNpz.js';
import { parseConfig } from './config.js';
import type { Trajectory } from './trajectory.js';

/** A run with known overlaps: Q[k][l] = 10 i + k + l + run/10 (symmetric), M[k][j] = i − k·j, loss = 1/(i+1). */
function run(r: number, T: number, status: Trajectory['status'] = 'completed'): Trajectory {
  const p = 2, pStar = 3;
  const alpha = Float64Array.from({ length: T }, (_, i) => i * 0.5);
  return {
    solver: 'sgd', p, pStar, alpha, loss: alpha.map((_, i) => 1 / (i + 1)),
    Q: Array.from(alpha, (_, i) => Float64Array.from({ length: p * p }, (_, x) => 10 * i + Math.floor(x / p) + (x % p) + r / 10)),
    M: Array.from(alpha, (_, i) => Float64Array.from({ length: p * pStar }, (_, x) => i - Math.floor(x / pStar) * (x % pStar))),
    P: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), status, message: '', stats: { steps: T - 1, N: 2, wasmKernel: 0 },
  };
}

test('the npy header follows format 1.0: magic, version 1.0, a little-endian length, a dict padded to 64 bytes and ended by a newline', () => {
  const h = npyHeader('<f8', [3, 4]);
  assert.deepEqual(Array.from(h.subarray(0, 8)), [0x93, 78, 85, 77, 80, 89, 1, 0]);
  assert.equal(h.length % 64, 0);
  assert.equal(h[8] + 256 * h[9], h.length - 10);
  const dict = new TextDecoder().decode(h.subarray(10));
  assert.ok(dict.startsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }"), dict);
  assert.ok(dict.endsWith(' \n'));
  // A 1-d shape is a one-tuple "(n,)", a 0-d shape "()": Python's literals.
  assert.match(new TextDecoder().decode(npyHeader('<f8', [5])), /'shape': \(5,\)/);
  assert.match(new TextDecoder().decode(npyHeader('<U3', [])), /'shape': \(\)/);
});

test('an npz parses back by the specification: float64 data in C order, strings, shapes, every key', () => {
  const bytes = npzBytes([
    f8Entry('a', [2, 3], (emit) => { emit(Float64Array.of(1, 2)); emit(Float64Array.of(3, 4, 5, -0.25)); }),
    stringEntry('s', ['completed', 'diverged']),
    stringEntry('config', '{"p":4,"σ":1}'),
  ]);
  const npz = parseNpz(bytes);
  assert.deepEqual([...npz.keys()], ['a', 's', 'config']);
  assert.deepEqual(npz.get('a')!.shape, [2, 3]);
  assert.deepEqual(Array.from(npz.get('a')!.data as Float64Array), [1, 2, 3, 4, 5, -0.25]);
  assert.deepEqual(npz.get('s')!.data, ['completed', 'diverged']);
  assert.equal(npz.get('s')!.descr, '<U9');
  assert.deepEqual(npz.get('config')!.shape, []);
  assert.deepEqual(npz.get('config')!.data, ['{"p":4,"σ":1}']);
  // Equal data gives equal bytes (fixed zip timestamps).
  assert.deepEqual(npzBytes([stringEntry('x', 'y')]), npzBytes([stringEntry('x', 'y')]));
});

test('an entry whose data does not fill its shape is refused, not written as a file numpy would reject', () => {
  assert.throws(() => npzBytes([f8Entry('a', [2, 2], (emit) => emit(Float64Array.of(1, 2, 3)))]), /24 bytes of data for shape \(2, 2\)/);
  assert.throws(() => npzBytes([stringEntry('a', 'x'), stringEntry('a', 'y')]), /given twice/);
});

test('a large array streams in chunks of at most about 1 MiB', () => {
  const chunks: number[] = [];
  writeNpz([f8Entry('big', [300000], (emit) => { for (let i = 0; i < 3000; i++) emit(new Float64Array(100).fill(i)); })], (c) => chunks.push(c.length));
  assert.ok(Math.max(...chunks) <= (1 << 20) + 1024, `largest chunk ${Math.max(...chunks)}`);
  assert.ok(chunks.reduce((a, b) => a + b, 0) > 2_400_000);
});

/** The zip compression method of each member (0 stored, 8 deflated), read by fflate. */
const methods = (zip: Uint8Array) => { const m: number[] = []; unzipSync(zip, { filter: (f) => { m.push(f.compression); return false; } }); return m; };
const MiB = 1 << 20;

test('an array produced in one large chunk still reaches the zip, and the file, in pieces of at most 1 MiB', () => {
  const chunks: number[] = [];
  const big = new Float64Array(MiB).fill(0.5); // 8 MiB in one emit
  writeNpz([f8Entry('big', [big.length], (emit) => emit(big))], (c) => chunks.push(c.length));
  assert.ok(Math.max(...chunks) <= MiB + 1024, `largest chunk ${Math.max(...chunks)}`);
});

test('npzEntries streams an archive\'s arrays back, stored or deflated, in pieces of at most about 1 MiB, with the dtype, shape and bytes written', () => {
  // 8 MiB: NaN (deflates about a thousandfold, the case of a stored sweep point's Q) then a ramp.
  const big = new Float64Array(MiB).fill(NaN);
  for (let i = MiB / 2; i < MiB; i++) big[i] = i / 7;
  const entries = () => [f8Entry('Q', [2, MiB / 2], (emit) => emit(big)), stringEntry('config', '{"p":2}'), f8Entry('alpha', [3], (emit) => emit(Float64Array.from([0, 0.5, 1])))];
  for (const compress of [false, true]) {
    const zip = npzBytes(entries(), { compress });
    assert.deepEqual(methods(zip), compress ? [8, 8, 8] : [0, 0, 0]);
    const pieces: number[] = [];
    const copy = npzBytes((function* () { for (const e of npzEntries(zip)) yield { ...e, data: (emit: (c: Uint8Array) => void) => e.data((c) => { pieces.push(c.length); emit(c); }) }; })());
    assert.ok(Math.max(...pieces) <= 1.1 * MiB, `compress ${compress}: largest piece ${Math.max(...pieces)} bytes`);
    assert.equal(pieces.reduce((a, b) => a + b, 0), 8 * MiB + 4 * 7 + 24);
    const [a, b] = [parseNpz(zip), parseNpz(copy)];
    assert.deepEqual([...b.keys()], ['Q', 'config', 'alpha']);
    for (const k of a.keys()) assert.deepEqual(b.get(k), a.get(k), k);
  }
});

test('trajectory.npz is deflated when the config keeps overlaps at some save points only (its Q and M mostly NaN), stored when it keeps them all', () => {
  for (const saveOverlaps of ['none', 'all'] as const) {
    const config = parseConfig({ p: 2, pStar: 3, eta: 0.5, saveOverlaps });
    const parts: Uint8Array[] = [];
    writeTrajectoryNpz(config, [{ prefix: '', runs: [run(0, 4)] }], (c) => parts.push(c.slice()));
    const zip = new Uint8Array(Buffer.concat(parts));
    assert.ok(methods(zip).every((m) => m === (saveOverlaps === 'none' ? 8 : 0)), `${saveOverlaps}: ${methods(zip)}`);
    assert.deepEqual(parseNpz(zip).get('Q'), parseNpz(npzBytes(trajectoryNpzEntries(config, [{ prefix: '', runs: [run(0, 4)] }]))).get('Q'));
  }
});

test('trajectory.npz holds per-run Q (full, symmetric), M, loss and status, NaN past a diverged run\'s last save, t and the config', () => {
  const config = parseConfig({ p: 2, pStar: 3, eta: 0.5, readout: 'mean' });
  const npz = parseNpz(npzBytes(trajectoryNpzEntries(config, [{ prefix: '', runs: [run(0, 4), run(1, 2, 'diverged')] }])));
  assert.deepEqual([...npz.keys()].sort(), ['M', 'P', 'Q', 'alpha', 'config', 'loss', 'onepass_version', 'status', 't'].sort());
  const Q = npz.get('Q')!, M = npz.get('M')!, loss = npz.get('loss')!;
  assert.deepEqual(Q.shape, [2, 4, 2, 2]);
  assert.deepEqual(M.shape, [2, 4, 2, 3]);
  assert.deepEqual(loss.shape, [2, 4]);
  const q = Q.data as Float64Array;
  const at = (r: number, i: number, k: number, l: number) => q[((r * 4 + i) * 2 + k) * 2 + l];
  assert.equal(at(0, 3, 0, 1), 31); // 10·3 + 0 + 1
  assert.equal(at(0, 3, 1, 0), 31);
  assert.equal(at(1, 1, 1, 1), 12.1);
  assert.ok(Number.isNaN(at(1, 2, 0, 0)) && Number.isNaN(at(1, 3, 1, 1)));
  assert.equal((M.data as Float64Array)[((0 * 4 + 2) * 2 + 1) * 3 + 2], 0); // i − k·j = 2 − 1·2
  assert.deepEqual(Array.from((loss.data as Float64Array).subarray(0, 4)), [1, 1 / 2, 1 / 3, 1 / 4]);
  assert.deepEqual(npz.get('status')!.data, ['completed', 'diverged']);
  // t = ηα/p for the mean readout: 0.5 · 1.5 / 2 at the last save.
  assert.equal((npz.get('t')!.data as Float64Array)[3], 0.375);
  assert.deepEqual(JSON.parse((npz.get('config')!.data as string[])[0]).p, 2);
  // The sum readout has no 1/p.
  const sum = parseNpz(npzBytes(trajectoryNpzEntries({ ...config, readout: 'sum' }, [{ prefix: '', runs: [run(0, 4)] }])));
  assert.equal((sum.get('t')!.data as Float64Array)[3], 0.75);
});

test('numpy itself loads trajectory.npz without allow_pickle, with the shapes and values written', (t) => {
  const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) { t.skip(`python3 with numpy is not installed here (${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}); the pure-JS test above parses the same file by the specification`); return; }
  const dir = mkdtempSync(join(tmpdir(), 'onepass-npz-'));
  try {
    const config = parseConfig({ p: 2, pStar: 3, eta: 0.5 });
    const path = join(dir, 'trajectory.npz');
    writeFileSync(path, npzBytes(trajectoryNpzEntries(config, [{ prefix: 'ode_', runs: [run(0, 4)] }, { prefix: 'sgd_', runs: [run(0, 4), run(1, 3, 'diverged')] }])));
    const script = [
      'import json, sys, numpy as np',
      'd = np.load(sys.argv[1])',
      'Q = d["sgd_Q"]',
      'print(json.dumps({"files": sorted(d.files), "Q": list(Q.shape), "sym": bool(np.allclose(Q[0], np.swapaxes(Q[0], 1, 2))),',
      ' "q": float(Q[1, 1, 0, 1]), "nan": bool(np.isnan(Q[1, 3]).all()), "status": [str(s) for s in d["sgd_status"]],',
      ' "p": json.loads(d["config"][()])["p"], "t": float(d["t"][3]), "P": d["P"].tolist(), "dtype": str(d["ode_loss"].dtype)}))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, path], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.files, ['P', 'alpha', 'config', 'ode_M', 'ode_Q', 'ode_loss', 'ode_status', 'onepass_version', 'sgd_M', 'sgd_Q', 'sgd_loss', 'sgd_status', 't']);
    assert.deepEqual(out.Q, [2, 4, 2, 2]);
    assert.equal(out.sym, true);
    assert.equal(out.q, 11.1); // 10·1 + 0 + 1 + 1/10
    assert.equal(out.nan, true);
    assert.deepEqual(out.status, ['completed', 'diverged']);
    assert.equal(out.p, 2);
    assert.equal(out.t, 0.375);
    assert.deepEqual(out.P, [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    assert.equal(out.dtype, 'float64');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('parseNpy refuses what is not an npy file', () => {
  assert.throws(() => parseNpy(new Uint8Array(16)), /magic/);
});
