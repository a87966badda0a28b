import { describe, expect, it } from 'vitest';
import { knipReport, layeringViolations, REPOSITORY_ROOT } from '../support/layering.js';

// The layering docs/architecture.md draws holds in the code: src/ never imports sim/ or the tests, each layer
// imports only itself and the layers below it, there is no cycle and no orphan, and no file, export or
// dependency goes unused.
describe('the layering', () => {
  it('holds for src/ and sim/ (dependency-cruiser, .dependency-cruiser.cjs)', async () => {
    expect(await layeringViolations(REPOSITORY_ROOT)).toEqual([]);
  });

  it('leaves no unused file, export or dependency (knip, knip.jsonc)', () => {
    const { status, output } = knipReport();
    expect(status, output).toBe(0);
  });
});
