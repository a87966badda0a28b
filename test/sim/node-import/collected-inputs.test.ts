import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { importNode } from '../../../sim/node-import/index.js';
import { runCli, useTempDir } from '../../support/cli-harness.js';
import { copySnapshot, SNAPSHOT } from './snapshot-copy.js';

/*
 * The collected directory's pieces one by one: the image_manager/ archive forms, missing pieces (a note each, never
 * a stop), bad files (every problem with its file, line and path, exit 2), the kubelet version and configuration
 * forms, and the collect script.
 */

const temp = useTempDir('pullsim-collected-');

/** A tar of the fixture's image_manager/ (entries `image_manager/…`, as `tar -C /var/lib/kubelet` writes them). */
async function imageManagerTar(): Promise<Buffer> {
  const archive = pack();
  const root = join(SNAPSHOT, 'image_manager');
  archive.entry({ name: 'image_manager/', type: 'directory' });
  for (const dir of ['pulled', 'pulling']) {
    archive.entry({ name: `image_manager/${dir}/`, type: 'directory' });
    for (const name of readdirSync(join(root, dir)).sort())
      archive.entry({ name: `image_manager/${dir}/${name}` }, readFileSync(join(root, dir, name)));
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The fixture with image_manager/ replaced by `name` holding `bytes`. */
function withArchive(name: string, bytes: Buffer): string {
  const dir = copySnapshot(temp.dir, name.replace(/\W/g, '-'));
  rmSync(join(dir, 'image_manager'), { recursive: true });
  writeFileSync(join(dir, name), bytes);
  return dir;
}

describe('image_manager/ as an archive', () => {
  it('a .tar.gz and a .tar import exactly as the directory does', async () => {
    const fromDirectory = (await importNode(SNAPSHOT)).scenario;
    const tar = await imageManagerTar();
    for (const [name, bytes] of [
      ['image_manager.tar.gz', gzipSync(tar)],
      ['image_manager.tar', tar],
    ] as const) {
      const imported = await importNode(withArchive(name, bytes));
      expect(imported.scenario, name).toEqual(fromDirectory);
    }
  });

  it('a broken archive is bad input, exit 2', async () => {
    const gz = await runCli([
      'import',
      withArchive('image_manager.tar.gz', Buffer.from([0x1f, 0x8b, 1, 2, 3])),
    ]);
    expect(gz.code).toBe(2);
    expect(gz.stderr).toMatch(/image_manager\.tar\.gz:1: not a readable gzip file/);
    const tar = await runCli(['import', withArchive('image_manager.tar', Buffer.alloc(700, 7))]);
    expect(tar.code).toBe(2);
    expect(tar.stderr).toMatch(/image_manager\.tar:1: not a readable tar archive/);
  });
});

describe('missing pieces degrade, they do not stop', () => {
  it('an empty directory gives an empty node and one note per missing piece', async () => {
    const dir = join(temp.dir, 'empty');
    mkdirSync(dir);
    const imported = await importNode(dir);
    expect(imported.scenario.objects).toEqual([]);
    expect(imported.scenario.nodes.map((n) => n.name)).toEqual(['node-1']);
    expect(imported.scenario.kubelet.version).toBe('1.36');
    expect(imported.notes.map((n) => n.about)).toEqual([
      'image_manager',
      'images.json',
      'objects.yaml',
      'configz.json',
      'node.yaml',
      'node.yaml',
    ]);
    expect(imported.yaml).toMatch(
      /# - image_manager: no image_manager\/ .*every image on the node counts as preloaded/,
    );
  });

  it('without a node object the node is the one the pods run on, and the version comes from kubelet-version', async () => {
    const dir = copySnapshot(temp.dir, 'no-node');
    rmSync(join(dir, 'node.yaml'));
    const objects = readFileSync(join(dir, 'objects.yaml'), 'utf8').replace(
      'nodeName: node-b',
      'nodeName: node-a',
    );
    writeFileSync(join(dir, 'objects.yaml'), objects.replace(/^kind: List$/m, 'kind: List'));
    writeFileSync(join(dir, 'kubelet-version'), 'v1.34.2\n');
    const imported = await importNode(dir);
    expect(imported.scenario.nodes[0]?.name).toBe('node-a');
    expect(imported.scenario.kubelet.version).toBe('1.34');
    expect(imported.notes.some((n) => n.message.startsWith('no node object; the node is node-a'))).toBe(true);
  });

  it('a version without a profile of its own takes the nearest one, with a note', async () => {
    for (const [version, profile] of [
      ['v1.32.9', '1.33'],
      ['v1.40.0-eks-1a2b3c', '1.36'],
    ] as const) {
      const dir = copySnapshot(temp.dir, `version-${profile}`);
      rmSync(join(dir, 'node.yaml'));
      writeFileSync(join(dir, 'kubelet-version'), version);
      const imported = await importNode(dir);
      expect(imported.scenario.kubelet.version).toBe(profile);
      expect(imported.notes.some((n) => n.message.startsWith(`kubelet ${version} has no profile`))).toBe(
        true,
      );
    }
  });

  it('a config.json the kubelet cannot read gives the node no credentials, as on the node, and says so', async () => {
    const dir = copySnapshot(temp.dir, 'bad-config');
    writeFileSync(join(dir, 'config.json'), '{"auths": {"registry.example.com": {"auth": "%%%"}}}');
    const imported = await importNode(dir);
    expect(imported.scenario.nodes[0]?.credentials).toBeUndefined();
    expect(imported.notes).toContainEqual({
      about: 'config.json',
      message:
        'the kubelet cannot read this docker config (an entry the kubelet cannot decode), so the node has no node-wide credentials',
    });
  });

  it('a KubeletConfiguration file stands in for configz', async () => {
    const dir = copySnapshot(temp.dir, 'config-file');
    rmSync(join(dir, 'configz.json'));
    writeFileSync(
      join(dir, 'kubelet-config.yaml'),
      [
        'apiVersion: kubelet.config.k8s.io/v1beta1',
        'kind: KubeletConfiguration',
        'imagePullCredentialsVerificationPolicy: NeverVerifyAllowlistedImages',
        'preloadedImagesVerificationAllowlist: ["registry.k8s.io/*"]',
        'serializeImagePulls: false',
        'maxParallelImagePulls: 3',
        '',
      ].join('\n'),
    );
    const { kubelet } = (await importNode(dir)).scenario;
    expect(kubelet.imagePullCredentialsVerificationPolicy).toBe('NeverVerifyAllowlistedImages');
    expect(kubelet.preloadedImagesVerificationAllowlist).toEqual(['registry.k8s.io/*']);
    expect([kubelet.serializeImagePulls, kubelet.maxParallelImagePulls]).toEqual([false, 3]);
  });
});

describe('bad files are bad input: every problem, with file, line and path; exit 2', () => {
  it('a file that is not what the tool prints', async () => {
    const dir = copySnapshot(temp.dir, 'bad-files');
    writeFileSync(join(dir, 'images.json'), '{"images": [{"repoTags": ["a:b"], "size": true}]}');
    writeFileSync(join(dir, 'node.yaml'), 'kind: Node\nmetadata: {}\n');
    const result = await runCli(['import', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n').filter((line) => line !== '')).toEqual([
      expect.stringMatching(/node\.yaml:2: metadata\.name: required field is missing$/),
      expect.stringMatching(/images\.json:1: images\[0\]\.id: required field is missing$/),
      expect.stringMatching(
        /images\.json:1: images\[0\]\.size: expected a number of bytes \(crictl prints it as a decimal string\), got boolean true$/,
      ),
    ]);
  });

  it('not a directory, or no directory at all', async () => {
    const missing = await runCli(['import', join(temp.dir, 'nowhere')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nowhere: expected a directory of collected files/);
    const none = await runCli(['import']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/import needs the directory of collected files/);
  });
});

describe('the collect script', () => {
  it('is printed by import --collect-script, is valid POSIX sh, and writes the names the reader reads', async () => {
    const { code, stdout } = await runCli(['import', '--collect-script']);
    expect(code).toBe(0);
    expect(stdout.startsWith('#!/bin/sh\n')).toBe(true);
    const check = spawnSync('sh', ['-n'], { input: stdout });
    expect(check.status).toBe(0);
    for (const name of [
      'node.yaml',
      'configz.json',
      'objects.yaml',
      'images.json',
      'image_manager.tar.gz',
      'config.json',
    ])
      expect(stdout).toContain(`"$DIR/${name}"`);
    expect(stdout).toContain('kubectl get pods,secrets,serviceaccounts,namespaces -A -o yaml');
    expect(stdout).toContain('crictl images -o json');
    const usage = spawnSync('sh', ['-s'], { input: stdout });
    expect(usage.status).toBe(2);
  });
});
