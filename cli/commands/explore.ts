/** `onepass explore`: the interactive explorer, served on 127.0.0.1. */
import type { Command } from 'commander';
import { startExplorer } from '../../src/io/explore.js';
import { parsePort } from '../options.js';

export function registerExplore(program: Command): void {
  program.command('explore').description('serve the interactive explorer (ODE and SGD live in the browser) on 127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', '4173')
    .action(async (o: { port: string }) => {
      const { url } = await startExplorer(parsePort(o.port));
      console.log(`onepass explorer at ${url} (127.0.0.1 only; Ctrl-C to stop)`);
    });
}
