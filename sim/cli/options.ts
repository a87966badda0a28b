import { InvalidArgumentError } from '@commander-js/extra-typings';
import { isValidSeed, MAX_SEED } from '../kernel/seed.js';
import { parseDuration } from '../kernel/time.js';
import { isMode, MODES, type RunMode } from '../scenario/types.js';

/** A slice of a campaign or sweep: shard `index` (1-based) of `count`. */
export interface ShardOption {
  readonly index: number;
  readonly count: number;
}

/** Parses `--modes a,b`: every name must be a mode of the contract. */
export function parseModes(text: string): RunMode[] {
  const modes = text
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  const unknown = modes.filter((m) => !isMode(m));
  if (modes.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown mode ${unknown.map((m) => JSON.stringify(m)).join(', ') || '(none given)'}; expected a comma-separated list of ${MODES.join(', ')}`,
    );
  }
  return modes as RunMode[];
}

/** Parses a positive count (`--runs`, `--workers`). */
export function parseCount(text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new InvalidArgumentError(`expected a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

/** Parses a run index (`--replay`): 0 or more. */
export function parseIndex(text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value))
    throw new InvalidArgumentError(`expected a run index (0 or more), got ${JSON.stringify(text)}`);
  return value;
}

/** Parses `--shard I/N` (1 ≤ I ≤ N). */
export function parseShard(text: string): ShardOption {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || index < 1 || count < 1 || index > count) {
    throw new InvalidArgumentError(`expected I/N with 1 <= I <= N (e.g. 2/4), got ${JSON.stringify(text)}`);
  }
  return { index, count };
}

/** Parses a duration option into ticks. */
export function parseDurationOption(text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Parses a `--seed` value: an integer from 0 to 2^53−1. */
export function parseSeed(text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!isValidSeed(value))
    throw new InvalidArgumentError(`expected an integer from 0 to ${MAX_SEED}, got ${JSON.stringify(text)}`);
  return value;
}
