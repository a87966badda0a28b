import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/load.js';
import { scenarioToYaml } from '../../../sim/scenario/serialize.js';
import type { Scenario } from '../../../sim/scenario/types.js';

const root = join(import.meta.dirname, '../../..');

/** Expect lines remember their source line; everything else must survive the round trip. */
function withoutLines(scenario: Scenario): Scenario {
  return { ...scenario, expect: scenario.expect.map(({ line: _line, ...rest }) => rest) };
}

describe('scenarioToYaml', () => {
  it('writes a file that loads back to the same scenario', () => {
    const scenario = parseScenario(
      readFileSync(join(root, 'scenarios/cross-tenant-reuse.yaml'), 'utf8'),
      'x.yaml',
    );
    const text = scenarioToYaml(scenario, 'generated\nby a test');
    expect(text.startsWith('# generated\n# by a test\n')).toBe(true);
    expect(withoutLines(parseScenario(text, 'y.yaml'))).toEqual(withoutLines(scenario));
  });

  it.each(['init-containers-in-order', 'sidecar-beside-main'])(
    'writes init containers and sidecars back apart from the containers (%s)',
    (name) => {
      const scenario = parseScenario(readFileSync(join(root, `scenarios/${name}.yaml`), 'utf8'), 'x.yaml');
      const text = scenarioToYaml(scenario);
      expect(text).toMatch(/initContainers:/);
      expect(text).not.toMatch(/role:/);
      expect(withoutLines(parseScenario(text, 'y.yaml'))).toEqual(withoutLines(scenario));
    },
  );
});
