/**
 * One measured run (sim/bench/run.ts) on a tiny workload: its counts agree with each other and with the workload's
 * own timeline, everything but the wall-clock figures is a function of the inputs, and the I/O of the extreme
 * strategies is what their design promises (the journal with volatile intents writes one line per pulled-record
 * change and reads nothing while deciding; memory touches no file).
 */
import { describe, expect, it, vi } from 'vitest';
import { type BenchRun, runWorkload } from '../../../sim/bench/run.js';
import { expandWorkload, type Workload } from '../../../sim/bench/workload.js';
import { SeededRandom } from '../../../sim/kernel/random.js';
import type { Mode } from '../../../sim/scenario/types.js';
import { TICKS_PER_HOUR, TICKS_PER_MINUTE, TICKS_PER_SECOND, ticks } from '../../../src/time.js';
import { tinyWorkload } from '../../support/bench-workloads.js';

// The real expansion, wrapped so that one test can hand runWorkload a world without a node.
vi.mock('../../../sim/bench/workload.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../sim/bench/workload.js')>();
  return { ...actual, expandWorkload: vi.fn(actual.expandWorkload) };
});

const tiny = tinyWorkload();

/** Pods the workload's timeline creates (each apply of a Pod names a new pod). */
function podAppliesOf(workload: Workload): number {
  const stream = expandWorkload(workload).stream();
  let applies = 0;
  for (let next = stream.next(); next.done !== true; next = stream.next())
    if ('apply' in next.value && next.value.apply.kind === 'Pod') applies++;
  return applies;
}

/** A run without the figures that come from this machine's clock and memory. */
function withoutWallClock(
  run: BenchRun,
): Omit<BenchRun, 'wallMs' | 'eventsPerWallSecond' | 'podStartsPerWallSecond' | 'peakRssMb'> {
  const { wallMs, eventsPerWallSecond, podStartsPerWallSecond, peakRssMb, ...rest } = run;
  for (const figure of [wallMs, eventsPerWallSecond, podStartsPerWallSecond, peakRssMb])
    expect(figure).toBeGreaterThanOrEqual(0);
  return rest;
}

const MODES: readonly Mode[] = ['NeverVerifyPreloadedImages', 'AlwaysVerify'];
const STRATEGIES = ['default', 'fs', 'fs+lru', 'memory', 'journal', 'journal:volatile-intents'] as const;

