import * as z from 'zod';
import type { ContainerRole } from '../../../src/pod/init-containers.js';
import type { Path } from '../../errors.js';
import type { Issues } from '../../input/issues.js';
import type { Frozen, Override } from '../../input/kit.js';
import { asList, asMapping, fields, list, literal, oneOf, peek, text } from '../../input/kit.js';
import { DNS_SUBDOMAIN, dnsLabel } from './common.js';
import {
  ignored,
  ignoredFields,
  type LocalObjectReference,
  localRefs,
  type ManifestOf,
  type Modelled,
  meta,
  namespacedMeta,
  namespaceMeta,
  refs,
} from './metadata.js';
import { readSecret, type SecretManifest, secretSchema } from './secret.js';

/*
 * The Kubernetes objects a scenario applies: Namespace, Secret, ServiceAccount and Pod, as real manifests (fields
 * that pullsim does not model are accepted and ignored, so a real object can be pasted), validated as the API
 * server validates the fields pullsim reads.
 */

const KINDS = ['Namespace', 'Secret', 'ServiceAccount', 'Pod'] as const;

/**
 * The annotation the kubelet puts on every pod it runs (`kubetypes.ConfigSourceAnnotationKey`): `api` for a pod of
 * the API server, `file` or `http` for a static pod (`kubetypes.IsStaticPod`: any source but `api`). A scenario
 * marks a static pod with it.
 */
const CONFIG_SOURCE_ANNOTATION = 'kubernetes.io/config.source';
const CONFIG_SOURCES = ['api', 'file', 'http'];

/** Whether a pod manifest is a static pod (its config source is not the API server). */
export function isStaticPod(pod: {
  readonly metadata: { readonly annotations?: Record<string, string> };
}): boolean {
  const source = pod.metadata.annotations?.[CONFIG_SOURCE_ANNOTATION];
  return source !== undefined && source !== 'api';
}

const namespaceSchema = fields({
  apiVersion: literal('v1'),
  kind: literal('Namespace'),
  metadata: namespaceMeta,
  spec: ignored(),
  status: ignored(),
});

const serviceAccountSchema = fields({
  apiVersion: literal('v1'),
  kind: literal('ServiceAccount'),
  metadata: namespacedMeta,
  imagePullSecrets: localRefs().exactOptional(),
  secrets: ignored(),
  automountServiceAccountToken: ignored(),
});

const containerFields = {
  name: dnsLabel(),
  image: text({ nonEmpty: true }),
  imagePullPolicy: oneOf(['Always', 'IfNotPresent', 'Never']).exactOptional(),
};
const CONTAINER_IGNORED = [
  'command',
  'args',
  'workingDir',
  'ports',
  'envFrom',
  'env',
  'resources',
  'resizePolicy',
  'restartPolicy',
  'volumeMounts',
  'volumeDevices',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'securityContext',
  'stdin',
  'stdinOnce',
  'tty',
] as const;

const containerSchema = fields({ ...containerFields, ...ignoredFields(CONTAINER_IGNORED) });

/** An init container: `restartPolicy: Always` makes it a sidecar (restartable init container). */
const initContainerSchema = fields({
  ...containerFields,
  restartPolicy: literal('Always')
    .exactOptional()
    .meta({ description: 'Always: a sidecar, started before the containers and kept running beside them' }),
  ...ignoredFields(CONTAINER_IGNORED.filter((field) => field !== 'restartPolicy')),
});

/**
 * A pod's service account: a DNS subdomain name, or "" — which the API server treats as unset (the deprecated
 * `serviceAccount` then, else `default`: pkg/apis/core/v1 conversion and the ServiceAccount admission plugin).
 */
const serviceAccountRef = () =>
  text({
    pattern: new RegExp(`^$|${DNS_SUBDOMAIN.source}`),
    hint: 'a DNS subdomain name, or "" for the default',
  });

