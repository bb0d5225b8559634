/**
 * Progress on stderr: a bar on a terminal (cli-progress), and on anything else (a cluster job's
 * log file, a pipe) one plain line every few seconds, so a Slurm log shows how far a long run is.
 * Times read as words ("left 3 s", "left 2 min 05 s"), not cli-progress's "eta 3s".
 */
import type CliProgress from 'cli-progress';

/** A duration for people: "3 s", "2 min 05 s", "1 h 02 min"; "?" while unknown. */
export function durationText(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Seconds left at a constant rate: after `elapsed` seconds, `fraction` of the work is done. */
export function secondsLeft(fraction: number, elapsedSeconds: number): number {
  return fraction > 0 && fraction <= 1 ? (elapsedSeconds * (1 - fraction)) / fraction : NaN;
}

/** One line of the non-terminal log, e.g. "SGD N=2000: 42% after 12 s, left 16 s". */
export function progressLine(label: string, value: number, total: number, elapsedSeconds: number, unit?: string): string {
  const fraction = total > 0 ? value / total : 0;
  const amount = unit ? `${value}/${total} ${unit} (${Math.floor(fraction * 100)}%)` : `${Math.floor(fraction * 100)}%`;
  return `${label}: ${amount} after ${durationText(elapsedSeconds)}, left ${durationText(secondsLeft(fraction, elapsedSeconds))}`;
}

export interface Progress { update: (value: number) => void; stop: () => void }

/** Seconds between lines in a log: 10 s, and at most ~20 lines per tenfold of elapsed time later on (a day-long job logs every few minutes, not 8640 lines). */
export const logInterval = (elapsedSeconds: number) => Math.max(10, Math.min(300, elapsedSeconds / 10));

/**
 * The non-terminal reporter: a line when the interval since the last one has passed (checked at
 * each update, so nothing is printed by a run shorter than 10 s). `now` in ms, injectable for tests.
 */
export function logProgress(label: string, total: number, write: (line: string) => void, unit?: string, now: () => number = Date.now): Progress {
  const start = now();
  let last = start;
  return {
    update: (value) => {
      const t = now(), elapsed = (t - start) / 1000;
      if ((t - last) / 1000 < logInterval(elapsed) || value >= total) return;
      last = t;
      write(progressLine(label, value, total, elapsed, unit) + '\n');
    },
    stop: () => {},
  };
}

/** The terminal bar, "label [████░░░] 42% | left 16 s" (or "3/36 points" with a unit). */
export function terminalBar(cliProgress: typeof CliProgress, label: string, total: number, unit?: string): Progress {
  const amount = unit ? `{value}/{total} ${unit}` : '{percentage}%';
  const bar = new cliProgress.SingleBar({
    format: `${label} [{bar}] ${amount} | left {eta_formatted}`, stream: process.stderr, hideCursor: true, clearOnComplete: true,
    formatTime: (t: number) => durationText(t),
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  let last = -1;
  return {
    update: (v) => { if (v !== last) { last = v; bar.update(v); } },
    stop: () => bar.stop(),
  };
}
