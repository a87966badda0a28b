import * as z from 'zod';
import { InputError, type Path } from '../errors.js';
import { Issues } from '../input/issues.js';
import { duration, flag, integer, list, literal, mapping, text, VALUE } from '../input/kit.js';
import { readYaml } from '../input/yaml.js';
import type { SnapshotFile } from './layout.js';

/*
 * The shapes of the collected files, as the tools print them: zod schemas that check the fields pullsim reads and
 * let every other field through (kubectl and crictl print many more). Each file's problems are reported at once,
 * `file:line: path: what was expected`, and a value that may hold a credential is never quoted.
 */

/** `crictl images -o json`: the CRI `ListImagesResponse` as crictl prints it (protobuf JSON, uint64 as a string). */
const criImageSchema = z.looseObject({
  id: text({ nonEmpty: true }),
  repoTags: list(text()).nullable().optional(),
  repoDigests: list(text()).nullable().optional(),
  size: z
    .union([text({ pattern: /^\d+$/, hint: 'a decimal number of bytes' }), integer(0)], {
      error: `expected a number of bytes (crictl prints it as a decimal string), got ${VALUE}`,
    })
    .optional(),
  pinned: flag().optional(),
});
const criImagesSchema = z.looseObject({ images: list(criImageSchema).nullable().optional() });

/** One image of the runtime, as the CRI lists it. */
export interface CriImage {
  readonly id: string;
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
  readonly sizeBytes: number | undefined;
  readonly pinned: boolean;
}

const objectMeta = z.looseObject({
  name: text({ nonEmpty: true }),
  namespace: text().optional(),
  uid: text().optional(),
  annotations: mapping(text()).nullable().optional(),
});
const localRef = z.looseObject({ name: text().optional() });
const containerSchema = z.looseObject({
  name: text({ nonEmpty: true }),
  image: text({ nonEmpty: true }),
  imagePullPolicy: text().optional(),
  restartPolicy: text().optional(),
});
const podSchema = z.looseObject({
  metadata: objectMeta,
  spec: z.looseObject({
    nodeName: text().optional(),
    containers: list(containerSchema),
    initContainers: list(containerSchema).nullable().optional(),
    imagePullSecrets: list(localRef).nullable().optional(),
    serviceAccountName: text().optional(),
    serviceAccount: text().optional(),
    restartPolicy: text().optional(),
  }),
  status: z.looseObject({ phase: text().optional() }).optional(),
});
const secretSchema = z.looseObject({
  metadata: objectMeta,
  type: text().optional(),
  data: mapping(text()).nullable().optional(),
});
const serviceAccountSchema = z.looseObject({
  metadata: objectMeta,
  imagePullSecrets: list(localRef).nullable().optional(),
});
const namespaceSchema = z.looseObject({ metadata: objectMeta });
const listSchema = z.looseObject({
  kind: literal('List'),
  items: list(z.looseObject({ kind: text(), metadata: z.unknown() })).nullable(),
});

export type PodObject = z.output<typeof podSchema>;
export type SecretObject = z.output<typeof secretSchema>;
export type ServiceAccountObject = z.output<typeof serviceAccountSchema>;
export type NamespaceObject = z.output<typeof namespaceSchema>;

/** The API objects of `kubectl get pods,secrets,serviceaccounts,namespaces -A`, by kind (other kinds ignored). */
export interface ApiObjects {
  readonly pods: readonly PodObject[];
  readonly secrets: readonly SecretObject[];
  readonly serviceAccounts: readonly ServiceAccountObject[];
  readonly namespaces: readonly NamespaceObject[];
}

const nodeSchema = z.looseObject({
  metadata: z.looseObject({ name: text({ nonEmpty: true }) }),
  status: z
    .looseObject({ nodeInfo: z.looseObject({ kubeletVersion: text().optional() }).optional() })
    .optional(),
});

/** The fields of a KubeletConfiguration that pullsim models (kubelet spelling). */
const kubeletConfigurationSchema = z.looseObject({
  featureGates: mapping(flag()).nullable().optional(),
  imagePullCredentialsVerificationPolicy: text().optional(),
  preloadedImagesVerificationAllowlist: list(text()).nullable().optional(),
  serializeImagePulls: flag().optional(),
  maxParallelImagePulls: integer(1).nullable().optional(),
  syncFrequency: duration().optional(),
});
const configzSchema = z.looseObject({ kubeletconfig: kubeletConfigurationSchema });

/** The kubelet configuration's modelled fields, as read. */
export type KubeletConfiguration = z.output<typeof kubeletConfigurationSchema>;

