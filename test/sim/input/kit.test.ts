/**
 * The schema building blocks word their problems as pullsim always has (`expected …, got …`), locate them, and
 * never quote a value that may be a secret.
 */
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../sim/errors.js';
import { Issues } from '../../../sim/input/issues.js';
import {
  decimal,
  duration,
  fields,
  flag,
  integer,
  list,
  mapping,
  oneOf,
  text,
} from '../../../sim/input/kit.js';
import { TICKS_PER_MINUTE } from '../../../src/time.js';

function problems(schema: Parameters<Issues['parse']>[0], value: unknown, secret = false): string[] {
  const issues = new Issues({ file: 'k.yaml', lineOf: (path) => path.length + 1, isSecret: () => secret });
  issues.parse(schema, value, ['spec']);
  return issues.kept.map((issue) => `${issue.code} ${formatIssue(issue)}`);
}

describe('schema building blocks', () => {
  const shape = fields({
    name: text({ nonEmpty: true }),
    host: text({ pattern: /^[a-z.]+$/, hint: 'a host' }).optional(),
    count: integer(1, 5).optional(),
    rate: decimal(0, 1).optional(),
    on: flag().optional(),
    kind: oneOf(['a', 'b']).optional(),
    tags: list(text()).optional(),
    labels: mapping(text()).optional(),
    every: duration().optional(),
  });

  it('report every problem with its code, line and path', () => {
    expect(
      problems(shape, {
        host: 'UPPER',
        count: 9,
        rate: 'x',
        on: 'yes',
        kind: 'c',
        tags: [1],
        labels: { a: 2 },
        every: '5 minutes',
        extra: 1,
      }),
    ).toEqual([
      'unknown_field k.yaml:3: spec.extra: unknown field (expected one of: name, host, count, rate, on, kind, tags, labels, every)',
      'missing k.yaml:3: spec.name: required field is missing',
      'invalid_value k.yaml:3: spec.host: "UPPER" is not valid: expected a host',
      'invalid_value k.yaml:3: spec.count: expected an integer from 1 to 5, got 9',
      'invalid_type k.yaml:3: spec.rate: expected a number, got the string "x"',
      'invalid_type k.yaml:3: spec.on: expected true or false, got the string "yes"',
      'invalid_value k.yaml:3: spec.kind: expected one of a, b, got the string "c"',
      'invalid_type k.yaml:4: spec.tags[0]: expected a string, got number 1',
      'invalid_type k.yaml:4: spec.labels.a: expected a string, got number 2',
      expect.stringMatching(/^invalid_value k\.yaml:3: spec\.every: .*duration/),
    ]);
  });

  it('name only the kind of a value that may be a secret', () => {
    expect(problems(shape, { name: '', host: 'S3CRET!' }, true)).toEqual([
      'invalid_value k.yaml:3: spec.name: must not be empty',
      'invalid_value k.yaml:3: spec.host: the value is not valid: expected a host',
    ]);
    expect(problems(text(), 'hunter2', true)).toEqual([]);
    expect(problems(integer(0), 'hunter2', true)).toEqual([
      'invalid_type k.yaml:2: spec: expected an integer, got a string (the value is not shown)',
    ]);
  });

  it('accept good values and turn durations into ticks', () => {
    const issues = new Issues({ file: 'k.yaml' });
    expect(issues.parse(shape, { name: 'n', every: '1m', count: 2 }, [])).toEqual({
      name: 'n',
      every: TICKS_PER_MINUTE,
      count: 2,
    });
    expect(issues.parse(duration(), 0, [])).toBe(0);
    expect(issues.count).toBe(0);
  });
});
