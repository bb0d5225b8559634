/** The named activations, for configs and the CLI. Adding one = its file with expectations + a line here. */
import type { Activation } from './expectations.js';
import { square } from './square.js';

export const activations: Readonly<Record<string, Activation>> = { square };

export function activationByName(name: string): Activation {
  const a = activations[name];
  if (!a) throw new RangeError(`unknown activation "${name}" (known: ${Object.keys(activations).join(', ')})`);
  return a;
}
