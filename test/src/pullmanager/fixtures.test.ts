import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KUBELET_VERSIONS, type KubeletVersion, kubeletProfile } from '../../../src/profiles.js';
import { openPullRecordsStore } from '../../../src/pullmanager/pull-records-store.js';
import {
  type DecodeOptions,
  decodeImagePulledRecord,
  decodeImagePullIntent,
  encodeImagePulledRecord,
  encodeImagePullIntent,
  recordFileName,
} from '../../../src/pullmanager/records.js';
import { MemoryFileSystem } from '../../support/memory-fs.js';

/**
 * The kubelet's own test data (kubernetes/kubernetes pkg/kubelet/images/pullmanager/testdata, see the README next
 * to the files) must load exactly as the kubelet loads it. The files are read from the repository's copy in
 * test/fixtures/kubelet, so the suite works on a clean clone; the shared original is compared when present.
 */
const FIXTURES = join(import.meta.dirname, '../../fixtures/kubelet');
const SHARED_FIXTURES = join(import.meta.dirname, '../../../../shared/fixtures/kubelet');

const ROOT = '/var/lib/kubelet';
const MALFORMED = 'sha256-e766e4624f9bc4d3847d6c5b470d9d5362cc8d0c250bd9572daf95278e044263';
const SERVICE_ACCOUNT = 'sha256-917e8b3439bf8a7a6f37ffd2d2ddfdfafac8a251bf214a0be39675742b420b1a';

type Dir = 'pulled' | 'pulling';

interface Fixture {
  readonly dir: Dir;
  readonly name: string;
  readonly text: string;
  readonly apiVersion: 'v1alpha1' | 'v1beta1';
}

function loadFixtures(base: string): Fixture[] {
  return (['pulled', 'pulling'] as const).flatMap((dir) =>
    readdirSync(join(base, dir))
      .sort()
      .map((name) => {
        const text = readFileSync(join(base, dir, name), 'utf8');
        const apiVersion = text.includes('"kubelet.config.k8s.io/v1alpha1"') ? 'v1alpha1' : 'v1beta1';
        return { dir, name, text, apiVersion } as const;
      }),
  );
}

const fixtures = loadFixtures(FIXTURES);
const valid = fixtures.filter((f) => f.name !== MALFORMED);
const pathOf = (f: Fixture) => `${ROOT}/image_manager/${f.dir}/${f.name}`;

/** A memory filesystem holding every fixture file under `<root>/image_manager/`. */
function fsWithFixtures(): MemoryFileSystem {
  const fs = new MemoryFileSystem();
  for (const f of fixtures) fs.put(pathOf(f), f.text);
  return fs;
}

function decodeOptions(version: KubeletVersion): DecodeOptions {
  const profile = kubeletProfile(version);
  return {
    decodableApiVersions: profile.decodableApiVersions,
    serviceAccountField: profile.serviceAccountTracking,
  };
}

function decodeFixture(f: Fixture, version: KubeletVersion) {
  return f.dir === 'pulling'
    ? decodeImagePullIntent(f.text, decodeOptions(version))
    : decodeImagePulledRecord(f.text, decodeOptions(version));
}

