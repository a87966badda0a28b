import { createHash } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { isValidSeed, MAX_SEED } from './seed.js';

export { isValidSeed, MAX_SEED };

/**
 * One named stream of pseudo-random numbers (xoroshiro128+ from pure-rand). Streams are independent: drawing
 * from one never changes another, so adding a draw in one part of the simulator does not shift the others.
 */
export class RandomStream {
  readonly #rng: RandomGenerator;

  constructor(
    readonly name: string,
    rng: RandomGenerator,
  ) {
    this.#rng = rng;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
      throw new RangeError(`random stream ${this.name}: bad range [${min}, ${max}]`);
    }
    return uniformInt(this.#rng, min, max);
  }

  /** A float in [0, 1) with 53 bits of randomness. */
  float(): number {
    return uniformFloat64(this.#rng);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError(`random stream ${this.name}: pick from an empty list`);
    return items[this.int(0, items.length - 1)] as T;
  }

  /** An exponentially distributed value with the given mean (for arrival processes and latencies). */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** A Fisher–Yates shuffled copy. */
  shuffled<T>(items: readonly T[]): T[] {
    const copy = items.slice();
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = tmp;
    }
    return copy;
  }

  /** The generator's internal state, for tests and replay. */
  state(): readonly number[] {
    return this.#rng.getState();
  }
}

/**
 * The run's seeded generator. Every stream is derived from (seed, name) alone through SHA-256, so streams are
 * reproducible on any machine and independent of the order in which they are first used.
 *
 * @example
 * const random = new SeededRandom(1);
 * const latency = random.stream('registry-latency').int(5, 50);
 */
export class SeededRandom {
  readonly #streams = new Map<string, RandomStream>();

  constructor(
    readonly seed: number,
    readonly path: string = '',
  ) {
    if (!isValidSeed(seed))
      throw new RangeError(`seed must be an integer from 0 to ${MAX_SEED}, got ${seed}`);
  }

  /** The stream with this name (created on first use, then the same object). */
  stream(name: string): RandomStream {
    let stream = this.#streams.get(name);
    if (!stream) {
      stream = new RandomStream(name, generatorFor(this.seed, `${this.path}/${name}`));
      this.#streams.set(name, stream);
    }
    return stream;
  }

  /** A child generator whose streams are independent of this one's (e.g. one per random run of a campaign). */
  fork(name: string): SeededRandom {
    return new SeededRandom(this.seed, `${this.path}/${name}`);
  }
}

function generatorFor(seed: number, path: string): RandomGenerator {
  const digest = createHash('sha256').update(`pullsim:${seed}:${path}`).digest();
  const state: number[] = [
    digest.readInt32BE(0),
    digest.readInt32BE(4),
    digest.readInt32BE(8),
    digest.readInt32BE(12),
  ];
  // xoroshiro128+ must not start from the all-zero state.
  if (!state.some((word) => word !== 0)) state[0] = 1;
  return xoroshiro128plusFromState(state);
}
