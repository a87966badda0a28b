import { createHash } from 'node:crypto';
import { decodeDockerConfig, dockerConfigFromSecret } from '../../src/credentials/index.js';
import type { DockerConfig, DockerConfigEntry } from '../../src/ports.js';
import {
  DEFAULT_KUBELET_VERSION,
  isKubeletVersion,
  KUBELET_VERSIONS,
  type KubeletVersion,
} from '../../src/profiles.js';
import {
  isVerificationPolicy,
  parseAllowlist,
  VERIFICATION_POLICIES,
  validateImagePullConfiguration,
} from '../../src/pullmanager/policy.js';
import { parseNormalizedNamed } from '../../src/reference/index.js';
import { formatDuration, TICKS_PER_MINUTE, type Ticks, ticks } from '../../src/time.js';
import { InputError } from '../errors.js';
import { secretPaths } from '../input/secrets.js';
import { readYaml } from '../input/yaml.js';
import { MAX_SEED } from '../kernel/random.js';
import { type Path, Reader, typeName } from './reader.js';
import {
  type Action,
  type ContainerManifest,
  type Expectation,
  type KubeletSpec,
  type Manifest,
  MODES,
  type NodeSpec,
  type ObjectKey,
  type ObjectMeta,
  type PodManifest,
  type PreloadedImageSpec,
  type RegistrySpec,
  type RunMode,
  type Scenario,
  type TimelineStep,
} from './types.js';

/** The fields of each part of a scenario file, in documentation order (docs/scenario-format.md is checked against these). */
export const SCENARIO_FIELDS = {
  top: ['apiVersion', 'kind', 'metadata', 'spec'],
  metadata: ['name', 'description'],
  spec: ['seed', 'until', 'kubelet', 'registries', 'nodes', 'objects', 'timeline', 'expect'],
  kubelet: [
    'version',
    'featureGates',
    'imagePullCredentialsVerificationPolicy',
    'preloadedImagesVerificationAllowlist',
    'serializeImagePulls',
    'maxParallelImagePulls',
    'syncFrequency',
    'credentialMappingKey',
  ],
  featureGates: ['KubeletEnsureSecretPulledImages'],
  registry: [
    'host',
    'users',
    'repositories',
    'rateLimit',
    'latency',
    'bandwidthBytesPerSecond',
    'serviceAccountTokenProvider',
  ],
  user: ['username', 'password'],
  repository: ['name', 'public', 'pullers', 'tags'],
  tag: ['digest', 'sizeBytes'],
  rateLimit: ['perUser', 'anonymous'],
  tokenBucket: ['capacity', 'refillPerHour'],
  latency: ['min', 'max'],
  serviceAccountTokenProvider: ['requireServiceAccount'],
  node: ['name', 'images', 'credentials', 'imageManagerFiles', 'imageGC', 'device', 'fsFaults'],
  image: ['ref', 'id'],
  imageGC: ['capacityBytes', 'highThresholdPercent', 'lowThresholdPercent', 'period'],
  fsFaults: ['readError', 'writeError', 'enospc', 'corrupt'],
  step: ['at', 'apply', 'delete', 'action'],
  delete: ['kind', 'namespace', 'name'],
  expect: ['pod', 'container', 'modes', 'at', 'state', 'reason', 'violation', 'started', 'pulls'],
  pulls: ['min', 'max'],
} as const;

/** Each action and its fields (besides `action`), required first. */
export const ACTION_FIELDS: Readonly<
  Record<Action['action'], { required: readonly string[]; optional: readonly string[] }>
> = {
  restartKubelet: { required: ['node'], optional: ['downtime'] },
  crashKubelet: { required: ['node'], optional: ['downtime'] },
  registryDown: { required: ['host'], optional: [] },
  registryUp: { required: ['host'], optional: [] },
  revokePuller: { required: ['host', 'repository', 'username'], optional: [] },
  grantPuller: { required: ['host', 'repository', 'username'], optional: [] },
  changePassword: { required: ['host', 'username', 'password'], optional: [] },
  retag: { required: ['host', 'repository', 'tag', 'digest'], optional: ['sizeBytes'] },
  removeImage: { required: ['node', 'image'], optional: [] },
  imageGC: { required: ['node'], optional: [] },
  deleteRecords: { required: ['node'], optional: [] },
  setPolicy: { required: ['node', 'policy'], optional: ['allowlist'] },
  restartContainer: { required: ['pod'], optional: ['container'] },
  fsFault: { required: ['node', 'fault'], optional: ['count', 'path'] },
};

/** Fields of real Kubernetes manifests that pullsim accepts and ignores, so a real Pod or Secret can be pasted. */
const OBJECT_META_FIELDS = [
  'name',
  'namespace',
  'uid',
  'labels',
  'annotations',
  'generateName',
  'resourceVersion',
  'creationTimestamp',
  'ownerReferences',
  'finalizers',
  'managedFields',
  'generation',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];
const POD_SPEC_FIELDS = [
  'containers',
  'initContainers',
  'imagePullSecrets',
  'serviceAccountName',
  'serviceAccount',
  'nodeName',
  'restartPolicy',
  'volumes',
  'ephemeralContainers',
  'terminationGracePeriodSeconds',
  'activeDeadlineSeconds',
  'dnsPolicy',
  'nodeSelector',
  'automountServiceAccountToken',
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
];
const CONTAINER_FIELDS = [
  'name',
  'image',
  'imagePullPolicy',
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
];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SCENARIO_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const TAG_HINT = 'letters, digits, _ . - up to 128 characters';
const HOST = /^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:[0-9]{1,5})?$/;

const DEFAULT_SYNC_FREQUENCY = ticks(TICKS_PER_MINUTE);

/**
 * Parses and validates a scenario file (YAML or JSON; contract §2). Every problem is reported at once as an
 * `InputError` whose issues carry the file, the line where known, the field path and what was expected.
 */
export function parseScenario(text: string, file = '<scenario>'): Scenario {
  const { root, lineOf } = readYaml(text, file);
  const reader = new Reader(file, lineOf, secretPaths(root));
  const scenario = readScenario(reader, root);
  const error = reader.error();
  if (error !== undefined) throw error;
  if (scenario === undefined) {
    throw new InputError({ code: 'invalid_value', file, line: 1, path: [], message: 'invalid scenario' });
  }
  SOURCE_LINES.set(scenario, lineOf);
  return scenario;
}

/** The source lines of each loaded scenario, for problems found after loading (a kubelet that will not start). */
const SOURCE_LINES = new WeakMap<Scenario, (path: Path) => number>();

/** The line of `path` in the file a scenario was loaded from; 1 for a scenario built in code. */
export function sourceLine(scenario: Scenario, path: Path): number {
  return SOURCE_LINES.get(scenario)?.(path) ?? 1;
}

