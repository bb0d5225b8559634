/**
 * The layer order of imports (issue 14). Derives the import graph of src/, paper/, cli/ and web/ from
 * the TypeScript sources (static `import`/`export … from`, `import type`, side-effect imports
 * and dynamic `import('…')` with a literal path) and asserts that
 *   (a) the modules form no import cycle,
 *   (b) every import goes from a layer to a strictly lower one (or stays in its own folder), in
 *       the order given by LAYERS below, and
 *   (c) the core (src/ minus src/io/) imports no Node builtin, so it runs in a browser.
 * Type-only imports count: a layer that needs a higher layer's types depends on it all the same.
 * Test files (*.test.ts) run under Node and may use any oracle, so they are left out of the
 * graph (nothing imports them, so they cannot close a cycle). What could not be fixed yet would
 * be listed in ALLOWED, each with its reason, so that any new violation fails (it is empty).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file is src/layers.test.ts, compiled to dist/src/layers.test.js. */
const root = fileURLToPath(new URL(import.meta.url.includes('/dist/src/') ? '../../' : '../', import.meta.url));

/**
 * The layers, lowest first. A module may import from its own group and from groups of lower
 * layers only; groups sharing a layer may not import each other (linalg and random are
 * independent; the CLI and the web are separate shells). A group is a folder or a single file;
 * a module belongs to the longest group that contains it.
 */
export const LAYERS: readonly (readonly string[])[] = [
  // small dense linear algebra; the generator and its streams; the version string; the error
  // types (every layer throws them: gauss/ names a bad activation with a ConfigError); the
  // engine-independent power function
  ['src/linalg', 'src/random', 'src/version.ts', 'src/model/errors.ts', 'src/math'],
  ['src/gauss'], //     Gaussian expectations (pure mathematics: the model's activations are built from them)
  ['src/model'], //     config, overlaps, network, init, problem, trajectory and ensemble types, output schema, plain tables
  ['src/dynamics'], //  what both solvers share: the divergence stopping rule
  ['src/ode'], //       right-hand sides and the Dormand–Prince solver
  ['src/sim'], //       finite-N SGD, the WebAssembly kernel, ensembles
  ['src/sde'], //       the stochastic overlap dynamics of finite N (uses sim's ensemble summary, so one layer above it)
  ['src/solve.ts'], //  solve(problem, initial, { method }): the one entry point over the solvers
  ['src/analysis'], //  analyses of one trajectory, each saying whether it applies
  ['src/studies'], //   what runs many solves: escape sweeps, stability limits, the batch-size and schedule studies
  ['src/sweep'], //     grids, points, result tables (browser-safe)
  ['src/plot'], //      figure specs
  ['src/index.ts', 'src/testing'], // the public API; helpers of the tests
  ['src/io'], //        Node only: files, checkpoints, store, worker pools, the static server
  ['paper'], //         the paper's claims as code: configs, one module per claim, the report renderer
  ['cli', 'web'], //    the shells
];

/**
 * Known violations still to be fixed, as 'from -> to' module paths. Adding to this list needs a
 * reason; removing an entry once fixed is required (a stale entry fails).
 */
const ALLOWED: ReadonlyMap<string, string> = new Map([]);

const CORE_EXEMPT = 'src/io';

/** Every .ts file under the folder (repository-relative, '/'-separated), skipping build output. */
function sources(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = posix.join(dir, e.name);
      if (e.isDirectory()) { if (e.name !== 'dist' && e.name !== 'node_modules') walk(rel); }
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(rel);
    }
  };
  walk(folder);
  return out;
}

/**
 * The module specifiers a source file imports. Static imports and re-exports start a line
 * (the code is formatted so); their clause has no ';' or quote, so it is read up to `from '…'`.
 * Comment lines are skipped so that prose quoting an import does not count.
 */
export function importsOf(text: string): string[] {
  const specs: string[] = [];
  const code = text.split('\n').filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l)).join('\n');
  const staticRe = /^\s*(?:import|export)\b[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (const m of code.matchAll(staticRe)) specs.push(m[1] ?? m[2]);
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]);
  return specs;
}

/** The repository-relative .ts file a relative specifier names ('./x.js' and './x.ts?worker' → x.ts). */
function resolveSpec(from: string, spec: string): string {
  const path = posix.normalize(posix.join(posix.dirname(from), spec.replace(/\?.*$/, '')));
  const ts = path.replace(/\.js$/, '.ts');
  for (const c of [ts, `${ts}.ts`, `${path}/index.ts`]) if (existsSync(join(root, c))) return c;
  throw new Error(`${from}: import '${spec}' names no source file`);
}

const isTest = (f: string) => f.endsWith('.test.ts');

interface Graph { readonly edges: Map<string, Set<string>>; readonly external: Map<string, Set<string>> }

function buildGraph(): Graph {
  const edges = new Map<string, Set<string>>(), external = new Map<string, Set<string>>();
  for (const file of ['src', 'paper', 'cli', 'web'].flatMap(sources).filter((f) => !isTest(f))) {
    const e = new Set<string>(), x = new Set<string>();
    for (const spec of importsOf(readFileSync(join(root, file), 'utf8'))) {
      if (spec.startsWith('.')) e.add(resolveSpec(file, spec)); else x.add(spec);
    }
    edges.set(file, e);
    external.set(file, x);
  }
  return { edges, external };
}


