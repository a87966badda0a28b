import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecordApiVersion } from '../../../src/profiles.js';
import {
  type DecodeOptions,
  decodeImagePulledRecord,
  decodeImagePullIntent,
  encodeImagePulledRecord,
  encodeImagePullIntent,
  type ImagePullCredentials,
  type ImagePulledRecord,
  RECORD_GROUP,
  recordFileName,
} from '../../../src/pullmanager/records.js';
import { type Ticks, ticks } from '../../../src/time.js';

const V135: DecodeOptions = { decodableApiVersions: ['v1alpha1', 'v1beta1'], serviceAccountField: true };
const V134: DecodeOptions = { decodableApiVersions: ['v1alpha1'], serviceAccountField: true };
const V133: DecodeOptions = { decodableApiVersions: ['v1alpha1'], serviceAccountField: false };

/** 2024-10-21T12:26:40Z, the time of the upstream test data. */
const T_2024 = ticks(1_729_513_600_000_000);

const SECRET_RECORD_V1BETA1 =
  '{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"testimageref","credentialMapping":{"docker.io/testing/test":{"kubernetesSecrets":[{"uid":"testsecretuid","namespace":"default","name":"pull-secret","credentialHash":"testsecrethash"}]}}}';

const secretRecord: ImagePulledRecord = {
  lastUpdatedTime: T_2024,
  imageRef: 'testimageref',
  credentialMapping: {
    'docker.io/testing/test': {
      kubernetesSecrets: [
        { uid: 'testsecretuid', namespace: 'default', name: 'pull-secret', credentialHash: 'testsecrethash' },
      ],
    },
  },
};

function intentText(image: string, version = 'v1beta1'): string {
  return `{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/${version}","image":${JSON.stringify(image)}}\n`;
}

function recordText(fields: string, version = 'v1beta1'): string {
  return `{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/${version}"${fields}}\n`;
}

function decodeError(result: { ok: boolean; error?: string }): string {
  expect(result.ok).toBe(false);
  return result.error ?? '';
}

describe('file names', () => {
  it('is sha256- plus the lowercase hex SHA-256 of the key (upstream test-data names, checked with sha256sum)', () => {
    expect(recordFileName('testimageref')).toBe(
      'sha256-b3c0cc4278800b03a308ceb2611161430df571ca733122f0a40ac8b9792a9064',
    );
    expect(recordFileName('docker.io/testing/test:latest')).toBe(
      'sha256-aef2af226629a35d5f3ef0fdbb29fdbebf038d0acd8850590e8c48e1e283aa56',
    );
    expect(recordFileName('repo.repo/test/test:v1')).toBe(
      'sha256-ee81caca15454863449fb55a1d942904d56d5ed9f9b20a7cb3453944ea2c7e11',
    );
    expect(recordFileName('testexistingref')).toBe(
      'sha256-0eeec2fec6456af3efdeaf15c8d3a64b2f3388b5f0df1f12e0ddcbb18aa664d3',
    );
  });

  it('is 71 characters and hashes the raw UTF-8 bytes of the key, without normalisation', () => {
    const key = 'registry.example/ünïcode:tag';
    const name = recordFileName(key);
    expect(name).toHaveLength(71);
    expect(name).toBe('sha256-' + createHash('sha256').update(Buffer.from(key, 'utf8')).digest('hex'));
    // No default tag, no normalisation: the pod's image string is the key.
    expect(recordFileName('nginx')).not.toBe(recordFileName('docker.io/library/nginx:latest'));
  });
});

