/**
 * Browser tests of the explorer: a real headless Chromium (the one inside the npm package
 * @sparticuz/chromium, see chromium.ts; driven by playwright-core, nothing is downloaded) against
 * `onepass explore`'s server. The page's numbers
 * are checked against the library called here in Node, so the worker path (Vite bundle, worker,
 * messages, DOM) is tested end to end.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { parseConfig, makeProblem, initialCondition, solveOde, ConfigError, type ConfigInput } from '../src/index.js';
import { startExplorer, type Explorer } from '../src/io/explore.js';
import { launchChromium, type Chromium } from './chromium.js';

let explorer: Explorer, browser: Chromium;

before(async () => {
  // The packaged Chromium, unpacked on first use (or ONEPASS_CHROMIUM); if it cannot start, every test below fails with the reason.
  browser = await launchChromium();
  explorer = await startExplorer(0);
});

after(async () => {
  await browser?.close();
  await explorer?.close();
});

/** Final ODE loss of a config, from the library in Node. */
function libraryFinalLoss(input: ConfigInput): number {
  const config = parseConfig(input);
  const t = solveOde(makeProblem(config), initialCondition(config).overlaps);
  return t.loss[t.loss.length - 1];
}

async function newPage(query = ''): Promise<Page> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(explorer.url + query);
  (page as Page & { errors?: string[] }).errors = errors;
  return page;
}

/** Waits until the ODE of a run newer than `afterRun` is shown; returns its final loss as exposed by the page. */
async function odeFinalLoss(page: Page, afterRun = 0): Promise<number> {
  await page.waitForFunction((n) => Number(document.getElementById('ode-final-loss')?.dataset.run ?? 0) > n, afterRun, { timeout: 60_000 });
  return Number(await page.locator('#ode-final-loss').getAttribute('data-value'));
}

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

test('the page runs the default setup on load, and after changing p its final ODE loss equals solveOde to 1e-9 relative', async () => {
  const page = await newPage();
  const first = await odeFinalLoss(page);
  assert.ok(relErr(first, libraryFinalLoss({})) <= 1e-9, `default: page ${first}`);
  const run = Number(await page.locator('#ode-final-loss').getAttribute('data-run'));
  await page.fill('#field-p', '3');
  await page.fill('#field-N', '400');
  await page.click('#run');
  const shown = await odeFinalLoss(page, run);
  const expected = libraryFinalLoss({ p: 3, N: 400 });
  assert.ok(relErr(shown, expected) <= 1e-9, `p = 3: page ${shown}, library ${expected}`);
  // The SGD run streams in and finishes; the URL now holds the new state.
  await page.waitForFunction(() => document.body.dataset.status === 'done', null, { timeout: 60_000 });
  assert.match(page.url(), /[?&]p=3(&|$)/);
  // Chromium has WebAssembly SIMD: the page's SGD ran on the kernel, not on the fallback.
  assert.match(await page.locator('#status').textContent() ?? '', /WebAssembly SIMD loop/);
  assert.deepEqual((page as Page & { errors?: string[] }).errors, []);
  await page.close();
});

test('a shared URL restores the whole state (controls, slider) and the same result', async () => {
  const page = await newPage('?activation=square&p=2&pStar=1&eta=0.3&noise=0.01&init.studentVariance=0.0001&N=300&alphaMax=40&seed=7&at=120');
  const expected = libraryFinalLoss({ p: 2, pStar: 1, eta: 0.3, noise: 0.01, init: { studentVariance: 1e-4 }, N: 300, alphaMax: 40, seed: 7 });
  const shown = await odeFinalLoss(page);
  assert.ok(relErr(shown, expected) <= 1e-9, `page ${shown}, library ${expected}`);
  const values = await page.evaluate(() => ['p', 'pStar', 'eta', 'noise', 'init-studentVariance', 'N', 'alphaMax', 'seed'].map((k) => (document.getElementById(`field-${k}`) as HTMLInputElement).value));
  assert.deepEqual(values, ['2', '1', '0.3', '0.01', '0.0001', '300', '40', '7']);
  await page.waitForFunction(() => document.body.dataset.status === 'done', null, { timeout: 60_000 });
  assert.equal(await page.inputValue('#alpha-slider'), '120');
  assert.match(page.url(), /[?&]at=120(&|$)/);
  await page.close();
});

