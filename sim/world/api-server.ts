import type { ContainerRole } from '../../src/pod/init-containers.js';
import type { SecretObject, ServiceAccountObject } from '../../src/ports.js';
import { parseImageName } from '../../src/reference/index.js';
import type { Ticks } from '../../src/time.js';
import type { RandomStream } from '../kernel/random.js';
import { isStaticPod } from '../scenario/schema/manifests.js';
import type {
  ImagePullPolicy,
  Manifest,
  ManifestKind,
  ObjectKey,
  PodManifest,
  RestartPolicy,
  SecretManifest,
  ServiceAccountManifest,
} from '../scenario/types.js';

export interface StoredSecret extends SecretObject {
  readonly createdAt: Ticks;
}

export interface StoredServiceAccount extends ServiceAccountObject {
  readonly imagePullSecrets: readonly string[];
}

export interface StoredContainer {
  readonly name: string;
  readonly image: string;
  /** After API defaulting and admission (AlwaysPullImages may have rewritten it). */
  readonly imagePullPolicy: ImagePullPolicy;
  /** An init container's kind; absent for a regular container. */
  readonly role?: ContainerRole;
}

export interface StoredPod {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly nodeName: string;
  /** After ServiceAccount admission: `default` when the pod names none; empty for a static pod, which has none. */
  readonly serviceAccountName: string;
  /** After ServiceAccount admission: the pod's own list, or its service account's when it listed none. */
  readonly imagePullSecrets: readonly string[];
  readonly restartPolicy: RestartPolicy;
  readonly containers: readonly StoredContainer[];
  readonly createdAt: Ticks;
}

/**
 * One namespace's objects. The maps change in place (a pod is created and deleted for every pod start of a long
 * workload, so copying a shard per change cost more than the rest of the API server); the stored objects are
 * frozen and replaced, never mutated.
 */
export interface NamespaceState {
  readonly uid: string;
  readonly secrets: ReadonlyMap<string, StoredSecret>;
  readonly serviceAccounts: ReadonlyMap<string, StoredServiceAccount>;
  readonly pods: ReadonlyMap<string, StoredPod>;
}

/** The mutable form the API server keeps. */
interface Shard extends NamespaceState {
  readonly secrets: Map<string, StoredSecret>;
  readonly serviceAccounts: Map<string, StoredServiceAccount>;
  readonly pods: Map<string, StoredPod>;
}

export type ApplyOutcome =
  | {
      readonly ok: true;
      readonly kind: ManifestKind;
      readonly key: string;
      readonly change: 'created' | 'updated' | 'recreated';
      readonly uid: string;
    }
  | { readonly ok: false; readonly kind: ManifestKind; readonly key: string; readonly reason: string };

export interface ApiServerOptions {
  /** Source of generated UIDs (`metadata.uid` is honoured when given). */
  readonly uidStream: RandomStream;
  /** The AlwaysPullImages admission plugin is enabled. */
  readonly alwaysPullImages: boolean;
  /** Pods without `spec.nodeName` go here. */
  readonly defaultNode: string;
}

/**
 * The API objects the kubelet reads: namespaces (each with its `default` service account), secrets, service
 * accounts and pods, with the API server's defaulting and the admission plugins that matter here
 * (ServiceAccount, AlwaysPullImages). Objects are kept per namespace; each stored object is frozen.
 */
export class ApiServer {
  readonly #namespaces = new Map<string, Shard>();
  readonly #options: ApiServerOptions;
  /** Pods created so far (re-creations included): a benchmark's pod starts. */
  podsCreated = 0;

  constructor(options: ApiServerOptions) {
    this.#options = options;
  }

