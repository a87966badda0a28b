/**
 * Secrets never appear in clear (docs/contract.md §4): no password, token or `auth` value of a scenario — nor its
 * base64 form, nor the decoded password — appears in any output of any command, error messages included.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_BAD_INPUT, EXIT_EXPECTATION_FAILED, EXIT_OK } from '../../sim/cli.js';
import { MODES } from '../../sim/scenario/types.js';
import { runCli, scenarioText, useTempDir } from '../support/cli-harness.js';

const temp = useTempDir('pullsim-secrets-');
const b64 = (text: string) => Buffer.from(text).toString('base64');

const PASSWORD_A = 'Xk7-SECRET-A-pw';
const PASSWORD_B = 'Yq3-SECRET-B-pw';
const NODE_PASSWORD = 'Zq9-NODE-PW-c7';
const NEW_PASSWORD = 'Wn5-NEW-PASSWORD-b';
const OPAQUE_TOKEN = 'Tk-OPAQUE-TOKEN-9f';
const AUTH_B = b64(`team-b:${PASSWORD_B}`);
const AUTH_NODE = b64(`team-c:${NODE_PASSWORD}`);
const CONFIG_A = JSON.stringify({
  auths: { 'private.example.com': { username: 'team-a', password: PASSWORD_A } },
});
const SA_UID = 'f00dfeed-0000-4000-8000-00000000beef';

/** Everything that must never be printed: the secrets, their base64 forms, and the service-account token. */
const FORBIDDEN = [
  PASSWORD_A,
  PASSWORD_B,
  NODE_PASSWORD,
  NEW_PASSWORD,
  OPAQUE_TOKEN,
  AUTH_B,
  AUTH_NODE,
  b64(CONFIG_A),
  b64(PASSWORD_A),
  b64(PASSWORD_B),
  b64(OPAQUE_TOKEN),
  'sa-token.',
  `sa-token.team-s.builder.${SA_UID}`,
  // Distinctive cores, in case a value is printed cut or escaped.
  'SECRET-A',
  'SECRET-B',
  'NODE-PW',
  'NEW-PASSWORD',
  'OPAQUE-TOKEN',
];

function expectNoSecrets(what: string, text: string): void {
  for (const secret of FORBIDDEN) expect(text.includes(secret), `${what} contains ${secret}`).toBe(false);
}

const SPEC = `
  until: 12m
  registries:
    - host: private.example.com
      users:
        - { username: team-a, password: ${PASSWORD_A} }
        - { username: team-b, password: ${PASSWORD_B} }
        - { username: team-c, password: ${NODE_PASSWORD} }
      repositories:
        - { name: team-a/app, pullers: [team-a], tags: { v1: {} } }
        - { name: team-b/app, pullers: [team-b], tags: { v1: {} } }
        - { name: team-c/app, pullers: [team-c], tags: { v1: {} } }
    - host: sa.example.com
      serviceAccountTokenProvider: { requireServiceAccount: true }
      repositories:
        - { name: team-s/tool, pullers: ["system:serviceaccount:team-s:builder"], tags: { v1: {} } }
  nodes:
    - name: node-1
      credentials:
        auths:
          private.example.com: { auth: "${AUTH_NODE}" }
  objects:
    - apiVersion: v1
      kind: Secret
      metadata: { namespace: team-a, name: regcred }
      type: kubernetes.io/dockerconfigjson
      data: { .dockerconfigjson: "${b64(CONFIG_A)}" }
    - apiVersion: v1
      kind: Secret
      metadata: { namespace: team-b, name: regcred }
      type: kubernetes.io/dockerconfigjson
      stringData:
        .dockerconfigjson: '{"auths":{"private.example.com":{"auth":"${AUTH_B}"}}}'
    - apiVersion: v1
      kind: Secret
      metadata: { namespace: team-b, name: api-token }
      data: { token: "${b64(OPAQUE_TOKEN)}" }
    - apiVersion: v1
      kind: ServiceAccount
      metadata: { namespace: team-s, name: builder, uid: ${SA_UID} }
    - apiVersion: v1
      kind: Pod
      metadata: { namespace: team-a, name: a }
      spec:
        imagePullSecrets: [{ name: regcred }]
        containers: [{ name: app, image: private.example.com/team-a/app:v1 }]
    - apiVersion: v1
      kind: Pod
      metadata: { namespace: team-b, name: b }
      spec:
        imagePullSecrets: [{ name: regcred }]
        containers: [{ name: app, image: private.example.com/team-b/app:v1, imagePullPolicy: Always }]
    - apiVersion: v1
      kind: Pod
      metadata: { namespace: team-c, name: c }
      spec:
        containers: [{ name: app, image: private.example.com/team-c/app:v1, imagePullPolicy: Always }]
    - apiVersion: v1
      kind: Pod
      metadata: { namespace: team-s, name: s }
      spec:
        serviceAccountName: builder
        containers: [{ name: tool, image: sa.example.com/team-s/tool:v1, imagePullPolicy: Always }]
  timeline:
    - { at: 2m, action: changePassword, host: private.example.com, username: team-b, password: ${NEW_PASSWORD} }
    - { at: 3m, action: restartContainer, pod: team-b/b }
    - { at: 4m, action: restartKubelet, node: node-1 }
    - at: 5m
      apply:
        apiVersion: v1
        kind: Pod
        metadata: { namespace: team-x, name: x }
        spec: { containers: [{ name: app, image: private.example.com/team-a/app:v1 }] }
  expect:
    - { pod: team-a/a, state: running }
    - { pod: team-s/s, state: running, violation: false }
    - { pod: team-c/c, started: true }
    - { pod: team-b/b, state: running, reason: Wrong }
    - { pod: team-x/x, modes: [legacy], violation: false, pulls: 9 }
`;

