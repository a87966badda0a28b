import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CredentialReplacer,
  pullSecretContent,
  readNodeDockerConfig,
  replacedSecretData,
} from '../../../sim/node-import/credentials.js';
import { importNode } from '../../../sim/node-import/index.js';
import { credentialHash } from '../../../src/credentials/index.js';
import { useTempDir } from '../../support/cli-harness.js';
import { copySnapshot } from './snapshot-copy.js';

const temp = useTempDir('pullsim-credentials-');
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('CredentialReplacer', () => {
  it('property: a record hash matches a replaced credential exactly when it matched the real one', () => {
    const credential = fc.record({
      username: fc.string({ maxLength: 6 }),
      password: fc.string({ maxLength: 6 }),
      email: fc.constantFrom('', 'a@b.c'),
    });
    fc.assert(
      fc.property(
        fc.array(credential, { maxLength: 6 }),
        fc.array(credential, { maxLength: 6 }),
        (held, recorded) => {
          const replacer = new CredentialReplacer();
          const replaced = held.map((c) => credentialHash(replacer.replace(c)));
          for (const real of recorded) {
            const record = `{"credentialHash":"${credentialHash(real)}"}`;
            const rewritten = /"credentialHash":"([0-9a-f]{64})"/.exec(replacer.rewriteRecord(record))?.[1];
            const before = held.map((c) => credentialHash(c) === credentialHash(real));
            expect(replaced.map((hash) => hash === rewritten)).toEqual(before);
          }
        },
      ),
    );
  });

  it('keeps a credentialHash that is not 64 hex digits (upstream testdata) as it is', () => {
    const text = '{"credentialHash":"testsecrethash"},{"credentialHash":""}';
    expect(new CredentialReplacer().rewriteRecord(text)).toBe(text);
  });
});

describe('reading docker configs as the kubelet does', () => {
  it('the node config: {"auths": …}, the older bare map, and what the kubelet cannot read', () => {
    const entry = { auth: b64('u:p') };
    expect(readNodeDockerConfig(JSON.stringify({ auths: { 'r.example.com': entry } }))).toEqual({
      config: { 'r.example.com': { username: 'u', password: 'p', email: '' } },
    });
    expect(readNodeDockerConfig(JSON.stringify({ 'r.example.com': entry }))).toEqual({
      config: { 'r.example.com': { username: 'u', password: 'p', email: '' } },
    });
    expect(readNodeDockerConfig('{')).toEqual({ problem: 'not valid JSON' });
    expect(readNodeDockerConfig('[1]')).toEqual({ problem: 'not a JSON object' });
    expect(readNodeDockerConfig('{"auths": 5}')).toEqual({ problem: '"auths" is not a JSON object' });
  });

  it('pull secrets: only the docker types; empty and unparseable ones told apart', () => {
    const secret = (type: string, data: Record<string, string>) => ({ metadata: { name: 's' }, type, data });
    expect(pullSecretContent(secret('Opaque', { password: b64('x') })).kind).toBe('not-a-pull-secret');
    expect(pullSecretContent(secret('kubernetes.io/dockerconfigjson', {})).kind).toBe('empty');
    expect(
      pullSecretContent(secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{"auths":5}') }))
        .kind,
    ).toBe('unparseable');
    expect(replacedSecretData('kubernetes.io/dockerconfigjson', undefined)).toEqual({
      '.dockerconfigjson': '{"auths":5}',
    });
    expect(replacedSecretData('kubernetes.io/dockercfg', undefined)).toEqual({
      '.dockercfg': '{"unparseable":5}',
    });
  });
});

describe('pull secrets of the imported node', () => {
  it('an unparseable one stays unparseable, an empty one is left out, a glob key is declared nowhere', async () => {
    const dir = copySnapshot(temp.dir, 'secrets');
    const objects = readFileSync(join(dir, 'objects.yaml'), 'utf8');
    const extra = [
      secretItem('team-a', 'broken', 'kubernetes.io/dockerconfigjson', {
        '.dockerconfigjson': b64('{"auths":5}'),
      }),
      secretItem('team-a', 'empty', 'kubernetes.io/dockerconfigjson', {}),
      secretItem('team-a', 'glob', 'kubernetes.io/dockerconfigjson', {
        '.dockerconfigjson': b64(
          JSON.stringify({ auths: { '*.example.com': { username: 'g', password: 'h' } } }),
        ),
      }),
    ].join('');
    writeFileSync(join(dir, 'objects.yaml'), objects.replace(/^items:\n/m, `items:\n${extra}`));
    const imported = await importNode(dir);
    const names = imported.scenario.objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name);
    expect(names).toContain('broken');
    expect(names).toContain('glob');
    expect(names).not.toContain('empty');
    const messages = imported.notes.map((n) => n.message);
    expect(messages).toContain(
      'secret team-a/empty: holds no docker config; left out (the kubelet finds no credential in it either)',
    );
    expect(messages.some((m) => m.startsWith('a docker config key with a glob (*.example.com)'))).toBe(true);
  });
});

function secretItem(namespace: string, name: string, type: string, data: Record<string, string>): string {
  const lines = Object.entries(data).map(([key, value]) => `    ${key}: ${value}\n`);
  return `- apiVersion: v1\n  data:${lines.length === 0 ? ' {}' : ''}\n${lines.join('')}  kind: Secret\n  metadata:\n    name: ${name}\n    namespace: ${namespace}\n    uid: 00000000-0000-4000-8000-0000000000${name.length}f\n  type: ${type}\n`;
}