describe('schemas and exact bytes written', () => {
  it('writes the intent of the upstream test data byte for byte, plus the trailing newline', () => {
    expect(encodeImagePullIntent({ image: 'docker.io/testing/test:latest' }, 'v1beta1')).toBe(
      '{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"docker.io/testing/test:latest"}\n',
    );
  });

  it('writes the pulled record of the upstream test data byte for byte, plus the trailing newline', () => {
    expect(encodeImagePulledRecord(secretRecord, 'v1beta1')).toBe(`${SECRET_RECORD_V1BETA1}\n`);
  });

  it('writes v1alpha1 for the 1.33/1.34 encoder and v1beta1 for 1.35+', () => {
    expect(encodeImagePullIntent({ image: 'a' }, 'v1alpha1')).toBe(intentText('a', 'v1alpha1'));
    expect(encodeImagePulledRecord(secretRecord, 'v1alpha1')).toBe(
      `${SECRET_RECORD_V1BETA1.replace('/v1beta1', '/v1alpha1')}\n`,
    );
    expect(RECORD_GROUP).toBe('kubelet.config.k8s.io');
  });

  it('keeps field order kind, apiVersion, lastUpdatedTime, imageRef, credentialMapping and credential field order', () => {
    const record: ImagePulledRecord = {
      credentialMapping: {
        x: {
          nodePodsAccessible: true,
          kubernetesServiceAccounts: [{ name: 'sa', namespace: 'ns', uid: 'u1' }],
          kubernetesSecrets: [{ credentialHash: 'h', name: 'n', namespace: 'ns', uid: 'u2' }],
        },
      },
      imageRef: 'ref',
      lastUpdatedTime: T_2024,
    };
    expect(encodeImagePulledRecord(record, 'v1beta1')).toBe(
      recordText(
        ',"lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"ref","credentialMapping":{"x":{"kubernetesSecrets":[{"uid":"u2","namespace":"ns","name":"n","credentialHash":"h"}],"kubernetesServiceAccounts":[{"uid":"u1","namespace":"ns","name":"sa"}],"nodePodsAccessible":true}}',
      ),
    );
  });

  it('sorts map keys by UTF-8 bytes as Go does, not by UTF-16 code units', () => {
    // U+FF61 is EF BD A1 in UTF-8 and sorts before U+1F600 (F0 9F 98 80); in UTF-16 the surrogate 0xD83D is smaller.
    const mapping: Record<string, ImagePullCredentials> = {
      '\u{1F600}': { nodePodsAccessible: true },
      '\uFF61': { nodePodsAccessible: true },
      b: { nodePodsAccessible: true },
      a: { nodePodsAccessible: true },
      '10': { nodePodsAccessible: true },
      '9': { nodePodsAccessible: true },
    };
    const text = encodeImagePulledRecord(
      { lastUpdatedTime: null, imageRef: 'r', credentialMapping: mapping },
      'v1beta1',
    );
    const keys = [...text.matchAll(/"([^"]+)":\{"nodePodsAccessible"/g)].map((m) => m[1]);
    expect(keys).toEqual(['10', '9', 'a', 'b', '\uFF61', '\u{1F600}']);
  });

  it('omits an empty credentialMapping, empty lists and a false nodePodsAccessible', () => {
    expect(
      encodeImagePulledRecord({ lastUpdatedTime: T_2024, imageRef: 'r', credentialMapping: {} }, 'v1beta1'),
    ).toBe(recordText(',"lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"r"'));
    expect(
      encodeImagePulledRecord(
        {
          lastUpdatedTime: T_2024,
          imageRef: 'r',
          credentialMapping: {
            k: { kubernetesSecrets: [], kubernetesServiceAccounts: [], nodePodsAccessible: false },
          },
        },
        'v1beta1',
      ),
    ).toBe(
      recordText(',"lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"r","credentialMapping":{"k":{}}'),
    );
  });

  it('writes the zero time as null and truncates lastUpdatedTime to whole seconds UTC', () => {
    expect(
      encodeImagePulledRecord({ lastUpdatedTime: null, imageRef: 'r', credentialMapping: {} }, 'v1beta1'),
    ).toBe(recordText(',"lastUpdatedTime":null,"imageRef":"r"'));
    const almostNextSecond = ticks(T_2024 + 999_999);
    expect(
      encodeImagePulledRecord(
        { lastUpdatedTime: almostNextSecond, imageRef: 'r', credentialMapping: {} },
        'v1beta1',
      ),
    ).toContain('"lastUpdatedTime":"2024-10-21T12:26:40Z"');
    expect(
      encodeImagePulledRecord({ lastUpdatedTime: ticks(0), imageRef: 'r', credentialMapping: {} }, 'v1beta1'),
    ).toContain('"lastUpdatedTime":"1970-01-01T00:00:00Z"');
  });

  it("applies Go's HTML-safe escaping: <, >, & as \\u003c \\u003e \\u0026, plus U+2028 and U+2029", () => {
    expect(encodeImagePullIntent({ image: 'a<b>&c\u2028\u2029' }, 'v1beta1')).toBe(
      '{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"a\\u003cb\\u003e\\u0026c\\u2028\\u2029"}\n',
    );
  });

  it('escapes quotes, backslashes and control characters as Go ≥ 1.22, and an unpaired surrogate as \\ufffd', () => {
    expect(
      encodeImagePullIntent({ image: '"\\\b\f\n\r\t\u0001\u001f\u007f/é\u{1F600}\uD800x' }, 'v1beta1'),
    ).toBe(
      '{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\u007f/é\u{1F600}\\ufffdx"}\n',
    );
  });

  it('keeps list order as given (the manager sorts) and escapes map keys too', () => {
    const record: ImagePulledRecord = {
      lastUpdatedTime: null,
      imageRef: 'r',
      credentialMapping: {
        'a&b': {
          kubernetesSecrets: [
            { uid: '2', namespace: 'z', name: 'z', credentialHash: 'h' },
            { uid: '1', namespace: 'a', name: 'a', credentialHash: 'h' },
          ],
        },
      },
    };
    const text = encodeImagePulledRecord(record, 'v1beta1');
    expect(text).toContain('"a\\u0026b":{"kubernetesSecrets":[{"uid":"2"');
  });

  it('drops service accounts for the 1.33 types, which have no such field', () => {
    const record: ImagePulledRecord = {
      lastUpdatedTime: null,
      imageRef: 'r',
      credentialMapping: { k: { kubernetesServiceAccounts: [{ uid: 'u', namespace: 'n', name: 's' }] } },
    };
    expect(encodeImagePulledRecord(record, 'v1alpha1', { serviceAccountField: false })).toBe(
      recordText(',"lastUpdatedTime":null,"imageRef":"r","credentialMapping":{"k":{}}', 'v1alpha1'),
    );
  });
});