const file = temp.write('secrets.yaml', scenarioText('secrets', SPEC));
let badFiles = 0;

describe('secrets never appear in clear', () => {
  it('the scenario really exercises the credentials (otherwise the test proves nothing)', async () => {
    const { code, stdout } = await runCli(['run', file, '--mode', 'AlwaysVerify', '--json']);
    expect(code).toBe(EXIT_OK);
    const result = JSON.parse(stdout) as { containers: { pod: string; started: boolean; pulls: number }[] };
    const byPod = Object.fromEntries(result.containers.map((c) => [c.pod, c]));
    // Pod secret (data), node-wide auth, and the KEP-4412 service-account token all pulled successfully.
    expect(byPod['team-a/a']?.started).toBe(true);
    expect(byPod['team-c/c']?.started).toBe(true);
    expect(byPod['team-s/s']?.started).toBe(true);
    // team-b's secret holds the password changed at 2m: the restart after it pulls with a stale password.
    expect(byPod['team-b/b']?.pulls).toBeGreaterThan(1);
  });

  it('run: human output, --json with --include-files, and --trace, in every mode', async () => {
    for (const mode of [...MODES, 'as-configured']) {
      const human = await runCli(['run', file, '--mode', mode]);
      expect(human.code).toBe(EXIT_OK);
      expectNoSecrets(`run --mode ${mode}`, human.stdout + human.stderr);
      const trace = join(temp.dir, `trace-${mode}.jsonl`);
      const json = await runCli(['run', file, '--mode', mode, '--json', '--include-files', '--trace', trace]);
      expect(json.code).toBe(EXIT_OK);
      expectNoSecrets(`run --json --include-files --mode ${mode}`, json.stdout + json.stderr);
      const traceText = readFileSync(trace, 'utf8');
      expect(traceText).toContain('changePassword');
      expectNoSecrets(`trace of ${mode}`, traceText);
    }
  });

  it('compare: table, Markdown, JSON and the HTML report', async () => {
    const html = join(temp.dir, 'report.html');
    const table = await runCli(['compare', file, file, '--html', html]);
    expect(table.code).toBe(EXIT_OK);
    expectNoSecrets('compare', table.stdout + table.stderr);
    expectNoSecrets('compare --html', readFileSync(html, 'utf8'));
    const markdown = await runCli(['compare', file, '--markdown']);
    expectNoSecrets('compare --markdown', markdown.stdout + markdown.stderr);
    const json = await runCli(['compare', file, '--json']);
    expect(json.code).toBe(EXIT_OK);
    expectNoSecrets('compare --json', json.stdout + json.stderr);
  });

  it('audit: text, --json, --markdown and --html, under each headline policy', async () => {
    const html = join(temp.dir, 'audit.html');
    for (const policy of ['NeverVerify', 'AlwaysVerify']) {
      const text = await runCli(['audit', file, '--policy', policy, '--html', html]);
      expect(text.code, text.stderr).toBe(EXIT_OK);
      expectNoSecrets(`audit --policy ${policy}`, text.stdout + text.stderr);
      expectNoSecrets('audit --html', readFileSync(html, 'utf8'));
    }
    const json = await runCli(['audit', file, '--json']);
    expect(json.code).toBe(EXIT_OK);
    // The audit looked the credentials up: the node's auth and team-a's secret are named, never shown.
    expect(json.stdout).toContain('"secret:team-a/regcred"');
    expectNoSecrets('audit --json', json.stdout + json.stderr);
    const markdown = await runCli(['audit', file, '--markdown']);
    expectNoSecrets('audit --markdown', markdown.stdout + markdown.stderr);
  });

  it('check, including its FAIL lines', async () => {
    const { code, stdout, stderr } = await runCli(['check', file]);
    expect(code).toBe(EXIT_EXPECTATION_FAILED);
    expect(stdout).toMatch(/^FAIL /m);
    expectNoSecrets('check', stdout + stderr);
  });

  // The API server stores these (valid JSON); the kubelet's credential lookup fails on them, and its error text
  // (docs/kubelet-model.md, "Pull secrets the kubelet cannot parse") must not carry the content either.
  describe('docker configs the kubelet cannot parse', () => {
    it.each([
      [
        'an auth without a colon',
        'kubernetes.io/dockerconfigjson',
        `.dockerconfigjson: '{"auths":{"r.example.com":{"auth":"${b64(PASSWORD_B)}"}}}'`,
      ],
      [
        'a password of the wrong type',
        'kubernetes.io/dockercfg',
        `.dockercfg: '{"r.example.com":{"username":"u","password":["${PASSWORD_A}"]}}'`,
      ],
    ])('%s: loads and runs; no output, result or trace shows it', async (_what, type, data) => {
      const spec = `objects:
          - apiVersion: v1
            kind: Secret
            metadata: { name: s }
            type: ${type}
            stringData: { ${data} }
          - apiVersion: v1
            kind: Pod
            metadata: { name: p }
            spec:
              imagePullSecrets: [{ name: s }]
              containers: [{ name: c, image: r.example.com/a/app:v1 }]`;
      const file = temp.write(`unparsable-${badFiles++}.yaml`, scenarioText('unparsable', spec));
      const trace = temp.write(`unparsable-${badFiles++}.jsonl`, '');
      const { code, stdout, stderr } = await runCli(['run', file, '--json', '--trace', trace]);
      expect(code, stderr).toBe(EXIT_OK);
      const traced = readFileSync(trace, 'utf8');
      expect(traced).toMatch(/Error: (json: cannot unmarshal|unable to parse auth field)/);
      expectNoSecrets(`run of ${file}`, stdout + stderr + traced);
      // The audit reports the failed lookup as the kubelet's waiting reason, without the content.
      const audit = await runCli(['audit', file, '--json']);
      expect(audit.code, audit.stderr).toBe(EXIT_OK);
      expect(audit.stdout).toContain('"credentialError"');
      expectNoSecrets(`audit of ${file}`, audit.stdout + audit.stderr);
    });
  });

  describe('error messages of bad secrets', () => {
    it.each([
      [
        'a docker config that is not JSON (stringData)',
        `objects:
          - apiVersion: v1
            kind: Secret
            metadata: { name: s }
            type: kubernetes.io/dockerconfigjson
            stringData: { .dockerconfigjson: '{"auths":{"r":{"password":"${PASSWORD_A}"' }`,
      ],
      [
        'a docker config that is not JSON (data)',
        `objects:
          - apiVersion: v1
            kind: Secret
            metadata: { name: s }
            type: kubernetes.io/dockerconfigjson
            data: { .dockerconfigjson: "${b64(`{"auths":{"r":{"password":"${PASSWORD_A}"`)}" }`,
      ],
      [
        'secret data that is not base64',
        `objects:
          - apiVersion: v1
            kind: Secret
            metadata: { name: s }
            data: { token: "${OPAQUE_TOKEN}!" }`,
      ],
      [
        'secret data given as a string',
        `objects:
          - apiVersion: v1
            kind: Secret
            metadata: { name: s }
            stringData: "${OPAQUE_TOKEN}"`,
      ],
      [
        'a registry password of the wrong type',
        `registries:
          - host: r.example.com
            users: [{ username: u, password: [${PASSWORD_A}] }]`,
      ],
      [
        'node credentials given as a JSON string',
        `nodes:
          - name: n
            credentials: '{"auths":{"r":{"password":"${NODE_PASSWORD}"}}}'`,
      ],
      [
        'a node auth that is not base64',
        `nodes:
          - name: n
            credentials: { auths: { r: { auth: "${NODE_PASSWORD}" } } }`,
      ],
      [
        'a node auth without a colon',
        `nodes:
          - name: n
            credentials: { auths: { r: { auth: "${b64(NODE_PASSWORD)}" } } }`,
      ],
      [
        'a node auth of the wrong type',
        `nodes:
          - name: n
            credentials: { auths: { r: { auth: { value: "${AUTH_NODE}" } } } }`,
      ],
      [
        'a changePassword to an unknown user',
        `registries: [{ host: r.example.com }]
        timeline:
          - { at: 1m, action: changePassword, host: r.example.com, username: nobody, password: ${NEW_PASSWORD} }`,
      ],
      [
        'a changePassword with a password of the wrong type',
        `registries: [{ host: r.example.com, users: [{ username: u, password: p }] }]
        timeline:
          - { at: 1m, action: changePassword, host: r.example.com, username: u, password: { new: ${NEW_PASSWORD} } }`,
      ],
    ])('%s', async (_what, spec) => {
      const bad = temp.write(`bad-${badFiles++}.yaml`, scenarioText('bad', spec));
      for (const command of ['run', 'check'] as const) {
        const { code, stdout, stderr } = await runCli([command, bad]);
        expect(code).toBe(EXIT_BAD_INPUT);
        expect(stderr).toMatch(/^pullsim: /);
        expectNoSecrets(`${command} of ${bad}`, stdout + stderr);
      }
    });
  });
});
