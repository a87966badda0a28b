import { parentPort, workerData } from 'node:worker_threads';
import type { KubeletProfile } from '../../src/profiles.js';
import type { Mode } from '../scenario/types.js';
import { checkRun } from './campaign.js';

/** A campaign worker thread: checks the run indices it was given and posts each verdict back. */
interface WorkerInput {
  readonly seed: number;
  readonly indices: readonly number[];
  readonly modes: readonly Mode[];
  readonly profileOverrides?: Partial<Omit<KubeletProfile, 'version'>>;
}

const input = workerData as WorkerInput;
for (const index of input.indices) {
  const verdict = checkRun(input.seed, index, {
    modes: input.modes,
    ...(input.profileOverrides === undefined ? {} : { profileOverrides: input.profileOverrides }),
  });
  parentPort?.postMessage({ type: 'verdict', verdict });
}
parentPort?.postMessage({ type: 'done' });
