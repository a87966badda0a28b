/**
 * `pkg/kubelet/images/pullmanager/fs_pullrecords_test.go` @ 20418a0c (the start-up migration of
 * kubernetes/kubernetes#132579, 1.35+): the constructor creates `image_manager/{pulling,pulled}` under the kubelet
 * root, even when the root does not exist, and rewrites every v1alpha1 file as v1beta1, byte for byte the input
 * with its first `kubelet.config.k8s.io/v1alpha1` replaced. The files are the kubelet's own test data, copied
 * in test/fixtures/kubelet.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type KubeletVersion, kubeletProfile } from '../../src/profiles.js';
import { FileSystemPullRecordsAccessor } from '../../src/pullmanager/fs-accessor.js';
import { MemoryFileSystem } from '../support/memory-fs.js';
import { upstreamTest } from './upstream-case.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/kubelet');
const KUBELET_DIR = '/tmp/TestNewFSPullRecordsAccessor';

interface AccessorFacts {
  readonly rootExists: boolean;
  /** testdata/pulling files copied to `<root>/image_manager/pulling` before construction. */
  readonly intents?: readonly string[];
  /** testdata/pulled files copied to `<root>/image_manager/pulled`. */
  readonly pulled?: readonly string[];
  /** Whether the expected files are the inputs with v1alpha1 → v1beta1 (upstream `modIntent`/`modPulledRecord`). */
  readonly intentsMigrated?: boolean;
  readonly pulledMigrated?: boolean;
}

const ALPHA_INTENTS = [
  'sha256-6da3dced7eccc7ad0189517c31ec2235b50f730449d738d91525721f7e027fd4',
  'sha256-b6e1482bb6cb030924530b918e609fff30bbb07ab6845451d89deb823c3f72a9',
];
const MIXED_INTENTS = [
  'sha256-aef2af226629a35d5f3ef0fdbb29fdbebf038d0acd8850590e8c48e1e283aa56',
  'sha256-6da3dced7eccc7ad0189517c31ec2235b50f730449d738d91525721f7e027fd4',
  'sha256-ee81caca15454863449fb55a1d942904d56d5ed9f9b20a7cb3453944ea2c7e11',
  'sha256-b6e1482bb6cb030924530b918e609fff30bbb07ab6845451d89deb823c3f72a9',
];
const BETA_INTENTS = [
  'sha256-aef2af226629a35d5f3ef0fdbb29fdbebf038d0acd8850590e8c48e1e283aa56',
  'sha256-ee81caca15454863449fb55a1d942904d56d5ed9f9b20a7cb3453944ea2c7e11',
  'sha256-f24acc752be18b93b0504c86312bbaf482c9efb0c45e925bbccb0a591cebd7af',
];
const ALPHA_PULLED = [
  'sha256-7045bdd498b0e4b3963d50f906793ffbd68dc98686ec46c5b499a0a640a560b2',
  'sha256-dd1dd8dc6a329b7e1c2e43951302b23a047cb20fd3e10090e4ce7e8396035405',
];
const MIXED_PULLED = [
  'sha256-7045bdd498b0e4b3963d50f906793ffbd68dc98686ec46c5b499a0a640a560b2',
  'sha256-38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd',
  'sha256-dd1dd8dc6a329b7e1c2e43951302b23a047cb20fd3e10090e4ce7e8396035405',
  'sha256-a2eace2182b24cdbbb730798e47b10709b9ef5e0f0c1624a3bc06c8ca987727a',
  'sha256-f8778b6393eaf39315e767a58cbeacf2c4b270d94b4d6926ee993d9e49444991',
];
const BETA_PULLED = [
  'sha256-38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd',
  'sha256-a2eace2182b24cdbbb730798e47b10709b9ef5e0f0c1624a3bc06c8ca987727a',
  'sha256-f8778b6393eaf39315e767a58cbeacf2c4b270d94b4d6926ee993d9e49444991',
];

type Dir = 'pulling' | 'pulled';

/**
 * Two files the test lists as v1beta1 are kept in test/fixtures/kubelet only in their older v1alpha1 version (see
 * its README, note 1). The test only needs them to be v1beta1 files, left unchanged: they are given here with the
 * apiVersion the test's own `modIntent` would write.
 */
