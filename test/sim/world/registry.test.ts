import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../sim/kernel/random.js';
import { type Ticks, ticks } from '../../../sim/kernel/time.js';
import {
  DEFAULT_LATENCY_MAX_TICKS,
  DEFAULT_LATENCY_MIN_TICKS,
  isDigest,
  MANIFEST_SIZE_BYTES,
  type PullAnswer,
  type RegistryConfig,
  SimRegistry,
  sizeBytesFromDigest,
} from '../../../sim/world/registry.js';
import { TICKS_PER_HOUR, TICKS_PER_MINUTE, TICKS_PER_SECOND } from '../../../src/time.js';

const HOST = 'private.example.com';
const digest = (label: string): string => `sha256:${createHash('sha256').update(label).digest('hex')}`;
const V1 = digest('team-a/app:v1');
const V2 = digest('team-a/app:v2');
const NGINX = digest('nginx:1.27');
const MIB = 1_048_576;
const t = (value: number): Ticks => ticks(value);

const teamA = { username: 'team-a', password: 's3cret-a' };
const teamB = { username: 'team-b', password: 's3cret-b' };

function baseConfig(overrides: Partial<RegistryConfig> = {}): RegistryConfig {
  return {
    host: HOST,
    users: [teamA, teamB],
    repositories: [
      {
        name: 'team-a/app',
        public: false,
        pullers: ['team-a'],
        tags: { v1: { digest: V1, sizeBytes: 50 * MIB }, v2: { digest: V2, sizeBytes: 60 * MIB } },
      },
      {
        name: 'library/nginx',
        public: true,
        pullers: [],
        tags: { '1.27': { digest: NGINX, sizeBytes: 70 * MIB } },
      },
    ],
    ...overrides,
  };
}

function registry(
  overrides: Partial<RegistryConfig> = {},
  options: { seed?: number; tokenValidator?: (username: string, password: string) => boolean } = {},
): SimRegistry {
  const { seed = 1, tokenValidator } = options;
  return new SimRegistry(baseConfig(overrides), {
    latencyStream: new SeededRandom(seed).stream(`registry-latency/${HOST}`),
    ...(tokenValidator === undefined ? {} : { tokenValidator }),
  });
}

const now = t(1_000);

function statusOf(answer: PullAnswer): string {
  return answer.status;
}