function readScenario(r: Reader, root: unknown): Scenario | undefined {
  const top = r.object(root, [], SCENARIO_FIELDS.top);
  if (top === undefined) return undefined;
  if (r.required(top, 'apiVersion', []) !== undefined && top.apiVersion !== 'pullsim/v1alpha1') {
    r.issue(['apiVersion'], `expected pullsim/v1alpha1, got ${JSON.stringify(top.apiVersion)}`);
  }
  if (r.required(top, 'kind', []) !== undefined && top.kind !== 'Scenario')
    r.issue(['kind'], `expected Scenario, got ${JSON.stringify(top.kind)}`);
  const metadata = r.object(r.required(top, 'metadata', []), ['metadata'], SCENARIO_FIELDS.metadata);
  const name =
    metadata === undefined
      ? undefined
      : r.string(r.required(metadata, 'name', ['metadata']), ['metadata', 'name'], {
          pattern: SCENARIO_NAME,
          patternHint: 'lower-case letters, digits and dashes',
        });
  const description =
    metadata?.description === undefined
      ? undefined
      : r.string(metadata.description, ['metadata', 'description']);
  const spec = r.object(r.required(top, 'spec', []), ['spec'], SCENARIO_FIELDS.spec);
  if (spec === undefined) return undefined;

  const seed = spec.seed === undefined ? 1 : r.integer(spec.seed, ['spec', 'seed'], 0, MAX_SEED);
  const until = spec.until === undefined ? undefined : r.duration(spec.until, ['spec', 'until']);
  const kubelet = readKubelet(r, spec.kubelet);
  const registries = readRegistries(r, spec.registries, seed ?? 1);
  const nodes = readNodes(r, spec.nodes, registries ?? []);
  const context: RefContext = {
    nodes: new Set((nodes ?? []).map((n) => n.name)),
    registries: new Map((registries ?? []).map((reg) => [reg.host, reg])),
    defaultNode: nodes?.length === 1 ? nodes[0]?.name : undefined,
  };
  const objects = readObjects(r, spec.objects, context);
  const timeline = readTimeline(r, spec.timeline, context);
  const pods = new Set<string>();
  for (const manifest of [
    ...(objects ?? []),
    ...(timeline ?? []).flatMap((step) => ('apply' in step ? [step.apply] : [])),
  ]) {
    if (manifest.kind === 'Pod')
      pods.add(`${manifest.metadata.namespace ?? 'default'}/${manifest.metadata.name}`);
  }
  const expect = readExpectations(r, spec.expect, pods);
  if (
    name === undefined ||
    seed === undefined ||
    kubelet === undefined ||
    registries === undefined ||
    nodes === undefined
  )
    return undefined;
  if (objects === undefined || timeline === undefined || expect === undefined) return undefined;
  return {
    name,
    ...(description === undefined ? {} : { description }),
    seed,
    ...(until === undefined ? {} : { until }),
    kubelet,
    registries,
    nodes,
    objects,
    timeline,
    expect,
  };
}

function readKubelet(r: Reader, value: unknown): KubeletSpec | undefined {
  const path = ['spec', 'kubelet'];
  const k = value === undefined ? {} : r.object(value, path, SCENARIO_FIELDS.kubelet);
  if (k === undefined) return undefined;
  let version: KubeletVersion | undefined = DEFAULT_KUBELET_VERSION;
  if (k.version !== undefined) {
    // YAML reads an unquoted 1.35 as a number; accept it when it prints as a known version.
    const text = typeof k.version === 'number' ? String(k.version) : k.version;
    version = isKubeletVersion(text)
      ? text
      : r.issue(
          [...path, 'version'],
          `expected one of ${KUBELET_VERSIONS.map((v) => `"${v}"`).join(', ')}, got ${JSON.stringify(k.version)}`,
        );
  }
  let gate: boolean | undefined;
  if (k.featureGates !== undefined) {
    const gates = r.object(k.featureGates, [...path, 'featureGates'], SCENARIO_FIELDS.featureGates);
    if (gates?.KubeletEnsureSecretPulledImages !== undefined)
      gate = r.boolean(gates.KubeletEnsureSecretPulledImages, [
        ...path,
        'featureGates',
        'KubeletEnsureSecretPulledImages',
      ]);
  }
  let policy: string | undefined;
  if (
    k.imagePullCredentialsVerificationPolicy !== undefined &&
    k.imagePullCredentialsVerificationPolicy !== ''
  ) {
    const value = k.imagePullCredentialsVerificationPolicy;
    if (isVerificationPolicy(value)) policy = value;
    else if (typeof value !== 'string') {
      r.issue(
        [...path, 'imagePullCredentialsVerificationPolicy'],
        `expected one of ${VERIFICATION_POLICIES.join(', ')}, got ${typeName(value)}`,
      );
    } else {
      // The kubelet's own words (ValidateKubeletConfiguration), so the message matches what a node would log.
      const [message] = validateImagePullConfiguration({
        featureGateEnabled: true,
        policy: value,
        allowlist: [],
      });
      r.issue([...path, 'imagePullCredentialsVerificationPolicy'], message as string);
    }
  }
  const allowlist =
    k.preloadedImagesVerificationAllowlist === undefined
      ? []
      : r.stringList(k.preloadedImagesVerificationAllowlist, [
          ...path,
          'preloadedImagesVerificationAllowlist',
        ]);
  if (allowlist !== undefined) {
    const parsed = parseAllowlist(allowlist);
    if (!parsed.ok) {
      for (const error of parsed.errors)
        r.issue(
          [...path, 'preloadedImagesVerificationAllowlist', error.index],
          `invalid image pattern: ${error.error}`,
        );
    }
  }
  const serialize =
    k.serializeImagePulls === undefined
      ? true
      : r.boolean(k.serializeImagePulls, [...path, 'serializeImagePulls']);
  const maxParallel =
    k.maxParallelImagePulls === undefined || k.maxParallelImagePulls === null
      ? undefined
      : r.integer(k.maxParallelImagePulls, [...path, 'maxParallelImagePulls'], 1);
  if (serialize === true && maxParallel !== undefined && maxParallel !== 1) {
    // KubeletConfiguration validation: parallel pulls need serializeImagePulls: false.
    r.issue(
      [...path, 'maxParallelImagePulls'],
      'invalid configuration: maxParallelImagePulls cannot be larger than 1 unless SerializeImagePulls (--serialize-image-pulls) is set to false',
      'invalid_configuration',
    );
  }
  const syncFrequency =
    k.syncFrequency === undefined
      ? DEFAULT_SYNC_FREQUENCY
      : r.duration(k.syncFrequency, [...path, 'syncFrequency']);
  const mappingKey =
    k.credentialMappingKey === undefined
      ? undefined
      : r.oneOf(k.credentialMappingKey, [...path, 'credentialMappingKey'], [
          'normalised',
          'familiar',
        ] as const);
  if (
    version === undefined ||
    allowlist === undefined ||
    serialize === undefined ||
    syncFrequency === undefined
  )
    return undefined;
  return {
    version,
    featureGates: gate === undefined ? {} : { KubeletEnsureSecretPulledImages: gate },
    ...(policy === undefined ? {} : { imagePullCredentialsVerificationPolicy: policy }),
    preloadedImagesVerificationAllowlist: allowlist,
    serializeImagePulls: serialize,
    ...(maxParallel === undefined ? {} : { maxParallelImagePulls: maxParallel }),
    syncFrequency,
    ...(mappingKey === undefined ? {} : { credentialMappingKey: mappingKey }),
  };
}

