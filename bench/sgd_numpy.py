"""Reference for the SGD benchmark: the same one-pass SGD step as src/sim/sgd.ts (quadratic
committee, no label noise) written step by step with numpy, as a researcher would:
x ~ N(0, I_N) (numpy's PCG64 + ziggurat), λ = Wx/√N, ν = W*x/√N, e = mean λ² − mean ν²,
W ← W − η e 2 λ xᵀ/(p√N).
Usage: python3 sgd_numpy.py N p pStar steps repeats → one JSON line, median steps/s."""
import json
import sys
import time

import numpy as np


def main() -> None:
    N, p, ps, steps, reps = (int(a) for a in sys.argv[1:6])
    eta, isn = 0.5, 1 / np.sqrt(N)
    rng = np.random.default_rng(1)
    rates = []
    for _ in range(reps):
        W = np.sqrt(1e-3) * rng.standard_normal((p, N))
        T = rng.standard_normal((ps, N))
        t0 = time.perf_counter()
        for _ in range(steps):
            x = rng.standard_normal(N)
            lam = (W @ x) * isn
            nu = (T @ x) * isn
            e = np.mean(lam * lam) - np.mean(nu * nu)
            W -= np.outer((eta * e * 2 * isn / p) * lam, x)
        rates.append(steps / (time.perf_counter() - t0))
    print(json.dumps({"stepsPerSecond": float(np.median(rates)), "numpy": np.__version__}))


if __name__ == "__main__":
    main()
