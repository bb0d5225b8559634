import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectProduct, GAUSS7_WEIGHTS, KRONROD_NODES, KRONROD_WEIGHTS, legendreRule, orthant4, reluI4, type Factor } from './orthant.js';
import { Rng } from '../random/rng.js';
import { randomCovariance } from '../testing/stats.js';

/** The 15 ways the ODE's four slots (k, l, u, w) of E[H(λ_k)H(λ_l) z_u⁺ z_w⁺] can coincide, as a group index per slot. */
function setPartitions(): number[][] {
  const out: number[][] = [];
  const grow = (prefix: number[]) => {
    if (prefix.length === 4) { out.push(prefix); return; }
    const next = prefix.length ? Math.max(...prefix) + 1 : 0;
    for (let g = 0; g <= next; g++) grow([...prefix, g]);
  };
  grow([]);
  return out;
}

test('ReLU I4 with coincident variables (all 15 patterns) equals the integration-by-parts recursion on the merged factors to 1e-14 of its scale', () => {
  const rng = new Rng(21, 'general');
  const partitions = setPartitions();
  assert.equal(partitions.length, 15);
  const slotFactor: Factor[] = ['H', 'H', 'R', 'R'];
  for (let trial = 0; trial < 10; trial++) {
    const B = randomCovariance(4, rng);
    for (const groups of partitions) {
      const k = Math.max(...groups) + 1;
      const C = Float64Array.from({ length: 16 }, (_, m) => B[groups[m >> 2] * 4 + groups[m & 3]]);
      const factors: Factor[] = [];
      groups.forEach((g, slot) => {
        const f = slotFactor[slot], old = factors[g];
        factors[g] = old === undefined || old === 'H' ? f : f === 'H' ? old : 'R2';
      });
      const S = Float64Array.from({ length: k * k }, (_, m) => B[Math.floor(m / k) * 4 + (m % k)]);
      const reference = expectProduct(S, k, factors);
      const scale = Math.sqrt(C[10] * C[15]);
      assert.ok(Math.abs(reluI4(C) - reference) <= 1e-14 * scale, `groups ${groups}: ${reluI4(C)} vs ${reference}`);
    }
  }
});

test('Gauss–Kronrod 7–15 on [0, 1]: the 15-point rule integrates x^k exactly for k ≤ 23, the 7-point rule for k ≤ 13 and not for k = 14', () => {
  const integrate = (w: Float64Array, k: number) => w.reduce((s, wq, q) => s + wq * KRONROD_NODES[q] ** k, 0);
  for (let k = 0; k <= 23; k++) assert.ok(Math.abs(integrate(KRONROD_WEIGHTS, k) - 1 / (k + 1)) < 1e-15, `Kronrod, x^${k}`);
  for (let k = 0; k <= 13; k++) assert.ok(Math.abs(integrate(GAUSS7_WEIGHTS, k) - 1 / (k + 1)) < 1e-15, `Gauss 7, x^${k}`);
  assert.ok(Math.abs(integrate(GAUSS7_WEIGHTS, 14) - 1 / 15) > 1e-9); // 5.8e-9: degree 14 is beyond it
  // The Gauss nodes are those of the 7-point Legendre rule.
  const g7 = legendreRule(7);
  const gaussNodes = Array.from(KRONROD_NODES).filter((_, q) => GAUSS7_WEIGHTS[q] > 0).sort((a, b) => a - b);
  Array.from(g7.nodes).sort((a, b) => a - b).forEach((x, i) => assert.ok(Math.abs(x - gaussNodes[i]) < 1e-14));
});

