import type { Manifest, Scenario } from '../../sim/scenario/types.js';

/**
 * A scenario as `parseScenario` gives it back: the loader fills in a service account's `imagePullSecrets` (absent
 * means none, contract §2), which generated scenarios leave out; the world treats both alike. Use it to compare a
 * scenario built in code with the same scenario written out and loaded.
 */
export function withLoaderDefaults(scenario: Scenario): Scenario {
  const fill = (m: Manifest): Manifest =>
    m.kind === 'ServiceAccount' && m.imagePullSecrets === undefined ? { ...m, imagePullSecrets: [] } : m;
  return {
    ...scenario,
    objects: scenario.objects.map(fill),
    timeline: scenario.timeline.map((step) =>
      'apply' in step ? { ...step, apply: fill(step.apply) } : step,
    ),
  };
}
