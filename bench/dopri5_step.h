/*
 * Fixed-step Dormand–Prince 5(4) for the C references of the ODE benchmark (bench/ode.c,
 * bench/ode_perp.c): `steps` steps of h from y (in place), six right-hand-side evaluations a step,
 * the stages combined as in src/ode/dopri5.ts (first same as last: k[0] carries over). k holds 7
 * work vectors of n numbers, ys one more. With ye (another n numbers) each step also computes
 * what an adaptive step needs, as onepass's kernel step does (src/ode/dopri5.ts with the field's
 * own step): the embedded error estimate e = h Σ e_i k_i, ye = yNew − e and the RMS norm of
 * e_i / (atol + rtol max(|y_i|, |yNew_i|)) (rtol 1e-10, atol 1e-14), whose sum over the steps is
 * printed so that none of it is optimised away; without ye (bench/ode.c, whose onepass side is
 * the JavaScript loop that skips it at a fixed step) it is left out. dopri5_bench times `reps`
 * runs of it from y0 and prints the JSON line of the references: the median steps per second and
 * the sum of the first run's final state (to check that every side computed the same).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>

/* ONEPASS_CPU_TIME (bench/ode_perp.c): the process's CPU time, which a machine shared with other
   work disturbs less than the wall clock; otherwise the wall clock. */
#ifdef ONEPASS_CPU_TIME
static double now(void) { struct timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
#else
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
#endif
static int cmp(const void *a, const void *b) { double d = *(const double *)a - *(const double *)b; return (d > 0) - (d < 0); }

static double dopri5_steps(void (*f)(const double *, double *), double *y, long n, double h, long steps, double *k[7], double *ys, double *ye) {
  const double A21 = 1. / 5, A31 = 3. / 40, A32 = 9. / 40, A41 = 44. / 45, A42 = -56. / 15, A43 = 32. / 9;
  const double A51 = 19372. / 6561, A52 = -25360. / 2187, A53 = 64448. / 6561, A54 = -212. / 729;
  const double A61 = 9017. / 3168, A62 = -355. / 33, A63 = 46732. / 5247, A64 = 49. / 176, A65 = -5103. / 18656;
  const double A71 = 35. / 384, A73 = 500. / 1113, A74 = 125. / 192, A75 = -2187. / 6784, A76 = 11. / 84;
  const double E1 = 71. / 57600, E3 = -71. / 16695, E4 = 71. / 1920, E5 = -17253. / 339200, E6 = 22. / 525, E7 = -1. / 40;
  const double rtol = 1e-10, atol = 1e-14;
  double errs = 0;
  f(y, k[0]);
  for (long st = 0; st < steps; st++) {
    for (long i = 0; i < n; i++) ys[i] = y[i] + h * A21 * k[0][i];
    f(ys, k[1]);
    for (long i = 0; i < n; i++) ys[i] = y[i] + h * (A31 * k[0][i] + A32 * k[1][i]);
    f(ys, k[2]);
    for (long i = 0; i < n; i++) ys[i] = y[i] + h * (A41 * k[0][i] + A42 * k[1][i] + A43 * k[2][i]);
    f(ys, k[3]);
    for (long i = 0; i < n; i++) ys[i] = y[i] + h * (A51 * k[0][i] + A52 * k[1][i] + A53 * k[2][i] + A54 * k[3][i]);
    f(ys, k[4]);
    for (long i = 0; i < n; i++) ys[i] = y[i] + h * (A61 * k[0][i] + A62 * k[1][i] + A63 * k[2][i] + A64 * k[3][i] + A65 * k[4][i]);
    f(ys, k[5]);
    if (!ye) {
      for (long i = 0; i < n; i++) y[i] = y[i] + h * (A71 * k[0][i] + A73 * k[2][i] + A74 * k[3][i] + A75 * k[4][i] + A76 * k[5][i]);
      f(y, k[0]); /* first same as last: the next step's k1 */
      continue;
    }
    for (long i = 0; i < n; i++) ys[i] = y[i] + h * (A71 * k[0][i] + A73 * k[2][i] + A74 * k[3][i] + A75 * k[4][i] + A76 * k[5][i]);
    f(ys, k[6]);
    double err = 0;
    for (long i = 0; i < n; i++) {
      double ei = h * (E1 * k[0][i] + E3 * k[2][i] + E4 * k[3][i] + E5 * k[4][i] + E6 * k[5][i] + E7 * k[6][i]);
      ye[i] = ys[i] - ei;
      double e = ei / (atol + rtol * fmax(fabs(y[i]), fabs(ys[i])));
      err += e * e;
    }
    errs += sqrt(err / n);
    /* accepted: the new state, and first same as last (the next step's k1), as onepass does */
    memcpy(y, ys, sizeof(double) * n);
    memcpy(k[0], k[6], sizeof(double) * n);
  }
  return errs;
}

static void dopri5_bench(void (*f)(const double *, double *), const double *y0, double *y, long n, double h, long steps, int reps, double *k[7], double *ys, double *ye) {
  double rates[64], sum = 0, errs = 0;
  if (reps > 64) reps = 64;
  for (int r = 0; r < reps; r++) {
    memcpy(y, y0, sizeof(double) * n);
    double t0 = now();
    double e = dopri5_steps(f, y, n, h, steps, k, ys, ye);
    rates[r] = steps / (now() - t0);
    if (r == 0) { for (long i = 0; i < n; i++) sum += y[i]; errs = e; }
  }
  qsort(rates, reps, sizeof(double), cmp);
  printf("{\"stepsPerSecond\":%.6g,\"stateSum\":%.17g,\"errorNormSum\":%.17g}\n", rates[reps / 2], sum, errs);
}
