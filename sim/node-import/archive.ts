import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { InputError } from '../errors.js';

/*
 * The node's image_manager/ directory as a tar archive (`tar -czf image_manager.tar.gz image_manager`), read in
 * memory: gzip with Node's zlib, the tar format with tar-stream. Only regular files are kept; their names lose a
 * leading `./` and `image_manager/`, so that an archive made from inside or from above the directory reads alike.
 */

/** At most this many bytes of unpacked archive (a node with 10 000 records holds about 5 MiB). */
const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024;

/** The files of an `image_manager` tar (gzipped or not): relative path → content, as UTF-8 text. */
export async function readImageManagerArchive(file: string, bytes: Buffer): Promise<Record<string, string>> {
  const tar = isGzip(bytes) ? gunzip(file, bytes) : bytes;
  const files: Record<string, string> = {};
  let total = 0;
  const entries = extract();
  Readable.from([tar]).pipe(entries);
  try {
    for await (const entry of entries) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const content = Buffer.concat(chunks);
      total += content.length;
      if (total > MAX_ARCHIVE_BYTES)
        throw bad(file, `the archive unpacks to more than ${MAX_ARCHIVE_BYTES} bytes`);
      const name = relativeName(entry.header.name);
      if (entry.header.type === 'file' && name !== undefined) files[name] = content.toString('utf8');
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw bad(file, `not a readable tar archive (${(error as Error).message.split('\n')[0]})`);
  }
  return files;
}

function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function gunzip(file: string, bytes: Buffer): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_ARCHIVE_BYTES });
  } catch (error) {
    throw bad(file, `not a readable gzip file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** `./image_manager/pulled/x` → `pulled/x`; the directory entry itself → undefined. */
function relativeName(name: string): string | undefined {
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts[0] === 'image_manager') parts.shift();
  return parts.length === 0 ? undefined : parts.join('/');
}

function bad(file: string, message: string): InputError {
  return new InputError({ code: 'unreadable', file, line: 1, path: [], message });
}
