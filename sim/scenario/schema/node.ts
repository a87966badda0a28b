import * as z from 'zod';
import { decodeDockerConfig } from '../../../src/credentials/index.js';
import type { DockerConfig, DockerConfigEntry } from '../../../src/ports.js';
import { parseNormalizedNamed } from '../../../src/reference/index.js';
import { TICKS_PER_MINUTE, ticks } from '../../../src/time.js';
import type { Path } from '../../errors.js';
import type { Issues } from '../../input/issues.js';
import type { Defaulted, Frozen, Override } from '../../input/kit.js';
import {
  asList,
  asMapping,
  decimal,
  duration,
  fields,
  integer,
  list,
  mapping,
  oneOf,
  peek,
  text,
  VALUE,
} from '../../input/kit.js';
import { DNS_SUBDOMAIN, digest, isRelativePath } from './common.js';
import type { RegistrySpec } from './registry.js';

export const imageSchema = fields({ ref: text({ nonEmpty: true }), id: digest().exactOptional() });
export type PreloadedImageSpec = Frozen<z.output<typeof imageSchema>>;

const preloadedImage = z
  .union([text({ nonEmpty: true }), imageSchema], {
    error: `expected an image reference or a mapping { ref, id }, got ${VALUE}`,
  })
  .meta({ description: 'An image on the node at t=0: its reference, or { ref, id }' });

const dockerConfigEntry = fields({
  username: text().exactOptional(),
  password: text().exactOptional(),
  email: text().exactOptional(),
  auth: text().exactOptional(),
});

export const imageGCSchema = fields({
  capacityBytes: integer(1),
  highThresholdPercent: integer(0, 100).exactOptional().meta({ description: 'default 85' }),
  lowThresholdPercent: integer(0, 100).exactOptional().meta({ description: 'default 80' }),
  period: duration().exactOptional().meta({ description: 'default 5m' }),
});

export const fsFaultsSchema = fields({
  readError: decimal(0, 1).exactOptional(),
  writeError: decimal(0, 1).exactOptional(),
  enospc: decimal(0, 1).exactOptional(),
  corrupt: decimal(0, 1).exactOptional(),
});

export const nodeSchema = fields({
  name: text({ pattern: DNS_SUBDOMAIN, hint: 'a DNS subdomain name such as node-1' }),
  images: list(preloadedImage).exactOptional(),
  credentials: fields({ auths: mapping(dockerConfigEntry).exactOptional() })
    .exactOptional()
    .meta({ description: 'Node-wide docker config (/var/lib/kubelet/config.json)' }),
  imageManagerFiles: mapping(text())
    .exactOptional()
    .meta({ description: 'Files under <kubelet root>/image_manager at t=0: relative path → exact content' }),
  imageGC: imageGCSchema.exactOptional(),
  device: oneOf(['none', 'ssd', 'hdd', 'network']).exactOptional(),
  fsFaults: fsFaultsSchema.exactOptional(),
}).meta({ description: 'A node: its preloaded images, credentials, kubelet files, GC policy and device' });

type ParsedNode = z.output<typeof nodeSchema>;

/** The GC policy with the kubelet's defaults filled in (thresholds 85 and 80, a check every 5m). */
export type ImageGcPolicySpec = Frozen<
  Defaulted<z.output<typeof imageGCSchema>, 'highThresholdPercent' | 'lowThresholdPercent' | 'period'>
>;

/**
 * A node as the world takes it: preloaded images as `{ ref, id }`, the docker config (`/var/lib/kubelet/config.json`
 * `auths`) decoded, the files under `<kubelet root>/image_manager` at t=0 (relative path → exact content).
 */
export type NodeSpec = Frozen<
  Override<
    Defaulted<ParsedNode, 'imageManagerFiles'>,
    { images: PreloadedImageSpec[]; credentials?: DockerConfig; imageGC?: ImageGcPolicySpec }
  >
>;

