#!/usr/bin/env node
/**
 * The `onepass` command line: a thin shell over the core. It parses arguments, reads the
 * config, calls the library, and writes files or JSON. Errors become one line and exit code 2.
 */
import { Command, CommanderError } from 'commander';
import { clip, errorLine } from '../src/model/errors.js';
import { VERSION } from '../src/version.js';
import { registerOde } from './commands/ode.js';
import { registerSim } from './commands/sim.js';
import { registerSde } from './commands/sde.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerEscape } from './commands/escape.js';
import { registerCompare } from './commands/compare.js';
import { registerReproduce } from './commands/reproduce.js';
import { registerExplore } from './commands/explore.js';
import { registerSweep } from './commands/sweep.js';
import { registerBatch } from './commands/batch.js';
import { registerSchedule } from './commands/schedule.js';
import { registerClosest } from './commands/closest.js';

// stdout closed by its reader (`--json | head`) ends the run quietly; stdout that cannot be
// written (ENOSPC on a full disk) is one line and exit 2, never an unhandled 'error' event.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  process.stderr.write(`error: cannot write to standard output (${err.code ?? err.message})\n`);
  process.exit(2);
});

const program = new Command()
  .name('onepass')
  .description('Exact dynamics of one-pass SGD in two-layer teacher–student networks: overlap ODEs and finite-N simulations.')
  .version(VERSION)
  // Usage errors come back as CommanderError (inherited by every subcommand created below) and
  // are printed by the handler at the end: one line and exit code 2, as for any bad input.
  .exitOverride()
  .configureOutput({ outputError: () => {} })
  // Test hook: stands in for an engine bug (a RangeError from deep inside the core), so
  // cli/main.errors.test.ts can check that the final handler reports it as a bug, not as bad input.
  .hook('preAction', () => {
    const injected = process.env.ONEPASS_TEST_INTERNAL_ERROR;
    if (injected) throw new RangeError(injected);
  });

// One file per command under cli/commands/, each a short composition of cli/common.ts and the library.
registerOde(program);
registerSim(program);
registerSde(program);
registerAnalyze(program);
registerEscape(program);
registerCompare(program);
registerReproduce(program);
registerExplore(program);
registerSweep(program);
registerBatch(program);
registerSchedule(program);
registerClosest(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    // --help, `help CMD` and --version end here with 0; a bare `onepass` has printed its help on stderr.
    if (err.exitCode === 0) return;
    if (err.code !== 'commander.help') process.stderr.write(`error: ${clip(err.message.replace(/^error: /, '').split('\n')[0], 200)} (run with --help for usage)\n`);
    process.exitCode = 2;
    return;
  }
  // Only OnepassError (ConfigError is one) is the user's to fix: exit 2. Anything else, a RangeError
  // from deep inside included, is a bug in onepass and says so: exit 1 (README, "What the tool guarantees").
  const { user, line } = errorLine(err);
  process.stderr.write(`error: ${clip(line, 1000)}\n`);
  if (process.env.ONEPASS_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exitCode = user ? 2 : 1;
});
