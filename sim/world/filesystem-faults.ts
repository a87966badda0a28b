/**
 * Fault injection for the simulated filesystem: scripted faults armed for the next matching operations, and
 * per-operation fault rates drawn from the run's seeded `faults` stream. The filesystem asks at each faultable
 * step (a read, a write, a directory creation, a rename of a `.tmp` file) whether a fault fires there.
 */
import type { RandomStream } from '../kernel/random.js';
import { normalizePath, under } from './filesystem-paths.js';

/** The kinds of fault the filesystem can inject. */
export type FsFaultKind = 'readError' | 'writeError' | 'enospc' | 'crashBeforeRename' | 'corrupt';

/** Every fault kind, in a fixed order. */
const FS_FAULT_KINDS: readonly FsFaultKind[] = [
  'readError',
  'writeError',
  'enospc',
  'crashBeforeRename',
  'corrupt',
];

/** A scripted fault: the next `count` (default 1) matching operations under `pathPrefix` (default all) fail. */
export interface FsFaultSpec {
  readonly kind: FsFaultKind;
  readonly count?: number;
  readonly pathPrefix?: string;
}

/** Per-operation fault probabilities for `setFaultRates` (0 or absent: never, and nothing is drawn). */
export interface FsFaultRates {
  readonly readError?: number;
  readonly writeError?: number;
  readonly enospc?: number;
  readonly corrupt?: number;
}

/**
 * Thrown by `rename` when a `crashBeforeRename` fault fires: the kubelet process dies between writing `<name>.tmp`
 * and renaming it, so the temporary file stays and the final file is unchanged. The node catches it as a crash.
 */
export class SimulatedCrash extends Error {
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`simulated kubelet crash before rename ${from} ${to}`);
    this.name = 'SimulatedCrash';
  }
}

/** The fault a write step suffers, if any. */
export type WriteFault = 'writeError' | 'enospc' | 'corrupt' | undefined;

interface ArmedFault {
  readonly kind: FsFaultKind;
  remaining: number;
  readonly prefix: string | undefined;
}

type RatedFault = 'readError' | 'writeError' | 'enospc' | 'corrupt';

/**
 * The armed faults and fault rates of one filesystem, and the count of faults injected. `active` is false while
 * nothing is armed and every rate is zero, so the filesystem skips the fault look-ups on its no-fault fast path.
 */
export class FsFaultInjector {
  /** Faults injected so far, by kind (never zeroed). */
  readonly injected: Record<FsFaultKind, number> = {
    readError: 0,
    writeError: 0,
    enospc: 0,
    corrupt: 0,
    crashBeforeRename: 0,
  };
  /** Whether any fault can fire: some armed, or some rate non-zero. */
  active = false;
  #armed: ArmedFault[] = [];
  #rates: Required<FsFaultRates> = { readError: 0, writeError: 0, enospc: 0, corrupt: 0 };
  #ratesPrefix: string | undefined;
  #stream: RandomStream | undefined;

  /** `stream` chooses how an armed `corrupt` fault damages content until `setRates` gives another. */
  constructor(stream: RandomStream | undefined) {
    this.#stream = stream;
  }

