import { describe, expect, it } from 'vitest';
import { kubeletProfile } from '../../../../src/profiles.js';
import { openPullRecordsStore } from '../../../../src/pullmanager/accessor.js';
import { parseGoDuration } from '../../../../src/pullmanager/strategies/_internal/go-duration.js';
import { UncappedCachedPullRecordsAccessor } from '../../../../src/pullmanager/strategies/_internal/uncapped-cached-accessor.js';
import { MemoryFileSystem } from '../../../support/memory-fs.js';

/** The preconditions of the internal helpers that the spec parser never lets through. */

describe('internal helpers', () => {
  it('parseGoDuration refuses the empty string', () => {
    expect(parseGoDuration('')).toEqual({ ok: false, error: 'invalid duration "": empty' });
  });

  it('the uncapped cache refuses sizes below 1 (the kubelet would divide by zero)', () => {
    const files = openPullRecordsStore(
      new MemoryFileSystem(),
      '/var/lib/kubelet',
      kubeletProfile('1.33'),
    ).accessor;
    expect(() => new UncappedCachedPullRecordsAccessor(files, 0, 1)).toThrow(RangeError);
    expect(() => new UncappedCachedPullRecordsAccessor(files, 1, 1.5)).toThrow(
      'cache size must be ≥ 1, got 1.5',
    );
  });
});
