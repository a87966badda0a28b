import type { Ticks } from '../../src/time.js';
import type { VirtualClock } from './clock.js';
import type { EventQueue, Scheduled } from './queue.js';

/** The bounds of one run. Running out of either is a reported outcome, never a hang. */
export interface RunBudget {
  /** Stop (outcome `until`) before the first event due after this tick; the scenario's natural end. */
  readonly until?: Ticks;
  /** Stop (outcome `step-budget`) after this many events. */
  readonly maxSteps: number;
  /** Stop (outcome `time-budget`) before the first event due after this tick; a safety bound on virtual time. */
  readonly maxTicks: Ticks;
}

export type LoopOutcomeKind = 'drained' | 'until' | 'step-budget' | 'time-budget';

export interface LoopOutcome {
  readonly kind: LoopOutcomeKind;
  /** Events handled. */
  readonly steps: number;
  /** The virtual time when the loop stopped. */
  readonly now: Ticks;
}

/**
 * Pops events in queue order, advances the clock to each one's due tick and hands it to `handle`, until the
 * queue is empty or a budget runs out. With `until`, the clock ends at `until` even if the queue drains earlier,
 * so a run always covers the same span of virtual time.
 */
export function runLoop<E>(
  queue: EventQueue<E>,
  clock: VirtualClock,
  handle: (scheduled: Scheduled<E>) => void,
  budget: RunBudget,
): LoopOutcome {
  let steps = 0;
  for (;;) {
    const next = queue.peek();
    if (next === undefined) {
      if (budget.until !== undefined && budget.until > clock.now()) clock.advanceTo(budget.until);
      return { kind: budget.until === undefined ? 'drained' : 'until', steps, now: clock.now() };
    }
    if (budget.until !== undefined && next.due > budget.until) {
      clock.advanceTo(budget.until);
      return { kind: 'until', steps, now: clock.now() };
    }
    if (next.due > budget.maxTicks) return { kind: 'time-budget', steps, now: clock.now() };
    if (steps >= budget.maxSteps) return { kind: 'step-budget', steps, now: clock.now() };
    queue.pop();
    clock.advanceTo(next.due);
    handle(next);
    steps++;
  }
}
