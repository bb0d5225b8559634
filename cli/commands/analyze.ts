/** `onepass analyze`: plateau and escape, conserved quantity, implicit bias and Hessian spectra for one setup. */
import type { Command } from 'commander';
import { OnepassError } from '../../src/model/errors.js';
import type { TopLevelSpec } from 'vega-lite';
import type { Trajectory } from '../../src/model/trajectory.js';
import type { Config } from '../../src/model/config.js';
import type { SetupAnalysis, LossCurveOnlyAnalysis } from '../../src/analysis/analyze.js';
import { timeAxis, formatTime, timeDefinition } from '../../src/model/time.js';
import { type SimOptions, loadConfig, prepareOut, checkWork, simSetup, runOde, runSim, printJson, describe, num, warnIfNotCompleted, writeRunOutputs, withCommonOptions, withResumeOptions, lossScale, figureSubtitle } from '../common.js';
import { load, makeProblem, initialCondition, solve, provenance, analyzeRun, analysisPlan, curvesFigureSpec, lossFigureSpec, writeTrajectoryNpz, theoryLossSeries, theoryRules, hessianTrajectorySpec, hessianTrajectoryCsv } from '../library.js';
import type { TailFit } from '../../src/analysis/plateau.js';

/** A tail fit in words: its law and its rate or exponent. */
function tailWords(f: TailFit): string {
  return f.law === 'power' ? `ε ≈ ${num(f.prefactor, 3)} α^−${num(f.exponent, 4)}` : `rate ${num(f.rate)} per unit α`;
}

import { axesOf } from '../../src/plot/scale.js';
/** The analysis as a few lines of text. */
function analysisSummary(a: SetupAnalysis, config: Config): string {
  const time = config.time;
  const lines: string[] = [];
  const pl = a.plateau;
  lines.push(pl
    ? `plateau: ε ≈ ${num(pl.loss)} for α ∈ [${num(pl.startAlpha, 3)}, ${num(pl.endAlpha, 3)}] (symmetric saddle: ${num(a.theory.saddleLoss)}); ${a.plateaus.length} plateau(s) in all`
    : 'plateau: none found');
  lines.push(a.escapeAlpha === null
    ? 'escape: the loss never fell below half the plateau level'
    : `escape: ${time === 't' ? `t_esc = ${num(a.escapeTime)} (α_esc = ${num(a.escapeAlpha)})` : `α_esc = ${num(a.escapeAlpha)} (${timeDefinition(config)} = ${num(a.escapeTime)})`}` +
      (a.theory.escapeAlpha !== null ? `; theory α_esc = ${num(a.theory.escapeAlpha)} (${a.theory.escapeRoute === 'direct' ? 'M escapes while the norm grows' : 'norm first, then the saddle'}, ${num(100 * (a.theory.escapeAlpha / a.escapeAlpha - 1), 2)} %)` : ''));
  const t = a.theory;
  if (t.normGrowthRate !== null) lines.push(`theory: tr Q grows at ${num(t.normGrowthRate)} per unit α from W ≈ 0; ‖M‖ at ${num(t.alignmentRate)} leaving the SGD saddle (gradient flow ${num(t.saddleEscapeRate)})`);
  if (a.escapeDecay) lines.push(`decay after escape: rate ${num(a.escapeDecay.rate)} per unit α (R² ${num(a.escapeDecay.r2, 3)})`);
  if (a.finalDecay) lines.push(`approach to zero loss: ${tailWords(a.finalDecay)} (R² ${num(a.finalDecay.r2, 3)}, α ∈ [${num(a.finalDecay.fromAlpha, 3)}, ${num(a.finalDecay.toAlpha, 3)}]); final loss ${num(a.finalLoss)}`);
  if (t.tail) lines.push(`  theory: ${t.tail.law === 'power' ? `ε ≈ ${num(t.tail.prefactor, 3)} α^−${t.tail.exponent} as α → ∞ (gradient-flow law)` : `rate ${num(t.tail.rate)} per unit α`}`);
  if (t.notDerived.length) lines.push(`  not derived: ${t.notDerived.join('; ')}`);
  lines.push(`conserved J = e^{−Bα} Mᵀ Q⊥⁻¹ M e^{−Bα}: max relative drift ${num(a.conserved.maxDrift, 3)} along this run` +
    (a.conserved.gradientFlowMaxDrift !== null ? `, ${num(a.conserved.gradientFlowMaxDrift, 3)} along gradient flow (the η² SGD-noise term breaks it)` : '') +
    ` (evaluated up to α = ${num(a.conserved.evaluatedUpTo, 3)})`);
  const b = a.implicitBias;
  if (b) {
    lines.push(`implicit bias: final point ${num(b.distanceToClosest, 3)} from the solution closest to the initialisation, ${num(b.distanceToTypical, 3)} from a typical one (rms);`);
    lines.push(`  the solution reached is ${num(b.reachedToClosest, 3)} from the closest one (two typical solutions: ${num(b.typicalBetweenSolutions, 3)} apart); manifold dimension ${b.manifoldDimension}`);
  } else lines.push('implicit bias: n/a (p < p*: no zero-loss manifold, or M₀ rank deficient)');
  const h = a.hessian;
  if (!h) lines.push(a.hessianSkipped ?? 'Hessian spectra skipped');
  else lines.push(`Hessian at the symmetric saddle: ${h.saddle.negative} negative, ${h.saddle.zero} zero, ${h.saddle.positive} positive`);
  if (h?.solution && h.expectedSolutionZeroModes) {
    const e = h.expectedSolutionZeroModes;
    lines.push(`Hessian on the zero-loss manifold: ${h.solution.negative} negative, ${h.solution.zero} zero (manifold ${e.manifold} + second-order-flat ${e.secondOrderFlat} = ${e.manifold + e.secondOrderFlat}), ${h.solution.positive} positive`);
  }
  if (a.specialCase) lines.push(`special case: ${a.specialCase}`);
  return lines.join('\n');
}