describe('SimRegistry answers', () => {
  it('200: a puller with the right password gets the digest, the size and the whole image', () => {
    const r = registry();
    const answer = r.pull('team-a/app', 'v1', teamA, now);
    expect(answer).toMatchObject({
      status: 'ok',
      digest: V1,
      sizeBytes: 50 * MIB,
      bytes: MANIFEST_SIZE_BYTES + 50 * MIB,
    });
    expect(r.counters).toEqual({
      requests: 1,
      pulls: 1,
      authFailures: 0,
      unavailable: 0,
      rateLimited: 0,
      notFound: 0,
      bytes: MANIFEST_SIZE_BYTES + 50 * MIB,
    });
  });

  it('a node that already has the digest transfers only the manifest', () => {
    const r = registry();
    const answer = r.pull('team-a/app', 'v1', teamA, now, { nodeHasDigest: true });
    expect(answer).toMatchObject({ status: 'ok', digest: V1, bytes: MANIFEST_SIZE_BYTES });
    expect(r.counters.bytes).toBe(MANIFEST_SIZE_BYTES);
  });

  it('pulls by digest, and an untagged manifest stays pullable by digest after its tag moved', () => {
    const r = registry();
    expect(r.pull('team-a/app', V2, teamA, now)).toMatchObject({ status: 'ok', digest: V2 });
    r.retag('team-a/app', 'v1', V2);
    expect(r.pull('team-a/app', 'v1', teamA, now)).toMatchObject({ status: 'ok', digest: V2 });
    expect(r.pull('team-a/app', V1, teamA, now)).toMatchObject({
      status: 'ok',
      digest: V1,
      sizeBytes: 50 * MIB,
    });
  });

  it('a public repository admits anonymous pulls and any valid account', () => {
    const r = registry();
    expect(r.pull('library/nginx', '1.27', undefined, now)).toMatchObject({ status: 'ok', digest: NGINX });
    expect(r.pull('library/nginx', '1.27', teamB, now)).toMatchObject({ status: 'ok', digest: NGINX });
  });

  it('a credential with empty username and password is anonymous', () => {
    const r = registry();
    const empty = { username: '', password: '' };
    expect(r.pull('library/nginx', '1.27', empty, now).status).toBe('ok');
    expect(r.pull('team-a/app', 'v1', empty, now)).toMatchObject({
      status: 'unauthorized',
      message: expect.stringContaining('pull access denied'),
    });
  });

  it('401: a wrong password or an unknown user, even for a public repository', () => {
    const r = registry();
    const wrong = { username: 'team-a', password: 'nope' };
    const stranger = { username: 'mallory', password: 'x' };
    const badCredentials = (repository: string): string =>
      'failed to authorize: failed to fetch oauth token: unexpected status from GET request to ' +
      `https://${HOST}/token?scope=repository%3A${encodeURIComponent(repository)}%3Apull&service=${HOST}: ` +
      '401 Unauthorized';
    expect(r.pull('team-a/app', 'v1', wrong, now)).toMatchObject({
      status: 'unauthorized',
      message: badCredentials('team-a/app'),
    });
    expect(r.pull('team-a/app', 'v1', stranger, now)).toMatchObject({
      status: 'unauthorized',
      message: badCredentials('team-a/app'),
    });
    expect(r.pull('library/nginx', '1.27', wrong, now)).toMatchObject({
      status: 'unauthorized',
      message: `failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://${HOST}/token?scope=repository%3Alibrary%2Fnginx%3Apull&service=${HOST}: 401 Unauthorized`,
    });
    expect(r.counters).toMatchObject({ requests: 3, pulls: 0, authFailures: 3, notFound: 0 });
  });

  it('401: an anonymous pull of a private repository', () => {
    const r = registry();
    expect(r.pull('team-a/app', 'v1', undefined, now)).toMatchObject({
      status: 'unauthorized',
      message:
        'pull access denied, repository does not exist or may require authorization: server message: ' +
        'insufficient_scope: authorization failed',
    });
    expect(r.counters.authFailures).toBe(1);
  });

  it('403: a valid account that is not a puller of the private repository', () => {
    const r = registry();
    expect(r.pull('team-a/app', 'v1', teamB, now)).toMatchObject({
      status: 'forbidden',
      message: `unexpected status from HEAD request to https://${HOST}/v2/team-a/app/manifests/v1: 403 Forbidden`,
    });
    expect(r.counters).toMatchObject({ requests: 1, authFailures: 1 });
  });

  it('an unknown repository: 401 when anonymous (existence is not revealed), 404 when authenticated', () => {
    const r = registry();
    expect(r.pull('team-c/secret', 'v1', undefined, now)).toMatchObject({
      status: 'unauthorized',
      message: expect.stringContaining('repository does not exist or may require authorization'),
    });
    expect(r.pull('team-c/secret', 'v1', teamA, now)).toMatchObject({
      status: 'notFound',
      message: `${HOST}/team-c/secret:v1: not found`,
    });
    expect(r.counters).toMatchObject({ requests: 2, authFailures: 1, notFound: 1 });
  });

  it('404: an unknown tag or digest in a repository the caller may pull', () => {
    const r = registry();
    expect(r.pull('team-a/app', 'v9', teamA, now)).toMatchObject({
      status: 'notFound',
      message: `${HOST}/team-a/app:v9: not found`,
    });
    const missing = digest('missing');
    expect(r.pull('team-a/app', missing, teamA, now)).toMatchObject({
      status: 'notFound',
      message: `${HOST}/team-a/app@${missing}: not found`,
    });
    // A digest that exists in another repository is not in this one.
    expect(r.pull('library/nginx', V1, undefined, now).status).toBe('notFound');
    expect(r.counters).toMatchObject({ requests: 3, notFound: 3, pulls: 0 });
  });

  it('unavailable during an outage, for everyone; pulls work again after it', () => {
    const r = registry();
    r.down();
    expect(r.isDown).toBe(true);
    expect(r.pull('team-a/app', 'v1', teamA, now)).toMatchObject({
      status: 'unavailable',
      message: `dial tcp: lookup ${HOST}: connection refused`,
    });
    expect(r.pull('nope/nope', 'v1', undefined, now).status).toBe('unavailable');
    expect(r.counters).toMatchObject({ requests: 2, unavailable: 2, authFailures: 0, notFound: 0 });
    r.up();
    expect(r.isDown).toBe(false);
    expect(r.pull('team-a/app', 'v1', teamA, now).status).toBe('ok');
  });
});

