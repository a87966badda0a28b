/**
 * Start-up of the record journal (`../journal.ts`): replaying the log into the index, and the one-time import of
 * the kubelet's `pulling/` and `pulled/` files when no log exists yet. What cannot be read is recorded in
 * `problems` and, where a key can be named, marked unreadable, so that it forces verification.
 */
import type { FileSystem } from '../../ports.js';
import { attempt, PullRecordsInitError } from '../../pullmanager/fs-accessor.js';
import {
  decodeImagePulledRecord,
  decodeImagePullIntent,
  type ImagePulledRecord,
  type ImagePullIntent,
  recordFileName,
} from '../../pullmanager/records.js';
import { hashOf, type JournalCodec, type JournalIndex, type JournalKind } from './journal-index.js';
import { attributeTornFragment, type JournalLine, readJournal } from './journal-line.js';

/** `sha256-` + 64 hex: a name the kubelet could have written. */
const KUBELET_FILE_NAME = /^sha256-[0-9a-f]{64}$/;

/** Replays log `text` into `index`; returns its line count. */
export function replayJournal(
  text: string,
  index: JournalIndex,
  codec: JournalCodec,
  problems: string[],
): number {
  const { items, lineCount } = readJournal(text);
  for (const item of items) {
    if (item.kind === 'line') {
      const reason = applyLine(item.line, index, codec);
      if (reason === undefined) continue;
      // A put that cannot be applied leaves its key unreadable; a delete that cannot is a lost delete.
      const problem = `record journal line ${item.lineNumber}: ${reason}`;
      problems.push(problem);
      const { op, hash } = item.line;
      if (op[0] !== '-') index.markUnreadable(op[1] === 'i' ? 'intent' : 'record', hash, problem);
      continue;
    }
    const where = `record journal line ${item.lineNumber} is torn`;
    const attribution = attributeTornFragment(item.text);
    if (attribution === undefined) {
      problems.push(`${where}: a lost delete, ignored`);
      continue;
    }
    const keys = attribution.hashPrefix === '' ? 'any key' : `keys with hash ${attribution.hashPrefix}…`;
    problems.push(`${where}: ${attribution.kinds.join(' and ')} entries of ${keys} are unreadable`);
    for (const kind of attribution.kinds) index.markUnreadable(kind, attribution.hashPrefix, where);
  }
  return lineCount;
}

/** Applies one checked line; returns why its body cannot be used (nothing is applied then). */
function applyLine(line: JournalLine, index: JournalIndex, codec: JournalCodec): string | undefined {
  const { op, hash, body } = line;
  const kind: JournalKind = op[1] === 'i' ? 'intent' : 'record';
  if (op === '+r') {
    const decoded = decodeImagePulledRecord(body, codec.decodeOptions);
    if (!decoded.ok) return `failed to decode an ImagePulledRecord: ${decoded.error}`;
    const fileName = recordFileName(decoded.value.imageRef);
    if (hashOf(fileName) !== hash) return 'the record does not match the hash of its line';
    index.records.set(decoded.value.imageRef, { record: decoded.value, body, fileName });
    index.unreadable.record.delete(hash);
    return undefined;
  }
  const text = parseJsonString(body);
  if (text === undefined) return 'the body is not a JSON string';
  if (op[0] === '!') {
    index.markUnreadable(kind, hash, text);
    return undefined;
  }
  const fileName = recordFileName(text);
  if (hashOf(fileName) !== hash) return 'the key does not match the hash of its line';
  if (op === '+i') index.intents.set(text, fileName);
  else if (op === '-i') index.intents.delete(text);
  else index.records.delete(text);
  index.unreadable[kind].delete(hash);
  return undefined;
}

/** The string a JSON string literal holds, or undefined. */
function parseJsonString(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads every valid file name of `pulling/` then `pulled/` under `imageManagerDir` into `index`, decoded with the
 * profile's codec; undecodable files become unreadable entries under their name. Returns the files imported and
 * the directories that existed, for the caller to remove once the first log is in place. A directory or file
 * that cannot be read aborts the start (`PullRecordsInitError`).
 */
export function importKubeletFiles(
  fs: FileSystem,
  imageManagerDir: string,
  index: JournalIndex,
  codec: JournalCodec,
  problems: string[],
): { readonly imported: string[]; readonly dirs: string[] } {
  const imported: string[] = [];
  const dirs: string[] = [];
  for (const kind of ['intent', 'record'] as const) {
    const dir = `${imageManagerDir}/${kind === 'intent' ? 'pulling' : 'pulled'}`;
    const listed = attempt(() => fs.readDir(dir));
    if (!listed.ok) {
      if (listed.error.code === 'ENOENT' || listed.error.code === 'ENOTDIR') continue;
      throw new PullRecordsInitError(`failed to import ${dir}: ${listed.error.message}`);
    }
    dirs.push(dir);
    for (const entry of listed.value) {
      if (entry.isDirectory || !entry.name.startsWith('sha256-') || entry.name.endsWith('.tmp')) continue;
      const path = `${dir}/${entry.name}`;
      const read = attempt(() => fs.readFile(path));
      if (!read.ok) throw new PullRecordsInitError(`failed to import "${path}": ${read.error.message}`);
      imported.push(path);
      importFile({ kind, path, name: entry.name, text: read.value }, index, codec, problems);
    }
  }
  return { imported, dirs };
}

function importFile(
  file: { readonly kind: JournalKind; readonly path: string; readonly name: string; readonly text: string },
  index: JournalIndex,
  codec: JournalCodec,
  problems: string[],
): void {
  const { kind, path, name, text } = file;
  const typeName = kind === 'intent' ? 'ImagePullIntent' : 'ImagePulledRecord';
  const decoded =
    kind === 'intent'
      ? decodeImagePullIntent(text, codec.decodeOptions)
      : decodeImagePulledRecord(text, codec.decodeOptions);
  if (!decoded.ok) {
    const reason = `failed to deserialize content of file "${path}" into ${typeName}: ${decoded.error}`;
    if (!KUBELET_FILE_NAME.test(name)) {
      // No key can hash to this name, so no point read of the kubelet ever sees it.
      problems.push(`${reason} (not imported: not a kubelet file name)`);
      return;
    }
    problems.push(reason);
    index.markUnreadable(kind, hashOf(name), reason);
    return;
  }
  const key =
    kind === 'intent'
      ? (decoded.value as ImagePullIntent).image
      : (decoded.value as ImagePulledRecord).imageRef;
  if (recordFileName(key) !== name) {
    problems.push(`"${path}" holds ${JSON.stringify(key)}, which is not its name: not imported`);
    return;
  }
  if (kind === 'intent') {
    index.intents.set(key, name);
    return;
  }
  const record = decoded.value as ImagePulledRecord;
  index.records.set(key, { record, body: codec.body(record), fileName: name });
}
