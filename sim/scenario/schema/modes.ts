/*
 * The kubelet behaviours a scenario runs under (docs/contract.md §1): the vocabulary of the expect lines' `modes`
 * and of the commands' `--mode`. No schema describes them; the expect schema lists them.
 */

export const MODES = [
  'legacy',
  'always-pull',
  'NeverVerify',
  'NeverVerifyPreloadedImages',
  'NeverVerifyAllowlistedImages',
  'AlwaysVerify',
] as const;
/** A kubelet behaviour a scenario is run under (contract §1). Hand-written: a list of names, not a schema. */
export type Mode = (typeof MODES)[number];
/** `run` without `--mode`: the scenario's own kubelet configuration. Hand-written, as `Mode`. */
export type RunMode = Mode | 'as-configured';

export function isMode(value: unknown): value is Mode {
  return typeof value === 'string' && (MODES as readonly string[]).includes(value);
}
