import * as z from 'zod';
import { IMAGE_MANAGER_METRIC_NAMES, MUST_PULL_CHECK_RESULTS } from '../../../src/pullmanager/metrics.js';
import type { Issues } from '../../input/issues.js';
import type { Frozen, Override } from '../../input/kit.js';
import { duration, fields, flag, integer, list, mapping, oneOf, text, VALUE } from '../../input/kit.js';
import { podKey } from './common.js';
import { MODES } from './modes.js';

/*
 * Expect lines: what must hold for a pod's container in the modes named (docs/scenario-format.md, "Expectations").
 */

const CHECKS = ['state', 'reason', 'violation', 'started', 'pulls'] as const;

export const pullsRangeSchema = fields({ min: integer(0).exactOptional(), max: integer(0).exactOptional() });

/** A pulled record the kubelet left on the node (docs/kubelet-model.md#record-files). */
export const recordCheckSchema = fields({
  image: text({ nonEmpty: true }).meta({
    description: 'the image whose record is looked up, by the kubelet key',
  }),
  exists: flag().exactOptional().meta({ description: 'false: no record maps the image (default true)' }),
  apiVersion: oneOf(['kubelet.config.k8s.io/v1alpha1', 'kubelet.config.k8s.io/v1beta1']).exactOptional(),
  sources: list(text({ nonEmpty: true }))
    .exactOptional()
    .meta({ description: 'exactly these credential sources: secret:NS/NAME, serviceAccount:NS/NAME, node' }),
}).meta({ description: 'A pulled-record file on the node at the end of the run' });

/** A pull-intent file the kubelet left on the node (docs/kubelet-model.md#record-files). */
export const intentCheckSchema = fields({
  image: text({ nonEmpty: true }).meta({
    description: 'the image string exactly as the pod wrote it (intents are keyed by the raw string)',
  }),
  exists: flag().exactOptional().meta({ description: 'false: no intent for the image (default true)' }),
  apiVersion: oneOf(['kubelet.config.k8s.io/v1alpha1', 'kubelet.config.k8s.io/v1beta1']).exactOptional(),
}).meta({ description: 'A pull-intent file on the node at the end of the run' });

/** One of the kubelet's image-manager metrics at the end of the run (docs/kubelet-model.md#metrics). */
export const metricCheckSchema = fields({
  name: oneOf(IMAGE_MANAGER_METRIC_NAMES).meta({ description: "one of the kubelet's image-manager metrics" }),
  result: oneOf(MUST_PULL_CHECK_RESULTS)
    .exactOptional()
    .meta({ description: 'the result label of kubelet_imagemanager_image_mustpull_checks_total' }),
  labels: mapping(text()).exactOptional().meta({
    description:
      'label values the series must carry, e.g. {pull_policy: ifnotpresent, present_locally: "true"}; the value is the sum over the matching series',
  }),
  value: integer(0),
}).meta({ description: "A series of the node's image-manager metrics at the end of the run" });

export const expectSchema = fields({
  pod: podKey().exactOptional(),
  node: text({ nonEmpty: true })
    .exactOptional()
    .meta({ description: 'the node of a record, intent or metric line' }),
  record: recordCheckSchema.exactOptional(),
  intent: intentCheckSchema.exactOptional(),
  metric: metricCheckSchema.exactOptional(),
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

export function readExpectations(
  issues: Issues,
  value: unknown,
  pods: ReadonlySet<string>,
  nodes: ReadonlySet<string>,
): Expectation[] {
  if (value === undefined) return [];
  const out: Expectation[] = [];
  const items = issues.parse(list(z.unknown()), value, ['spec', 'expect']);
  items?.forEach((item, i) => {
    const path = ['spec', 'expect', i];
    const before = issues.count;
    const e = issues.parse(expectSchema, item, path);
    const raw = (item ?? {}) as Record<string, unknown>;
    if (e !== undefined) {
      if (e.pod !== undefined && !pods.has(e.pod))
        issues.add([...path, 'pod'], `no pod ${e.pod} is created by this scenario`, 'unknown_reference');
      // An empty list would match no reason at all: the line could never pass.
      if (Array.isArray(e.reason) && e.reason.length === 0)
        issues.add([...path, 'reason'], 'expected a reason or a non-empty list of reasons');
      if (typeof e.pulls === 'object' && e.pulls.min === undefined && e.pulls.max === undefined)
        issues.add([...path, 'pulls'], 'expected an integer or {min, max}');
    }
    checkSubject(issues, path, raw, nodes);
    if (e === undefined || issues.count > before) return;
    out.push(expectation(e, issues.lineAt(path)));
  });
  return out;
}

/**
 * What a line is about, decided on the fields as written (an invalid value is reported once): a pod's container
 * (with at least one of state, reason, violation, started, pulls), a pulled record, a pull intent, or a metric — one
 * of them.
 */
function checkSubject(
  issues: Issues,
  path: (string | number)[],
  raw: unknown,
  nodes: ReadonlySet<string>,
): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return;
  const line = raw as Record<string, unknown>;
  const subjects = (['pod', 'record', 'intent', 'metric'] as const).filter((key) => line[key] !== undefined);
  if (subjects.length > 1) {
    issues.add(
      path,
      `an expect line checks one of pod, record, intent or metric, not ${subjects.join(' and ')}`,
    );
    return;
  }
  if (subjects[0] !== undefined && subjects[0] !== 'pod') {
    const extra = [...CHECKS, 'container', 'at'].filter((key) => line[key] !== undefined);
    if (extra.length > 0)
      issues.add(
        path,
        `${subjects[0] === 'intent' ? 'an' : 'a'} ${subjects[0]} line is checked at the end on its node: ${extra.join(', ')} does not apply`,
      );
    if (typeof line.node === 'string' && !nodes.has(line.node))
      issues.add([...path, 'node'], `no node ${line.node} in this scenario`, 'unknown_reference');
    return;
  }
  if (line.node !== undefined)
    issues.add([...path, 'node'], 'node applies to record, intent and metric lines only');
  if (CHECKS.every((check) => line[check] === undefined))
    issues.add(path, 'an expect line must check at least one of state, reason, violation, started, pulls');
  if (subjects.length === 0) issues.add([...path, 'pod'], 'required field is missing', 'missing');
}

function expectation(e: z.output<typeof expectSchema>, line: number | undefined): Expectation {
  const pulls =
    e.pulls === undefined
      ? undefined
      : typeof e.pulls === 'number'
        ? { min: e.pulls, max: e.pulls }
        : e.pulls;
  return {
    ...(e.pod === undefined ? {} : { pod: e.pod }),
    ...(e.node === undefined ? {} : { node: e.node }),
    ...(e.record === undefined ? {} : { record: e.record }),
    ...(e.intent === undefined ? {} : { intent: e.intent }),
    ...(e.metric === undefined ? {} : { metric: e.metric }),
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
