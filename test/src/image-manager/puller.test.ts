import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TrackedAuthConfig } from '../../../src/credentials/index.js';
import type { PullImageJobResult } from '../../../src/image-manager/image-manager.js';
import { ImagePuller, type PullAttemptResult, type PullerJob } from '../../../src/image-manager/puller.js';
import { type Ticks, ticks } from '../../../src/time.js';

/*
 * The image puller (pkg/kubelet/images/puller.go) and kuberuntime's credential loop (kuberuntime_image.go
 * PullImage): at most `limit` jobs at the runtime, FIFO otherwise; credentials tried in order until one works,
 * once anonymously when there are none; the errors of every attempt in the failure.
 */

const cred = (username: string): TrackedAuthConfig => ({
  username,
  password: `${username}-pw`,
  credentialHash: '',
  registryKey: 'r.io',
});

/** A puller whose runtime is driven by hand: the test answers each attempt. */
function harness(limit: number) {
  let now = ticks(0);
  const attempts: { job: number; credential: string; start: Ticks }[] = [];
  const started: number[] = [];
  const finished: { job: number; result: PullImageJobResult }[] = [];
  const puller = new ImagePuller<string>(limit, {
    now: () => now,
    beginAttempt: (job, credential, start) =>
      attempts.push({ job: job.id, credential: credential?.username ?? 'anonymous', start }),
    onPullStarted: (job) => started.push(job.id),
    onPullFinished: (job, result) => finished.push({ job: job.id, result }),
  });
  let nextId = 1;
  const submit = (credentials: TrackedAuthConfig[], submittedAt: Ticks = now): PullerJob<string> => {
    const job: PullerJob<string> = {
      id: nextId++,
      request: { pod: { kind: 'Pod', namespace: 'ns', name: 'p', uid: 'u' }, image: 'r.io/a:1', credentials },
      owner: 'owner',
      submittedAt,
      startedAt: now,
      attempt: 0,
      errors: [],
    };
    puller.submit(job);
    return job;
  };
  return {
    puller,
    submit,
    attempts,
    started,
    finished,
    advance: (to: number) => {
      now = ticks(to);
    },
  };
}

const ok: PullAttemptResult = { ok: true, imageRef: 'sha256:aa', sizeBytes: 10 };
const denied = (n: number): PullAttemptResult => ({ ok: false, error: `denied ${n}` });

describe('ImagePuller', () => {
  it('a serial puller (limit 1) sends one job at a time, in submission order', () => {
    const h = harness(1);
    h.submit([]);
    h.submit([]);
    h.submit([]);
    expect(h.started).toEqual([1]);
    expect(h.puller.queuedCount).toBe(2);
    h.puller.attemptDone(1, ok);
    expect(h.started).toEqual([1, 2]);
    h.puller.attemptDone(2, ok);
    h.puller.attemptDone(3, ok);
    expect(h.finished.map((f) => f.job)).toEqual([1, 2, 3]);
    expect(h.puller.activeCount).toBe(0);
  });

  it('a parallel puller keeps at most `limit` jobs at the runtime', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 12 }), (limit, jobs) => {
        const h = harness(limit);
        for (let i = 0; i < jobs; i++) h.submit([]);
        expect(h.puller.activeCount).toBe(Math.min(limit, jobs));
        for (let id = 1; id <= jobs; id++) {
          h.puller.attemptDone(id, ok);
          expect(h.puller.activeCount).toBeLessThanOrEqual(limit);
        }
        expect(h.finished).toHaveLength(jobs);
      }),
    );
  });

  it('tries credentials in order until one succeeds; the success names the credential that worked', () => {
    const h = harness(1);
    h.submit([cred('a'), cred('b'), cred('c')]);
    h.puller.attemptDone(1, denied(1));
    h.puller.attemptDone(1, ok);
    expect(h.attempts.map((a) => a.credential)).toEqual(['a', 'b']);
    expect(h.finished[0]?.result).toMatchObject({
      ok: true,
      imageRef: 'sha256:aa',
      credentialsUsed: cred('b'),
    });
  });

  it('without credentials the pull is tried once anonymously', () => {
    const h = harness(1);
    h.submit([]);
    h.puller.attemptDone(1, denied(1));
    expect(h.attempts.map((a) => a.credential)).toEqual(['anonymous']);
    expect(h.finished[0]?.result).toEqual({ ok: false, error: 'denied 1' });
  });

  it('when every credential fails, the error aggregates every attempt', () => {
    const h = harness(1);
    h.submit([cred('a'), cred('b')]);
    h.puller.attemptDone(1, denied(1));
    h.puller.attemptDone(1, denied(2));
    const result = h.finished[0]?.result;
    expect(result?.ok).toBe(false);
    expect(result?.ok === false && result.error).toContain('denied 1');
    expect(result?.ok === false && result.error).toContain('denied 2');
  });

  it('a job starts no earlier than it was submitted; pullTicks counts runtime time, not queue time', () => {
    const h = harness(1);
    h.submit([], ticks(50)); // the sync's file I/O took until t=50
    expect(h.attempts[0]?.start).toBe(50);
    h.submit([]);
    h.advance(200);
    h.puller.attemptDone(1, ok);
    expect(h.finished[0]?.result).toMatchObject({ ok: true, pullTicks: 150 });
    expect(h.attempts[1]?.start).toBe(200);
  });

  it('after stop, queued jobs never start and answers start nothing new', () => {
    const h = harness(1);
    h.submit([]);
    h.submit([]);
    h.puller.stop();
    expect(h.puller.queuedCount).toBe(0);
    h.puller.attemptDone(1, ok);
    expect(h.started).toEqual([1]);
  });

  it('an answer for a job it does not hold is ignored', () => {
    const h = harness(1);
    h.puller.attemptDone(42, ok);
    expect(h.finished).toEqual([]);
  });
});
