/**
 * Which of the two `init` shapes a config has. Zod-free and import-free so that both the
 * schema (config.ts) and the zod-free initial conditions (init.ts, loaded by workers) can use
 * it without importing each other: config.ts ↔ init.ts was an import cycle (issue 14).
 */

/** Whether a config starts from given overlaps (has `Q`), else from random weights. */
export function isOverlapInit<I extends object>(init: I): init is Extract<I, { readonly Q: unknown }> {
  return 'Q' in init;
}
