import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import * as z from 'zod';

/*
 * The Kubernetes manifests of docs/k8s/ (a sharded campaign as an Indexed Job, and its merge step) parse as the
 * objects they claim to be, fit together (volumes, claim, labels), call the CLI where the Containerfile puts it, and
 * are what docs/campaigns.md shows. Their shell scripts are run here too, with the paths pointed at this checkout,
 * for each completion index of a smaller campaign: the merged report must be the unsharded campaign's.
 */

const ROOT = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const MANIFESTS = ['docs/k8s/campaign-base.yaml', 'docs/k8s/fuzz-job.yaml', 'docs/k8s/merge-job.yaml'];
const CLI_IN_IMAGE = '/opt/pullsim/dist/sim/cli.js';

/*
 * The parts of the Kubernetes API these manifests use (batch/v1 Job, v1 PersistentVolumeClaim,
 * networking.k8s.io/v1 NetworkPolicy), with the fields a campaign depends on required.
 */
const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
const metadata = z.object({ name });
const labels = z.record(z.string(), z.string());
const container = z.object({
  name,
  image: z.string().regex(/^[\w.-]+(:\d+)?\/[\w./-]+:[\w.-]+$/),
  command: z.tuple([z.literal('/bin/sh'), z.literal('-c')]),
  args: z.tuple([z.string()]),
  volumeMounts: z.array(z.object({ name, mountPath: z.string().startsWith('/') })).min(1),
});
const jobSchema = z.object({
  apiVersion: z.literal('batch/v1'),
  kind: z.literal('Job'),
  metadata,
  spec: z.object({
    completionMode: z.enum(['Indexed', 'NonIndexed']).optional(),
    completions: z.int().positive(),
    parallelism: z.int().positive().optional(),
    backoffLimit: z.int().min(0),
    template: z.object({
      metadata: z.object({ labels }),
      spec: z.object({
        restartPolicy: z.literal('Never'),
        containers: z.tuple([container]),
        volumes: z.array(z.object({ name, persistentVolumeClaim: z.object({ claimName: name }) })).min(1),
      }),
    }),
  }),
});
const claimSchema = z.object({
  apiVersion: z.literal('v1'),
  kind: z.literal('PersistentVolumeClaim'),
  metadata,
  spec: z.object({
    accessModes: z
      .array(z.enum(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']))
      .min(1),
    resources: z.object({ requests: z.object({ storage: z.string() }) }),
  }),
});
const policySchema = z.object({
  apiVersion: z.literal('networking.k8s.io/v1'),
  kind: z.literal('NetworkPolicy'),
  metadata,
  spec: z.object({
    podSelector: z.object({ matchLabels: labels }),
    policyTypes: z.array(z.enum(['Ingress', 'Egress'])),
    ingress: z.array(z.unknown()).optional(),
    egress: z.array(z.unknown()).optional(),
  }),
});
const manifestSchema = z.discriminatedUnion('kind', [jobSchema, claimSchema, policySchema]);
type Manifest = z.output<typeof manifestSchema>;
type Job = z.output<typeof jobSchema>;

/** Every object of a manifest file, each checked against its kind's schema; fails on a YAML or schema error. */
function objects(path: string): Manifest[] {
  return parseAllDocuments(read(path)).map((doc) => {
    expect(doc.errors, `${path}: ${doc.errors.map((e) => e.message).join('; ')}`).toEqual([]);
    const parsed = manifestSchema.safeParse(doc.toJS());
    expect(parsed.error?.issues ?? [], path).toEqual([]);
    return parsed.data as Manifest;
  });
}

const all = MANIFESTS.flatMap(objects);
const jobs = all.filter((o): o is Job => o.kind === 'Job');
const claims = all.filter((o) => o.kind === 'PersistentVolumeClaim');
const policies = all.filter((o) => o.kind === 'NetworkPolicy');
const job = (jobName: string): Job => {
  const found = jobs.find((j) => j.metadata.name === jobName);
  if (found === undefined) throw new Error(`no Job ${jobName}`);
  return found;
};
const script = (j: Job): string => j.spec.template.spec.containers[0].args[0];

describe('docs/k8s manifests', () => {
  it('are Kubernetes objects of known kinds and API versions, with the fields a campaign needs', () => {
    expect(all.map((o) => `${o.apiVersion} ${o.kind}`).sort()).toEqual([
      'batch/v1 Job',
      'batch/v1 Job',
      'networking.k8s.io/v1 NetworkPolicy',
      'v1 PersistentVolumeClaim',
    ]);
    // And the schema refuses what is not such an object.
    expect(
      manifestSchema.safeParse({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'x' } }).success,
    ).toBe(false);
  });

  it('the campaign is an Indexed Job whose shard count is its completions, run from the image', () => {
    const { spec } = job('pullsim-campaign');
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.parallelism).toBeDefined();
    const text = script(job('pullsim-campaign'));
    expect(text).toContain(`--shard $((JOB_COMPLETION_INDEX + 1))/${spec.completions} `);
    expect(text).toContain(`node ${CLI_IN_IMAGE} fuzz `);
    expect(text).toContain('--json');
    expect(text).not.toMatch(/\bnpm\b|\bnpx\b/);
  });

  it('both Jobs run one image, mount the claim the base file declares, and are selected by its no-network policy', () => {
    const [claim] = claims;
    const [policy] = policies;
    expect(policy?.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect([...(policy?.spec.ingress ?? []), ...(policy?.spec.egress ?? [])]).toEqual([]);
    for (const j of jobs) {
      const pod = j.spec.template.spec;
      expect(j.spec.template.metadata.labels).toMatchObject(policy?.spec.podSelector.matchLabels ?? {});
      const volumes = new Map(pod.volumes.map((v) => [v.name, v.persistentVolumeClaim.claimName]));
      for (const mount of pod.containers[0].volumeMounts) {
        expect(volumes.get(mount.name)).toBe(claim?.metadata.name);
        expect(script(j)).toContain(`${mount.mountPath}/`);
      }
    }
    expect(new Set(jobs.map((j) => j.spec.template.spec.containers[0].image)).size).toBe(1);
    expect(script(job('pullsim-campaign-merge'))).toContain(
      `node ${CLI_IN_IMAGE} fuzz --merge /results/shard-*.json`,
    );
  });

  it('call the CLI where the Containerfile installs it, an image with production dependencies only', () => {
    const containerfile = read('Containerfile');
    expect(containerfile).toContain(`ENTRYPOINT ["node", "${CLI_IN_IMAGE}"]`);
    expect(containerfile).toMatch(/^FROM node:20-slim AS build$/m);
    expect(containerfile).toContain('RUN npm ci --omit=dev --ignore-scripts');
    expect(containerfile).toContain('COPY --from=build /src/dist ./dist');
    // The build context lets in what the stages copy, and nothing else.
    expect(read('.dockerignore')).toMatch(/^\*\n(?:!.+\n)+$/m);
  });

  it('are what docs/campaigns.md shows, file by file', () => {
    const doc = read('docs/campaigns.md');
    for (const path of MANIFESTS) {
      const marker = doc.indexOf(`<!-- ${path} -->`);
      expect(marker, `docs/campaigns.md has no <!-- ${path} --> block`).toBeGreaterThan(0);
      const block = /```yaml\n([\s\S]*?)```/.exec(doc.slice(marker))?.[1];
      expect(block).toBe(read(path));
    }
  });
});

describe('the Jobs’ scripts, run here for each index of a smaller campaign', () => {
  const cli = join(ROOT, 'dist/sim/cli.js');
  const results = mkdtempSync(join(tmpdir(), 'pullsim-k8s-'));
  afterAll(() => rmSync(results, { recursive: true, force: true }));
  const RUNS = 16;
  /** The script as it runs in this checkout: the CLI of dist/, the results in a temporary directory. */
  const local = (text: string) =>
    text
      .replaceAll(CLI_IN_IMAGE, cli)
      .replaceAll('/results', results)
      .replace('--runs 160000', `--runs ${RUNS}`)
      .replace('--workers 2', '--workers 1');
  const sh = (text: string, env: Record<string, string> = {}) =>
    execFileSync('/bin/sh', ['-c', text], { env: { ...process.env, ...env }, encoding: 'utf8' });

  it.runIf(existsSync(cli))(
    'shard reports merge into the unsharded campaign report',
    { timeout: 120_000 },
    () => {
      // Four shards instead of the Job's sixteen, to keep the test short: the script is the same for any count.
      const campaign = job('pullsim-campaign');
      const SHARDS = 4;
      const fuzz = local(script(campaign)).replace(`/${campaign.spec.completions} `, `/${SHARDS} `);
      expect(fuzz).toContain(`--runs ${RUNS} `);
      expect(fuzz).toContain(`--shard $((JOB_COMPLETION_INDEX + 1))/${SHARDS} `);
      for (let index = 0; index < SHARDS; index++) sh(fuzz, { JOB_COMPLETION_INDEX: String(index) });
      expect(readdirSync(results).filter((f) => f.endsWith('.partial'))).toEqual([]);
      const log = sh(local(script(job('pullsim-campaign-merge'))));
      const whole = sh(`node ${cli} fuzz --seed 2535 --runs ${RUNS} --workers 1 --json`);
      expect(readFileSync(join(results, 'campaign.json'), 'utf8')).toBe(whole);
      expect(log).toBe(sh(`node ${cli} fuzz --seed 2535 --runs ${RUNS} --workers 1`));
    },
  );
});