describe('decoding rules', () => {
  it('decodes the intent and the record examples, with or without the trailing newline', () => {
    for (const text of [
      intentText('docker.io/testing/test:latest'),
      intentText('docker.io/testing/test:latest').trim(),
    ]) {
      expect(decodeImagePullIntent(text, V135)).toEqual({
        ok: true,
        value: { image: 'docker.io/testing/test:latest' },
        apiVersion: 'v1beta1',
      });
    }
    expect(decodeImagePulledRecord(SECRET_RECORD_V1BETA1, V135)).toEqual({
      ok: true,
      value: secretRecord,
      apiVersion: 'v1beta1',
    });
    expect(decodeImagePulledRecord(` \t\r\n${SECRET_RECORD_V1BETA1}\n\n `, V135).ok).toBe(true);
  });

  it('reports the stored apiVersion so the caller can tell whether the file is the latest version', () => {
    const decoded = decodeImagePullIntent(intentText('a', 'v1alpha1'), V135);
    expect(decoded.ok && decoded.apiVersion).toBe('v1alpha1');
  });

  it('rejects an unknown field at every level (strict decoding)', () => {
    expect(decodeError(decodeImagePullIntent(intentText('a').replace('}', ',"extra":1}'), V135))).toBe(
      'strict decoding error: unknown field "extra"',
    );
    const levels = [
      SECRET_RECORD_V1BETA1.replace('"imageRef"', '"foo":{"a":[1,{"b":2}]},"imageRef"'),
      SECRET_RECORD_V1BETA1.replace('{"kubernetesSecrets"', '{"foo":true,"kubernetesSecrets"'),
      SECRET_RECORD_V1BETA1.replace('{"uid"', '{"foo":null,"uid"'),
      // The old KEP-text name of the secrets list.
      SECRET_RECORD_V1BETA1.replace('kubernetesSecrets', 'kubernetesSecretCoordinates'),
    ];
    expect(decodeError(decodeImagePulledRecord(levels[0]!, V135))).toBe(
      'strict decoding error: unknown field "foo"',
    );
    expect(decodeError(decodeImagePulledRecord(levels[1]!, V135))).toBe(
      'strict decoding error: unknown field "foo"',
    );
    expect(decodeError(decodeImagePulledRecord(levels[2]!, V135))).toBe(
      'strict decoding error: unknown field "foo"',
    );
    expect(decodeError(decodeImagePulledRecord(levels[3]!, V135))).toBe(
      'strict decoding error: unknown field "kubernetesSecretCoordinates"',
    );
    const sa = recordText(
      ',"lastUpdatedTime":null,"imageRef":"r","credentialMapping":{"k":{"kubernetesServiceAccounts":[{"uid":"u","namespace":"n","name":"s","x":1}]}}',
    );
    expect(decodeError(decodeImagePulledRecord(sa, V135))).toBe('strict decoding error: unknown field "x"');
  });

  it("quotes a field name as Go's %q does (strconv.Quote), control characters included", () => {
    const text = intentText('a').replace('}', ',"\\u0001\\u00ad":1,"\\u0007":2,"\\u0007":3}');
    expect(decodeError(decodeImagePullIntent(text, V135))).toBe(
      'strict decoding error: unknown field "\\x01\\u00ad", unknown field "\\a"',
    );
  });

  it('matches field names case-sensitively', () => {
    expect(decodeError(decodeImagePullIntent(intentText('a').replace('"image"', '"Image"'), V135))).toBe(
      'strict decoding error: unknown field "Image"',
    );
  });

  it('rejects a duplicate field, which JSON.parse would silently accept', () => {
    const text = intentText('a').replace('}', ',"image":"b"}');
    expect(JSON.parse(text).image).toBe('b');
    expect(decodeError(decodeImagePullIntent(text, V135))).toBe(
      'strict decoding error: duplicate field "image"',
    );
    const dupKind = intentText('a').replace('{', '{"kind":"ImagePullIntent",');
    expect(decodeError(decodeImagePullIntent(dupKind, V135))).toBe(
      'strict decoding error: duplicate field "kind"',
    );
  });

  it('rejects duplicate map keys and duplicate fields in nested objects', () => {
    const dupKey = recordText(
      ',"lastUpdatedTime":null,"imageRef":"r","credentialMapping":{"k":{"nodePodsAccessible":true},"k":{}}',
    );
    expect(decodeError(decodeImagePulledRecord(dupKey, V135))).toBe(
      'strict decoding error: duplicate field "k"',
    );
    const dupNested = SECRET_RECORD_V1BETA1.replace(
      '"name":"pull-secret"',
      '"name":"pull-secret","name":"x"',
    );
    expect(decodeError(decodeImagePulledRecord(dupNested, V135))).toBe(
      'strict decoding error: duplicate field "name"',
    );
  });

  it('lists every strict error once, in document order', () => {
    const text = intentText('a').replace('}', ',"x":1,"image":"b","x":2,"y":3}');
    expect(decodeError(decodeImagePullIntent(text, V135))).toBe(
      'strict decoding error: unknown field "x", duplicate field "image", unknown field "y"',
    );
  });

  it('caps the strict errors at 100, as sigs.k8s.io/json', () => {
    const extra = Array.from({ length: 150 }, (_, i) => `"f${i}":0`).join(',');
    const message = decodeError(decodeImagePullIntent(intentText('a').replace('}', `,${extra}}`), V135));
    expect(message.split(', ')).toHaveLength(100);
  });

  it('rejects malformed, truncated and empty JSON with a syntax error', () => {
    const malformed = SECRET_RECORD_V1BETA1.replace(
      '"imageRef":"testimageref",',
      '"imageRef":"testimageref":',
    );
    expect(decodeError(decodeImagePulledRecord(malformed, V135))).toBe(
      "couldn't get version/kind; json parse error: invalid character ':' after object key:value pair",
    );
    expect(decodeError(decodeImagePulledRecord(SECRET_RECORD_V1BETA1.slice(0, 60), V135))).toBe(
      "couldn't get version/kind; json parse error: unexpected end of JSON input",
    );
    expect(decodeError(decodeImagePulledRecord('', V135))).toBe(
      "couldn't get version/kind; json parse error: unexpected end of JSON input",
    );
    expect(decodeError(decodeImagePullIntent(`${intentText('a')}{}`, V135))).toBe(
      "couldn't get version/kind; json parse error: invalid character '{' after top-level value",
    );
  });

  it.each([
    ['{,}', "invalid character ',' looking for beginning of object key string"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":}', "invalid character '}' looking for beginning of value"],
    ['[1,]', "invalid character ']' looking for beginning of value"],
    ['[1 2]', "invalid character '2' after array element"],
    ['{"a":tru}', "invalid character '}' in literal true (expecting 'e')"],
    ['{"a":nul}', "invalid character '}' in literal null (expecting 'l')"],
    ['{"a":fals}', "invalid character '}' in literal false (expecting 'e')"],
    ['{"a":-x}', "invalid character 'x' in numeric literal"],
    ['{"a":1.}', "invalid character '}' after decimal point in numeric literal"],
    ['{"a":1e}', "invalid character '}' in exponent of numeric literal"],
    ['{"a":01}', "invalid character '1' after object key:value pair"],
    ['{"a":"\\x"}', "invalid character 'x' in string escape code"],
    ['{"a":"\\u12g4"}', "invalid character 'g' in \\u hexadecimal character escape"],
    ['{"a":"\n"}', "invalid character '\\n' in string literal"],
    ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
    ['x', "invalid character 'x' looking for beginning of value"],
    // A byte-order mark: the scanner stops at its first byte, 0xEF, quoted as the rune U+00EF (Go's well-known
    // "invalid character 'ï'" for a file saved with a BOM).
    ['\uFEFF{}', "invalid character 'ï' looking for beginning of value"],
  ])('reports %j with the Go scanner message', (text, message) => {
    expect(decodeError(decodeImagePullIntent(text, V135))).toBe(
      `couldn't get version/kind; json parse error: ${message}`,
    );
  });

  it("stops at Go's nesting limit instead of overflowing the stack", () => {
    const deep = '['.repeat(10_001) + ']'.repeat(10_001);
    expect(decodeError(decodeImagePullIntent(deep, V135))).toBe(
      "couldn't get version/kind; json parse error: exceeded max depth",
    );
    const deepButFine = `{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"a","x":${'['.repeat(9_999)}${']'.repeat(9_999)}}`;
    expect(decodeError(decodeImagePullIntent(deepButFine, V135))).toBe(
      'strict decoding error: unknown field "x"',
    );
  });

  it('accepts every JSON number form and string escape inside unknown values before reporting the field', () => {
    const text = intentText('a').replace(
      '}',
      ',"n":[0,-0,1.5,-2e10,3E+2,4e-1,"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"]}',
    );
    expect(decodeError(decodeImagePullIntent(text, V135))).toBe('strict decoding error: unknown field "n"');
  });

  it('decodes string escapes, combining surrogate pairs and replacing unpaired ones with U+FFFD', () => {
    const text =
      '{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"\\u003c\\ud83d\\ude00\\ud800\\u0041\\udc00\\/"}';
    expect(decodeImagePullIntent(text, V135)).toMatchObject({
      ok: true,
      value: { image: '<\u{1F600}\uFFFDA\uFFFD/' },
    });
  });

  it('rejects a missing kind or apiVersion', () => {
    expect(
      decodeError(decodeImagePullIntent('{"apiVersion":"kubelet.config.k8s.io/v1beta1","image":"a"}', V135)),
    ).toBe(`Object 'Kind' is missing in '{"apiVersion":"kubelet.config.k8s.io/v1beta1","image":"a"}'`);
    expect(decodeError(decodeImagePullIntent('{"kind":"ImagePullIntent","image":"a"}', V135))).toBe(
      `Object 'apiVersion' is missing in '{"kind":"ImagePullIntent","image":"a"}'`,
    );
    expect(decodeError(decodeImagePullIntent('{"kind":null,"apiVersion":null}', V135))).toContain(
      "Object 'Kind' is missing",
    );
    expect(decodeError(decodeImagePullIntent('null', V135))).toBe("Object 'Kind' is missing in 'null'");
    expect(
      decodeError(decodeImagePullIntent('{"kind":"ImagePullIntent","apiVersion":"a/b/c","image":"a"}', V135)),
    ).toContain("Object 'apiVersion' is missing");
  });

  it('rejects a kind or apiVersion that is not a string, and a document that is not an object', () => {
    expect(decodeError(decodeImagePullIntent('{"kind":1}', V135))).toBe(
      "couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field .kind of type string",
    );
    expect(decodeError(decodeImagePullIntent('[]', V135))).toMatch(
      /^couldn't get version\/kind; json parse error: json: cannot unmarshal array into Go value of type struct/,
    );
  });

  it('rejects an unregistered group/version: v1beta1 for 1.33/1.34 (downgrade hazard), v1, another group', () => {
    expect(decodeError(decodeImagePullIntent(intentText('a'), V134))).toBe(
      'no kind "ImagePullIntent" is registered for version "kubelet.config.k8s.io/v1beta1" in scheme "pkg/kubelet/images/pullmanager/fs_pullrecords.go"',
    );
    expect(decodeError(decodeImagePullIntent(intentText('a', 'v1'), V135))).toContain(
      'no kind "ImagePullIntent" is registered for version "kubelet.config.k8s.io/v1"',
    );
    expect(
      decodeError(
        decodeImagePullIntent(
          intentText('a').replace('kubelet.config.k8s.io', 'imagemanager.kubelet.config.k8s.io'),
          V135,
        ),
      ),
    ).toContain('registered for version "imagemanager.kubelet.config.k8s.io/v1beta1"');
    expect(
      decodeError(decodeImagePullIntent(intentText('a').replace('kubelet.config.k8s.io/', ''), V135)),
    ).toContain('registered for version "v1beta1"');
    expect(
      decodeError(decodeImagePullIntent(intentText('a').replace('"ImagePullIntent"', '"Foo"'), V135)),
    ).toContain('no kind "Foo" is registered');
  });

  it('decodes an object of a different registered kind, then fails the type check', () => {
    expect(decodeError(decodeImagePullIntent(SECRET_RECORD_V1BETA1, V135))).toBe(
      'failed to convert object to *ImagePullIntent: *config.ImagePulledRecord',
    );
    expect(decodeError(decodeImagePulledRecord(intentText('a'), V135))).toBe(
      'failed to convert object to *ImagePulledRecord: *config.ImagePullIntent',
    );
    const kubeletConfiguration =
      '{"kind":"KubeletConfiguration","apiVersion":"kubelet.config.k8s.io/v1beta1"}';
    expect(decodeError(decodeImagePullIntent(kubeletConfiguration, V135))).toBe(
      'failed to convert object to *ImagePullIntent: *config.KubeletConfiguration',
    );
    // KubeletConfiguration is not a kubelet.config.k8s.io/v1alpha1 kind.
    expect(
      decodeError(decodeImagePullIntent(kubeletConfiguration.replace('v1beta1', 'v1alpha1'), V135)),
    ).toContain('no kind "KubeletConfiguration" is registered');
    // The other kind is decoded strictly first: its own errors win.
    const brokenRecord = SECRET_RECORD_V1BETA1.replace('"imageRef"', '"x":1,"imageRef"');
    expect(decodeError(decodeImagePullIntent(brokenRecord, V135))).toBe(
      'strict decoding error: unknown field "x"',
    );
  });

  it('rejects wrong value types, and a type error wins over strict errors', () => {
    expect(
      decodeError(decodeImagePullIntent(intentText('a').replace('"image":"a"', '"image":1'), V135)),
    ).toBe('json: cannot unmarshal number into Go struct field ImagePullIntent.image of type string');
    const cases: Array<[string, string]> = [
      [
        '"imageRef":true',
        'json: cannot unmarshal bool into Go struct field ImagePulledRecord.imageRef of type string',
      ],
      [
        '"credentialMapping":[]',
        'json: cannot unmarshal array into Go struct field ImagePulledRecord.credentialMapping of type map[string]v1beta1.ImagePullCredentials',
      ],
      [
        '"credentialMapping":{"k":"x"}',
        'json: cannot unmarshal string into Go struct field ImagePulledRecord.credentialMapping of type v1beta1.ImagePullCredentials',
      ],
      [
        '"credentialMapping":{"k":{"kubernetesSecrets":{}}}',
        'json: cannot unmarshal object into Go struct field ImagePullCredentials.credentialMapping.kubernetesSecrets of type []v1beta1.ImagePullSecret',
      ],
      [
        '"credentialMapping":{"k":{"kubernetesSecrets":[1]}}',
        'json: cannot unmarshal number into Go struct field ImagePullCredentials.credentialMapping.kubernetesSecrets of type v1beta1.ImagePullSecret',
      ],
      [
        '"credentialMapping":{"k":{"kubernetesSecrets":[{"uid":[]}]}}',
        'json: cannot unmarshal array into Go struct field ImagePullSecret.credentialMapping.kubernetesSecrets.uid of type string',
      ],
      [
        '"credentialMapping":{"k":{"kubernetesServiceAccounts":[{"name":false}]}}',
        'json: cannot unmarshal bool into Go struct field ImagePullServiceAccount.credentialMapping.kubernetesServiceAccounts.name of type string',
      ],
      [
        '"credentialMapping":{"k":{"nodePodsAccessible":"true"}}',
        'json: cannot unmarshal string into Go struct field ImagePullCredentials.credentialMapping.nodePodsAccessible of type bool',
      ],
      ['"lastUpdatedTime":5', 'json: cannot unmarshal number into Go value of type string'],
      [
        '"x":1,"imageRef":2',
        'json: cannot unmarshal number into Go struct field ImagePulledRecord.imageRef of type string',
      ],
    ];
    for (const [fields, message] of cases) {
      expect(decodeError(decodeImagePulledRecord(recordText(`,${fields}`), V135)), fields).toBe(message);
    }
  });

  it('rejects kubernetesServiceAccounts as an unknown field for the 1.33 types only', () => {
    const text = recordText(
      ',"lastUpdatedTime":null,"imageRef":"r","credentialMapping":{"k":{"kubernetesServiceAccounts":[{"uid":"u","namespace":"n","name":"s"}]}}',
      'v1alpha1',
    );
    expect(decodeError(decodeImagePulledRecord(text, V133))).toBe(
      'strict decoding error: unknown field "kubernetesServiceAccounts"',
    );
    expect(decodeImagePulledRecord(text, V134)).toMatchObject({
      ok: true,
      value: {
        credentialMapping: { k: { kubernetesServiceAccounts: [{ uid: 'u', namespace: 'n', name: 's' }] } },
      },
    });
  });

  it('decodes an empty or absent credentialMapping and absent or null lists to empty values', () => {
    for (const fields of [
      ',"imageRef":"r"',
      ',"imageRef":"r","credentialMapping":{}',
      ',"imageRef":"r","credentialMapping":null',
    ]) {
      expect(decodeImagePulledRecord(recordText(fields), V135)).toEqual({
        ok: true,
        value: { lastUpdatedTime: null, imageRef: 'r', credentialMapping: {} },
        apiVersion: 'v1beta1',
      });
    }
    // The oldest v1alpha1 types wrote "kubernetesSecrets":null (no omitempty).
    const oldest = recordText(
      ',"lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"r","credentialMapping":{"k":{"kubernetesSecrets":null,"nodePodsAccessible":true}}',
      'v1alpha1',
    );
    expect(decodeImagePulledRecord(oldest, V133)).toMatchObject({
      ok: true,
      value: { credentialMapping: { k: { nodePodsAccessible: true } } },
    });
    const empties = recordText(
      ',"imageRef":"r","credentialMapping":{"k":{"kubernetesSecrets":[],"kubernetesServiceAccounts":[],"nodePodsAccessible":false},"n":null}',
    );
    expect(decodeImagePulledRecord(empties, V135)).toMatchObject({
      ok: true,
      value: { credentialMapping: { k: {}, n: {} } },
    });
  });

  it('leaves a field at its zero value when it is null or missing, as Go does', () => {
    expect(
      decodeImagePullIntent('{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1"}', V135),
    ).toMatchObject({
      ok: true,
      value: { image: '' },
    });
    expect(decodeImagePullIntent(intentText('a').replace('"a"', 'null'), V135)).toMatchObject({
      value: { image: '' },
    });
    const nullSecret = recordText(',"imageRef":"r","credentialMapping":{"k":{"kubernetesSecrets":[null]}}');
    expect(decodeImagePulledRecord(nullSecret, V135)).toMatchObject({
      value: {
        credentialMapping: {
          k: { kubernetesSecrets: [{ uid: '', namespace: '', name: '', credentialHash: '' }] },
        },
      },
    });
    const nullAccount = recordText(
      ',"imageRef":"r","credentialMapping":{"k":{"kubernetesServiceAccounts":[null]}}',
    );
    expect(decodeImagePulledRecord(nullAccount, V135)).toMatchObject({
      value: {
        credentialMapping: { k: { kubernetesServiceAccounts: [{ uid: '', namespace: '', name: '' }] } },
      },
    });
  });

  it('keeps a map key named __proto__ as an ordinary key', () => {
    const text = recordText(
      ',"lastUpdatedTime":null,"imageRef":"r","credentialMapping":{"__proto__":{"nodePodsAccessible":true}}',
    );
    const decoded = decodeImagePulledRecord(text, V135);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(Object.keys(decoded.value.credentialMapping)).toEqual(['__proto__']);
    expect(encodeImagePulledRecord(decoded.value, 'v1beta1')).toBe(text);
  });

  describe('lastUpdatedTime (metav1.Time, RFC 3339)', () => {
    const withTime = (time: string) =>
      recordText(`,"lastUpdatedTime":${JSON.stringify(time)},"imageRef":"r"`);
    const timeOf = (time: string) => {
      const decoded = decodeImagePulledRecord(withTime(time), V135);
      return decoded.ok ? decoded.value.lastUpdatedTime : decoded.error;
    };

    it('reads whole seconds, fractions to the microsecond and numeric offsets', () => {
      expect(timeOf('2024-10-21T12:26:40Z')).toBe(T_2024);
      expect(timeOf('2024-10-21T12:26:40.123456789Z')).toBe(T_2024 + 123_456);
      expect(timeOf('2024-10-21T12:26:40,5Z')).toBe(T_2024 + 500_000);
      expect(timeOf('2024-10-21T14:26:40+02:00')).toBe(T_2024);
      expect(timeOf('2024-10-21T10:56:40-01:30')).toBe(T_2024);
      expect(timeOf('2024-02-29T00:00:00Z')).toBe(1_709_164_800_000_000);
      expect(timeOf('1970-01-01T00:00:00Z')).toBe(0);
    });

    it("maps Go's zero time to null", () => {
      expect(timeOf('0001-01-01T00:00:00Z')).toBeNull();
      expect(timeOf('0001-01-01T00:00:00.000Z')).toBeNull();
    });

    it.each([
      ['2024-10-21 12:26:40Z', 'cannot parse'],
      ['2024-10-21T12:26:40z', 'cannot parse'],
      ['2024-10-21T12:26:40', 'cannot parse'],
      ['2024-13-01T00:00:00Z', 'month out of range'],
      ['2024-00-01T00:00:00Z', 'month out of range'],
      ['2023-02-29T00:00:00Z', 'day out of range'],
      ['2024-04-31T00:00:00Z', 'day out of range'],
      ['2024-04-00T00:00:00Z', 'day out of range'],
      ['2100-02-29T00:00:00Z', 'day out of range'],
      ['2024-10-21T24:00:00Z', 'hour out of range'],
      ['2024-10-21T12:60:00Z', 'minute out of range'],
      ['2024-10-21T12:26:60Z', 'second out of range'],
      ['2024-10-21T12:26:40+24:00', 'time zone offset out of range'],
      ['1969-12-31T23:59:59Z', 'before the Unix epoch'],
      ['0001-01-01T00:00:00.000000001Z', 'before the Unix epoch'],
      ['9999-12-31T23:59:59Z', 'after year 2255'],
    ])('rejects %s', (time, reason) => {
      const error = timeOf(time);
      expect(error).toContain(`parsing time "${time}" as "2006-01-02T15:04:05Z07:00"`);
      expect(error).toContain(reason);
    });

    it('accepts 29 February in a leap century year', () => {
      expect(timeOf('2000-02-29T00:00:00Z')).toBe(951_782_400_000_000);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties

const text = fc.string({ unit: 'binary', maxLength: 12 });
const secretArb = fc.record({ uid: text, namespace: text, name: text, credentialHash: text });
const accountArb = fc.record({ uid: text, namespace: text, name: text });
/** Credentials in canonical form: empty lists and a false flag are left out, as decoding leaves them out. */
const credentialsArb: fc.Arbitrary<ImagePullCredentials> = fc
  .record({
    kubernetesSecrets: fc.array(secretArb, { maxLength: 3 }),
    kubernetesServiceAccounts: fc.array(accountArb, { maxLength: 3 }),
    nodePodsAccessible: fc.boolean(),
  })
  .map(({ kubernetesSecrets, kubernetesServiceAccounts, nodePodsAccessible }) => ({
    ...(kubernetesSecrets.length > 0 ? { kubernetesSecrets } : {}),
    ...(kubernetesServiceAccounts.length > 0 ? { kubernetesServiceAccounts } : {}),
    ...(nodePodsAccessible ? { nodePodsAccessible } : {}),
  }));
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormed = (s: string) => !LONE_SURROGATE.test(s);
const recordArb: fc.Arbitrary<ImagePulledRecord> = fc.record({
  lastUpdatedTime: fc.option(
    fc.integer({ min: 0, max: 8_000_000_000 }).map((seconds) => (seconds * 1_000_000) as Ticks),
    { nil: null },
  ),
  imageRef: text,
  credentialMapping: fc.dictionary(text, credentialsArb, { maxKeys: 4 }),
});
const versionArb = fc.constantFrom<RecordApiVersion>('v1alpha1', 'v1beta1');

describe('properties', () => {
  it('encode then decode is the identity for any record with whole-second times, in both apiVersions', () => {
    // Unpaired surrogates have no UTF-8 form; Go would have written U+FFFD, so they are excluded here.
    const canonical = recordArb.filter(
      (r) =>
        wellFormed(r.imageRef) &&
        Object.entries(r.credentialMapping).every(
          ([key, creds]) =>
            wellFormed(key) &&
            [...(creds.kubernetesSecrets ?? []), ...(creds.kubernetesServiceAccounts ?? [])].every((c) =>
              Object.values(c).every(wellFormed),
            ),
        ),
    );
    fc.assert(
      fc.property(canonical, versionArb, (record, version) => {
        const decoded = decodeImagePulledRecord(encodeImagePulledRecord(record, version), V135);
        expect(decoded).toEqual({ ok: true, value: record, apiVersion: version });
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(text.filter(wellFormed), versionArb, (image, version) => {
        expect(decodeImagePullIntent(encodeImagePullIntent({ image }, version), V135)).toEqual({
          ok: true,
          value: { image },
          apiVersion: version,
        });
      }),
      { numRuns: 300 },
    );
  });

  it('decoding a file with any one character changed never throws (it returns ok or an error value)', () => {
    const encoded = fc.tuple(recordArb, versionArb).map(([r, v]) => encodeImagePulledRecord(r, v));
    fc.assert(
      fc.property(encoded, fc.nat(), fc.integer({ min: 0, max: 0xffff }), (file, at, code) => {
        const index = at % file.length;
        const changed = file.slice(0, index) + String.fromCharCode(code) + file.slice(index + 1);
        for (const result of [decodeImagePulledRecord(changed, V135), decodeImagePullIntent(changed, V133)]) {
          expect(typeof result.ok).toBe('boolean');
          if (!result.ok) expect(result.error.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a byte-level change of the UTF-8 file never makes the decoder throw', () => {
    fc.assert(
      fc.property(recordArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (record, at, byte) => {
        const bytes = Buffer.from(encodeImagePulledRecord(record, 'v1beta1'), 'utf8');
        bytes[at % bytes.length] = byte;
        const result = decodeImagePulledRecord(bytes.toString('utf8'), V135);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });
});
