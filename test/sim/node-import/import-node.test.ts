import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT_OK } from '../../../sim/cli.js';
import { compareScenario, type ScenarioComparison } from '../../../sim/compare.js';
import { loadScenario } from '../../../sim/files.js';
import { type ImportedNode, importNode } from '../../../sim/node-import/index.js';
import type { PodManifest, SecretManifest } from '../../../sim/scenario/types.js';
import { credentialHash } from '../../../src/credentials/index.js';
import { recordFileName } from '../../../src/pullmanager/records.js';
import { runCli, useTempDir } from '../../support/cli-harness.js';
import { SNAPSHOT } from './snapshot-copy.js';

/*
 * The fixture node (test/fixtures/node-snapshot/, README there) imported, loaded and compared. Every expected value
 * below is worked out by hand from the fixture's files and the kubelet's rules (docs/kubelet-model.md
 * "MustAttemptImagePull"), not read off the importer's output.
 */

const temp = useTempDir('pullsim-import-');
let imported: ImportedNode;
let comparison: ScenarioComparison;

beforeAll(async () => {
  imported = await importNode(SNAPSHOT);
  comparison = compareScenario(imported.scenario, {
    modes: ['legacy', 'NeverVerifyPreloadedImages', 'AlwaysVerify'],
  });
});

const ID = {
  appV1: 'sha256:b3ae98c68ccd7718447bfda9546504a0a8bc421a45d32d437555a080a0330e28',
  api: 'sha256:39514e44bb41648d002910ccecf8b9763726001e64446e49e3f888a29018ac24',
  worker: 'sha256:36398974d6cf13e13eb3574a7deaca6250a5ca84e67c2af0fb8688bd49eff5e0',
};

function pod(key: string): PodManifest {
  const found = imported.scenario.objects.find(
    (o): o is PodManifest => o.kind === 'Pod' && `${o.metadata.namespace}/${o.metadata.name}` === key,
  );
  if (found === undefined) throw new Error(`no pod ${key}`);
  return found;
}

function file(path: string): string {
  return imported.scenario.nodes[0]?.imageManagerFiles[path] ?? '';
}

