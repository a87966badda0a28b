import { Worker } from 'node:worker_threads';
import type { KubeletProfile } from '../../src/profiles.js';
import type { Mode } from '../scenario/types.js';
import { checkRun, type RunVerdict } from './campaign.js';

export interface ParallelOptions {
  readonly seed: number;
  readonly indices: readonly number[];
  readonly modes: readonly Mode[];
  /** Worker threads; 1 (or a missing worker script) runs in this thread. */
  readonly workers: number;
  /** The compiled worker script (dist/sim/fuzz/worker.js). */
  readonly workerUrl?: URL;
  readonly profileOverrides?: Partial<Omit<KubeletProfile, 'version'>>;
  /** Asked after every verdict; true stops the campaign (a time limit). */
  readonly shouldStop?: () => boolean;
  readonly onVerdict?: (verdict: RunVerdict) => void;
}

/**
 * Checks a campaign's runs across worker threads. Runs are dealt round-robin, so every worker gets a similar mix;
 * verdicts are collected by index, so the summary does not depend on the number of workers or their timing
 * (unless a time limit stops the campaign, which the caller reports).
 */
export async function checkRunsInParallel(
  options: ParallelOptions,
): Promise<{ verdicts: RunVerdict[]; stopped: boolean }> {
  const verdicts: RunVerdict[] = [];
  const overrides =
    options.profileOverrides === undefined ? {} : { profileOverrides: options.profileOverrides };
  if (options.workers <= 1 || options.workerUrl === undefined) {
    for (const index of options.indices) {
      const verdict = checkRun(options.seed, index, { modes: options.modes, ...overrides });
      verdicts.push(verdict);
      options.onVerdict?.(verdict);
      if (options.shouldStop?.()) return { verdicts, stopped: true };
    }
    return { verdicts, stopped: false };
  }
  const slices: number[][] = Array.from({ length: options.workers }, () => []);
  for (const [i, index] of options.indices.entries()) slices[i % options.workers]?.push(index);
  const workers: Worker[] = [];
  let stopped = false;
  await new Promise<void>((resolve, reject) => {
    let running = 0;
    const finish = () => {
      running--;
      if (running === 0) resolve();
    };
    for (const slice of slices) {
      if (slice.length === 0) continue;
      running++;
      const worker = new Worker(options.workerUrl as URL, {
        workerData: { seed: options.seed, indices: slice, modes: options.modes, ...overrides },
      });
      workers.push(worker);
      worker.on('message', (message: { type: 'verdict'; verdict: RunVerdict } | { type: 'done' }) => {
        if (message.type === 'done') return;
        verdicts.push(message.verdict);
        options.onVerdict?.(message.verdict);
        if (!stopped && options.shouldStop?.()) {
          stopped = true;
          for (const w of workers) void w.terminate();
        }
      });
      worker.on('error', (error) => {
        // One failing worker fails the campaign: stop the others rather than let them run on unobserved.
        for (const w of workers) void w.terminate();
        reject(error);
      });
      worker.on('exit', finish);
    }
    if (running === 0) resolve();
  });
  verdicts.sort((a, b) => a.index - b.index);
  return { verdicts, stopped };
}
