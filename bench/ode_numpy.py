"""Reference for the ODE benchmark: the Dormand–Prince 5(4) step of bench/ode.c (fixed step h,
six right-hand-side evaluations) on the closed-form quadratic overlap ODEs, written with numpy
as a researcher would (matrix products with @).
Usage: python3 ode_numpy.py p pStar h steps repeats y0... → one JSON line, median steps/s and the
final state's sum."""
import json
import sys
import time

import numpy as np

A = [[], [1 / 5], [3 / 40, 9 / 40], [44 / 45, -56 / 15, 32 / 9],
     [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
     [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
     [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]]


def main() -> None:
    p, ps = int(sys.argv[1]), int(sys.argv[2])
    h, steps, reps = float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    y0 = np.array([float(a) for a in sys.argv[6:]])
    eta, P = 0.5, np.eye(ps)
    trP, trP2 = np.trace(P), np.sum(P * P)

    def rhs(y: np.ndarray) -> np.ndarray:
        Q, M = y[: p * p].reshape(p, p), y[p * p:].reshape(p, ps)
        tau = np.trace(Q) / p - trP / ps
        MMt = M @ M.T
        G = Q @ Q / p - MMt / ps
        H = Q @ M / p - M @ P / ps
        S = G @ Q / p - H @ M.T / ps
        trACAC = np.sum(Q * Q) / p**2 - 2 * np.trace(MMt) / (p * ps) + trP2 / ps**2
        c0 = tau * tau + 2 * trACAC
        dQ = -(4 * eta / p) * (tau * Q + 2 * G) + (4 * eta**2 / p**2) * (c0 * Q + 4 * tau * G + 8 * S)
        dM = -(2 * eta / p) * (tau * M + 2 * H)
        return np.concatenate((dQ.ravel(), dM.ravel()))

    rates, total = [], None
    for _ in range(reps):
        y = y0.copy()
        t0 = time.perf_counter()
        k = [rhs(y)] + [None] * 6
        for _ in range(steps):
            for s in range(1, 7):
                k[s] = rhs(y + h * sum(a * k[j] for j, a in enumerate(A[s]) if a != 0))
            y = y + h * sum(a * k[j] for j, a in enumerate(A[6]) if a != 0)
            k[0] = k[6]
        rates.append(steps / (time.perf_counter() - t0))
        total = float(np.sum(y)) if total is None else total
    print(json.dumps({"stepsPerSecond": float(np.median(rates)), "stateSum": total}))


if __name__ == "__main__":
    main()
