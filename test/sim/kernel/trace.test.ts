import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ticks } from '../../../sim/kernel/time.js';
import { encodeTraceRecord, Trace, type TraceRecord } from '../../../sim/kernel/trace.js';

describe('Trace', () => {
  it('hashes the JSON Lines text it would write', () => {
    const trace = new Trace();
    trace.append({ t: ticks(0), kind: 'start', z: 1, a: 'x' });
    trace.append({ t: ticks(5), kind: 'end' });
    const text = trace.toJsonLines();
    expect(text).toBe('{"a":"x","kind":"start","t":0,"z":1}\n{"kind":"end","t":5}\n');
    expect(trace.hash).toBe(`sha256:${createHash('sha256').update(text).digest('hex')}`);
    expect(trace.length).toBe(2);
    expect(trace.records()[1]).toEqual({ kind: 'end', t: 5 });
  });

  it('can keep growing after its hash is read, and an empty trace has the empty hash', () => {
    const trace = new Trace();
    expect(trace.hash).toBe(`sha256:${createHash('sha256').update('').digest('hex')}`);
    expect(trace.toJsonLines()).toBe('');
    trace.append({ t: ticks(1), kind: 'a' });
    const first = trace.hash;
    trace.append({ t: ticks(2), kind: 'b' });
    expect(trace.hash).not.toBe(first);
  });

  it('without keep, only the hash is available', () => {
    const kept = new Trace();
    const hashed = new Trace({ keep: false });
    for (const trace of [kept, hashed]) trace.append({ t: ticks(1), kind: 'x' });
    expect(hashed.hash).toBe(kept.hash);
    expect(() => hashed.toJsonLines()).toThrow(/keep: false/);
    expect(() => hashed.records()).toThrow(/keep: false/);
  });
});

describe('encodeTraceRecord', () => {
  /** The encoding it must give: top-level keys sorted, undefined members dropped, values as JSON.stringify gives. */
  const reference = (record: Record<string, unknown>): string =>
    `{${Object.keys(record)
      .sort()
      .filter((key) => record[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${JSON.stringify(record[key])}`)
      .join(',')}}`;

  it('sorts top-level keys whatever their insertion order, for records of one kind and many shapes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.dictionary(
            fc.constantFrom('a', 'b', 'zz', 'node', 'pod', '1', '10', 'é', 'x"y'),
            fc.oneof(fc.integer(), fc.string(), fc.constant(undefined), fc.array(fc.integer())),
          ),
          { maxLength: 20 },
        ),
        (records) => {
          for (const fields of records) {
            const record = { t: ticks(1), kind: 'shape-test', ...fields } as TraceRecord;
            expect(encodeTraceRecord(record)).toBe(reference(record));
          }
        },
      ),
    );
  });
});