/** A digest or size the file leaves out: derived from the scenario seed and the image's coordinates. */
function derived(seed: number, what: string): Buffer {
  return createHash('sha256').update(`pullsim:${seed}:${what}`).digest();
}

function readRegistries(r: Reader, value: unknown, seed: number): RegistrySpec[] | undefined {
  if (value === undefined) return [];
  const list = r.list(value, ['spec', 'registries']);
  if (list === undefined) return undefined;
  const out: RegistrySpec[] = [];
  const hosts = new Set<string>();
  let ok = true;
  list.forEach((item, i) => {
    const path = ['spec', 'registries', i];
    const reg = r.object(item, path, SCENARIO_FIELDS.registry);
    if (reg === undefined) {
      ok = false;
      return;
    }
    const host = r.string(r.required(reg, 'host', path), [...path, 'host'], {
      pattern: HOST,
      patternHint: 'host[:port]',
    });
    if (host !== undefined && hosts.has(host))
      r.issue([...path, 'host'], `duplicate registry host ${host}`, 'duplicate');
    if (host !== undefined) hosts.add(host);
    const users: { username: string; password: string }[] = [];
    const usernames = new Set<string>();
    const userList = reg.users === undefined ? [] : r.list(reg.users, [...path, 'users']);
    userList?.forEach((u, j) => {
      const up = [...path, 'users', j];
      const user = r.object(u, up, SCENARIO_FIELDS.user);
      if (user === undefined) return;
      const username = r.string(r.required(user, 'username', up), [...up, 'username'], { nonEmpty: true });
      const password = r.secret(() =>
        r.string(r.required(user, 'password', up), [...up, 'password'], { nonEmpty: true }),
      );
      if (username !== undefined && usernames.has(username))
        r.issue([...up, 'username'], `duplicate user ${username}`, 'duplicate');
      // A user whose password is invalid is still declared, so that references to it are not reported too.
      if (username !== undefined) {
        usernames.add(username);
        users.push({ username, password: password ?? '' });
      }
    });
    const repositories: RegistrySpec['repositories'][number][] = [];
    const repoList =
      reg.repositories === undefined ? [] : r.list(reg.repositories, [...path, 'repositories']);
    const repoNames = new Set<string>();
    repoList?.forEach((repoValue, j) => {
      const rp = [...path, 'repositories', j];
      const repo = r.object(repoValue, rp, SCENARIO_FIELDS.repository);
      if (repo === undefined) return;
      const name = r.string(r.required(repo, 'name', rp), [...rp, 'name'], {
        pattern: /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/,
        patternHint: 'a lower-case repository path such as team-a/app',
      });
      if (name !== undefined && repoNames.has(name))
        r.issue([...rp, 'name'], `duplicate repository ${name}`, 'duplicate');
      if (name !== undefined) repoNames.add(name);
      const isPublic = repo.public === undefined ? false : r.boolean(repo.public, [...rp, 'public']);
      const pullers =
        repo.pullers === undefined ? [] : r.stringList(repo.pullers, [...rp, 'pullers'], { nonEmpty: true });
      pullers?.forEach((puller, k) => {
        if (!usernames.has(puller) && !puller.startsWith('system:serviceaccount:')) {
          r.issue(
            [...rp, 'pullers', k],
            `unknown user ${JSON.stringify(puller)} (declare it under users, or name a service account as system:serviceaccount:<namespace>:<name>)`,
            'unknown_reference',
          );
        }
      });
      const tags: Record<string, { digest: string; sizeBytes: number }> = {};
      const tagMap = repo.tags === undefined ? {} : r.object(repo.tags, [...rp, 'tags']);
      for (const [tag, tagValue] of Object.entries(tagMap ?? {})) {
        const tp = [...rp, 'tags', tag];
        if (!TAG.test(tag)) r.issue(tp, `not a valid tag: ${TAG_HINT}`);
        const t = tagValue === null ? {} : r.object(tagValue, tp, SCENARIO_FIELDS.tag);
        if (t === undefined) continue;
        const coordinates = `${host}/${name}:${tag}`;
        const digest =
          t.digest === undefined
            ? `sha256:${derived(seed, `digest:${coordinates}`).toString('hex')}`
            : r.string(t.digest, [...tp, 'digest'], {
                pattern: DIGEST,
                patternHint: 'sha256:<64 lower-case hex>',
              });
        const sizeBytes =
          t.sizeBytes === undefined
            ? 10_000_000 + (derived(seed, `size:${coordinates}`).readUInt32BE(0) % 190_000_000)
            : r.integer(t.sizeBytes, [...tp, 'sizeBytes'], 1);
        if (digest !== undefined && sizeBytes !== undefined) tags[tag] = { digest, sizeBytes };
      }
      if (name !== undefined && isPublic !== undefined && pullers !== undefined)
        repositories.push({ name, public: isPublic, pullers, tags });
    });
    const rateLimit =
      reg.rateLimit === undefined ? undefined : readRateLimit(r, reg.rateLimit, [...path, 'rateLimit']);
    let latency: RegistrySpec['latency'];
    if (reg.latency !== undefined) {
      const l = r.object(reg.latency, [...path, 'latency'], SCENARIO_FIELDS.latency);
      const min =
        l === undefined
          ? undefined
          : r.duration(r.required(l, 'min', [...path, 'latency']), [...path, 'latency', 'min']);
      const max =
        l === undefined
          ? undefined
          : r.duration(r.required(l, 'max', [...path, 'latency']), [...path, 'latency', 'max']);
      if (min !== undefined && max !== undefined) {
        if (max < min) r.issue([...path, 'latency', 'max'], 'must not be less than min');
        else latency = { minTicks: min, maxTicks: max };
      }
    }
    const bandwidth =
      reg.bandwidthBytesPerSecond === undefined
        ? undefined
        : r.integer(reg.bandwidthBytesPerSecond, [...path, 'bandwidthBytesPerSecond'], 1);
    let provider: RegistrySpec['serviceAccountTokenProvider'];
    if (reg.serviceAccountTokenProvider !== undefined) {
      const p =
        reg.serviceAccountTokenProvider === null
          ? {}
          : r.object(
              reg.serviceAccountTokenProvider,
              [...path, 'serviceAccountTokenProvider'],
              SCENARIO_FIELDS.serviceAccountTokenProvider,
            );
      const require =
        p?.requireServiceAccount === undefined
          ? false
          : r.boolean(p.requireServiceAccount, [
              ...path,
              'serviceAccountTokenProvider',
              'requireServiceAccount',
            ]);
      if (require !== undefined) provider = { requireServiceAccount: require };
    }
    if (host === undefined) {
      ok = false;
      return;
    }
    out.push({
      host,
      users,
      repositories,
      ...(rateLimit === undefined ? {} : { rateLimit }),
      ...(latency === undefined ? {} : { latency }),
      ...(bandwidth === undefined ? {} : { bandwidthBytesPerSecond: bandwidth }),
      ...(provider === undefined ? {} : { serviceAccountTokenProvider: provider }),
    });
  });
  return ok ? out : undefined;
}

