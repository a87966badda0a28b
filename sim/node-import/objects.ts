import { SECRET_TYPE_DOCKER_CONFIG_JSON } from '../../src/credentials/index.js';
import {
  type CredentialReplacer,
  pullSecretContent,
  type ReplacedEntry,
  replacedSecretData,
} from './credentials.js';
import type { ApiObjects, PodObject, SecretObject } from './inputs.js';
import type { ImportNote } from './records.js';

/*
 * The API objects of the node's pods, as scenario manifests: the pods that run on the node (reduced to the fields
 * pullsim models), the namespaces they live in, and those namespaces' service accounts and pull secrets (only the
 * two docker-config types; every other Secret is ignored and never read). Pull secrets carry replaced credentials
 * (credentials.ts).
 */

const CONFIG_SOURCE = 'kubernetes.io/config.source';

/** Manifests in the scenario's file format, and the pull-secret credentials they carry (for the registries). */
export interface ImportedObjects {
  readonly manifests: readonly Record<string, unknown>[];
  readonly pods: readonly PodObject[];
  readonly secretEntries: readonly ReplacedEntry[];
  readonly notes: readonly ImportNote[];
}

/** The node's pods and what they refer to; `objectsFile` names the input in notes. */
export function importObjects(
  objects: ApiObjects,
  nodeName: string,
  replacer: CredentialReplacer,
  objectsFile: string,
): ImportedObjects {
  const notes: ImportNote[] = [];
  const onNode = objects.pods.filter((pod) => pod.spec.nodeName === nodeName);
  const finished = onNode.filter(
    (pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed',
  );
  const pods = sortByKey(onNode.filter((pod) => !finished.includes(pod)));
  if (finished.length > 0)
    notes.push({
      about: objectsFile,
      message: `${finished.length} finished pod(s) (phase Succeeded or Failed) left out: their containers do not start again`,
    });
  const namespaces = new Set(pods.map(namespaceOf));
  const secrets = sortByKey(objects.secrets.filter((s) => namespaces.has(namespaceOf(s))));
  const secretEntries: ReplacedEntry[] = [];
  const secretManifests = secrets.flatMap((secret) => {
    const manifest = secretManifest(secret, replacer, secretEntries);
    if (typeof manifest === 'string') {
      notes.push({
        about: objectsFile,
        message: `secret ${namespaceOf(secret)}/${secret.metadata.name}: ${manifest}`,
      });
      return [];
    }
    return manifest === undefined ? [] : [manifest];
  });
  const accounts = sortByKey(objects.serviceAccounts.filter((a) => namespaces.has(namespaceOf(a))));
  return {
    manifests: [
      ...[...namespaces].sort().map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
      ...secretManifests,
      ...accounts.map((account) => ({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: meta(account),
        ...refs('imagePullSecrets', account.imagePullSecrets),
      })),
      ...pods.map(podManifest),
    ],
    pods,
    secretEntries,
    notes,
  };
}

/** A pull secret with replaced credentials; undefined for another type; a string says why it was left out. */
function secretManifest(
  secret: SecretObject,
  replacer: CredentialReplacer,
  entries: ReplacedEntry[],
): Record<string, unknown> | string | undefined {
  const content = pullSecretContent(secret);
  if (content.kind === 'not-a-pull-secret') return undefined;
  if (content.kind === 'empty')
    return 'holds no docker config; left out (the kubelet finds no credential in it either)';
  const type = secret.type ?? SECRET_TYPE_DOCKER_CONFIG_JSON;
  const replaced = content.kind === 'config' ? replacer.replaceConfig(content.config) : undefined;
  entries.push(...(replaced ?? []));
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(secret),
    type,
    stringData: replacedSecretData(type, replaced),
  };
}

function podManifest(pod: PodObject): Record<string, unknown> {
  const source = pod.metadata.annotations?.[CONFIG_SOURCE];
  const isStatic = source === 'file' || source === 'http';
  const spec = pod.spec;
  const account = spec.serviceAccountName ?? spec.serviceAccount;
  const container = (c: PodObject['spec']['containers'][number], init: boolean) => ({
    name: c.name,
    image: c.image,
    ...(c.imagePullPolicy === undefined ? {} : { imagePullPolicy: c.imagePullPolicy }),
    ...(init && c.restartPolicy !== undefined ? { restartPolicy: c.restartPolicy } : {}),
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta(pod),
      ...(source === undefined ? {} : { annotations: { [CONFIG_SOURCE]: source } }),
    },
    spec: {
      nodeName: spec.nodeName,
      ...(spec.restartPolicy === undefined ? {} : { restartPolicy: spec.restartPolicy }),
      ...(isStatic || account === undefined || account === '' ? {} : { serviceAccountName: account }),
      ...(isStatic ? {} : refs('imagePullSecrets', spec.imagePullSecrets)),
      ...(spec.initContainers == null || spec.initContainers.length === 0
        ? {}
        : { initContainers: spec.initContainers.map((c) => container(c, true)) }),
      containers: spec.containers.map((c) => container(c, false)),
    },
  };
}

function refs(field: string, list: readonly { name?: string | undefined }[] | null | undefined) {
  const names = (list ?? []).flatMap((ref) => (ref.name === undefined ? [] : [{ name: ref.name }]));
  return names.length === 0 ? {} : { [field]: names };
}

function meta(object: {
  metadata: { name: string; namespace?: string | undefined; uid?: string | undefined };
}) {
  return {
    namespace: namespaceOf(object),
    name: object.metadata.name,
    ...(object.metadata.uid === undefined ? {} : { uid: object.metadata.uid }),
  };
}

function namespaceOf(object: { metadata: { namespace?: string | undefined } }): string {
  return object.metadata.namespace ?? 'default';
}

/** Objects in `namespace/name` order, so that the scenario does not depend on the order kubectl listed them in. */
function sortByKey<T extends { metadata: { name: string; namespace?: string | undefined } }>(
  items: readonly T[],
): T[] {
  const key = (item: T) => `${namespaceOf(item)}/${item.metadata.name}`;
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