test('an erf committee with sum readout (Saad–Solla) runs in the page with the library\'s ODE result, without the quadratic-only analyses', async () => {
  const page = await newPage('?activation=erf&readout=sum&p=2&pStar=2&eta=0.5&N=200&alphaMax=20&init.studentVariance=0.01');
  const expected = libraryFinalLoss({ activation: 'erf', readout: 'sum', p: 2, pStar: 2, eta: 0.5, N: 200, alphaMax: 20, init: { studentVariance: 0.01 } });
  const shown = await odeFinalLoss(page);
  assert.ok(relErr(shown, expected) <= 1e-9, `page ${shown}, library ${expected}`);
  assert.equal(await page.inputValue('#field-readout'), 'sum');
  await page.waitForFunction(() => document.body.dataset.status === 'done', null, { timeout: 60_000 });
  assert.match((await page.locator('#summary').textContent()) ?? '', /quadratic network/);
  await page.close();
});

test('a bad value (p = 0) shows the library\'s one-line error instead of running', async () => {
  let message = '';
  try { parseConfig({ p: 0 }); } catch (e) { if (e instanceof ConfigError) message = e.message; }
  assert.ok(message.startsWith('p: '), 'the library rejects p = 0');
  const page = await newPage('?N=300');
  const run = Number((await odeFinalLoss(page), await page.locator('#ode-final-loss').getAttribute('data-run')));
  await page.fill('#field-p', '0');
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.status === 'error', null, { timeout: 10_000 });
  assert.equal(await page.locator('#error').textContent(), `error: ${message}`);
  assert.equal(await page.locator('#error').isVisible(), true);
  // No new run was started.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(Number(await page.locator('#ode-final-loss').getAttribute('data-run')), run);
  await page.close();
});

test('figures export as SVG and PNG, data as CSV with the library\'s columns', async () => {
  const page = await newPage('?N=300&alphaMax=20');
  await page.waitForFunction(() => document.body.dataset.status === 'done', null, { timeout: 60_000 });
  const get = async (selector: string) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
    const path = await download.path();
    return { name: download.suggestedFilename(), data: readFileSync(path!) };
  };
  const svg = await get('button[data-figure="loss"][data-format="svg"]');
  assert.equal(svg.name, 'onepass-loss.svg');
  assert.match(svg.data.toString('utf8'), /^<svg/);
  const png = await get('button[data-figure="hessian"][data-format="png"]');
  assert.deepEqual([...png.data.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const csv = await get('#export-csv');
  const lines = csv.data.toString('utf8').trim().split('\n');
  assert.match(lines[0], /^alpha,t,solver,run,seed,loss,loss_floor,q_0_0,/);
  assert.ok(lines.some((l) => /^[^,]*,[^,]*,ode,/.test(l)) && lines.some((l) => /^[^,]*,[^,]*,sgd,/.test(l)));
  await page.close();
});

test('a wide student (p = 64, p* = 2) runs in the page: the same final ODE loss as Node to the last bit, the heatmaps drawn from the kept overlaps, no errors', async () => {
  const input = { p: 64, N: 200, alphaMax: 40, eta: 0.1 };
  const page = await newPage('?p=64&N=200&alphaMax=40&eta=0.1');
  const shown = await odeFinalLoss(page);
  assert.equal(shown, libraryFinalLoss(input), 'the WebAssembly ODE kernel gives Node\'s bits in Chromium');
  await page.waitForFunction(() => document.body.dataset.status === 'done', null, { timeout: 60_000 });
  // Moving the slider to a point without overlaps shows the nearest that has them (no error, no empty figure).
  await page.locator('#alpha-slider').fill('7');
  await page.waitForTimeout(200);
  assert.deepEqual((page as Page & { errors?: string[] }).errors, []);
  await page.close();
});
