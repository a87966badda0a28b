/**
 * The file layer of the pull records (`fsPullRecordsAccessor`, pkg/kubelet/images/pullmanager/fs_pullrecords.go;
 * docs/kubelet-model.md#record-files and #file-operations-and-their-cost): one JSON file per intent in
 * `<root>/image_manager/pulling/` and per pulled image in `<root>/image_manager/pulled/`, written atomically
 * through `<name>.tmp` + rename, never fsynced.
 */
import { type DirEntry, type FileNameFilter, type FileSystem, FsError, type FsErrorCode } from '../ports.js';
import type { RecordApiVersion } from '../profiles.js';
import type { RecordsLogger } from './accessor.js';
import type { SizeExposedPullRecordsAccessor, SizeResult } from './metered-accessor.js';
import {
  type Decoded,
  type DecodeOptions,
  decodeImagePulledRecord,
  decodeImagePullIntent,
  encodeImagePulledRecord,
  encodeImagePullIntent,
  type ImagePulledRecord,
  type ImagePullIntent,
  LATEST_RECORD_API_VERSION,
  recordFileName,
} from './records.js';

const CACHE_FILE_PREFIX = 'sha256-';
const TMP_FILE_SUFFIX = '.tmp';

/** Options of the file accessor; `openPullRecordsStore` fills them from the kubelet profile. */
export interface FileSystemPullRecordsAccessorOptions {
  /** The apiVersion files are written in (v1alpha1 ≤ 1.34, v1beta1 ≥ 1.35). */
  readonly recordApiVersion: RecordApiVersion;
  /** The versions the strict decoder accepts. */
  readonly decodableApiVersions: readonly RecordApiVersion[];
  /** Whether the record types carry `kubernetesServiceAccounts` (false only for 1.33). */
  readonly serviceAccountField: boolean;
  /** 1.35+: rewrite files that are not v1beta1 during construction (#132579). */
  readonly migrateRecordsAtStartup: boolean;
  readonly logger?: RecordsLogger;
}

/** `NewFSPullRecordsAccessor` (fs_pullrecords.go) could not create its directories: the kubelet fails to start. */
export class PullRecordsInitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PullRecordsInitError';
  }
}

/**
 * Runs one file-system call; an `FsError` becomes a value, anything else (a bug, a simulated crash) propagates.
 * The journal strategy uses it too.
 */
export function attempt<T>(call: () => T): { ok: true; value: T } | { ok: false; error: FsError } {
  try {
    return { ok: true, value: call() };
  } catch (error) {
    if (error instanceof FsError) return { ok: false, error };
    throw error;
  }
}

/** Whether a caught error carries this errno (a plain boolean: `isFsError` would narrow the other branch away). */
function hasCode(error: FsError, code: FsErrorCode): boolean {
  return error.code === code;
}

/** `filepath.Join` for the absolute, `/`-separated paths of the FileSystem port (no `.`/`..` handling needed). */
function joinPath(...parts: string[]): string {
  const joined = parts.join('/').replace(/\/{2,}/g, '/');
  return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}

/** `isValidCacheFile`: not a directory, named `sha256-…`, not a `.tmp` leftover (the hex is not checked). */
function isValidCacheFileName(name: string): boolean {
  return name.startsWith(CACHE_FILE_PREFIX) && !name.endsWith(TMP_FILE_SUFFIX);
}

/** `isValidCacheFile` as a filter for `FileSystem.countFiles`. */
const CACHE_FILE_FILTER: FileNameFilter = { prefix: CACHE_FILE_PREFIX, excludedSuffix: TMP_FILE_SUFFIX };

/** The valid cache files of a listing. */
function countCacheFiles(entries: readonly DirEntry[]): number {
  let count = 0;
  for (const entry of entries) if (!entry.isDirectory && isValidCacheFileName(entry.name)) count++;
  return count;
}

/** One decoded file of a directory walk. */
interface WalkedFile<T> {
  readonly path: string;
  readonly value: T;
  readonly apiVersion: RecordApiVersion;
}

/**
 * `fsPullRecordsAccessor` (fs_pullrecords.go): reads and writes the record files through the FileSystem port with
 * the kubelet's exact protocol and error texts. The constructor creates `pulling/` then `pulled/` (throwing
 * `PullRecordsInitError` on failure) and, with `migrateRecordsAtStartup`, rewrites every decodable file that is not
 * v1beta1 through the normal write path, keeping its field values (lastUpdatedTime is not bumped).
 */
export class FileSystemPullRecordsAccessor implements SizeExposedPullRecordsAccessor {
  /** `<root>/image_manager/pulling`. */
  readonly pullingDir: string;
  /** `<root>/image_manager/pulled`. */
  readonly pulledDir: string;
  readonly #decodeOptions: DecodeOptions;
  readonly #recordApiVersion: RecordApiVersion;
  readonly #serviceAccountField: boolean;
  readonly #logger: RecordsLogger | undefined;

