/**
 * The browser launcher: the packaged Chromium is unpacked once into node_modules/.cache and
 * reused, and ONEPASS_CHROMIUM replaces it (a wrong path is refused by name, nothing falls back).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { packagedChromium, launchChromium } from './chromium.js';

test('the packaged Chromium unpacks to an executable in node_modules/.cache, found again by the next call, with no partial file left', async () => {
  const first = await packagedChromium();
  assert.match(first, /node_modules\/\.cache\/onepass-chromium-\d+\.\d+\.\d+\/chromium$/);
  accessSync(first, constants.X_OK);
  assert.ok(statSync(first).size > 100e6, `the unpacked browser is ${statSync(first).size} bytes`);
  assert.equal(await packagedChromium(), first);
  // Only this process's partial file: the explorer's tests may be unpacking their own copy right now.
  assert.equal(existsSync(`${first}.${process.pid}.partial`), false);
});

test('ONEPASS_CHROMIUM naming a missing file is refused with that path, not replaced by the packaged browser', async () => {
  const saved = process.env.ONEPASS_CHROMIUM;
  process.env.ONEPASS_CHROMIUM = '/nonexistent/chrome';
  try {
    await assert.rejects(launchChromium(), /^Error: ONEPASS_CHROMIUM=\/nonexistent\/chrome: no such file$/);
  } finally {
    if (saved === undefined) delete process.env.ONEPASS_CHROMIUM; else process.env.ONEPASS_CHROMIUM = saved;
  }
});