/** The nodes (one `node-1` when the file declares none); with problems, the names that could be read. */
export function readNodes(issues: Issues, value: unknown, registries: readonly RegistrySpec[]): NodeSpec[] {
  if (value === undefined) return [{ name: 'node-1', images: [], imageManagerFiles: {} }];
  const items = issues.items(nodeSchema, value, ['spec', 'nodes']);
  if (items === undefined) return [];
  if (items.length === 0) issues.add(['spec', 'nodes'], 'at least one node is required');
  const names = new Set<string>();
  return items.flatMap((node, i) => {
    const path = ['spec', 'nodes', i];
    const raw = asMapping(asList(value)[i]);
    const name = peek(nodeSchema.shape.name, raw.name);
    if (name !== undefined && names.has(name))
      issues.add([...path, 'name'], `duplicate node ${name}`, 'duplicate');
    if (name !== undefined) names.add(name);
    const checked = checkNode(issues, raw, path, registries);
    // A node with problems still counts as declared, so that references to it are not reported as well.
    if (node === undefined) return name === undefined ? [] : [{ name, images: [], imageManagerFiles: {} }];
    return [buildNode(node, checked)];
  });
}

/** The checks of one node that span its fields, on every value valid on its own; the images and credentials. */
function checkNode(
  issues: Issues,
  raw: Readonly<Record<string, unknown>>,
  path: Path,
  registries: readonly RegistrySpec[],
): { images: PreloadedImageSpec[]; credentials?: DockerConfig } {
  const images: PreloadedImageSpec[] = [];
  asList(raw.images).forEach((item, j) => {
    const image = peek(preloadedImage, item);
    if (image === undefined) return;
    const ip = [...path, 'images', j];
    const spec = typeof image === 'string' ? { ref: image } : image;
    const where =
      typeof image === 'string' ? { ref: ip, id: ip } : { ref: [...ip, 'ref'], id: [...ip, 'id'] };
    if (checkPreloadedImage(issues, spec, where, registries)) images.push(spec);
  });
  checkFilePaths(issues, Object.keys(asMapping(raw.imageManagerFiles)), [...path, 'imageManagerFiles']);
  const gc = asMapping(raw.imageGC);
  const high =
    gc.highThresholdPercent === undefined
      ? 85
      : peek(imageGCSchema.shape.highThresholdPercent, gc.highThresholdPercent);
  const low =
    gc.lowThresholdPercent === undefined
      ? 80
      : peek(imageGCSchema.shape.lowThresholdPercent, gc.lowThresholdPercent);
  if (raw.imageGC !== undefined && high !== undefined && low !== undefined && low > high)
    issues.add(
      [...path, 'imageGC', 'lowThresholdPercent'],
      `LowThresholdPercent ${low} can not be higher than HighThresholdPercent ${high}`,
    );
  if (peek(imageGCSchema.shape.period, gc.period) === 0)
    issues.add([...path, 'imageGC', 'period'], 'must be greater than 0');
  const credentials = asMapping(raw.credentials);
  return raw.credentials === undefined
    ? { images }
    : {
        images,
        credentials: readCredentials(issues, asMapping(credentials.auths), [...path, 'credentials']),
      };
}

/** A valid node as the world takes it, with the GC policy's defaults filled in. */
function buildNode(
  node: ParsedNode,
  checked: { images: PreloadedImageSpec[]; credentials?: DockerConfig },
): NodeSpec {
  const gc = node.imageGC;
  return {
    name: node.name,
    images: checked.images,
    imageManagerFiles: node.imageManagerFiles ?? {},
    ...(checked.credentials === undefined ? {} : { credentials: checked.credentials }),
    ...(gc === undefined
      ? {}
      : {
          imageGC: {
            capacityBytes: gc.capacityBytes,
            highThresholdPercent: gc.highThresholdPercent ?? 85,
            lowThresholdPercent: gc.lowThresholdPercent ?? 80,
            period: gc.period ?? ticks(5 * TICKS_PER_MINUTE),
          },
        }),
    ...(node.device === undefined ? {} : { device: node.device }),
    ...(node.fsFaults === undefined ? {} : { fsFaults: node.fsFaults }),
  };
}

