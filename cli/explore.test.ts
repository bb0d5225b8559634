import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExplorer } from './explore.js';

/** GET with the path sent as is (no client-side normalisation of `..`). */
function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    }).on('error', reject).end();
  });
}

test('explore serves the site folder on 127.0.0.1 only, and nothing outside it', async () => {
  const base = mkdtempSync(join(tmpdir(), 'onepass-explore-'));
  const site = join(base, 'site');
  mkdirSync(join(site, 'assets'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><p>hi</p>');
  writeFileSync(join(site, 'assets', 'a.js'), 'let x = 1;');
  writeFileSync(join(base, 'secret.txt'), 'secret');
  const ex = await startExplorer(0, site);
  try {
    const address = ex.server.address();
    assert.ok(typeof address === 'object' && address && address.address === '127.0.0.1');
    const port = address.port;
    const index = await get(port, '/?p=3&N=400');
    assert.equal(index.status, 200);
    assert.match(index.type, /^text\/html/);
    assert.equal(index.body, '<!doctype html><p>hi</p>');
    assert.match((await get(port, '/assets/a.js')).type, /^text\/javascript/);
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/missing.js']) {
      const r = await get(port, path);
      assert.equal(r.status, 404, path);
      assert.notEqual(r.body, 'secret');
    }
  } finally {
    await ex.close();
    rmSync(base, { recursive: true, force: true });
  }
});
