/**
 * Issues are data until the edge: each carries a code a program can branch on and a path of keys and indices;
 * the text is made, capped and cut only when printed.
 */
import { describe, expect, it } from 'vitest';
import {
  formatIssue,
  formatIssues,
  InputError,
  type InputIssue,
  MAX_LISTED_ISSUES,
} from '../../sim/errors.js';
import { parseScenario } from '../../sim/scenario/load.js';
import { scenarioText } from '../support/cli-harness.js';

function codesOf(spec: string): [string, string][] {
  try {
    parseScenario(scenarioText('x', spec), 'c.yaml');
  } catch (error) {
    if (error instanceof InputError)
      return error.issues.map(({ file: _file, ...i }) => [i.code, formatIssue(i)]);
    throw error;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('input issues', () => {
  it('carry a code for each kind of problem', () => {
    const codes = codesOf(
      [
        'seed: x',
        'bogus: 1',
        'kubelet: { version: "1.35", maxParallelImagePulls: 3 }',
        'registries: [{ host: r.io }, { host: r.io }]',
        'nodes: [{ name: n1 }]',
        'objects: [{ apiVersion: v1, kind: Pod, metadata: { name: p }, spec: { nodeName: n9, containers: [{ name: c }] } }]',
      ].join('\n'),
    );
    expect(codes).toEqual(
      expect.arrayContaining([
        ['invalid_type', 'spec.seed: expected an integer, got the string "x"'],
        ['unknown_field', expect.stringMatching(/^spec\.bogus: unknown field/)],
        [
          'invalid_configuration',
          expect.stringMatching(/^spec\.kubelet\.maxParallelImagePulls: invalid configuration/),
        ],
        ['duplicate', 'spec.registries[1].host: duplicate registry host r.io'],
        [
          'unknown_reference',
          expect.stringMatching(/^spec\.objects\[0\]\.spec\.nodeName: unknown node "n9"/),
        ],
        ['missing', 'spec.objects[0].spec.containers[0].image: required field is missing'],
      ]),
    );
  });

  it('are listed up to a cap, then counted', () => {
    const issues: InputIssue[] = Array.from({ length: MAX_LISTED_ISSUES + 5 }, (_, i) => ({
      code: 'unknown_field',
      file: 'f.yaml',
      line: i + 1,
      path: ['spec', `k${i}`],
      message: 'unknown field',
    }));
    const lines = formatIssues(issues, 10);
    expect(lines).toHaveLength(MAX_LISTED_ISSUES + 1);
    expect(lines.at(-1)).toBe('f.yaml: and 15 more problems');
    expect(formatIssues(issues.slice(0, 2))).toEqual([
      'f.yaml:1: spec.k0: unknown field',
      'f.yaml:2: spec.k1: unknown field',
    ]);
  });

  it('cut long keys and lines instead of echoing them', () => {
    const line = formatIssue({
      code: 'unknown_field',
      path: ['spec', 'k'.repeat(10_000)],
      message: 'm'.repeat(10_000),
    });
    expect(line.length).toBeLessThanOrEqual(490);
    expect(line).toMatch(/^spec\["k{57}\.\.\."\]: m+\.\.\.$/);
    expect(formatIssue({ code: 'invalid_option', path: ['--strategies'], message: 'bad' })).toBe(
      '--strategies: bad',
    );
  });
});
