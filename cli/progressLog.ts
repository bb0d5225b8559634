/**
 * Progress for logs (issue 17): where stderr is not a terminal (a cluster job's log file, a pipe)
 * no bar can be drawn, so a long computation writes one plain line every few seconds instead:
 *   "ODE: 37% after 12 s, about 20 s left"
 * The first line comes only after `everySeconds`, so a short run (and every test) prints nothing.
 * The estimate of the time left is linear in the fraction done.
 */

export interface ProgressReporter {
  /** Fraction done, 0 … 1. */
  update(fraction: number): void;
  stop(): void;
}

/** A line-per-interval reporter writing through `write` (the clock is injectable for tests). */
export function progressLines(label: string, write: (line: string) => void, everySeconds = 5, now: () => number = () => performance.now() / 1000): ProgressReporter {
  const start = now();
  let next = start + everySeconds;
  return {
    update(fraction) {
      const t = now();
      if (t < next) return;
      next = t + everySeconds;
      const elapsed = t - start;
      const f = Math.min(1, Math.max(0, fraction));
      const left = f > 0 ? elapsed * (1 - f) / f : NaN;
      write(`${label}: ${(100 * f).toFixed(0)}% after ${seconds(elapsed)}${Number.isFinite(left) ? `, about ${seconds(left)} left` : ''}\n`);
    },
    stop() { /* nothing to clear: lines stay in the log */ },
  };
}

function seconds(s: number): string {
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