/** Collects the issues of every collected file, so that all of them are reported at once. */
export class SnapshotIssues {
  readonly #all: Issues[] = [];

  /** Reads `piece` as YAML/JSON and validates it; undefined (with the issues kept) when it is not valid. */
  read<T extends z.ZodType>(
    piece: SnapshotFile,
    schema: T,
    isSecret: (path: Path) => boolean = () => false,
  ): { value: z.output<T>; issues: Issues } | undefined {
    const { root, lineOf, offsetOf } = readYaml(piece.text, piece.file);
    const issues = new Issues({ file: piece.file, lineOf, offsetOf, isSecret });
    this.#all.push(issues);
    const value = issues.parse(schema, root, []);
    return value === undefined ? undefined : { value, issues };
  }

  /** Throws one InputError with the issues of every file read, when there is any. */
  throwIfAny(): void {
    const errors = this.#all.flatMap((issues) => issues.error() ?? []);
    if (errors.length === 0) return;
    const omitted = errors.reduce((sum, error) => sum + error.omitted, 0);
    throw new InputError(
      errors.flatMap((error) => error.issues),
      omitted,
    );
  }
}

/** Values of a Secret other than its metadata, and anything under a credential field, are never quoted. */
function objectSecretPaths(root: unknown): (path: Path) => boolean {
  return (path) => {
    if (path.some((segment) => segment === 'data' || segment === 'stringData')) return true;
    if (path[0] !== 'items' || typeof path[1] !== 'number' || path[2] === 'metadata') return false;
    const item = (root as { items?: { kind?: unknown }[] }).items?.[path[1]];
    return !['Pod', 'ServiceAccount', 'Namespace'].includes(String(item?.kind));
  };
}

/** The runtime's images (`crictl images -o json`). */
export function readCriImages(issues: SnapshotIssues, piece: SnapshotFile): CriImage[] {
  const read = issues.read(piece, criImagesSchema);
  return (read?.value.images ?? []).map((image) => ({
    id: image.id,
    repoTags: image.repoTags ?? [],
    repoDigests: image.repoDigests ?? [],
    sizeBytes: image.size === undefined ? undefined : Number(image.size),
    pinned: image.pinned ?? false,
  }));
}

/** The API objects of a `kind: List`, each item checked against its kind's shape; other kinds are skipped. */
export function readApiObjects(issues: SnapshotIssues, piece: SnapshotFile): ApiObjects {
  const objects = { pods: [], secrets: [], serviceAccounts: [], namespaces: [] } as {
    pods: PodObject[];
    secrets: SecretObject[];
    serviceAccounts: ServiceAccountObject[];
    namespaces: NamespaceObject[];
  };
  let root: unknown;
  const read = issues.read(piece, listSchema, (path) => objectSecretPaths(root)(path));
  if (read === undefined) return objects;
  root = read.value;
  (read.value.items ?? []).forEach((item, i) => {
    const path = ['items', i];
    if (item.kind === 'Pod') push(objects.pods, read.issues.parse(podSchema, item, path));
    else if (item.kind === 'Secret') push(objects.secrets, read.issues.parse(secretSchema, item, path));
    else if (item.kind === 'ServiceAccount')
      push(objects.serviceAccounts, read.issues.parse(serviceAccountSchema, item, path));
    else if (item.kind === 'Namespace')
      push(objects.namespaces, read.issues.parse(namespaceSchema, item, path));
  });
  return objects;
}

function push<T>(into: T[], value: T | undefined): void {
  if (value !== undefined) into.push(value);
}

/** The node object's name and kubelet version (`status.nodeInfo.kubeletVersion`). */
export function readNodeObject(
  issues: SnapshotIssues,
  piece: SnapshotFile,
): { name: string; kubeletVersion: string | undefined } | undefined {
  const read = issues.read(piece, nodeSchema);
  if (read === undefined) return undefined;
  return { name: read.value.metadata.name, kubeletVersion: read.value.status?.nodeInfo?.kubeletVersion };
}

/** The kubelet configuration: configz's `{"kubeletconfig": …}` or a KubeletConfiguration file. */
export function readKubeletConfiguration(
  issues: SnapshotIssues,
  piece: SnapshotFile & { readonly form: 'configz' | 'file' },
): KubeletConfiguration | undefined {
  if (piece.form === 'configz') return issues.read(piece, configzSchema)?.value.kubeletconfig;
  return issues.read(piece, kubeletConfigurationSchema)?.value;
}