function readRateLimit(r: Reader, value: unknown, path: Path): RegistrySpec['rateLimit'] | undefined {
  const limit = r.object(value, path, SCENARIO_FIELDS.rateLimit);
  if (limit === undefined) return undefined;
  const bucket = (key: 'perUser' | 'anonymous') => {
    if (limit[key] === undefined) return undefined;
    const b = r.object(limit[key], [...path, key], SCENARIO_FIELDS.tokenBucket);
    if (b === undefined) return undefined;
    // The registry keeps token levels exactly only up to 1 000 000 (TOKEN_BUCKET_CAPACITY_MAX, sim/world/registry.ts).
    const capacity = r.integer(
      r.required(b, 'capacity', [...path, key]),
      [...path, key, 'capacity'],
      1,
      1_000_000,
    );
    const refillPerHour = r.number(
      r.required(b, 'refillPerHour', [...path, key]),
      [...path, key, 'refillPerHour'],
      0,
      1e9,
    );
    return capacity === undefined || refillPerHour === undefined ? undefined : { capacity, refillPerHour };
  };
  const perUser = bucket('perUser');
  const anonymous = bucket('anonymous');
  return { ...(perUser === undefined ? {} : { perUser }), ...(anonymous === undefined ? {} : { anonymous }) };
}

function readNodes(r: Reader, value: unknown, registries: readonly RegistrySpec[]): NodeSpec[] | undefined {
  if (value === undefined) return [{ name: 'node-1', images: [], imageManagerFiles: {} }];
  const list = r.list(value, ['spec', 'nodes']);
  if (list === undefined) return undefined;
  if (list.length === 0) return r.issue(['spec', 'nodes'], 'at least one node is required');
  const out: NodeSpec[] = [];
  const names = new Set<string>();
  let ok = true;
  list.forEach((item, i) => {
    const path = ['spec', 'nodes', i];
    const n = r.object(item, path, SCENARIO_FIELDS.node);
    if (n === undefined) {
      ok = false;
      return;
    }
    const name = r.string(r.required(n, 'name', path), [...path, 'name'], {
      pattern: DNS_SUBDOMAIN,
      patternHint: 'a DNS subdomain name such as node-1',
    });
    if (name !== undefined && names.has(name))
      r.issue([...path, 'name'], `duplicate node ${name}`, 'duplicate');
    if (name !== undefined) names.add(name);
    const images: PreloadedImageSpec[] = [];
    const imageList = n.images === undefined ? [] : r.list(n.images, [...path, 'images']);
    imageList?.forEach((image, j) => {
      const ip = [...path, 'images', j];
      if (typeof image === 'string') {
        if (image.length === 0) r.issue(ip, 'must not be empty');
        else if (checkPreloadedImage(r, { ref: image }, ip, ip, registries)) images.push({ ref: image });
        return;
      }
      const spec = r.object(image, ip, SCENARIO_FIELDS.image);
      if (spec === undefined) return;
      const ref = r.string(r.required(spec, 'ref', ip), [...ip, 'ref'], { nonEmpty: true });
      const id =
        spec.id === undefined
          ? undefined
          : r.string(spec.id, [...ip, 'id'], { pattern: DIGEST, patternHint: 'sha256:<64 lower-case hex>' });
      // An invalid id has been reported; checking the reference without it would report a second issue.
      if (ref === undefined || (spec.id !== undefined && id === undefined)) return;
      const preloaded = id === undefined ? { ref } : { ref, id };
      if (checkPreloadedImage(r, preloaded, [...ip, 'ref'], [...ip, 'id'], registries))
        images.push(preloaded);
    });
    let credentials: DockerConfig | undefined;
    if (n.credentials !== undefined)
      credentials = r.secret(() => readNodeCredentials(r, n.credentials, [...path, 'credentials']));
    const files =
      n.imageManagerFiles === undefined
        ? {}
        : r.stringMap(n.imageManagerFiles, [...path, 'imageManagerFiles']);
    const keys = Object.keys(files ?? {});
    for (const key of keys) {
      if (!isRelativePath(key)) {
        r.issue(
          [...path, 'imageManagerFiles', key],
          'expected a relative path under image_manager/, such as pulled/sha256-<hex>',
        );
      } else {
        // A file cannot also be the directory of another file.
        const child = keys.find((other) => other.startsWith(`${key}/`));
        if (child !== undefined)
          r.issue(
            [...path, 'imageManagerFiles', key],
            `is a file, but ${JSON.stringify(child)} needs it to be a directory`,
          );
      }
    }
    let imageGC: NodeSpec['imageGC'];
    if (n.imageGC !== undefined) {
      const gp = [...path, 'imageGC'];
      const g = r.object(n.imageGC, gp, SCENARIO_FIELDS.imageGC);
      if (g !== undefined) {
        const capacityBytes = r.integer(r.required(g, 'capacityBytes', gp), [...gp, 'capacityBytes'], 1);
        const high =
          g.highThresholdPercent === undefined
            ? 85
            : r.integer(g.highThresholdPercent, [...gp, 'highThresholdPercent'], 0, 100);
        const low =
          g.lowThresholdPercent === undefined
            ? 80
            : r.integer(g.lowThresholdPercent, [...gp, 'lowThresholdPercent'], 0, 100);
        const period =
          g.period === undefined ? ticks(5 * TICKS_PER_MINUTE) : r.duration(g.period, [...gp, 'period']);
        if (high !== undefined && low !== undefined && low > high)
          r.issue(
            [...gp, 'lowThresholdPercent'],
            `LowThresholdPercent ${low} can not be higher than HighThresholdPercent ${high}`,
          );
        if (period === 0) r.issue([...gp, 'period'], 'must be greater than 0');
        if (
          capacityBytes !== undefined &&
          high !== undefined &&
          low !== undefined &&
          period !== undefined &&
          period > 0
        ) {
          imageGC = { capacityBytes, highThresholdPercent: high, lowThresholdPercent: low, period };
        }
      }
    }
    const device =
      n.device === undefined
        ? undefined
        : r.oneOf(n.device, [...path, 'device'], ['none', 'ssd', 'hdd', 'network'] as const);
    let fsFaults: NodeSpec['fsFaults'];
    if (n.fsFaults !== undefined) {
      const f = r.object(n.fsFaults, [...path, 'fsFaults'], SCENARIO_FIELDS.fsFaults);
      if (f !== undefined) {
        const rates: Record<string, number> = {};
        for (const key of SCENARIO_FIELDS.fsFaults) {
          if (f[key] === undefined) continue;
          const rate = r.number(f[key], [...path, 'fsFaults', key], 0, 1);
          if (rate !== undefined) rates[key] = rate;
        }
        fsFaults = rates;
      }
    }
    if (name === undefined || files === undefined) {
      ok = false;
      return;
    }
    out.push({
      name,
      images,
      imageManagerFiles: files,
      ...(credentials === undefined ? {} : { credentials }),
      ...(imageGC === undefined ? {} : { imageGC }),
      ...(device === undefined ? {} : { device }),
      ...(fsFaults === undefined ? {} : { fsFaults }),
    });
  });
  return ok ? out : undefined;
}

/** A relative path without empty, `.` or `..` parts (a file under image_manager/). */
function isRelativePath(path: string): boolean {
  return (
    !path.startsWith('/') && path.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
  );
}

