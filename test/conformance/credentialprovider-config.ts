/**
 * `pkg/credentialprovider/config_test.go` @ 04791b49: decoding docker configs — the `{"auths": …}` document
 * (`DockerConfigJSON`), the bare map (`.dockercfg`), one entry (`DockerConfigEntry.UnmarshalJSON`) and its `auth`
 * field (`decodeDockerConfigFieldAuth`) — against src/credentials/docker-config.ts, which reads them as
 * `secrets/secrets.go` does: a document is decoded through a pull secret of the matching type.
 *
 * pullsim's decoders return the decoded value or an error, never both: where Go also checks the partly filled
 * output of a failed decode, or the wrapping message of `ReadDockerConfigFileFromBytes` (the kubelet's secret
 * path calls `json.Unmarshal` directly and never shows it), the facts keep the failure only.
 */
import { expect } from 'vitest';
import { dockerConfigFromSecret, parseDockerConfigEntry } from '../../src/credentials/docker-config.js';
import type { DockerConfig } from '../../src/ports.js';
import type { KubeletVersion } from '../../src/profiles.js';
import { upstreamTest } from './upstream-case.js';

const FILE = 'pkg/credentialprovider/config_test.go';
const VERSIONS: readonly KubeletVersion[] = ['1.33', '1.34', '1.35', '1.36'];

type Format = 'dockerconfigjson' | 'dockercfg';

/** A document decoded as the pull secret of its format carries it: the config, or `undefined` for an error. */
interface DocumentFacts {
  readonly format: Format;
  readonly input: string;
  readonly want: DockerConfig | undefined;
}

function decodeDocument(format: Format, input: string): DockerConfig | undefined {
  const data = format === 'dockercfg' ? { '.dockercfg': input } : { '.dockerconfigjson': input };
  const secret = { uid: 'u', namespace: 'ns', name: 's', type: `kubernetes.io/${format}`, data };
  const decoded = dockerConfigFromSecret(secret);
  return decoded.ok ? decoded.config : undefined;
}

function checkDocument({ format, input, want }: DocumentFacts): void {
  expect(decodeDocument(format, input)).toEqual(want);
}

const FOO_ENTRY = { username: 'foo', password: 'bar', email: 'foo@example.com' };
const BAR_ENTRY = { username: 'bar', password: 'baz', email: 'bar@example.com' };
const FOO_AND_BAR =
  '"http://foo.example.com":{"username": "foo", "password": "bar", "email": "foo@example.com"}, ' +
  '"http://bar.example.com":{"username": "bar", "password": "baz", "email": "bar@example.com"}';
const BOTH = { 'http://foo.example.com': FOO_ENTRY, 'http://bar.example.com': BAR_ENTRY };
const FOO_ONLY =
  '"http://foo.example.com":{"username": "foo", "password": "bar", "email": "foo@example.com"}';

function documentTest(test: string, cases: readonly { case: string; facts: DocumentFacts }[]) {
  return upstreamTest<DocumentFacts>({ file: FILE, test, versions: VERSIONS, cases, check: checkDocument });
}

const readConfigFile = documentTest('TestReadDockerConfigFile', [
  {
    // The Go test writes this config.json to a temporary preferred path and reads it back without error.
    case: 'TestReadDockerConfigFile',
    facts: {
      format: 'dockerconfigjson',
      input: '{ "auths": { "http://foo.example.com":{"auth":"Zm9vOmJhcgo=","email":"foo@example.com"}}}',
      want: { 'http://foo.example.com': { username: 'foo', password: 'bar\n', email: 'foo@example.com' } },
    },
  },
]);

const configJsonDecode = documentTest('TestDockerConfigJsonJSONDecode', [
  {
    case: 'TestDockerConfigJsonJSONDecode',
    facts: { format: 'dockerconfigjson', input: `{"auths": {${FOO_AND_BAR}}}`, want: BOTH },
  },
]);

const dockercfgDecode = documentTest('TestDockerConfigJSONDecode', [
  {
    case: 'TestDockerConfigJSONDecode',
    facts: { format: 'dockercfg', input: `{${FOO_AND_BAR}}`, want: BOTH },
  },
]);

