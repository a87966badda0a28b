import * as z from 'zod';
import { parseAllowlist } from '../../../src/pullmanager/policy.js';
import { formatDuration, type Ticks, ticks } from '../../../src/time.js';
import type { Path } from '../../errors.js';
import type { Issues } from '../../input/issues.js';
import type { Frozen, Override } from '../../input/kit.js';
import { duration, fields, list } from '../../input/kit.js';
import { ACTION_NAMES, ACTIONS, type Action, isActionName } from './actions.js';
import { isRelativePath } from './common.js';
import {
  deleteSchema,
  type Manifest,
  type ManifestContext,
  manifestSchema,
  readManifest,
} from './manifests.js';
import type { RegistrySpec } from './registry.js';

/** A step of the timeline: apply a manifest, delete an object, or an action (the JSON Schema's view). */
export const stepSchema = z
  .union([
    fields({ at: duration(), apply: manifestSchema }),
    fields({ at: duration(), delete: deleteSchema }),
    ...ACTION_NAMES.map((name) => ACTIONS[name]),
  ])
  .meta({ description: 'A timeline step: { at, apply }, { at, delete } or { at, action, …fields }' });

/** What steps may refer to: declared nodes and registries, and the node actions default to. */
export interface TimelineContext extends ManifestContext {
  readonly registries: ReadonlyMap<string, RegistrySpec>;
  readonly defaultNode: string | undefined;
}

const applyStep = fields({ at: duration(), apply: z.unknown() });
const deleteStep = fields({ at: duration(), delete: deleteSchema });
const KINDS = ['apply', 'delete', 'action'] as const;

/** A step as the world takes it: the manifest read as `readManifest` keeps it, an action's fields nested. */
export type TimelineStep = Frozen<
  | Override<z.output<typeof applyStep>, { apply: Manifest }>
  | z.output<typeof deleteStep>
  | { at: Ticks; action: Action }
>;

export function readTimeline(issues: Issues, value: unknown, context: TimelineContext): TimelineStep[] {
  if (value === undefined) return [];
  const out: TimelineStep[] = [];
  if (issues.parse(list(z.unknown()), value, ['spec', 'timeline']) === undefined) return out;
  let previous = 0;
  (value as unknown[]).forEach((item, i) => {
    const path = ['spec', 'timeline', i];
    const step = readStep(issues, item, path, context);
    if (step === undefined) return;
    if (step.at < previous)
      issues.add(
        [...path, 'at'],
        `steps must be in time order (${formatDuration(step.at)} is before the previous step's ${formatDuration(ticks(previous))})`,
      );
    previous = step.at;
    out.push(step);
  });
  return out;
}

function readStep(
  issues: Issues,
  item: unknown,
  path: Path,
  context: TimelineContext,
): TimelineStep | undefined {
  if (issues.parse(fields({}).loose(), item, path) === undefined) return undefined;
  const step = item as Record<string, unknown>;
  const kinds = KINDS.filter((kind) => step[kind] !== undefined);
  if (kinds.length !== 1) {
    issues.parse(fields({ at: duration() }).loose(), item, path);
    issues.add(
      path,
      kinds.length === 0
        ? 'expected one of apply, delete or action'
        : `expected exactly one of apply, delete or action, got ${kinds.join(' and ')}`,
    );
    return undefined;
  }
  if (kinds[0] === 'apply') {
    const parsed = issues.parse(applyStep, item, path);
    const manifest = readManifest(issues, step.apply, [...path, 'apply'], context);
    return parsed === undefined || manifest === undefined ? undefined : { at: parsed.at, apply: manifest };
  }
  if (kinds[0] === 'delete') {
    const parsed = issues.parse(deleteStep, item, path);
    if (parsed === undefined) return undefined;
    const { kind, name, namespace } = parsed.delete;
    return { at: parsed.at, delete: { kind, name, ...(namespace === undefined ? {} : { namespace }) } };
  }
  return readAction(issues, step, path, context);
}

