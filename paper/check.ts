/**
 * A check is one decision about one of the paper's claims, in one regime (gradient flow, a
 * finite η, a set of SGD seeds), made by a stated criterion with a stated margin: a claim holds
 * when the statistic it is decided on clears the threshold by the margin, does not hold when it
 * misses it by the margin, and is "undecided within margin" in between, so that no verdict is
 * a coin flip that a 1 % change of the setup turns over.
 *
 * Plain data: the claims (paper/claims/*.ts) build checks, the report renderer (paper/report.ts)
 * and the CLI print them, the tests (paper/paper.test.ts) assert their decisions.
 */

/** true: holds; false: does not hold; null: undecided within the margin. */
export type Decision = boolean | null;

export interface Check {
  /** Which claim (the claim module's id, e.g. 'modestAcceleration'). */
  readonly id: string;
  /** The claim in words. */
  readonly claim: string;
  /** Where it was decided: 'gradient flow (η → 0)', 'η = 0.25', 'SGD, N = 4000, 3 seeds', 'η-independent'. */
  readonly regime: string;
  readonly holds: Decision;
  /** What is compared with what, with the band: "holds below 1.10, does not hold above 1.20". */
  readonly criterion: string;
  /** The number the decision is made on. */
  readonly statistic: number;
  /** The margin, in words: why the band is as wide as it is. */
  readonly margin: string;
  /** Everything measured for it, in words with numbers. */
  readonly measured: string;
  /** A theoretical prediction of the statistic, when one is derived (src/analysis theory). */
  readonly prediction?: number;
  /** |measured − prediction| / |prediction|, beside every prediction. */
  readonly relativeError?: number;
}

export const verdict = (d: Decision): string => (d === null ? 'undecided within margin' : d ? 'holds' : 'does not hold');

/**
 * A statistic that should stay small: holds when x < holdBelow, does not hold when x > failAbove,
 * undecided in between (holdBelow < failAbove; the gap is the margin). NaN never holds.
 */
export function decideBelow(x: number, holdBelow: number, failAbove: number): Decision {
  if (!(holdBelow <= failAbove)) throw new RangeError(`decideBelow: band [${holdBelow}, ${failAbove}] is empty`);
  if (Number.isNaN(x)) return false;
  return x < holdBelow ? true : x > failAbove ? false : null;
}

/** A statistic that should be large: holds when x > holdAbove, does not hold when x < failBelow. */
export function decideAbove(x: number, holdAbove: number, failBelow: number): Decision {
  if (!(failBelow <= holdAbove)) throw new RangeError(`decideAbove: band [${failBelow}, ${holdAbove}] is empty`);
  if (Number.isNaN(x)) return false;
  return x > holdAbove ? true : x < failBelow ? false : null;
}

/** Several conditions that must all hold: any "no" decides no, then any "undecided" leaves it undecided. */
export function allOf(...ds: Decision[]): Decision {
  if (ds.some((d) => d === false)) return false;
  return ds.some((d) => d === null) ? null : true;
}

/** The relative error of a measurement against a prediction (undefined without a prediction). */
export function relativeError(measured: number, prediction: number | undefined): number | undefined {
  return prediction === undefined || !Number.isFinite(prediction) ? undefined : Math.abs(measured - prediction) / Math.abs(prediction);
}

/** Numbers in the report: 3 significant digits, "n/a" for a missing or non-finite value. */
export const fmt = (x: number | null | undefined, digits = 3): string =>
  x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toPrecision(digits);

/** "max/min" of positive numbers (NaN when any is missing): the spread used for "independent of p". */
export function spread(xs: readonly number[]): number {
  if (xs.length === 0 || xs.some((x) => !(x > 0))) return NaN;
  return Math.max(...xs) / Math.min(...xs);
}

/**
 * A prediction from the analyses' `theory` block, by key, when it is there: the theory of
 * issue 18 adds keys over time (normGrowthRate, alignmentRate, escapeAlpha, …), and a claim
 * names the key that predicts its statistic, so that a new key shows up beside the measurement
 * without touching the claim.
 */
export function theoryValue(theory: object, key: string): number | undefined {
  const v = (theory as Readonly<Record<string, unknown>>)[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
