/**
 * Issue 14's end-to-end check on the collected node of test/fixtures/node-snapshot/ (its README lists the files):
 * collect output → `pullsim audit DIR --json` → `pullsim import DIR --out` → load → `pullsim compare`, against
 * expectations worked by hand from the files and the kubelet's rules (docs/kubelet-model.md#mustattemptimagepull).
 *
 * What a reader of the files finds: kubelet v1.35.1 (node.yaml), the gate on with NeverVerifyPreloadedImages and
 * no allowlist (configz.json), node-wide credentials for Docker Hub only (config.json). Of objects.yaml's 12 pods,
 * team-c/migrate-29431 has finished and other/elsewhere runs on node-b: 10 pods, 11 containers. Images
 * (images.json) and what image_manager/ says of them:
 * - team-a/app:v1: record with secret team-a/regcred (uid …8a01) and its hash;
 * - team-a/app:v2: no record, but the intent pulling/sha256-4803… names exactly its tag: start-up turns it into a
 *   record without credentials (kubelet-pulled, no entry for any name);
 * - team-b/api:2.1: record with secret team-b/regcred (uid and hash);
 * - team-c/worker:1.0: record with secret team-c/rotated (same uid), hash of the password before rotation;
 * - shared/base:3: a v1alpha1 record with service account team-b/builder: a KEP-4412 provider in service-account
 *   mode served registry.example.com, which the import declares (serviceAccountTokenProvider, per host);
 * - docker.io/library/nginx:1.27: record nodePodsAccessible (pulled with config.json's credential);
 * - registry.k8s.io/pause:3.10, registry.k8s.io/kube-proxy:v1.35.1, platform/agent:5: no record, no intent:
 *   preloaded;
 * - the upstream testdata records (testimageref, testimage-anonpull, the malformed e766…) and the v1alpha1 intent
 *   for test-alpha name no image on the node: they change no decision.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditScenario } from '../../../sim/audit/audit.js';
import { AUDIT_COLUMNS, type AuditColumn, type AuditReport } from '../../../sim/audit/report-types.js';
import { loadScenario } from '../../../sim/files.js';
import type { RunResult } from '../../../sim/run.js';
import { disagreements } from '../../support/audit-run.js';
import { runCli, useTempDir } from '../../support/cli-harness.js';
import { SNAPSHOT } from '../node-import/snapshot-copy.js';

const temp = useTempDir('pullsim-e2e-');

/** The columns in the order of the tables below: the four policies, then the node's own configuration. */
const COLUMNS = AUDIT_COLUMNS;
const all = (d: string) => [d, d, d, d, d];

/**
 * Per container: the credentials the kubelet would send to the image's registry (the pod's secrets for that host,
 * then its service account through the provider of registry.example.com; `node` for config.json; `none`), then the
 * next start under NeverVerify, NeverVerifyPreloadedImages, NeverVerifyAllowlistedImages, AlwaysVerify and the
 * node's NeverVerifyPreloadedImages; `*` marks an exposure (reuse where AlwaysVerify would verify).
 */