const podSpecSchema = fields({
  containers: list(containerSchema),
  initContainers: list(initContainerSchema).exactOptional(),
  imagePullSecrets: localRefs().exactOptional(),
  serviceAccountName: serviceAccountRef().exactOptional(),
  serviceAccount: serviceAccountRef()
    .exactOptional()
    .meta({ description: 'deprecated alias of serviceAccountName' }),
  nodeName: text().exactOptional(),
  restartPolicy: oneOf(['Always', 'OnFailure', 'Never']).exactOptional(),
  ...ignoredFields([
    'automountServiceAccountToken',
    'volumes',
    'ephemeralContainers',
    'terminationGracePeriodSeconds',
    'activeDeadlineSeconds',
    'dnsPolicy',
    'nodeSelector',
    'hostNetwork',
    'hostPID',
    'hostIPC',
    'shareProcessNamespace',
    'securityContext',
    'hostname',
    'subdomain',
    'affinity',
    'schedulerName',
    'tolerations',
    'hostAliases',
    'priorityClassName',
    'priority',
    'dnsConfig',
    'readinessGates',
    'runtimeClassName',
    'enableServiceLinks',
    'preemptionPolicy',
    'overhead',
    'topologySpreadConstraints',
    'setHostnameAsFQDN',
    'os',
    'hostUsers',
    'schedulingGates',
    'resourceClaims',
    'resources',
  ]),
});

const podSchema = fields({
  apiVersion: literal('v1'),
  kind: literal('Pod'),
  metadata: namespacedMeta,
  spec: podSpecSchema,
  status: ignored(),
});

/** Any manifest a scenario may apply (the JSON Schema's view; reading dispatches on `kind` first). */
export const manifestSchema = z
  .discriminatedUnion('kind', [namespaceSchema, secretSchema, serviceAccountSchema, podSchema])
  .meta({ description: 'A Kubernetes manifest: Namespace, Secret, ServiceAccount or Pod (apiVersion v1)' });

export type NamespaceManifest = ManifestOf<typeof namespaceSchema>;
export type ServiceAccountManifest = Frozen<
  Override<ManifestOf<typeof serviceAccountSchema>, { imagePullSecrets?: LocalObjectReference[] }>
>;
export type ContainerManifest = Frozen<
  Modelled<z.output<typeof containerSchema>> & {
    /** An init container's kind; absent for a regular container (docs/kubelet-model.md#init-containers). */
    role?: ContainerRole;
  }
>;
export type ImagePullPolicy = NonNullable<ContainerManifest['imagePullPolicy']>;

/**
 * A pod spec as `buildPod` writes it: init containers listed first with the others, each with its `role`;
 * `serviceAccount` read as the name.
 */
type PodSpec = Omit<
  Override<
    Modelled<z.output<typeof podSpecSchema>>,
    { containers: ContainerManifest[]; imagePullSecrets?: LocalObjectReference[] }
  >,
  'initContainers' | 'serviceAccount'
>;
export type PodManifest = Frozen<Override<ManifestOf<typeof podSchema>, { spec: PodSpec }>>;
export type RestartPolicy = NonNullable<PodSpec['restartPolicy']>;

export type Manifest = NamespaceManifest | SecretManifest | ServiceAccountManifest | PodManifest;
export type ManifestKind = Manifest['kind'];

const header = fields({ kind: oneOf(KINDS), apiVersion: literal('v1') }).loose();
const BY_KIND = { Namespace: namespaceSchema, ServiceAccount: serviceAccountSchema, Pod: podSchema } as const;

/** What references into the objects may name: the declared nodes. */
export interface ManifestContext {
  readonly nodes: ReadonlySet<string>;
}

/** One manifest, or undefined after reporting its problems. */
export function readManifest(
  issues: Issues,
  value: unknown,
  path: Path,
  context: ManifestContext,
): Manifest | undefined {
  const kind = oneOf(KINDS).safeParse((value as { kind?: unknown } | null)?.kind);
  if (!kind.success) {
    issues.parse(header, value, path);
    return undefined;
  }
  if (kind.data === 'Secret') return readSecret(issues, value, path);
  const parsed = issues.parse(BY_KIND[kind.data], value, path);
  const raw = asMapping(value);
  if (kind.data === 'Namespace' && asMapping(raw.metadata).namespace !== undefined)
    issues.add([...path, 'metadata', 'namespace'], 'a Namespace is not namespaced');
  if (kind.data === 'Pod') checkPod(issues, raw, [...path, 'spec'], context);
  if (parsed === undefined) return undefined;
  switch (parsed.kind) {
    case 'Namespace':
      return { apiVersion: 'v1', kind: 'Namespace', metadata: meta(parsed.metadata) };
    case 'ServiceAccount':
      return {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: meta(parsed.metadata),
        imagePullSecrets: refs(parsed.imagePullSecrets ?? []),
      };
    case 'Pod':
      return buildPod(parsed);
  }
}

