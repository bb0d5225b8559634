import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { expandSweep } from './grid.js';
import { computePointWithNpz } from './point.js';
import { resultsTable } from './table.js';
import { tablePoints, writeSweepNpz, writeSweepCsv, writeSweepJson } from './export.js';
import { parseNpz, npzBytes, f8Entry } from '../model/npy.js';
import { stringEntry } from '../model/npy.js';

/** Two ODE points (p = 2, 3) and one two-run SGD point, computed; the store replaced by a Map. */
function sweep() {
  const { points } = expandSweep({ N: 100, alphaMax: 2, savePoints: 8, runs: 2, p: [2, 3], solver: 'both' });
  const stored = new Map<string, Uint8Array>();
  const rows = points.map((pt, i) => {
    const { npz, ...r } = computePointWithNpz(pt.config, pt.solver);
    stored.set(`h${i}/${pt.solver}`, npz);
    return { ...r, configHash: `h${i}`, solver: pt.solver, config: pt.config, computedAt: 'now' };
  });
  const table = resultsTable(rows);
  return { table, lookup: (h: string, s: string) => stored.get(`${h}/${s}`) };
}

const text = (produce: (w: (c: string) => void) => void) => { const parts: string[] = []; produce((c) => parts.push(c)); return parts.join(''); };

test('trajectories.npz keys every point\'s arrays by its row in results.csv, with its solver and hash', () => {
  const { table, lookup } = sweep();
  const refs = tablePoints(table);
  assert.equal(refs.length, 4);
  const parts: Uint8Array[] = [];
  writeSweepNpz(refs, lookup, (c) => parts.push(c.slice()));
  const d = parseNpz(Buffer.concat(parts));
  for (const r of refs) {
    const p = Number(table.rows[r.row][table.columns.indexOf('p')]);
    const runs = r.solver === 'sgd' ? 2 : 1;
    assert.deepEqual(d.get(`${r.row}/solver`)!.data, [r.solver]);
    assert.deepEqual(d.get(`${r.row}/Q`)!.shape.slice(0, 1).concat(d.get(`${r.row}/Q`)!.shape.slice(2)), [runs, p, p]);
    assert.equal(JSON.parse((d.get(`${r.row}/config`)!.data as string[])[0]).p, p);
    // the stored npz is the same arrays, byte for byte
    assert.deepEqual(d.get(`${r.row}/loss`)!.data, parseNpz(lookup(r.configHash, r.solver)!).get('loss')!.data);
  }
});

const exportNpz = (refs: ReturnType<typeof tablePoints>, lookup: (h: string, s: string) => Uint8Array | undefined) => {
  const parts: Uint8Array[] = [];
  writeSweepNpz(refs, lookup, (c) => parts.push(c.slice()));
  return new Uint8Array(Buffer.concat(parts));
};

test('trajectories.npz is deflated (as np.savez_compressed): every member of method 8; a point whose Q is 8 MB of NaN (no overlaps kept) exports in kilobytes', () => {
  const { table, lookup } = sweep();
  const methods: number[] = [];
  unzipSync(exportNpz(tablePoints(table), lookup), { filter: (f) => { methods.push(f.compression); return false; } });
  assert.ok(methods.length > 20 && methods.every((m) => m === 8), `methods ${methods}`);
  const nan = npzBytes([f8Entry('Q', [1, 1000, 32, 32], (emit) => emit(new Float64Array(1000 * 32 * 32).fill(NaN)))], { compress: true });
  const out = exportNpz([{ row: 0, configHash: 'h', solver: 'ode' }], () => nan);
  assert.ok(out.length < 64 * 1024, `${out.length} bytes (raw: 8.2 MB)`);
  assert.ok((parseNpz(out).get('0/Q')!.data as Float64Array).every(Number.isNaN));
});