  /** Arms a scripted fault (see `SimFileSystem.armFault`). */
  arm(fault: FsFaultSpec): void {
    const { kind, count = 1, pathPrefix } = fault;
    if (!FS_FAULT_KINDS.includes(kind)) throw new RangeError(`armFault: unknown fault kind ${String(kind)}`);
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new RangeError(`armFault: count must be a positive integer, got ${count}`);
    }
    this.#armed.push({
      kind,
      remaining: count,
      prefix: pathPrefix === undefined ? undefined : normalizePath(pathPrefix),
    });
    this.active = true;
  }

  /** The armed faults not yet used up, in arming order. */
  armed(): FsFaultSpec[] {
    return this.#armed.map(({ kind, remaining, prefix }) =>
      prefix === undefined ? { kind, count: remaining } : { kind, count: remaining, pathPrefix: prefix },
    );
  }

  /** Replaces the fault rates (see `SimFileSystem.setFaultRates`). */
  setRates(rates: FsFaultRates, stream: RandomStream, pathPrefix: string | undefined): void {
    const next = { readError: 0, writeError: 0, enospc: 0, corrupt: 0 };
    for (const key of Object.keys(next) as (keyof FsFaultRates)[]) {
      const rate = rates[key] ?? 0;
      if (!(rate >= 0 && rate <= 1))
        throw new RangeError(`setFaultRates: ${key} must be in [0, 1], got ${rate}`);
      next[key] = rate;
    }
    this.#rates = next;
    this.#ratesPrefix = pathPrefix === undefined ? undefined : normalizePath(pathPrefix);
    this.#stream = stream;
    this.#refreshActive();
  }

  /** Whether the read of existing file `p` fails (`readError`). */
  read(p: string): boolean {
    return this.#takeArmed('readError', p) || this.#drawRate('readError', p);
  }

  /** The fault the write of `p` suffers: the first armed write fault that matches, else the rates in order. */
  write(p: string): WriteFault {
    const armed = this.#armed;
    for (let i = 0; i < armed.length; i++) {
      const fault = armed[i] as ArmedFault;
      if (fault.kind === 'enospc' || fault.kind === 'writeError' || fault.kind === 'corrupt') {
        if (!under(p, fault.prefix)) continue;
        fault.remaining--;
        if (fault.remaining === 0) this.#disarm(i);
        this.injected[fault.kind]++;
        return fault.kind;
      }
    }
    if (this.#drawRate('enospc', p)) return 'enospc';
    if (this.#drawRate('writeError', p)) return 'writeError';
    if (this.#drawRate('corrupt', p)) return 'corrupt';
    return undefined;
  }

  /** Whether creating directories for `p` fails with ENOSPC. */
  mkdir(p: string): boolean {
    return this.#takeArmed('enospc', p) || this.#drawRate('enospc', p);
  }

  /** Whether the kubelet crashes before renaming `.tmp` file `p` (armed faults only). */
  crashBeforeRename(p: string): boolean {
    return this.#takeArmed('crashBeforeRename', p);
  }

  /**
   * A torn write: the content cut before its last non-whitespace character, at a length drawn from the faults
   * stream (half-way without a stream). A JSON document never survives the cut, so the kubelet sees a decode
   * error rather than a plausible but different record.
   */
  corrupt(data: string): string {
    const meaningful = data.trimEnd().length;
    if (meaningful <= 1) return '';
    const stream = this.#stream;
    let cut = stream === undefined ? meaningful >> 1 : stream.int(0, meaningful - 1);
    // Never split a surrogate pair: the stored content must stay a well-formed string.
    const last = data.charCodeAt(cut - 1);
    if (cut > 0 && last >= 0xd800 && last <= 0xdbff) cut--;
    return data.slice(0, cut);
  }

  #disarm(index: number): void {
    this.#armed.splice(index, 1);
    this.#refreshActive();
  }

  #refreshActive(): void {
    const r = this.#rates;
    this.active =
      this.#armed.length > 0 || r.readError > 0 || r.writeError > 0 || r.enospc > 0 || r.corrupt > 0;
  }

  #takeArmed(kind: FsFaultKind, p: string): boolean {
    const armed = this.#armed;
    for (let i = 0; i < armed.length; i++) {
      const fault = armed[i] as ArmedFault;
      if (fault.kind !== kind || !under(p, fault.prefix)) continue;
      fault.remaining--;
      if (fault.remaining === 0) this.#disarm(i);
      this.injected[kind]++;
      return true;
    }
    return false;
  }

  /** Whether the rate of `kind` fires for this operation; draws only when the rate is non-zero. */
  #drawRate(kind: RatedFault, p: string): boolean {
    const rate = this.#rates[kind];
    if (rate === 0 || !under(p, this.#ratesPrefix)) return false;
    const stream = this.#stream as RandomStream;
    if (!stream.chance(rate)) return false;
    this.injected[kind]++;
    return true;
  }
}
