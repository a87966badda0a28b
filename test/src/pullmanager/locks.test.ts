import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fnv1Hash32,
  KubeletPanic,
  MAX_LOCK_STRIPES,
  STRIPE_MEMO_SIZE,
  StripedLockSet,
} from '../../../src/pullmanager/locks.js';
import { referenceFnv1 } from '../../support/fnv1.js';

describe('fnv1Hash32: FNV-1, not FNV-1a (locks.go)', () => {
  it.each([
    ['image-ref-0', '0xe18c734b'],
    ['image-ref-1', '0xe18c734a'],
    ['a', '0x050c5d7e'],
    ['', '0x811c9dc5'],
    ['test-image:latest', '0x4fdec58c'],
    ['docker.io/testing/test:latest', '0xe6769452'],
  ])('%j → %s (FNV-1 reference value)', (key, expected) => {
    expect(fnv1Hash32(key)).toBe(Number(expected));
  });

  it('agrees with the definition for any string (UTF-8 bytes)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (key) => fnv1Hash32(key) === referenceFnv1(key)),
      { numRuns: 300 },
    );
  });
});

describe('StripedLockSet after the fix #138937: stripes = clamp(size, 1, 31), index = fnv mod stripes', () => {
  it.each([
    [-1, 1],
    [0, 1],
    [1, 1],
    [10, 10],
    [31, 31],
    [32, 31],
    [500, 31],
  ])('size %i → %i stripes', (size, stripes) => {
    expect(new StripedLockSet(size).stripes).toBe(stripes);
  });

  it.each([
    ['image-ref-0', 31, 8],
    ['image-ref-1', 31, 7],
    ['a', 31, 13],
    ['', 31, 8],
    ['test-image:latest', 31, 14],
    ['docker.io/testing/test:latest', 31, 5],
    ['docker.io/testing/test:latest', 10, 8],
  ])('%j with %i stripes locks stripe %i (FNV-1 reference value)', (key, size, stripe) => {
    expect(new StripedLockSet(size).stripeOf(key)).toBe(stripe);
  });

  it('remembers stripes without changing them, also after the memo fills and is emptied', () => {
    const set = new StripedLockSet(31);
    const keys = Array.from(
      { length: STRIPE_MEMO_SIZE + 10 },
      (_, i) => `sha256:${i.toString(16).padStart(64, '0')}`,
    );
    for (const round of [1, 2]) {
      for (const key of keys)
        expect(set.stripeOf(key), `${key} round ${round}`).toBe(referenceFnv1(key) % 31);
    }
  });

  it('never panics, whatever the size', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 2000 }), fc.string(), (size, key) => {
        const set = new StripedLockSet(size);
        set.lock(key);
        return set.stripeOf(key) < MAX_LOCK_STRIPES;
      }),
      { numRuns: 300 },
    );
  });
});

describe('StripedLockSet before the fix (kubernetes/kubernetes#138935, v1.35.4)', () => {
  it('with 500 stripes requested, image-ref-0 (fnv mod 500 = 155) indexes past 31 locks and panics', () => {
    const set = new StripedLockSet(500, true);
    expect(() => set.lock('image-ref-0')).toThrow(KubeletPanic);
    expect(() => set.lock('image-ref-0')).toThrow(/index out of range \[155\] with length 31/);
  });

  it('a key panics exactly when fnv(key) mod the requested size is at least 31', () => {
    fc.assert(
      fc.property(fc.integer({ min: 32, max: 1000 }), fc.string(), (size, key) => {
        const set = new StripedLockSet(size, true);
        const index = referenceFnv1(key) % size;
        if (index >= MAX_LOCK_STRIPES) {
          expect(() => set.lock(key)).toThrow(KubeletPanic);
        } else {
          expect(set.stripeOf(key)).toBe(index);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('sizes up to 31 are unaffected: the unclamped modulus equals the clamped one', () => {
    const set = new StripedLockSet(10, true);
    expect(set.stripeOf('docker.io/testing/test:latest')).toBe(8);
  });

  it('the panic is an Error named KubeletPanic', () => {
    const panic = new KubeletPanic('boom');
    expect(panic).toBeInstanceOf(Error);
    expect(panic.name).toBe('KubeletPanic');
  });
});
