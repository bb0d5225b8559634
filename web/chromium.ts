/**
 * Launches Debian's headless Chromium (/usr/bin/chromium) through playwright-core, for the
 * explorer's browser tests and its screenshot. Never downloads a browser: a missing one is an
 * error that says how to install it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, sandbox-free headless run that makes no network requests of its own. */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Chromium { readonly context: BrowserContext; close(): Promise<void> }

/** A browser with a fresh, temporary profile (removed on close). */
export async function launchChromium(viewport = { width: 1500, height: 1100 }): Promise<Chromium> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the explorer's browser tests need Debian's Chromium (apt-get install -y chromium); they install nothing themselves`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'onepass-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, viewport, args: ARGS });
  return {
    context,
    close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); },
  };
}
