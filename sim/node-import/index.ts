import { basename } from 'node:path';
import { stringify } from 'yaml';
import {
  DEFAULT_KUBELET_VERSION,
  KUBELET_VERSIONS,
  type KubeletVersion,
  kubeletProfile,
} from '../../src/profiles.js';
import { formatDuration } from '../../src/time.js';
import { parseScenario } from '../scenario/load.js';
import { scenarioToYaml } from '../scenario/serialize.js';
import type { Scenario } from '../scenario/types.js';
import { CredentialReplacer, type ReplacedEntry, readNodeDockerConfig } from './credentials.js';
import {
  type ApiObjects,
  type KubeletConfiguration,
  readApiObjects,
  readCriImages,
  readKubeletConfiguration,
  readNodeObject,
  SnapshotIssues,
} from './inputs.js';
import { readSnapshot, type Snapshot } from './layout.js';
import { importObjects } from './objects.js';
import { type ImportNote, readRecords } from './records.js';
import { inferRegistries } from './registries.js';

export { COLLECT_SCRIPT } from './collect-script.js';
export type { ImportNote } from './records.js';

/** A collected node as a scenario (docs/audit.md "What import produces"). */
export interface ImportedNode {
  /** What `loadScenario` returns for `yaml`. */
  readonly scenario: Scenario;
  /** The scenario file `pullsim import --out` writes, with its comment. */
  readonly yaml: string;
  /** What could not be judged, and what was assumed; never a credential. */
  readonly notes: readonly ImportNote[];
}

/**
 * Reads a directory of collected files (docs/audit.md "Collecting") and returns the node as an ordinary scenario.
 * Missing pieces add notes; bad files throw one InputError with every problem (exit 2 at the CLI).
 *
 * @example const { scenario, notes } = await importNode('snapshots/node-a');
 */
export async function importNode(dir: string): Promise<ImportedNode> {
  const snapshot = await readSnapshot(dir);
  const issues = new SnapshotIssues();
  const nodeObject = snapshot.node === undefined ? undefined : readNodeObject(issues, snapshot.node);
  const criImages = snapshot.images === undefined ? [] : readCriImages(issues, snapshot.images);
  const objects = snapshot.objects === undefined ? undefined : readApiObjects(issues, snapshot.objects);
  const config =
    snapshot.kubeletConfig === undefined
      ? undefined
      : readKubeletConfiguration(issues, snapshot.kubeletConfig);
  issues.throwIfAny();
  const notes: ImportNote[] = missingPieces(snapshot);
  const version = versionOf(nodeObject?.kubeletVersion ?? snapshot.version?.text.trim(), notes);
  const nodeName = nodeNameOf(nodeObject?.name, objects, notes);
  const replacer = new CredentialReplacer();
  const nodeCredentials = nodeDockerConfig(snapshot, replacer, notes);
  const imported = importObjects(
    objects ?? { pods: [], secrets: [], serviceAccounts: [], namespaces: [] },
    nodeName,
    replacer,
    basename(snapshot.objects?.file ?? 'objects.yaml'),
  );
  const records = readRecords(snapshot.imageManager?.files ?? {}, replacer, kubeletProfile(version));
  if (replacer.unmatchedHashes > 0)
    notes.push({
      about: 'image_manager',
      message: `${replacer.unmatchedHashes} credential hash(es) in the records match no credential found (a rotated or deleted secret, or one outside the pods' namespaces): no pod credential matches them, before or after the import`,
    });
  const registries = inferRegistries({
    criImages,
    podImages: imported.pods.flatMap((pod) =>
      [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.image),
    ),
    records,
    credentials: imported.secretEntries,
    nodeCredentials: nodeCredentials ?? [],
    serviceAccountProvider: version !== '1.33',
  });
  notes.push(...imported.notes, ...records.notes, ...registries.notes);
  const document = {
    apiVersion: 'pullsim/v1alpha1',
    kind: 'Scenario',
    metadata: { name: scenarioName(nodeName), description: `node ${nodeName} as collected (pullsim import)` },
    spec: {
      kubelet: kubeletDocument(version, config),
      registries: registries.registries,
      nodes: [
        {
          name: nodeName,
          images: registries.images,
          ...(nodeCredentials === undefined
            ? {}
            : {
                credentials: {
                  auths: Object.fromEntries(
                    nodeCredentials.map((e) => [e.key, { username: e.username, password: e.password }]),
                  ),
                },
              }),
          imageManagerFiles: records.files,
        },
      ],
      objects: imported.manifests,
    },
  };
  const first = parseScenario(stringify(document, { lineWidth: 0 }), `${dir} (imported)`);
  const yaml = scenarioToYaml(first, header(nodeName, version, config, registries.publicRepositories, notes));
  return { scenario: parseScenario(yaml, `${dir} (imported)`), yaml, notes };
}

function missingPieces(snapshot: Snapshot): ImportNote[] {
  const missing: [unknown, string, string][] = [
    [
      snapshot.imageManager,
      'image_manager',
      'no image_manager/ (directory or archive): no pulled record or intent, so under the feature gate every image on the node counts as preloaded',
    ],
    [
      snapshot.images,
      'images.json',
      'no crictl image list: no image is on the node, so every container must pull',
    ],
    [
      snapshot.objects,
      'objects.yaml',
      'no kubectl objects: no pod, secret or service account; no container to judge',
    ],
    [
      snapshot.kubeletConfig,
      'configz.json',
      "no kubelet configuration: the feature gate and the verification policy are the profile's defaults",
    ],
  ];
  return missing.flatMap(([piece, about, message]) => (piece === undefined ? [{ about, message }] : []));
}