const fromBytes = documentTest('TestReadDockerConfigFileFromBytes', [
  {
    case: 'valid input, no error expected',
    facts: { format: 'dockercfg', input: `{${FOO_ONLY}}`, want: { 'http://foo.example.com': FOO_ENTRY } },
  },
  {
    case: 'invalid input, error expected',
    facts: { format: 'dockercfg', input: `{${FOO_ONLY.slice(0, -1)}`, want: undefined },
  },
]);

const jsonFromBytes = documentTest('TestReadDockerConfigJSONFileFromBytes', [
  {
    case: 'valid input, no error expected',
    facts: { format: 'dockerconfigjson', input: `{"auths": {${FOO_AND_BAR}}}`, want: BOTH },
  },
  {
    case: 'invalid input, error expected',
    facts: { format: 'dockerconfigjson', input: `{"auths": {${FOO_AND_BAR.slice(0, -1)}`, want: undefined },
  },
]);

/** One entry decoded: its fields, or `undefined` when the decode fails. */
interface EntryFacts {
  readonly input: unknown;
  readonly want: { readonly username: string; readonly password: string; readonly email: string } | undefined;
}

function checkEntry({ input, want }: EntryFacts): void {
  const decoded = parseDockerConfigEntry(input);
  expect(decoded.ok ? decoded.value : undefined).toEqual(want);
}

/** The rows are unnamed: each is named by the comment upstream writes above it. */
const entryDecode = upstreamTest<EntryFacts>({
  file: FILE,
  test: 'TestDockerConfigEntryJSONDecode',
  versions: VERSIONS,
  cases: [
    { case: 'simple case, just decode the fields', facts: { input: FOO_ENTRY, want: FOO_ENTRY } },
    {
      case: 'auth field decodes to username & password',
      facts: { input: { auth: 'Zm9vOmJhcg==', email: 'foo@example.com' }, want: FOO_ENTRY },
    },
    {
      case: 'auth field overrides username & password',
      facts: {
        input: { ...FOO_ENTRY, auth: 'cGluZzpwb25n' },
        want: { username: 'ping', password: 'pong', email: 'foo@example.com' },
      },
    },
    {
      case: 'poorly-formatted auth causes failure',
      facts: { input: { auth: 'pants', email: 'foo@example.com' }, want: undefined },
    },
    { case: 'invalid JSON causes failure', facts: { input: { email: false }, want: undefined } },
  ],
  check: checkEntry,
});

const FOO_BAR = { username: 'foo', password: 'bar', email: '' };
const auth = (name: string, value: string, ok: boolean) => ({
  case: name,
  facts: { input: { auth: value }, want: ok ? FOO_BAR : undefined },
});

/** `decodeDockerConfigFieldAuth` through an entry holding only `auth` (every row's input is non-empty). */
const fieldAuth = upstreamTest<EntryFacts>({
  file: FILE,
  test: 'TestDecodeDockerConfigFieldAuth',
  versions: VERSIONS,
  cases: [
    auth('auth field decodes to username & password', 'Zm9vOmJhcg==', true),
    auth('some test as before but with field not well padded', 'Zm9vOmJhcg', true),
    auth('some test as before but with new line characters', 'Zm9vOm\nJhcg==\n', true),
    auth('standard encoding (with padding)', Buffer.from('foo:bar').toString('base64'), true),
    auth(
      'raw encoding (without padding)',
      Buffer.from('foo:bar').toString('base64').replace(/=+$/, ''),
      true,
    ),
    auth('the input is encoded with encodeDockerConfigFieldAuth (standard encoding)', 'Zm9vOmJhcg==', true),
    auth('good base64 data, but no colon separating username & password', 'cGFudHM=', false),
    auth('only new line characters are ignored', 'Zm9vOmJhcg== ', false),
    auth('bad base64 data', 'pants', false),
  ],
  check: checkEntry,
});

const compatibleEncode = upstreamTest<never>({
  file: FILE,
  test: 'TestDockerConfigEntryJSONCompatibleEncode',
  versions: VERSIONS,
  cases: [
    {
      case: 'simple case, just decode the fields',
      notPorted:
        'tests DockerConfigEntry.MarshalJSON; pullsim only decodes docker configs, never encodes one',
    },
  ],
  check() {
    throw new Error('not ported');
  },
});

export const CREDENTIALPROVIDER_CONFIG_TESTS = [
  readConfigFile,
  configJsonDecode,
  dockercfgDecode,
  entryDecode,
  fieldAuth,
  compatibleEncode,
  fromBytes,
  jsonFromBytes,
];