describe('SimRegistry rate limits (token buckets in virtual time)', () => {
  const perUser = { capacity: 2, refillPerHour: 60 }; // one token a minute

  it('429 once the user bucket is empty; one token comes back per minute, continuously', () => {
    const r = registry({ rateLimit: { perUser } });
    const start = t(10 * TICKS_PER_HOUR);
    expect(r.pull('team-a/app', 'v1', teamA, start).status).toBe('ok');
    expect(r.pull('team-a/app', 'v1', teamA, start).status).toBe('ok');
    const limited = r.pull('team-a/app', 'v1', teamA, start);
    expect(limited).toMatchObject({
      status: 'rateLimited',
      message:
        `unexpected status from HEAD request to https://${HOST}/v2/team-a/app/manifests/v1: 429 Too Many Requests - ` +
        'Server message: toomanyrequests: You have reached your pull rate limit.',
    });
    // Half a minute refills half a token: still limited. A rate-limited request takes no token.
    expect(r.pull('team-a/app', 'v1', teamA, t(start + 30 * TICKS_PER_SECOND)).status).toBe('rateLimited');
    expect(r.pull('team-a/app', 'v1', teamA, t(start + TICKS_PER_MINUTE - 1)).status).toBe('rateLimited');
    expect(r.pull('team-a/app', 'v1', teamA, t(start + TICKS_PER_MINUTE)).status).toBe('ok');
    expect(r.pull('team-a/app', 'v1', teamA, t(start + TICKS_PER_MINUTE)).status).toBe('rateLimited');
    expect(r.counters).toMatchObject({ requests: 7, pulls: 3, rateLimited: 4 });
  });

  it('a long pause refills the bucket only up to its capacity', () => {
    const r = registry({ rateLimit: { perUser } });
    r.pull('team-a/app', 'v1', teamA, t(0));
    r.pull('team-a/app', 'v1', teamA, t(0));
    const later = t(1_800_000 * TICKS_PER_HOUR); // about 205 years of virtual time
    const statuses = [1, 2, 3].map(() => statusOf(r.pull('team-a/app', 'v1', teamA, later)));
    expect(statuses).toEqual(['ok', 'ok', 'rateLimited']);
  });

  it('buckets are per user; anonymous pulls share one bucket', () => {
    const r = registry({
      rateLimit: { perUser: { capacity: 1, refillPerHour: 0 }, anonymous: { capacity: 1, refillPerHour: 0 } },
    });
    expect(r.pull('library/nginx', '1.27', teamA, now).status).toBe('ok');
    expect(r.pull('library/nginx', '1.27', teamA, now).status).toBe('rateLimited');
    expect(r.pull('library/nginx', '1.27', teamB, now).status).toBe('ok');
    expect(r.pull('library/nginx', '1.27', undefined, now).status).toBe('ok');
    expect(r.pull('library/nginx', '1.27', undefined, now).status).toBe('rateLimited');
    // With no refill, nothing ever comes back.
    expect(r.pull('library/nginx', '1.27', undefined, t(now + 100 * TICKS_PER_HOUR)).status).toBe(
      'rateLimited',
    );
  });

  it('refused requests (401/403) take no token; a request that reaches the manifest does, even a 404', () => {
    const r = registry({
      rateLimit: { perUser: { capacity: 1, refillPerHour: 0 }, anonymous: { capacity: 1, refillPerHour: 0 } },
    });
    expect(r.pull('team-a/app', 'v1', undefined, now).status).toBe('unauthorized');
    expect(r.pull('team-a/app', 'v1', teamB, now).status).toBe('forbidden');
    expect(r.pull('team-a/app', 'v1', teamB, now).status).toBe('forbidden');
    expect(r.pull('library/nginx', '1.27', teamB, now).status).toBe('ok');
    expect(r.pull('team-a/app', 'v9', teamA, now).status).toBe('notFound');
    expect(r.pull('team-a/app', 'v1', teamA, now).status).toBe('rateLimited');
  });

  it('without a rate limit configuration nothing is ever limited', () => {
    const r = registry({ rateLimit: {} });
    for (let i = 0; i < 50; i++) expect(r.pull('library/nginx', '1.27', undefined, now).status).toBe('ok');
    for (let i = 0; i < 50; i++) expect(r.pull('team-a/app', 'v1', teamA, now).status).toBe('ok');
  });

  it('a fractional refill rate (Docker Hub: 100 per 6 hours) refills continuously', () => {
    const r = registry({ rateLimit: { anonymous: { capacity: 1, refillPerHour: 100 / 6 } } });
    expect(r.pull('library/nginx', '1.27', undefined, t(0)).status).toBe('ok');
    expect(r.pull('library/nginx', '1.27', undefined, t(3 * TICKS_PER_MINUTE)).status).toBe('rateLimited');
    expect(
      r.pull('library/nginx', '1.27', undefined, t(3 * TICKS_PER_MINUTE + 36 * TICKS_PER_SECOND)).status,
    ).toBe('ok');
  });

  it('a request earlier than the last one (never in a run) refills nothing', () => {
    const r = registry({ rateLimit: { perUser: { capacity: 1, refillPerHour: 60 } } });
    expect(r.pull('team-a/app', 'v1', teamA, t(TICKS_PER_HOUR)).status).toBe('ok');
    expect(r.pull('team-a/app', 'v1', teamA, t(0)).status).toBe('rateLimited');
    expect(r.pull('team-a/app', 'v1', teamA, t(TICKS_PER_HOUR + TICKS_PER_MINUTE)).status).toBe('ok');
  });
});

