import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../sim/kernel/random.js';
import { FS_SYSCALLS, type FsSyscall, SimFileSystem } from '../../../sim/world/filesystem.js';
import { type FsErrorCode, isFsError } from '../../../src/ports.js';
import { ticks } from '../../../src/time.js';

/**
 * `openAppend` of the simulated filesystem: O_APPEND|O_CREATE is one `open`, every write of the handle one
 * `write`, close one `close` (as Go's os.OpenFile / File.Write / File.Close on Linux); faults hit the writes.
 */

const KUBELET = '/var/lib/kubelet';
const DIR = `${KUBELET}/image_manager`;
const LOG = `${DIR}/journal.log`;

function kubeletFs(options: ConstructorParameters<typeof SimFileSystem>[0] = {}): SimFileSystem {
  const fs = new SimFileSystem({ countUnder: KUBELET, ...options });
  fs.mkdirAll(DIR);
  fs.resetCounters();
  fs.takePendingLatency();
  return fs;
}

function nonZeroSyscalls(fs: SimFileSystem): Partial<Record<FsSyscall, number>> {
  const out: Partial<Record<FsSyscall, number>> = {};
  for (const name of FS_SYSCALLS) if (fs.syscalls[name] !== 0) out[name] = fs.syscalls[name];
  return out;
}

function codeOf(fn: () => unknown): FsErrorCode {
  try {
    fn();
  } catch (error) {
    if (isFsError(error)) return error.code;
    throw error;
  }
  throw new Error('expected an FsError');
}

const contentOf = (fs: SimFileSystem, path: string) => fs.snapshotFiles('/')[path.slice(1)];

describe('SimFileSystem.openAppend', () => {
  it('creates the file on open and appends each write at its end', () => {
    const fs = kubeletFs();
    const handle = fs.openAppend(LOG);
    expect(fs.exists(LOG)).toBe(true);
    expect(contentOf(fs, LOG)).toBe('');
    handle.write('a\n');
    handle.write('bé\n');
    handle.close();
    expect(contentOf(fs, LOG)).toBe('a\nbé\n');
    expect(fs.stat(LOG).sizeBytes).toBe(6);
  });

  it('appends to an existing file', () => {
    const fs = kubeletFs();
    fs.writeFile(LOG, 'old\n');
    const handle = fs.openAppend(LOG);
    handle.write('new\n');
    expect(contentOf(fs, LOG)).toBe('old\nnew\n');
  });

  it('costs one open, one write per write and one close; only the writes are I/O operations', () => {
    const fs = kubeletFs();
    const handle = fs.openAppend(LOG);
    expect(nonZeroSyscalls(fs)).toEqual({ open: 1 });
    expect(fs.io.ops).toBe(0);
    handle.write('line one\n');
    handle.write('line two\n');
    expect(nonZeroSyscalls(fs)).toEqual({ open: 1, write: 2 });
    handle.close();
    expect(nonZeroSyscalls(fs)).toEqual({ open: 1, write: 2, close: 1 });
    const totals = fs.ioTotals();
    expect(totals).toMatchObject({ ops: 2, writes: 2, bytesWritten: 18, reads: 0 });
    expect(totals.syscalls.total).toBe(4);
  });

  it('charges latency per system call', () => {
    const fs = kubeletFs({ latency: { open: ticks(10), write: ticks(25), close: ticks(2) } });
    const handle = fs.openAppend(LOG);
    handle.write('x');
    handle.write('y');
    handle.close();
    expect(fs.takePendingLatency()).toBe(10 + 25 + 25 + 2);
  });

  it('does not count files outside the counted directory', () => {
    const fs = kubeletFs();
    fs.mkdirAll('/tmp');
    const handle = fs.openAppend('/tmp/other.log');
    handle.write('x');
    handle.close();
    expect(fs.ioTotals().syscalls.total).toBe(0);
    expect(fs.io.bytesWritten).toBe(0);
  });

  it('fails the open with ENOENT, ENOTDIR or EISDIR as Linux does', () => {
    const fs = kubeletFs();
    expect(codeOf(() => fs.openAppend(`${DIR}/missing/journal.log`))).toBe('ENOENT');
    fs.writeFile(`${DIR}/file`, 'x');
    fs.resetCounters();
    expect(codeOf(() => fs.openAppend(`${DIR}/file/journal.log`))).toBe('ENOTDIR');
    expect(codeOf(() => fs.openAppend(DIR))).toBe('EISDIR');
    expect(() => fs.openAppend(`${DIR}/missing/journal.log`)).toThrow(
      `open ${DIR}/missing/journal.log: no such file or directory`,
    );
    expect(nonZeroSyscalls(fs)).toEqual({ open: 3 });
  });

  it('keeps writing to the file it opened after a rename over its path or a removal', () => {
    const fs = kubeletFs();
    const handle = fs.openAppend(LOG);
    handle.write('before\n');
    fs.writeFile(`${LOG}.tmp`, 'compacted\n');
    fs.rename(`${LOG}.tmp`, LOG);
    handle.write('lost\n');
    expect(contentOf(fs, LOG)).toBe('compacted\n');
    const second = fs.openAppend(LOG);
    fs.remove(LOG);
    second.write('also lost\n');
    expect(fs.exists(LOG)).toBe(false);
  });

  it('treats writing to or closing a closed handle as a programmer error', () => {
    const fs = kubeletFs();
    const handle = fs.openAppend(LOG);
    handle.close();
    expect(() => handle.write('x')).toThrow('closed append handle');
    expect(() => handle.close()).toThrow('closed append handle');
    expect(fs.syscalls.write).toBe(0);
    expect(fs.syscalls.close).toBe(1);
  });
});

