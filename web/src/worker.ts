/**
 * The explorer's worker: runs the core off the page's thread. It only wires messages to the
 * functions of compute.ts (a run: ODE, analyses, one streamed SGD run; or the Hessian spectrum at
 * a point), which Node's tests call directly.
 */
import { errorLine } from '../../src/index.js';
import { computeRun, computeHessian } from './compute.js';
import type { WorkerRequest, WorkerReply } from './protocol.js';

/** The worker global, typed by hand: the DOM lib (for the page) and the WebWorker lib cannot both be loaded. */
const scope = self as unknown as { postMessage(m: WorkerReply): void; onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null };
const post = (m: WorkerReply) => scope.postMessage(m);

scope.onmessage = (e) => {
  try {
    if (e.data.type === 'hessian') computeHessian(e.data, post);
    else computeRun(e.data, post);
  } catch (err) {
    // Config errors were shown by the page before posting; anything else is reported, not swallowed.
    post({ type: 'error', id: e.data.id, message: errorLine(err).line });
  }
};
