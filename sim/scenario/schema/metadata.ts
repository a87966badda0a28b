import * as z from 'zod';
import type { Defaulted, Frozen } from '../../input/kit.js';
import { fields, list, mapping, text } from '../../input/kit.js';
import { DNS_LABEL, dnsLabel, dnsSubdomain } from './common.js';

/* Object metadata and local references, shared by every kind of manifest. */

/** Accepted and ignored (documented as such in the JSON Schema). */
export const ignored = () => z.unknown().exactOptional().meta({ description: 'accepted and ignored' });
export const ignoredFields = (names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, ignored()]));

/** A manifest's fields that pullsim models: a schema's output without those accepted and ignored (`unknown`). */
export type Modelled<T> = { [K in keyof T as unknown extends T[K] ? never : K]: T[K] };

function metadata<N extends z.ZodType<string>, S extends z.ZodType>(name: N, namespace: S) {
  return fields({
    name,
    namespace,
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

export const namespacedMeta = metadata(dnsSubdomain(), dnsLabel().exactOptional());
export const namespaceMeta = metadata(
  text({ pattern: DNS_LABEL, hint: 'a DNS label (lower-case letters, digits, dashes; at most 63)' }),
  ignored(),
);

const localRef = fields({ name: text().exactOptional() });
export const localRefs = () => list(localRef);

/** An object's metadata: the fields of the schema that pullsim models. */
export type ObjectMeta = Frozen<Modelled<z.output<typeof namespacedMeta>>>;

/** A reference by name, as `refs` fills it in. */
export type LocalObjectReference = Frozen<Defaulted<z.output<typeof localRef>, 'name'>>;

/** A manifest as the world takes it: the fields its schema models, with the metadata pullsim keeps. */
export type ManifestOf<S extends z.ZodType> = Frozen<
  Omit<Modelled<z.output<S>>, 'metadata'> & { metadata: ObjectMeta }
>;

/** The metadata pullsim keeps. */
export function meta(m: { name: string; namespace?: unknown; uid?: string }): ObjectMeta {
  return {
    name: m.name,
    ...(typeof m.namespace === 'string' ? { namespace: m.namespace } : {}),
    ...(m.uid === undefined ? {} : { uid: m.uid }),
  };
}

/** The kubelet skips an entry with an empty name; the API server accepts it. */
export function refs(list: readonly { name?: string }[]): LocalObjectReference[] {
  return list.map((ref) => ({ name: ref.name ?? '' }));
}
