/**
 * `onepass reproduce`: writes the paper report (paper/: the claims, their decisions and the
 * Markdown) with its figures as a run folder (src/io/files.ts): checked before computing,
 * replaced as a whole at the end, so a report never sits beside figures of another run. It may
 * replace a folder of onepass outputs, never an interrupted simulation's checkpoint.
 */
import { join } from 'node:path';
import { cpus } from 'node:os';
import { renderSvg, VERSION } from '../src/index.js';
import { prepareRunFolder, writeRunFolder, RUN_FOLDER_FILES, svgToPng, dejavuTextWidth } from '../src/io/files.js';
import { runPaper, renderReport, FULL_STUDY, type Check } from '../paper/index.js';

/** The report's figures, each written as NAME.svg and NAME.png. */
const FIGURES = ['compare', 'loss-vs-p', 'wide-escape-vs-p', 'wide-loss-vs-t', 'escape-vs-variance', 'conserved', 'hessian', 'batch-limit', 'batch-times', 'schedules', 'finite-n-escape', 'closest-probability'] as const;
const REPORT_FILES: ReadonlySet<string> = new Set(['report.md', 'report.json', ...FIGURES.flatMap((f) => [`${f}.svg`, `${f}.png`])]);

/** Measures and decides every claim, and writes report.md, report.json and the figures. `note` hears what a killed run left. */
export async function reproduce(outDir: string, progress: (label: string, fraction: number) => void, note: (line: string) => void = () => {}): Promise<{ checks: Check[]; reportPath: string }> {
  const recovered = prepareRunFolder(outDir, (name) => REPORT_FILES.has(name) || (RUN_FOLDER_FILES.has(name) && name !== 'checkpoint.json'));
  if (recovered) note(recovered);
  const started = performance.now();
  const { claims } = await runPaper(FULL_STUDY, progress);
  const files: [string, string | Uint8Array][] = [];
  for (const f of claims.flatMap((c) => c.figures)) {
    // Laid out with the metrics of DejaVu Sans, the font the PNG is drawn in (no empty margin).
    const svg = await renderSvg(f.spec, dejavuTextWidth);
    files.push([`${f.name}.svg`, svg], [`${f.name}.png`, svgToPng(svg)]);
  }
  const seconds = (performance.now() - started) / 1000;
  const checks = claims.flatMap((c) => c.checks);
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores)`;
  files.push(
    ['report.md', renderReport(claims, { version: VERSION, date: new Date().toISOString().slice(0, 10), machine, seconds })],
    ['report.json', JSON.stringify({ onepassVersion: VERSION, seconds, study: FULL_STUDY, checks }, null, 1) + '\n'],
  );
  writeRunFolder(outDir, files);
  return { checks, reportPath: join(outDir, 'report.md') };
}
