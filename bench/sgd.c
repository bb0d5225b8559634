/*
 * Reference for the SGD benchmark: the same one-pass SGD step as src/sim/sgd.ts for the
 * quadratic committee (σ(z) = z², no label noise), written the straightforward way in C.
 * Random numbers: xoshiro128** and the same 128-layer ziggurat (Marsaglia & Tsang 2000, layer
 * and position from disjoint bits) as src/random/rng.ts, so both sides pay for the same generator.
 *   x ~ N(0, I_N); λ_k = w_k·x/√N; ν_j = w*_j·x/√N; e = mean_k λ_k² − mean_j ν_j²;
 *   w_k ← w_k − η e 2λ_k x/(p√N).
 * With a batch size B > 1 (the optional 6th argument) a step draws B inputs, computes their
 * errors with the same weights and applies the mean gradient, w_k ← w_k − (η/B) Σ_b e_b 2λ_kb x_b/(p√N),
 * in one pass over W per step (the B inputs' terms summed per element), as the kernel does.
 * Usage: sgd N p pStar steps repeats [B]  → one JSON line: median steps/s and samples/s (B per
 * step) over the repeats, and the final mean of Q_kk (printed so that the compiler cannot drop the work).
 * Built by bench/run.ts with gcc -O3 -march=native -ffast-math.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint32_t s[4];
static inline uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
static inline uint32_t next_u32(void) {
  uint32_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 9;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 11);
  return r;
}
static double uniform01(void) { return ((next_u32() >> 5) * 67108864.0 + (next_u32() >> 6)) / 9007199254740992.0; }

#define ZR 3.442619855899
#define ZV 9.91256303526217e-3
#define ZS 16777216.0
static int32_t kn[128];
static double wn[128], fn[128];
static void zig_init(void) {
  double dn = ZR, tn = dn, q = ZV / exp(-0.5 * dn * dn);
  kn[0] = (int32_t)floor((dn / q) * ZS); kn[1] = 0;
  wn[0] = q / ZS; wn[127] = dn / ZS; fn[0] = 1; fn[127] = exp(-0.5 * dn * dn);
  for (int i = 126; i >= 1; i--) {
    dn = sqrt(-2 * log(ZV / dn + exp(-0.5 * dn * dn)));
    kn[i + 1] = (int32_t)floor((dn / tn) * ZS); tn = dn;
    fn[i] = exp(-0.5 * dn * dn); wn[i] = dn / ZS;
  }
}
static double gauss_slow(int32_t j, int iz) {
  for (;;) {
    double x = j * wn[iz];
    if (iz == 0) {
      double tx, ty;
      do { tx = -log(1 - uniform01()) / ZR; ty = -log(1 - uniform01()); } while (ty + ty < tx * tx);
      return j > 0 ? ZR + tx : -ZR - tx;
    }
    if (fn[iz] + uniform01() * (fn[iz - 1] - fn[iz]) < exp(-0.5 * x * x)) return x;
    int32_t u = (int32_t)next_u32(); iz = u & 127; j = u >> 7;
    if (abs(j) < kn[iz]) return j * wn[iz];
  }
}
static inline double gauss(void) {
  int32_t u = (int32_t)next_u32(); int iz = u & 127; int32_t j = u >> 7;
  return abs(j) < kn[iz] ? j * wn[iz] : gauss_slow(j, iz);
}

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
static int cmp(const void *a, const void *b) { double d = *(const double *)a - *(const double *)b; return (d > 0) - (d < 0); }

int main(int argc, char **argv) {
  if (argc != 6 && argc != 7) { fprintf(stderr, "usage: sgd N p pStar steps repeats [batch]\n"); return 2; }
  int N = atoi(argv[1]), p = atoi(argv[2]), ps = atoi(argv[3]), reps = atoi(argv[5]), B = argc == 7 ? atoi(argv[6]) : 1;
  long steps = atol(argv[4]);
  double eta = 0.5, isn = 1 / sqrt((double)N);
  double *W = malloc(sizeof(double) * p * N), *T = malloc(sizeof(double) * ps * N), *x = malloc(sizeof(double) * N);
  double *lam = malloc(sizeof(double) * p), rates[64];
  double *X = malloc(sizeof(double) * (long)B * N), *G = malloc(sizeof(double) * (long)p * B);
  zig_init();
  s[0] = 0x9e3779b9; s[1] = 0x85ebca6b; s[2] = 0xc2b2ae35; s[3] = 1;
  double q = 0;
  for (int r = 0; r < reps && r < 64; r++) {
    for (long i = 0; i < (long)p * N; i++) W[i] = sqrt(1e-3) * gauss();
    for (long i = 0; i < (long)ps * N; i++) T[i] = gauss();
    double t0 = now();
    for (long st = 0; st < steps && B > 1; st++) {
      for (int b = 0; b < B; b++) {
        double *xb = X + (long)b * N, e = 0;
        for (int n = 0; n < N; n++) xb[n] = gauss();
        for (int k = 0; k < p; k++) {
          double d = 0; const double *w = W + (long)k * N;
          for (int n = 0; n < N; n++) d += w[n] * xb[n];
          lam[k] = d * isn; e += lam[k] * lam[k] / p;
        }
        for (int j = 0; j < ps; j++) {
          double d = 0; const double *w = T + (long)j * N;
          for (int n = 0; n < N; n++) d += w[n] * xb[n];
          d *= isn; e -= d * d / ps;
        }
        for (int k = 0; k < p; k++) G[(long)k * B + b] = -(eta / B) * e * 2 * lam[k] * isn / p;
      }
      for (int k = 0; k < p; k++) {
        double *w = W + (long)k * N; const double *g = G + (long)k * B;
        for (int n = 0; n < N; n++) {
          double acc = w[n];
          for (int b = 0; b < B; b++) acc += g[b] * X[(long)b * N + n];
          w[n] = acc;
        }
      }
    }
    for (long st = 0; st < steps && B == 1; st++) {
      for (int n = 0; n < N; n++) x[n] = gauss();
      double e = 0;
      for (int k = 0; k < p; k++) {
        double d = 0; const double *w = W + (long)k * N;
        for (int n = 0; n < N; n++) d += w[n] * x[n];
        lam[k] = d * isn; e += lam[k] * lam[k] / p;
      }
      for (int j = 0; j < ps; j++) {
        double d = 0; const double *w = T + (long)j * N;
        for (int n = 0; n < N; n++) d += w[n] * x[n];
        d *= isn; e -= d * d / ps;
      }
      for (int k = 0; k < p; k++) {
        double g = -eta * e * 2 * lam[k] * isn / p; double *w = W + (long)k * N;
        for (int n = 0; n < N; n++) w[n] += g * x[n];
      }
    }
    rates[r] = steps / (now() - t0);
    for (long i = 0; i < (long)p * N; i++) q += W[i] * W[i] / ((double)N * p * reps);
  }
  qsort(rates, reps, sizeof(double), cmp);
  printf("{\"stepsPerSecond\":%.6g,\"samplesPerSecond\":%.6g,\"meanQkk\":%.6g}\n", rates[reps / 2], rates[reps / 2] * B, q);
  return 0;
}
