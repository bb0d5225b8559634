/**
 * The engine-independent power function, and the rule that keeps it the only one: no `Math.pow`
 * and no `**` between non-constants in the non-test TypeScript of src/, paper/, cli/ and web/
 * (an engine's own pow may differ in the last bit from another's, which moved adaptive step
 * sizes between Node and Chromium). Powers of integer literals (`2 ** 32`) are exact in any
 * engine and allowed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pow } from './pow.js';
import { Rng } from '../random/rng.js';

const root = fileURLToPath(new URL(import.meta.url.includes('/dist/src/') ? '../../../' : '../../', import.meta.url));

/** x = m·2^e exactly, m an integer. */
function exact(x: number): { m: bigint; e: number } {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  const hi = b.getUint32(0), lo = b.getUint32(4), ex = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return ex === 0 ? { m: frac, e: -1074 } : { m: frac | (1n << 52n), e: ex - 1075 };
}
/** Sign of a^k − x, exactly (a, x > 0 finite doubles). */
function cmpPow(a: number, k: number, x: number): number {
  const A = exact(a), X = exact(x);
  let l = A.m ** BigInt(k), r = X.m;
  const d = A.e * k - X.e;
  if (d >= 0) l <<= BigInt(d); else r <<= BigInt(-d);
  return l < r ? -1 : l > r ? 1 : 0;
}
const next = (x: number, dir: 1 | -1) => { const b = new DataView(new ArrayBuffer(8)); b.setFloat64(0, x); b.setBigUint64(0, b.getBigUint64(0) + BigInt(dir)); return b.getFloat64(0); };

test('pow(x, 1/k) is within one ulp of the exact k-th root: its neighbours below and above bracket x when raised to k (exact integer arithmetic)', () => {
  const rng = new Rng(20261206);
  for (const k of [8, 4, 16]) { // 1/k exact in binary, so the k-th root is the exact value of x^y
    for (let i = 0; i < 400; i++) {
      const x = Math.exp((rng.uniform() - 0.5) * 60); // 1e-13 … 1e13, the step-size controller's range and more
      const r = pow(x, 1 / k);
      assert.ok(cmpPow(next(r, -1), k, x) < 0 && cmpPow(next(r, 1), k, x) > 0, `pow(${x}, 1/${k}) = ${r}`);
    }
  }
});

test('pow agrees with the engine\'s Math.pow to one ulp on the arguments the solvers and schedules give, and exactly on the special cases', () => {
  const rng = new Rng(7);
  for (let i = 0; i < 4000; i++) {
    const x = Math.exp((rng.uniform() - 0.5) * 40), y = (rng.uniform() - 0.5) * 6;
    const a = pow(x, y), b = Math.pow(x, y);
    assert.ok(a === b || a === next(b, 1) || a === next(b, -1), `pow(${x}, ${y}) = ${a}, Math.pow ${b}`);
  }
  assert.equal(pow(2, -40), 2 ** -40);
  assert.equal(pow(10, 3), 1000);
  assert.equal(pow(9, 0.5), 3);
  assert.equal(pow(0, 0), 1);
  assert.equal(pow(0, -1), Infinity);
  assert.ok(Number.isNaN(pow(-2, 0.5)));
  assert.equal(pow(-2, 3), -8);
});

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

/** The offending powers in a source: Math.pow, and ** unless both sides are integer literals. */
export function enginePowers(src: string): string[] {
  const code = codeOnly(src).replace(/\b\d+\s*\*\*\s*-?\d+\b(?!\s*\.)/g, 'CONST');
  return [...code.matchAll(/Math\s*\.\s*pow\b|[^\n]{0,30}\*\*[^\n]{0,30}/g)].map((m) => m[0].trim());
}

/** The non-test .ts files under a folder, repository-relative with '/'. */
const sources = (folder: string): string[] =>
  readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .map((f) => posix.join(folder, f.split(sep).join('/')))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts') && !/\/(dist|node_modules)\//.test(f));

test('the reader of powers finds Math.pow and ** in code, not in comments, strings or constant integer powers', () => {
  assert.deepEqual(enginePowers('const a = Math.pow(x, 0.2);'), ['Math.pow']);
  assert.equal(enginePowers('s += (x - m) ** 2;').length, 1);
  assert.equal(enginePowers('const t = `${a ** b} ms`;').length, 1);
  assert.equal(enginePowers('h **= 2;').length, 1);
  assert.deepEqual(enginePowers('// Math.pow(x, y)\n/** x ** 2 */\nconst s = \'**bold**\', t = `**${n}**`, u = "a ** b";\nconst K = 2 ** 32 - 1, L = -(2 ** 31), e = 2 ** -40;'), []);
});

test('no non-test source of src/, paper/, cli/ or web/ computes a power with Math.pow or ** (only src/math/pow.ts)', () => {
  const files = ['src', 'paper', 'cli', 'web'].flatMap(sources);
  assert.ok(files.length > 100 && files.includes('src/ode/dopri5.ts'), `read ${files.length} files`);
  const found = files.flatMap((f) => enginePowers(readFileSync(join(root, f), 'utf8')).map((m) => `${f}: ${m}`));
  assert.deepEqual(found, []);
});
