/**
 * The result columns of a sweep table, in order, in a module of their own that imports nothing:
 * the CLI names them in `sweep --help` without loading the config schema.
 */
/**
 * The result columns, in the CSV's order (snake_case, as in the store; README "CSV files"):
 * status first, so a diverged row is seen before its numbers; escape_t is escape_alpha in the
 * time t of src/model/time.ts. The numeric columns a phase diagram can show come first after it.
 */
export const RESULT_COLUMNS = ['status', 'final_loss', 'escape_alpha', 'escape_t', 'plateau_loss', 'max_deviation', 'message', 'seconds', 'computed_at', 'config_hash'] as const;
/** The numeric result columns (what --plot can colour by). */
export const NUMERIC_RESULT_COLUMNS = ['final_loss', 'escape_alpha', 'escape_t', 'plateau_loss', 'max_deviation'] as const;
export type ResultColumn = (typeof RESULT_COLUMNS)[number];

/** The formats of `sweep --export` (src/sweep/export.ts). */
export const SWEEP_EXPORT_FORMATS = ['npz', 'csv', 'json'] as const;
export type SweepExportFormat = (typeof SWEEP_EXPORT_FORMATS)[number];
