/**
 * `onepass reproduce`: the paper's claims (arXiv:2604.03068) re-measured from the configs in
 * paper/, written as a Markdown report with figures, each claim marked as holding or not by
 * a stated numerical criterion. A shell: all numbers come from the library.
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import {
  parseConfig, makeProblem, initialCondition, solveOde, simulateEnsemble, lossDeviation, analyzeSetup,
  analyzeLossCurve, alignmentGrowthRate, conservedDrift, escapeSweep, curvesFigureSpec, lossFigureSpec, renderSvg, implicitBias,
  VERSION, type Config, type Trajectory, type Overlaps, type SetupAnalysis,
} from '../src/index.js';
import { readJsonFile, prepareRunFolder, writeRunFolder, RUN_FOLDER_FILES, svgToPng } from '../src/io/files.js';

const paperDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'paper');

export interface Check {
  readonly claim: string;
  readonly criterion: string;
  readonly measured: string;
  readonly holds: boolean;
}

function config(name: string, overrides: Record<string, unknown> = {}): Config {
  const base = readJsonFile(join(paperDir, name)) as Record<string, unknown>;
  return parseConfig({ ...base, ...overrides });
}

const fmt = (x: number | null | undefined, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toPrecision(d));
const finalOverlaps = (t: Trajectory): Overlaps => {
  const i = t.alpha.length - 1;
  return { p: t.p, pStar: t.pStar, Q: t.Q[i], M: t.M[i], P: t.P };
};

/** The report's figures, each written as NAME.svg and NAME.png. */
const FIGURES = ['compare', 'loss-vs-p', 'escape-vs-variance', 'conserved', 'hessian'] as const;
const REPORT_FILES: ReadonlySet<string> = new Set(['report.md', 'report.json', ...FIGURES.flatMap((f) => [`${f}.svg`, `${f}.png`])]);

/**
 * Measures every claim and writes the report folder as a run folder (src/io/files.ts): checked
 * before computing, replaced as a whole at the end, so a report never sits beside figures of
 * another run. It may replace a folder of onepass outputs, never an interrupted simulation's
 * checkpoint. `note` receives the line saying what a killed run left and was resolved.
 */
