/**
 * The report renderer: claims (plain data) to Markdown. Knows nothing of how a claim is decided;
 * every number it prints comes from a check, a table or a note of a claim.
 */
import { verdict, fmt, type Check } from './check.js';
import type { Claim, Table } from './claim.js';

export const SECTIONS: readonly { readonly id: string; readonly title: string }[] = [
  { id: 'ode-vs-sgd', title: 'Exact overlap ODEs against finite-N SGD' },
  { id: 'overparameterisation', title: 'Escape from the plateau and over-parameterisation' },
  { id: 'escape-law', title: 'The escape law' },
  { id: 'conserved', title: 'The conserved quantity' },
  { id: 'implicit-bias', title: 'Implicit bias: which zero-loss solution' },
  { id: 'hessian', title: 'Hessian of the population loss' },
  { id: 'phase-retrieval', title: 'Phase retrieval (p = p* = 1)' },
  { id: 'protocols', title: 'Training protocols: mini-batches and learning-rate schedules' },
  { id: 'finite-n', title: 'Beyond the paper: finite N as a process (stochastic overlap dynamics)' },
];

export interface ReportMeta {
  readonly version: string;
  readonly date: string;
  readonly machine: string;
  readonly seconds: number;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function markdownTable(t: Table): string[] {
  return [t.caption, '', `| ${t.head.map(cell).join(' | ')} |`, `|${t.head.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`), ''];
}

const predictionText = (c: Check) => (c.prediction === undefined ? '' : ` Prediction: ${fmt(c.prediction)} (relative error ${fmt(c.relativeError)}).`);

export function checkLine(c: Check): string {
  return `- **${verdict(c.holds).toUpperCase()}** (${c.regime}): ${c.claim}. Criterion: ${c.criterion}. Margin: ${c.margin}. Measured: ${c.measured}.${predictionText(c)}`;
}

/** The whole report: summary of every check, then each section's figures, tables, checks and notes. */
export function renderReport(claims: readonly Claim[], meta: ReportMeta): string {
  const checks = claims.flatMap((c) => c.checks);
  const count = (d: boolean | null) => checks.filter((c) => c.holds === d).length;
  const md: string[] = [
    '# onepass reproduce: *Escape dynamics and implicit bias of one-pass SGD in overparameterized quadratic networks*', '',
    `onepass ${meta.version}, ${meta.date}, ${meta.machine}. Configs: \`paper/*.json\`, the study around them: \`paper/configs.ts\`. Every number below was measured in this run. Each claim about the ODE is decided in the gradient-flow limit (η → 0, read in t = ηα/p) and separately at each finite η; a claim holds when its statistic clears the threshold by the stated margin, does not hold when it misses it by the margin, and is *undecided within margin* in between.`, '',
    '## Summary', '',
    `${count(true)} checks hold, ${count(false)} do not hold, ${count(null)} are undecided within margin (${checks.length} in all); report made in ${meta.seconds.toFixed(0)} s.`, '',
    '| claim | regime | verdict | statistic | prediction (rel. error) |', '|---|---|---|---|---|',
    ...checks.map((c) => `| ${cell(c.claim)} | ${c.regime} | ${c.holds === false ? '**does not hold**' : c.holds === null ? '*undecided within margin*' : 'holds'} | ${fmt(c.statistic)} | ${c.prediction === undefined ? '' : `${fmt(c.prediction)} (${fmt(c.relativeError)})`} |`),
    '',
  ];
  SECTIONS.forEach((s, k) => {
    const inSection = claims.filter((c) => c.section === s.id);
    if (!inSection.length) return;
    md.push(`## ${k + 1}. ${s.title}`, '');
    for (const c of inSection) {
      for (const f of c.figures) md.push(`![${f.name}](${f.name}.png)`, '');
      for (const t of c.tables) md.push(...markdownTable(t));
      for (const ch of c.checks) md.push(checkLine(ch));
      if (c.checks.length) md.push('');
      for (const n of c.notes) md.push(n, '');
    }
  });
  return md.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}
