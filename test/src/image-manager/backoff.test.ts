import { describe, expect, it } from 'vitest';
import { Backoff, IMAGE_BACKOFF_INITIAL, IMAGE_BACKOFF_MAX } from '../../../src/image-manager/backoff.js';
import { ticks } from '../../../src/time.js';

/** client-go flowcontrol.Backoff without jitter, with the kubelet's image constants
 * (docs/kubelet-model.md#image-pull-back-off). */
const s = (seconds: number) => ticks(seconds * 1_000_000);

describe('Backoff (client-go flowcontrol.Backoff)', () => {
  it('the kubelet image back-off starts at 10 s and stops doubling at 300 s', () => {
    expect(IMAGE_BACKOFF_INITIAL).toBe(s(10));
    expect(IMAGE_BACKOFF_MAX).toBe(s(300));
    const backoff = new Backoff();
    expect(backoff.initial).toBe(s(10));
    expect(backoff.max).toBe(s(300));
  });

  it('an unknown key is not in back-off and has no delay', () => {
    const backoff = new Backoff();
    expect(backoff.isInBackOffSinceUpdate('k', s(0))).toBe(false);
    expect(backoff.delayOf('k')).toBeUndefined();
    expect(backoff.backOffUntil('k', s(0))).toBeUndefined();
  });

  it('in back-off iff (now − lastFailure) < delay', () => {
    const backoff = new Backoff();
    backoff.next('k', s(100));
    expect(backoff.isInBackOffSinceUpdate('k', ticks(s(110) - 1))).toBe(true);
    expect(backoff.isInBackOffSinceUpdate('k', s(110))).toBe(false);
    expect(backoff.backOffUntil('k', s(105))).toBe(s(110));
    expect(backoff.backOffUntil('k', s(110))).toBeUndefined();
  });

  it('each failure doubles the delay up to the maximum', () => {
    const backoff = new Backoff();
    const delays: number[] = [];
    let now = 0;
    for (let i = 0; i < 8; i++) {
      backoff.next('k', s(now));
      delays.push((backoff.delayOf('k') as number) / 1_000_000);
      now += 1;
    }
    expect(delays).toEqual([10, 20, 40, 80, 160, 300, 300, 300]);
  });

  it('an entry idle for more than twice the maximum starts over at the initial delay', () => {
    const backoff = new Backoff();
    backoff.next('k', s(0));
    backoff.next('k', s(1)); // 20 s
    expect(backoff.isInBackOffSinceUpdate('k', s(601))).toBe(false);
    expect(backoff.isInBackOffSinceUpdate('k', s(602))).toBe(false);
    backoff.next('k', ticks(s(601) + 1)); // more than 600 s after the last failure
    expect(backoff.delayOf('k')).toBe(s(10));
  });

  it('an expired entry is not in back-off even when its delay would say so', () => {
    const backoff = new Backoff(s(1000), s(100));
    backoff.next('k', s(0));
    expect(backoff.isInBackOffSinceUpdate('k', s(150))).toBe(true);
    expect(backoff.isInBackOffSinceUpdate('k', s(201))).toBe(false);
  });

  it('GC drops only entries idle for more than twice the maximum', () => {
    const backoff = new Backoff();
    backoff.next('old', s(0));
    backoff.next('new', s(500));
    backoff.gc(s(600));
    expect(backoff.size).toBe(2);
    backoff.gc(ticks(s(600) + 1));
    expect(backoff.size).toBe(1);
    expect(backoff.delayOf('old')).toBeUndefined();
    expect(backoff.delayOf('new')).toBe(s(10));
  });
});