/**
 * Checks a preloaded image as the runtime loads it (containerd's ParseDockerRef, then the registry): the reference
 * must parse; a given id must agree with the reference's digest and with the registry where the reference resolves
 * there; without an id, the reference must resolve (contract §2). Returns whether the image is valid.
 */
function checkPreloadedImage(
  r: Reader,
  image: PreloadedImageSpec,
  refPath: Path,
  idPath: Path,
  registries: readonly RegistrySpec[],
): boolean {
  const parsed = parseNormalizedNamed(image.ref);
  if (!parsed.ok) return r.issue(refPath, `invalid image reference: ${parsed.error}`) ?? false;
  const { domain, path, digest, tag = 'latest' } = parsed.value;
  if (image.id !== undefined && digest !== undefined && image.id !== digest)
    return r.issue(idPath, `${image.id} differs from the digest of the reference ${image.ref}`) ?? false;
  const repository = registries
    .find((registry) => registry.host === domain)
    ?.repositories.find((repo) => repo.name === path);
  const resolved =
    digest === undefined
      ? repository?.tags[tag]?.digest
      : Object.values(repository?.tags ?? {}).find((target) => target.digest === digest)?.digest;
  if (resolved !== undefined && image.id !== undefined && resolved !== image.id)
    return (
      r.issue(idPath, `${image.id} differs from the registry's digest ${resolved} for ${image.ref}`) ?? false
    );
  if (resolved === undefined && image.id === undefined && digest === undefined) {
    return (
      r.issue(
        refPath,
        `${image.ref} does not resolve through the declared registries (no such registry, repository or tag); declare it, or give the image's id`,
      ) ?? false
    );
  }
  return true;
}

/**
 * The node's docker config, `{"auths": {...}}` as in /var/lib/kubelet/config.json; `{}` (the contract's example)
 * is a node without credentials.
 */
function readNodeCredentials(r: Reader, value: unknown, path: Path): DockerConfig | undefined {
  const config = r.object(value, path, ['auths']);
  if (config === undefined) return undefined;
  const auths = config.auths === undefined ? {} : r.object(config.auths, [...path, 'auths']);
  if (auths === undefined) return undefined;
  const entries: Record<string, DockerConfigEntry> = {};
  for (const [registry, entry] of Object.entries(auths)) {
    const e = r.object(entry, [...path, 'auths', registry], ['username', 'password', 'email', 'auth']);
    if (e === undefined) continue;
    const out: { username?: string; password?: string; email?: string; auth?: string } = {};
    for (const key of ['username', 'password', 'email', 'auth'] as const) {
      if (e[key] !== undefined) {
        const s = r.string(e[key], [...path, 'auths', registry, key]);
        if (s !== undefined) out[key] = s;
      }
    }
    entries[registry] = out;
    // Each entry is decoded on its own so that the issue names the entry (the kubelet would skip the whole file).
    const decoded = decodeDockerConfig({ [registry]: out });
    if (!decoded.ok)
      r.issue(
        [...path, 'auths', registry, ...(out.auth === undefined ? [] : ['auth'])],
        `invalid docker config: ${decoded.error}`,
      );
  }
  return entries;
}

interface RefContext {
  readonly nodes: ReadonlySet<string>;
  readonly registries: ReadonlyMap<string, RegistrySpec>;
  readonly defaultNode: string | undefined;
}

function readObjects(r: Reader, value: unknown, context: RefContext): Manifest[] | undefined {
  if (value === undefined) return [];
  const list = r.list(value, ['spec', 'objects']);
  if (list === undefined) return undefined;
  const out: Manifest[] = [];
  let ok = true;
  list.forEach((item, i) => {
    const manifest = readManifest(r, item, ['spec', 'objects', i], context);
    if (manifest === undefined) ok = false;
    else out.push(manifest);
  });
  return ok ? out : undefined;
}

function readMeta(
  r: Reader,
  manifest: Record<string, unknown>,
  path: Path,
  namespaced: boolean,
  nameKind: 'label' | 'subdomain',
): ObjectMeta | undefined {
  const m = r.object(r.required(manifest, 'metadata', path), [...path, 'metadata'], OBJECT_META_FIELDS);
  if (m === undefined) return undefined;
  path = [...path, 'metadata'];
  const pattern = nameKind === 'label' ? DNS_LABEL : DNS_SUBDOMAIN;
  const name = r.string(r.required(m, 'name', path), [...path, 'name'], {
    pattern,
    patternHint:
      nameKind === 'label'
        ? 'a DNS label (lower-case letters, digits, dashes; at most 63)'
        : 'a DNS subdomain name',
  });
  const namespace =
    !namespaced || m.namespace === undefined
      ? undefined
      : r.string(m.namespace, [...path, 'namespace'], { pattern: DNS_LABEL, patternHint: 'a DNS label' });
  if (!namespaced && m.namespace !== undefined)
    r.issue([...path, 'namespace'], 'a Namespace is not namespaced');
  const uid = m.uid === undefined ? undefined : r.string(m.uid, [...path, 'uid'], { nonEmpty: true });
  if (m.labels !== undefined) r.stringMap(m.labels, [...path, 'labels']);
  if (m.annotations !== undefined) r.stringMap(m.annotations, [...path, 'annotations']);
  if (name === undefined) return undefined;
  return { name, ...(namespace === undefined ? {} : { namespace }), ...(uid === undefined ? {} : { uid }) };
}

