/**
 * Writes a screenshot of the explorer after a complete default run (ODE and SGD) to the PNG
 * given as argument (default docs/explorer.png): `npm run screenshot:web`.
 */
import { startExplorer } from '../src/io/explore.js';
import { launchChromium } from './chromium.js';

const out = process.argv[2] ?? 'docs/explorer.png';
const explorer = await startExplorer(0);
const browser = await launchChromium({ width: 1500, height: 1000 });
try {
  const page = await browser.context.newPage();
  await page.goto(explorer.url);
  await page.waitForFunction(() => document.body.dataset.status === 'done', null, { timeout: 120_000 });
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await explorer.close();
}
