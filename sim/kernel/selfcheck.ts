import {
  formatDuration,
  TICKS_PER_MILLISECOND,
  TICKS_PER_SECOND,
  type Ticks,
  ticks,
} from '../../src/time.js';
import { VirtualClock } from './clock.js';
import { type LoopOutcomeKind, runLoop } from './loop.js';
import { EventQueue } from './queue.js';
import { SeededRandom } from './random.js';
import { Trace } from './trace.js';

export interface SelfCheckResult {
  readonly seed: number;
  readonly workers: number;
  readonly steps: number;
  readonly outcome: LoopOutcomeKind;
  readonly endTime: string;
  readonly traceHash: string;
  readonly trace: Trace;
}

type SelfCheckEvent = { readonly worker: number; readonly round: number };

/**
 * A small seeded run that exercises every kernel part: named streams, the event queue with a seeded tie-break,
 * the run loop's budgets and the trace hash. Workers wake at random times, "work" for a random latency and
 * reschedule themselves; two runs with the same seed must print the same trace hash.
 */
export function runKernelSelfCheck(seed: number, { workers = 8, rounds = 25 } = {}): SelfCheckResult {
  const random = new SeededRandom(seed);
  const latency = random.stream('latency');
  const queue = new EventQueue<SelfCheckEvent>({ tieBreak: random.stream('tie-break') });
  const clock = new VirtualClock();
  const trace = new Trace();
  const start = random.stream('arrivals');
  for (let worker = 0; worker < workers; worker++) {
    // Whole seconds, so several workers often wake at the same tick and the tie-break matters.
    queue.push(ticks(start.int(0, 5) * TICKS_PER_SECOND), { worker, round: 0 });
  }
  const outcome = runLoop(
    queue,
    clock,
    ({ due, seq, event }) => {
      trace.append({ t: due, kind: 'wake', worker: event.worker, round: event.round, seq });
      if (event.round + 1 < rounds) {
        const delay = latency.int(1, 2_000) * TICKS_PER_MILLISECOND;
        queue.push(ticks(due + delay), { worker: event.worker, round: event.round + 1 });
      }
    },
    { maxSteps: workers * rounds, maxTicks: ticks(24 * 3600 * TICKS_PER_SECOND) },
  );
  trace.append({ t: clock.now(), kind: 'end', outcome: outcome.kind, steps: outcome.steps });
  return {
    seed,
    workers,
    steps: outcome.steps,
    outcome: outcome.kind,
    endTime: formatDuration(clock.now() as Ticks),
    traceHash: trace.hash,
    trace,
  };
}
