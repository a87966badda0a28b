/**
 * The ports through which the kubelet model sees the world. `src/` declares them; `sim/` implements them (a
 * counting, fault-injecting filesystem, a simulated container runtime, API objects). Every port is synchronous:
 * the model is a pure, single-threaded state machine, and anything that takes real time in the kubelet (a CRI
 * pull) is a step the model yields to its driver (see `image-manager/`).
 */
import type { Ticks } from './time.js';

// ---------------------------------------------------------------------------------------------------------------
// Clock

/** Virtual time. `now()` is microseconds since the Unix epoch (one tick = 1 µs, see `time.ts`). */
export interface Clock {
  now(): Ticks;
}

// ---------------------------------------------------------------------------------------------------------------
// Filesystem

/** The errno values the kubelet's file code can meet. */
export type FsErrorCode =
  | 'ENOENT'
  | 'EEXIST'
  | 'EIO'
  | 'ENOSPC'
  | 'EISDIR'
  | 'ENOTDIR'
  | 'EACCES'
  | 'ENOTEMPTY';

/** A failed system call, as Go's `*os.PathError`: operation, path and errno. */
export class FsError extends Error {
  readonly code: FsErrorCode;
  readonly op: string;
  readonly path: string;

  constructor(code: FsErrorCode, op: string, path: string) {
    // An FsError is an expected outcome (Go returns it as a value), and a missing file is met on every cache
    // miss: capturing a stack trace for it cost more than the rest of the read. So none is captured.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${op} ${path}: ${describeErrno(code)}`);
    Error.stackTraceLimit = limit;
    this.name = 'FsError';
    this.code = code;
    this.op = op;
    this.path = path;
  }
}

export function isFsError(error: unknown, code?: FsErrorCode): error is FsError {
  return error instanceof FsError && (code === undefined || error.code === code);
}

function describeErrno(code: FsErrorCode): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EEXIST':
      return 'file exists';
    case 'EIO':
      return 'input/output error';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'not a directory';
    case 'EACCES':
      return 'permission denied';
    case 'ENOTEMPTY':
      return 'directory not empty';
  }
}

export interface DirEntry {
  readonly name: string;
  readonly isDirectory: boolean;
}

/** Which directory entries `FileSystem.countFiles` counts: regular files named `<prefix>…`, not ending in `excludedSuffix`. */
export interface FileNameFilter {
  readonly prefix: string;
  readonly excludedSuffix: string;
}

export interface FileStat {
  readonly isDirectory: boolean;
  readonly sizeBytes: number;
}

/**
 * The file operations the kubelet's pull-record code uses, each throwing `FsError` on failure. Paths are absolute,
 * `/`-separated. The simulated filesystem counts each call as the system calls Go issues for it (see
 * docs/kubelet-model.md#file-operations-and-their-cost): `writeFile` = open + write + close, `readFile` = open
 * + fstat + read × 2 + close, `remove` = unlink (+ rmdir when the unlink fails), `readDir` = lstat + open +
 * getdents × n + close.
 */
export interface FileSystem {
  /** `os.MkdirAll(path, 0700)`: create the directory and missing parents; a stat when it already exists. */
  mkdirAll(path: string): void;
  /** Create or truncate `path` and write `data` (UTF-8). */
  writeFile(path: string, data: string): void;
  /** Atomically replace `to` with `from`. */
  rename(from: string, to: string): void;
  /** The whole content of a regular file. */
  readFile(path: string): string;
  /** The entries of a directory, sorted by name (as Go's `os.ReadDir`). */
  readDir(path: string): readonly DirEntry[];
  /**
   * The number of regular files in a directory that `filter` selects, as a caller would count them from `readDir`:
   * the same system calls and errors. Optional: where it is missing, callers list the directory and count. It lets
   * a filesystem that keeps such counts answer without walking every entry (the kubelet's gauge scans).
   */
  countFiles?(path: string, filter: FileNameFilter): number;
  /** `os.Remove`: unlink a file or remove an empty directory. */
  remove(path: string): void;
  /** `os.Stat`. */
  stat(path: string): FileStat;
  /**
   * `os.OpenFile(path, O_WRONLY|O_APPEND|O_CREATE, 0600)`: one `open`; every `write` of the handle is one `write`
   * system call at the end of the file, `close` one `close`. Used by the record-store strategies that keep a log
   * (`strategies/journal.ts`); the kubelet's own file accessor never appends.
   *
   * Optional so that test doubles written before appends existed still satisfy the port; the simulated
   * filesystem and the test memory filesystem implement it, and a strategy that needs it refuses to open
   * without it.
   */
  openAppend?(path: string): AppendHandle;
}