describe('SimRegistry latency', () => {
  it('each request draws uniformly from the default bounds; a transfer adds its time at 100 MB/s', () => {
    const r = registry();
    for (let i = 0; i < 20; i++) {
      const answer = r.pull('team-a/app', 'v9', teamA, now);
      expect(answer.latency).toBeGreaterThanOrEqual(DEFAULT_LATENCY_MIN_TICKS);
      expect(answer.latency).toBeLessThanOrEqual(DEFAULT_LATENCY_MAX_TICKS);
    }
    const ok = r.pull('team-a/app', 'v1', teamA, now);
    // 50 MiB + 2 KiB at 100 MB/s: 524.30656 ms, rounded up to whole microseconds.
    const transferTicks = Math.ceil(((50 * MIB + MANIFEST_SIZE_BYTES) * TICKS_PER_SECOND) / 100_000_000);
    expect(ok.latency).toBeGreaterThanOrEqual(DEFAULT_LATENCY_MIN_TICKS + transferTicks);
    expect(ok.latency).toBeLessThanOrEqual(DEFAULT_LATENCY_MAX_TICKS + transferTicks);
  });

  it('transfer time is exact and rounded up to a whole tick', () => {
    const r = registry({ latency: { minTicks: t(7), maxTicks: t(7) }, bandwidthBytesPerSecond: 3 });
    // 2048 bytes at 3 B/s = 682.666… s → 682_666_667 µs.
    expect(r.pull('team-a/app', 'v1', teamA, now, { nodeHasDigest: true }).latency).toBe(7 + 682_666_667);
    const big = registry({ latency: { minTicks: t(0), maxTicks: t(0) }, bandwidthBytesPerSecond: 1_000_000 });
    expect(big.pull('team-a/app', 'v1', teamA, now).latency).toBe(50 * MIB + MANIFEST_SIZE_BYTES);
  });

  it('the same seed gives the same latencies; every request draws once, whatever it answers', () => {
    const sequence = (seed: number): number[] => {
      const r = registry({}, { seed });
      const out: number[] = [];
      for (let i = 0; i < 10; i++) {
        if (i === 3) r.down();
        if (i === 5) r.up();
        out.push(r.pull('team-a/app', i % 2 === 0 ? 'v1' : 'v9', i % 3 === 0 ? teamB : teamA, now).latency);
      }
      return out;
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (seed) => {
        expect(sequence(seed)).toEqual(sequence(seed));
      }),
      { numRuns: 50 },
    );
    expect(sequence(1)).not.toEqual(sequence(2));
  });
});

