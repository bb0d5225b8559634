/** `onepass reproduce`: re-measure the paper's claims and write the Markdown report with figures. */
import type { Command } from 'commander';
import { parseOut } from '../options.js';
import { printJson } from '../common.js';
import { load, reproduce } from '../library.js';

/** Seconds between progress lines when stderr is not a terminal (a log file, a pipe). */
const LOG_EVERY_S = 5;

async function cmdReproduce(opts: { out: string; progress: boolean; json?: boolean }): Promise<void> {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let lastLabel = '', lastLine = 0;
  // On a terminal one line rewritten in place; elsewhere a line at each new stage and every few seconds.
  const progress = (label: string, f: number) => {
    if (!opts.progress) return;
    const pct = `${label}: ${Math.round(100 * f)}%`;
    if (tty) {
      if (label !== lastLabel && lastLabel) process.stderr.write('\n');
      process.stderr.write(`\r${pct}   `);
    } else if (label !== lastLabel || Date.now() - lastLine >= LOG_EVERY_S * 1000) {
      process.stderr.write(`reproduce: ${pct} after ${Math.round((Date.now() - started) / 1000)} s\n`);
      lastLine = Date.now();
    }
    lastLabel = label;
  };
  const { checks, reportPath } = await reproduce(opts.out, progress, (line) => process.stderr.write(`note: ${line}\n`));
  if (tty && opts.progress) process.stderr.write('\n');
  if (opts.json) printJson({ checks, report: reportPath });
  else {
    const mark = (h: boolean | null) => (h === null ? 'UNDECIDED    ' : h ? 'holds        ' : 'DOES NOT HOLD');
    for (const c of checks) console.log(`${mark(c.holds)}  ${c.claim} [${c.regime}]\n               ${c.measured}`);
    console.log(`report: ${reportPath}`);
  }
}

export function registerReproduce(program: Command): void {
  program.command('reproduce').description('re-measure the paper\'s claims (paper/) in gradient flow and at finite η, and write a Markdown report with figures')
    .option('-o, --out <dir>', 'report folder', parseOut, 'runs/reproduce')
    .option('--json', 'print the checks as JSON')
    .option('--no-progress', 'no progress display')
    .action(async (o: { out: string; progress: boolean; json?: boolean }) => { await load('reproduce'); return cmdReproduce(o); });
}
