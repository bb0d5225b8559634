/**
 * Launches a headless Chromium through playwright-core, for the explorer's browser tests and
 * its screenshot. The browser comes from the npm registry like every other dependency: the dev
 * dependency @sparticuz/chromium ships a brotli-compressed headless Chromium (Linux x64) inside
 * its package, which is unpacked on first use into node_modules/.cache/ and reused. Nothing is
 * downloaded at install or at run time, and no root is needed. ONEPASS_CHROMIUM=/path/to/chromium
 * uses another Chromium or Chrome instead (needed on macOS, Windows or arm64).
 */
import { chmodSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { chromium, type BrowserContext } from 'playwright-core';

/** Flags for a quiet, sandbox-free headless run that makes no network requests of its own. */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Chromium { readonly context: BrowserContext; close(): Promise<void> }

/**
 * The packaged browser's executable, unpacked (≈ 200 MB, ~2 s) on first use. Unpacking goes to a
 * temporary name and is renamed into place, so a concurrent or killed run never leaves a partial
 * binary behind (the package's own helper writes straight to /tmp/chromium and trusts whatever
 * is there, whichever version or half of it).
 */
export async function packagedChromium(): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the Chromium inside @sparticuz/chromium runs on Linux x64 only (this is ${process.platform} ${process.arch}): set ONEPASS_CHROMIUM to a Chromium or Chrome executable`);
  }
  const pkgDir = join(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..', '..');
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const dir = join(pkgDir, '..', '..', '.cache', `onepass-chromium-${version}`);
  const exe = join(dir, 'chromium');
  if (existsSync(exe)) return exe;
  mkdirSync(dir, { recursive: true });
  const partial = `${exe}.${process.pid}.partial`;
  try {
    await pipeline(createReadStream(join(pkgDir, 'bin', 'chromium.br')), createBrotliDecompress(), createWriteStream(partial));
    chmodSync(partial, 0o755);
    renameSync(partial, exe);
  } finally { rmSync(partial, { force: true }); }
  return exe;
}

/** A browser with a fresh, temporary profile (removed on close). */
export async function launchChromium(viewport = { width: 1500, height: 1100 }): Promise<Chromium> {
  const chosen = process.env.ONEPASS_CHROMIUM;
  if (chosen && !existsSync(chosen)) throw new Error(`ONEPASS_CHROMIUM=${chosen}: no such file`);
  const executablePath = chosen || (await packagedChromium());
  const profile = mkdtempSync(join(tmpdir(), 'onepass-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, viewport, args: ARGS });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    const message = (err as Error).message;
    // The packaged build links the system's NSS and Expat, present wherever a desktop or browser is.
    const hint = /shared librar/.test(message) ? ' (a shared library is missing: on Debian/Ubuntu apt-get install libnss3 libexpat1)' : '';
    throw new Error(`${executablePath} did not start${hint}: ${message}`);
  }
  return {
    context,
    close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); },
  };
}
