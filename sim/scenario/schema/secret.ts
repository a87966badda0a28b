import { GoJsonObject, type GoJsonValue, parseGoJson } from '../../../src/go/index.js';
import type { Path } from '../../errors.js';
import type { Issues } from '../../input/issues.js';
import { asMapping, fields, literal, mapping, peek, text } from '../../input/kit.js';
import { ignored, type ManifestOf, meta, namespacedMeta } from './metadata.js';

/*
 * A Secret as the API server validates it (pkg/apis/core/validation ValidateSecret): keys are config keys, `data`
 * values are base64, and a docker-config secret holds its key with well-formed JSON that decodes into a
 * `map[string]interface{}` (an object, or `null`). Whether the kubelet can use that docker config is its own
 * business: it finds out when it builds the pod's keyring (docs/kubelet-model.md, "Pull secrets the kubelet cannot
 * parse").
 */

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BAD_KEY = 'a valid config key must consist of alphanumeric characters, -, _ or .';

export const secretSchema = fields({
  apiVersion: literal('v1'),
  kind: literal('Secret'),
  metadata: namespacedMeta,
  type: text({ nonEmpty: true }).exactOptional().meta({ description: 'default Opaque' }),
  data: mapping(text()).exactOptional().meta({ description: 'base64 values, as in a real manifest' }),
  stringData: mapping(text()).exactOptional(),
  immutable: ignored(),
});

/** A Secret as the world takes it: `data` values stay base64, as in a real manifest. */
export type SecretManifest = ManifestOf<typeof secretSchema>;

/** The key a docker-config secret of `type` must hold. */
function dockerConfigKey(type: string): string | undefined {
  if (type === 'kubernetes.io/dockerconfigjson') return '.dockerconfigjson';
  if (type === 'kubernetes.io/dockercfg') return '.dockercfg';
  return undefined;
}

export function readSecret(issues: Issues, value: unknown, path: Path): SecretManifest | undefined {
  const secret = issues.parse(secretSchema, value, path);
  const raw = asMapping(value);
  // The checks look at every value valid on its own, so that they are reported with the problems around them.
  const type = raw.type === undefined ? 'Opaque' : peek(secretSchema.shape.type, raw.type);
  const data = strings(raw.data);
  const stringData = strings(raw.stringData);
  const decoded: Record<string, string> = {};
  for (const [key, v] of Object.entries(data)) {
    if (!SECRET_KEY.test(key)) issues.add([...path, 'data', key], BAD_KEY);
    const compact = v.replace(/\s+/g, '');
    if (!BASE64.test(compact))
      issues.add(
        [...path, 'data', key],
        'illegal base64 data (data values are base64; use stringData for plain text)',
      );
    else decoded[key] = Buffer.from(compact, 'base64').toString('utf8');
  }
  for (const [key, v] of Object.entries(stringData)) {
    if (!SECRET_KEY.test(key)) issues.add([...path, 'stringData', key], BAD_KEY);
    decoded[key] = v;
  }
  if (type !== undefined) checkDockerConfig(issues, path, { type, data, stringData, decoded });
  if (secret === undefined || type === undefined) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(secret.metadata),
    type,
    ...(Object.keys(data).length === 0
      ? {}
      : { data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.replace(/\s+/g, '')])) }),
    ...(Object.keys(stringData).length === 0 ? {} : { stringData }),
  };
}

/** The string values of a mapping (the others are reported by the schema). */
function strings(value: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(asMapping(value)).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

function checkDockerConfig(
  issues: Issues,
  path: Path,
  secret: {
    readonly type: string;
    readonly data: Readonly<Record<string, string>>;
    readonly stringData: Readonly<Record<string, string>>;
    readonly decoded: Readonly<Record<string, string>>;
  },
): void {
  const { type, data, stringData, decoded } = secret;
  const key = dockerConfigKey(type);
  if (key === undefined) return;
  const field = Object.hasOwn(stringData, key) ? 'stringData' : 'data';
  const content = decoded[key];
  if (content === undefined) {
    // A value that is present but not base64 has already been reported.
    if (!Object.hasOwn(data, key))
      issues.add([...path, 'data', key], `required for a secret of type ${type}`);
    return;
  }
  // ValidateSecret: `json.Unmarshal(value, &map[string]interface{}{})` must succeed, nothing more. What the kubelet
  // cannot use (`{"auths":5}`, an `auth` that is not base64 of `user:pass`) is accepted here and fails its
  // credential lookup (src/credentials/docker-config.ts).
  const parsed = parseGoJson(content);
  if (!parsed.ok || !(parsed.value === null || parsed.value instanceof GoJsonObject)) {
    issues.add([...path, field, key], 'expected valid JSON: a docker config object (the value is not shown)');
    return;
  }
  if (!numbersFitFloat64(parsed.value))
    issues.add(
      [...path, field, key],
      'expected valid JSON: a number is out of range (the value is not shown)',
    );
}

/** Go's decoder into `interface{}` refuses a number that overflows a float64 (`strconv.ParseFloat` range error). */
function numbersFitFloat64(value: GoJsonValue): boolean {
  const stack: GoJsonValue[] = [value];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (typeof next === 'number' && !Number.isFinite(next)) return false;
    if (next instanceof GoJsonObject) for (const [, member] of next.members) stack.push(member);
    else if (Array.isArray(next)) stack.push(...(next as readonly GoJsonValue[]));
  }
  return true;
}