describe('kubelet fixtures (test/fixtures/kubelet)', () => {
  it('the repository copy is the shared fixture set (19 files + README) and, where available, byte-identical', () => {
    // The README's pointers name this repository's docs instead of notes that are not in it, so only the record
    // files are compared byte for byte.
    expect(fixtures).toHaveLength(19);
    expect(fixtures.filter((f) => f.dir === 'pulled')).toHaveLength(12);
    expect(readFileSync(join(FIXTURES, 'README.md'), 'utf8')).toContain('Kubelet image-pull record fixtures');
    if (existsSync(SHARED_FIXTURES)) {
      expect(SHARED_FIXTURES).toBe(join(import.meta.dirname, '../../../../shared/fixtures/kubelet'));
      expect(loadFixtures(SHARED_FIXTURES)).toEqual(fixtures);
    }
  });

  it('every file name is sha256- of its key (imageRef or image), the malformed record included', () => {
    for (const f of fixtures) {
      const key =
        f.dir === 'pulled' ? /"imageRef":"([^"]*)"/.exec(f.text)?.[1] : /"image":"([^"]*)"/.exec(f.text)?.[1];
      expect(key, f.name).toBeDefined();
      expect(recordFileName(key ?? ''), f.name).toBe(f.name);
    }
  });

  it('the malformed record fails to decode, and the error names the file', () => {
    for (const version of KUBELET_VERSIONS) {
      const { accessor } = openPullRecordsStore(fsWithFixtures(), ROOT, kubeletProfile(version));
      const broken = accessor.listImagePulledRecords().errors.filter((e) => e.includes(MALFORMED));
      expect(broken, version).toEqual([
        `failed to deserialize content of file "${ROOT}/image_manager/pulled/${MALFORMED}" into ImagePulledRecord: couldn't get version/kind; json parse error: invalid character ':' after object key:value pair`,
      ]);
    }
    // A point read says "exists, but error" ⇒ the manager must pull.
    const { accessor } = openPullRecordsStore(fsWithFixtures(), ROOT, kubeletProfile('1.35'));
    const got = accessor.getImagePulledRecord('testbrokenrecord');
    expect(got.exists).toBe(true);
    expect(got.record).toBeUndefined();
    expect(got.error).toContain("invalid character ':' after object key:value pair");
  });

  it('each valid file re-encodes to its exact bytes in its own version (the hand-made ones lack the final newline)', () => {
    // The kubelet's encoder always ends a file with one newline; several upstream test files were written by hand
    // without it. Both decode, so the comparison adds the newline where the fixture has none.
    for (const f of valid) {
      const decoded = decodeFixture(f, '1.35');
      if (!decoded.ok) throw new Error(`${f.name}: ${decoded.error}`);
      expect(decoded.apiVersion).toBe(f.apiVersion);
      const encoded =
        f.dir === 'pulling'
          ? encodeImagePullIntent(decoded.value as { image: string }, decoded.apiVersion)
          : encodeImagePulledRecord(
              decoded.value as Parameters<typeof encodeImagePulledRecord>[0],
              decoded.apiVersion,
            );
      const expected = f.text.endsWith('\n') ? f.text : `${f.text}\n`;
      expect(encoded, f.name).toBe(expected);
    }
    // Both forms occur in the set.
    expect(valid.filter((f) => f.text.endsWith('\n')).length).toBeGreaterThan(0);
    expect(valid.filter((f) => !f.text.endsWith('\n')).length).toBeGreaterThan(0);
  });

  it('each valid v1beta1 file re-encodes to its exact bytes with profile 1.35, and is left untouched at start-up', () => {
    const fs = fsWithFixtures();
    const { files } = openPullRecordsStore(fs, ROOT, kubeletProfile('1.35'));
    const beta = valid.filter((f) => f.apiVersion === 'v1beta1');
    expect(beta).toHaveLength(10);
    for (const f of beta) {
      expect(fs.read(pathOf(f)), f.name).toBe(f.text);
      const expected = f.text.endsWith('\n') ? f.text : `${f.text}\n`;
      if (f.dir === 'pulling') {
        const image = (JSON.parse(f.text) as { image: string }).image;
        expect(files.imagePullIntentExists(image)).toEqual({ exists: true });
        expect(encodeImagePullIntent({ image }, 'v1beta1')).toBe(expected);
      } else {
        const ref = (JSON.parse(f.text) as { imageRef: string }).imageRef;
        const got = files.getImagePulledRecord(ref);
        expect(got.exists).toBe(true);
        if (got.record === undefined) throw new Error(f.name);
        expect(encodeImagePulledRecord(got.record, 'v1beta1'), f.name).toBe(expected);
      }
    }
  });

  it('each v1alpha1 file migrates to v1beta1 at start-up with its content otherwise unchanged (#132579)', () => {
    const fs = fsWithFixtures();
    openPullRecordsStore(fs, ROOT, kubeletProfile('1.35'));
    const alpha = valid.filter((f) => f.apiVersion === 'v1alpha1');
    expect(alpha).toHaveLength(8);
    for (const f of alpha) {
      // The byte rule of upstream fs_pullrecords_test.go: the input with its first v1alpha1 replaced by v1beta1 –
      // plus the encoder's newline for the three hand-made files that lack it (they are rewritten by the encoder
      // like every other).
      const migrated = f.text.replace('kubelet.config.k8s.io/v1alpha1', 'kubelet.config.k8s.io/v1beta1');
      expect(fs.read(pathOf(f)), f.name).toBe(migrated.endsWith('\n') ? migrated : `${migrated}\n`);
    }
    // The malformed (v1alpha1) record is only reported and stays as it was.
    expect(fs.read(`${ROOT}/image_manager/pulled/${MALFORMED}`)).toBe(
      fixtures.find((f) => f.name === MALFORMED)?.text,
    );
  });

  it('1.33/1.34 do not migrate: every file stays byte-identical', () => {
    for (const version of ['1.33', '1.34'] as const) {
      const fs = fsWithFixtures();
      openPullRecordsStore(fs, ROOT, kubeletProfile(version));
      for (const f of fixtures) expect(fs.read(pathOf(f))).toBe(f.text);
    }
  });

  it('README note 7: which profile can read which file', () => {
    for (const version of KUBELET_VERSIONS) {
      for (const f of fixtures) {
        const decoded = decodeFixture(f, version);
        const old = version === '1.33' || version === '1.34';
        let expected: string | undefined;
        if (f.name === MALFORMED) expected = 'json parse error';
        else if (old && f.apiVersion === 'v1beta1')
          expected = 'is registered for version "kubelet.config.k8s.io/v1beta1"';
        else if (version === '1.33' && f.name === SERVICE_ACCOUNT)
          expected = 'unknown field "kubernetesServiceAccounts"';
        if (expected === undefined) expect(decoded.ok, `${version} ${f.name}`).toBe(true);
        else expect(decoded.ok ? 'decoded' : decoded.error, `${version} ${f.name}`).toContain(expected);
      }
    }
  });

  it('loads the whole set through each profile: the good files are listed, each bad one reported once', () => {
    const expectations: Record<KubeletVersion, { pulled: number; pulling: number; errors: number }> = {
      // 1.33/1.34 reject the 10 v1beta1 files; 1.33 also the service-account record; all reject the malformed one.
      '1.33': { pulled: 4, pulling: 3, errors: 10 + 1 + 1 },
      '1.34': { pulled: 5, pulling: 3, errors: 10 + 1 },
      '1.35': { pulled: 11, pulling: 7, errors: 1 },
      '1.36': { pulled: 11, pulling: 7, errors: 1 },
    };
    for (const version of KUBELET_VERSIONS) {
      const { accessor } = openPullRecordsStore(fsWithFixtures(), ROOT, kubeletProfile(version));
      const records = accessor.listImagePulledRecords();
      const intents = accessor.listImagePullIntents();
      expect(
        {
          pulled: records.records.length,
          pulling: intents.intents.length,
          errors: records.errors.length + intents.errors.length,
        },
        version,
      ).toEqual(expectations[version]);
    }
  });
});