  /** Creates or replaces an object (kubectl apply). A secret or service account update keeps its UID. */
  apply(manifest: Manifest, now: Ticks): ApplyOutcome {
    const namespace =
      manifest.kind === 'Namespace' ? manifest.metadata.name : (manifest.metadata.namespace ?? 'default');
    const key = manifest.kind === 'Namespace' ? namespace : `${namespace}/${manifest.metadata.name}`;
    if (manifest.kind === 'Namespace') {
      if (this.#namespaces.has(namespace))
        return {
          ok: true,
          kind: 'Namespace',
          key,
          change: 'updated',
          uid: this.#namespaces.get(namespace)!.uid,
        };
      const state = this.#ensureNamespace(namespace, manifest.metadata.uid);
      return { ok: true, kind: 'Namespace', key, change: 'created', uid: state.uid };
    }
    const shard = this.#ensureNamespace(namespace);
    switch (manifest.kind) {
      case 'Secret':
        return this.#applySecret(shard, namespace, key, manifest, now);
      case 'ServiceAccount':
        return this.#applyServiceAccount(shard, namespace, key, manifest);
      case 'Pod':
        return this.#applyPod(shard, namespace, key, manifest, now);
    }
  }

  #applySecret(
    shard: Shard,
    namespace: string,
    key: string,
    manifest: SecretManifest,
    now: Ticks,
  ): ApplyOutcome {
    const name = manifest.metadata.name;
    const existing = shard.secrets.get(name);
    const { uid, change } = this.#identity(existing?.uid, manifest.metadata.uid);
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(manifest.data ?? {}))
      data[k] = Buffer.from(v, 'base64').toString('utf8');
    for (const [k, v] of Object.entries(manifest.stringData ?? {})) data[k] = v;
    const secret: StoredSecret = Object.freeze({
      uid,
      namespace,
      name,
      type: manifest.type ?? 'Opaque',
      data: Object.freeze(data),
      createdAt: existing && change === 'updated' ? existing.createdAt : now,
    });
    shard.secrets.set(name, secret);
    return { ok: true, kind: 'Secret', key, change, uid };
  }

  #applyServiceAccount(
    shard: Shard,
    namespace: string,
    key: string,
    manifest: ServiceAccountManifest,
  ): ApplyOutcome {
    const name = manifest.metadata.name;
    const { uid, change } = this.#identity(shard.serviceAccounts.get(name)?.uid, manifest.metadata.uid);
    const account: StoredServiceAccount = Object.freeze({
      uid,
      namespace,
      name,
      imagePullSecrets: Object.freeze((manifest.imagePullSecrets ?? []).map((ref) => ref.name)),
    });
    shard.serviceAccounts.set(name, account);
    return { ok: true, kind: 'ServiceAccount', key, change, uid };
  }

  #applyPod(shard: Shard, namespace: string, key: string, manifest: PodManifest, now: Ticks): ApplyOutcome {
    const name = manifest.metadata.name;
    // A static pod comes from the node's files, not through admission: no service account, no AlwaysPullImages.
    const admitted = !isStaticPod(manifest);
    const serviceAccountName = admitted ? manifest.spec.serviceAccountName || 'default' : '';
    const account = admitted ? shard.serviceAccounts.get(serviceAccountName) : undefined;
    if (admitted && account === undefined) {
      // ServiceAccount admission rejects a pod whose service account does not exist.
      return {
        ok: false,
        kind: 'Pod',
        key,
        reason: `error looking up service account ${namespace}/${serviceAccountName}: serviceaccount "${serviceAccountName}" not found`,
      };
    }
    const ownSecrets = (manifest.spec.imagePullSecrets ?? []).map((ref) => ref.name);
    const existing = shard.pods.get(name);
    // A pod is replaced, not updated: the old one is deleted and a new one (new UID) created, unless the
    // manifest pins the same UID.
    const sameUid =
      existing !== undefined && manifest.metadata.uid !== undefined && manifest.metadata.uid === existing.uid;
    const uid = sameUid ? existing.uid : (manifest.metadata.uid ?? this.#newUid());
    const pod: StoredPod = Object.freeze({
      uid,
      namespace,
      name,
      nodeName: manifest.spec.nodeName ?? this.#options.defaultNode,
      serviceAccountName,
      imagePullSecrets: ownSecrets.length > 0 ? ownSecrets : (account?.imagePullSecrets ?? []),
      restartPolicy: manifest.spec.restartPolicy ?? 'Always',
      containers: manifest.spec.containers.map((container) => ({
        name: container.name,
        image: container.image,
        ...(container.role === undefined ? {} : { role: container.role }),
        imagePullPolicy:
          this.#options.alwaysPullImages && admitted
            ? 'Always'
            : (container.imagePullPolicy ?? defaultImagePullPolicy(container.image)),
      })),
      createdAt: existing !== undefined && sameUid ? existing.createdAt : now,
    });
    shard.pods.set(name, pod);
    if (!sameUid) this.podsCreated++;
    return {
      ok: true,
      kind: 'Pod',
      key,
      change: existing === undefined ? 'created' : sameUid ? 'updated' : 'recreated',
      uid,
    };
  }

  /** Deletes an object; deleting a namespace deletes everything in it. Returns the deleted pods. */
  delete(key: ObjectKey): { readonly deleted: boolean; readonly pods: readonly StoredPod[] } {
    if (key.kind === 'Namespace') {
      const shard = this.#namespaces.get(key.name);
      if (shard === undefined) return { deleted: false, pods: [] };
      this.#namespaces.delete(key.name);
      return {
        deleted: true,
        pods: [...shard.pods.keys()].sort().map((name) => shard.pods.get(name) as StoredPod),
      };
    }
    const shard = this.#namespaces.get(key.namespace ?? 'default');
    if (shard === undefined) return { deleted: false, pods: [] };
    const objects: Map<string, unknown> =
      key.kind === 'Secret'
        ? shard.secrets
        : key.kind === 'ServiceAccount'
          ? shard.serviceAccounts
          : shard.pods;
    const existing = objects.get(key.name);
    if (existing === undefined) return { deleted: false, pods: [] };
    objects.delete(key.name);
    return { deleted: true, pods: key.kind === 'Pod' ? [existing as StoredPod] : [] };
  }

  getSecret(namespace: string, name: string): StoredSecret | undefined {
    return this.#namespaces.get(namespace)?.secrets.get(name);
  }

  getServiceAccount(namespace: string, name: string): StoredServiceAccount | undefined {
    return this.#namespaces.get(namespace)?.serviceAccounts.get(name);
  }

  getPod(namespace: string, name: string): StoredPod | undefined {
    return this.#namespaces.get(namespace)?.pods.get(name);
  }

  /** Every namespace's state, sorted by name (for reports and snapshots). */
  namespaces(): [string, NamespaceState][] {
    return [...this.#namespaces.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  #ensureNamespace(namespace: string, uid?: string): Shard {
    let shard = this.#namespaces.get(namespace);
    if (shard === undefined) {
      // Namespaces are created implicitly when an object names them; each gets its `default` service account.
      const account: StoredServiceAccount = Object.freeze({
        uid: this.#newUid(),
        namespace,
        name: 'default',
        imagePullSecrets: Object.freeze([]),
      });
      shard = {
        uid: uid ?? this.#newUid(),
        secrets: new Map(),
        serviceAccounts: new Map([['default', account]]),
        pods: new Map(),
      };
      this.#namespaces.set(namespace, shard);
    }
    return shard;
  }

  /** An update keeps the stored UID; a manifest that pins a different UID is a re-creation. */
  #identity(
    existingUid: string | undefined,
    manifestUid: string | undefined,
  ): { uid: string; change: 'created' | 'updated' | 'recreated' } {
    if (existingUid === undefined) return { uid: manifestUid ?? this.#newUid(), change: 'created' };
    if (manifestUid === undefined || manifestUid === existingUid)
      return { uid: existingUid, change: 'updated' };
    return { uid: manifestUid, change: 'recreated' };
  }

  /** A version-4-shaped UUID from the seeded stream. */
  #newUid(): string {
    const s = this.#options.uidStream;
    const hex = (bits: number) =>
      s
        .int(0, 2 ** bits - 1)
        .toString(16)
        .padStart(bits / 4, '0');
    return `${hex(32)}-${hex(16)}-4${hex(12)}-${(8 + s.int(0, 3)).toString(16)}${hex(12)}-${hex(24)}${hex(24)}`;
  }
}

/**
 * The API server's default pull policy (SetDefaults_Container, pkg/apis/core/v1/defaults.go): Always when the
 * tag is `latest` (including no tag and no digest), otherwise IfNotPresent.
 */
export function defaultImagePullPolicy(image: string): ImagePullPolicy {
  const parsed = parseImageName(image);
  return parsed.ok && parsed.value.tag === 'latest' ? 'Always' : 'IfNotPresent';
}
