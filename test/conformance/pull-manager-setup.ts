/**
 * What the pull-manager modules of the conformance suite share: the kubelet's test data put where a kubelet of a
 * given version reads it, and the versions of the two stored `image_pull_manager_test.go` files.
 */
import { type KubeletVersion, kubeletProfile } from '../../src/profiles.js';
import { FakeImageService, PULLED_DIR, PULLING_DIR } from '../support/kubelet-fakes.js';
import { MemoryFileSystem } from '../support/memory-fs.js';
import { fixtureText } from '../support/pull-records.js';

export const FILE = 'pkg/kubelet/images/pullmanager/image_pull_manager_test.go';
export const ALL_VERSIONS: readonly KubeletVersion[] = ['1.33', '1.34', '1.35', '1.36'];
/** The versions of the cases only in the newer stored file (@ 00f1e470): those that track service accounts. */
export const WITH_SERVICE_ACCOUNTS: readonly KubeletVersion[] = ['1.34', '1.35', '1.36'];

/**
 * The test data as the release's own testdata held it: a kubelet that decodes only v1alpha1 (1.33, 1.34) shipped
 * these files as v1alpha1, so a v1beta1 copy gets the older apiVersion back (test/fixtures/kubelet/README.md).
 */
function fixtureFor(dir: 'pulled' | 'pulling', name: string, version: KubeletVersion): string {
  const text = fixtureText(dir, name);
  if (kubeletProfile(version).decodableApiVersions.includes('v1beta1')) return text;
  return text.replace('kubelet.config.k8s.io/v1beta1', 'kubelet.config.k8s.io/v1alpha1');
}

/** A filesystem holding the named test data files in `image_manager/{pulled,pulling}`, as upstream `teeTestData`. */
export function withTestData(
  version: KubeletVersion,
  files: { readonly pulled?: readonly string[]; readonly pulling?: readonly string[] },
): MemoryFileSystem {
  const fs = new MemoryFileSystem();
  for (const name of files.pulled ?? []) fs.put(`${PULLED_DIR}/${name}`, fixtureFor('pulled', name, version));
  for (const name of files.pulling ?? [])
    fs.put(`${PULLING_DIR}/${name}`, fixtureFor('pulling', name, version));
  return fs;
}

/** The test data files by the name the upstream tests give them (`sha256-` of the imageRef or image). */
export const PULLED = {
  testimageref: 'sha256-b3c0cc4278800b03a308ceb2611161430df571ca733122f0a40ac8b9792a9064',
  anonpull: 'sha256-a2eace2182b24cdbbb730798e47b10709b9ef5e0f0c1624a3bc06c8ca987727a',
  emptyCredMapping: 'sha256-f8778b6393eaf39315e767a58cbeacf2c4b270d94b4d6926ee993d9e49444991',
  brokenHash: 'sha256-38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd',
  serviceAccount: 'sha256-917e8b3439bf8a7a6f37ffd2d2ddfdfafac8a251bf214a0be39675742b420b1a',
  testimageref1: 'sha256-d77ed7480bc819274ea7a4dba5b2699b2d3f73c6e578762df42e5a8224771096',
} as const;
export const PULLING = {
  testLatest: 'sha256-aef2af226629a35d5f3ef0fdbb29fdbebf038d0acd8850590e8c48e1e283aa56',
  repoV1: 'sha256-ee81caca15454863449fb55a1d942904d56d5ed9f9b20a7cb3453944ea2c7e11',
  testSomething: 'sha256-f24acc752be18b93b0504c86312bbaf482c9efb0c45e925bbccb0a591cebd7af',
} as const;

/** The CRI image list of upstream TestFileBasedImagePullManager_initialize. */
export function initializeImages(): FakeImageService {
  const images = new FakeImageService();
  images.add({
    id: 'testimageref1',
    repoTags: ['repo.repo/test/test:docker', 'docker.io/testing/test:something'],
  });
  images.add({
    id: 'testimageref2',
    repoTags: ['repo.repo/test/test:v2', 'repo.repo/test/test:test2'],
    repoDigests: ['repo.repo/test/test@dgst2'],
  });
  images.add({
    id: 'testimageref',
    repoTags: ['repo.repo/test/test:v1', 'repo.repo/test/test:test1'],
    repoDigests: ['repo.repo/test/test@dgst1'],
  });
  images.add({ id: 'testimageref3', repoTags: ['repo.repo/test/test:v3', 'repo.repo/test/test:test3'] });
  images.add({
    id: 'testimageref4',
    repoDigests: ['repo.repo/test/test@dgst4', 'repo.repo/test/notatest@dgst44'],
  });
  return images;
}
