/**
 * `auditScenario` on the multi-tenant node of test/fixtures/audit/multi-tenant-node.yaml, against expectations worked
 * by hand from the node's files and the kubelet's rules (docs/kubelet-model.md#mustattemptimagepull): for every
 * container and policy what its next start does, and exactly which pods are exposed under each policy.
 */
import { describe, expect, it } from 'vitest';
import { auditScenario } from '../../../sim/audit/audit.js';
import type { AuditColumn, AuditReport } from '../../../sim/audit/report-types.js';
import { InputError } from '../../../sim/errors.js';
import { loadScenario } from '../../../sim/files.js';
import type { Scenario } from '../../../sim/scenario/types.js';
import { TICKS_PER_SECOND, ticks } from '../../../src/time.js';
import { pod } from '../../support/scenario-builder.js';

const FIXTURE = 'test/fixtures/audit/multi-tenant-node.yaml';
const scenario = loadScenario(FIXTURE);
const report = auditScenario(scenario);

const COLUMNS: readonly AuditColumn[] = [
  'NeverVerify',
  'NeverVerifyPreloadedImages',
  'NeverVerifyAllowlistedImages',
  'AlwaysVerify',
  'as-configured',
];
const all = (d: string) => [d, d, d, d, d];

/**
 * Next start per column (NeverVerify, NeverVerifyPreloadedImages, NeverVerifyAllowlistedImages, AlwaysVerify, the
 * node's NeverVerifyAllowlistedImages), `*` marking an exposure. Worked by hand:
 * - kube-proxy: preloaded (exempt under NV and NVP) and allowlisted (exempt under NVA); AlwaysVerify verifies it.
 * - tenant-a/old: its record does not decode: "must pull" before any policy is consulted, even NeverVerify.
 * - web/fetch and agent: the record gives node-wide access: every pod may use it under every policy.
 * - web/app and copy: the record holds a-pull's hash; copy's e-copy holds the same username and password, so the
 *   same hash: verified by hash, not exposed.
 * - always and fresh: pull policy Always, and an absent tag: a pull in every policy.
 * - sneak (bob's secret) and never (no secret, pull policy Never) on tenant-a's recorded image: only NeverVerify
 *   skips the check; elsewhere sneak verifies and never is refused.
 * - tool and tool-thief: a preloaded image: NeverVerify and NeverVerifyPreloadedImages exempt it.
 * - build: its service account is recorded; other's is not (only NeverVerify lets it in).
 * - job: a leftover intent for its name: start-up turns it into a record without credentials, so it is
 *   kubelet-pulled, not preloaded: only NeverVerify lets it in.
 */
const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  'kube-system/kube-proxy/kube-proxy': ['reuse*', 'reuse*', 'reuse*', 'verify', 'reuse*'],
  'tenant-a/old/app': all('verify'),
  'tenant-a/web/fetch': all('reuse'),
  'tenant-a/web/app': all('reuse'),
  'tenant-b/always/app': all('pull'),
  'tenant-b/fresh/app': all('pull'),
  'tenant-b/sneak/app': ['reuse*', 'verify', 'verify', 'verify', 'verify'],
  'tenant-b/tool/app': ['reuse*', 'reuse*', 'verify', 'verify', 'verify'],
  'tenant-c/build/app': all('reuse'),
  'tenant-c/job/app': ['reuse*', 'verify', 'verify', 'verify', 'verify'],
  'tenant-c/other/app': ['reuse*', 'verify', 'verify', 'verify', 'verify'],
  'tenant-d/agent/app': all('reuse'),
  'tenant-d/never/app': ['reuse*', 'refused', 'refused', 'refused', 'refused'],
  'tenant-d/tool-thief/app': ['reuse*', 'reuse*', 'verify', 'verify', 'verify'],
  'tenant-e/copy/app': all('reuse'),
};

