/** `onepass reproduce`: re-measure the paper's claims and write the Markdown report with figures. */
import type { Command } from 'commander';
import { parseOut } from '../options.js';
import { printJson } from '../common.js';
import { load, reproduce } from '../library.js';

async function cmdReproduce(opts: { out: string; progress: boolean; json?: boolean }): Promise<void> {
  const tty = process.stderr.isTTY && opts.progress;
  let lastLabel = '';
  const progress = (label: string, f: number) => {
    if (!tty) return;
    if (label !== lastLabel && lastLabel) process.stderr.write('\n');
    lastLabel = label;
    process.stderr.write(`\r${label}: ${Math.round(100 * f)}%   `);
  };
  const { checks, reportPath } = await reproduce(opts.out, progress, (line) => process.stderr.write(`note: ${line}\n`));
  if (tty) process.stderr.write('\n');
  if (opts.json) printJson({ checks, report: reportPath });
  else {
    for (const c of checks) console.log(`${c.holds ? 'holds        ' : 'DOES NOT HOLD'}  ${c.claim}\n               ${c.measured}`);
    console.log(`report: ${reportPath}`);
  }
}

export function registerReproduce(program: Command): void {
  program.command('reproduce').description('re-measure the paper\'s claims from the configs in paper/ and write a Markdown report with figures')
    .option('-o, --out <dir>', 'report folder', parseOut, 'runs/reproduce')
    .option('--json', 'print the checks as JSON')
    .option('--no-progress', 'no progress display')
    .action(async (o: { out: string; progress: boolean; json?: boolean }) => { await load('reproduce'); return cmdReproduce(o); });
}
