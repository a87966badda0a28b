import type { Path } from '../errors.js';

/*
 * Which values of an input file may hold a secret, so that no message ever quotes them (docs/contract.md: secrets
 * never appear in clear, error messages included). The rule is deliberately wide: a value is secret-bearing when
 * its path passes through a field that holds credentials, or when it lies inside a manifest that is (or may be)
 * a Secret. Messages about such values name the kind of value, never the value.
 */

/** Fields whose values (and everything below them) may be credentials or docker configs. */
const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'users',
  'password',
  'credentials',
  'data',
  'stringData',
  'auth',
  'auths',
  'token',
  'identitytoken',
  'registrytoken',
  '.dockerconfigjson',
  '.dockercfg',
]);

/** Manifest kinds that never hold credentials; any other kind (or none) is treated as a possible Secret. */
const PLAIN_KINDS: ReadonlySet<unknown> = new Set(['Pod', 'Namespace', 'ServiceAccount']);

/** A predicate telling whether the value at a path of `root` may hold a secret. */
export function secretPaths(root: unknown): (path: Path) => boolean {
  return (path) => {
    if (path.some((segment) => typeof segment === 'string' && SECRET_FIELDS.has(segment))) return true;
    const manifest = manifestAt(root, path);
    return (
      manifest !== undefined && !PLAIN_KINDS.has(manifest.value.kind) && !PLAIN_FIELDS.has(manifest.field)
    );
  };
}

/** The fields of a manifest that describe it rather than carry its content. */
const PLAIN_FIELDS: ReadonlySet<unknown> = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * The manifest (under `spec.objects[i]` or `spec.timeline[i].apply`) that contains `path`, if any, and the
 * manifest's field that the path goes through.
 */
function manifestAt(root: unknown, path: Path): { value: { kind?: unknown }; field: unknown } | undefined {
  const depth =
    path[0] === 'spec' && path[1] === 'objects' && path.length >= 3
      ? 3
      : path[0] === 'spec' && path[1] === 'timeline' && path[3] === 'apply' && path.length >= 4
        ? 4
        : undefined;
  if (depth === undefined) return undefined;
  let value: unknown = root;
  for (const segment of path.slice(0, depth)) {
    if (value === null || typeof value !== 'object') return { value: {}, field: undefined };
    value = (value as Record<string | number, unknown>)[segment];
  }
  const manifest = value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
  return { value: manifest as { kind?: unknown }, field: path[depth] };
}
