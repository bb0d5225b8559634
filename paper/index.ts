/**
 * The paper as code: its claims, each a module of paper/claims/ deciding one claim from the
 * shared measurements (paper/measure.ts) of the study (paper/configs.ts), and the report
 * rendered from them (paper/report.ts). `onepass reproduce` (cli/reproduce.ts) only writes the
 * result; paper/paper.test.ts decides the fast claims at a reduced size.
 */
import type { Claim, ClaimModule } from './claim.js';
import { measure, type Measurements, type Progress } from './measure.js';
import type { Study } from './configs.js';
import { sgdFollowsOde } from './claims/sgdFollowsOde.js';
import { escapeRate } from './claims/escapeRate.js';
import { lossDecay } from './claims/lossDecay.js';
import { modestAcceleration } from './claims/modestAcceleration.js';
import { escapeLog } from './claims/escapeLog.js';
import { wideEscape } from './claims/wideEscape.js';
import { conserved } from './claims/conserved.js';
import { closestSolution } from './claims/closestSolution.js';
import { sgdClosest } from './claims/sgdClosest.js';
import { saddle } from './claims/saddle.js';
import { marginalMinima } from './claims/marginalMinima.js';
import { phaseRetrieval } from './claims/phaseRetrieval.js';
import { batchSize } from './claims/batchSize.js';
import { schedules } from './claims/schedules.js';
import { finiteNExitTimes } from './claims/finiteNExitTimes.js';
import { closestProbability } from './claims/closestProbability.js';

export { FULL_STUDY, REDUCED_STUDY, paperConfig, type Study } from './configs.js';
export { renderReport, type ReportMeta } from './report.js';
export { verdict, type Check, type Decision } from './check.js';
export type { Claim, Figure, Table } from './claim.js';
export type { Measurements, Progress } from './measure.js';

/** The paper's claims, then the training protocols' two (issue 15), then the findings beyond the paper (finite N, SDE; issue 16), in the order of the report. */
export const CLAIMS: readonly ClaimModule[] = [
  sgdFollowsOde, escapeRate, lossDecay, modestAcceleration, wideEscape, escapeLog, conserved, closestSolution, sgdClosest, saddle, marginalMinima, phaseRetrieval,
  batchSize, schedules,
  finiteNExitTimes, closestProbability,
];

export function decideClaims(m: Measurements): Claim[] {
  return CLAIMS.map((claim) => claim(m));
}

/** Measures the study and decides every claim. */
export async function runPaper(study: Study, progress?: Progress): Promise<{ measurements: Measurements; claims: Claim[] }> {
  const measurements = await measure(study, progress);
  return { measurements, claims: decideClaims(measurements) };
}