describe('SimRegistry.wouldAuthorize (ground truth for the oracle)', () => {
  it('mirrors authentication and authorization, and ignores outages, rate limits and tags', () => {
    const r = registry({ rateLimit: { perUser: { capacity: 0, refillPerHour: 0 } } });
    r.down();
    expect(r.wouldAuthorize('team-a/app', teamA)).toBe(true);
    expect(r.wouldAuthorize('team-a/app', teamB)).toBe(false);
    expect(r.wouldAuthorize('team-a/app', undefined)).toBe(false);
    expect(r.wouldAuthorize('team-a/app', { username: 'team-a', password: 'wrong' })).toBe(false);
    expect(r.wouldAuthorize('library/nginx', undefined)).toBe(true);
    expect(r.wouldAuthorize('library/nginx', teamB)).toBe(true);
    expect(r.wouldAuthorize('library/nginx', { username: 'team-b', password: 'wrong' })).toBe(false);
    expect(r.wouldAuthorize('team-c/secret', teamA)).toBe(false);
    expect(r.wouldAuthorize('team-c/secret', undefined)).toBe(false);
  });

  it('never touches counters, buckets or the latency stream', () => {
    const stream = new SeededRandom(9).stream('registry-latency');
    const r = new SimRegistry(baseConfig({ rateLimit: { perUser: { capacity: 1, refillPerHour: 0 } } }), {
      latencyStream: stream,
    });
    const before = stream.state();
    for (let i = 0; i < 10; i++) r.wouldAuthorize('team-a/app', teamA);
    expect(stream.state()).toEqual(before);
    expect(r.counters).toEqual({
      requests: 0,
      pulls: 0,
      authFailures: 0,
      unavailable: 0,
      rateLimited: 0,
      notFound: 0,
      bytes: 0,
    });
    expect(r.pull('team-a/app', 'v1', teamA, now).status).toBe('ok');
  });

  it('follows revocations, grants and password changes at once', () => {
    const r = registry();
    r.revokePuller('team-a/app', 'team-a');
    expect(r.wouldAuthorize('team-a/app', teamA)).toBe(false);
    r.grantPuller('team-a/app', 'team-a');
    expect(r.wouldAuthorize('team-a/app', teamA)).toBe(true);
    r.changePassword('team-a', 'rotated');
    expect(r.wouldAuthorize('team-a/app', teamA)).toBe(false);
    expect(r.wouldAuthorize('team-a/app', { username: 'team-a', password: 'rotated' })).toBe(true);
  });
});