const EXPECTED: Readonly<Record<string, readonly [string, ...string[]]>> = {
  // Static pod (config.source file): no secret, no service account; no config.json entry for registry.k8s.io.
  // Preloaded: NeverVerify and NeverVerifyPreloadedImages exempt it; no allowlist, so the others verify.
  'kube-system/kube-proxy-node-a/kube-proxy': ['none', 'reuse*', 'reuse*', 'verify', 'verify', 'reuse*'],
  // regcred's uid, namespace and name (and hash) are in app:v1's record: verified under every policy.
  'team-a/web/app': ['secret:team-a/regcred, serviceAccount:team-a/default', ...all('reuse')],
  // app:v2's record comes from the leftover intent and holds no entry: kubelet-pulled, so only NeverVerify skips
  // the check; every other policy verifies, with regcred.
  'team-a/web-canary/app': [
    'secret:team-a/regcred, serviceAccount:team-a/default',
    'reuse*',
    'verify',
    'verify',
    'verify',
    'verify',
  ],
  // regcred-copy has other coordinates but the same credential, so the same hash as the record: a hash match.
  'team-a/web-copy/app': ['secret:team-a/regcred-copy, serviceAccount:team-a/default', ...all('reuse')],
  // Preloaded platform/agent, and no secret: exposed wherever preloaded images are exempt.
  'team-b/agent/agent': ['serviceAccount:team-b/default', 'reuse*', 'reuse*', 'verify', 'verify', 'reuse*'],
  // team-b/regcred is in api:2.1's record (uid and hash).
  'team-b/api/api': ['secret:team-b/regcred, serviceAccount:team-b/builder', ...all('reuse')],
  // shared/base's record names service account team-b/builder, the pod's (same uid): a service-account match.
  'team-b/build/build': ['secret:team-b/regcred, serviceAccount:team-b/builder', ...all('reuse')],
  // team-a's recorded image, no secret (team-b's default account lists none), its account not recorded: only
  // NeverVerify lets it in.
  'team-b/thief/app': ['serviceAccount:team-b/default', 'reuse*', 'verify', 'verify', 'verify', 'verify'],
  // nginx's record is node-wide: every pod of the node may use it, by design; the pull would use config.json.
  'team-c/proxy/nginx': ['node', ...all('reuse')],
  // The init container's pause is preloaded; rotated is for registry.example.com, so no credential for it.
  'team-c/worker/wait': ['none', 'reuse*', 'reuse*', 'verify', 'verify', 'reuse*'],
  // rotated's hash changed since the record, but its uid, namespace and name are recorded: a coordinates match
  // (the stored hash is replaced), not an exposure.
  'team-c/worker/worker': ['secret:team-c/rotated, serviceAccount:team-c/default', ...all('reuse')],
};

/** The exposed pods and images (by tag) under each column, read off the table above. */
const EXPOSED: Readonly<Record<AuditColumn, { pods: readonly string[]; images: readonly string[] }>> = {
  NeverVerify: {
    pods: [
      'kube-system/kube-proxy-node-a',
      'team-a/web-canary',
      'team-b/agent',
      'team-b/thief',
      'team-c/worker',
    ],
    images: [
      'registry.example.com/platform/agent:5',
      'registry.example.com/team-a/app:v1',
      'registry.example.com/team-a/app:v2',
      'registry.k8s.io/kube-proxy:v1.35.1',
      'registry.k8s.io/pause:3.10',
    ],
  },
  NeverVerifyPreloadedImages: {
    pods: ['kube-system/kube-proxy-node-a', 'team-b/agent', 'team-c/worker'],
    images: [
      'registry.example.com/platform/agent:5',
      'registry.k8s.io/kube-proxy:v1.35.1',
      'registry.k8s.io/pause:3.10',
    ],
  },
  NeverVerifyAllowlistedImages: { pods: [], images: [] },
  AlwaysVerify: { pods: [], images: [] },
  'as-configured': {
    pods: ['kube-system/kube-proxy-node-a', 'team-b/agent', 'team-c/worker'],
    images: [
      'registry.example.com/platform/agent:5',
      'registry.k8s.io/kube-proxy:v1.35.1',
      'registry.k8s.io/pause:3.10',
    ],
  },
};

function table(report: AuditReport): Record<string, string[]> {
  return Object.fromEntries(
    report.containers.map((c) => [
      `${c.pod}/${c.container}`,
      [
        c.credentials === null ? `error: ${c.credentialError}` : c.credentials.join(', ') || 'none',
        ...COLUMNS.map(
          (column) => `${c.decisions[column].nextStart}${c.decisions[column].exposed ? '*' : ''}`,
        ),
      ],
    ]),
  );
}

async function auditJson(): Promise<AuditReport> {
  const { code, stdout, stderr } = await runCli(['audit', SNAPSHOT, '--json']);
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(stdout) as AuditReport;
}