/**
 * An open append-only file (see `FileSystem.openAppend`). The handle refers to the file it opened, not to its
 * path: after a rename over that path, writes still go to the old (now unlinked) file, as on Linux.
 */
export interface AppendHandle {
  /** Appends `data` (UTF-8) in one `write` system call; throws `FsError` (EIO, ENOSPC) on failure. */
  write(data: string): void;
  /** Closes the handle (one `close`); writing afterwards is a programmer error. */
  close(): void;
}

// ---------------------------------------------------------------------------------------------------------------
// Container runtime (CRI image service)

/** An image as the CRI reports it (`runtimeapi.Image`). `id` is what the kubelet calls the imageRef. */
export interface CriImage {
  readonly id: string;
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
  readonly sizeBytes: number;
}

/** Registry credentials handed to the runtime for one pull (`runtimeapi.AuthConfig`). */
export interface AuthConfig {
  readonly username: string;
  readonly password: string;
  readonly email?: string;
}

/** The outcome of one CRI `PullImage` call. */
export type CriPullResult =
  | { readonly ok: true; readonly imageRef: string; readonly sizeBytes: number }
  | { readonly ok: false; readonly error: string };

/**
 * The synchronous CRI image calls. `PullImage` is not here: it takes real time, so the image manager yields a
 * pull request to its driver, which performs it through the runtime and resumes the manager with the result.
 */
export interface ImageService {
  /** `ImageStatus(image)`: the image with this reference, or undefined when absent. Throws on a runtime error. */
  imageStatus(image: string): CriImage | undefined;
  /** `ListImages()`. */
  listImages(): CriImage[];
}

// ---------------------------------------------------------------------------------------------------------------
// Credential sources (what the kubelet's secret manager, service-account lookup and providers return)

/** A Secret as the kubelet's secret manager returns it; `data` values are decoded strings. */
export interface SecretObject {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly data: Readonly<Record<string, string>>;
}

export interface ServiceAccountObject {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
}

/** A docker config entry as read from a config file (`.dockercfg` map or `config.json` `auths`). */
export interface DockerConfigEntry {
  readonly username?: string;
  readonly password?: string;
  readonly email?: string;
  readonly auth?: string;
}

/** A docker config: registry key → entry. */
export type DockerConfig = Readonly<Record<string, DockerConfigEntry>>;

/**
 * An exec credential-provider plugin (KEP-4412 when `serviceAccountTokenMode`). `provide` returns the plugin's
 * docker config for the image, or undefined when it has nothing (the pull then goes on without it).
 */
export interface CredentialProviderPlugin {
  readonly name: string;
  /** Whether the plugin's `matchImages` cover this image (normalised repository). */
  matchesImage(repository: string): boolean;
  /** KEP-4412: the plugin receives a service-account token and its credentials are tied to the pod's SA. */
  readonly serviceAccountTokenMode: boolean;
  /** KEP-4412 `requireServiceAccount`. */
  readonly requireServiceAccount: boolean;
  provide(request: {
    readonly repository: string;
    readonly serviceAccount?: ServiceAccountObject;
  }): DockerConfig | undefined;
}

/** Where the kubelet finds credentials: the API server (secrets, service accounts), the node, plugins. */
export interface CredentialSources {
  /** The pull secret, or undefined when it cannot be fetched (the kubelet then skips it). */
  getSecret(namespace: string, name: string): SecretObject | undefined;
  /** The service account, or undefined when it does not exist. */
  getServiceAccount(namespace: string, name: string): ServiceAccountObject | undefined;
  /** The node-wide docker config (`/var/lib/kubelet/config.json`), if any. */
  nodeDockerConfig(): DockerConfig | undefined;
  /** Configured exec credential-provider plugins, in configuration order. */
  plugins(): readonly CredentialProviderPlugin[];
}

// ---------------------------------------------------------------------------------------------------------------
// Events and logs

export type EventType = 'Normal' | 'Warning';

/** The object an event is about: a pod (and the container in it). */
export interface ObjectRef {
  readonly kind: 'Pod';
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly container?: string;
}

/** The kubelet's event recorder and structured log. */
export interface EventRecorder {
  event(object: ObjectRef, type: EventType, reason: string, message: string): void;
  /** A kubelet log line (klog), with structured key/values. Must never receive secret material. */
  log(message: string, fields?: Readonly<Record<string, string | number | boolean>>): void;
}

/** A recorder that drops everything (for tests and benchmarks). */
export const discardEvents: EventRecorder = {
  event: () => {},
  log: () => {},
};
