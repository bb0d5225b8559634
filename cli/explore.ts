/**
 * `onepass explore`: serves the browser explorer (the static site built from web/ into
 * web/dist) on 127.0.0.1 only. Builds the site first when it is missing, so a fresh clone with
 * `npm ci` (which installs Vite) only needs `npx onepass explore`.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OnepassError } from '../src/index.js';

/** The repository root: this file is cli/explore.ts, compiled to dist/cli/explore.js. */
const root = fileURLToPath(new URL(import.meta.url.includes('/dist/cli/') ? '../../' : '../', import.meta.url));
export const webDist = join(root, 'web', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.ico': 'image/x-icon',
};

/** Builds web/ into web/dist with Vite (a dev dependency, hence imported only when needed). */
export async function buildSite(): Promise<void> {
  let vite: typeof import('vite');
  try { vite = await import('vite'); } catch {
    throw new OnepassError('explore: the site is not built and Vite is not installed; run `npm ci && npm run build:web` in the onepass folder');
  }
  await vite.build({ configFile: join(root, 'web', 'vite.config.ts'), logLevel: 'warn' });
}

export interface Explorer { readonly url: string; readonly server: Server; close(): Promise<void> }

/** Serves `dir` (default web/dist, built if missing) on 127.0.0.1:port; port 0 picks a free one. */
export async function startExplorer(port: number, folder = webDist): Promise<Explorer> {
  const dir = resolve(folder);
  if (!existsSync(join(dir, 'index.html'))) await buildSite();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(dir, path.endsWith('/') ? path + 'index.html' : path));
    // Nothing outside the site folder, whatever the path says.
    if (!(file + sep).startsWith(dir + sep) && file !== dir || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new OnepassError(`--port: ${port} is in use; pick another with --port N`) : e));
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actual}/`, server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