/** Every key is a relative path, and no file is also the directory of another. */
function checkFilePaths(issues: Issues, keys: readonly string[], path: Path): void {
  const sorted = [...keys].sort();
  for (const key of keys) {
    if (!isRelativePath(key)) {
      issues.add(
        [...path, key],
        'expected a relative path under image_manager/, such as pulled/sha256-<hex>',
      );
      continue;
    }
    // In sorted order, the files under `key/` (if any) come right after the keys that share its prefix.
    const child = firstWithPrefix(sorted, `${key}/`);
    if (child !== undefined)
      issues.add([...path, key], `is a file, but ${JSON.stringify(child)} needs it to be a directory`);
  }
}

/** The first key of a sorted list that starts with `prefix` (binary search: linear overall in the number of files). */
function firstWithPrefix(sorted: readonly string[], prefix: string): string | undefined {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as string) < prefix) low = mid + 1;
    else high = mid;
  }
  const found = sorted[low];
  return found?.startsWith(prefix) ? found : undefined;
}

/**
 * The node's docker config, `{"auths": {...}}`; each entry decoded on its own so that the issue names the entry
 * (the kubelet would skip the whole file).
 */
function readCredentials(issues: Issues, auths: Readonly<Record<string, unknown>>, path: Path): DockerConfig {
  const entries: Record<string, DockerConfigEntry> = {};
  for (const [registry, value] of Object.entries(auths)) {
    const entry = peek(dockerConfigEntry, value);
    if (entry === undefined) continue;
    const out = Object.fromEntries(
      (['username', 'password', 'email', 'auth'] as const).flatMap((key) =>
        entry[key] === undefined ? [] : [[key, entry[key]]],
      ),
    ) as DockerConfigEntry;
    entries[registry] = out;
    const decoded = decodeDockerConfig({ [registry]: out });
    if (!decoded.ok)
      issues.add(
        [...path, 'auths', registry, ...(out.auth === undefined ? [] : ['auth'])],
        `invalid docker config: ${decoded.error}`,
      );
  }
  return entries;
}

/**
 * Checks a preloaded image as the runtime loads it (containerd's ParseDockerRef, then the registry): the reference
 * must parse; a given id must agree with the reference's digest and with the registry where the reference resolves
 * there; without an id, the reference must resolve (docs/contract.md §2). Returns whether the image is valid.
 */
function checkPreloadedImage(
  issues: Issues,
  image: PreloadedImageSpec,
  where: { readonly ref: Path; readonly id: Path },
  registries: readonly RegistrySpec[],
): boolean {
  const parsed = parseNormalizedNamed(image.ref);
  if (!parsed.ok) return issues.add(where.ref, `invalid image reference: ${parsed.error}`) ?? false;
  const { domain, path, digest, tag = 'latest' } = parsed.value;
  if (image.id !== undefined && digest !== undefined && image.id !== digest)
    return issues.add(where.id, `${image.id} differs from the digest of the reference ${image.ref}`) ?? false;
  const repository = registries
    .find((registry) => registry.host === domain)
    ?.repositories.find((repo) => repo.name === path);
  const resolved =
    digest === undefined
      ? repository?.tags[tag]?.digest
      : Object.values(repository?.tags ?? {}).find((target) => target.digest === digest)?.digest;
  if (resolved !== undefined && image.id !== undefined && resolved !== image.id)
    return (
      issues.add(where.id, `${image.id} differs from the registry's digest ${resolved} for ${image.ref}`) ??
      false
    );
  if (resolved === undefined && image.id === undefined && digest === undefined) {
    return (
      issues.add(
        where.ref,
        `${image.ref} does not resolve through the declared registries (no such registry, repository or tag); declare it, or give the image's id`,
      ) ?? false
    );
  }
  return true;
}
