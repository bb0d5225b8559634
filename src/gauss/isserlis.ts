/**
 * Moments of a zero-mean Gaussian vector by Isserlis' (Wick's) theorem: E[z_{i1}…z_{in}] is the
 * sum over all pairings of the indices of the product of covariances. This is the exact,
 * slow reference against which closed-form expectations and the fast quadratic ODE are tested.
 */

/**
 * E[Π_a z_{idx[a]}] for z ~ N(0, C), C given row-major with side `n`.
 * Recursion: pair the first index with every other one (Isserlis), so the cost is (len−1)!!.
 */
export function gaussianMoment(idx: readonly number[], C: ArrayLike<number>, n: number): number {
  if (idx.length % 2 === 1) return 0;
  if (idx.length === 0) return 1;
  const first = idx[0];
  const rest = idx.slice(1);
  let sum = 0;
  for (let k = 0; k < rest.length; k++) {
    const c = C[first * n + rest[k]];
    if (c === 0) continue;
    const remaining = rest.slice(0, k).concat(rest.slice(k + 1));
    sum += c * gaussianMoment(remaining, C, n);
  }
  return sum;
}
