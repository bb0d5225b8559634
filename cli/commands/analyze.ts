/** `onepass analyze`: plateau and escape, conserved quantity, implicit bias and Hessian spectra for one setup. */
import type { Command } from 'commander';
import { OnepassError } from '../../src/model/errors.js';
import type { Problem } from '../../src/model/problem.js';
import type { Trajectory } from '../../src/model/trajectory.js';
import type { SetupAnalysis } from '../../src/analysis/analyze.js';
import { timeAxis, formatTime } from '../../src/model/time.js';
import { type SimOptions, type SimSetup, loadConfig, prepareOut, checkWork, simSetup, runOde, runSim, printJson, describe, num, warnIfNotCompleted, withCommonOptions, withResumeOptions } from '../common.js';
import { load, makeProblem, initialCondition, solveOde, provenance, analyzeSetup, analyzeLossCurve, conservedDrift, curvesFigureSpec, lossFigureSpec, renderSvg, quadraticAnalysesApply, writeRunFolder, svgToPng, writeTrajectoryNpz } from '../library.js';
import { analysisRates } from '../../src/ode/protocol.js';
/** The analysis as a few lines of text. */
function analysisSummary(a: SetupAnalysis, time: 'alpha' | 't'): string {
  const lines: string[] = [];
  const pl = a.plateau;
  lines.push(pl
    ? `plateau: ε ≈ ${num(pl.loss)} for α ∈ [${num(pl.startAlpha, 3)}, ${num(pl.endAlpha, 3)}] (symmetric saddle: ${num(a.theory.saddleLoss)}); ${a.plateaus.length} plateau(s) in all`
    : 'plateau: none found');
  lines.push(a.escapeAlpha === null
    ? 'escape: the loss never fell below half the plateau level'
    : `escape: ${time === 't' ? `t_esc = ${num(a.escapeTime)} (α_esc = ${num(a.escapeAlpha)})` : `α_esc = ${num(a.escapeAlpha)} (t = ηα/p = ${num(a.escapeTime)})`}; saddle escape rate of M in theory ${num(a.theory.saddleEscapeRate)} per unit α`);
  if (a.escapeDecay) lines.push(`decay after escape: rate ${num(a.escapeDecay.rate)} per unit α (R² ${num(a.escapeDecay.r2, 3)})`);
  if (a.finalDecay) lines.push(`approach to zero loss: rate ${num(a.finalDecay.rate)} per unit α (R² ${num(a.finalDecay.r2, 3)}); final loss ${num(a.finalLoss)}`);
  lines.push(`conserved J = e^{−Bα} Mᵀ Q⊥⁻¹ M e^{−Bα}: max relative drift ${num(a.conserved.maxDrift, 3)} along this run` +
    (a.conserved.gradientFlowMaxDrift !== null ? `, ${num(a.conserved.gradientFlowMaxDrift, 3)} along gradient flow (the η² SGD-noise term breaks it)` : '') +
    ` (evaluated up to α = ${num(a.conserved.evaluatedUpTo, 3)})`);
  const b = a.implicitBias;
  if (b) {
    lines.push(`implicit bias: final point ${num(b.distanceToClosest, 3)} from the solution closest to the initialisation, ${num(b.distanceToTypical, 3)} from a typical one (rms);`);
    lines.push(`  the solution reached is ${num(b.reachedToClosest, 3)} from the closest one (two typical solutions: ${num(b.typicalBetweenSolutions, 3)} apart); manifold dimension ${b.manifoldDimension}`);
  } else lines.push('implicit bias: n/a (p < p*: no zero-loss manifold, or M₀ rank deficient)');
  const h = a.hessian;
  lines.push(`Hessian at the symmetric saddle: ${h.plateau.negative} negative, ${h.plateau.zero} zero, ${h.plateau.positive} positive`);
  if (h.solution && h.expectedSolutionZeroModes) {
    const e = h.expectedSolutionZeroModes;
    lines.push(`Hessian on the zero-loss manifold: ${h.solution.negative} negative, ${h.solution.zero} zero (manifold ${e.manifold} + second-order-flat ${e.secondOrderFlat} = ${e.manifold + e.secondOrderFlat}), ${h.solution.positive} positive`);
  }
  if (a.specialCase) lines.push(`special case: ${a.specialCase}`);
  return lines.join('\n');
}

/**
 * For networks other than the quadratic one with mean readout, the loss-curve analyses (plateaus,
 * escape, decay rates) apply to any activation; the conserved quantity, the implicit bias and the
 * Hessian are derived for the quadratic network only and are reported as not applicable.
 */