test('4-variable orthant probabilities agree with a 128-point Gauss–Legendre integration of the same path to 1e-15 (well-conditioned random correlations), whichever order and however often asked', () => {
  const rng = new Rng(22, 'general');
  const rule = legendreRule(128);
  const PAIRS = [[0, 1, 2, 3], [0, 2, 1, 3], [0, 3, 1, 2], [1, 2, 0, 3], [1, 3, 0, 2], [2, 3, 0, 1]];
  // Plackett's path integral written plainly (orthant.ts's formula, independent code).
  const reference = (R: Float64Array) => {
    let total = 1 / 16;
    for (const [i, j, k, l] of PAIRS) {
      const rho = R[i * 4 + j], top = Math.asin(rho);
      let s = 0;
      for (let q = 0; q < rule.nodes.length; q++) {
        const t = Math.sin(top * rule.nodes[q]) / rho;
        const Rt = R.map((x, m) => (m % 5 === 0 ? 1 : t * x));
        const d = 1 - Rt[i * 4 + j] ** 2;
        const cond = (a: number, b: number) => Rt[a * 4 + b] - (Rt[a * 4 + i] * (Rt[b * 4 + i] - Rt[i * 4 + j] * Rt[b * 4 + j]) + Rt[a * 4 + j] * (Rt[b * 4 + j] - Rt[i * 4 + j] * Rt[b * 4 + i])) / d;
        s += rule.weights[q] * (0.25 + Math.asin(cond(k, l) / Math.sqrt(cond(k, k) * cond(l, l))) / (2 * Math.PI));
      }
      total += (top * s) / (2 * Math.PI);
    }
    return total;
  };
  for (let trial = 0; trial < 30; trial++) {
    const C = randomCovariance(4, rng);
    const R = C.map((x, m) => x / Math.sqrt(C[(m >> 2) * 5] * C[(m & 3) * 5]));
    const ref = reference(R);
    assert.ok(Math.abs(orthant4(C) - ref) < 1e-15, `trial ${trial}: ${orthant4(C)} vs ${ref}`);
    const perm = [3, 1, 0, 2];
    const P = Float64Array.from({ length: 16 }, (_, m) => C[perm[m >> 2] * 4 + perm[m & 3]]);
    assert.equal(orthant4(P), orthant4(C));
  }
  // More distinct matrices than the memo holds: every value still its own.
  const many = Array.from({ length: 9000 }, (_, i) => { const r = 0.3 * Math.sin(i); return Float64Array.of(1, r, 0.1, 0.2, r, 1, 0.15, -0.1, 0.1, 0.15, 1, 0.05, 0.2, -0.1, 0.05, 1); });
  const first = many.map(orthant4), again = many.map(orthant4);
  assert.deepEqual(again, first);
  assert.ok(Math.abs(first[123] - reference(many[123])) < 1e-15);
});

test('4-variable orthant probabilities are one value under all 24 orders of the variables, also with tied correlations (the memo\'s canonical order)', () => {
  const perms: number[][] = [];
  for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) for (let c = 0; c < 4; c++) for (let d = 0; d < 4; d++) if (new Set([a, b, c, d]).size === 4) perms.push([a, b, c, d]);
  // (R01, R02, R03, R12, R13, R23): distinct; the smallest tied; the smallest unique but the next two tied; all tied.
  const cases = [[0.31, -0.12, 0.22, 0.05, 0.4, -0.27], [0.3, 0.1, 0.2, 0.2, 0.1, 0.3], [-0.2, 0.35, 0.35, 0.1, 0.25, 0.15], [0.25, 0.25, 0.25, 0.25, 0.25, 0.25]];
  for (const u of cases) {
    const R = Float64Array.of(1, u[0], u[1], u[2], u[0], 1, u[3], u[4], u[1], u[3], 1, u[5], u[2], u[4], u[5], 1);
    const values = new Set(perms.map((q) => orthant4(Float64Array.from({ length: 16 }, (_, m) => R[q[m >> 2] * 4 + q[m & 3]]))));
    assert.equal(values.size, 1, `correlations ${u}: ${[...values]}`);
  }
});

test('the orthant pair integrals give the same bits in the WebAssembly kernel and in its JavaScript twin (random correlations up to 0.999, panels in x and in u with x = 1 − u²)', async () => {
  const { orthantKernel, orthantPairSumsJs } = await import('./orthant.js');
  const k = orthantKernel();
  assert.equal(k.wasm, true, 'Node has WebAssembly SIMD');
  const rng = new Rng(23, 'general');
  // The whole of [0, 1] in x, a panel of it (the bisection), and panels of the graded end in u.
  const panels = [[0, 1, 0], [0.75, 0.125, 0], [0.375, 0.375, 1], [0, 0.046875, 1], [0.01171875, 0.005859375, 1]];
  let finite = 0;
  for (let trial = 0; trial < 20; trial++) {
    for (let q = 0; q < 2 * panels.length; q++) {
      // (top, ρ, r_kl, a_kk, b_kk, a_ll, b_ll, a_kl, b_kl) of a pair of a random correlation matrix
      const rho = (trial < 10 ? 0.9 : 0.999) * (2 * rng.uniform() - 1);
      const r = Array.from({ length: 5 }, () => 0.5 * (2 * rng.uniform() - 1));
      const [rki, rkj, rli, rlj, rkl] = r;
      k.memory.set([Math.asin(rho), rho, rkl, rki * rki + rkj * rkj, 2 * rho * rki * rkj, rli * rli + rlj * rlj, 2 * rho * rli * rlj, rki * rli + rkj * rlj, rho * (rki * rlj + rkj * rli), ...panels[q % panels.length]], 48 + 12 * q);
    }
    const jobs = 2 * panels.length;
    const js = Float64Array.from(k.memory);
    k.pairSums(jobs);
    orthantPairSumsJs(js, jobs);
    for (let m = 816; m < 816 + 2 * jobs; m++) {
      assert.ok(Object.is(k.memory[m], js[m]), `trial ${trial}, job ${(m - 816) >> 1}: ${k.memory[m]} vs ${js[m]}`);
      if (Number.isFinite(js[m])) finite++;
    }
  }
  // Random parameters need not be a positive-definite path (NaN where s_kk < 0): most are.
  assert.ok(finite > 300, `${finite} of 400 sums finite`);
});