test('numpy loads the deflated trajectories.npz (members ZIP_DEFLATED) with the stored arrays', (t) => {
  const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) { t.skip(`python3 with numpy is not installed here (${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}); the test above reads the same file by the specification`); return; }
  const { table, lookup } = sweep();
  const refs = tablePoints(table);
  const dir = mkdtempSync(join(tmpdir(), 'onepass-export-'));
  try {
    const path = join(dir, 'trajectories.npz');
    writeFileSync(path, exportNpz(refs, lookup));
    const sgd = refs.find((r) => r.solver === 'sgd' && table.rows[r.row][table.columns.indexOf('p')] === 3)!;
    const script = [
      'import json, sys, zipfile, numpy as np',
      'd = np.load(sys.argv[1])',
      'print(json.dumps({"deflated": all(i.compress_type == zipfile.ZIP_DEFLATED for i in zipfile.ZipFile(sys.argv[1]).infolist()),',
      ' "Q": d[sys.argv[2] + "/Q"].tolist(), "solver": str(d[sys.argv[2] + "/solver"][()])}))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, path, String(sgd.row)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.deflated, true);
    assert.equal(out.solver, 'sgd');
    assert.deepEqual(out.Q.flat(3), Array.from(parseNpz(lookup(sgd.configHash, 'sgd')!).get('Q')!.data as Float64Array));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('trajectories.csv is long format in the CSV convention, with the columns of the widest point, empty where a point has fewer units', () => {
  const { table, lookup } = sweep();
  const lines = text((w) => writeSweepCsv(tablePoints(table), lookup, { p: 3, pStar: 2, v: false }, w)).trim().split('\n');
  assert.equal(lines[0], 'alpha,t,row,solver,run,loss,loss_floor,q_0_0,q_0_1,q_0_2,q_1_1,q_1_2,q_2_2,m_0_0,m_0_1,m_1_0,m_1_1,m_2_0,m_2_1');
  const rowsOf = (row: number) => lines.slice(1).filter((l) => l.split(',')[2] === String(row));
  const p2 = tablePoints(table).find((r) => table.rows[r.row][table.columns.indexOf('p')] === 2 && r.solver === 'sgd')!;
  const sample = rowsOf(p2.row);
  const T = parseNpz(lookup(p2.configHash, 'sgd')!).get('alpha')!.shape[0];
  assert.ok(T >= 5);
  assert.equal(sample.length, 2 * T, 'two runs of T saves');
  const cells = sample[sample.length - 1].split(',');
  assert.equal(cells[4], '1', 'the second run');
  assert.equal(cells[9], '', 'q_0_2: no third unit at p = 2');
  // t = ηα/p = 0.5 · 2 / 2 at the last save.
  assert.deepEqual([cells[0], cells[1]], ['2', '0.5']);
});

test('trajectories.json holds nested arrays of the npz shapes and the config as an object', () => {
  const { table, lookup } = sweep();
  const doc = JSON.parse(text((w) => writeSweepJson(tablePoints(table), lookup, w)));
  assert.equal(doc.length, 4);
  const sgd = doc.find((d: { solver: string; config: { p: number } }) => d.solver === 'sgd' && d.config.p === 3);
  assert.equal(sgd.Q.length, 2);
  const T = sgd.alpha.length;
  assert.equal(sgd.Q[1].length, T);
  assert.equal(sgd.t[T - 1], 0.5 * 2 / 3);
  assert.equal(sgd.Q[1][T - 1][0][2], sgd.Q[1][T - 1][2][0]);
  assert.deepEqual(sgd.status, ['completed', 'completed']);
  assert.equal(sgd.row, table.rows.findIndex((r) => r[table.columns.indexOf('config_hash')] === sgd.config_hash && r[table.columns.indexOf('solver')] === 'sgd'));
});

test('a row without a stored trajectory is left out of every export', () => {
  const { table } = sweep();
  const only = npzBytes([stringEntry('x', 'y')]);
  const d = parseNpz((() => { const parts: Uint8Array[] = []; writeSweepNpz(tablePoints(table), (h) => (h === 'h0' ? only : undefined), (c) => parts.push(c.slice())); return Buffer.concat(parts); })());
  assert.deepEqual([...d.keys()].sort(), ['0/config_hash', '0/solver', '0/x'].map((k) => k.replace('0/', `${tablePoints(table).find((r) => r.configHash === 'h0')!.row}/`)).sort());
});
