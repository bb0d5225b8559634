/** The named activations, for configs and the CLI. Adding one = its file with expectations + a line here. */
import type { Activation } from './expectations.js';
import { ConfigError } from '../model/errors.js';
import { square } from './square.js';
import { erfActivation } from './erf.js';
import { reluActivation } from './relu.js';
import { linear } from './linear.js';
import { quadratureExpectations } from './quadrature.js';

export const activations: Readonly<Record<string, Activation>> = { square, erf: erfActivation, relu: reluActivation, linear };

/**
 * An activation from any function of one variable and its derivative (library API): its
 * expectations come from Gauss–Hermite quadrature with `points` nodes per dimension (`points4` for
 * the four-variable one). Accurate for smooth σ (tanh: 1e-6 at the defaults), slow on kinks.
 */
export function customActivation(name: string, sigma: (z: number) => number, dsigma: (z: number) => number, points = 40, points4 = 24): Activation {
  return { name, sigma, dsigma, expectations: quadratureExpectations(sigma, dsigma, points, points4) };
}

export function activationByName(name: string): Activation {
  const a = activations[name];
  if (!a) throw new ConfigError('activation', `unknown activation "${name}" (known: ${Object.keys(activations).join(', ')})`);
  return a;
}