/** The checks of a pod spec that span fields, on every value valid on its own. */
function checkPod(
  issues: Issues,
  raw: Readonly<Record<string, unknown>>,
  specPath: Path,
  context: ManifestContext,
): void {
  const spec = asMapping(raw.spec);
  if (Array.isArray(spec.containers) && spec.containers.length === 0)
    issues.add([...specPath, 'containers'], 'must have at least one container');
  const names = new Set<string>();
  for (const field of ['initContainers', 'containers'] as const) {
    asList(spec[field]).forEach((item, i) => {
      const cp = [...specPath, field, i];
      const c = asMapping(item);
      const name = peek(containerSchema.shape.name, c.name);
      if (name !== undefined && names.has(name))
        issues.add([...cp, 'name'], `duplicate container name ${name}`, 'duplicate');
      if (name !== undefined) names.add(name);
      const image = peek(containerSchema.shape.image, c.image);
      if (image !== undefined && image.trim() !== image)
        issues.add([...cp, 'image'], 'must not have leading or trailing whitespace');
    });
  }
  checkStaticPod(issues, raw, specPath);
  const nodeName = peek(podSpecSchema.shape.nodeName, spec.nodeName);
  if (nodeName !== undefined && !context.nodes.has(nodeName))
    issues.add(
      [...specPath, 'nodeName'],
      `unknown node ${JSON.stringify(nodeName)} (declared: ${[...context.nodes].join(', ') || 'none'})`,
      'unknown_reference',
    );
}

/**
 * A static pod's source, and what its mirror pod may not name: the ServiceAccount admission plugin refuses a mirror
 * pod that references a service account or a secret (`plugin/pkg/admission/serviceaccount/admission.go`), so a
 * static pod runs without either and pulls with node-wide credentials only. Not modelled: a static pod that names
 * them anyway (the kubelet would run it without a mirror pod).
 */
function checkStaticPod(issues: Issues, raw: Readonly<Record<string, unknown>>, specPath: Path): void {
  const annotations = asMapping(asMapping(raw.metadata).annotations);
  const source = annotations[CONFIG_SOURCE_ANNOTATION];
  const sourcePath: Path = [...specPath.slice(0, -1), 'metadata', 'annotations', CONFIG_SOURCE_ANNOTATION];
  if (typeof source === 'string' && !CONFIG_SOURCES.includes(source))
    issues.add(sourcePath, `expected one of ${CONFIG_SOURCES.join(', ')} (the kubelet's pod sources)`);
  if (source === undefined || source === 'api') return;
  const spec = asMapping(raw.spec);
  for (const field of ['serviceAccountName', 'serviceAccount'])
    if (spec[field] !== undefined && spec[field] !== '')
      issues.add(
        [...specPath, field],
        'a static pod has no service account: a mirror pod may not reference service accounts',
      );
  if (asList(spec.imagePullSecrets).length > 0)
    issues.add(
      [...specPath, 'imagePullSecrets'],
      'a static pod has no pull secrets: a mirror pod may not reference secrets',
    );
}

/** A valid pod as the world takes it: init containers first, in order, each marked `init` or `sidecar`. */
function buildPod(pod: z.output<typeof podSchema>): PodManifest {
  const spec = pod.spec;
  const container = (c: z.output<typeof containerSchema>, role?: ContainerRole): ContainerManifest => ({
    name: c.name,
    image: c.image,
    ...(c.imagePullPolicy === undefined ? {} : { imagePullPolicy: c.imagePullPolicy }),
    ...(role === undefined ? {} : { role }),
  });
  const containers: ContainerManifest[] = [
    ...(spec.initContainers ?? []).map((c) =>
      container(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init'),
    ),
    ...spec.containers.map((c) => container(c)),
  ];
  const serviceAccountName = spec.serviceAccountName || spec.serviceAccount || undefined;
  const source = pod.metadata.annotations?.[CONFIG_SOURCE_ANNOTATION];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta(pod.metadata),
      ...(source === undefined ? {} : { annotations: { [CONFIG_SOURCE_ANNOTATION]: source } }),
    },
    spec: {
      containers,
      ...(serviceAccountName === undefined ? {} : { serviceAccountName }),
      ...(spec.imagePullSecrets === undefined ? {} : { imagePullSecrets: refs(spec.imagePullSecrets) }),
      ...(spec.nodeName === undefined ? {} : { nodeName: spec.nodeName }),
      ...(spec.restartPolicy === undefined ? {} : { restartPolicy: spec.restartPolicy }),
    },
  };
}

/** The object key a `delete` step names. */
export const deleteSchema = fields({
  kind: oneOf(KINDS),
  namespace: dnsLabel().exactOptional(),
  name: text({ nonEmpty: true }),
});

/** An object of the API server, by kind, namespace and name. */
export type ObjectKey = Frozen<z.output<typeof deleteSchema>>;
