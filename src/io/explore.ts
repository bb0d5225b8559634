/**
 * `onepass explore`: serves the browser explorer (the static site built from web/ into
 * web/dist) on 127.0.0.1 only. Builds the site first when it is missing, so a fresh clone with
 * `npm ci` (which installs Vite) only needs `npx onepass explore`. The server is small and
 * strict (see `route`): sirv and serve-handler were considered, but neither checks the Host
 * header nor restricts methods, which a local server needs against DNS rebinding.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OnepassError } from '../model/errors.js';

/** The repository root: this file is src/io/explore.ts, compiled to dist/src/io/explore.js. */
const root = fileURLToPath(new URL(import.meta.url.includes('/dist/src/io/') ? '../../../' : '../../', import.meta.url));
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

type Reply = { status: number; headers?: Record<string, string>; file?: string; text?: string };

/**
 * What the server answers to one request, decided without touching the response. Only GET and
 * HEAD (405); only Host 127.0.0.1:port or localhost:port (403: a page on another site that
 * rebinds its DNS name to 127.0.0.1 sends its own name as Host, and cannot read what we serve);
 * a path that does not decode is 400; only regular files whose real path (symlinks resolved)
 * lies in the real site folder are served, everything else is 404.
 */
export function route(method: string | undefined, host: string | undefined, url: string | undefined, realDir: string, port: number): Reply {
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, headers: { allow: 'GET, HEAD' }, text: 'method not allowed\n' };
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return { status: 403, text: 'forbidden host\n' };
  let path: string;
  try {
    path = decodeURIComponent(new URL(url ?? '/', 'http://localhost').pathname);
  } catch {
    return { status: 400, text: 'bad request\n' };
  }
  if (path.includes('\0')) return { status: 400, text: 'bad request\n' };
  const notFound: Reply = { status: 404, text: 'not found\n' };
  let real: string;
  try {
    real = realpathSync(join(realDir, path.endsWith('/') ? path + 'index.html' : path));
  } catch {
    return notFound;
  }
  // Nothing outside the site folder, whatever the path or a symlink says.
  if (!real.startsWith(realDir + sep) || !statSync(real).isFile()) return notFound;
  return { status: 200, headers: { 'content-type': TYPES[extname(real)] ?? 'application/octet-stream' }, file: real };
}

/** Maps a listen error to a one-line message (port taken, privileged port), else returns it. */
export function listenError(e: NodeJS.ErrnoException, port: number): Error {
  if (e.code === 'EADDRINUSE') return new OnepassError(`--port: ${port} is in use; pick another with --port N`);
  if (e.code === 'EACCES') return new OnepassError(`--port: ${port} needs privileges (ports below 1024 are reserved); pick one ≥ 1024 with --port N`);
  return e;
}

/** Serves `dir` (default web/dist, built if missing) on 127.0.0.1:port; port 0 picks a free one. */
export async function startExplorer(port: number, folder = webDist): Promise<Explorer> {
  const dir = resolve(folder);
  if (!existsSync(join(dir, 'index.html'))) await buildSite();
  const realDir = realpathSync(dir);
  let actual = port;
  const server = createServer((req, res) => {
    try {
      const r = route(req.method, req.headers.host, req.url, realDir, actual);
      const headers = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', ...r.headers };
      const body = r.file ? readFileSync(r.file) : Buffer.from(r.text ?? '');
      res.writeHead(r.status, { ...headers, 'content-length': String(body.length) }).end(req.method === 'HEAD' ? undefined : body);
    } catch {
      // A file that vanished between the check and the read, or anything unforeseen: never a dead server.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(e, port)));
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  actual = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actual}/`, server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
