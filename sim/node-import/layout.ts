import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { readImageManagerArchive } from './archive.js';

/*
 * The collected directory (docs/audit.md "Collecting"; the layout the collect script writes): each piece under a
 * fixed name, most of them optional. This module only finds and reads the files; what they hold is read by
 * inputs.ts.
 */

/** One collected file: where it was found (for messages) and its text. */
export interface SnapshotFile {
  readonly file: string;
  readonly text: string;
}

/** What a collected directory holds; a missing piece is undefined. */
export interface Snapshot {
  /** The files of `image_manager/` (relative path → content), from the directory or its archive. */
  readonly imageManager?: { readonly source: string; readonly files: Readonly<Record<string, string>> };
  /** `crictl images -o json`. */
  readonly images?: SnapshotFile;
  /** `kubectl get pods,secrets,serviceaccounts,namespaces -A -o yaml` (or `-o json`). */
  readonly objects?: SnapshotFile;
  /** `kubectl get --raw /api/v1/nodes/NODE/proxy/configz`, or a KubeletConfiguration file. */
  readonly kubeletConfig?: SnapshotFile & { readonly form: 'configz' | 'file' };
  /** `kubectl get node NODE -o yaml` (or `-o json`). */
  readonly node?: SnapshotFile;
  /** A file holding the kubelet version (`v1.35.1`), when there is no node object. */
  readonly version?: SnapshotFile;
  /** The node-wide docker config (`/var/lib/kubelet/config.json`). */
  readonly dockerConfig?: SnapshotFile;
}

/** The names each piece may have, first found wins. */
const SNAPSHOT_FILES = {
  images: ['images.json'],
  objects: ['objects.yaml', 'objects.json'],
  configz: ['configz.json'],
  kubeletConfigFile: ['kubelet-config.yaml', 'kubelet-config.json'],
  node: ['node.yaml', 'node.json'],
  version: ['kubelet-version'],
  dockerConfig: ['config.json'],
  imageManagerDir: 'image_manager',
  imageManagerArchives: ['image_manager.tar.gz', 'image_manager.tgz', 'image_manager.tar'],
} as const;

/** Reads every piece of the collected directory `dir` that is there; an unreadable directory is bad input. */
export async function readSnapshot(dir: string): Promise<Snapshot> {
  if (!isDirectory(dir))
    throw new InputError({
      code: 'unreadable',
      file: dir,
      path: [],
      message: 'expected a directory of collected files (see pullsim import --collect-script)',
    });
  const first = (names: readonly string[]): SnapshotFile | undefined => {
    for (const name of names) {
      const file = join(dir, name);
      if (exists(file)) return { file, text: readText(file) };
    }
    return undefined;
  };
  const configz = first(SNAPSHOT_FILES.configz);
  const configFile = configz === undefined ? first(SNAPSHOT_FILES.kubeletConfigFile) : undefined;
  const kubeletConfig =
    configz !== undefined
      ? { ...configz, form: 'configz' as const }
      : configFile === undefined
        ? undefined
        : { ...configFile, form: 'file' as const };
  const pieces = {
    images: first(SNAPSHOT_FILES.images),
    objects: first(SNAPSHOT_FILES.objects),
    kubeletConfig,
    node: first(SNAPSHOT_FILES.node),
    version: first(SNAPSHOT_FILES.version),
    dockerConfig: first(SNAPSHOT_FILES.dockerConfig),
    imageManager: await readImageManager(dir),
  };
  return Object.fromEntries(Object.entries(pieces).filter(([, value]) => value !== undefined)) as Snapshot;
}

async function readImageManager(dir: string): Promise<Snapshot['imageManager']> {
  const directory = join(dir, SNAPSHOT_FILES.imageManagerDir);
  if (exists(directory) && isDirectory(directory)) return { source: directory, files: readTree(directory) };
  for (const name of SNAPSHOT_FILES.imageManagerArchives) {
    const file = join(dir, name);
    if (exists(file)) return { source: file, files: await readImageManagerArchive(file, readBytes(file)) };
  }
  return undefined;
}

/** Every regular file under `root`, by its path relative to it (sorted, so that the result is the same everywhere). */
function readTree(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (relative: string): void => {
    const entries = readdirSync(join(root, relative), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files[path] = readText(join(root, path));
    }
  };
  walk('');
  return files;
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new InputError({
      code: 'unreadable',
      file,
      path: [],
      message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    });
  }
}

function readText(file: string): string {
  return readBytes(file).toString('utf8');
}