/** The pods exposed under each column, worked from the table above. */
const EXPOSED_PODS: Readonly<Record<AuditColumn, readonly string[]>> = {
  NeverVerify: [
    'kube-system/kube-proxy',
    'tenant-b/sneak',
    'tenant-b/tool',
    'tenant-c/job',
    'tenant-c/other',
    'tenant-d/never',
    'tenant-d/tool-thief',
  ],
  NeverVerifyPreloadedImages: ['kube-system/kube-proxy', 'tenant-b/tool', 'tenant-d/tool-thief'],
  NeverVerifyAllowlistedImages: ['kube-system/kube-proxy'],
  AlwaysVerify: [],
  'as-configured': ['kube-system/kube-proxy'],
};

function decisionTable(audit: AuditReport): Record<string, string[]> {
  return Object.fromEntries(
    audit.containers.map((c) => [
      `${c.pod}/${c.container}`,
      COLUMNS.map((column) => {
        const d = c.decisions[column];
        return `${d.nextStart}${d.exposed ? '*' : ''}`;
      }),
    ]),
  );
}

describe('auditScenario on a multi-tenant node', () => {
  it('decides every container under every policy as worked by hand', () => {
    expect(decisionTable(report)).toEqual(EXPECTED);
    expect(report.containers.map((c) => `${c.pod}/${c.container}`)).toEqual(Object.keys(EXPECTED));
  });

  it('names exactly the exposed pods under each policy, and counts their images', () => {
    for (const summary of report.policies) {
      const pods = [...new Set(summary.exposures.map((e) => e.pod))];
      expect(pods, summary.policy).toEqual(EXPOSED_PODS[summary.policy]);
      expect(summary.exposedPods).toBe(pods.length);
    }
    const images = Object.fromEntries(report.policies.map((p) => [p.policy, p.exposedImages]));
    // NV: app (a1), tool (b2), kube-proxy (c3), builder (d4), job (e5); NVP: tool and kube-proxy.
    expect(images).toEqual({
      NeverVerify: 5,
      NeverVerifyPreloadedImages: 2,
      NeverVerifyAllowlistedImages: 1,
      AlwaysVerify: 0,
      'as-configured': 1,
    });
  });

  it('says why an exposed container may start its image, and what AlwaysVerify would ask', () => {
    const neverVerify = report.policies.find((p) => p.policy === 'NeverVerify');
    const sneak = neverVerify?.exposures.find((e) => e.pod === 'tenant-b/sneak');
    expect(sneak?.why).toContain('credentials of kubelet-pulled images are not verified');
    expect(sneak?.why).toContain('pulled record holds secret tenant-a/a-pull');
    const proxy = report.policies.find((p) => p.policy === 'as-configured')?.exposures[0];
    expect(proxy).toMatchObject({
      pod: 'kube-system/kube-proxy',
      imageRef: `sha256:${'c3'.repeat(32)}`,
      why: expect.stringContaining('the image is allowlisted'),
    });
    const copy = report.containers.find((c) => c.pod === 'tenant-e/copy');
    expect(copy?.decisions.AlwaysVerify.why).toBe(
      'the credential hash of secret tenant-e/e-copy matches recorded secret tenant-a/a-pull',
    );
    const build = report.containers.find((c) => c.pod === 'tenant-c/build');
    expect(build?.decisions.AlwaysVerify.why).toBe('service account tenant-c/builder is recorded');
  });

  it('headlines the configured policy, or the one asked for', () => {
    expect(report.headline).toEqual({
      policy: 'as-configured',
      pods: 1,
      images: 1,
      text: "under the node's configuration (NeverVerifyAllowlistedImages), 1 pod can start 1 image that no credential of theirs was ever verified for",
    });
    const asked = auditScenario(scenario, { policy: 'NeverVerify' });
    expect(asked.headline.text).toBe(
      'under NeverVerify, 7 pods can start 5 images that no credential of theirs was ever verified for',
    );
  });

  it('lists the credentials each pod would send to its image registry', () => {
    const credentials = Object.fromEntries(
      report.containers.map((c) => [`${c.pod}/${c.container}`, c.credentials]),
    );
    expect(credentials).toMatchObject({
      'kube-system/kube-proxy/kube-proxy': [],
      'tenant-a/web/fetch': ['node'],
      'tenant-a/web/app': ['secret:tenant-a/a-pull'],
      'tenant-c/build/app': ['serviceAccount:tenant-c/builder'],
      'tenant-c/other/app': ['serviceAccount:tenant-c/other'],
      'tenant-d/never/app': [],
      'tenant-e/copy/app': ['secret:tenant-e/e-copy'],
    });
  });

  it('tells how the kubelet sees each image, read with its own decoder', () => {
    const views = Object.fromEntries(
      report.images.map((i) => [i.imageRef.slice(7, 9), [i.view, i.allowlisted, i.intents]]),
    );
    expect(views).toEqual({
      '17': ['kubelet-pulled', false, []],
      a1: ['kubelet-pulled', false, []],
      b2: ['preloaded', false, []],
      c3: ['preloaded', true, []],
      d4: ['kubelet-pulled', false, []],
      e5: ['leftover-intent', false, ['private.example.com/tenant-c/job:v1']],
      f6: ['unreadable-record', false, []],
    });
    const app = report.images.find((i) => i.imageRef.startsWith('sha256:a1'));
    expect(app?.credentials).toEqual([
      {
        key: 'private.example.com/tenant-a/app',
        nodeWide: false,
        secrets: [
          {
            namespace: 'tenant-a',
            name: 'a-pull',
            uid: 'uid-a-pull',
            credentialHash: '8fcf9f036a96cc4aaef5fe3f958713aaff49562c2dc6b2246422b97de4ffa598',
          },
        ],
        serviceAccounts: [],
      },
    ]);
    const builder = report.images.find((i) => i.imageRef.startsWith('sha256:d4'));
    expect(builder).toMatchObject({ recordApiVersion: 'v1alpha1', lastUpdatedTime: '2026-01-01T00:00:00Z' });
    expect(report.danglingIntents).toEqual(['private.example.com/tenant-a/gone:v2']);
    expect(report.recordsWithoutImage).toEqual([]);
    expect(report.unreadableFiles).toEqual([
      {
        file: 'pulled/sha256-d84ca52f1dc997a60d750344cdbcf80710c7d5560687bf772b1be8a30f7575bc',
        error: expect.stringContaining('unexpected end of JSON input'),
      },
    ]);
  });

  it('changes nothing in the scenario it reads', () => {
    const before = JSON.stringify(scenario);
    auditScenario(scenario, { policy: 'AlwaysVerify' });
    expect(JSON.stringify(scenario)).toBe(before);
  });
});