describe('pullsim import of the fixture node', () => {
  it('takes the kubelet version and configuration from node.yaml and configz.json', () => {
    expect(imported.scenario.kubelet.version).toBe('1.35');
    expect(imported.scenario.kubelet.imagePullCredentialsVerificationPolicy).toBe(
      'NeverVerifyPreloadedImages',
    );
    expect(imported.scenario.kubelet.featureGates.KubeletEnsureSecretPulledImages).toBe(true);
    expect(imported.scenario.nodes.map((n) => n.name)).toEqual(['node-a']);
  });

  it("imports the node's running pods only, with their namespaces, pull secrets and service accounts", () => {
    const keys = (kind: string) =>
      imported.scenario.objects
        .filter((o) => o.kind === kind)
        .map((o) => (kind === 'Namespace' ? o.metadata.name : `${o.metadata.namespace}/${o.metadata.name}`));
    // other/elsewhere runs on node-b; team-c/migrate-29431 has finished.
    expect(keys('Pod')).toEqual([
      'kube-system/kube-proxy-node-a',
      'team-a/web',
      'team-a/web-canary',
      'team-a/web-copy',
      'team-b/agent',
      'team-b/api',
      'team-b/build',
      'team-b/thief',
      'team-c/proxy',
      'team-c/worker',
    ]);
    expect(keys('Namespace')).toEqual(['kube-system', 'team-a', 'team-b', 'team-c']);
    // Only the docker-config types: not the Opaque secret nor the service-account token; not other/ (no pod there).
    expect(keys('Secret')).toEqual([
      'team-a/regcred',
      'team-a/regcred-copy',
      'team-b/legacy-cfg',
      'team-b/regcred',
      'team-c/rotated',
    ]);
    expect(keys('ServiceAccount')).toEqual([
      'kube-system/kube-proxy',
      'team-a/default',
      'team-b/builder',
      'team-b/default',
      'team-c/default',
    ]);
    // The static pod's mirror keeps its source and names no service account.
    expect(pod('kube-system/kube-proxy-node-a').metadata.annotations).toEqual({
      'kubernetes.io/config.source': 'file',
    });
    expect(pod('kube-system/kube-proxy-node-a').spec.serviceAccountName).toBeUndefined();
    expect(pod('team-c/worker').spec.containers.map((c) => [c.name, c.role])).toEqual([
      ['wait', 'init'],
      ['worker', undefined],
    ]);
  });

  it('replaces each credential by a generated one, the same real credential by the same replacement', () => {
    const config = (namespace: string, name: string) => {
      const secret = imported.scenario.objects.find(
        (o): o is SecretManifest =>
          o.kind === 'Secret' && o.metadata.namespace === namespace && o.metadata.name === name,
      );
      return JSON.parse(Object.values(secret?.stringData ?? {})[0] ?? 'null') as unknown;
    };
    // Numbered in the order met: the node's config.json, then the secrets by namespace/name.
    expect(imported.scenario.nodes[0]?.credentials).toEqual({
      'https://index.docker.io/v1/': { username: 'user-1', password: 'replaced-1' },
    });
    const teamA = { auths: { 'registry.example.com': { username: 'user-2', password: 'replaced-2' } } };
    expect(config('team-a', 'regcred')).toEqual(teamA);
    expect(config('team-a', 'regcred-copy')).toEqual(teamA);
    expect(config('team-b', 'legacy-cfg')).toEqual({
      'https://index.docker.io/v1/': { username: 'user-3', password: 'replaced-3' },
    });
    expect(config('team-b', 'regcred')).toEqual({
      auths: { 'https://registry.example.com': { username: 'user-4', password: 'replaced-4' } },
    });
    expect(config('team-c', 'rotated')).toEqual({
      auths: { 'registry.example.com': { username: 'user-5', password: 'replaced-5' } },
    });
  });

  it("rewrites the records' credential hashes to those of the replacements, and keeps every other byte", () => {
    const hashIn = (text: string) => /"credentialHash":"([^"]*)"/.exec(text)?.[1];
    expect(hashIn(file(`pulled/${recordFileName(ID.appV1)}`))).toBe(
      credentialHash({ username: 'user-2', password: 'replaced-2' }),
    );
    expect(hashIn(file(`pulled/${recordFileName(ID.api)}`))).toBe(
      credentialHash({ username: 'user-4', password: 'replaced-4' }),
    );
    // team-c's record holds the hash of the password before rotation: it matches no credential on the node.
    expect(hashIn(file(`pulled/${recordFileName(ID.worker)}`))).toBe(
      credentialHash({ username: 'unmatched-1', password: 'unmatched-1' }),
    );
    // Files without a 64-hex hash (the upstream testdata, the malformed record, intents) are kept byte for byte.
    for (const path of [
      'pulled/sha256-e766e4624f9bc4d3847d6c5b470d9d5362cc8d0c250bd9572daf95278e044263',
      'pulled/sha256-b3c0cc4278800b03a308ceb2611161430df571ca733122f0a40ac8b9792a9064',
      'pulled/sha256-a2eace2182b24cdbbb730798e47b10709b9ef5e0f0c1624a3bc06c8ca987727a',
      'pulling/sha256-6da3dced7eccc7ad0189517c31ec2235b50f730449d738d91525721f7e027fd4',
    ])
      expect(file(path)).toBe(readFileSync(join(SNAPSHOT, 'image_manager', path), 'utf8'));
    expect(Object.keys(imported.scenario.nodes[0]?.imageManagerFiles ?? {})).toHaveLength(10);
  });

  it('infers registries, repositories, tags and users, and says what it assumed', () => {
    const registry = (host: string) => imported.scenario.registries.find((r) => r.host === host);
    expect(imported.scenario.registries.map((r) => r.host)).toEqual([
      'docker.io',
      'registry.example.com',
      'registry.k8s.io',
    ]);
    expect(registry('docker.io')?.users.map((u) => u.username)).toEqual(['user-1', 'user-3']);
    expect(registry('registry.example.com')?.users.map((u) => u.username)).toEqual([
      'user-2',
      'user-4',
      'user-5',
    ]);
    const repo = (host: string, name: string) => registry(host)?.repositories.find((r) => r.name === name);
    expect(repo('registry.example.com', 'team-a/app')?.tags.v1?.digest).toBe(ID.appV1);
    expect(repo('registry.example.com', 'team-a/app')?.public).toBe(false);
    expect(repo('registry.example.com', 'shared/base')?.pullers).toContain(
      'system:serviceaccount:team-b:builder',
    );
    expect(registry('registry.example.com')?.serviceAccountTokenProvider).toBeDefined();
    // The node holds docker.io credentials, so its anonymous-looking record proves nothing; registry.k8s.io has none.
    expect(repo('docker.io', 'library/nginx')?.public).toBe(false);
    expect(repo('registry.k8s.io', 'pause')?.public).toBe(true);
    // Nine tagged images; the untagged one is left out.
    expect(imported.scenario.nodes[0]?.images).toHaveLength(9);
    expect(imported.yaml).toMatch(/^# ASSUMED, because registry access rules are not on the node/m);
    const about = imported.notes.map((n) => `${n.about}: ${n.message.split(':')[0]}`);
    expect(about).toEqual(
      expect.arrayContaining([
        'objects.yaml: 1 finished pod(s) (phase Succeeded or Failed) left out',
        'image_manager: pulled/sha256-e766e4624f9bc4d3847d6c5b470d9d5362cc8d0c250bd9572daf95278e044263',
        'images.json: image sha256',
      ]),
    );
    expect(imported.notes.filter((n) => n.message.includes('leftover pull intent'))).toHaveLength(2);
    expect(imported.notes.some((n) => n.message.startsWith('1 credential hash(es)'))).toBe(true);
  });

  it('loads from the file it writes exactly as returned, and `compare` runs on it', async () => {
    const out = join(temp.dir, 'node.yaml');
    const cli = await runCli(['import', SNAPSHOT, '--out', out]);
    expect(cli.code).toBe(EXIT_OK);
    expect(loadScenario(out)).toEqual(imported.scenario);
    const compared = await runCli(['compare', out]);
    expect(compared.code).toBe(EXIT_OK);
    expect(compared.stdout).toMatch(/node-node-a/);
  });
});

