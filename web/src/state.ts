/**
 * The explorer's state: the controls' values as strings, exactly what the URL holds. A state
 * becomes a config through the library's `applyOverrides` + `parseConfig`, the same path as the
 * CLI's `--set key=value`, so the page shows the CLI's validation and messages word for word.
 */
import { applyOverrides, parseConfig, OnepassError, type Config } from '../../src/index.js';

/** The controls, in display order: URL key (= config key path), label, default. */
export const FIELDS = [
  { key: 'activation', label: 'activation σ', value: 'square' },
  { key: 'readout', label: 'readout', value: 'mean' },
  { key: 'p', label: 'p (student width)', value: '4' },
  { key: 'pStar', label: 'p* (teacher width)', value: '2' },
  // η: a number, or a schedule as JSON ({"schedule":"power",…} / {"schedule":"piecewise",…}), as with --set eta=….
  { key: 'eta', label: 'η (number or schedule JSON)', value: '0.5' },
  { key: 'batchSize', label: 'n_b (batch size)', value: '1' },
  { key: 'noise', label: 'Δ (label noise)', value: '0' },
  { key: 'weightDecay', label: 'λ (weight decay)', value: '0' },
  { key: 'trainSecondLayer', label: 'train 2nd layer v', value: 'false' },
  { key: 'init.studentVariance', label: 'σ² (init variance)', value: '0.001' },
  { key: 'init.seed', label: 'init seed (weights)', value: '0' },
  { key: 'N', label: 'N (SGD dimension)', value: '2000' },
  { key: 'alphaMax', label: 'α_max', value: '80' },
  { key: 'seed', label: 'seed (SGD samples)', value: '1' },
  { key: 'runs', label: 'runs (SGD ensemble)', value: '1' },
] as const;

export type FieldKey = (typeof FIELDS)[number]['key'];
export type State = Record<FieldKey, string>;

export const DEFAULT_STATE: State = Object.fromEntries(FIELDS.map((f) => [f.key, f.value])) as State;

/**
 * The "SDE ensemble" control (not a config key: the runs of the SDE band drawn beside the ODE and
 * SGD), URL key `sde`: "0" is off, else the number of SDE runs.
 */
export const SDE_CHOICES = ['0', '16', '64'] as const;

/** The SDE control from a query string: one of SDE_CHOICES, "0" (off) when absent or not one of them. */
export function sdeFromQuery(search: string): string {
  const v = new URLSearchParams(search).get('sde');
  return v !== null && (SDE_CHOICES as readonly string[]).includes(v) ? v : '0';
}

/** Presets: each is the defaults plus these changes. */
export const PRESETS: readonly { name: string; label: string; changes: Partial<State> }[] = [
  { name: 'headline', label: 'Paper headline (p = 4, p* = 2)', changes: {} },
  { name: 'phase-retrieval', label: 'Phase retrieval (p = p* = 1)', changes: { p: '1', pStar: '1', eta: '0.1', alphaMax: '150' } },
  { name: 'overparameterised', label: 'Over-parameterised (p = 8)', changes: { p: '8' } },
  { name: 'batch-schedule', label: 'Mini-batch 8, decaying η, label noise', changes: { batchSize: '8', eta: '{"schedule":"power","eta0":4,"alpha0":2,"exponent":0.5}', noise: '0.1', N: '1000', alphaMax: '200' } },
  { name: 'saad-solla', label: 'Saad–Solla (erf, sum readout, p = p* = 2: their K = M = 2)', changes: { activation: 'erf', readout: 'sum', p: '2', pStar: '2', eta: '0.5', 'init.studentVariance': '0.01', N: '500', alphaMax: '400' } },
];

export function presetState(name: string): State {
  const preset = PRESETS.find((p) => p.name === name);
  return { ...DEFAULT_STATE, ...(preset?.changes ?? {}) };
}

/** The preset a state is exactly (every control at that preset's value), or "custom". */
export function presetOf(state: State): string {
  const match = PRESETS.find((p) => FIELDS.every((f) => presetState(p.name)[f.key] === state[f.key].trim()));
  return match?.name ?? 'custom';
}

/** Reads the state from a query string; keys not given take their defaults, unknown keys are ignored. */
export function stateFromQuery(search: string): State {
  const q = new URLSearchParams(search);
  const state = { ...DEFAULT_STATE };
  for (const f of FIELDS) {
    const v = q.get(f.key);
    if (v !== null) state[f.key] = v;
  }
  return state;
}

/** The whole state as a query string (every key, so a shared link does not depend on today's defaults). */
export function stateToQuery(state: State, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const f of FIELDS) q.set(f.key, state[f.key]);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return '?' + q.toString();
}

/** The config input, as `--set key=value` would build it (values read as JSON when they parse). */
export function configInput(state: State): Record<string, unknown> {
  return applyOverrides({}, FIELDS.map((f) => `${f.key}=${state[f.key].trim()}`));
}

/** Validates a state: the config, or the library's one-line error message. */
export function validate(state: State): { config: Config; input: Record<string, unknown> } | { error: string } {
  try {
    const input = configInput(state);
    return { config: parseConfig(input), input };
  } catch (e) {
    if (e instanceof OnepassError) return { error: e.message };
    throw e;
  }
}
