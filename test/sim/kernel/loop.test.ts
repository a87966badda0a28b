import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../sim/kernel/clock.js';
import { runLoop } from '../../../sim/kernel/loop.js';
import { EventQueue } from '../../../sim/kernel/queue.js';
import { ticks } from '../../../sim/kernel/time.js';

const forever = ticks(Number.MAX_SAFE_INTEGER);

describe('runLoop', () => {
  it('drains the queue in order and advances the clock to each event', () => {
    const queue = new EventQueue<string>();
    const clock = new VirtualClock();
    queue.push(ticks(20), 'b');
    queue.push(ticks(10), 'a');
    const seen: string[] = [];
    const outcome = runLoop(queue, clock, ({ due, event }) => seen.push(`${event}@${due}/${clock.now()}`), {
      maxSteps: 100,
      maxTicks: forever,
    });
    expect(seen).toEqual(['a@10/10', 'b@20/20']);
    expect(outcome).toEqual({ kind: 'drained', steps: 2, now: 20 });
  });

  it('stops at `until` and ends the clock there even when the queue drains early', () => {
    const queue = new EventQueue<number>();
    const clock = new VirtualClock();
    queue.push(ticks(5), 1);
    queue.push(ticks(50), 2);
    expect(runLoop(queue, clock, () => {}, { until: ticks(30), maxSteps: 100, maxTicks: forever })).toEqual({
      kind: 'until',
      steps: 1,
      now: 30,
    });
    expect(queue.size).toBe(1);
    const empty = new EventQueue<number>();
    expect(
      runLoop(empty, new VirtualClock(), () => {}, { until: ticks(30), maxSteps: 1, maxTicks: forever }),
    ).toEqual({
      kind: 'until',
      steps: 0,
      now: 30,
    });
  });

  it('a self-rescheduling event runs out of the step budget instead of hanging', () => {
    const queue = new EventQueue<null>();
    const clock = new VirtualClock();
    queue.push(ticks(0), null);
    const outcome = runLoop(queue, clock, ({ due }) => queue.push(ticks(due + 1), null), {
      maxSteps: 1000,
      maxTicks: forever,
    });
    expect(outcome.kind).toBe('step-budget');
    expect(outcome.steps).toBe(1000);
  });

  it('stops before an event beyond the time budget', () => {
    const queue = new EventQueue<null>();
    const clock = new VirtualClock();
    queue.push(ticks(0), null);
    const outcome = runLoop(queue, clock, ({ due }) => queue.push(ticks(due + 7), null), {
      maxSteps: 1_000_000,
      maxTicks: ticks(100),
    });
    expect(outcome).toEqual({ kind: 'time-budget', steps: 15, now: 98 });
  });

  it('the clock refuses to move backwards', () => {
    const clock = new VirtualClock(ticks(10));
    expect(() => clock.advanceTo(ticks(9))).toThrow(/backwards/);
  });
});