test('4-variable orthant probabilities at near-singular covariances from late in ReLU committee trajectories agree with independent 40-digit values to 1e-13', () => {
  // Covariances of four of the units (students λ, teachers ν) at α = 300 of the ReLU ODE (sum
  // readout, p* = 2, η = 0.1, the default small initialisation): the 4-sets where the former
  // fixed 48-point rule was furthest off (5.9e-8 and 5.4e-8). Several students on one teacher make
  // the conditioning on a cross pair singular as t → 1 (a layer at the end of its term). The values:
  // bench/orthant4_mpmath.py (Plackett's path in mpmath, tanh-sinh on panels graded towards the end).
  const cases: [string, number[], number][] = [
    ['p = 3: students 0, 1, 2, teacher 1', [0.5766117835838807, -0.12960705238052536, 0.2176944060635395, -0.08611714111341505, -0.12960705238052536, 0.6518157937542397, 0.1925845943906648, 0.8015784867649611, 0.2176944060635395, 0.1925845943906648, 0.19443612344589084, 0.27964215320900054, -0.08611714111341505, 0.8015784867649611, 0.27964215320900054, 1.0000000000000016], 0.209531200440470320711159595987],
    ['p = 3: students 1, 2, teachers 0, 1', [0.6518157937542397, 0.1925845943906648, -0.08356556412920574, 0.8015784867649611, 0.1925845943906648, 0.19443612344589084, 0.3278869491915882, 0.27964215320900054, -0.08356556412920574, 0.3278869491915882, 1.0000000000000004, -2.7276791936259315e-17, 0.8015784867649611, 0.27964215320900054, -2.7276791936259315e-17, 1.0000000000000016], 0.228624687764967474785565235728],
    ['p = 8: students 0, 5, 6, teacher 0', [0.09735080532551636, 0.11843142536558038, 0.08902101430765505, 0.31145670842125, 0.11843142536558038, 0.14599987825021543, 0.10874457452247276, 0.3810346445244605, 0.08902101430765505, 0.10874457452247276, 0.08223680309878224, 0.28616148381745615, 0.31145670842125, 0.3810346445244605, 0.28616148381745615, 1.0000000000000004], 0.472980959057409578253222275307],
    ['p = 8: students 1, 4, teachers 0, 1', [0.091908922900389, 0.065076991962395, -0.031091606086889843, 0.3011479109902713, 0.065076991962395, 0.04685199771238796, -0.005238980868361925, 0.21587542741201743, -0.031091606086889843, -0.005238980868361925, 1.0000000000000004, -2.7276791936259315e-17, 0.3011479109902713, 0.21587542741201743, -2.7276791936259315e-17, 1.0000000000000016], 0.229500145544238340353352513639],
    // Not the 48-point rule's worst but the adaptive rule's, had its panels stopped at 1e-11 (2.1e-13 off).
    ['p = 8: students 0, 4, 6, teacher 1', [0.09735080532551636, -0.0011762091808292146, 0.08902101430765505, 0.0021040736889134624, -0.0011762091808292146, 0.04685199771238796, -0.00018072126101816477, 0.21587542741201743, 0.08902101430765505, -0.00018072126101816477, 0.08223680309878224, 0.006083618479715071, 0.0021040736889134624, 0.21587542741201743, 0.006083618479715071, 1.0000000000000016], 0.236640320337261937656810369612],
  ];
  for (const [name, C, reference] of cases) {
    const value = orthant4(C);
    assert.ok(Math.abs(value - reference) <= 1e-13, `${name}: ${value} vs ${reference} (off by ${value - reference})`);
  }
});