/** The group of a module: the longest LAYERS entry containing it, and that entry's layer. */
export function groupOf(file: string): { group: string; rank: number } | undefined {
  let best: { group: string; rank: number } | undefined;
  LAYERS.forEach((groups, rank) => {
    for (const g of groups) {
      if ((file === g || file.startsWith(`${g}/`)) && (!best || g.length > best.group.length)) best = { group: g, rank };
    }
  });
  return best;
}

/** Imports that break the order: to a higher layer, or across groups of one layer. */
export function layerViolations(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const bad: string[] = [];
  for (const [from, tos] of edges) {
    if (isTest(from)) continue;
    const a = groupOf(from);
    for (const to of tos) {
      const b = groupOf(to);
      if (!a || !b) { bad.push(`${from} -> ${to} (not in LAYERS)`); continue; }
      if (a.group !== b.group && b.rank >= a.rank) bad.push(`${from} -> ${to}`);
    }
  }
  return bad;
}

/** One import cycle among non-test modules, as a path a -> b -> … -> a, or undefined. */
export function findCycle(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      if (isTest(m)) continue;
      if (state.get(m) === 'open') return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) { const c = visit(m); if (c) return c; }
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of edges.keys()) {
    if (isTest(n) || state.has(n)) continue;
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

const graph = buildGraph();

test('the import graph is read from the sources: it has every module and the known edges', () => {
  // Guards the parser itself: if it silently missed imports, the checks below could not fail.
  assert.ok(graph.edges.size > 60, `only ${graph.edges.size} modules found`);
  assert.ok(graph.edges.get('src/ode/solve.ts')?.has('src/dynamics/divergence.ts'), 'static import');
  assert.ok(graph.edges.get('src/model/network.ts')?.has('src/gauss/expectations.ts'), 'import type');
  assert.ok(graph.edges.get('cli/library.ts')?.has('src/io/sweep.ts'), 'dynamic import()');
  assert.ok(graph.edges.get('web/src/main.ts')?.has('web/src/worker.ts'), 'Vite ?worker import');
  assert.ok(graph.edges.get('cli/reproduce.ts')?.has('paper/index.ts'), 'the paper layer is read');
  assert.ok(graph.edges.get('src/index.ts')?.has('src/linalg/matrix.ts') === false && graph.edges.get('src/index.ts')!.size > 30, 'export … from');
  assert.deepEqual(importsOf("import {\n  a,\n  type B,\n} from './x.js';\n// import { c } from './y.js';\nconst m = await import('../z.js');\nexport * from './w.js';\n"),
    ['./x.js', './w.js', '../z.js']);
});

test('the modules of src/, paper/, cli/ and web/ form no import cycle', () => {
  const cycle = findCycle(graph.edges);
  assert.equal(cycle, undefined, `import cycle: ${cycle?.join(' -> ')}`);
  // The check finds a cycle when there is one.
  assert.deepEqual(findCycle(new Map([['a.ts', new Set(['b.ts'])], ['b.ts', new Set(['c.ts'])], ['c.ts', new Set(['a.ts'])]])), ['a.ts', 'b.ts', 'c.ts', 'a.ts']);
});

test('every import goes down the layers (linalg, random, errors < gauss < model < … < solve < analysis < studies < … < io < paper < cli, web), apart from the listed exceptions', () => {
  const bad = layerViolations(graph.edges);
  const unexpected = bad.filter((v) => !ALLOWED.has(v));
  assert.deepEqual(unexpected, [], `imports against the layer order:\n  ${unexpected.join('\n  ')}`);
  const stale = [...ALLOWED.keys()].filter((v) => !bad.includes(v));
  assert.deepEqual(stale, [], `fixed, remove from ALLOWED:\n  ${stale.join('\n  ')}`);
  // The check sees an upward import, and one between groups of the same layer.
  assert.deepEqual(layerViolations(new Map([['src/gauss/erf.ts', new Set(['src/ode/solve.ts', 'src/model/errors.ts', 'src/model/config.ts'])]])), ['src/gauss/erf.ts -> src/ode/solve.ts', 'src/gauss/erf.ts -> src/model/config.ts']);
  assert.deepEqual(layerViolations(new Map([['web/src/main.ts', new Set(['cli/main.ts'])], ['src/linalg/matrix.ts', new Set(['src/random/rng.ts'])]])),
    ['web/src/main.ts -> cli/main.ts', 'src/linalg/matrix.ts -> src/random/rng.ts']);
});

test('the core (src/ minus src/io/) imports no Node builtin, so it runs in a browser', () => {
  const node = new Set(builtinModules);
  const isNode = (s: string) => s.startsWith('node:') || node.has(s.split('/')[0]);
  const bad: string[] = [];
  for (const [file, specs] of graph.external) {
    if (!file.startsWith('src/') || file.startsWith(`${CORE_EXEMPT}/`) || isTest(file)) continue;
    for (const s of specs) if (isNode(s)) bad.push(`${file} -> ${s}`);
  }
  assert.deepEqual(bad, []);
  assert.ok(isNode('node:fs') && isNode('fs/promises') && !isNode('zod'));
});
