/**
 * Expect lines about a node: its pulled records, its pull intents and its kubelet's image-manager metrics at the end
 * of the run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkScenario } from '../../sim/check.js';
import { parseScenario } from '../../sim/scenario/load.js';
import { issuesOf } from '../support/cli-harness.js';

const FILE = join(import.meta.dirname, '../../scenarios/observable-records-and-metrics.yaml');
const BASE = readFileSync(FILE, 'utf8');
const WORLD = BASE.slice(0, BASE.indexOf('  expect:'));

/** The bundled scenario's world with other expect lines (YAML list items, indented 4). */
function problemsOf(lines: string, version?: string): string[] {
  const world =
    version === undefined ? WORLD : WORLD.replace('spec:\n', `spec:\n  kubelet: { version: "${version}" }\n`);
  const check = checkScenario(parseScenario(`${world}  expect:\n${lines}`, 'x.yaml'));
  return check.outcomes.flatMap((o) => o.problems.map((p) => `[${o.mode}] ${p}`));
}

describe('record lines', () => {
  it('fail with what was found: a record where none is expected, another version, other sources', () => {
    expect(
      problemsOf(`    - record: { image: private.example.com/team-a/app:v1, exists: false }
      modes: [AlwaysVerify]
    - record: { image: private.example.com/team-a/app:v1, apiVersion: kubelet.config.k8s.io/v1alpha1, sources: [node] }
      modes: [AlwaysVerify]
    - record: { image: private.example.com/team-a/app:v1 }
      modes: [legacy]
`),
    ).toEqual([
      expect.stringMatching(
        /^\[AlwaysVerify\] expected no record of private\.example\.com\/team-a\/app:v1 on node-1, found pulled\/sha256-/,
      ),
      '[AlwaysVerify] expected the pulled record of private.example.com/team-a/app:v1 on node-1 in kubelet.config.k8s.io/v1alpha1, found kubelet.config.k8s.io/v1beta1',
      '[AlwaysVerify] expected the pulled record of private.example.com/team-a/app:v1 on node-1 from [node], found [secret:team-a/regcred]',
      '[legacy] expected the pulled record of private.example.com/team-a/app:v1 on node-1, found none at the end',
    ]);
  });

  it('read the file version a 1.34 kubelet writes', () => {
    expect(
      problemsOf(
        `    - record: { image: private.example.com/team-a/app:v1, apiVersion: kubelet.config.k8s.io/v1alpha1 }
      modes: [AlwaysVerify]
`,
        '1.34',
      ),
    ).toEqual([]);
  });
});

describe('metric lines', () => {
  it('fail with the value found', () => {
    expect(
      problemsOf(`    - metric: { name: kubelet_imagemanager_ondisk_pulledrecords, value: 3 }
      modes: [AlwaysVerify]
`),
    ).toEqual(['[AlwaysVerify] expected kubelet_imagemanager_ondisk_pulledrecords 3 on node-1, got 1']);
  });

  it('sum the series that carry the labels given, and name them when they fail', () => {
    expect(
      problemsOf(`    - metric: { name: kubelet_image_manager_ensure_image_requests_total, labels: { pull_policy: never }, value: 1 }
      modes: [NeverVerify]
    - metric: { name: kubelet_image_manager_ensure_image_requests_total, labels: { pull_policy: ifnotpresent }, value: 9 }
      modes: [NeverVerify]
    - metric: { name: kubelet_imagemanager_image_mustpull_checks_total, value: 2 }
      modes: [NeverVerify]
`),
    ).toEqual([
      '[NeverVerify] expected kubelet_image_manager_ensure_image_requests_total{pull_policy="ifnotpresent"} 9 on node-1, got 2',
    ]);
  });

  it('fail on a kubelet version without the metrics', () => {
    expect(
      problemsOf(
        `    - metric: { name: kubelet_imagemanager_ondisk_pulledrecords, value: 0 }
      modes: [AlwaysVerify]
`,
        '1.34',
      ),
    ).toEqual(['[AlwaysVerify] the 1.34 kubelet on node-1 has no image-manager metrics']);
  });

  it('are refused at load with an unknown name, a pod, or container fields', () => {
    const text = `${WORLD}  expect:
    - metric: { name: kubelet_imagemanager_whatever, value: 1 }
    - { metric: { name: kubelet_imagemanager_ondisk_pullintents, value: 0 }, pod: team-a/a }
    - { record: { image: x }, state: running, node: node-9 }
`;
    expect(issuesOf(text).map((i) => `${i.path}: ${i.message}`)).toEqual([
      expect.stringMatching(
        /^spec\.expect\[0\]\.metric\.name: expected one of kubelet_image_manager_ensure_image_requests_total, /,
      ),
      'spec.expect[1]: an expect line checks one of pod, record, intent or metric, not pod and metric',
      'spec.expect[2]: a record line is checked at the end on its node: state does not apply',
      'spec.expect[2].node: no node node-9 in this scenario',
    ]);
  });
});

describe('intent lines', () => {
  const CRASH = readFileSync(
    join(import.meta.dirname, '../../scenarios/crash-between-intent-and-record.yaml'),
    'utf8',
  );
  const CRASH_WORLD = CRASH.slice(0, CRASH.indexOf('  expect:'));
  const intentProblems = (lines: string) =>
    checkScenario(parseScenario(`${CRASH_WORLD}  expect:\n${lines}`, 'x.yaml')).outcomes.flatMap((o) =>
      o.problems.map((p) => `[${o.mode}] ${p}`),
    );

  it('find the leftover intent by the raw string, and say what they found otherwise', () => {
    expect(
      intentProblems(`    - intent: { image: "nginx:1.27" }
      modes: [AlwaysVerify]
    - intent: { image: "nginx:1.27", exists: false }
      modes: [AlwaysVerify]
    - intent: { image: "nginx:1.27", apiVersion: kubelet.config.k8s.io/v1alpha1 }
      modes: [AlwaysVerify]
    - intent: { image: docker.io/library/nginx:1.27 }
      modes: [AlwaysVerify]
`),
    ).toEqual([
      expect.stringMatching(
        /^\[AlwaysVerify\] expected no pull intent for nginx:1\.27 on node-1, found pulling\/sha256-/,
      ),
      '[AlwaysVerify] expected a pull intent for nginx:1.27 on node-1 in kubelet.config.k8s.io/v1alpha1, found kubelet.config.k8s.io/v1beta1',
      '[AlwaysVerify] expected a pull intent for docker.io/library/nginx:1.27 on node-1, found none at the end',
    ]);
  });

  it('are refused at load beside a record or with container fields', () => {
    const text = `${WORLD}  expect:
    - { intent: { image: x }, record: { image: x } }
    - { intent: { image: x }, pulls: 1 }
    - { intent: { image: x, exists: maybe } }
`;
    expect(issuesOf(text).map((i) => `${i.path}: ${i.message}`)).toEqual([
      'spec.expect[0]: an expect line checks one of pod, record, intent or metric, not record and intent',
      'spec.expect[1]: an intent line is checked at the end on its node: pulls does not apply',
      expect.stringMatching(/^spec\.expect\[2\]\.intent\.exists: expected /),
    ]);
  });
});
