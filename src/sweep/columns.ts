/**
 * The result columns of a sweep table, in order, in a module of their own that imports nothing:
 * the CLI names them in `sweep --help` without loading the config schema.
 */
/** The result columns, in the CSV's order; names as in the store (snake_case). */
export const RESULT_COLUMNS = ['final_loss', 'escape_alpha', 'plateau_loss', 'max_deviation', 'status', 'message', 'seconds', 'computed_at', 'config_hash'] as const;
export type ResultColumn = (typeof RESULT_COLUMNS)[number];
