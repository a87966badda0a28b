import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../sim/kernel/random.js';
import { parseScenario } from '../../../sim/scenario/load.js';
import type { PodManifest } from '../../../sim/scenario/types.js';
import { ApiServer } from '../../../sim/world/api-server.js';
import { ticks } from '../../../src/time.js';
import { issuesOf, scenarioText } from '../../support/cli-harness.js';

/** A scenario whose only object is a pod with these metadata annotations and spec fields. */
function podSpec(annotations: string, spec = ''): string {
  return `
      objects:
        - apiVersion: v1
          kind: Pod
          metadata: { namespace: kube-system, name: agent, annotations: { ${annotations} } }
          spec:
            ${spec}
            containers: [{ name: agent, image: "private.example.com/infra/agent:v1" }]
  `;
}

function staticPod(source: string): PodManifest {
  const scenario = parseScenario(
    scenarioText('t', podSpec(`kubernetes.io/config.source: ${source}`)),
    't.yaml',
  );
  return scenario.objects[0] as PodManifest;
}

function problems(spec: string) {
  return issuesOf(scenarioText('t', spec), 't.yaml').map((issue) => [issue.path, issue.message]);
}

describe('static pods (kubernetes.io/config.source, kubetypes.IsStaticPod)', () => {
  it('keep the source annotation; file and http are static, api is not', () => {
    expect(staticPod('file').metadata).toEqual({
      name: 'agent',
      namespace: 'kube-system',
      annotations: { 'kubernetes.io/config.source': 'file' },
    });
    expect(staticPod('http').metadata.annotations).toEqual({ 'kubernetes.io/config.source': 'http' });
    const api = parseScenario(
      scenarioText('t', podSpec('kubernetes.io/config.source: api', 'serviceAccountName: web')),
      't.yaml',
    ).objects[0] as PodManifest;
    expect(api.spec.serviceAccountName).toBe('web');
  });

  it('refuse a source the kubelet does not have, and a service account or pull secret on a static pod', () => {
    expect(problems(podSpec('kubernetes.io/config.source: disk'))).toEqual([
      [
        'spec.objects[0].metadata.annotations["kubernetes.io/config.source"]',
        "expected one of api, file, http (the kubelet's pod sources)",
      ],
    ]);
    expect(
      problems(
        podSpec(
          'kubernetes.io/config.source: file',
          'serviceAccountName: web\n            imagePullSecrets: [{ name: r }]',
        ),
      ),
    ).toEqual([
      [
        'spec.objects[0].spec.serviceAccountName',
        'a static pod has no service account: a mirror pod may not reference service accounts',
      ],
      [
        'spec.objects[0].spec.imagePullSecrets',
        'a static pod has no pull secrets: a mirror pod may not reference secrets',
      ],
    ]);
  });

  it('are not admitted: no service account, no inherited secrets, no AlwaysPullImages rewrite', () => {
    const server = new ApiServer({
      uidStream: new SeededRandom(1).stream('uids'),
      alwaysPullImages: true,
      defaultNode: 'node-1',
    });
    expect(server.apply(staticPod('file'), ticks(0)).ok).toBe(true);
    const stored = server.getPod('kube-system', 'agent');
    expect(stored?.serviceAccountName).toBe('');
    expect(stored?.imagePullSecrets).toEqual([]);
    // SetDefaults_Container still applies (the kubelet defaults file pods too): a tag other than latest.
    expect(stored?.containers[0]?.imagePullPolicy).toBe('IfNotPresent');
  });
});

describe('an empty serviceAccountName', () => {
  it('is unset, as the API server reads it: the deprecated serviceAccount, else default', () => {
    const read = (spec: string) =>
      (parseScenario(scenarioText('t', podSpec('', spec)), 't.yaml').objects[0] as PodManifest).spec
        .serviceAccountName;
    expect(read('serviceAccountName: ""')).toBeUndefined();
    expect(read('serviceAccountName: ""\n            serviceAccount: builder')).toBe('builder');
    expect(read('serviceAccountName: builder')).toBe('builder');
  });

  it('is allowed on a static pod, which has no service account anyway', () => {
    const text = scenarioText('t', podSpec('kubernetes.io/config.source: file', 'serviceAccountName: ""'));
    expect((parseScenario(text, 't.yaml').objects[0] as PodManifest).spec.serviceAccountName).toBeUndefined();
  });

  it('but a name that is not a DNS subdomain is still refused', () => {
    expect(problems(podSpec('', 'serviceAccountName: Not_A_Name'))).toEqual([
      [
        'spec.objects[0].spec.serviceAccountName',
        expect.stringContaining('expected a DNS subdomain name, or "" for the default'),
      ],
    ]);
  });
});