const BETA_ONLY_IN_ALPHA_COPY = new Set([
  'sha256-f24acc752be18b93b0504c86312bbaf482c9efb0c45e925bbccb0a591cebd7af',
  'sha256-f8778b6393eaf39315e767a58cbeacf2c4b270d94b4d6926ee993d9e49444991',
]);

function fixture(dir: Dir, name: string): string {
  const text = readFileSync(join(FIXTURES, dir, name), 'utf8');
  return BETA_ONLY_IN_ALPHA_COPY.has(name) ? migrate(text) : text;
}

function migrate(text: string): string {
  return text.replace('kubelet.config.k8s.io/v1alpha1', 'kubelet.config.k8s.io/v1beta1');
}

/** The upstream expectation: the input, its first v1alpha1 apiVersion replaced when migrated. */
function expected(input: string, migrated: boolean): string {
  return migrated ? migrate(input) : input;
}

function openAccessor(fs: MemoryFileSystem, root: string, version: KubeletVersion): void {
  const profile = kubeletProfile(version);
  new FileSystemPullRecordsAccessor(fs, root, {
    recordApiVersion: profile.recordApiVersion,
    decodableApiVersions: profile.decodableApiVersions,
    serviceAccountField: profile.serviceAccountTracking,
    migrateRecordsAtStartup: profile.migrateRecordsAtStartup,
  });
}

const newFSPullRecordsAccessor = upstreamTest<AccessorFacts>({
  file: 'pkg/kubelet/images/pullmanager/fs_pullrecords_test.go',
  test: 'TestNewFSPullRecordsAccessor',
  versions: ['1.35', '1.36'],
  cases: [
    { case: 'kubelet root dir does not exist', facts: { rootExists: false } },
    { case: 'kubelet root dir exists', facts: { rootExists: true } },
    {
      case: 'only alpha intents',
      facts: { rootExists: true, intents: ALPHA_INTENTS, intentsMigrated: true },
    },
    {
      case: 'alpha and beta intents mixed',
      facts: { rootExists: true, intents: MIXED_INTENTS, intentsMigrated: true },
    },
    { case: 'only beta intents', facts: { rootExists: true, intents: BETA_INTENTS } },
    {
      case: 'only alpha pulled records',
      facts: { rootExists: true, pulled: ALPHA_PULLED, pulledMigrated: true },
    },
    {
      case: 'alpha and beta pulled records mixed',
      facts: { rootExists: true, pulled: MIXED_PULLED, pulledMigrated: true },
    },
    { case: 'only beta pulled records', facts: { rootExists: true, pulled: BETA_PULLED } },
    {
      case: 'everything altogether',
      facts: {
        rootExists: true,
        intents: MIXED_INTENTS,
        intentsMigrated: true,
        pulled: MIXED_PULLED,
        pulledMigrated: true,
      },
    },
  ],
  check(facts, version) {
    const fs = new MemoryFileSystem();
    const root = facts.rootExists ? KUBELET_DIR : `${KUBELET_DIR}/does-not-exist/level2dir`;
    if (facts.rootExists) fs.putDir(KUBELET_DIR);
    const files: Array<{ path: string; want: string }> = [];
    const seed = (dir: Dir, names: readonly string[] | undefined, migrated: boolean | undefined) => {
      for (const name of names ?? []) {
        const path = `${root}/image_manager/${dir}/${name}`;
        const input = fixture(dir, name);
        fs.put(path, input);
        files.push({ path, want: expected(input, migrated === true) });
      }
    };
    seed('pulling', facts.intents, facts.intentsMigrated);
    seed('pulled', facts.pulled, facts.pulledMigrated);
    openAccessor(fs, root, version);
    for (const dir of ['image_manager', 'image_manager/pulling', 'image_manager/pulled']) {
      expect(fs.stat(`${root}/${dir}`).isDirectory, `${dir} is a directory`).toBe(true);
    }
    for (const { path, want } of files) expect(fs.read(path), path).toBe(want);
  },
});

export const FS_PULLRECORDS_TESTS = [newFSPullRecordsAccessor];
