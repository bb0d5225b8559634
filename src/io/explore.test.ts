import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExplorer, listenError } from './explore.js';
import { OnepassError } from '../model/errors.js';

/**
 * A request with the path sent as is (no client-side normalisation of `..`), bounded: it fails
 * after 5 s instead of hanging the suite. Host defaults to 127.0.0.1:port, as a browser sends it.
 */
function get(port: number, path: string, options: { method?: string; host?: string } = {}): Promise<{ status: number; type: string; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.host ? { host: options.host } : {}, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer within 5 s`))).on('error', reject).end();
  });
}

/** A site folder (index.html, assets/a.js) beside a secret file, served on a free port. */
async function serveSite() {
  const base = mkdtempSync(join(tmpdir(), 'onepass-explore-'));
  const site = join(base, 'site');
  mkdirSync(join(site, 'assets'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><p>hi</p>');
  writeFileSync(join(site, 'assets', 'a.js'), 'let x = 1;');
  writeFileSync(join(base, 'secret.txt'), 'secret');
  const ex = await startExplorer(0, site);
  const address = ex.server.address();
  assert.ok(typeof address === 'object' && address);
  return { base, site, ex, port: address.port, done: async () => { await ex.close(); rmSync(base, { recursive: true, force: true }); } };
}

test('a malformed URL gets 400 and the explorer keeps serving', async () => {
  const s = await serveSite();
  try {
    for (const path of ['/%', '/%E0%A4%A', '/a%00b']) assert.equal((await get(s.port, path)).status, 400, path);
    assert.equal((await get(s.port, '/')).status, 200);
  } finally { await s.done(); }
});

test('symlinks leading out of the site folder are not followed; links inside it are', async () => {
  const s = await serveSite();
  try {
    symlinkSync(join(s.base, 'secret.txt'), join(s.site, 'leak.txt'));
    symlinkSync(s.base, join(s.site, 'up'));
    symlinkSync(join(s.site, 'assets', 'a.js'), join(s.site, 'alias.js'));
    for (const path of ['/leak.txt', '/up/secret.txt']) {
      const r = await get(s.port, path);
      assert.equal(r.status, 404, path);
      assert.notEqual(r.body, 'secret');
    }
    assert.equal((await get(s.port, '/alias.js')).body, 'let x = 1;');
    assert.equal((await get(s.port, '/assets')).status, 404, 'a folder is not a file');
  } finally { await s.done(); }
});

test('only GET and HEAD are answered (405 with Allow otherwise); HEAD has no body', async () => {
  const s = await serveSite();
  try {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const r = await get(s.port, '/', { method });
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.allow, 'GET, HEAD');
    }
    const head = await get(s.port, '/', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], String('<!doctype html><p>hi</p>'.length));
  } finally { await s.done(); }
});

test('only Host 127.0.0.1:PORT or localhost:PORT is served (403 otherwise, against DNS rebinding)', async () => {
  const s = await serveSite();
  try {
    assert.equal((await get(s.port, '/', { host: `localhost:${s.port}` })).status, 200);
    for (const host of [`evil.example:${s.port}`, '127.0.0.1', `localhost:${s.port + 1}`, `127.0.0.1.evil.example:${s.port}`]) {
      const r = await get(s.port, '/', { host });
      assert.equal(r.status, 403, host);
      assert.doesNotMatch(r.body, /hi/);
    }
  } finally { await s.done(); }
});

test('a port in use or a privileged port is a one-line OnepassError naming --port', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const address = blocker.address();
  assert.ok(typeof address === 'object' && address);
  const site = mkdtempSync(join(tmpdir(), 'onepass-explore-'));
  writeFileSync(join(site, 'index.html'), 'x');
  try {
    await assert.rejects(startExplorer(address.port, site), (e: unknown) => e instanceof OnepassError && /^--port: \d+ is in use/.test(e.message));
  } finally {
    blocker.close();
    rmSync(site, { recursive: true, force: true });
  }
  // A real privileged port cannot be tried here (the tests may run as root), so the mapping is.
  const e = listenError(Object.assign(new Error('listen EACCES: permission denied 127.0.0.1:80'), { code: 'EACCES' }), 80);
  assert.ok(e instanceof OnepassError);
  assert.match(e.message, /^--port: 80 needs privileges \(ports below 1024 are reserved\)/);
});

test('explore serves the site folder on 127.0.0.1 only, and nothing outside it', async () => {
  const s = await serveSite();
  try {
    const address = s.ex.server.address();
    assert.ok(typeof address === 'object' && address && address.address === '127.0.0.1');
    const index = await get(s.port, '/?p=3&N=400');
    assert.equal(index.status, 200);
    assert.match(index.type, /^text\/html/);
    assert.equal(index.body, '<!doctype html><p>hi</p>');
    assert.match((await get(s.port, '/assets/a.js')).type, /^text\/javascript/);
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/..%2fsecret.txt', '/missing.js']) {
      const r = await get(s.port, path);
      assert.equal(r.status, 404, path);
      assert.notEqual(r.body, 'secret');
    }
  } finally { await s.done(); }
});
