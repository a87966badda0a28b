import type * as z from 'zod';
import { VERIFICATION_POLICIES } from '../../../src/pullmanager/policy.js';
import type { Frozen } from '../../input/kit.js';
import { duration, fields, integer, list, literal, oneOf, text } from '../../input/kit.js';
import { DIGEST_HINT, digest, POD_KEY, TAG, TAG_HINT } from './common.js';

/*
 * The timeline's actions: what happens to the world at a moment (docs/scenario-format.md, "Actions"). Each is a
 * step `{ at, action: <name>, …fields }`.
 */

const name = () => text({ nonEmpty: true });
const at = () => duration().meta({ description: 'when the step happens (virtual time from the start)' });

function action<const N extends string, S extends z.core.$ZodLooseShape>(
  actionName: N,
  shape: S,
  about: string,
) {
  return fields({ at: at(), action: literal(actionName), ...shape }).meta({ description: about });
}

const FAULTS = ['readError', 'writeError', 'enospc', 'crashBeforeRename', 'corrupt'] as const;

/** Every action, by name (the order is the documentation's). */
export const ACTIONS = {
  restartKubelet: action(
    'restartKubelet',
    { node: name(), downtime: duration().exactOptional() },
    'Stops and starts the kubelet; state in memory is lost',
  ),
  crashKubelet: action(
    'crashKubelet',
    { node: name(), downtime: duration().exactOptional() },
    'Kills the kubelet mid-operation (writes in flight are torn)',
  ),
  registryDown: action('registryDown', { host: name() }, 'The registry stops answering'),
  registryUp: action('registryUp', { host: name() }, 'The registry answers again'),
  revokePuller: action(
    'revokePuller',
    { host: name(), repository: name(), username: name() },
    'Removes a user from a repository access list',
  ),
  grantPuller: action(
    'grantPuller',
    { host: name(), repository: name(), username: name() },
    'Adds a user to a repository access list',
  ),
  changePassword: action(
    'changePassword',
    { host: name(), username: name(), password: name() },
    "Changes a registry user's password",
  ),
  retag: action(
    'retag',
    {
      host: name(),
      repository: name(),
      tag: text({ pattern: TAG, hint: TAG_HINT }),
      digest: digest().meta({ description: DIGEST_HINT }),
      sizeBytes: integer(1).exactOptional(),
    },
    'Points a tag at another digest',
  ),
  removeImage: action(
    'removeImage',
    { node: name(), image: name() },
    'Removes an image from the node runtime',
  ),
  imageGC: action('imageGC', { node: name() }, 'Runs the image garbage collector now'),
  deleteRecords: action('deleteRecords', { node: name() }, "Deletes the kubelet's image_manager directory"),
  setPolicy: action(
    'setPolicy',
    { node: name(), policy: oneOf(VERIFICATION_POLICIES), allowlist: list(text()).exactOptional() },
    "Changes the kubelet's verification policy (and allowlist), then restarts it",
  ),
  restartContainer: action(
    'restartContainer',
    { pod: text({ pattern: POD_KEY, hint: 'namespace/name' }), container: name().exactOptional() },
    'Restarts a container (or every container) of a pod',
  ),
  fsFault: action(
    'fsFault',
    {
      node: name(),
      fault: oneOf(FAULTS),
      count: integer(1, 1_000_000).exactOptional(),
      path: name().exactOptional().meta({ description: 'pulled, pulling or a path under image_manager/' }),
    },
    'Injects filesystem faults into the next operations on kubelet files',
  ),
} as const;

/** A timeline action: the output of its schema without the step's `at`. */
export type Action = {
  [K in keyof typeof ACTIONS]: Frozen<Omit<z.output<(typeof ACTIONS)[K]>, 'at'>>;
}[keyof typeof ACTIONS];

/** A filesystem fault the `fsFault` action injects. */
export type FsFaultKind = z.output<(typeof ACTIONS)['fsFault']>['fault'];

export type ActionName = keyof typeof ACTIONS;
export const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];

export function isActionName(value: unknown): value is ActionName {
  return typeof value === 'string' && Object.hasOwn(ACTIONS, value);
}

type FieldLists = { readonly required: readonly string[]; readonly optional: readonly string[] };

/** An action's own fields (besides `at` and `action`), required ones first. */
function fieldLists(actionName: ActionName): FieldLists {
  const shape = ACTIONS[actionName].shape as Record<string, z.ZodType>;
  const own = Object.keys(shape).filter((key) => key !== 'at' && key !== 'action');
  const isOptional = (key: string) => (shape[key] as z.ZodType)._zod.optin === 'optional';
  return { required: own.filter((key) => !isOptional(key)), optional: own.filter(isOptional) };
}

/** Each action's fields: the format reference is checked against it. */
export const ACTION_FIELDS = Object.fromEntries(
  ACTION_NAMES.map((actionName) => [actionName, fieldLists(actionName)]),
) as unknown as Readonly<Record<ActionName, FieldLists>>;
