import { describe, expect, it } from 'vitest';
import { parseGoDuration } from '../../../../src/pullmanager/strategies/_internal/go-duration.js';

/** The preconditions of the internal helpers that the spec parser never lets through. */

describe('internal helpers', () => {
  it('parseGoDuration refuses the empty string', () => {
    expect(parseGoDuration('')).toEqual({ ok: false, error: 'invalid duration "": empty' });
  });
});