/** The loss-curve analysis of a network other than the quadratic one, as a few lines of text. */
function lossCurveSummary(a: LossCurveOnlyAnalysis, config: Config): string {
  const lines: string[] = [];
  lines.push(a.plateau ? `plateau: ε ≈ ${num(a.plateau.loss)} for α ∈ [${num(a.plateau.startAlpha, 3)}, ${num(a.plateau.endAlpha, 3)}]; ${a.plateaus.length} plateau(s) in all` : 'plateau: none found');
  lines.push(a.escapeAlpha === null ? 'escape: the loss never fell below half the plateau level' : `escape: ${formatTime(config, a.escapeAlpha, 4)}`);
  if (a.escapeDecay) lines.push(`decay after escape: rate ${num(a.escapeDecay.rate)} per unit α (R² ${num(a.escapeDecay.r2, 3)})`);
  if (a.finalDecay) lines.push(`approach to the final loss: ${tailWords(a.finalDecay)} (R² ${num(a.finalDecay.r2, 3)})`);
  lines.push(`final loss ${num(a.finalLoss)}; ${a.note}`);
  return lines.join('\n');
}

type AnalyzeOptions = SimOptions & { sim?: boolean };

/**
 * Which analyses apply, and the gradient-flow companion of an ODE run, are the core's policy
 * (analysisPlan, analyzeRun); this command runs the solves it asks for and presents the result.
 */