describe('runWorkload', () => {
  const podApplies = podAppliesOf(tiny);

  describe.each(MODES)('%s', (mode) => {
    it.each(STRATEGIES)('%s: the counts agree with each other and with the timeline', (strategy) => {
      const run = runWorkload(tiny, { strategy, mode });
      expect(run).toMatchObject({ workload: 'tiny', strategy, mode, device: tiny.device });
      expect(podApplies).toBeGreaterThan(0);
      expect(run.podStarts).toBe(podApplies);
      // One container per pod, started at most once each.
      expect(run.containersStarted).toBeGreaterThan(0);
      expect(run.containersStarted).toBeLessThanOrEqual(run.podStarts);
      // Decision, write and GC operations per start split the run-time operations: everything but start-up.
      const fs = run.fs;
      expect((fs.decisionOpsPerStart + fs.writeOpsPerStart + fs.gcOpsPerStart) * run.podStarts).toBeCloseTo(
        fs.ops - fs.startupOps,
        6,
      );
      expect(fs.syscallsPerStart * run.podStarts).toBeCloseTo(fs.syscalls - fs.startupSyscalls, 6);
      expect(fs.bytesPerStart * run.podStarts).toBeCloseTo(fs.bytesRead + fs.bytesWritten, 6);
      expect(fs.startupOps).toBeLessThanOrEqual(fs.ops);
      expect(fs.startupSyscalls).toBeLessThanOrEqual(fs.syscalls);
      expect(fs.writeSyscalls).toBeLessThanOrEqual(fs.syscalls);
      expect(run.registryRequestsPerStart * run.podStarts).toBeCloseTo(run.registryRequests, 6);
      const byClass = Object.values(run.violationsByClass);
      expect(byClass.reduce((sum, n) => sum + n, 0)).toBe(run.violations);
      expect(byClass.every((n) => n > 0)).toBe(true);
      expect(run.startLatencyMs.p50).toBeGreaterThanOrEqual(0);
      expect(run.startLatencyMs.p99).toBeGreaterThanOrEqual(run.startLatencyMs.p50);
      expect(run.events).toBeGreaterThan(run.podStarts);
      expect(run.decisionsDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      // AlwaysVerify checks every image against the pod's credentials: no pod gets an image it may not pull.
      if (mode === 'AlwaysVerify') expect(run.violations).toBe(0);
    });
  });

  it('the same inputs give the same run, except for the wall-clock figures', () => {
    for (const strategy of ['fs+lru', 'journal']) {
      const a = runWorkload(tiny, { strategy, mode: 'NeverVerifyPreloadedImages' });
      const b = runWorkload({ ...tiny }, { strategy, mode: 'NeverVerifyPreloadedImages' });
      expect(withoutWallClock(b)).toEqual(withoutWallClock(a));
    }
  });

  it('defaults: the profile’s own record store, NeverVerifyPreloadedImages, the workload’s device', () => {
    const run = runWorkload(tiny);
    expect(run).toMatchObject({ strategy: 'default', mode: 'NeverVerifyPreloadedImages', device: 'ssd' });
    // The 1.36 profile's own stack is fs+lru: the same decisions and the same file work.
    const fsLru = runWorkload(tiny, { strategy: 'fs+lru' });
    expect(withoutWallClock({ ...run, strategy: 'fs+lru' })).toEqual(withoutWallClock(fsLru));
  });

  it('the device option replaces the workload’s latency profile: on a disk, file stores slow pod starts', () => {
    const none = runWorkload(tiny, { strategy: 'fs', mode: 'AlwaysVerify', device: 'none' });
    const hdd = runWorkload(tiny, { strategy: 'fs', mode: 'AlwaysVerify', device: 'hdd' });
    expect(none.device).toBe('none');
    expect(hdd.device).toBe('hdd');
    // `fs` reads a record file for every decision: the median start waits for the disk.
    expect(hdd.startLatencyMs.p50).toBeGreaterThan(none.startLatencyMs.p50);
    expect(hdd.startLatencyMs.p99).toBeGreaterThan(none.startLatencyMs.p99);
  });

  it('reports progress as a fraction of virtual time', () => {
    // Progress is reported every 16 384 events: give it a workload with more events than that, short-lived pods
    // spread over six hours so that few are alive at once.
    const busy = tinyWorkload({
      duration: ticks(6 * TICKS_PER_HOUR),
      pods: { ...tiny.pods, starts: 5_500, meanLifetime: ticks(5 * TICKS_PER_SECOND) },
    });
    const fractions: number[] = [];
    runWorkload(busy, { strategy: 'memory', device: 'none', onProgress: (f) => fractions.push(f) });
    expect(fractions.length).toBeGreaterThan(0);
    expect(fractions).toEqual([...fractions].sort((x, y) => x - y));
    for (const f of fractions) {
      expect(f).toBeGreaterThan(0);
      expect(f).toBeLessThanOrEqual(1);
    }
  });

  it('a workload whose only pod arrives after its end starts nothing, and its per-start figures are 0', () => {
    // One start: the single arrival is exponential with mean `duration`, so it falls after the end for about a
    // third of the seeds. Take the first such seed from the arrival process itself.
    const late = Array.from({ length: 100 }, (_, seed) => seed).find(
      (seed) => new SeededRandom(seed).stream('arrivals').exponential(tiny.duration) >= tiny.duration,
    );
    expect(late).toBeDefined();
    const run = runWorkload(tinyWorkload({ seed: late ?? 0, pods: { ...tiny.pods, starts: 1 } }), {
      strategy: 'fs+lru',
    });
    expect(run.podStarts).toBe(0);
    expect(run.containersStarted).toBe(0);
    expect(run.fs.startupSyscalls).toBeGreaterThan(0);
    expect(run.fs).toMatchObject({
      decisionOpsPerStart: 0,
      writeOpsPerStart: 0,
      gcOpsPerStart: 0,
      syscallsPerStart: 0,
      bytesPerStart: 0,
    });
    expect(run.registryRequestsPerStart).toBe(0);
    expect(run.startLatencyMs).toEqual({ p50: 0, p99: 0 });
  });
});

describe('runWorkload without a node', () => {
  it('measures nothing rather than failing: every filesystem figure is 0', () => {
    // Workloads always expand to one node; this is the guard for a world that has none (and so no pods).
    const real = expandWorkload(tiny);
    vi.mocked(expandWorkload).mockReturnValueOnce({
      scenario: { ...real.scenario, nodes: [] },
      stream: () => [][Symbol.iterator](),
    });
    const run = runWorkload(tiny, { strategy: 'fs+lru' });
    expect(run.podStarts).toBe(0);
    expect(Object.values(run.fs).every((figure) => figure === 0)).toBe(true);
    expect(run.violations).toBe(0);
  });
});

describe('the least possible I/O (the issue’s yardstick)', () => {
  it.each(MODES)(
    '%s: journal:volatile-intents writes once per pulled-record change of the kubelet and reads nothing to decide',
    (mode) => {
      // Same device for both, so the two runs see the same interleavings and make the same record changes.
      const kubelet = runWorkload(tiny, { strategy: 'fs+lru', mode, device: 'none' });
      const journal = runWorkload(tiny, { strategy: 'journal:volatile-intents', mode, device: 'none' });
      expect(journal.decisionsDigest).toBe(kubelet.decisionsDigest);
      // No reads at run time: the index is in memory; start-up (replays at the two restarts) is counted apart.
      expect(journal.fs.decisionOpsPerStart).toBe(0);
      // The kubelet replaces a pulled record by renaming a temporary file into pulled/ (recordWrites); the
      // journal appends one line per record change and skips a write that changes nothing, and with volatile
      // intents writes nothing else. On a log this short there is no compaction, so by construction its write
      // calls cannot exceed the kubelet's record changes; 5 % of slack is the "close to".
      expect(kubelet.fs.recordWrites).toBeGreaterThan(0);
      expect(journal.fs.writeSyscalls).toBeGreaterThan(0);
      expect(journal.fs.writeSyscalls / kubelet.fs.recordWrites).toBeLessThanOrEqual(1.05);
      // The journal never renames into pulled/: it has no per-record files.
      expect(journal.fs.recordWrites).toBe(0);
    },
  );

  it('under image GC pressure: record deletions count as record changes, and pruning is reported apart', () => {
    // A 1 GB image store for six images of up to 400 MB, checked every minute: GC removes images and the kubelet
    // deletes their records.
    const pressured = tinyWorkload({
      imageGC: { ...tiny.imageGC, capacityBytes: 1_000_000_000, period: ticks(TICKS_PER_MINUTE) },
    });
    const kubelet = runWorkload(pressured, { strategy: 'fs+lru', mode: 'AlwaysVerify', device: 'none' });
    const journal = runWorkload(pressured, {
      strategy: 'journal:volatile-intents',
      mode: 'AlwaysVerify',
      device: 'none',
    });
    expect(journal.decisionsDigest).toBe(kubelet.decisionsDigest);
    expect(kubelet.fs.recordDeletes).toBeGreaterThan(0);
    // Each deletion is an append too: the writes exceed the record writes alone, but not the record changes.
    expect(journal.fs.writeSyscalls).toBeGreaterThan(kubelet.fs.recordWrites);
    expect(
      journal.fs.writeSyscalls / (kubelet.fs.recordWrites + kubelet.fs.recordDeletes),
    ).toBeLessThanOrEqual(1.05);
    // Pruning lists every record file (reads), but those are GC work, not decisions: the 1.35 cache holds every
    // record of this small node, so no decision reads a file.
    expect(kubelet.fs.gcOpsPerStart).toBeGreaterThan(0);
    expect(kubelet.fs.decisionOpsPerStart).toBe(0);
  });

  it('memory does no filesystem I/O at all', () => {
    for (const mode of MODES) {
      const run = runWorkload(tiny, { strategy: 'memory', mode });
      expect(run.fs).toEqual({
        syscalls: 0,
        ops: 0,
        bytesRead: 0,
        bytesWritten: 0,
        decisionOpsPerStart: 0,
        writeOpsPerStart: 0,
        gcOpsPerStart: 0,
        syscallsPerStart: 0,
        bytesPerStart: 0,
        startupOps: 0,
        startupSyscalls: 0,
        writeSyscalls: 0,
        recordWrites: 0,
        recordDeletes: 0,
      });
    }
  });
});