describe("the imported node's next starts, worked by hand", () => {
  const outcome = (mode: string, key: string, container?: string) => {
    const result = comparison.results.find((r) => r.mode === mode);
    const found = result?.containers.find(
      (c) => c.pod === key && (container === undefined || c.container === container),
    );
    if (found === undefined) throw new Error(`no ${key} in ${mode}`);
    return found;
  };

  it('AlwaysVerify: pods whose own credentials a record holds reuse; the others verify, and fail without any', () => {
    // Secret coordinates in the record (web, api, worker), the same credential hash under other coordinates
    // (web-copy: the rewritten hash still matches), a service account (build), a node-wide pull (proxy).
    for (const key of ['team-a/web', 'team-a/web-copy', 'team-b/api', 'team-b/build', 'team-c/proxy'])
      expect([key, outcome('AlwaysVerify', key).pulls]).toEqual([key, 0]);
    expect(outcome('AlwaysVerify', 'team-c/worker', 'worker').pulls).toBe(0);
    // The leftover intent makes app:v2 kubelet-pulled with no credentials: team-a verifies and may pull it.
    expect(outcome('AlwaysVerify', 'team-a/web-canary').pulls).toBe(1);
    expect(outcome('AlwaysVerify', 'team-a/web-canary').state).toBe('running');
    // No credential of their own for registry.example.com: refused.
    for (const key of ['team-b/thief', 'team-b/agent']) {
      expect(outcome('AlwaysVerify', key).started).toBe(false);
      expect(outcome('AlwaysVerify', key).reason).toBe('ImagePullBackOff');
    }
  });

  it('NeverVerifyPreloadedImages: the preloaded private image is reused without credentials (an exposure)', () => {
    expect(outcome('NeverVerifyPreloadedImages', 'team-b/agent').violation).toBe(true);
    expect(outcome('NeverVerifyPreloadedImages', 'team-b/thief').started).toBe(false);
    expect(outcome('NeverVerifyPreloadedImages', 'kube-system/kube-proxy-node-a').pulls).toBe(0);
    expect(outcome('NeverVerifyPreloadedImages', 'team-a/web-canary').pulls).toBe(1);
  });

  it('legacy: both pods without credentials run private images', () => {
    const violations = comparison.results
      .find((r) => r.mode === 'legacy')
      ?.containers.filter((c) => c.violation)
      .map((c) => c.pod);
    expect(violations).toEqual(['team-b/agent', 'team-b/thief']);
  });
});