describe('SimRegistry service-account tokens (KEP-4412)', () => {
  const sa = 'system:serviceaccount:team-a:puller';
  const validator = (username: string, password: string): boolean =>
    username === sa && password === 'token-1';
  const config: Partial<RegistryConfig> = {
    repositories: [
      { name: 'team-a/app', public: false, pullers: [sa], tags: { v1: { digest: V1, sizeBytes: 1 } } },
    ],
  };

  it('checks service-account usernames with the token validator; pullers name them like any user', () => {
    const r = registry(config, { tokenValidator: validator });
    expect(r.pull('team-a/app', 'v1', { username: sa, password: 'token-1' }, now).status).toBe('ok');
    expect(r.pull('team-a/app', 'v1', { username: sa, password: 'token-2' }, now).status).toBe(
      'unauthorized',
    );
    const other = 'system:serviceaccount:team-b:default';
    const permissive = registry(config, { tokenValidator: () => true });
    expect(permissive.pull('team-a/app', 'v1', { username: other, password: 't' }, now).status).toBe(
      'forbidden',
    );
    expect(r.wouldAuthorize('team-a/app', { username: sa, password: 'token-1' })).toBe(true);
  });

  it('without a validator, a service-account username is checked against the user list', () => {
    const r = registry({ ...config, users: [{ username: sa, password: 'static' }] });
    expect(r.pull('team-a/app', 'v1', { username: sa, password: 'static' }, now).status).toBe('ok');
    expect(r.pull('team-a/app', 'v1', { username: sa, password: 'token-1' }, now).status).toBe(
      'unauthorized',
    );
  });

  it('ordinary usernames never reach the validator', () => {
    const seen: string[] = [];
    const r = registry(
      {},
      {
        tokenValidator: (username) => {
          seen.push(username);
          return true;
        },
      },
    );
    expect(r.pull('team-a/app', 'v1', teamA, now).status).toBe('ok');
    expect(r.pull('team-a/app', 'v1', { username: 'team-a', password: 'x' }, now).status).toBe(
      'unauthorized',
    );
    expect(seen).toEqual([]);
  });
});

