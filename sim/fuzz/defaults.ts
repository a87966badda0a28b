import type { Mode } from '../scenario/types.js';

/** The modes a campaign runs by default: always-pull is legacy plus admission and adds no invariant. */
export const DEFAULT_FUZZ_MODES: readonly Mode[] = [
  'legacy',
  'NeverVerify',
  'NeverVerifyPreloadedImages',
  'NeverVerifyAllowlistedImages',
  'AlwaysVerify',
];
