import * as z from 'zod';
import type { Issues } from '../../input/issues.js';
import type { Frozen, Override } from '../../input/kit.js';
import { duration, fields, flag, integer, list, oneOf, text, VALUE } from '../../input/kit.js';
import { podKey } from './common.js';
import { MODES } from './modes.js';

/*
 * Expect lines: what must hold for a pod's container in the modes named (docs/scenario-format.md, "Expectations").
 */

const CHECKS = ['state', 'reason', 'violation', 'started', 'pulls'] as const;

export const pullsRangeSchema = fields({ min: integer(0).exactOptional(), max: integer(0).exactOptional() });

export const expectSchema = fields({
  pod: podKey(),
  container: text({ nonEmpty: true }).exactOptional(),
  modes: list(oneOf([...MODES, 'as-configured'])).exactOptional(),
  at: duration().exactOptional().meta({ description: 'when to check (default: the end of the run)' }),
  state: oneOf(['running', 'waiting', 'terminated']).exactOptional(),
  reason: z
    .union([text(), list(text({ nonEmpty: true }))], {
      error: `expected a string or a list of strings, got ${VALUE}`,
    })
    .exactOptional()
    .meta({ description: 'a reason, or a list of which the container may show any' }),
  violation: flag().exactOptional(),
  started: flag().exactOptional(),
  pulls: z
    .union([integer(0), pullsRangeSchema], {
      error: `expected an integer or {min, max}, got ${VALUE}`,
    })
    .exactOptional(),
}).meta({ description: 'An expectation about a container, checked after the run' });

/**
 * An expect line as `expectation` reads it: one reason is a list of one, a count of pulls is the range
 * `{ min: n, max: n }`; `line` is where the line is in the file, for messages.
 */
export type Expectation = Frozen<
  Override<
    z.output<typeof expectSchema>,
    { reason?: string[]; pulls?: z.output<typeof pullsRangeSchema> }
  > & { line?: number }
>;

export function readExpectations(issues: Issues, value: unknown, pods: ReadonlySet<string>): Expectation[] {
  if (value === undefined) return [];
  const out: Expectation[] = [];
  const items = issues.parse(list(z.unknown()), value, ['spec', 'expect']);
  items?.forEach((item, i) => {
    const path = ['spec', 'expect', i];
    const before = issues.count;
    const e = issues.parse(expectSchema, item, path);
    const raw = (item ?? {}) as Record<string, unknown>;
    if (e !== undefined) {
      if (!pods.has(e.pod))
        issues.add([...path, 'pod'], `no pod ${e.pod} is created by this scenario`, 'unknown_reference');
      // An empty list would match no reason at all: the line could never pass.
      if (Array.isArray(e.reason) && e.reason.length === 0)
        issues.add([...path, 'reason'], 'expected a reason or a non-empty list of reasons');
      if (typeof e.pulls === 'object' && e.pulls.min === undefined && e.pulls.max === undefined)
        issues.add([...path, 'pulls'], 'expected an integer or {min, max}');
    }
    // Whether the line checks anything is decided on the fields as written: an invalid value is reported once.
    if (typeof raw === 'object' && !Array.isArray(raw) && CHECKS.every((check) => raw[check] === undefined))
      issues.add(path, 'an expect line must check at least one of state, reason, violation, started, pulls');
    if (e === undefined || issues.count > before) return;
    out.push(expectation(e, issues.lineAt(path)));
  });
  return out;
}

function expectation(e: z.output<typeof expectSchema>, line: number | undefined): Expectation {
  const pulls =
    e.pulls === undefined
      ? undefined
      : typeof e.pulls === 'number'
        ? { min: e.pulls, max: e.pulls }
        : e.pulls;
  return {
    pod: e.pod,
    ...(line === undefined ? {} : { line }),
    ...(e.container === undefined ? {} : { container: e.container }),
    ...(e.modes === undefined ? {} : { modes: e.modes }),
    ...(e.at === undefined ? {} : { at: e.at }),
    ...(e.state === undefined ? {} : { state: e.state }),
    ...(e.reason === undefined ? {} : { reason: typeof e.reason === 'string' ? [e.reason] : e.reason }),
    ...(e.violation === undefined ? {} : { violation: e.violation }),
    ...(e.started === undefined ? {} : { started: e.started }),
    ...(pulls === undefined ? {} : { pulls }),
  };
}