describe('faults on appends', () => {
  it('writeError fails the write with EIO and appends nothing', () => {
    const fs = kubeletFs();
    const handle = fs.openAppend(LOG);
    handle.write('kept\n');
    fs.armFault({ kind: 'writeError', pathPrefix: DIR });
    expect(codeOf(() => handle.write('failed\n'))).toBe('EIO');
    expect(() => handle.write('next\n')).not.toThrow();
    expect(contentOf(fs, LOG)).toBe('kept\nnext\n');
    expect(fs.faultsInjected.writeError).toBe(1);
    expect(fs.io).toMatchObject({ writes: 3, bytesWritten: 10 });
    expect(fs.syscalls.write).toBe(3);
  });

  it('enospc fails the write with ENOSPC and appends nothing', () => {
    const fs = kubeletFs();
    const handle = fs.openAppend(LOG);
    fs.armFault({ kind: 'enospc' });
    expect(() => handle.write('x\n')).toThrow(`write ${LOG}: no space left on device`);
    expect(contentOf(fs, LOG)).toBe('');
    expect(fs.faultsInjected.enospc).toBe(1);
  });

  it('corrupt appends a torn prefix and reports success', () => {
    const fs = kubeletFs();
    const handle = fs.openAppend(LOG);
    handle.write('{"a":1}\n');
    fs.armFault({ kind: 'corrupt' });
    handle.write('{"image":"nginx"}\n');
    const content = contentOf(fs, LOG) as string;
    expect(content.startsWith('{"a":1}\n')).toBe(true);
    const torn = content.slice('{"a":1}\n'.length);
    expect('{"image":"nginx"}\n'.startsWith(torn)).toBe(true);
    expect(torn.length).toBeLessThan('{"image":"nginx"}'.length);
    expect(fs.faultsInjected.corrupt).toBe(1);
    expect(fs.io.bytesWritten).toBe(8 + 18);
    expect(fs.stat(LOG).sizeBytes).toBe(content.length);
  });

  it('faults armed under another path do not hit the append', () => {
    const fs = kubeletFs();
    const handle = fs.openAppend(LOG);
    fs.armFault({ kind: 'writeError', pathPrefix: `${KUBELET}/other` });
    handle.write('x');
    expect(fs.armedFaults()).toEqual([{ kind: 'writeError', count: 1, pathPrefix: `${KUBELET}/other` }]);
  });

  it('fault rates draw once per write from the faults stream, reproducibly', () => {
    const run = () => {
      const fs = kubeletFs();
      fs.setFaultRates({ writeError: 0.3, corrupt: 0.3 }, new SeededRandom(7).stream('faults'));
      const handle = fs.openAppend(LOG);
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i++) {
        try {
          handle.write(`line ${i}\n`);
          outcomes.push('ok');
        } catch (error) {
          outcomes.push(isFsError(error) ? error.code : 'other');
        }
      }
      return { outcomes, content: contentOf(fs, LOG), injected: { ...fs.faultsInjected } };
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(first.outcomes).toContain('EIO');
    expect(first.injected.corrupt).toBeGreaterThan(0);
  });
});
