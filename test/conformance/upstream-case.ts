/**
 * The shape of the conformance suite: the kubelet's own unit tests (kubernetes/kubernetes) as data. Each upstream
 * Go test is an `UpstreamTest`, each of its table rows or `t.Run` cases an `UpstreamCase` holding the case's facts
 * (its inputs and expected outputs, never its code); `check` is the one adapter that feeds those facts to pullsim's
 * model, as the Go test's loop body feeds them to the kubelet. A case that cannot be ported says why.
 */
import type { KubeletVersion } from '../../src/profiles.js';

export interface UpstreamCase<F> {
  /** The upstream `t.Run` name (or table entry name), verbatim. */
  readonly case: string;
  /** The inputs and expected outputs; absent when the case is not ported. */
  readonly facts?: F;
  /** The versions this case exists in, when fewer than its test's. */
  readonly versions?: readonly KubeletVersion[];
  /** Why the case is not ported: it tests Go plumbing, a fake pullsim lacks, or a feature pullsim does not model. */
  readonly notPorted?: string;
  /** Ported, but pullsim disagrees with the kubelet: the fidelity bug, until it is fixed. */
  readonly failing?: string;
  /**
   * Ported under a named, switchable option that no released profile has by default (the case expects a
   * behaviour of no released kubelet): the option and why. The facts carry the switch.
   */
  readonly option?: string;
}

export interface UpstreamTest<F> {
  /** The upstream test file, from the repository root. */
  readonly file: string;
  /** The Go test function. */
  readonly test: string;
  /** The kubelet versions whose source has this test with these cases. */
  readonly versions: readonly KubeletVersion[];
  readonly cases: readonly UpstreamCase<F>[];
  /** Runs one case's facts against the model of `version`; throws (an `expect`) when they disagree. */
  check(facts: F, version: KubeletVersion): void;
}

/** Declares an upstream test; the generic parameter types its facts. */
export function upstreamTest<F>(test: UpstreamTest<F>): UpstreamTest<F> {
  return test;
}

export type CaseState =
  | { readonly kind: 'ported'; readonly facts: unknown; readonly option?: string }
  | { readonly kind: 'failing'; readonly facts: unknown; readonly why: string }
  | { readonly kind: 'not-ported'; readonly reason: string };

/** What the table and the runner make of a case; a case with neither facts nor a reason is a mistake. */
export function caseState(upstream: UpstreamCase<unknown>): CaseState {
  if (upstream.notPorted !== undefined) return { kind: 'not-ported', reason: upstream.notPorted };
  if (upstream.facts === undefined) throw new Error(`case ${upstream.case} has neither facts nor a reason`);
  if (upstream.failing !== undefined)
    return { kind: 'failing', facts: upstream.facts, why: upstream.failing };
  if (upstream.option !== undefined)
    return { kind: 'ported', facts: upstream.facts, option: upstream.option };
  return { kind: 'ported', facts: upstream.facts };
}

/** The versions a case runs in: its own, or its test's. */
export function caseVersions(
  test: UpstreamTest<unknown>,
  upstream: UpstreamCase<unknown>,
): readonly KubeletVersion[] {
  return upstream.versions ?? test.versions;
}