async function cmdAnalyzeLossOnly(problem: Problem, opts: AnalyzeOptions, setup: SimSetup | undefined): Promise<void> {
  const config = problem.config;
  const trajectory = setup ? (await runSim(problem, opts, setup)).ensemble.runs[0] : runOde(problem, opts).trajectory;
  const a = analyzeLossCurve(trajectory.alpha, trajectory.loss, { floor: config.noise / 2 });
  const result = {
    solver: trajectory.solver, status: trajectory.status, ...a, finalLoss: trajectory.loss[trajectory.loss.length - 1],
    conserved: null, implicitBias: null, hessian: null,
    note: 'conserved quantity, implicit bias and Hessian are derived for the quadratic network (activation "square", readout "mean", second layer fixed) only',
    ...provenance(config),
  };
  if (opts.json) printJson(result);
  else {
    console.log(`onepass analyze (${opts.sim ? `SGD, N = ${config.N}, seed ${config.seed}` : 'ODE'}): ${describe(config)}, readout ${config.readout}`);
    console.log(a.plateau ? `plateau: ε ≈ ${num(a.plateau.loss)} for α ∈ [${num(a.plateau.startAlpha, 3)}, ${num(a.plateau.endAlpha, 3)}]; ${a.plateaus.length} plateau(s) in all` : 'plateau: none found');
    console.log(a.escapeAlpha === null ? 'escape: the loss never fell below half the plateau level' : `escape: ${formatTime(config, a.escapeAlpha, 4)}`);
    if (a.escapeDecay) console.log(`decay after escape: rate ${num(a.escapeDecay.rate)} per unit α (R² ${num(a.escapeDecay.r2, 3)})`);
    if (a.finalDecay) console.log(`approach to the final loss: rate ${num(a.finalDecay.rate)} per unit α (R² ${num(a.finalDecay.r2, 3)})`);
    console.log(`final loss ${num(result.finalLoss)}; ${result.note}`);
  }
  if (opts.out) {
    const rules = a.escapeAlpha === null ? [] : [{ x: a.escapeAlpha, label: 'α_esc' }];
    const svg = await renderSvg(lossFigureSpec([{ label: opts.sim ? `SGD N=${config.N}` : 'ODE', trajectory }], 'Loss, plateau and escape', describe(config), rules, config));
    const files = writeRunFolder(opts.out, [['analysis.json', JSON.stringify(result, null, 1) + '\n'], ['trajectory.npz', (write) => writeTrajectoryNpz(config, [{ prefix: '', runs: [trajectory] }], write)], ['loss.svg', svg], ['loss.png', svgToPng(svg)]]);
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
  warnIfNotCompleted([{ trajectory, seed: opts.sim ? config.seed : undefined }], config, opts.sim ? undefined : trajectory);
  if (trajectory.status !== 'completed') process.exitCode = 3;
}

type AnalyzeOptions = SimOptions & { sim?: boolean };

async function cmdAnalyze(opts: AnalyzeOptions): Promise<void> {
  const config = loadConfig(opts);
  // Only a simulation checkpoints: analysing the ODE has nothing to resume.
  if (opts.resume && !opts.sim) throw new OnepassError('--resume: continues an interrupted simulation; add --sim (the ODE analysis has nothing to resume)');
  prepareOut(opts, !!opts.sim);
  checkWork(config, opts, { ode: !opts.sim, sgdRuns: opts.sim ? config.runs : 0 }); // --sim simulates every run of the config, analyses the first
  const setup = opts.sim ? simSetup(config, opts) : undefined;
  const problem = makeProblem(config);
  if (!quadraticAnalysesApply(problem)) return cmdAnalyzeLossOnly(problem, opts, setup);
  const initial = initialCondition(config);
  let trajectory: Trajectory, gradientFlow: Trajectory | undefined;
  if (setup) {
    trajectory = (await runSim(problem, opts, setup)).ensemble.runs[0];
  } else {
    trajectory = runOde(problem, opts).trajectory;
    gradientFlow = solveOde(problem, initial.overlaps, { sgdNoise: false });
  }
  const rates = analysisRates(problem); // η/n_b and ∫η/n_b dα (batch size, schedule)
  const analysis = analyzeSetup({ ...rates, noise: config.noise, weightDecay: config.weightDecay, initial: initial.overlaps, trajectory, gradientFlow });
  const result = { ...analysis, ...provenance(config) };
  if (opts.json) printJson(result);
  else {
    console.log(`onepass analyze (${opts.sim ? `SGD, N = ${config.N}, seed ${config.seed}` : 'ODE'}): ${describe(config)}`);
    console.log(analysisSummary(analysis, config.time));
  }
  if (opts.out) {
    const rules = analysis.escapeAlpha === null ? [] : [{ x: analysis.escapeAlpha, label: 'α_esc' }];
    const lossSvg = await renderSvg(lossFigureSpec([{ label: opts.sim ? `SGD N=${config.N}` : 'ODE', trajectory }], 'Loss, plateau and escape', describe(config), rules, config));
    const drift = conservedDrift(trajectory, rates.eta, rates.etaIntegral);
    const series = [{ label: 'this run', x: timeAxis(config, trajectory.alpha).values, y: drift.drift }];
    if (gradientFlow) series.push({ label: 'gradient flow', x: timeAxis(config, gradientFlow.alpha).values, y: conservedDrift(gradientFlow, rates.eta, rates.etaIntegral).drift });
    const driftSvg = await renderSvg(curvesFigureSpec(series, { title: 'Relative drift of the conserved quantity J', subtitle: describe(config), x: { title: timeAxis(config, []).title, log: true }, y: { title: '‖J(α) − J(0)‖ / ‖J(0)‖', log: true } }));
    const files = writeRunFolder(opts.out, [
      ['analysis.json', JSON.stringify(result, null, 1) + '\n'],
      // The analysed trajectory; the gradient-flow companion of the ODE analysis is in analysis.json's drift only.
      ['trajectory.npz', (write) => writeTrajectoryNpz(config, [{ prefix: '', runs: [trajectory] }], write)],
      ['loss.svg', lossSvg], ['loss.png', svgToPng(lossSvg)],
      ['conserved.svg', driftSvg], ['conserved.png', svgToPng(driftSvg)],
    ]);
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
  warnIfNotCompleted([{ trajectory, seed: opts.sim ? config.seed : undefined }], config, opts.sim ? undefined : trajectory);
  if (trajectory.status !== 'completed') process.exitCode = 3;
}

export function registerAnalyze(program: Command): void {
  withResumeOptions(withCommonOptions(program.command('analyze').description('plateau and escape, conserved quantity, implicit bias and Hessian spectra for one setup (quadratic)')))
    .option('--sim', 'analyse a finite-N SGD run (first seed) instead of the ODE')
    .action(async (o: AnalyzeOptions) => { await load('pool'); return cmdAnalyze(o); });
}
