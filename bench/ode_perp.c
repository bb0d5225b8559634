/*
 * Reference for the wide-network ODE benchmark: the right-hand side of the quadratic network's
 * overlap ODEs in the variables (Q⊥, M) (src/ode/quadratic.ts, quadraticPerpRhsInto; mean
 * readout, P = I, no noise or weight decay), with the same use of structure as onepass: K =
 * M P⁻¹ Mᵀ of rank p*, so the only p×p×p products are X² and G X (X = Q⊥):
 *   τ = tr X/p + tr(D P⁻¹),  D = MᵀM/p − P²/p*,  ε = ½τ² + (tr X² + 2 tr XK)/p² + tr(DP⁻¹DP⁻¹)
 *   U = XM,  H = U/p + MP⁻¹D,  LR = U(MP⁻¹)ᵀ + (MP⁻¹)Uᵀ,  G = (X² + LR)/p + MP⁻¹D(MP⁻¹)ᵀ
 *   S = (GX + GM(MP⁻¹)ᵀ)/p − HMᵀ/p*
 *   dX = −(2η/p)(2τX + 2(2X² + LR)/p) + (4η²/p²)(2ε Q + 4τG + 8S),  dM = −(2η/p)(τM + 2H).
 * Built twice by bench/run.ts (gcc -O3 -march=native -ffast-math): with -DUSE_BLAS the two
 * products are OpenBLAS's dsyrk (X², upper triangle) and dsymm (G X, in full) on one thread;
 * without it, a blocked loop on upper triangles (2×2 blocks of row dot products, as onepass),
 * which gcc vectorises with AVX and fused multiply-adds.
 * Usage: ode_perp p pStar eta eval COUNT REPEATS < state   (COUNT evaluations at the state)
 *        ode_perp p pStar eta step COUNT REPEATS h < state (COUNT fixed Dormand–Prince steps of h,
 *        stages combined as in src/ode/dopri5.ts and bench/ode.c, with the embedded error
 *        estimate and its norm as the adaptive step computes them: bench/dopri5_step.h)
 * with the state on stdin (p² + p p* numbers: Q⊥ then M, row-major) → one JSON line: the median
 * seconds per evaluation or steps per second, and the sum of dy or of the final state (to check
 * that the sides agree).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define ONEPASS_CPU_TIME 1 /* times are CPU seconds of the process (the JavaScript and numpy sides measure the same) */
#include "dopri5_step.h"
#ifdef USE_BLAS
#include <cblas.h>
#endif

static int p, ps;
static double eta;
static double *Pinv, *P2s, *K, *Q, *D, *MPi, *MPiD, *H, *U, *GM, *G, *LR, *X2, *GX;

#ifndef USE_BLAS
/* C_ij = Σ_l A_il B_jl for j ≥ i, 2×2 blocks (the lower entry of a diagonal block is written too). */
static void row_dots_upper(const double *restrict A, const double *restrict B, double *restrict C) {
  int i = 0;
  for (; i + 1 < p; i += 2) {
    const double *a0 = A + (size_t)i * p, *a1 = a0 + p;
    int j = i;
    for (; j + 1 < p; j += 2) {
      const double *b0 = B + (size_t)j * p, *b1 = b0 + p;
      double s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (int l = 0; l < p; l++) { s00 += a0[l] * b0[l]; s01 += a0[l] * b1[l]; s10 += a1[l] * b0[l]; s11 += a1[l] * b1[l]; }
      C[i * p + j] = s00; C[i * p + j + 1] = s01; C[(i + 1) * p + j] = s10; C[(i + 1) * p + j + 1] = s11;
    }
    if (j < p) {
      const double *b0 = B + (size_t)j * p;
      double s0 = 0, s1 = 0;
      for (int l = 0; l < p; l++) { s0 += a0[l] * b0[l]; s1 += a1[l] * b0[l]; }
      C[i * p + j] = s0; C[(i + 1) * p + j] = s1;
    }
  }
  if (i < p) { double s = 0; for (int l = 0; l < p; l++) s += A[i * p + l] * B[i * p + l]; C[i * p + i] = s; }
}
#endif

static void rhs(const double *y, double *dy) {
  const double *X = y, *M = y + p * p;
  int pp = p * p;
  for (int i = 0; i < p; i++) for (int j = 0; j < ps; j++) {
    double s = 0; for (int l = 0; l < ps; l++) s += M[i * ps + l] * Pinv[l * ps + j];
    MPi[i * ps + j] = s;
  }
  double trX = 0, qq = 0, qk = 0;
  for (int i = 0; i < p; i++) {
    trX += X[i * p + i];
    for (int j = i; j < p; j++) {
      double s = 0; for (int l = 0; l < ps; l++) s += MPi[i * ps + l] * M[j * ps + l];
      K[i * p + j] = s; Q[i * p + j] = X[i * p + j] + s;
      double w = i == j ? 1 : 2; qq += w * X[i * p + j] * X[i * p + j]; qk += w * X[i * p + j] * s;
    }
  }
  for (int a = 0; a < ps; a++) for (int b = 0; b < ps; b++) {
    double s = 0; for (int k = 0; k < p; k++) s += M[k * ps + a] * M[k * ps + b];
    D[a * ps + b] = s / p - P2s[a * ps + b];
  }
  for (int i = 0; i < p; i++) for (int j = 0; j < ps; j++) {
    double s = 0; for (int l = 0; l < ps; l++) s += MPi[i * ps + l] * D[l * ps + j];
    MPiD[i * ps + j] = s;
  }
  double trDPi = 0, trDPi2 = 0;
  for (int a = 0; a < ps; a++) for (int b = 0; b < ps; b++) {
    double s = 0, t = 0;
    for (int l = 0; l < ps; l++) { s += D[a * ps + l] * Pinv[l * ps + b]; t += D[b * ps + l] * Pinv[l * ps + a]; }
    if (a == b) trDPi += s;
    trDPi2 += s * t;
  }
  double tau = trX / p + trDPi, eps = 0.5 * tau * tau + (qq + 2 * qk) / pp + trDPi2;
  for (int i = 0; i < p; i++) for (int m = 0; m < ps; m++) {
    double s = 0; for (int l = 0; l < p; l++) s += X[i * p + l] * M[l * ps + m];
    U[i * ps + m] = s; H[i * ps + m] = s / p + MPiD[i * ps + m];
  }
#ifdef USE_BLAS
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, p, p, 1.0, X, p, 0.0, X2, p);
#else
  row_dots_upper(X, X, X2);