function readManifest(r: Reader, value: unknown, path: Path, context: RefContext): Manifest | undefined {
  const o = r.object(value, path);
  if (o === undefined) return undefined;
  const kind = r.oneOf(r.required(o, 'kind', path), [...path, 'kind'], [
    'Namespace',
    'Secret',
    'ServiceAccount',
    'Pod',
  ] as const);
  if (r.required(o, 'apiVersion', path) !== undefined && o.apiVersion !== 'v1')
    r.issue([...path, 'apiVersion'], `expected v1, got ${JSON.stringify(o.apiVersion)}`);
  if (kind === undefined) return undefined;
  switch (kind) {
    case 'Namespace': {
      r.object(value, path, ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
      const metadata = readMeta(r, o, path, false, 'label');
      return metadata === undefined ? undefined : { apiVersion: 'v1', kind, metadata };
    }
    case 'Secret':
      return readSecret(r, o, path);
    case 'ServiceAccount': {
      r.object(value, path, [
        'apiVersion',
        'kind',
        'metadata',
        'imagePullSecrets',
        'secrets',
        'automountServiceAccountToken',
      ]);
      const metadata = readMeta(r, o, path, true, 'subdomain');
      const secrets =
        o.imagePullSecrets === undefined
          ? []
          : readLocalRefs(r, o.imagePullSecrets, [...path, 'imagePullSecrets']);
      if (metadata === undefined || secrets === undefined) return undefined;
      return { apiVersion: 'v1', kind, metadata, imagePullSecrets: secrets };
    }
    case 'Pod':
      return readPod(r, o, path, context);
  }
}

function readLocalRefs(r: Reader, value: unknown, path: Path): { name: string }[] | undefined {
  const list = r.list(value, path);
  if (list === undefined) return undefined;
  const out: { name: string }[] = [];
  list.forEach((item, i) => {
    const ref = r.object(item, [...path, i], ['name']);
    if (ref === undefined) return;
    // The kubelet skips an entry with an empty name; the API server accepts it.
    const name = ref.name === undefined ? '' : r.string(ref.name, [...path, i, 'name']);
    if (name !== undefined) out.push({ name });
  });
  return out;
}

function readSecret(r: Reader, o: Record<string, unknown>, path: Path): Manifest | undefined {
  r.object(o, path, ['apiVersion', 'kind', 'metadata', 'type', 'data', 'stringData', 'immutable']);
  const metadata = readMeta(r, o, path, true, 'subdomain');
  const type = o.type === undefined ? 'Opaque' : r.string(o.type, [...path, 'type'], { nonEmpty: true });
  const data = o.data === undefined ? {} : r.secret(() => r.stringMap(o.data, [...path, 'data']));
  const stringData =
    o.stringData === undefined ? {} : r.secret(() => r.stringMap(o.stringData, [...path, 'stringData']));
  if (data === undefined || stringData === undefined || metadata === undefined || type === undefined)
    return undefined;
  const decoded: Record<string, string> = {};
  for (const [key, v] of Object.entries(data)) {
    if (!SECRET_KEY.test(key))
      r.issue(
        [...path, 'data', key],
        'a valid config key must consist of alphanumeric characters, -, _ or .',
      );
    const compact = v.replace(/\s+/g, '');
    if (!BASE64.test(compact))
      r.issue(
        [...path, 'data', key],
        'illegal base64 data (data values are base64; use stringData for plain text)',
      );
    else decoded[key] = Buffer.from(compact, 'base64').toString('utf8');
  }
  for (const [key, v] of Object.entries(stringData)) {
    if (!SECRET_KEY.test(key))
      r.issue(
        [...path, 'stringData', key],
        'a valid config key must consist of alphanumeric characters, -, _ or .',
      );
    decoded[key] = v;
  }
  // The API server validates docker config secrets (pkg/apis/core/validation ValidateSecret).
  const requiredKey =
    type === 'kubernetes.io/dockerconfigjson'
      ? '.dockerconfigjson'
      : type === 'kubernetes.io/dockercfg'
        ? '.dockercfg'
        : undefined;
  if (requiredKey !== undefined) {
    const field = Object.hasOwn(stringData, requiredKey) ? 'stringData' : 'data';
    if (decoded[requiredKey] === undefined) {
      // A value that is present but not base64 has already been reported.
      if (!Object.hasOwn(data, requiredKey))
        r.issue([...path, 'data', requiredKey], `required for a secret of type ${type}`);
    } else {
      const checked = dockerConfigFromSecret({ uid: '', namespace: '', name: '', type, data: decoded });
      let json: unknown;
      try {
        json = JSON.parse(decoded[requiredKey] as string);
      } catch {
        json = undefined;
      }
      if (json === null || typeof json !== 'object' || Array.isArray(json))
        r.issue(
          [...path, field, requiredKey],
          'expected valid JSON: a docker config object (the value is not shown)',
        );
      else if (!checked.ok) r.issue([...path, field, requiredKey], `invalid docker config: ${checked.error}`);
    }
  }
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata,
    type,
    ...(Object.keys(data).length === 0
      ? {}
      : { data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.replace(/\s+/g, '')])) }),
    ...(Object.keys(stringData).length === 0 ? {} : { stringData }),
  };
}

function readPod(
  r: Reader,
  o: Record<string, unknown>,
  path: Path,
  context: RefContext,
): PodManifest | undefined {
  r.object(o, path, ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  const metadata = readMeta(r, o, path, true, 'subdomain');
  const specPath = [...path, 'spec'];
  const spec = r.object(r.required(o, 'spec', path), specPath, POD_SPEC_FIELDS);
  // Without metadata the containers are still read, so that every issue of the pod is reported at once.
  if (spec === undefined) return undefined;
  const containers: ContainerManifest[] = [];
  const names = new Set<string>();
  let ok = true;
  const readContainers = (field: 'initContainers' | 'containers') => {
    if (spec[field] === undefined) {
      if (field === 'containers') r.issue([...specPath, 'containers'], 'required field is missing');
      return;
    }
    const list = r.list(spec[field], [...specPath, field]);
    if (list === undefined) {
      ok = false;
      return;
    }
    if (field === 'containers' && list.length === 0)
      r.issue([...specPath, 'containers'], 'must have at least one container');
    list.forEach((item, i) => {
      const cp = [...specPath, field, i];
      const c = r.object(item, cp, CONTAINER_FIELDS);
      if (c === undefined) {
        ok = false;
        return;
      }
      const name = r.string(r.required(c, 'name', cp), [...cp, 'name'], {
        pattern: DNS_LABEL,
        patternHint: 'a DNS label',
      });
      if (name !== undefined && names.has(name))
        r.issue([...cp, 'name'], `duplicate container name ${name}`, 'duplicate');
      if (name !== undefined) names.add(name);
      const image = r.string(r.required(c, 'image', cp), [...cp, 'image'], { nonEmpty: true });
      if (image !== undefined && image.trim() !== image)
        r.issue([...cp, 'image'], 'must not have leading or trailing whitespace');
      const policy =
        c.imagePullPolicy === undefined
          ? undefined
          : r.oneOf(c.imagePullPolicy, [...cp, 'imagePullPolicy'], [
              'Always',
              'IfNotPresent',
              'Never',
            ] as const);
      if (name === undefined || image === undefined) {
        ok = false;
        return;
      }
      containers.push({ name, image, ...(policy === undefined ? {} : { imagePullPolicy: policy }) });
    });
  };
  // Init containers run first; pullsim treats their images like the others'.
  readContainers('initContainers');
  readContainers('containers');
  const serviceAccountName = spec.serviceAccountName ?? spec.serviceAccount;
  const sa =
    serviceAccountName === undefined
      ? undefined
      : r.string(serviceAccountName, [...specPath, 'serviceAccountName'], {
          pattern: DNS_SUBDOMAIN,
          patternHint: 'a DNS subdomain name',
        });
  const secrets =
    spec.imagePullSecrets === undefined
      ? undefined
      : readLocalRefs(r, spec.imagePullSecrets, [...specPath, 'imagePullSecrets']);
  const nodeName =
    spec.nodeName === undefined ? undefined : r.string(spec.nodeName, [...specPath, 'nodeName']);
  if (nodeName !== undefined && !context.nodes.has(nodeName))
    r.issue(
      [...specPath, 'nodeName'],
      `unknown node ${JSON.stringify(nodeName)} (declared: ${[...context.nodes].join(', ') || 'none'})`,
      'unknown_reference',
    );
  const restartPolicy =
    spec.restartPolicy === undefined
      ? undefined
      : r.oneOf(spec.restartPolicy, [...specPath, 'restartPolicy'], [
          'Always',
          'OnFailure',
          'Never',
        ] as const);
  if (!ok || metadata === undefined) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: {
      containers,
      ...(sa === undefined ? {} : { serviceAccountName: sa }),
      ...(secrets === undefined ? {} : { imagePullSecrets: secrets }),
      ...(nodeName === undefined ? {} : { nodeName }),
      ...(restartPolicy === undefined ? {} : { restartPolicy }),
    },
  };
}

