/**
 * The handle `SimFileSystem.openAppend` returns: `os.OpenFile(path, O_WRONLY|O_APPEND|O_CREATE, 0600)` kept open,
 * each `write` one `write` system call, `close` one `close`. The handle holds the file node, not the path, so after
 * a rename over the path or a removal the writes land in the unlinked file, as on Linux.
 */
import { type AppendHandle, FsError } from '../../src/ports.js';
import type { FsFaultInjector } from './filesystem-faults.js';
import type { FsMeter } from './filesystem-meter.js';
import type { FileNode } from './filesystem-tree.js';

/**
 * An open append handle on `file` (at `path`, counted when `counted`). Each write is one `writes` operation (its
 * bytes in `bytesWritten`); faults hit it as they hit `writeFile`: `writeError` (EIO) and `enospc` (ENOSPC) append
 * nothing and throw, `corrupt` appends a torn prefix of the data and reports success. Writing to or closing a
 * closed handle is a programmer error (EBADF).
 */
export function appendHandle(
  file: FileNode,
  path: string,
  counted: boolean,
  meter: FsMeter,
  faults: FsFaultInjector,
): AppendHandle {
  let open = true;
  return {
    write: (data: string): void => {
      if (!open) throw new Error(`write to a closed append handle of ${path} (EBADF: a programmer error)`);
      if (counted) {
        meter.sys('write');
        meter.io.writes++;
        meter.io.ops++;
      }
      const fault = faults.active ? faults.write(path) : undefined;
      if (fault === 'writeError') throw new FsError('EIO', 'write', path);
      if (fault === 'enospc') throw new FsError('ENOSPC', 'write', path);
      const appended = fault === 'corrupt' ? faults.corrupt(data) : data;
      file.content += appended;
      file.sizeBytes += Buffer.byteLength(appended, 'utf8');
      if (counted) meter.io.bytesWritten += Buffer.byteLength(data, 'utf8');
    },
    close: (): void => {
      if (!open) throw new Error(`close of a closed append handle of ${path} (EBADF: a programmer error)`);
      open = false;
      if (counted) meter.sys('close');
    },
  };
}