describe('SimRegistry mutations and state', () => {
  it('revokePuller turns 200 into 403; grantPuller turns it back; both are idempotent', () => {
    const r = registry();
    r.revokePuller('team-a/app', 'team-a');
    r.revokePuller('team-a/app', 'team-a');
    expect(r.pull('team-a/app', 'v1', teamA, now).status).toBe('forbidden');
    r.grantPuller('team-a/app', 'team-b');
    r.grantPuller('team-a/app', 'team-b');
    r.grantPuller('team-a/app', 'team-a');
    expect(r.pull('team-a/app', 'v1', teamA, now).status).toBe('ok');
    expect(r.pull('team-a/app', 'v1', teamB, now).status).toBe('ok');
    expect(r.state.repositories.find((repo) => repo.name === 'team-a/app')?.pullers).toEqual([
      'team-a',
      'team-b',
    ]);
  });

  it('changePassword: the old password gets 401 at once, the new one works', () => {
    const r = registry();
    r.changePassword('team-a', 'n3w');
    expect(r.pull('team-a/app', 'v1', teamA, now).status).toBe('unauthorized');
    expect(r.pull('team-a/app', 'v1', { username: 'team-a', password: 'n3w' }, now).status).toBe('ok');
  });

  it('retag moves a tag; its size defaults to what the registry knows of the digest, else one derived from it', () => {
    const r = registry();
    r.retag('team-a/app', 'latest', V2);
    expect(r.resolveTag('team-a/app', 'latest')).toEqual({ digest: V2, sizeBytes: 60 * MIB });
    r.retag('library/nginx', 'copy', V1);
    expect(r.resolveTag('library/nginx', 'copy')).toEqual({ digest: V1, sizeBytes: 50 * MIB });
    const fresh = digest('fresh');
    r.retag('team-a/app', 'v1', fresh);
    expect(r.resolveTag('team-a/app', 'v1')).toEqual({
      digest: fresh,
      sizeBytes: sizeBytesFromDigest(fresh),
    });
    r.retag('team-a/app', 'v1', fresh, 123);
    expect(r.resolve('team-a/app', 'v1')).toEqual({ digest: fresh, sizeBytes: 123 });
    expect(r.resolve('team-a/app', fresh)).toEqual({ digest: fresh, sizeBytes: 123 });
    expect(r.resolve('team-a/app', V1)).toEqual({ digest: V1, sizeBytes: 50 * MIB });
    expect(
      r.state.repositories.find((repo) => repo.name === 'team-a/app')?.tags.map((tag) => tag.tag),
    ).toEqual(['latest', 'v1', 'v2']);
  });

  it('queries have no side effects', () => {
    const r = registry();
    expect(r.isPublic('library/nginx')).toBe(true);
    expect(r.isPublic('team-a/app')).toBe(false);
    expect(r.isPublic('nope/nope')).toBe(false);
    expect(r.hasRepository('team-a/app')).toBe(true);
    expect(r.hasRepository('nope/nope')).toBe(false);
    expect(r.resolveTag('team-a/app', 'v1')).toEqual({ digest: V1, sizeBytes: 50 * MIB });
    expect(r.resolveTag('team-a/app', 'v9')).toBeUndefined();
    expect(r.resolveTag('nope/nope', 'v1')).toBeUndefined();
    expect(r.resolve('nope/nope', 'v1')).toBeUndefined();
    expect(r.counters.requests).toBe(0);
  });

  it('the state is immer-frozen, sorted, replaced by each mutation, and holds no password', () => {
    const r = registry({
      users: [teamB, teamA],
      repositories: [
        {
          name: 'z/z',
          public: true,
          pullers: ['b', 'a', 'a'],
          tags: { b: { digest: V1, sizeBytes: 1 }, a: { digest: V1, sizeBytes: 1 } },
        },
        { name: 'a/a', public: false, pullers: [], tags: {} },
      ],
    });
    const initial = r.state;
    expect(Object.isFrozen(initial)).toBe(true);
    expect(Object.isFrozen(initial.repositories[0]?.tags)).toBe(true);
    expect(initial.users.map((user) => user.username)).toEqual(['team-a', 'team-b']);
    expect(initial.repositories.map((repo) => repo.name)).toEqual(['a/a', 'z/z']);
    expect(initial.repositories[1]).toMatchObject({
      pullers: ['a', 'b'],
      manifests: [{ digest: V1, sizeBytes: 1 }],
    });
    expect(JSON.stringify(initial)).not.toContain('s3cret');
    r.down();
    expect(r.state).not.toBe(initial);
    expect(r.state.down).toBe(true);
    expect(initial.down).toBe(false);
    expect(r.state.repositories).toBe(initial.repositories); // structural sharing
    r.changePassword('team-a', 'another-s3cret');
    expect(JSON.stringify(r.state)).not.toContain('s3cret');
  });

  it('mutations of unknown repositories or users, and bad retags, are programmer errors', () => {
    const r = registry();
    expect(() => r.revokePuller('nope/nope', 'team-a')).toThrow(/revokePuller: no repository "nope\/nope"/);
    expect(() => r.grantPuller('nope/nope', 'team-a')).toThrow(RangeError);
    expect(() => r.retag('nope/nope', 'v1', V1)).toThrow(RangeError);
    expect(() => r.retag('team-a/app', 'v1', 'sha256:abc')).toThrow(/invalid digest/);
    expect(() => r.retag('team-a/app', '', V1)).toThrow(/empty tag/);
    expect(() => r.retag('team-a/app', 'v1', V1, -1)).toThrow(/invalid sizeBytes/);
    expect(() => r.changePassword('nobody', 'pw-never-shown')).toThrow(/changePassword: no user "nobody"/);
    try {
      r.changePassword('nobody', 'pw-never-shown');
    } catch (error) {
      expect(String(error)).not.toContain('pw-never-shown');
    }
  });

  it('an invalid configuration is rejected when the registry is built', () => {
    const bad: Partial<RegistryConfig>[] = [
      { host: '' },
      { users: [{ username: '', password: 'x' }] },
      { users: [teamA, teamA] },
      { repositories: [{ name: '', public: true, pullers: [], tags: {} }] },
      {
        repositories: [
          { name: 'a/a', public: true, pullers: [], tags: {} },
          { name: 'a/a', public: true, pullers: [], tags: {} },
        ],
      },
      {
        repositories: [
          { name: 'a/a', public: true, pullers: [], tags: { v1: { digest: 'sha256:xyz', sizeBytes: 1 } } },
        ],
      },
      {
        repositories: [
          { name: 'a/a', public: true, pullers: [], tags: { v1: { digest: V1, sizeBytes: -1 } } },
        ],
      },
      {
        repositories: [
          { name: 'a/a', public: true, pullers: [], tags: { 'a:b': { digest: V1, sizeBytes: 1 } } },
        ],
      },
      { rateLimit: { perUser: { capacity: 1.5, refillPerHour: 1 } } },
      { rateLimit: { anonymous: { capacity: 1, refillPerHour: -1 } } },
      { rateLimit: { anonymous: { capacity: 2_000_000, refillPerHour: 1 } } },
      { latency: { minTicks: t(10), maxTicks: t(5) } },
      { bandwidthBytesPerSecond: 0 },
    ];
    for (const overrides of bad)
      expect(() => registry(overrides), JSON.stringify(overrides)).toThrow(RangeError);
  });
});

