/** σ(z) = z: the linear network; its expectations are covariances. */
import type { Activation } from './expectations.js';
import { ONE } from './dd.js';

export const linear: Activation = {
  name: 'linear',
  sigma: (z) => z,
  dsigma: () => 1,
  expectations: {
    I2: (C) => C[1], // E[a b]
    J2: () => 1, // E[1 · 1]
    I3: (C) => C[5], // E[1 · b · c] = C_bc
    I4: (C) => C[11], // E[1 · 1 · c · d] = C_cd
  },
  exact: { I2: (C) => C[1], J2: () => ONE, I3: (C) => C[5], I4: (C) => C[11] },
};