function readAction(
  issues: Issues,
  step: Record<string, unknown>,
  path: Path,
  context: TimelineContext,
): TimelineStep | undefined {
  const name = step.action;
  // Own keys only: `toString` or `constructor` are not actions.
  if (!isActionName(name)) {
    issues.parse(fields({ at: duration() }).loose(), step, path);
    return issues.add(
      [...path, 'action'],
      `unknown action ${JSON.stringify(name)} (expected one of: ${ACTION_NAMES.join(', ')})`,
    );
  }
  const schema = ACTIONS[name];
  const withNode =
    'node' in schema.shape && step.node === undefined && context.defaultNode !== undefined
      ? { ...step, node: context.defaultNode }
      : step;
  const before = issues.count;
  const parsed = issues.parse(schema, withNode, path, { missing: `required field of ${name} is missing` });
  if (parsed === undefined) return undefined;
  const { at, ...action } = parsed as { at: TimelineStep['at'] } & Record<string, unknown>;
  checkReferences(issues, action as Action, path, context);
  return issues.count === before ? { at, action: action as Action } : undefined;
}

/** The names an action uses exist: node, registry, repository, user; and its values make sense together. */
function checkReferences(issues: Issues, action: Action, path: Path, context: TimelineContext): void {
  const a = action as Partial<Record<string, unknown>> & Action;
  if (typeof a.node === 'string' && !context.nodes.has(a.node))
    issues.add(
      [...path, 'node'],
      `unknown node ${JSON.stringify(a.node)} (declared: ${[...context.nodes].join(', ') || 'none'})`,
      'unknown_reference',
    );
  const host = typeof a.host === 'string' ? a.host : undefined;
  const registry = host === undefined ? undefined : context.registries.get(host);
  if (host !== undefined && registry === undefined)
    issues.add(
      [...path, 'host'],
      `unknown registry ${JSON.stringify(host)} (declared: ${[...context.registries.keys()].join(', ') || 'none'})`,
      'unknown_reference',
    );
  if (
    typeof a.repository === 'string' &&
    registry !== undefined &&
    !registry.repositories.some((r) => r.name === a.repository)
  )
    issues.add(
      [...path, 'repository'],
      `unknown repository ${JSON.stringify(a.repository)} in registry ${host}`,
      'unknown_reference',
    );
  if (
    typeof a.username === 'string' &&
    registry !== undefined &&
    !registry.users.some((u) => u.username === a.username)
  ) {
    // A service account has a token, not a password: only a declared user's password can change.
    if (!a.username.startsWith('system:serviceaccount:') || a.action === 'changePassword')
      issues.add(
        [...path, 'username'],
        `unknown user ${JSON.stringify(a.username)} in registry ${host}`,
        'unknown_reference',
      );
  }
  if (a.action === 'setPolicy' && a.allowlist !== undefined) checkAllowlist(issues, a, path);
  if (a.action === 'fsFault' && a.path !== undefined && !isRelativePath(a.path))
    issues.add([...path, 'path'], 'expected pulled, pulling or another relative path under image_manager/');
}

function checkAllowlist(issues: Issues, a: Extract<Action, { action: 'setPolicy' }>, path: Path): void {
  const allowlist = a.allowlist ?? [];
  const parsed = parseAllowlist(allowlist);
  if (!parsed.ok)
    for (const error of parsed.errors)
      issues.add([...path, 'allowlist', error.index], `invalid image pattern: ${error.error}`);
  if (allowlist.length > 0 && a.policy !== 'NeverVerifyAllowlistedImages')
    issues.add(
      [...path, 'allowlist'],
      'invalid configuration: can\'t set `preloadedImagesVerificationAllowlist` if `imagePullCredentialsVertificationPolicy` is not "NeverVerifyAllowlistedImages"',
      'invalid_configuration',
    );
}
