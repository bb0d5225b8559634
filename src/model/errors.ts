/**
 * Typed errors of the core. Each carries a message a user can act on in one line; the shells
 * print `error: <message>` and exit non-zero, never a stack trace. Only these are user errors:
 * any other throw (Error, RangeError, …) is a failed invariant, a bug in onepass, and the shells
 * say so (`errorLine`).
 */
export class OnepassError extends Error {
  override name = 'OnepassError';
}

/** A configuration value that is missing, of the wrong type or out of range. */
export class ConfigError extends OnepassError {
  override name = 'ConfigError';
  constructor(readonly field: string, message: string) {
    super(field ? `${field}: ${message}` : message);
  }
}

/** `err` with `(where)` appended when it is a ConfigError (same field), else `err` unchanged. */
export function withContext(err: unknown, where: string): unknown {
  if (!(err instanceof ConfigError)) return err;
  const message = err.field ? err.message.slice(err.field.length + 2) : err.message;
  return new ConfigError(err.field, `${message} (${where})`);
}

/** Longest key or value quoted in a message; a longer one is cut with "…" (messages stay one short line). */
export const MAX_QUOTED = 60;

/** `s` cut to `max` characters, with "…" when something was left off. */
export function clip(s: string, max = MAX_QUOTED): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** How the shells mark an error that is not the user's to fix. */
export const INTERNAL_ERROR = 'internal error (a bug in onepass, please report)';

/** The one line a shell shows for `err`: a user error's message, or a bug's first line marked as one. */
export function errorLine(err: unknown): { readonly user: boolean; readonly line: string } {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split('\n')[0];
  return err instanceof OnepassError ? { user: true, line: first } : { user: false, line: `${INTERNAL_ERROR}: ${first}` };
}