test('4-variable orthant probabilities on the graded panels in u (x = 1 − u²) agree with independent 40-digit values to 1e-13 at the 4-sets of the ReLU p = 8 benchmark that need the most panels', () => {
  // States of the committee benchmark (bench/committee.ts: sum readout, p* = 2, η = 0.1) at α = 200
  // and 300; units 0–7 students, 8–9 teachers. Of all 630 4-sets there, the ones with the most
  // kernel panels (up to 73: every pair off the whole-path rule, the deepest graded meshes, and
  // bisections beyond them) and those furthest from the former bisection in x (≤ 6.7e-16).
  // The values: bench/orthant4_mpmath.py.
  const cases: [string, number[], number][] = [
    ['p = 8, α = 300: students 0, 5, 6, teacher 0', [0.09735081082596982, 0.11843142338259333, 0.08902101063128438, 0.3114567101427468, 0.11843142338259333, 0.1459998824939395, 0.10874457222541625, 0.38103464580691676, 0.08902101063128438, 0.10874457222541625, 0.08223680909816634, 0.286161485827277, 0.3114567101427468, 0.38103464580691676, 0.286161485827277, 1.0000000000000004], 0.472980792801100962290528593062],
    ['p = 8, α = 300: students 1, 2, 7, teacher 1', [0.09190892157756934, 0.0585501120373416, 0.04787183437257751, 0.30114790871740016, 0.0585501120373416, 0.03811080108316073, 0.0311956667794382, 0.1945673959092565, 0.04787183437257751, 0.0311956667794382, 0.026604055384447385, 0.16075860322709318, 0.30114790871740016, 0.1945673959092565, 0.16075860322709318, 1.0000000000000016], 0.451597084339653613364732768531],
    ['p = 8, α = 200: students 0, 5, 6, teacher 0', [0.09072547725796574, 0.11049686775502625, 0.08207606432948332, 0.299953083090747, 0.11049686775502625, 0.1384494549069052, 0.10091962944942329, 0.36941635395247463, 0.08207606432948332, 0.10091962944942329, 0.07615004555261379, 0.27458107434333967, 0.299953083090747, 0.36941635395247463, 0.27458107434333967, 1.0000000000000004], 0.4589838867340911667943046547],
    ['p = 8, α = 300: students 1, 4, 7, teacher 1', [0.09190892157756934, 0.06507699066740633, 0.04787183437257751, 0.30114790871740016, 0.06507699066740633, 0.046851996576938254, 0.03457593226904709, 0.21587542527496512, 0.04787183437257751, 0.03457593226904709, 0.026604055384447385, 0.16075860322709318, 0.30114790871740016, 0.21587542527496512, 0.16075860322709318, 1.0000000000000016], 0.452774340169135235347007130042],
    ['p = 8, α = 300: students 2, 4, 7, teacher 1', [0.03811080108316073, 0.04197801374740795, 0.0311956667794382, 0.1945673959092565, 0.04197801374740795, 0.046851996576938254, 0.03457593226904709, 0.21587542527496512, 0.0311956667794382, 0.03457593226904709, 0.026604055384447385, 0.16075860322709318, 0.1945673959092565, 0.21587542527496512, 0.16075860322709318, 1.0000000000000016], 0.457852688884497922629690505795],
    ['p = 8, α = 300: students 1, 2, 4, teacher 1', [0.09190892157756934, 0.0585501120373416, 0.06507699066740633, 0.30114790871740016, 0.0585501120373416, 0.03811080108316073, 0.04197801374740795, 0.1945673959092565, 0.06507699066740633, 0.04197801374740795, 0.046851996576938254, 0.21587542527496512, 0.30114790871740016, 0.1945673959092565, 0.21587542527496512, 1.0000000000000016], 0.467602988096134986764844861404],
  ];
  for (const [name, C, reference] of cases) {
    const value = orthant4(C);
    assert.ok(Math.abs(value - reference) <= 1e-13, `${name}: ${value} vs ${reference} (off by ${value - reference})`);
  }
});

test('a degenerate covariance (a unit of zero norm: students at the origin) returns at once instead of bisecting a NaN integrand forever', { timeout: 10_000 }, () => {
  // Found by config.property.test.ts (ReLU p = p* = 3, studentVariance 4e-179): the adaptive
  // panels never passed their test on a NaN integrand and would have taken 2⁴⁰ panels.
  const started = Date.now();
  const value = orthant4([1e-300, 0, 0, 0, 0, 1, 0.5, 0.2, 0, 0.5, 1, 0.3, 0, 0.2, 0.3, 1]);
  const degenerate = orthant4([0, 0, 0, 0, 0, 1, 0.5, 0.2, 0, 0.5, 1, 0.3, 0, 0.2, 0.3, 1]);
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  assert.ok(Number.isNaN(value) || (value >= 0 && value <= 1), `value ${value}`);
  assert.ok(Number.isNaN(degenerate) || (degenerate >= 0 && degenerate <= 1), `degenerate ${degenerate}`);
});
