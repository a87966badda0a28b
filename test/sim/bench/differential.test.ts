/**
 * The acceptance test: "the differential check passes for the decision-identical strategies (on the small
 * workload, inside `npm test`)". Every strategy whose decisions are meant to be the kubelet's gives, on the `small`
 * preset as shipped, the same digest of EnsureImageExists outcomes as the kubelet's own stack (`fs+lru`) in both
 * modes the benchmark runs by default; zero I/O latency (device `none`), so timing cannot make them differ. A
 * strategy that decides differently by design makes the digest differ, so the check can fail.
 */
import { describe, expect, it } from 'vitest';
import { runWorkload } from '../../../sim/bench/run.js';
import { DECISION_IDENTICAL, DEFAULT_BENCH_MODES } from '../../../sim/bench/suite.js';
import { WORKLOAD_PRESETS } from '../../../sim/bench/workload.js';
import type { Mode } from '../../../sim/scenario/types.js';
import { RECORD_STORE_STRATEGIES } from '../../../src/strategies/index.js';

const small = WORKLOAD_PRESETS.small;

/** The strategies the issue names as deciding exactly as the kubelet (fs+lru itself is the baseline). */
const IDENTICAL = ['fs', 'fs+lru:4096/16384', 'journal', 'journal:volatile-intents'] as const;

const digestOf = (strategy: string, mode: Mode) =>
  runWorkload(small, { strategy, mode, device: 'none' }).decisionsDigest;

describe('the differential check on the small workload', () => {
  it('covers what the issue asks: the small preset with two kubelet restarts, both default modes', () => {
    expect(new Set(DECISION_IDENTICAL)).toEqual(new Set(['fs+lru', ...IDENTICAL]));
    expect(DEFAULT_BENCH_MODES).toEqual(['NeverVerifyPreloadedImages', 'AlwaysVerify']);
    // The negative control below relies on restarts: a store that forgets records only differs after one.
    expect(small.kubeletRestarts).toBe(2);
    expect(RECORD_STORE_STRATEGIES.find((s) => s.syntax === 'memory')?.decisions).toBe('different');
  });

  describe.each(DEFAULT_BENCH_MODES)('%s', (mode) => {
    // One baseline per mode, shared by the cases below (each small run takes a second or two).
    let baseline: string | undefined;
    const fsLru = () => {
      baseline ??= digestOf('fs+lru', mode);
      return baseline;
    };

    it.each(IDENTICAL)('%s decides exactly as fs+lru', (strategy) => {
      expect(digestOf(strategy, mode)).toBe(fsLru());
    });

    it('memory does not: after a kubelet restart it has forgotten every pull (negative control)', () => {
      // NeverVerifyPreloadedImages: images pulled before the restart look preloaded and are reused without
      // credentials. AlwaysVerify: a pod whose credentials match a record reuses the image under fs+lru but must
      // be verified again under memory, whose records are gone.
      const memory = digestOf('memory', mode);
      expect(memory).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(memory).not.toBe(fsLru());
    });
  });
});
