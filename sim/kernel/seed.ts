/** The largest seed a scenario may give (seeds are JSON numbers, so they must be exact doubles). */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** Whether `seed` is a seed a run accepts: an integer from 0 to {@link MAX_SEED}. */
export function isValidSeed(seed: unknown): seed is number {
  return typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0;
}
