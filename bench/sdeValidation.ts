/**
 * `npm run validate:sde`: the stochastic overlap dynamics (src/sde/) against finite-N SGD, the
 * full validation of issue 16 (too slow for `npm test`, which runs a smaller decisive version in
 * src/analysis/sdeValidation.test.ts). For the default setup (square, p = 4, p* = 2, σ² = 10⁻³,
 * orthonormal teacher) at each (N, η, runs): an SGD ensemble and an SDE ensemble over the data
 * stream from the same initial weights, the ODE from their overlaps, and per run the escape α
 * (loss below half its initial value) and the final distance to the solution closest to the
 * initialisation over the typical distance; mean ± standard deviation, two-sample KS p-value.
 * Prints one JSON line per case and a Markdown table (pasted in the README).
 * Arguments: `-- N,runs,eta,alphaMax ...` (default 1000,64,0.5,80 4000,64,0.5,80 1000,64,0.1,400);
 * `--figure PREFIX` also writes PREFIX.svg and PREFIX.png of the first case (SGD and SDE ensembles:
 * mean and 10 %–90 % quantiles of the loss at each α; the ODE).
 */
import { writeFileSync } from 'node:fs';
import { parseConfig, makeProblem, initialCondition, solveOde, simulateEnsemble, simulateSdeEnsemble, lossFigureSpec, renderSvg, type Ensemble, type LossSeries } from '../src/index.js';
import { compareEnsembles, type Summary } from '../src/analysis/sdeValidation.js';
import type { SgdStats, SdeStats } from '../src/model/trajectory.js';
import { svgToPng } from '../src/io/files.js';

const args = process.argv.slice(2);
const fi = args.indexOf('--figure');
const figure = fi >= 0 ? args.splice(fi, 2)[1] : undefined;
const cases = (args.length ? args : ['1000,64,0.5,80', '4000,64,0.5,80', '1000,64,0.1,400']).map((s) => s.split(',').map(Number));

/** The q-quantile over runs of the loss at each saved α. */
function quantileCurve(e: Ensemble<SgdStats | SdeStats>, q: number): Float64Array {
  return Float64Array.from(e.alpha, (_, i) => {
    const v = e.runs.map((t) => t.loss[i]).sort((a, b) => a - b);
    return v[Math.min(v.length - 1, Math.floor(q * v.length))];
  });
}
const f = (s: Summary) => `${s.mean.toFixed(2)} ± ${s.std.toFixed(2)}`;
const rows = ['| N | η | runs | escape α: SGD | SDE | ODE | KS p | distance to closest / typical: SGD | SDE | ODE | KS p | CPU s: SGD, SDE |', '|---|---|---|---|---|---|---|---|---|---|---|---|'];
for (const [N, runs, eta, alphaMax] of cases) {
  const config = parseConfig({ N, runs, eta, alphaMax, savePoints: 200 });
  const problem = makeProblem(config);
  const initial = initialCondition(config);
  let c0 = process.cpuUsage();
  const sgd = simulateEnsemble(problem, initial);
  const sgdCpu = process.cpuUsage(c0).user / 1e6;
  c0 = process.cpuUsage();
  const sde = simulateSdeEnsemble(problem, { initial });
  const sdeCpu = process.cpuUsage(c0).user / 1e6;
  const ode = solveOde(problem, initial.overlaps);
  const c = compareEnsembles(sgd.runs, sde.runs), o = compareEnsembles([ode], [ode]);
  console.log(JSON.stringify({ case: 'sde-validation', N, eta, runs, alphaMax, sdeStep: config.sdeStep, ...c, odeEscape: o.escape.sgd.mean, odeBias: o.bias.sgd.mean, sgdCpu, sdeCpu }));
  if (figure && N === cases[0][0] && eta === cases[0][2]) {
    const band = (name: string, e: Ensemble<SgdStats | SdeStats>): LossSeries[] => [
      { label: `${name} mean of ${runs}`, trajectory: { alpha: e.alpha, loss: e.lossMean } },
      { label: `${name} 10 %`, trajectory: { alpha: e.alpha, loss: quantileCurve(e, 0.1) } },
      { label: `${name} 90 %`, trajectory: { alpha: e.alpha, loss: quantileCurve(e, 0.9) } },
    ];
    const svg = await renderSvg(lossFigureSpec([...band('SGD', sgd), ...band('SDE', sde), { label: 'ODE', trajectory: ode }], `SGD vs SDE vs ODE, N = ${N}, η = ${eta}`, `square p = 4, p* = 2, σ² = 1e-3; ${runs} runs each from the same initial weights`));
    writeFileSync(`${figure}.svg`, svg);
    writeFileSync(`${figure}.png`, svgToPng(svg));
  }
  rows.push(`| ${N} | ${eta} | ${runs} | ${f(c.escape.sgd)} | ${f(c.escape.sde)} | ${o.escape.sgd.mean.toFixed(2)} | ${c.escape.ks.pValue.toFixed(2)} | ${f(c.bias.sgd)} | ${f(c.bias.sde)} | ${o.bias.sgd.mean.toFixed(3)} | ${c.bias.ks.pValue.toFixed(2)} | ${sgdCpu.toFixed(0)}, ${sdeCpu.toFixed(1)} |`);
}
console.log(`\n${rows.join('\n')}`);