function readTimeline(r: Reader, value: unknown, context: RefContext): TimelineStep[] | undefined {
  if (value === undefined) return [];
  const list = r.list(value, ['spec', 'timeline']);
  if (list === undefined) return undefined;
  const out: TimelineStep[] = [];
  let ok = true;
  let previous = 0;
  list.forEach((item, i) => {
    const path = ['spec', 'timeline', i];
    const step = r.object(item, path);
    if (step === undefined) {
      ok = false;
      return;
    }
    const actionFields =
      typeof step.action === 'string' && Object.hasOwn(ACTION_FIELDS, step.action)
        ? ACTION_FIELDS[step.action as Action['action']]
        : undefined;
    r.object(item, path, [
      ...SCENARIO_FIELDS.step,
      ...(actionFields === undefined ? [] : [...actionFields.required, ...actionFields.optional]),
    ]);
    const at = r.duration(r.required(step, 'at', path), [...path, 'at']);
    if (at !== undefined && at < previous)
      r.issue(
        [...path, 'at'],
        `steps must be in time order (${formatDuration(at)} is before the previous step's ${formatDuration(ticks(previous))})`,
      );
    if (at !== undefined) previous = at;
    const kinds = ['apply', 'delete', 'action'].filter((k) => step[k] !== undefined);
    if (kinds.length !== 1) {
      r.issue(
        path,
        kinds.length === 0
          ? 'expected one of apply, delete or action'
          : `expected exactly one of apply, delete or action, got ${kinds.join(' and ')}`,
      );
      ok = false;
      return;
    }
    if (at === undefined) {
      ok = false;
      return;
    }
    if (step.apply !== undefined) {
      const manifest = readManifest(r, step.apply, [...path, 'apply'], context);
      if (manifest === undefined) {
        ok = false;
        return;
      }
      out.push({ at, apply: manifest });
    } else if (step.delete !== undefined) {
      const key = readDelete(r, step.delete, [...path, 'delete']);
      if (key === undefined) {
        ok = false;
        return;
      }
      out.push({ at, delete: key });
    } else {
      const action = readAction(r, step, path, context);
      if (action === undefined) {
        ok = false;
        return;
      }
      out.push({ at, action });
    }
  });
  return ok ? out : undefined;
}

function readDelete(r: Reader, value: unknown, path: Path): ObjectKey | undefined {
  const d = r.object(value, path, SCENARIO_FIELDS.delete);
  if (d === undefined) return undefined;
  const kind = r.oneOf(r.required(d, 'kind', path), [...path, 'kind'], [
    'Namespace',
    'Secret',
    'ServiceAccount',
    'Pod',
  ] as const);
  const name = r.string(r.required(d, 'name', path), [...path, 'name'], { nonEmpty: true });
  const namespace =
    d.namespace === undefined
      ? undefined
      : r.string(d.namespace, [...path, 'namespace'], { pattern: DNS_LABEL, patternHint: 'a DNS label' });
  if (kind === undefined || name === undefined) return undefined;
  return { kind, name, ...(namespace === undefined ? {} : { namespace }) };
}

function readAction(
  r: Reader,
  step: Record<string, unknown>,
  path: Path,
  context: RefContext,
): Action | undefined {
  const name = step.action;
  // Own keys only: `toString` or `constructor` are not actions.
  if (typeof name !== 'string' || !Object.hasOwn(ACTION_FIELDS, name)) {
    return r.issue(
      [...path, 'action'],
      `unknown action ${JSON.stringify(name)} (expected one of: ${Object.keys(ACTION_FIELDS).join(', ')})`,
    );
  }
  const fields = ACTION_FIELDS[name as Action['action']];
  const a: Record<string, unknown> = { ...step };
  if (fields.required.includes('node') && a.node === undefined && context.defaultNode !== undefined)
    a.node = context.defaultNode;
  for (const field of fields.required)
    if (a[field] === undefined) r.issue([...path, field], `required field of ${name} is missing`);
  const str = (field: string) =>
    a[field] === undefined ? undefined : r.string(a[field], [...path, field], { nonEmpty: true });
  const node = str('node');
  if (node !== undefined && !context.nodes.has(node))
    r.issue(
      [...path, 'node'],
      `unknown node ${JSON.stringify(node)} (declared: ${[...context.nodes].join(', ') || 'none'})`,
      'unknown_reference',
    );
  const host = str('host');
  const registry = host === undefined ? undefined : context.registries.get(host);
  if (host !== undefined && registry === undefined)
    r.issue(
      [...path, 'host'],
      `unknown registry ${JSON.stringify(host)} (declared: ${[...context.registries.keys()].join(', ') || 'none'})`,
      'unknown_reference',
    );
  const repository = str('repository');
  if (
    repository !== undefined &&
    registry !== undefined &&
    !registry.repositories.some((repo) => repo.name === repository)
  ) {
    r.issue(
      [...path, 'repository'],
      `unknown repository ${JSON.stringify(repository)} in registry ${host}`,
      'unknown_reference',
    );
  }
  const username = str('username');
  if (
    username !== undefined &&
    registry !== undefined &&
    !registry.users.some((u) => u.username === username) &&
    !username.startsWith('system:serviceaccount:')
  ) {
    r.issue(
      [...path, 'username'],
      `unknown user ${JSON.stringify(username)} in registry ${host}`,
      'unknown_reference',
    );
  }
  const downtime = a.downtime === undefined ? undefined : r.duration(a.downtime, [...path, 'downtime']);
  const before = r.issues.length;
  let action: Action | undefined;
  switch (name as Action['action']) {
    case 'restartKubelet':
    case 'crashKubelet':
      action = {
        action: name as 'restartKubelet',
        node: node as string,
        ...(downtime === undefined ? {} : { downtime }),
      };
      break;
    case 'registryDown':
    case 'registryUp':
      action = { action: name as 'registryDown', host: host as string };
      break;
    case 'revokePuller':
    case 'grantPuller':
      action = {
        action: name as 'revokePuller',
        host: host as string,
        repository: repository as string,
        username: username as string,
      };
      break;
    case 'changePassword':
      // A service account has a token, not a password: only a declared user's password can change.
      if (
        username !== undefined &&
        registry !== undefined &&
        !registry.users.some((u) => u.username === username)
      )
        r.issue(
          [...path, 'username'],
          `unknown user ${JSON.stringify(username)} in registry ${host}`,
          'unknown_reference',
        );
      action = {
        action: 'changePassword',
        host: host as string,
        username: username as string,
        password: r.secret(() => str('password')) as string,
      };
      break;
    case 'retag': {
      const digest =
        a.digest === undefined
          ? undefined
          : r.string(a.digest, [...path, 'digest'], {
              pattern: DIGEST,
              patternHint: 'sha256:<64 lower-case hex>',
            });
      const sizeBytes =
        a.sizeBytes === undefined ? undefined : r.integer(a.sizeBytes, [...path, 'sizeBytes'], 1);
      action = {
        action: 'retag',
        host: host as string,
        repository: repository as string,
        tag: (a.tag === undefined
          ? undefined
          : r.string(a.tag, [...path, 'tag'], { pattern: TAG, patternHint: TAG_HINT })) as string,
        digest: digest as string,
        ...(sizeBytes === undefined ? {} : { sizeBytes }),
      };
      break;
    }
    case 'removeImage':
      action = { action: 'removeImage', node: node as string, image: str('image') as string };
      break;
    case 'imageGC':
    case 'deleteRecords':
      action = { action: name as 'imageGC', node: node as string };
      break;
    case 'setPolicy': {
      const policy =
        a.policy === undefined ? undefined : r.oneOf(a.policy, [...path, 'policy'], VERIFICATION_POLICIES);
      const allowlist =
        a.allowlist === undefined ? undefined : r.stringList(a.allowlist, [...path, 'allowlist']);
      if (allowlist !== undefined) {
        const parsed = parseAllowlist(allowlist);
        if (!parsed.ok)
          for (const error of parsed.errors)
            r.issue([...path, 'allowlist', error.index], `invalid image pattern: ${error.error}`);
        if (allowlist.length > 0 && policy !== undefined && policy !== 'NeverVerifyAllowlistedImages') {
          r.issue(
            [...path, 'allowlist'],
            'invalid configuration: can\'t set `preloadedImagesVerificationAllowlist` if `imagePullCredentialsVertificationPolicy` is not "NeverVerifyAllowlistedImages"',
            'invalid_configuration',
          );
        }
      }
      action = {
        action: 'setPolicy',
        node: node as string,
        policy: policy as string,
        ...(allowlist === undefined ? {} : { allowlist }),
      };
      break;
    }
    case 'restartContainer': {
      const pod =
        a.pod === undefined
          ? undefined
          : r.string(a.pod, [...path, 'pod'], {
              pattern: /^[a-z0-9-]+\/[a-z0-9.-]+$/,
              patternHint: 'namespace/name',
            });
      const container = str('container');
      action = {
        action: 'restartContainer',
        pod: pod as string,
        ...(container === undefined ? {} : { container }),
      };
      break;
    }
    case 'fsFault': {
      const fault =
        a.fault === undefined
          ? undefined
          : r.oneOf(a.fault, [...path, 'fault'], [
              'readError',
              'writeError',
              'enospc',
              'crashBeforeRename',
              'corrupt',
            ] as const);
      const count = a.count === undefined ? undefined : r.integer(a.count, [...path, 'count'], 1, 1_000_000);
      const faultPath = str('path');
      if (faultPath !== undefined && !isRelativePath(faultPath))
        r.issue([...path, 'path'], 'expected pulled, pulling or another relative path under image_manager/');
      action = {
        action: 'fsFault',
        node: node as string,
        fault: fault as 'readError',
        ...(count === undefined ? {} : { count }),
        ...(faultPath === undefined ? {} : { path: faultPath }),
      };
      break;
    }
  }
  return r.issues.length === before ? action : undefined;
}

