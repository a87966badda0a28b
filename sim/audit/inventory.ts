import { formatRfc3339Seconds } from '../../src/go/index.js';
import type { CriImage } from '../../src/ports.js';
import type { KubeletProfile } from '../../src/profiles.js';
import { imageMatchesAllowlist, parseAllowlist } from '../../src/pullmanager/policy.js';
import {
  type DecodeOptions,
  decodeImagePulledRecord,
  decodeImagePullIntent,
  type ImagePulledRecord,
  recordFileName,
} from '../../src/pullmanager/records.js';
import { TICKS_PER_SECOND } from '../../src/time.js';
import { compareStrings } from './node-view.js';
import type { AuditImage, RecordedCredentials } from './report-types.js';

/** What the node's image_manager/ files and image list say, read with the kubelet's own decoder. */
export interface Inventory {
  readonly images: AuditImage[];
  readonly recordsWithoutImage: string[];
  readonly danglingIntents: string[];
  readonly unreadableFiles: { file: string; error: string }[];
}

/** The inputs of the inventory: the node's files and images, the profile, the allowlist and the pods' images. */
export interface InventoryInput {
  readonly files: Readonly<Record<string, string>>;
  readonly images: readonly CriImage[];
  readonly profile: KubeletProfile;
  readonly allowlist: readonly string[];
  /** Each pod image string that resolves to a present image, with its imageRef. */
  readonly podImages: readonly { readonly image: string; readonly imageRef: string }[];
}

/**
 * For every image on the node, how the kubelet sees it at start-up (docs/audit.md "Reading the report"): the pulled
 * record of its imageRef (file `pulled/sha256-<sha256(imageRef)>`, as fs_pullrecords.go names it), else an intent
 * for one of its names (start-up's conversion rule), else preloaded.
 */
export function inventory(input: InventoryInput): Inventory {
  const options: DecodeOptions = {
    decodableApiVersions: input.profile.decodableApiVersions,
    serviceAccountField: input.profile.serviceAccountTracking,
  };
  const unreadableFiles: { file: string; error: string }[] = [];
  const records = new Map<string, { record?: ImagePulledRecord; apiVersion?: string; error?: string }>();
  const intents: string[] = [];
  for (const file of Object.keys(input.files).sort(compareStrings)) {
    const text = input.files[file] as string;
    if (file.startsWith('pulled/')) {
      const decoded = decodeImagePulledRecord(text, options);
      const name = file.slice('pulled/'.length);
      if (decoded.ok) records.set(name, { record: decoded.value, apiVersion: decoded.apiVersion });
      else {
        records.set(name, { error: decoded.error });
        unreadableFiles.push({ file, error: decoded.error });
      }
    } else if (file.startsWith('pulling/')) {
      const decoded = decodeImagePullIntent(text, options);
      if (decoded.ok) intents.push(decoded.value.image);
      else unreadableFiles.push({ file, error: decoded.error });
    }
  }
  const allowlist = parseAllowlist(input.allowlist);
  const allowlisted = (name: string) =>
    allowlist.ok && imageMatchesAllowlist(name, allowlist.value, input.profile.allowlistMatching);
  const usedIntents = new Set<string>();
  const usedRecords = new Set<string>();
  const images = [...input.images]
    .sort((a, b) => compareStrings(a.id, b.id))
    .map((image): AuditImage => {
      const name = recordFileName(image.id);
      usedRecords.add(name);
      const names = [...image.repoTags, ...image.repoDigests];
      const matching = intents.filter((intent) => names.includes(intent)).sort(compareStrings);
      for (const intent of matching) usedIntents.add(intent);
      const podNames = input.podImages.filter((p) => p.imageRef === image.id).map((p) => p.image);
      return imageEntry(
        image.id,
        names,
        records.get(name),
        matching,
        [...names, ...podNames].some(allowlisted),
      );
    });
  const recordsWithoutImage = [...records.entries()]
    .filter(([name]) => !usedRecords.has(name))
    .map(([name, entry]) => entry.record?.imageRef ?? `pulled/${name}`)
    .sort(compareStrings);
  const danglingIntents = intents.filter((intent) => !usedIntents.has(intent)).sort(compareStrings);
  return { images, recordsWithoutImage, danglingIntents, unreadableFiles };
}

function imageEntry(
  imageRef: string,
  names: readonly string[],
  stored: { record?: ImagePulledRecord; apiVersion?: string; error?: string } | undefined,
  intents: readonly string[],
  allowlisted: boolean,
): AuditImage {
  const record = stored?.record;
  const view =
    stored?.error !== undefined
      ? 'unreadable-record'
      : record !== undefined
        ? 'kubelet-pulled'
        : intents.length > 0
          ? 'leftover-intent'
          : 'preloaded';
  return {
    imageRef,
    names,
    view,
    allowlisted,
    recordApiVersion: stored?.apiVersion ?? null,
    lastUpdatedTime:
      record === undefined || record.lastUpdatedTime === null
        ? null
        : formatRfc3339Seconds(Math.floor(record.lastUpdatedTime / TICKS_PER_SECOND)),
    credentials: record === undefined ? [] : recordedCredentials(record),
    intents,
    ...(stored?.error === undefined ? {} : { error: stored.error }),
  };
}

/** The record's credential mapping, key by key (sorted), with only coordinates and hashes. */
function recordedCredentials(record: ImagePulledRecord): RecordedCredentials[] {
  return Object.keys(record.credentialMapping)
    .sort(compareStrings)
    .map((key) => {
      const entry = record.credentialMapping[key] ?? {};
      return {
        key,
        nodeWide: entry.nodePodsAccessible === true,
        secrets: (entry.kubernetesSecrets ?? []).map((s) => ({
          namespace: s.namespace,
          name: s.name,
          uid: s.uid,
          credentialHash: s.credentialHash,
        })),
        serviceAccounts: (entry.kubernetesServiceAccounts ?? []).map((a) => ({
          namespace: a.namespace,
          name: a.name,
          uid: a.uid,
        })),
      };
    });
}

/** One line on what a record holds, for the list of exposures: `secret team-a/regcred, node-wide`. */
export function recordSummary(image: AuditImage | undefined): string {
  if (image === undefined) return 'image not on the node';
  switch (image.view) {
    case 'preloaded':
      return 'no pulled record: preloaded';
    case 'unreadable-record':
      return 'its pulled record cannot be read';
    case 'leftover-intent':
      return 'no pulled record, a leftover intent: start-up records it without credentials';
    case 'kubelet-pulled': {
      const sources = image.credentials.flatMap((c) => [
        ...(c.nodeWide ? [`node-wide for ${c.key}`] : []),
        ...c.secrets.map((s) => `secret ${s.namespace}/${s.name}`),
        ...c.serviceAccounts.map((a) => `service account ${a.namespace}/${a.name}`),
      ]);
      return sources.length === 0
        ? 'pulled record without credentials'
        : `pulled record holds ${[...new Set(sources)].join(', ')}`;
    }
  }
}