async function cmdAnalyze(opts: AnalyzeOptions): Promise<void> {
  const config = loadConfig(opts);
  // Only a simulation checkpoints: analysing the ODE has nothing to resume.
  if (opts.resume && !opts.sim) throw new OnepassError('--resume: continues an interrupted simulation; add --sim (the ODE analysis has nothing to resume)');
  prepareOut(opts, !!opts.sim);
  checkWork(config, opts, { ode: !opts.sim, sgdRuns: opts.sim ? config.runs : 0 }); // --sim simulates every run of the config, analyses the first
  const setup = opts.sim ? simSetup(config, opts) : undefined;
  const problem = makeProblem(config);
  const initial = initialCondition(config);
  const plan = analysisPlan(problem, setup ? 'sgd' : 'ode');
  const trajectory: Trajectory = setup ? (await runSim(problem, opts, setup)).ensemble.runs[0] : runOde(problem, opts).trajectory;
  const gradientFlow = plan.gradientFlow ? solve(problem, initial, { method: 'gradientFlow' }) : undefined;
  const analysis = analyzeRun(problem, initial.overlaps, trajectory, gradientFlow);
  const result = { ...analysis.result, ...provenance(config) };
  if (opts.json) printJson(result);
  else {
    const head = `onepass analyze (${opts.sim ? `SGD, N = ${config.N}, seed ${config.seed}` : 'ODE'}): ${describe(config)}`;
    if (analysis.quadratic) console.log(`${head}\n${analysisSummary(analysis.result, config)}`);
    else console.log(`${head}, readout ${config.readout}\n${lossCurveSummary(analysis.result, config)}`);
  }
  if (opts.out) {
    const escapeAlpha = analysis.result.escapeAlpha;
    const label = opts.sim ? `SGD N=${config.N}` : 'ODE';
    const figures: [string, TopLevelSpec][] = [];
    const tables: [string, (write: (s: string | Uint8Array) => void) => void][] = [['trajectory.npz', (write) => writeTrajectoryNpz(config, [{ prefix: '', runs: [trajectory] }], write)]];
    const plateau = analysis.result.plateau;
    // The measured plateau as a reference line (the theory's saddle loss is drawn dashed beside it).
    const hrules = plateau ? [{ y: plateau.loss, label: `plateau ε = ${num(plateau.loss, 3)}` }] : [];
    const more = { scale: lossScale(config, opts), hrules, time: config };
    if (analysis.quadratic) {
      // Theory beside measurement: the predicted escape, saddle and tail dashed (src/plot/theory.ts).
      figures.push(['loss', lossFigureSpec([{ label, trajectory }], 'Loss, plateau and escape (dashed: theory)', figureSubtitle(config), theoryRules(analysis.result), { ...more, extra: theoryLossSeries(analysis.result, trajectory) })]);
      const series = [{ label: 'this run', x: timeAxis(config, trajectory.alpha).values, y: analysis.drift }];
      if (gradientFlow && analysis.gradientFlowDrift) series.push({ label: 'gradient flow', x: timeAxis(config, gradientFlow.alpha).values, y: analysis.gradientFlowDrift });
      const { xLog, yLog } = axesOf(opts.plotScale === undefined ? 'loglog' : lossScale(config, opts));
      figures.push(['conserved', curvesFigureSpec(series, { title: 'Relative drift of the conserved quantity J', subtitle: figureSubtitle(config), x: { title: timeAxis(config, []).title, log: xLog }, y: { title: '‖J(α) − J(0)‖ / ‖J(0)‖', log: yLog } })]);
      const hessian = analysis.result.hessian;
      if (hessian) {
        figures.push(['hessian-trajectory', hessianTrajectorySpec({ ...analysis.result, hessian }, figureSubtitle(config))]);
        const hessianCsv = hessianTrajectoryCsv(hessian.trajectory);
        tables.push(['hessian-trajectory.csv', (write) => write(hessianCsv)]);
      }
    } else {
      figures.push(['loss', lossFigureSpec([{ label, trajectory }], 'Loss, plateau and escape', figureSubtitle(config), escapeAlpha === null ? [] : [{ x: escapeAlpha, label: 'α_esc' }], more)]);
    }
    // The analysed trajectory; the gradient-flow companion of the ODE analysis is in analysis.json's drift only.
    const files = await writeRunOutputs(opts.out, { tables, json: ['analysis.json', result], figures });
    if (!opts.json) console.log(`wrote ${files.join(', ')}`);
  }
  warnIfNotCompleted([{ trajectory, seed: opts.sim ? config.seed : undefined }], config, opts.sim ? undefined : trajectory);
  if (trajectory.status !== 'completed') process.exitCode = 3;
}

export function registerAnalyze(program: Command): void {
  withResumeOptions(withCommonOptions(
    program.command('analyze').description('plateaus, escape and decay rates of the loss for one setup (any activation); the conserved quantity, implicit bias and Hessian spectra for the quadratic network (square, mean readout)'),
    'analysis.json, trajectory.npz (the analysed run), loss.svg/png/pdf (α_esc, plateau and saddle marked) and, for the quadratic network, conserved.svg/png/pdf'))
    .option('--sim', 'analyse a finite-N SGD run (first seed) instead of the ODE')
    .action(async (o: AnalyzeOptions) => { await load('pool'); return cmdAnalyze(o); });
}
