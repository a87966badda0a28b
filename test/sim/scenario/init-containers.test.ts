/** Init containers in scenario files: kept apart from the regular ones, a sidecar only by `restartPolicy: Always`. */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/load.js';
import type { PodManifest } from '../../../sim/scenario/types.js';
import { issuesOf } from '../../support/cli-harness.js';

const pod = (initRestart: string) => `apiVersion: pullsim/v1alpha1
kind: Scenario
metadata: { name: init }
spec:
  objects:
    - apiVersion: v1
      kind: Pod
      metadata: { namespace: ns, name: p }
      spec:
        initContainers:
          - { name: setup, image: busybox:1 }
          - { name: proxy, image: envoy:1${initRestart} }
        containers:
          - { name: app, image: app:1 }
`;

describe('init containers in a scenario', () => {
  it('come first, in order, marked init or sidecar', () => {
    const scenario = parseScenario(pod(', restartPolicy: Always'), 'init.yaml');
    const manifest = scenario.objects[0] as PodManifest;
    expect(manifest.spec.containers.map((c) => [c.name, c.role])).toEqual([
      ['setup', 'init'],
      ['proxy', 'sidecar'],
      ['app', undefined],
    ]);
  });

  it('take no restartPolicy but Always (the only one the API server accepts on an init container)', () => {
    expect(
      issuesOf(pod(', restartPolicy: OnFailure'), 'init.yaml').map((i) => `${i.path}: ${i.message}`),
    ).toEqual(['spec.objects[0].spec.initContainers[1].restartPolicy: expected Always, got "OnFailure"']);
  });
});
