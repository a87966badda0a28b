import type { KubeletProfile } from '../../src/profiles.js';
import { decodeImagePulledRecord, decodeImagePullIntent } from '../../src/pullmanager/records.js';
import type { CredentialReplacer } from './credentials.js';

/*
 * The node's image_manager/ files, read with the kubelet's own strict decoder (src/pullmanager/record-decode.ts) as
 * the imported kubelet version would read them. The files themselves go into the scenario raw (only credential
 * hashes rewritten, credentials.ts), so the simulated kubelet meets exactly what the real one has, malformed files
 * included; this module only draws from them what the scenario needs besides (the repositories they name, which
 * were pulled with service-account or node-wide credentials) and notes what the kubelet will make of them.
 */

/** Something the import could not judge or had to assume, for the scenario's comment and the audit report. */
export interface ImportNote {
  /** The piece of input it concerns: a file name of the collected directory, or `registries`. */
  readonly about: string;
  readonly message: string;
}

/** What the records say beyond their raw content. */
export interface RecordFacts {
  /** The files with their credential hashes rewritten, by relative path. */
  readonly files: Readonly<Record<string, string>>;
  /** Images and repositories the records and intents name (credential-mapping keys, intent images). */
  readonly images: readonly string[];
  /** Service accounts (`system:serviceaccount:NS:NAME`) recorded per credential-mapping key. */
  readonly serviceAccounts: ReadonlyMap<string, readonly string[]>;
  /** Credential-mapping keys recorded as pulled without pod credentials (`nodePodsAccessible`). */
  readonly nodeAccessible: ReadonlySet<string>;
  readonly notes: readonly ImportNote[];
}

/** Reads the image_manager/ files (`source` names them in notes) as a kubelet of `profile` would. */
export function readRecords(
  files: Readonly<Record<string, string>>,
  replacer: CredentialReplacer,
  profile: KubeletProfile,
): RecordFacts {
  const options = {
    decodableApiVersions: profile.decodableApiVersions,
    serviceAccountField: profile.serviceAccountTracking,
  };
  const out: Record<string, string> = {};
  const images = new Set<string>();
  const serviceAccounts = new Map<string, Set<string>>();
  const nodeAccessible = new Set<string>();
  const notes: ImportNote[] = [];
  const note = (message: string) => notes.push({ about: 'image_manager', message });
  for (const path of Object.keys(files).sort()) {
    const text = replacer.rewriteRecord(files[path] as string);
    out[path] = text;
    const [dir] = path.split('/');
    if (dir === 'pulling') {
      const intent = decodeImagePullIntent(text, options);
      if (!intent.ok)
        note(`${path}: a ${profile.version} kubelet cannot decode this intent (${intent.error})`);
      else {
        images.add(intent.value.image);
        note(
          `${path}: leftover pull intent for ${intent.value.image} (the kubelet stopped during a pull): at start-up it becomes a record without credentials when the runtime lists exactly that name, and stays otherwise; either way the image counts as pulled by the kubelet, and pods must verify their credentials before using it (except under NeverVerify)`,
        );
      }
    } else if (dir === 'pulled') {
      const record = decodeImagePulledRecord(text, options);
      if (!record.ok) {
        note(
          `${path}: a ${profile.version} kubelet cannot decode this record (${record.error}); it keeps the file, and the image it is for is pulled again before any reuse`,
        );
        continue;
      }
      for (const [key, credentials] of Object.entries(record.value.credentialMapping)) {
        images.add(key);
        if (credentials.nodePodsAccessible === true) nodeAccessible.add(key);
        for (const account of credentials.kubernetesServiceAccounts ?? []) {
          const accounts = serviceAccounts.get(key) ?? new Set<string>();
          accounts.add(`system:serviceaccount:${account.namespace}:${account.name}`);
          serviceAccounts.set(key, accounts);
        }
      }
    } else {
      note(`${path}: not under pulled/ or pulling/; kept as it is, the kubelet does not read it`);
    }
  }
  return {
    files: out,
    images: [...images].sort(),
    serviceAccounts: new Map([...serviceAccounts].map(([key, set]) => [key, [...set].sort()])),
    nodeAccessible,
    notes,
  };
}
