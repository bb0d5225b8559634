/** onepass: exact dynamics of one-pass SGD in two-layer teacher–student networks. Public API. */
export { VERSION } from './version.js';
export { OnepassError, errorLine, INTERNAL_ERROR, ConfigError } from './model/errors.js';
export { configSchema, parseConfig, applyOverrides, ACTIVATIONS, type Config, type ConfigInput } from './model/config.js';
export { makeProblem, initialCondition, saveGrid, type Problem, type InitialCondition } from './model/problem.js';
export { overlapsOf, jointCovariance, type Overlaps, type Weights } from './model/overlaps.js';
export { teacherWeights, studentWeights, weightsWithOverlaps } from './model/init.js';
export type { Trajectory, RunStatus } from './model/trajectory.js';
export { trajectoryJson, ensembleJson, trajectoryCsv, writeTrajectoryCsv, writeJson, provenance, type TrajectoryJson, type SgdJson } from './model/output.js';
export type { Activation, GaussianExpectations } from './gauss/expectations.js';
export { activations, activationByName, customActivation } from './gauss/activations.js';
export { erfActivation, erf } from './gauss/erf.js';
export { reluActivation } from './gauss/relu.js';
export { linear } from './gauss/linear.js';
export { quadratureExpectations, hermiteRule, gaussianExpectation } from './gauss/quadrature.js';
export { makeNetwork, isMeanQuadratic, type Network, type Readout } from './model/network.js';
export { square } from './gauss/square.js';
export { gaussianMoment } from './gauss/isserlis.js';
export { integrate, type IntegrateOptions, type IntegrateResult, type VectorField } from './ode/dopri5.js';
export { solveOde, overlapRhs, type OdeOptions } from './ode/solve.js';
export { quadraticRhs, quadraticPopulationLoss } from './ode/quadratic.js';
export { committeeRhs, committeePopulationLoss } from './ode/committee.js';
export { packState, unpackState, type DynamicsParams, type OverlapRhs } from './ode/equations.js';
export { Rng } from './random/rng.js';
export { STREAM, streamState, derivedSeed, textKey, isValidSeed, type StreamPurpose } from './random/streams.js';
export { simulateSgd, sgdStreams, type SgdSetup, type SgdOptions, type SgdStreams } from './sim/sgd.js';
export { wasmKernelAvailable } from './sim/wasmKernel.js';
export { simulateEnsemble, simulateRun, ensembleWeights, type Ensemble } from './sim/ensemble.js';
export { lossDeviation, type LossDeviation } from './analysis/compare.js';
export { lossFigureSpec, curvesFigureSpec, renderSvg, type LossSeries, type Series, type FigureOptions } from './plot/loss.js';
export { analyzeLossCurve, alignmentGrowthRate, firstCrossing, type LossCurveAnalysis, type Plateau, type ExponentialFit, type PlateauOptions } from './analysis/plateau.js';
export { conservedQuantity, conservedDrift, orthogonalOverlap, type ConservedDrift } from './analysis/conserved.js';
export { implicitBias, closestSolution, distanceToSolution, distanceBetweenSolutions, type ImplicitBias } from './analysis/implicitBias.js';
export { hessianSpectrum, reducedHessian, symmetricPlateau, solutionOverlaps, expectedSolutionZeroModes, type HessianSpectrum } from './analysis/hessian.js';
export { analyzeSetup, quadraticAnalysesApply, type SetupAnalysis, type AnalyzeInput } from './analysis/analyze.js';
export { escapeSweep, type EscapePoint, type EscapeFit, type EscapeSweepOptions } from './analysis/escapeSweep.js';
export { stabilityLimit, type StabilityLimit } from './analysis/stability.js';
export { divergenceCheck, divergenceMessage, DIVERGENCE_FACTOR, type DivergenceEvent } from './dynamics/divergence.js';
export {
  lossStageAt, diagnoseDeviation, odeStability, divergenceDiagnosis,
  type LossStage, type StageAt, type EscapeComparison, type DeviationDiagnosis, type OdeStability, type DivergenceDiagnosis,
} from './analysis/diagnosis.js';
export { expandSweep, canonicalJson, flattenConfig, parseShard, shardPoints, SWEEP_SOLVERS, type SweepPlan, type SweepPoint, type SweepSolver } from './sweep/grid.js';
export { computePoint, type PointResult } from './sweep/point.js';
export { resultsTable, tableCsv, RESULT_COLUMNS, type ResultRow, type Table } from './sweep/table.js';
export { slurmScript, type SlurmOptions } from './sweep/slurm.js';
export { phaseDiagramSpec, type PhaseDiagramOptions } from './plot/phase.js';
