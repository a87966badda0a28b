/**
 * The kubelet's image-pull records: their types (`record-types.ts`), file names and on-disk codec.
 *
 * Upstream the types live in `staging/src/k8s.io/kubelet/config/v1alpha1|v1beta1/types.go` and are encoded by the
 * apimachinery JSON serializer and decoded by its strict universal decoder (`fs_pullrecords.go`
 * `createKubeletConfigSchemeEncoderDecoder`). This module reproduces the bytes the encoder writes; the strict decoder
 * is `record-decode.ts`.
 */
import { createHash } from 'node:crypto';
import { compareGoStrings, formatRfc3339Seconds, goJsonString } from '../go/index.js';
import type { RecordApiVersion } from '../profiles.js';
import { TICKS_PER_SECOND } from '../time.js';
import {
  type ImagePullCredentials,
  type ImagePulledRecord,
  type ImagePullIntent,
  RECORD_GROUP,
} from './record-types.js';

export {
  type Decoded,
  type DecodeOptions,
  decodeImagePulledRecord,
  decodeImagePullIntent,
} from './record-decode.js';
export {
  type ImagePullCredentials,
  type ImagePulledRecord,
  type ImagePullIntent,
  type ImagePullSecret,
  type ImagePullServiceAccount,
  LATEST_RECORD_API_VERSION,
  RECORD_GROUP,
} from './record-types.js';

// ---------------------------------------------------------------------------------------------------------------
// File names

/**
 * The file name of a record: `sha256-` + lowercase hex SHA-256 of the key's raw UTF-8 bytes (`cacheFilename`,
 * fs_pullrecords.go). Key = the intent's image string or the pulled record's imageRef, verbatim.
 */
export function recordFileName(key: string): string {
  let name = fileNameMemo.get(key);
  if (name === undefined) {
    name = 'sha256-' + createHash('sha256').update(key, 'utf8').digest('hex');
    if (fileNameMemo.size >= FILE_NAME_MEMO_LIMIT) fileNameMemo.clear();
    fileNameMemo.set(key, name);
  }
  return name;
}

/** File names by key: every intent write, read and delete names the same few files (a pure function, bounded). */
const fileNameMemo = new Map<string, string>();
const FILE_NAME_MEMO_LIMIT = 16_384;

// ---------------------------------------------------------------------------------------------------------------
// Encoding

/** Options of the record encoder. */
export interface EncodeOptions {
  /**
   * Whether the record types have the `kubernetesServiceAccounts` field (1.34+). The 1.33 types do not, so a 1.33
   * kubelet cannot hold, let alone write, service-account coordinates: they are dropped. Default true.
   */
  readonly serviceAccountField?: boolean;
}

/**
 * The exact bytes the kubelet writes for an intent (apimachinery JSON serializer, fs_pullrecords.go
 * `WriteImagePullIntent`): compact JSON, `kind`, `apiVersion`, `image`, then one newline.
 */
export function encodeImagePullIntent(intent: ImagePullIntent, apiVersion: RecordApiVersion): string {
  return `{"kind":"ImagePullIntent","apiVersion":${goJsonString(`${RECORD_GROUP}/${apiVersion}`)},"image":${goJsonString(intent.image)}}\n`;
}

/**
 * The exact bytes the kubelet writes for a pulled record (fs_pullrecords.go `WriteImagePulledRecord`): fields in
 * struct order, map keys sorted by UTF-8 bytes, empty mapping/lists and a false `nodePodsAccessible` omitted,
 * `lastUpdatedTime` in whole UTC seconds (or null), Go's HTML-safe string escaping, one trailing newline. Lists
 * are written in the order given (the manager keeps them sorted).
 */
export function encodeImagePulledRecord(
  record: ImagePulledRecord,
  apiVersion: RecordApiVersion,
  { serviceAccountField = true }: EncodeOptions = {},
): string {
  let out = `{"kind":"ImagePulledRecord","apiVersion":${goJsonString(`${RECORD_GROUP}/${apiVersion}`)},"lastUpdatedTime":`;
  out +=
    record.lastUpdatedTime === null
      ? 'null'
      : `"${formatRfc3339Seconds(Math.floor(record.lastUpdatedTime / TICKS_PER_SECOND))}"`;
  out += `,"imageRef":${goJsonString(record.imageRef)}`;
  const keys = Object.keys(record.credentialMapping);
  if (keys.length > 0) {
    keys.sort(compareGoStrings);
    out += ',"credentialMapping":{';
    keys.forEach((key, index) => {
      if (index > 0) out += ',';
      // Every key comes from Object.keys of the same object, so the lookup cannot miss.
      out += `${goJsonString(key)}:${encodeCredentials(record.credentialMapping[key]!, serviceAccountField)}`;
    });
    out += '}';
  }
  return out + '}\n';
}

function encodeCredentials(credentials: ImagePullCredentials, serviceAccountField: boolean): string {
  const parts: string[] = [];
  const secrets = credentials.kubernetesSecrets ?? [];
  if (secrets.length > 0) {
    const items = secrets.map(
      (s) =>
        `{"uid":${goJsonString(s.uid)},"namespace":${goJsonString(s.namespace)},"name":${goJsonString(s.name)},"credentialHash":${goJsonString(s.credentialHash)}}`,
    );
    parts.push(`"kubernetesSecrets":[${items.join(',')}]`);
  }
  const serviceAccounts = serviceAccountField ? (credentials.kubernetesServiceAccounts ?? []) : [];
  if (serviceAccounts.length > 0) {
    const items = serviceAccounts.map(
      (a) =>
        `{"uid":${goJsonString(a.uid)},"namespace":${goJsonString(a.namespace)},"name":${goJsonString(a.name)}}`,
    );
    parts.push(`"kubernetesServiceAccounts":[${items.join(',')}]`);
  }
  if (credentials.nodePodsAccessible === true) parts.push('"nodePodsAccessible":true');
  return `{${parts.join(',')}}`;
}