describe('collected node → audit → import → compare', async () => {
  const report = await auditJson();
  const out = join(temp.dir, 'node.yaml');
  const imported = await runCli(['import', SNAPSHOT, '--out', out]);

  it('audit --json decides every container under every policy as worked by hand', () => {
    expect(report).toMatchObject({ node: 'node-a', kubeletVersion: '1.35' });
    expect(report.configured).toEqual({
      featureGate: true,
      policy: 'NeverVerifyPreloadedImages',
      allowlist: [],
    });
    expect(table(report)).toEqual(EXPECTED);
    expect(report.containers.map((c) => `${c.pod}/${c.container}`).sort()).toEqual(
      Object.keys(EXPECTED).sort(),
    );
  });

  it('names exactly the exposures a reader finds under each policy, and the headline counts them', () => {
    for (const summary of report.policies) {
      const pods = [...new Set(summary.exposures.map((e) => e.pod))].sort();
      const images = [...new Set(summary.exposures.map((e) => e.image))].sort();
      expect({ pods, images }, summary.policy).toEqual(EXPOSED[summary.policy]);
      expect([summary.exposedPods, summary.exposedImages], summary.policy).toEqual([
        pods.length,
        images.length,
      ]);
    }
    expect(report.headline).toMatchObject({ policy: 'as-configured', pods: 3, images: 3 });
    expect(report.headline.text).toBe(
      "under the node's configuration (NeverVerifyPreloadedImages), 3 pods can start 3 images that no credential of theirs was ever verified for",
    );
  });

  it('sees each image as the files say: preloaded, kubelet-pulled, or a leftover intent', () => {
    const seen = Object.fromEntries(
      report.images.map((i) => [i.names.find((n) => !n.includes('@')) ?? i.imageRef, i.view]),
    );
    expect(seen).toEqual({
      'docker.io/library/nginx:1.27': 'kubelet-pulled',
      'registry.example.com/platform/agent:5': 'preloaded',
      'registry.example.com/shared/base:3': 'kubelet-pulled',
      'registry.example.com/team-a/app:v1': 'kubelet-pulled',
      'registry.example.com/team-a/app:v2': 'leftover-intent',
      'registry.example.com/team-b/api:2.1': 'kubelet-pulled',
      'registry.example.com/team-c/worker:1.0': 'kubelet-pulled',
      'registry.k8s.io/kube-proxy:v1.35.1': 'preloaded',
      'registry.k8s.io/pause:3.10': 'preloaded',
    });
  });

  it('import writes a scenario that loads and audits as the directory does', () => {
    expect(imported.code).toBe(0);
    const again = auditScenario(loadScenario(out));
    expect(again.containers).toEqual(report.containers);
    expect(again.policies).toEqual(report.policies);
  });

  it("compare of the imported scenario starts every container as the audit said, in each policy's mode", async () => {
    const { code, stdout } = await runCli(['compare', out, '--json']);
    expect(code).toBe(0);
    const runs = JSON.parse(stdout) as RunResult[];
    const lines: string[] = [];
    for (const column of COLUMNS) {
      const mode = column === 'as-configured' ? 'NeverVerifyPreloadedImages' : column;
      const run = runs.find((r) => r.mode === mode);
      for (const c of report.containers) {
        const ran = run?.containers.find((r) => r.pod === c.pod && r.container === c.container);
        const shown =
          ran === undefined ? 'absent' : ran.pulls > 0 ? 'pull' : ran.started ? 'reuse' : ran.reason;
        const said = c.decisions[column].nextStart;
        if (shown !== (said === 'verify' ? 'pull' : said))
          lines.push(`${column} ${c.pod}/${c.container}: ${said}, ran ${shown}`);
      }
    }
    expect(lines).toEqual([]);
  });

  it('each pod run alone in each mode starts as the audit said', () => {
    const scenario = loadScenario(out);
    const lines = [...new Set(report.containers.map((c) => c.pod))].flatMap((pod) =>
      disagreements(scenario, report, pod),
    );
    expect(lines).toEqual([]);
  });
});
