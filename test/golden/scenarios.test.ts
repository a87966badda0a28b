import { describe, expect, it } from 'vitest';
import { golden, scenarioGolden } from './golden.js';

/*
 * Every bundled scenario in every mode gives the result and trace it gave when the golden file was written. A
 * change here is either a bug or a deliberate fidelity fix, whose commit updates the file and names the kubelet
 * behaviour (npm run golden:update).
 */
describe('golden results: scenarios', () => {
  it('every bundled scenario, in as-configured and the six modes, gives its recorded result and trace hash', () => {
    const actual = scenarioGolden();
    const expected = golden('scenarios.json', actual) as typeof actual;
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    for (const [file, modes] of Object.entries(expected)) expect(actual[file], file).toEqual(modes);
  });
});