/** The behaviour profile of a kubelet version such as `v1.35.1`. */
function versionOf(kubeletVersion: string | undefined, notes: ImportNote[]): KubeletVersion {
  const match = kubeletVersion === undefined ? null : /^v?(\d+)\.(\d+)/.exec(kubeletVersion);
  if (match === null) {
    notes.push({
      about: 'node.yaml',
      message: `no kubelet version; the newest profile (${DEFAULT_KUBELET_VERSION}) is assumed`,
    });
    return DEFAULT_KUBELET_VERSION;
  }
  const minor = Number(match[2]);
  const version = `${match[1]}.${minor}`;
  if ((KUBELET_VERSIONS as readonly string[]).includes(version)) return version as KubeletVersion;
  const oldest = KUBELET_VERSIONS[0];
  const nearest = Number(match[1]) === 1 && minor < 33 ? oldest : DEFAULT_KUBELET_VERSION;
  notes.push({
    about: 'node.yaml',
    message: `kubelet ${kubeletVersion} has no profile of its own; the ${nearest} profile is used${nearest === oldest ? ' (before 1.33 the kubelet had no pull records at all)' : ''}`,
  });
  return nearest;
}

function nodeNameOf(name: string | undefined, objects: ApiObjects | undefined, notes: ImportNote[]): string {
  if (name !== undefined) return name;
  const names = [...new Set((objects?.pods ?? []).flatMap((pod) => pod.spec.nodeName ?? []))].sort();
  const only = names.length === 1 ? names[0] : undefined;
  notes.push({
    about: 'node.yaml',
    message:
      only === undefined
        ? 'no node object, and the pods run on several nodes (or none): no pod is imported'
        : `no node object; the node is ${only}, the only one the pods run on`,
  });
  return only ?? 'node-1';
}

function nodeDockerConfig(
  snapshot: Snapshot,
  replacer: CredentialReplacer,
  notes: ImportNote[],
): ReplacedEntry[] | undefined {
  if (snapshot.dockerConfig === undefined) return undefined;
  const read = readNodeDockerConfig(snapshot.dockerConfig.text);
  if ('problem' in read) {
    notes.push({
      about: 'config.json',
      message: `the kubelet cannot read this docker config (${read.problem}), so the node has no node-wide credentials`,
    });
    return undefined;
  }
  return replacer.replaceConfig(read.config);
}

function kubeletDocument(
  version: KubeletVersion,
  config: KubeletConfiguration | undefined,
): Record<string, unknown> {
  if (config === undefined) return { version };
  const gates = Object.fromEntries(
    ['KubeletEnsureSecretPulledImages', 'KubeletServiceAccountTokenForCredentialProviders'].flatMap((gate) =>
      config.featureGates?.[gate] === undefined ? [] : [[gate, config.featureGates[gate]]],
    ),
  );
  const allowlist = config.preloadedImagesVerificationAllowlist ?? [];
  return {
    version,
    ...(Object.keys(gates).length === 0 ? {} : { featureGates: gates }),
    ...(config.imagePullCredentialsVerificationPolicy === undefined
      ? {}
      : { imagePullCredentialsVerificationPolicy: config.imagePullCredentialsVerificationPolicy }),
    ...(allowlist.length === 0 ? {} : { preloadedImagesVerificationAllowlist: allowlist }),
    ...(config.serializeImagePulls === undefined ? {} : { serializeImagePulls: config.serializeImagePulls }),
    ...(config.maxParallelImagePulls == null ? {} : { maxParallelImagePulls: config.maxParallelImagePulls }),
    ...(config.syncFrequency === undefined ? {} : { syncFrequency: formatDuration(config.syncFrequency) }),
  };
}

function scenarioName(nodeName: string): string {
  return `node-${nodeName.replace(/[^a-z0-9-]+/g, '-')}`.replace(/-+$/, '');
}

function header(
  nodeName: string,
  version: KubeletVersion,
  config: KubeletConfiguration | undefined,
  publicRepositories: readonly string[],
  notes: readonly ImportNote[],
): string {
  const policy = config?.imagePullCredentialsVerificationPolicy;
  return [
    `Node ${nodeName}, imported by \`pullsim import\` (docs/audit.md): kubelet profile ${version}, policy ${policy === undefined || policy === '' ? "the profile's default" : policy}.`,
    '',
    'CREDENTIALS: every password, token and docker config read from the node was replaced by a generated one',
    '(user-N / replaced-N, the same real credential always by the same replacement), and the credential hashes in',
    'image_manager/ rewritten to match: a pod credential matches a record here exactly when it did on the node.',
    '',
    'ASSUMED, because registry access rules are not on the node: every repository is private, and every user',
    'declared for its registry (and every service account a record names for it) may pull it.',
    publicRepositories.length === 0
      ? 'No repository was found public.'
      : `Assumed public (a record shows a pull without pod credentials and the node has no docker config for the registry, or the node has no credential for the registry at all): ${publicRepositories.join(', ')}.`,
    'Declare the real rules before trusting violation counts: `public: true` for public repositories, and in',
    "`pullers` who may pull each one (docs/scenario-format.md, spec.registries[].repositories[]). The kubelet's",
    'decisions (pull or reuse) do not depend on them; whether a pull then succeeds, and what counts as a violation, do.',
    ...(notes.length === 0
      ? []
      : ['', 'Could not judge, or assumed:', ...notes.map((n) => `- ${n.about}: ${n.message}`)]),
  ].join('\n');
}
