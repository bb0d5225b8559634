/**
 * Issue 17's generic committee ODE cases (sum readout, p* = 2, η = 0.1, the default small
 * initialisation, α ≤ 300): erf at p = 16 and 32 (the regrouped erf right-hand side,
 * src/ode/erfCommittee.ts) and ReLU at p = 8 (four-variable orthant integrals). Wall time of one
 * solveOde each after a short warm-up, with its CPU time and right-hand-side evaluations, so that a
 * loaded machine (wall time ≫ CPU time) can be told from a slower method. `npm run bench -- --committee` runs only these.
 */
import { parseConfig, initialCondition, makeProblem, solveOde } from '../src/index.js';

export interface CommitteeCase { readonly activation: 'erf' | 'relu'; readonly p: number; readonly alphaMax: number; readonly goalSeconds: number }

export const COMMITTEE_CASES: readonly CommitteeCase[] = [
  { activation: 'erf', p: 16, alphaMax: 300, goalSeconds: 1 },
  { activation: 'erf', p: 32, alphaMax: 300, goalSeconds: 10 },
  { activation: 'relu', p: 8, alphaMax: 300, goalSeconds: 5 },
];

export function committeeSeconds(c: CommitteeCase): { seconds: number; cpuSeconds: number; rhsEvaluations: number; msPerEvaluation: number; finalLoss: number } {
  const config = (alphaMax: number) => parseConfig({ activation: c.activation, readout: 'sum', p: c.p, pStar: 2, eta: 0.1, alphaMax });
  solveOde(makeProblem(config(1)), initialCondition(config(1)).overlaps); // warm-up
  const cfg = config(c.alphaMax);
  const t0 = performance.now(), cpu0 = process.cpuUsage();
  const t = solveOde(makeProblem(cfg), initialCondition(cfg).overlaps);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, rhsEvaluations: t.stats.rhsEvaluations, msPerEvaluation: (1000 * seconds) / t.stats.rhsEvaluations, finalLoss: t.loss[t.loss.length - 1] };
}

/** Runs the cases, printing a JSON line each; returns the Markdown table. */
export function committeeTable(): string {
  const rows = ['| committee ODE (sum readout, p* = 2, η = 0.1, α ≤ 300) | wall s | CPU s | goal, s | evaluations | ms per evaluation |', '|---|---|---|---|---|---|'];
  for (const c of COMMITTEE_CASES) {
    const r = committeeSeconds(c);
    console.log(JSON.stringify({ case: 'committee-ode', ...c, ...r }));
    rows.push(`| ${c.activation}, p = ${c.p} | ${r.seconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} | < ${c.goalSeconds} | ${r.rhsEvaluations} | ${r.msPerEvaluation.toFixed(2)} |`);
  }
  return rows.join('\n');
}
