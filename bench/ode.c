/*
 * Reference for the ODE benchmark: one Dormand–Prince 5(4) step (six right-hand-side
 * evaluations, stages combined as in src/ode/dopri5.ts, fixed step h, no error control) of the
 * closed-form quadratic overlap ODEs (src/ode/quadratic.ts, shared/reference/quadratic.md),
 * written the straightforward way in C on full matrices:
 *   τ = tr Q/p − tr P/p*, G = Q²/p − MMᵀ/p*, H = QM/p − MP/p*, S = GQ/p − HMᵀ/p*,
 *   tr ACAC = tr Q²/p² − 2 tr MMᵀ/(p p*) + tr P²/p*²,
 *   dQ = −(4η/p)(τQ + 2G) + (4η²/p²)((τ² + 2 tr ACAC) Q + 4τG + 8S),  dM = −(2η/p)(τM + 2H).
 * Usage: ode p pStar h steps repeats y0... (p² + p p* numbers: Q then M, row-major; P = I)
 * → one JSON line: median steps/s and the final state's sum (to check all sides agree).
 * Built by bench/run.ts with gcc -O3 -march=native -ffast-math.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dopri5_step.h"

static int p, ps;
static double eta = 0.5, *P, *G, *H;

static void rhs(const double *y, double *dy) {
  const double *Q = y, *M = y + p * p;
  double trQ = 0, trQ2 = 0, trMM = 0, trP = 0, trP2 = 0;
  for (int i = 0; i < ps; i++) trP += P[i * ps + i];
  for (int i = 0; i < ps * ps; i++) trP2 += P[i] * P[i];
  for (int i = 0; i < p; i++) {
    trQ += Q[i * p + i];
    for (int j = 0; j < p; j++) {
      double qq = 0, mm = 0;
      for (int l = 0; l < p; l++) qq += Q[i * p + l] * Q[l * p + j];
      for (int m = 0; m < ps; m++) mm += M[i * ps + m] * M[j * ps + m];
      G[i * p + j] = qq / p - mm / ps;
      trQ2 += Q[i * p + j] * Q[i * p + j];
      if (i == j) trMM += mm;
    }
    for (int j = 0; j < ps; j++) {
      double qm = 0, mp = 0;
      for (int l = 0; l < p; l++) qm += Q[i * p + l] * M[l * ps + j];
      for (int m = 0; m < ps; m++) mp += M[i * ps + m] * P[m * ps + j];
      H[i * ps + j] = qm / p - mp / ps;
    }
  }
  double tau = trQ / p - trP / ps, trACAC = trQ2 / (p * p) - 2 * trMM / (p * ps) + trP2 / (ps * ps);
  double c0 = tau * tau + 2 * trACAC, gf = 2 * eta / p, nq = 4 * eta * eta / (p * p);
  for (int i = 0; i < p; i++)
    for (int j = 0; j < p; j++) {
      double gq = 0, hm = 0;
      for (int l = 0; l < p; l++) gq += G[i * p + l] * Q[l * p + j];
      for (int m = 0; m < ps; m++) hm += H[i * ps + m] * M[j * ps + m];
      double S = gq / p - hm / ps, q = Q[i * p + j], g = G[i * p + j];
      dy[i * p + j] = -2 * gf * (tau * q + 2 * g) + nq * (c0 * q + 4 * tau * g + 8 * S);
    }
  for (int i = 0; i < p * ps; i++) dy[p * p + i] = -gf * (tau * M[i] + 2 * H[i]);
}


int main(int argc, char **argv) {
  if (argc < 6) { fprintf(stderr, "usage: ode p pStar h steps repeats y0...\n"); return 2; }
  p = atoi(argv[1]); ps = atoi(argv[2]);
  double h = atof(argv[3]); long steps = atol(argv[4]); int reps = atoi(argv[5]);
  int n = p * p + p * ps;
  if (argc != 6 + n) { fprintf(stderr, "expected %d initial values\n", n); return 2; }
  double *y0 = malloc(sizeof(double) * n), *y = malloc(sizeof(double) * n), *ys = malloc(sizeof(double) * n);
  double *k[7]; for (int s = 0; s < 7; s++) k[s] = malloc(sizeof(double) * n);
  P = calloc(ps * ps, sizeof(double)); G = malloc(sizeof(double) * p * p); H = malloc(sizeof(double) * p * ps);
  for (int i = 0; i < ps; i++) P[i * ps + i] = 1;
  for (int i = 0; i < n; i++) y0[i] = atof(argv[6 + i]);
  dopri5_bench(rhs, y0, y, n, h, steps, reps, k, ys, NULL);
  return 0;
}
