import type { Mode } from '../scenario/types.js';

/** Every strategy the benchmark knows, in report order (`default` is the profile's own stack, i.e. fs+lru in 1.35+). */
export const BENCH_STRATEGIES = [
  'fs',
  'fs+lru',
  'fs+lru:4096/16384',
  'memory',
  'ttl:1h',
  'revoke-on-delete',
  'journal',
  'journal:volatile-intents',
] as const;

/** Strategies meant to decide exactly as the kubelet does: the differential check compares them with `fs+lru`. */
export const DECISION_IDENTICAL = new Set([
  'fs',
  'fs+lru',
  'fs+lru:4096/16384',
  'journal',
  'journal:volatile-intents',
]);

export const DEFAULT_BENCH_MODES: readonly Mode[] = ['NeverVerifyPreloadedImages', 'AlwaysVerify'];

/** Record counts of the start-up experiment unless told otherwise. */
export const DEFAULT_STARTUP_RECORDS: readonly number[] = [1_000, 10_000, 100_000];
