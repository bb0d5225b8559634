"""Reference for the wide-network ODE benchmark: the quadratic network's overlap ODEs in the
variables (Q⊥, M) (src/ode/quadratic.ts; mean readout, P = I, no noise or weight decay), written
with numpy as a researcher would (full matrix products with @, K = M Mᵀ formed explicitly), and
integrated by scipy's DOP853 (solve_ivp) at the tolerances onepass uses.
Reads one JSON object on stdin: {"p", "pStar", "eta", "y0": [Q⊥ then M, row-major], "mode":
"eval" (with "count", "repeats") | "trajectory" (with "tEval", "rtol", "atol")} and prints one
JSON line: the median CPU seconds per evaluation and the sum of dy, or the CPU seconds of the
trajectory, its evaluations and the loss at the last save point."""
import json
import sys
import time

import numpy as np


def main() -> None:
    a = json.load(sys.stdin)
    p, ps, eta = a["p"], a["pStar"], a["eta"]
    y0 = np.array(a["y0"], dtype=float)
    P = np.eye(ps)
    Pinv, P2s = np.linalg.inv(P), P @ P / ps
    gf, nq = 2 * eta / p, 4 * eta**2 / p**2

    def parts(y):
        X, M = y[: p * p].reshape(p, p), y[p * p:].reshape(p, ps)
        MPi = M @ Pinv
        K = MPi @ M.T
        D = M.T @ M / p - P2s
        DPi = D @ Pinv
        tau = np.trace(X) / p + np.trace(DPi)
        eps = 0.5 * tau**2 + (np.sum(X * X) + 2 * np.sum(X * K)) / p**2 + np.sum(DPi * DPi.T)
        return X, M, MPi, K, D, tau, eps

    def rhs(_t, y):
        X, M, MPi, K, D, tau, eps = parts(y)
        Q = X + K
        MPiD = MPi @ D
        H = X @ M / p + MPiD
        G = (X @ Q + K @ X) / p + MPiD @ MPi.T
        S = G @ Q / p - H @ M.T / ps
        dX = -gf * (2 * tau * X + 2 * (Q @ X + X @ Q) / p) + nq * (2 * eps * Q + 4 * tau * G + 8 * S)
        dM = -gf * (tau * M + 2 * H)
        return np.concatenate((dX.ravel(), dM.ravel()))

    if a["mode"] == "eval":
        times = []
        for _ in range(a["repeats"]):
            t0 = time.process_time()
            for _ in range(a["count"]):
                dy = rhs(0, y0)
            times.append((time.process_time() - t0) / a["count"])
        print(json.dumps({"secondsPerEvaluation": float(np.median(times)), "dySum": float(np.sum(rhs(0, y0)))}))
        return
    from scipy.integrate import solve_ivp
    t_eval = np.array(a["tEval"], dtype=float)
    t0 = time.process_time()
    sol = solve_ivp(rhs, (0.0, float(t_eval[-1])), y0, method="DOP853", t_eval=t_eval, rtol=a["rtol"], atol=a["atol"])
    seconds = time.process_time() - t0
    loss = float(parts(sol.y[:, -1])[6])
    print(json.dumps({"seconds": seconds, "evaluations": int(sol.nfev), "finalLoss": loss, "status": int(sol.status)}))


if __name__ == "__main__":
    main()
