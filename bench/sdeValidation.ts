/**
 * `npm run validate:sde`: the stochastic overlap dynamics (src/sde/) against finite-N SGD, the
 * full validation of issue 16 (too slow for `npm test`, which runs a smaller decisive version in
 * src/analysis/sdeValidation.test.ts). For the default setup (square, p = 4, p* = 2, σ² = 10⁻³,
 * orthonormal teacher) at each (N, η, runs): an SGD ensemble and an SDE ensemble over the data
 * stream from the same initial weights, the ODE from their overlaps, and per run the escape α
 * (loss below half its initial value) and the final distance to the solution closest to the
 * initialisation over the typical distance; mean ± standard deviation, two-sample KS p-value.
 * Prints one JSON line per case and a Markdown table (pasted in the README).
 * Arguments: `-- N,runs,eta,alphaMax ...` (default 1000,64,0.5,80 4000,64,0.5,80 1000,64,0.1,200).
 */
import { parseConfig, makeProblem, initialCondition, solveOde, simulateEnsemble, simulateSdeEnsemble } from '../src/index.js';
import { compareEnsembles, type Summary } from '../src/analysis/sdeValidation.js';

const cases = (process.argv.slice(2).length ? process.argv.slice(2) : ['1000,64,0.5,80', '4000,64,0.5,80', '1000,64,0.1,200']).map((s) => s.split(',').map(Number));
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
  rows.push(`| ${N} | ${eta} | ${runs} | ${f(c.escape.sgd)} | ${f(c.escape.sde)} | ${o.escape.sgd.mean.toFixed(2)} | ${c.escape.ks.pValue.toFixed(2)} | ${f(c.bias.sgd)} | ${f(c.bias.sde)} | ${o.bias.sgd.mean.toFixed(3)} | ${c.bias.ks.pValue.toFixed(2)} | ${sgdCpu.toFixed(0)}, ${sdeCpu.toFixed(1)} |`);
}
console.log(`\n${rows.join('\n')}`);
