/**
 * No secret leaves through `pullsim audit` (issue 14 point 4): on the multi-tenant fixture, whose records hold
 * credential hashes and whose secrets and node config hold passwords, no password, `auth` string or docker config
 * appears in any output, while the coordinates and hashes the reader needs do.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_OK } from '../../../sim/cli.js';
import { runCli, useTempDir } from '../../support/cli-harness.js';

const FIXTURE = 'test/fixtures/audit/multi-tenant-node.yaml';
const temp = useTempDir('pullsim-audit-secrets-');
const b64 = (text: string) => Buffer.from(text).toString('base64');

const PASSWORDS = ['alice-Pa55', 'bob-Pa55', 'carol-Pa55', 'mirror-Pa55'];
const USERS = ['alice', 'bob', 'carol', 'node-puller'];
/** The passwords, the `auth` strings they make, and the docker configs of the fixture's secrets. */
const FORBIDDEN = [
  ...PASSWORDS,
  ...PASSWORDS.map((p, i) => b64(`${USERS[i]}:${p}`)),
  '.dockerconfigjson',
  '"auths"',
  'Pa55',
];

describe('pullsim audit shows no secret', () => {
  it('in the text, Markdown, JSON and HTML reports, under every headline policy', async () => {
    const fixture = readFileSync(FIXTURE, 'utf8');
    for (const password of PASSWORDS) expect(fixture, 'the fixture really holds it').toContain(password);
    const outputs: string[] = [];
    for (const policy of [
      'NeverVerify',
      'NeverVerifyPreloadedImages',
      'NeverVerifyAllowlistedImages',
      'AlwaysVerify',
    ]) {
      const html = join(temp.dir, `${policy}.html`);
      for (const format of [[], ['--json'], ['--markdown']]) {
        const { code, stdout, stderr } = await runCli([
          'audit',
          FIXTURE,
          '--policy',
          policy,
          ...format,
          '--html',
          html,
        ]);
        expect(code, stderr).toBe(EXIT_OK);
        outputs.push(stdout, stderr);
      }
      outputs.push(readFileSync(html, 'utf8'));
    }
    const all = outputs.join('\n');
    for (const secret of FORBIDDEN) expect(all.includes(secret), secret).toBe(false);
    // What the reader needs is there: coordinates, uids and the recorded hash.
    expect(all).toContain('8fcf9f036a96cc4aaef5fe3f958713aaff49562c2dc6b2246422b97de4ffa598');
    expect(all).toContain('secret:tenant-e/e-copy');
  });
});
