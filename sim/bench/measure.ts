/**
 * WALL-CLOCK BENCHMARK CODE. The only place in sim/ that reads real time and process memory: the benchmark
 * reports wall time, simulated events per second and peak memory beside the simulation's own (virtual-time,
 * deterministic) figures. Nothing here feeds back into a simulation.
 */

/** Milliseconds from a monotonic clock. */
export function wallMs(): number {
  return performance.now(); // wall-clock-ok: benchmark timing only
}

/** Resident set size in bytes. */
function rssBytes(): number {
  return process.memoryUsage().rss;
}

/** Peak RSS sampler: call `sample()` now and then, read `peakBytes` at the end. */
export class PeakMemory {
  peakBytes = rssBytes();

  sample(): void {
    const now = rssBytes();
    if (now > this.peakBytes) this.peakBytes = now;
  }
}
