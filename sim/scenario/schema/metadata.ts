import * as z from 'zod';
import { fields, list, mapping, text } from '../../input/kit.js';
import type { ObjectMeta } from '../types.js';
import { DNS_LABEL, dnsLabel, dnsSubdomain } from './common.js';

/* Object metadata and local references, shared by every kind of manifest. */

/** Accepted and ignored (documented as such in the JSON Schema). */
export const ignored = () => z.unknown().exactOptional().meta({ description: 'accepted and ignored' });
export const ignoredFields = (names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, ignored()]));

function metadata(name: z.ZodType<string>, namespaced: boolean) {
  return fields({
    name,
    namespace: namespaced ? dnsLabel().exactOptional() : ignored(),
    uid: text({ nonEmpty: true }).exactOptional(),
    labels: mapping(text()).exactOptional(),
    annotations: mapping(text()).exactOptional(),
    ...ignoredFields([
      'generateName',
      'resourceVersion',
      'creationTimestamp',
      'ownerReferences',
      'finalizers',
      'managedFields',
      'generation',
      'selfLink',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
    ]),
  });
}

export const namespacedMeta = metadata(dnsSubdomain(), true);
export const namespaceMeta = metadata(
  text({ pattern: DNS_LABEL, hint: 'a DNS label (lower-case letters, digits, dashes; at most 63)' }),
  false,
);

export const localRefs = () => list(fields({ name: text().exactOptional() }));

/** The metadata pullsim keeps. */
export function meta(m: { name: string; namespace?: unknown; uid?: string }): ObjectMeta {
  return {
    name: m.name,
    ...(typeof m.namespace === 'string' ? { namespace: m.namespace } : {}),
    ...(m.uid === undefined ? {} : { uid: m.uid }),
  };
}

/** The kubelet skips an entry with an empty name; the API server accepts it. */
export function refs(list: readonly { name?: string }[]): { name: string }[] {
  return list.map((ref) => ({ name: ref.name ?? '' }));
}