#endif
  for (int i = 0; i < p; i++) for (int j = i; j < p; j++) {
    double s = 0, t = 0;
    for (int l = 0; l < ps; l++) { s += U[i * ps + l] * MPi[j * ps + l] + MPi[i * ps + l] * U[j * ps + l]; t += MPiD[i * ps + l] * MPi[j * ps + l]; }
    LR[i * p + j] = s;
    G[i * p + j] = G[j * p + i] = (X2[i * p + j] + s) / p + t;
  }
#ifdef USE_BLAS
  cblas_dsymm(CblasRowMajor, CblasLeft, CblasUpper, p, p, 1.0, G, p, X, p, 0.0, GX, p);
#else
  row_dots_upper(G, X, GX);
#endif
  for (int i = 0; i < p; i++) for (int m = 0; m < ps; m++) {
    double s = 0; for (int l = 0; l < p; l++) s += G[i * p + l] * M[l * ps + m];
    GM[i * ps + m] = s;
  }
  double gf = 2 * eta / p, nq = 4 * eta * eta / pp, c0 = 2 * eps;
  for (int i = 0; i < p; i++) for (int j = i; j < p; j++) {
    double gk = 0, hm = 0;
    for (int m = 0; m < ps; m++) { gk += GM[i * ps + m] * MPi[j * ps + m]; hm += H[i * ps + m] * M[j * ps + m]; }
    double s = (GX[i * p + j] + gk) / p - hm / ps, qqp = 2 * X2[i * p + j] + LR[i * p + j], x = X[i * p + j];
    dy[i * p + j] = dy[j * p + i] = -gf * (2 * tau * x + 2 * qqp / p) + nq * (c0 * Q[i * p + j] + 4 * tau * G[i * p + j] + 8 * s);
  }
  for (int i = 0; i < p * ps; i++) dy[pp + i] = -gf * (tau * M[i] + 2 * H[i]);
}

static double *alloc(size_t n) { double *x = calloc(n, sizeof(double)); if (!x) { fprintf(stderr, "out of memory\n"); exit(1); } return x; }

int main(int argc, char **argv) {
  if (argc < 7) { fprintf(stderr, "usage: ode_perp p pStar eta eval|step count repeats [h] < state\n"); return 2; }
  p = atoi(argv[1]); ps = atoi(argv[2]); eta = atof(argv[3]);
  int step = strcmp(argv[4], "step") == 0;
  long count = atol(argv[5]); int reps = atoi(argv[6]);
  if (reps > 64) reps = 64;
  double h = argc > 7 ? atof(argv[7]) : 0;
  size_t n = (size_t)p * p + (size_t)p * ps, pp = (size_t)p * p;
  double *y0 = alloc(n), *y = alloc(n), *ys = alloc(n), *dy = alloc(n), *k[7];
  for (int s = 0; s < 7; s++) k[s] = alloc(n);
  for (size_t i = 0; i < n; i++) if (scanf("%lf", &y0[i]) != 1) { fprintf(stderr, "expected %zu numbers on stdin\n", n); return 2; }
  Pinv = alloc(ps * ps); P2s = alloc(ps * ps); D = alloc(ps * ps);
  for (int i = 0; i < ps; i++) { Pinv[i * ps + i] = 1; P2s[i * ps + i] = 1.0 / ps; } /* P = I */
  K = alloc(pp); Q = alloc(pp); G = alloc(pp); LR = alloc(pp); X2 = alloc(pp); GX = alloc(pp);
  MPi = alloc(p * ps); MPiD = alloc(p * ps); H = alloc(p * ps); U = alloc(p * ps); GM = alloc(p * ps);
  double times[64], sum = 0;
  if (!step) {
    rhs(y0, dy);
    for (size_t i = 0; i < n; i++) sum += dy[i];
    for (int r = 0; r < reps; r++) {
      double t0 = now();
      for (long e = 0; e < count; e++) rhs(y0, dy);
      times[r] = (now() - t0) / count;
    }
    qsort(times, reps, sizeof(double), cmp);
    printf("{\"secondsPerEvaluation\":%.6g,\"dySum\":%.17g}\n", times[reps / 2], sum);
    return 0;
  }
  dopri5_bench(rhs, y0, y, (long)n, h, count, reps, k, ys, alloc(n)); /* with the error estimate, as onepass's step */
  return 0;
}
