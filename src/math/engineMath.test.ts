/**
 * The rule that keeps the numeric source's elementary functions engine-independent: no
 * `Math.pow`, `Math.sin`, `Math.cos` and no `**` between non-constants in the non-test TypeScript
 * of src/, paper/, cli/ and web/, only src/math/pow.ts and src/math/trig.ts. An engine's own pow,
 * sin and cos may differ in the last bit from another's (Node 20's V8 and Chromium 147's do),
 * which moved adaptive step sizes and so trajectories between the CLI and the explorer. Powers
 * of integer literals (`2 ** 32`) are exact in any engine and allowed. exp, log, asin, acos, atan2
 * gave the same bits in both (measured) and are not policed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL(import.meta.url.includes('/dist/src/') ? '../../../' : '../../', import.meta.url));

/** The code of a TypeScript source with comments and the text of string and template literals removed. */
export function codeOnly(src: string): string {
  let out = '', i = 0;
  const templates: number[] = []; // brace depth at which each open template's `${` started
  let depth = 0;
  const readString = (q: string) => { i++; while (i < src.length && src[i] !== q) i += src[i] === '\\' ? 2 : 1; i++; out += q + q; };
  const readTemplate = () => { // from just after a '`' or a '}' closing '${': text up to '`' or '${'
    while (i < src.length) {
      if (src[i] === '\\') { i += 2; continue; }
      if (src[i] === '`') { i++; out += '`'; return; }
      if (src[i] === '$' && src[i + 1] === '{') { i += 2; templates.push(depth); depth++; out += '${'; return; }
      i++;
    }
  };
  while (i < src.length) {
    const c = src[i], d = src[i + 1];
    if (c === '/' && d === '/') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === '/' && d === '*') { const e = src.indexOf('*/', i + 2); i = e < 0 ? src.length : e + 2; out += ' '; continue; }
    if (c === '\'' || c === '"') { readString(c); continue; }
    if (c === '`') { i++; out += '`'; readTemplate(); continue; }
    if (c === '{') depth++;
    if (c === '}') { depth--; if (templates.length && templates[templates.length - 1] === depth) { templates.pop(); i++; out += '}'; readTemplate(); continue; } }
    out += c; i++;
  }
  return out;
}

/** The engine-dependent calls in a source: Math.pow, Math.sin, Math.cos, and ** unless both sides are integer literals. */
export function engineMath(src: string): string[] {
  const code = codeOnly(src).replace(/\b\d+\s*\*\*\s*-?\d+\b(?!\s*\.)/g, 'CONST');
  return [...code.matchAll(/Math\s*\.\s*(pow|sin|cos)\b|[^\n]{0,30}\*\*[^\n]{0,30}/g)].map((m) => m[0].trim());
}

/** The non-test .ts files under a folder, repository-relative with '/'. */
const sources = (folder: string): string[] =>
  readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .map((f) => posix.join(folder, f.split(sep).join('/')))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts') && !/\/(dist|node_modules)\//.test(f));

test('the reader finds Math.pow, Math.sin, Math.cos and ** in code, not in comments, strings, constant integer powers or other Math functions', () => {
  assert.deepEqual(engineMath('const a = Math.pow(x, 0.2);'), ['Math.pow']);
  assert.deepEqual(engineMath('const s = Math.sin(t), c = Math . cos(t);'), ['Math.sin', 'Math . cos']);
  assert.deepEqual(engineMath('const a = Math.asin(x) + Math.acos(x) + Math.sinh(x) + Math.cosh(x) + sin(x) + cos(x); // Math.sin(x)'), []);
  assert.equal(engineMath('s += (x - m) ** 2;').length, 1);
  assert.equal(engineMath('const t = `${a ** b} ms`;').length, 1);
  assert.equal(engineMath('h **= 2;').length, 1);
  assert.deepEqual(engineMath('// Math.pow(x, y)\n/** x ** 2 */\nconst s = \'**bold**\', t = `**${n}**`, u = "a ** b";\nconst K = 2 ** 32 - 1, L = -(2 ** 31), e = 2 ** -40;'), []);
});

test('no non-test source of src/, paper/, cli/ or web/ computes a power with Math.pow or **, or a sine or cosine with Math.sin or Math.cos (only src/math/pow.ts and src/math/trig.ts)', () => {
  const files = ['src', 'paper', 'cli', 'web'].flatMap(sources);
  assert.ok(files.length > 100 && files.includes('src/ode/dopri5.ts'), `read ${files.length} files`);
  const found = files.flatMap((f) => engineMath(readFileSync(join(root, f), 'utf8')).map((m) => `${f}: ${m}`));
  assert.deepEqual(found, []);
});
