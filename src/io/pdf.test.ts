/** PDF figures: one page of the SVG's size, text drawn in the embedded DejaVu Sans (Greek included). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { svgToPdf, svgSize, dejavuTextWidth } from './pdf.js';
import { lossFigureSpec, renderSvg } from '../plot/loss.js';

test('a figure becomes a one-page PDF at its own size (1 px = 0.75 pt) with DejaVu Sans embedded for α, ε, →, ∞', async () => {
  const svg = await renderSvg(lossFigureSpec([{ label: 'ODE (N → ∞)', trajectory: { alpha: [0.1, 1, 10], loss: [1, 0.1, 0.01] } }], 'Loss ε against α'), dejavuTextWidth);
  const { width, height } = svgSize(svg);
  const pdf = Buffer.from(await svgToPdf(svg));
  const text = pdf.toString('latin1');
  assert.ok(text.startsWith('%PDF-'));
  assert.equal((text.match(/\/Type \/Page\b/g) ?? []).length, 1);
  const box = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(text)!;
  assert.ok(Math.abs(Number(box[1]) - width * 0.75) < 0.01 && Math.abs(Number(box[2]) - height * 0.75) < 0.01, box[0]);
  assert.match(text, /\/BaseFont \/[A-Z]{6}\+DejaVuSans/, 'DejaVu Sans is embedded (subset)');
  // The font's ToUnicode map holds the Greek letters and arrows the text uses (U+03B1 α, U+03B5 ε, U+2192 →, U+221E ∞).
  const streams = [...text.matchAll(/stream\r?\n/g)].map((m) => {
    const start = m.index! + m[0].length, end = text.indexOf('endstream', start);
    try { return inflateSync(pdf.subarray(start, end)).toString('latin1'); } catch { return ''; }
  }).join('\n');
  for (const code of ['03b1', '03b5', '2192', '221e']) assert.match(streams, new RegExp(`<${code}>`, 'i'), `U+${code} in the ToUnicode map`);
});

test('text widths are DejaVu Sans\'s: "α = steps / N" at 13 px is 80–100 px wide, bold wider than regular', () => {
  const w = dejavuTextWidth('α = steps / N', 13, false);
  assert.ok(w > 80 && w < 100, `${w}`);
  assert.ok(dejavuTextWidth('Loss', 15, true) > dejavuTextWidth('Loss', 15, false));
});