function readExpectations(r: Reader, value: unknown, pods: ReadonlySet<string>): Expectation[] | undefined {
  if (value === undefined) return [];
  const list = r.list(value, ['spec', 'expect']);
  if (list === undefined) return undefined;
  const out: Expectation[] = [];
  let ok = true;
  list.forEach((item, i) => {
    const path = ['spec', 'expect', i];
    const e = r.object(item, path, SCENARIO_FIELDS.expect);
    if (e === undefined) {
      ok = false;
      return;
    }
    const before = r.issues.length;
    const pod = r.string(r.required(e, 'pod', path), [...path, 'pod'], {
      pattern: /^[a-z0-9-]+\/[a-z0-9.-]+$/,
      patternHint: 'namespace/name',
    });
    if (pod !== undefined && !pods.has(pod))
      r.issue([...path, 'pod'], `no pod ${pod} is created by this scenario`, 'unknown_reference');
    const container =
      e.container === undefined
        ? undefined
        : r.string(e.container, [...path, 'container'], { nonEmpty: true });
    const modes =
      e.modes === undefined
        ? undefined
        : r
            .list(e.modes, [...path, 'modes'])
            ?.map((m, j) => r.oneOf(m, [...path, 'modes', j], [...MODES, 'as-configured'] as const));
    const at = e.at === undefined ? undefined : r.duration(e.at, [...path, 'at']);
    const state =
      e.state === undefined
        ? undefined
        : r.oneOf(e.state, [...path, 'state'], ['running', 'waiting', 'terminated'] as const);
    const reason =
      e.reason === undefined
        ? undefined
        : typeof e.reason === 'string'
          ? [e.reason]
          : r.stringList(e.reason, [...path, 'reason'], { nonEmpty: true });
    // An empty list would match no reason at all: the line could never pass.
    if (Array.isArray(e.reason) && e.reason.length === 0)
      r.issue([...path, 'reason'], 'expected a reason or a non-empty list of reasons');
    const violation = e.violation === undefined ? undefined : r.boolean(e.violation, [...path, 'violation']);
    const started = e.started === undefined ? undefined : r.boolean(e.started, [...path, 'started']);
    let pulls: Expectation['pulls'];
    if (e.pulls !== undefined) {
      if (typeof e.pulls === 'number') {
        const n = r.integer(e.pulls, [...path, 'pulls'], 0);
        if (n !== undefined) pulls = { min: n, max: n };
      } else {
        const p = r.object(e.pulls, [...path, 'pulls'], SCENARIO_FIELDS.pulls);
        const min = p?.min === undefined ? undefined : r.integer(p.min, [...path, 'pulls', 'min'], 0);
        const max = p?.max === undefined ? undefined : r.integer(p.max, [...path, 'pulls', 'max'], 0);
        if (p !== undefined && p.min === undefined && p.max === undefined)
          r.issue([...path, 'pulls'], 'expected an integer or {min, max}');
        pulls = { ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
      }
    }
    // Whether the line checks anything is decided on the fields as written: an invalid value is reported once.
    if (
      e.state === undefined &&
      e.reason === undefined &&
      e.violation === undefined &&
      e.started === undefined &&
      e.pulls === undefined
    ) {
      r.issue(path, 'an expect line must check at least one of state, reason, violation, started, pulls');
    }
    if (r.issues.length > before || pod === undefined) {
      ok = false;
      return;
    }
    const line = r.lineAt(path);
    out.push({
      pod,
      ...(line === undefined ? {} : { line }),
      ...(container === undefined ? {} : { container }),
      ...(modes === undefined ? {} : { modes: modes as RunMode[] }),
      ...(at === undefined ? {} : { at }),
      ...(state === undefined ? {} : { state }),
      ...(reason === undefined ? {} : { reason }),
      ...(violation === undefined ? {} : { violation }),
      ...(started === undefined ? {} : { started }),
      ...(pulls === undefined ? {} : { pulls }),
    });
  });
  return ok ? out : undefined;
}

/** The virtual end of a scenario as the loader defaults it (re-exported for docs and tests). */
export function defaultEnd(timeline: readonly TimelineStep[]): Ticks {
  return ticks(timeline.reduce((max, step) => Math.max(max, step.at), 0) + 10 * TICKS_PER_MINUTE);
}
