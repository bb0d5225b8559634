/** The figures' specs and SVG: scales, x range, ±std bands, reference lines, one tick style, legends whole. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curvesFigureSpec, lossFigureSpec, renderSvg } from './loss.js';
import { parsePlotScale, axesOf } from './scale.js';

type Layer = { data: { values: Record<string, number | string>[] }; mark: { type: string }; encoding: { x?: { scale?: { type: string; domain?: number[] } }; y?: { scale?: { type: string } } } };
const layers = (spec: unknown) => (spec as { layer: Layer[] }).layer;

test('--plot-scale: loglog, logy (= linx: linear x, log y), logx, linear; anything else is a one-line error', () => {
  assert.deepEqual(axesOf(parsePlotScale('loglog')), { xLog: true, yLog: true });
  assert.deepEqual(axesOf(parsePlotScale('linx')), { xLog: false, yLog: true });
  assert.deepEqual(axesOf(parsePlotScale('logy')), { xLog: false, yLog: true });
  assert.deepEqual(axesOf(parsePlotScale('linear')), { xLog: false, yLog: false });
  assert.throws(() => parsePlotScale('semilog'), /^ConfigError: --plot-scale: expected loglog, logy/);
});

test('the x axis spans exactly the data drawn, from the first saved step (α = 1/N) on, not rounded out to a decade', () => {
  const alpha = [0, 1 / 2000, 0.01, 1, 80], loss = [1, 0.99, 0.98, 0.5, 1e-3];
  for (const scale of ['loglog', 'logy'] as const) {
    const x = layers(lossFigureSpec([{ label: 'ODE', trajectory: { alpha, loss } }], 't', undefined, [], { scale }))[2].encoding.x!.scale!;
    // α = 0 cannot sit on a log axis; on a linear one it is the first point.
    assert.deepEqual(x.domain, scale === 'loglog' ? [1 / 2000, 80] : [0, 80]);
    assert.equal(x.type, scale === 'loglog' ? 'log' : 'linear');
  }
});

test('an ensemble mean with lossStd gets a band mean ± std (on a log axis clipped at a tenth of the mean); a time unit rescales x', () => {
  const spec = lossFigureSpec([{ label: 'SGD', points: true, trajectory: { alpha: [1, 2, 4], loss: [0.5, 0.2, 0.1], lossStd: [0.1, 0.3, 0] } }], 't', undefined, [{ x: 2, label: 'α_esc' }], { time: { eta: 0.5, p: 4, readout: 'mean', time: 't' } });
  const band = layers(spec)[0];
  assert.equal(band.mark.type, 'area');
  assert.deepEqual(band.data.values, [{ x: 0.125, lo: 0.4, hi: 0.6, series: 'SGD' }, { x: 0.25, lo: 0.02, hi: 0.5, series: 'SGD' }]);
  // Layers: band, points, lines, dashed lines, rules (vertical markers), …
  assert.equal(layers(spec)[4].data.values[0].x, 0.25, 'the marker moves with the time unit');
});

test('reference lines for the plateau and the saddle are drawn with their labels, alternately above and below', () => {
  const spec = curvesFigureSpec([{ label: 'ODE', x: [1, 10], y: [1, 0.1] }], { title: 't', x: { title: 'α', log: true }, y: { title: 'ε', log: true }, hrules: [{ y: 0.998, label: 'plateau' }, { y: 2 / 3, label: 'saddle' }] });
  const l = layers(spec);
  // Layers: band, points, lines, dashed lines, rules and their labels, then the horizontal lines and their two label layers.
  assert.deepEqual(l[6].data.values.map((r) => r.label), ['plateau', 'saddle']);
  assert.deepEqual([l[7].data.values.map((r) => r.label), l[8].data.values.map((r) => r.label)], [['plateau'], ['saddle']]);
});

test('rendered: log ticks read 10ᵏ, linear ticks plain numbers; a long legend label is whole; real text widths leave no empty margin', async () => {
  const label = 'SGD N=1000, mean ± std of 16 runs at every saved α';
  const spec = lossFigureSpec([{ label: 'ODE (N → ∞)', trajectory: { alpha: [0.01, 1, 100], loss: [1, 0.1, 1e-4] } }, { label, points: true, trajectory: { alpha: [0.01, 1, 100], loss: [1, 0.1, 1e-4] } }], 'A title', 'square p = 4, p* = 2, η = 0.5, Δ = 0, α ≤ 80, orthonormal teacher, mean readout');
  // Average DejaVu Sans width, 0.6 em: what a real font measures (Vega alone guesses 0.8 em).
  const svg = await renderSvg(spec, (text, size) => 0.6 * size * text.length);
  assert.ok(svg.includes('>10⁻⁴<') && svg.includes('>10⁰<') && svg.includes('>10²<'), 'powers of ten');
  assert.ok(!svg.includes('>0.001<') && !svg.includes('>1e-7<'));
  assert.ok(svg.includes(label.replace('±', '±')) && !svg.includes('…'), 'the legend label is not cut');
  const width = (s: string) => Number(/width="(\d+)"/.exec(s)![1]);
  assert.ok(width(svg) < width(await renderSvg(spec)) - 50, `${width(svg)} px measured vs the estimate`);
  const linear = await renderSvg(curvesFigureSpec([{ label: 'x', x: [0, 400], y: [0, 400] }], { title: 't', x: { title: 'α' }, y: { title: 'y' } }));
  assert.ok(linear.includes('>400<') && linear.includes('>200<') && !linear.includes('e+2'), 'linear ticks without exponents');
});
