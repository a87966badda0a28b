export { canonicalJson } from './canonical-json.js';
export { VirtualClock } from './clock.js';
export { type LoopOutcome, type LoopOutcomeKind, type RunBudget, runLoop } from './loop.js';
export { EventQueue, type EventQueueOptions, type Scheduled } from './queue.js';
export { isValidSeed, MAX_SEED, RandomStream, SeededRandom } from './random.js';
export { runKernelSelfCheck, type SelfCheckResult } from './selfcheck.js';
export {
  DurationError,
  formatDuration,
  parseDuration,
  TICKS_PER_MILLISECOND,
  TICKS_PER_MINUTE,
  TICKS_PER_SECOND,
  type Ticks,
  ticks,
} from './time.js';
export { Trace, type TraceOptions, type TraceRecord } from './trace.js';