export async function reproduce(outDir: string, progress: (label: string, fraction: number) => void, note: (line: string) => void = () => {}): Promise<{ checks: Check[]; reportPath: string }> {
  const recovered = prepareRunFolder(outDir, (name) => REPORT_FILES.has(name) || (RUN_FOLDER_FILES.has(name) && name !== 'checkpoint.json'));
  if (recovered) note(recovered);
  const files: [string, string | Uint8Array][] = [];
  const started = performance.now();
  const md: string[] = [];
  const checks: Check[] = [];
  const figure = async (name: (typeof FIGURES)[number], spec: Parameters<typeof renderSvg>[0]) => {
    const svg = await renderSvg(spec);
    files.push([`${name}.svg`, svg], [`${name}.png`, svgToPng(svg)]);
    return `![${name}](${name}.png)`;
  };
  const check = (c: Check) => { checks.push(c); md.push(`- **${c.holds ? 'HOLDS' : 'DOES NOT HOLD'}**: ${c.claim}. Criterion: ${c.criterion}. Measured: ${c.measured}.`); };

  md.push('# onepass reproduce: *Escape dynamics and implicit bias of one-pass SGD in overparameterized quadratic networks*', '');
  md.push(`onepass ${VERSION}, ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores). Configs: \`paper/*.json\`. Every number below was measured in this run; a claim is marked by the criterion stated next to it.`, '');

  // 1. ODE against SGD on the headline setup.
  progress('ODE and SGD, headline setup', 0);
  const head = config('headline.json');
  const headProblem = makeProblem(head);
  const headInit = initialCondition(head);
  const headOde = solveOde(headProblem, headInit.overlaps);
  const headGf = solveOde(headProblem, headInit.overlaps, { sgdNoise: false });
  const headSgd = simulateEnsemble(headProblem, headInit, { onProgress: (f) => progress('SGD N = 2000', f) }).runs[0];
  const dev = lossDeviation(headOde, headSgd);
  const headAnalysis = analyzeSetup({ eta: head.eta, noise: head.noise, weightDecay: head.weightDecay, initial: headInit.overlaps, trajectory: headOde, gradientFlow: headGf });
  const sgdAnalysis = analyzeSetup({ eta: head.eta, noise: head.noise, weightDecay: head.weightDecay, initial: headInit.overlaps, trajectory: headSgd });
  md.push('## 1. Exact overlap ODEs against finite-N SGD', '');
  md.push(`Headline setup: p = ${head.p}, p* = ${head.pStar}, η = ${head.eta}, σ² = ${(head.init as { studentVariance: number }).studentVariance}, N = ${head.N}; the ODE starts from the overlaps of the SGD run's initial weights.`, '');
  md.push(await figure('compare', lossFigureSpec([{ label: 'ODE (N → ∞)', trajectory: headOde }, { label: `SGD N = ${head.N}`, trajectory: headSgd, points: true }], 'ODE vs one-pass SGD', `p = ${head.p}, p* = ${head.pStar}, η = ${head.eta}`)), '');
  const finalRel = Math.abs(headSgd.loss[headSgd.loss.length - 1] / headOde.loss[headOde.loss.length - 1] - 1);
  check({
    claim: 'SGD at finite N follows the ODE prediction through plateau, escape and convergence',
    criterion: 'max_α |ε_SGD − ε_ODE| < 0.1 and final losses within 20 %',
    measured: `max deviation ${fmt(dev.maxAbs)} at α = ${fmt(dev.alphaAtMaxAbs)}, final losses ${fmt(headOde.loss[headOde.loss.length - 1])} (ODE) and ${fmt(headSgd.loss[headSgd.loss.length - 1])} (SGD), escape at α = ${fmt(headAnalysis.escapeAlpha)} (ODE) and ${fmt(sgdAnalysis.escapeAlpha)} (SGD)`,
    holds: dev.maxAbs < 0.1 && finalRel < 0.2,
  });
  md.push('', 'The largest deviation sits at the escape: there M is of order 1/√N and SGD noise shifts the escape by O(1) in α (README, *Finite N near a plateau*).', '');

  // 2. Over-parameterisation and the escape.
  md.push('## 2. Escape from the plateau and over-parameterisation', '');
  const ps = [2, 4, 8, 16];
  const curves: { p: number; t: Trajectory; a: ReturnType<typeof analyzeLossCurve>; eta: number }[] = [];
  for (const [k, p] of ps.entries()) {
    progress('loss curves for several p', k / ps.length);
    const c = config('overparameterisation.json', { p });
    const t = solveOde(makeProblem(c), initialCondition(c).overlaps);
    curves.push({ p, t, a: analyzeLossCurve(t.alpha, t.loss), eta: c.eta });
  }
  md.push(await figure('loss-vs-p', curvesFigureSpec(curves.map(({ p, t, eta }) => ({ label: `p = ${p}`, x: Array.from(t.alpha, (a) => (eta * a) / p), y: t.loss })), {
    title: 'Loss for several student widths (p* = 2)', subtitle: 'against the rescaled time t = ηα/p', x: { title: 't = ηα/p', log: true }, y: { title: 'population loss ε', log: true },
  })), '');
  md.push('| p | t_esc = ηα_esc/p | α_esc | growth rate of ‖M‖ per unit t (‖M‖ from 10⁻³ to 10⁻² of final) | ‖M₀‖ | loss decay rate after escape, per unit t | prefactor C in ε ≈ C e^{−r t} | final loss |', '|---|---|---|---|---|---|---|---|');
  const rates: { p: number; rate: number; prefactor: number; growth: number }[] = [];
  for (const { p, t, a, eta } of curves) {
    const fit = a.escapeDecay;
    const rate = fit ? (fit.rate * p) / eta : NaN;
    // prefactor from the fitted line at its first point: ln C = ln ε(t₀) + r t₀
    const i0 = fit ? Array.from(t.alpha).findIndex((x) => x >= fit.fromAlpha) : -1;
    const prefactor = fit && i0 >= 0 ? t.loss[i0] * Math.exp((fit.rate * t.alpha[i0])) : NaN;
    const g = alignmentGrowthRate(t);
    const growth = g ? (g.rate * p) / eta : NaN;
    rates.push({ p, rate, prefactor, growth });
    md.push(`| ${p} | ${fmt(a.escapeAlpha === null ? null : (eta * a.escapeAlpha) / p)} | ${fmt(a.escapeAlpha)} | ${fmt(growth, 4)} | ${fmt(Math.hypot(...t.M[0]))} | ${fmt(rate)} | ${fmt(prefactor)} | ${fmt(t.loss[t.loss.length - 1])} |`);
  }
  md.push('');
  const growthSpread = Math.max(...rates.map((r) => r.growth)) / Math.min(...rates.map((r) => r.growth));
  check({
    claim: 'over-parameterisation changes the prefactor of the exponential escape, not its rate: the student–teacher alignment grows at a p-independent rate in t = ηα/p',
    criterion: 'growth rates of ‖M‖ per unit t for p = 2, 4, 8, 16 within 2 % of each other',
    measured: `rates ${rates.map((r) => `${fmt(r.growth, 4)} (p = ${r.p})`).join(', ')}; prefactors ‖M₀‖ grow with p`,
    holds: growthSpread < 1.02,
  });
  const over = rates.filter((r) => r.p > 2 && Number.isFinite(r.rate));
  const spread = Math.max(...over.map((r) => r.rate)) / Math.min(...over.map((r) => r.rate));
  check({
    claim: 'read literally for the loss: after the escape the loss decays at a p-independent rate in t, only its prefactor changing',
    criterion: 'loss decay rates per unit t after the escape (from ½ to 1/20 of the plateau level) for p = 4, 8, 16 within 15 % of each other',
    measured: `rates ${over.map((r) => `${fmt(r.rate)} (p = ${r.p})`).join(', ')}; max/min = ${fmt(spread)}; prefactors ${over.map((r) => fmt(r.prefactor)).join(', ')}`,
    holds: spread < 1.15,
  });
  const tEsc = curves.map(({ p, a, eta }) => (a.escapeAlpha === null ? NaN : (eta * a.escapeAlpha) / p));
  check({
    claim: 'over-parameterisation only modestly accelerates the escape',
    criterion: 't_esc decreases from p = 4 to p = 16, by less than a factor 2',
    measured: `t_esc = ${tEsc.map((x, k) => `${fmt(x)} (p = ${ps[k]})`).join(', ')}`,
    holds: tEsc[1] > tEsc[3] && tEsc[1] / tEsc[3] < 2,
  });

  progress('escape against σ²', 0);
  const variances = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8];
  const sweep = escapeSweep(config('overparameterisation.json', { p: 4 }), { ps, variances, onProgress: (f) => progress('escape against σ²', f) });
  md.push(await figure('escape-vs-variance', curvesFigureSpec(ps.map((p) => {
    const pts = sweep.points.filter((q) => q.p === p && q.escapeTime !== null);
    return { label: `p = ${p}`, x: pts.map((q) => Math.log(1 / q.variance)), y: pts.map((q) => q.escapeTime!) };
  }), { title: 'Escape time against the initialisation scale', subtitle: 'ODE from the overlaps of random weights, N = 2000', x: { title: 'ln(1/σ²)' }, y: { title: 't_esc = η α_esc / p' } })), '');
  md.push('| p | A (α units) | B | At (t units) | Bt | R² |', '|---|---|---|---|---|---|');
  for (const f of sweep.fits) md.push(`| ${f.p} | ${fmt(f.A)} | ${fmt(f.B)} | ${fmt(f.At)} | ${fmt(f.Bt)} | ${fmt(f.r2)} |`);
  md.push('');
  const overFits = sweep.fits.filter((f) => f.p > 2);
  check({
    claim: 'the escape time grows like A·ln(1/σ²) + B',
    criterion: 'R² ≥ 0.95 for every p > p*',
    measured: overFits.map((f) => `R² = ${fmt(f.r2)} (p = ${f.p})`).join(', '),
    holds: overFits.every((f) => f.r2 >= 0.95),
  });

  // 3. Conserved quantity.
  md.push('## 3. The conserved quantity', '');
  md.push('J(α) = e^{−Bα} Mᵀ Q⊥⁻¹ M e^{−Bα}, B = 4ηP/(p p*), Q⊥ = Q − M P⁻¹ Mᵀ (derivation in `src/analysis/conserved.ts`): the student component outside the teacher subspace evolves by left multiplication with the same p×p matrix as M.', '');
  const driftGf = conservedDrift(headGf, head.eta), driftOde = conservedDrift(headOde, head.eta), driftSgd = conservedDrift(headSgd, head.eta);
  md.push(await figure('conserved', curvesFigureSpec([
    { label: 'gradient flow (ODE without η²)', x: headGf.alpha, y: driftGf.drift },
    { label: `ODE at η = ${head.eta}`, x: headOde.alpha, y: driftOde.drift },
    { label: `SGD N = ${head.N}`, x: headSgd.alpha, y: driftSgd.drift },
  ], { title: 'Relative drift of J along trajectories', subtitle: `headline setup`, x: { title: 'α', log: true }, y: { title: '‖J(α) − J(0)‖ / ‖J(0)‖', log: true } })), '');
  check({
    claim: 'the overlap ODEs conserve a quantity (in the gradient-flow limit η → 0)',
    criterion: 'relative drift of J below 10⁻⁵ along gradient flow, through plateau and escape',
    measured: `gradient flow ${fmt(driftGf.maxDrift)} (evaluated to α = ${fmt(driftGf.evaluatedUpTo)}); with the η² SGD-noise term at η = ${head.eta}: ${fmt(driftOde.maxDrift)}; SGD at N = ${head.N}: ${fmt(driftSgd.maxDrift)}`,
    holds: driftGf.maxDrift < 1e-5,
  });
  md.push('', 'The η² term of dQ/dα (SGD noise, including label noise) is not of the left-multiplication form and breaks the conservation; at finite N, single-sample fluctuations of M of order 1/√N break it too, which matters when the initial M is itself of order σ/√N.', '');

  // 4. Implicit bias.
  md.push('## 4. Implicit bias: which zero-loss solution', '');
  md.push('Distances are ‖W − W′‖/√N computed from overlaps. "Reached" is the solution nearest to the end point, "closest" the solution nearest to the initial weights (orthogonal Procrustes), "typical" the root-mean-square distance between two Haar-random solutions.', '');
  md.push('| run | final loss | reached ↔ closest | typical | ratio | end point ↔ closest | end point ↔ manifold |', '|---|---|---|---|---|---|---|');
  const biasRows: { label: string; b: ReturnType<typeof implicitBias>; loss: number }[] = [
    { label: 'ODE, gradient flow', b: implicitBias(headInit.overlaps, finalOverlaps(headGf)), loss: headGf.loss[headGf.loss.length - 1] },
    { label: `ODE, η = ${head.eta}`, b: implicitBias(headInit.overlaps, finalOverlaps(headOde)), loss: headOde.loss[headOde.loss.length - 1] },
  ];
  for (const N of [500, 2000, 8000]) {
    const c = config('headline.json', { N });
    const init = initialCondition(c);
    const t = N === head.N ? headSgd : simulateEnsemble(makeProblem(c), init, { onProgress: (f) => progress(`SGD N = ${N}`, f) }).runs[0];
    biasRows.push({ label: `SGD, N = ${N}`, b: implicitBias(init.overlaps, finalOverlaps(t)), loss: t.loss[t.loss.length - 1] });
  }
  for (const { label, b, loss } of biasRows) {
    md.push(b ? `| ${label} | ${fmt(loss)} | ${fmt(b.reachedToClosest)} | ${fmt(b.typicalBetweenSolutions)} | ${fmt(b.reachedToClosest / b.typicalBetweenSolutions)} | ${fmt(b.distanceToClosest)} | ${fmt(b.distanceToManifold)} |` : `| ${label} | ${fmt(loss)} | n/a | | | | |`);
  }
  md.push('');
  const ratio = (k: number) => { const b = biasRows[k].b; return b ? b.reachedToClosest / b.typicalBetweenSolutions : NaN; };
  check({
    claim: 'the ODE dynamics selects the zero-loss solution closest to the initialisation',
    criterion: 'reached ↔ closest below 5 % of the typical distance, for gradient flow and for the ODE at finite η',
    measured: `${fmt(ratio(0))} (gradient flow), ${fmt(ratio(1))} (η = ${head.eta})`,
    holds: ratio(0) < 0.05 && ratio(1) < 0.05,
  });
  check({
    claim: 'finite-N SGD from a small initialisation also ends at the closest solution',
    criterion: 'reached ↔ closest below 5 % of the typical distance at N = 8000',
    measured: biasRows.slice(2).map((r, k) => `${fmt(ratio(k + 2))} (${r.label})`).join(', '),
    holds: ratio(4) < 0.05,
  });
  md.push('', 'At finite N the initial M is of order σ/√N, the same order as the SGD noise it receives before the escape, so the "closest" solution defined by the initial weights is not protected in SGD runs the way it is in the ODE.', '');

  // 5. Hessian.
  md.push('## 5. Hessian of the population loss', '');
  md.push('In the subspace spanned by the student and teacher rows (p(p + p*) directions); outside it every direction has curvature given by 2∂ε/∂Q (zero at the saddle).', '');
  md.push('| p, p* | saddle: negative / zero / positive | solution: negative / zero / positive | expected zero modes at a solution (manifold + second-order flat) |', '|---|---|---|---|');
  const hessRows: { p: number; pStar: number; a: SetupAnalysis }[] = [{ p: head.p, pStar: head.pStar, a: headAnalysis }];
  for (const p of [2, 8]) {
    const c = config('headline.json', { p, eta: 0.25 });
    const init = initialCondition(c).overlaps;
    hessRows.push({ p, pStar: c.pStar, a: analyzeSetup({ eta: c.eta, noise: 0, initial: init, trajectory: solveOde(makeProblem(c), init) }) });
  }
  for (const { p, pStar, a } of hessRows) {
    const h = a.hessian, e = h.expectedSolutionZeroModes;
    md.push(`| ${p}, ${pStar} | ${h.plateau.negative} / ${h.plateau.zero} / ${h.plateau.positive} | ${h.solution ? `${h.solution.negative} / ${h.solution.zero} / ${h.solution.positive}` : 'n/a'} | ${e ? `${e.manifold} + ${e.secondOrderFlat} = ${e.manifold + e.secondOrderFlat}` : 'n/a'} |`);
  }
  md.push('');
  md.push(await figure('hessian', curvesFigureSpec([
    { label: 'symmetric saddle', x: headAnalysis.hessian.plateau.eigenvalues.map((_, k) => k + 1), y: headAnalysis.hessian.plateau.eigenvalues, points: true },
    { label: 'zero-loss solution', x: headAnalysis.hessian.solution!.eigenvalues.map((_, k) => k + 1), y: headAnalysis.hessian.solution!.eigenvalues, points: true },
  ], { title: 'Hessian spectra, p = 4, p* = 2', subtitle: 'eigenvalues in ascending order', x: { title: 'index' }, y: { title: 'eigenvalue' } })), '');
  check({
    claim: 'the plateau is a saddle with at least one negative Hessian eigenvalue',
    criterion: 'negative count ≥ 1 at the symmetric saddle (expected p·p*)',
    measured: hessRows.map(({ p, a }) => `${a.hessian.plateau.negative} (p = ${p})`).join(', '),
    holds: hessRows.every(({ a }) => a.hessian.plateau.negative >= 1),
  });
  check({
    claim: 'zero-loss solutions are marginal minima whose zero modes come from the symmetry',
    criterion: 'no negative eigenvalue, and the zero count equals manifold dimension + second-order-flat directions',
    measured: hessRows.map(({ p, a }) => `${a.hessian.solution?.negative} negative, ${a.hessian.solution?.zero} zero (p = ${p})`).join('; '),
    holds: hessRows.every(({ a }) => a.hessian.solution && a.hessian.solution.negative === 0 && a.hessian.expectedSolutionZeroModes && a.hessian.solution.zero === a.hessian.expectedSolutionZeroModes.manifold + a.hessian.expectedSolutionZeroModes.secondOrderFlat),
  });

  // 6. Phase retrieval.
  md.push('## 6. Phase retrieval (p = p* = 1)', '');
  const pr = config('phase-retrieval.json');
  const prInit = initialCondition(pr).overlaps;
  const prT = solveOde(makeProblem(pr), prInit);
  const prA = analyzeSetup({ eta: pr.eta, noise: 0, initial: prInit, trajectory: prT });
  md.push(prA.specialCase ?? '', '');
  check({
    claim: 'phase retrieval: the saddle has exactly one negative direction and the solution ±w* is an isolated, strict minimum',
    criterion: 'saddle counts 1 / 0 / 1 and solution counts 0 / 0 / 2, and the ODE converges (final loss < 10⁻⁸)',
    measured: `saddle ${prA.hessian.plateau.negative} / ${prA.hessian.plateau.zero} / ${prA.hessian.plateau.positive}, solution ${prA.hessian.solution?.negative} / ${prA.hessian.solution?.zero} / ${prA.hessian.solution?.positive}, final loss ${fmt(prA.finalLoss)}, escape at α = ${fmt(prA.escapeAlpha)}`,
    holds: prA.hessian.plateau.negative === 1 && prA.hessian.plateau.zero === 0 && prA.hessian.solution?.zero === 0 && prA.hessian.solution?.negative === 0 && Math.abs(prA.finalLoss) < 1e-8,
  });

  const seconds = (performance.now() - started) / 1000;
  const summary = ['## Summary', '', `${checks.filter((c) => c.holds).length} of ${checks.length} checks hold; report made in ${seconds.toFixed(0)} s.`, '', '| claim | verdict |', '|---|---|', ...checks.map((c) => `| ${c.claim} | ${c.holds ? 'holds' : '**does not hold**'} |`), ''];
  md.splice(3, 0, '', ...summary);
  const reportPath = join(outDir, 'report.md');
  const text = md.join('\n').replace(/\n+(#+ )/g, '\n\n$1').replace(/([^\n])\n(!\[)/g, '$1\n\n$2');
  files.push(['report.md', text + '\n'], ['report.json', JSON.stringify({ onepassVersion: VERSION, seconds, checks }, null, 1) + '\n']);
  writeRunFolder(outDir, files);
  return { checks, reportPath };
}
