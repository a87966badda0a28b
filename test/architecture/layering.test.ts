import { describe, expect, it } from 'vitest';
import { layeringViolations, REPOSITORY_ROOT } from '../support/layering.js';

// The layering docs/architecture.md draws holds in the code: src/ never imports sim/ or the tests, each layer
// imports only itself and the layers below it, and there is no cycle and no orphan.
describe('the layering', () => {
  it('holds for src/ and sim/ (dependency-cruiser, .dependency-cruiser.cjs)', async () => {
    expect(await layeringViolations(REPOSITORY_ROOT)).toEqual([]);
  });
});