  constructor(
    private readonly fs: FileSystem,
    kubeletRoot: string,
    options: FileSystemPullRecordsAccessorOptions,
  ) {
    this.pullingDir = joinPath(kubeletRoot, 'image_manager', 'pulling');
    this.pulledDir = joinPath(kubeletRoot, 'image_manager', 'pulled');
    this.#decodeOptions = {
      decodableApiVersions: options.decodableApiVersions,
      serviceAccountField: options.serviceAccountField,
    };
    this.#recordApiVersion = options.recordApiVersion;
    this.#serviceAccountField = options.serviceAccountField;
    this.#logger = options.logger;

    for (const dir of [this.pullingDir, this.pulledDir]) {
      const made = attempt(() => fs.mkdirAll(dir));
      if (!made.ok) throw new PullRecordsInitError(made.error.message);
    }
    if (options.migrateRecordsAtStartup) this.#migrateRecords();
  }

  // ------------------------------------------------------------------------------------------------------------
  // Intents

  listImagePullIntents(): { readonly intents: ImagePullIntent[]; readonly errors: string[] } {
    const walked = this.#walk(this.pullingDir, 'ImagePullIntent', (text) =>
      decodeImagePullIntent(text, this.#decodeOptions),
    );
    return { intents: walked.files.map((f) => f.value), errors: walked.errors };
  }

  imagePullIntentExists(image: string): { readonly exists: boolean; readonly error?: string } {
    const read = attempt(() => this.fs.readFile(joinPath(this.pullingDir, recordFileName(image))));
    if (!read.ok)
      return hasCode(read.error, 'ENOENT') ? { exists: false } : { exists: false, error: read.error.message };
    const decoded = decodeImagePullIntent(read.value, this.#decodeOptions);
    if (!decoded.ok) return { exists: false, error: decoded.error };
    // A file whose content names another image (a hash collision or a hand-placed file) reads as absent.
    return { exists: decoded.value.image === image };
  }

  writeImagePullIntent(image: string): { readonly error?: string } {
    return this.#writeFile(
      this.pullingDir,
      recordFileName(image),
      encodeImagePullIntent({ image }, this.#recordApiVersion),
    );
  }

  deleteImagePullIntent(image: string): { readonly error?: string } {
    return this.#remove(joinPath(this.pullingDir, recordFileName(image)));
  }

  // ------------------------------------------------------------------------------------------------------------
  // Pulled records

  listImagePulledRecords(): { readonly records: ImagePulledRecord[]; readonly errors: string[] } {
    const walked = this.#walk(this.pulledDir, 'ImagePulledRecord', (text) =>
      decodeImagePulledRecord(text, this.#decodeOptions),
    );
    return { records: walked.files.map((f) => f.value), errors: walked.errors };
  }

  getImagePulledRecord(imageRef: string): {
    readonly record?: ImagePulledRecord;
    readonly exists: boolean;
    readonly error?: string;
  } {
    const read = attempt(() => this.fs.readFile(joinPath(this.pulledDir, recordFileName(imageRef))));
    if (!read.ok)
      return hasCode(read.error, 'ENOENT') ? { exists: false } : { exists: false, error: read.error.message };
    const decoded = decodeImagePulledRecord(read.value, this.#decodeOptions);
    // A corrupt file exists but is unusable: the manager then demands a pull and later overwrites it.
    if (!decoded.ok) return { exists: true, error: decoded.error };
    if (decoded.value.imageRef !== imageRef) return { exists: false };
    return { record: decoded.value, exists: true };
  }

  writeImagePulledRecord(record: ImagePulledRecord): { readonly error?: string } {
    return this.#writeFile(
      this.pulledDir,
      recordFileName(record.imageRef),
      encodeImagePulledRecord(record, this.#recordApiVersion, {
        serviceAccountField: this.#serviceAccountField,
      }),
    );
  }

  deleteImagePulledRecord(imageRef: string): { readonly error?: string } {
    return this.#remove(joinPath(this.pulledDir, recordFileName(imageRef)));
  }

  // ------------------------------------------------------------------------------------------------------------
  // Sizes (for the on-disk gauges)

  /** Valid files in `pulling/`, counted from one directory read without opening them (#132812). */
  intentsSize(): SizeResult {
    return this.#countCacheFiles(this.pullingDir);
  }

  /** Valid files in `pulled/`, counted the same way. */
  pulledRecordsSize(): SizeResult {
    return this.#countCacheFiles(this.pulledDir);
  }

  #countCacheFiles(dir: string): SizeResult {
    // D+ reads the open directory in batches of 20 entries; the port's readDir is the whole read in one call.
    const fs = this.fs;
    const counted = attempt(() =>
      fs.countFiles === undefined ? countCacheFiles(fs.readDir(dir)) : fs.countFiles(dir, CACHE_FILE_FILTER),
    );
    if (!counted.ok)
      return { ok: false, error: `failed to open directory "${dir}": ${counted.error.message}` };
    return { ok: true, value: counted.value };
  }

  // ------------------------------------------------------------------------------------------------------------
  // Protocols

  /**
   * `writeFile`: MkdirAll(dir) → write `<name>.tmp` → rename over `<name>`. The temporary file is removed,
   * best effort, when the write or the rename fails. No fsync of the file or the directory.
   */
  #writeFile(dir: string, name: string, content: string): { readonly error?: string } {
    const made = attempt(() => this.fs.mkdirAll(dir));
    if (!made.ok) return { error: `failed to create directory "${dir}": ${made.error.message}` };
    const targetPath = joinPath(dir, name);
    const tmpPath = targetPath + TMP_FILE_SUFFIX;
    const written = attempt(() => this.fs.writeFile(tmpPath, content));
    if (!written.ok) {
      attempt(() => this.fs.remove(tmpPath)); // the file may have been partially written
      return { error: `failed to create temporary file "${tmpPath}": ${written.error.message}` };
    }
    const renamed = attempt(() => this.fs.rename(tmpPath, targetPath));
    if (!renamed.ok) {
      attempt(() => this.fs.remove(tmpPath));
      return { error: renamed.error.message };
    }
    return {};
  }

  /** `os.Remove` with "does not exist" counted as success (fs_pullrecords.go); no content check. */
  #remove(path: string): { readonly error?: string } {
    const removed = attempt(() => this.fs.remove(path));
    if (removed.ok || hasCode(removed.error, 'ENOENT')) return {};
    return { error: removed.error.message };
  }

  /**
   * `processDirFiles`: read the directory (sorted by name), skip sub-directories, `.tmp` files and names
   * without the `sha256-` prefix, read and decode every other file. Read and decode failures are collected and the
   * walk goes on; a failure to read the directory itself is collected too. No name/content check.
   */
  #walk<T>(
    dir: string,
    kind: 'ImagePullIntent' | 'ImagePulledRecord',
    decode: (text: string) => Decoded<T>,
  ): { files: WalkedFile<T>[]; errors: string[] } {
    const files: WalkedFile<T>[] = [];
    const errors: string[] = [];
    const listed = attempt(() => this.fs.readDir(dir));
    if (!listed.ok) {
      // filepath.WalkDir on a root that is a regular file visits only the root: no entries, no error.
      if (!hasCode(listed.error, 'ENOTDIR')) errors.push(listed.error.message);
      return { files, errors };
    }
    for (const entry of listed.value) {
      if (entry.isDirectory || !isValidCacheFileName(entry.name)) continue;
      const path = joinPath(dir, entry.name);
      const read = attempt(() => this.fs.readFile(path));
      if (!read.ok) {
        errors.push(`failed to read "${path}": ${read.error.message}`);
        continue;
      }
      const decoded = decode(read.value);
      if (!decoded.ok) {
        errors.push(`failed to deserialize content of file "${path}" into ${kind}: ${decoded.error}`);
        continue;
      }
      files.push({ path, value: decoded.value, apiVersion: decoded.apiVersion });
    }
    return { files, errors };
  }

  /**
   * The start-up migration (#132579): for `pulling/` then `pulled/`, every file that decodes but is not v1beta1 is
   * written again through the normal write path (so under the name of its content's key). Undecodable files and
   * failed rewrites are logged, one line per directory, and left as they are; nothing here fails construction or
   * touches the gauges (the metering wrapper is not in place yet).
   */
  #migrateRecords(): void {
    const intents = this.#walk(this.pullingDir, 'ImagePullIntent', (text) =>
      decodeImagePullIntent(text, this.#decodeOptions),
    );
    const intentErrors = [...intents.errors];
    for (const file of intents.files) {
      if (file.apiVersion === LATEST_RECORD_API_VERSION) continue;
      const written = this.writeImagePullIntent(file.value.image);
      if (written.error !== undefined)
        intentErrors.push(`failed to migrate "${file.path}": ${written.error}`);
    }
    if (intentErrors.length > 0)
      this.#logger?.log('Error migrating image pull intents', { error: aggregate(intentErrors) });

    const records = this.#walk(this.pulledDir, 'ImagePulledRecord', (text) =>
      decodeImagePulledRecord(text, this.#decodeOptions),
    );
    const recordErrors = [...records.errors];
    for (const file of records.files) {
      if (file.apiVersion === LATEST_RECORD_API_VERSION) continue;
      const written = this.writeImagePulledRecord(file.value);
      if (written.error !== undefined)
        recordErrors.push(`failed to migrate "${file.path}": ${written.error}`);
    }
    if (recordErrors.length > 0)
      this.#logger?.log('Error migrating image pulled records', { error: aggregate(recordErrors) });
  }
}

/** `utilerrors.NewAggregate(...).Error()`: one message as is, several as `[a, b]`. */
function aggregate(errors: readonly string[]): string {
  return errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
}