describe('digest helpers', () => {
  it('isDigest accepts only sha256:<64 lower-case hex>', () => {
    expect(isDigest(V1)).toBe(true);
    expect(isDigest(V1.toUpperCase())).toBe(false);
    expect(isDigest(`sha512:${'a'.repeat(64)}`)).toBe(false);
    expect(isDigest(V1.slice(0, -1))).toBe(false);
  });

  it('sizeBytesFromDigest is stable and between 4 MiB and 100 MiB', () => {
    fc.assert(
      fc.property(fc.string(), (label) => {
        const size = sizeBytesFromDigest(digest(label));
        expect(size).toBe(sizeBytesFromDigest(digest(label)));
        expect(size).toBeGreaterThanOrEqual(4 * MIB);
        expect(size).toBeLessThan(100 * MIB);
      }),
    );
    expect(sizeBytesFromDigest('not-a-digest')).toBe(4 * MIB);
  });
});

/** Invariant: whatever the passwords, no registry answer and no registry error ever contains one. */
describe('no password in any registry message', () => {
  it('holds for random passwords over every kind of answer', () => {
    const password = fc.string({ minLength: 8, maxLength: 40, unit: 'grapheme' });
    fc.assert(
      fc.property(
        password,
        password,
        fc.constantFrom('right', 'wrong', 'other-user', 'anonymous'),
        fc.constantFrom('team-a/app', 'library/nginx', 'team-c/secret'),
        fc.constantFrom('v1', 'v9', V1),
        fc.constantFrom('up', 'down', 'limited'),
        (configured, attempted, who, repository, reference, condition) => {
          const r = registry({
            users: [
              { username: 'team-a', password: configured },
              { username: 'team-b', password: attempted },
            ],
            rateLimit: condition === 'limited' ? { perUser: { capacity: 0, refillPerHour: 0 } } : {},
          });
          if (condition === 'down') r.down();
          const auth =
            who === 'right'
              ? { username: 'team-a', password: configured }
              : who === 'wrong'
                ? { username: 'team-a', password: attempted }
                : who === 'other-user'
                  ? { username: 'team-b', password: attempted }
                  : undefined;
          const answer = r.pull(repository, reference, auth, now);
          const text = JSON.stringify(answer) + JSON.stringify(r.state);
          expect(text).not.toContain(configured);
          expect(text).not.toContain(attempted);
        },
      ),
      { numRuns: 300 },
    );
  });
});