/** The fixture with other kubelet settings. */
function withKubelet(kubelet: Partial<Scenario['kubelet']>, drop: readonly string[] = []): Scenario {
  const merged: Record<string, unknown> = { ...scenario.kubelet, ...kubelet };
  for (const key of drop) delete merged[key];
  return { ...scenario, kubelet: merged as Scenario['kubelet'] };
}

describe('auditScenario on other configurations and inputs', () => {
  it('audits a node whose feature gate is off as legacy: every present image is reused', () => {
    const legacy = auditScenario(
      withKubelet(
        {
          featureGates: { KubeletEnsureSecretPulledImages: false },
          preloadedImagesVerificationAllowlist: [],
        },
        ['imagePullCredentialsVerificationPolicy'],
      ),
    );
    const configured = legacy.policies.find((p) => p.policy === 'as-configured');
    expect(configured?.effective).toBe('legacy');
    expect(legacy.configured.featureGate).toBe(false);
    // NeverVerify's exposures, and the old record too: with the gate off nothing is read.
    expect(configured?.counts).toEqual({ reuse: 13, verify: 0, refused: 0, pull: 2, error: 0 });
    expect(configured?.exposedPods).toBe(8);
    const old = legacy.containers.find((c) => c.pod === 'tenant-a/old');
    expect(old?.decisions['as-configured']).toMatchObject({ nextStart: 'reuse', exposed: true });
    // The allowlist is gone, so kube-proxy is verified under NeverVerifyAllowlistedImages too.
    expect(legacy.images.find((i) => i.imageRef.startsWith('sha256:c3'))?.allowlisted).toBe(false);
  });

  it('says so when the node configuration would keep the kubelet from starting', () => {
    const refused = auditScenario(withKubelet({ imagePullCredentialsVerificationPolicy: 'AlwaysVerify' }));
    const configured = refused.policies.find((p) => p.policy === 'as-configured');
    expect(configured?.counts.error).toBe(15);
    // The gate is on (the profile's default) even though the kubelet would not start with this policy.
    expect(refused.configured).toMatchObject({ featureGate: true, policy: 'AlwaysVerify' });
    expect(refused.couldNotJudge[0]).toMatch(
      /^the node's own configuration: the kubelet would refuse to start: /,
    );
    expect(refused.containers[0]?.decisions['as-configured'].reason).toBe('KubeletNotRunning');
  });

  it("prints the importer's notes and the ignored timeline in what it could not judge", () => {
    const withTimeline: Scenario = {
      ...scenario,
      timeline: [{ at: ticks(60 * TICKS_PER_SECOND), action: { action: 'restartKubelet', node: 'node-1' } }],
    };
    const notes = auditScenario(withTimeline, {
      couldNotJudge: ['crictl images: not collected'],
    }).couldNotJudge;
    expect(notes[0]).toBe('crictl images: not collected');
    expect(notes[1]).toMatch(/timeline .* \(1 steps\) is not part of the node audited/);
    expect(notes.at(-1)).toMatch(/^registry access rules are not on the node/);
  });

  it('lists pulled records of images that are not on the node', () => {
    const node = scenario.nodes[0] as Scenario['nodes'][number];
    const files = {
      ...node.imageManagerFiles,
      // sha256:2828… is tenant-b/tool:v2, which the node does not have; the second file is nobody's record.
      'pulled/sha256-2ed0076665a94a4ef6aa0e73447ac8fb92206ebe43c4f2aeaa01973b9723cd72': `{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":null,"imageRef":"sha256:${'28'.repeat(32)}"}`,
      'pulled/sha256-0000': 'not json',
    };
    const audit = auditScenario({ ...scenario, nodes: [{ ...node, imageManagerFiles: files }] });
    expect(audit.recordsWithoutImage).toEqual([`pulled/sha256-0000`, `sha256:${'28'.repeat(32)}`]);
    expect(audit.unreadableFiles.map((f) => f.file)).toContain('pulled/sha256-0000');
  });

  it("reports the kubelet's waiting reason for an image name it cannot parse, under every policy", () => {
    const bad = pod('tenant-x', 'bad', 'private.example.com/Tenant/App:v1', { pullPolicy: 'IfNotPresent' });
    const audit = auditScenario({ ...scenario, objects: [...scenario.objects, bad] });
    const container = audit.containers.find((c) => c.pod === 'tenant-x/bad');
    expect(container).toMatchObject({
      imageRef: null,
      credentials: null,
      credentialError: 'InvalidImageName',
    });
    for (const column of COLUMNS)
      expect(container?.decisions[column]).toMatchObject({
        nextStart: 'error',
        reason: 'InvalidImageName',
        exposed: false,
      });
  });

  it('rejects a node the scenario does not have as bad input', () => {
    expect(() => auditScenario(scenario, { node: 'node-9' })).toThrow(InputError);
  });
});

describe('auditScenario on a node whose kubelet cannot start at all', () => {
  it('reports every container as an error under every policy, and says why', () => {
    // A KEP-4412 provider in service-account mode with its feature gate off: the kubelet refuses to start.
    const refused = auditScenario(loadScenario('scenarios/service-account-gate-off-1-33.yaml'));
    const decisions = refused.containers.flatMap((c) =>
      COLUMNS.map((column) => c.decisions[column].nextStart),
    );
    expect(decisions.length).toBeGreaterThan(0);
    expect(new Set(decisions)).toEqual(new Set(['error']));
    expect(refused.containers.every((c) => c.credentials === null)).toBe(true);
    expect(refused.policies.find((p) => p.policy === 'as-configured')?.effective).toBe('not started');
    expect(refused.couldNotJudge).toContainEqual(
      expect.stringMatching(
        /^every policy: the kubelet would refuse to start: failed to validate credential provider config/,
      ),
    );
  });
});
