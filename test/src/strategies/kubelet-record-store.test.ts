import { describe, expect, it } from 'vitest';
import type { PullImageJob, PullImageJobResult } from '../../../src/image-manager/index.js';
import { type KubeletImageConfig, startKubeletImageStack } from '../../../src/kubelet.js';
import { kubeletProfile } from '../../../src/profiles.js';
import { JournalPullRecordsAccessor } from '../../../src/strategies/index.js';
import {
  dockerConfigJsonSecret,
  ensureRequest,
  FakeClock,
  FakeCredentialSources,
  FakeImageService,
  pullFailed,
  pullSucceeded,
  RecordingEventRecorder,
  startTestNode,
  type TestNode,
} from '../../support/kubelet-fakes.js';
import { MemoryFileSystem } from '../../support/memory-fs.js';

/**
 * `KubeletImageConfig.recordStore`: the kubelet's image stack on a chosen record store. Without it nothing
 * changes; with it, tenant isolation holds across restarts on every persistent strategy and fails on `memory`,
 * as the KEP said when it rejected in-memory records.
 */

const APP = 'reg.io/p/app:1';
const APP_REF = `sha256:${'a'.repeat(64)}`;
const LOG = '/var/lib/kubelet/image_manager/journal.log';

/** A registry that accepts alice only. */
function registry(job: PullImageJob): PullImageJobResult {
  const used = job.credentials.find((c) => c.username === 'alice' && c.password === 'pw1');
  return used === undefined ? pullFailed('unauthorized') : pullSucceeded(APP_REF, { credentialsUsed: used });
}

const secretA = dockerConfigJsonSecret({
  namespace: 'a',
  name: 'sa1',
  uid: 'uidA',
  registry: 'reg.io',
  username: 'alice',
  password: 'pw1',
});

/** Tenant a pulls the private image with its secret; then tenant b, without one, asks for it (IfNotPresent). */
function tenantBAfterRestart(config: KubeletImageConfig): { pulledByB: boolean; node: TestNode } {
  const first = startTestNode({ config });
  const a = first.ensure(
    ensureRequest(APP, 'IfNotPresent', { pod: { namespace: 'a', name: 'pa' }, pullSecrets: [secretA] }),
    registry,
  );
  expect(a.result).toMatchObject({ ok: true, pulled: true });
  first.images.add({ id: APP_REF, repoTags: [APP] });
  const node = first.restart();
  const b = node.ensure(
    ensureRequest(APP, 'IfNotPresent', { pod: { namespace: 'b', name: 'pb' } }),
    registry,
  );
  // A job means the kubelet verified B's (missing) credentials with the registry, which refused.
  if (b.job !== undefined) expect(b.result).toMatchObject({ ok: false });
  return { pulledByB: b.job !== undefined, node };
}

describe('startKubeletImageStack with a record store', () => {
  it.each([
    'fs',
    'fs+lru',
    'fs+lru:8/16',
    'journal',
    'journal:volatile-intents',
    'revoke-on-delete',
    'ttl:24h',
  ])('%s: a tenant without credentials cannot use a private image after a restart', (recordStore) => {
    expect(tenantBAfterRestart({ recordStore }).pulledByB).toBe(true);
  });

  it('memory: after a restart the private image looks preloaded and any tenant may use it (why the KEP persists)', () => {
    expect(tenantBAfterRestart({ recordStore: 'memory' }).pulledByB).toBe(false);
    expect(tenantBAfterRestart({}).pulledByB).toBe(true);
  });

  it('journal: the stack reads and writes the log, not the kubelet’s files', () => {
    const { node } = tenantBAfterRestart({ recordStore: 'journal' });
    expect(node.stack.records).toBeInstanceOf(JournalPullRecordsAccessor);
    expect(node.stack.metrics).toBeUndefined();
    expect(node.fs.read(LOG)).toContain('"imageRef":"sha256:aaaa');
    expect(node.fs.exists('/var/lib/kubelet/image_manager/pulled')).toBe(false);
  });

  it('revoke-on-delete exposes the hook on the stack; deleting the secret withdraws access', () => {
    const node = startTestNode({ config: { recordStore: 'revoke-on-delete' } });
    node.ensure(
      ensureRequest(APP, 'IfNotPresent', { pod: { namespace: 'a', name: 'pa' }, pullSecrets: [secretA] }),
      registry,
    );
    node.images.add({ id: APP_REF, repoTags: [APP] });
    const again = () =>
      node.ensure(
        ensureRequest(APP, 'IfNotPresent', { pod: { namespace: 'a', name: 'pa2' }, pullSecrets: [secretA] }),
        registry,
      );
    expect(again().job).toBeUndefined();
    node.stack.onCredentialSourceDeleted?.({ kind: 'secret', namespace: 'a', name: 'sa1' });
    expect(again().job).toBeDefined();
  });

  it('without recordStore the stack is the profile’s own, with its gauges and no hook', () => {
    const node = startTestNode({});
    expect(Object.keys(node.stack)).toEqual([
      'featureGateEnabled',
      'policy',
      'pullManager',
      'records',
      'metrics',
      'imageManager',
    ]);
    expect(startTestNode({ config: { recordStore: 'fs' } }).stack.metrics).toBeUndefined();
    expect(startTestNode({ config: { recordStore: 'fs+lru' } }).stack.metrics).toBeDefined();
  });

  it('an invalid spec is a start-up error, also with the feature gate off', () => {
    const ports = {
      fs: new MemoryFileSystem(),
      clock: new FakeClock(),
      imageService: new FakeImageService(),
      credentialSources: new FakeCredentialSources(),
      recorder: new RecordingEventRecorder(),
    };
    expect(startKubeletImageStack({ recordStore: 'fs+lru:0/1' }, ports, kubeletProfile('1.36'))).toEqual({
      ok: false,
      errors: [
        'invalid record store "fs+lru:0/1": the intents cache size must be an integer from 1 to 10000000, got "0"',
      ],
    });
    expect(startKubeletImageStack({ recordStore: 'sqlite' }, ports, kubeletProfile('1.33'))).toMatchObject({
      ok: false,
    });
    // With the gate off a valid store is accepted and never opened.
    const off = startKubeletImageStack({ recordStore: 'journal' }, ports, kubeletProfile('1.33'));
    expect(off.ok).toBe(true);
    expect(ports.fs.exists('/var/lib/kubelet')).toBe(false);
  });

  it('a store that cannot start is a start-up error (the kubelet exits and is restarted)', () => {
    const fs = new MemoryFileSystem();
    fs.put(LOG, 'x\n');
    fs.failNext(LOG, 'EIO', { op: 'readFile' });
    const ports = {
      fs,
      clock: new FakeClock(),
      imageService: new FakeImageService(),
      credentialSources: new FakeCredentialSources(),
      recorder: new RecordingEventRecorder(),
    };
    expect(startKubeletImageStack({ recordStore: 'journal' }, ports, kubeletProfile('1.36'))).toEqual({
      ok: false,
      errors: [`failed to read the record journal: readFile ${LOG}: input/output error`],
    });
    expect(startKubeletImageStack({ recordStore: 'journal' }, ports, kubeletProfile('1.36')).ok).toBe(true);
  });
});
