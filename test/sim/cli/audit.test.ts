/**
 * `pullsim audit FILE` through `main`, as a shell runs it: the text report, `--json` (docs/contract.md §6),
 * `--markdown`, `--html`, `--policy`, `--node`, and bad input (exit 2, one line, no stack trace).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditScenario } from '../../../sim/audit/audit.js';
import type { AuditReport } from '../../../sim/audit/report-types.js';
import { EXIT_BAD_INPUT, EXIT_OK } from '../../../sim/cli.js';
import { importNode } from '../../../sim/node-import/index.js';
import { runCli, STACK_FRAME, useTempDir } from '../../support/cli-harness.js';

const FIXTURE = 'test/fixtures/audit/multi-tenant-node.yaml';
const temp = useTempDir('pullsim-audit-');

describe('pullsim audit', () => {
  it('prints the headline, the decisions, the images and what it could not judge', async () => {
    const { code, stdout, stderr } = await runCli(['audit', FIXTURE]);
    expect(code, stderr).toBe(EXIT_OK);
    expect(stdout).toContain(
      "Under the node's configuration (NeverVerifyAllowlistedImages), 1 pod can start 1 image that no credential of theirs was ever verified for:",
    );
    expect(stdout).toMatch(/tenant-b\/sneak\/app .*│ reuse\* +│ verify/);
    expect(stdout).toMatch(/tenant-a\/web\/fetch \(init\)/);
    expect(stdout).toContain('Images on the node, as the kubelet sees them at start-up');
    expect(stdout).toContain('Exposures under the other policies');
    expect(stdout).toContain('private.example.com/tenant-a/gone:v2');
    expect(stdout).toMatch(/What this audit could not judge\n- registry access rules are not on the node/);
  });

  it('--policy sets the headline', async () => {
    const { code, stdout } = await runCli(['audit', FIXTURE, '--policy', 'NeverVerifyPreloadedImages']);
    expect(code).toBe(EXIT_OK);
    expect(stdout).toContain(
      'Under NeverVerifyPreloadedImages, 3 pods can start 2 images that no credential of theirs was ever verified for:',
    );
  });

  it('--json prints the report with the keys of contract §6 in their order', async () => {
    const { code, stdout } = await runCli(['audit', FIXTURE, '--json']);
    expect(code).toBe(EXIT_OK);
    const report = JSON.parse(stdout) as AuditReport;
    expect(Object.keys(report)).toEqual([
      'apiVersion',
      'kind',
      'scenario',
      'node',
      'kubeletVersion',
      'configured',
      'headline',
      'policies',
      'images',
      'recordsWithoutImage',
      'danglingIntents',
      'unreadableFiles',
      'containers',
      'couldNotJudge',
    ]);
    expect(report.kind).toBe('AuditReport');
    expect(Object.keys(report.containers[0]?.decisions ?? {})).toEqual([
      'NeverVerify',
      'NeverVerifyPreloadedImages',
      'NeverVerifyAllowlistedImages',
      'AlwaysVerify',
      'as-configured',
    ]);
    // Same input, same bytes.
    expect((await runCli(['audit', FIXTURE, '--json'])).stdout).toBe(stdout);
  });

  it('--markdown prints headings and pipe tables; --html writes one self-contained file', async () => {
    const html = join(temp.dir, 'audit.html');
    const { code, stdout } = await runCli(['audit', FIXTURE, '--markdown', '--html', html]);
    expect(code).toBe(EXIT_OK);
    expect(stdout).toMatch(/^## Audit of node node-1 \(audit-multi-tenant-node\)/);
    expect(stdout).toContain('| pod/container | image | policy | credentials |');
    expect(stdout).toContain('### What this audit could not judge');
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<h1>Audit of node node-1');
    expect(page).toContain('<td>tenant-b/sneak/app</td>');
    expect(page).not.toMatch(/<script|<link|src="http/);
  });

  it('audits a directory of collected files as pullsim import reads it, with its notes', async () => {
    const dir = 'test/fixtures/node-snapshot';
    const { scenario, notes } = await importNode(dir);
    const fromDir = JSON.parse((await runCli(['audit', dir, '--json'])).stdout) as AuditReport;
    const fromScenario = auditScenario(scenario, {
      couldNotJudge: notes.map((n) => `${n.about}: ${n.message}`),
    });
    expect(fromDir).toEqual(JSON.parse(JSON.stringify(fromScenario)));
    expect(notes.length).toBeGreaterThan(0);
    expect(fromDir.couldNotJudge.slice(0, notes.length)).toEqual(
      notes.map((n) => `${n.about}: ${n.message}`),
    );
  });

  it('--collect-script prints the script import --collect-script prints, and exits 0 without reading a file', async () => {
    const audit = await runCli(['audit', '--collect-script']);
    const imported = await runCli(['import', '--collect-script']);
    expect(audit).toEqual({ code: EXIT_OK, stdout: imported.stdout, stderr: '' });
    expect(audit.stdout.startsWith('#!/bin/sh\n')).toBe(true);
  });

  it.each([
    [['audit'], /audit needs a directory of collected files or a scenario file \(or --collect-script\)/],
    [['audit', 'no/such/file.yaml'], /no\/such\/file\.yaml.*cannot read the file/],
    [['audit', FIXTURE, '--policy', 'Sometimes'], /argument 'Sometimes' is invalid/],
    [
      ['audit', FIXTURE, '--node', 'node-9'],
      /no node "node-9" in scenario audit-multi-tenant-node \(nodes: node-1\)/,
    ],
  ])('bad input %j: exit 2 with one clear line', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(code).toBe(EXIT_BAD_INPUT);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(STACK_FRAME);
  });
});

describe('docs/contract.md §6', () => {
  it('shows the report with the keys and the order that --json prints', async () => {
    const contract = readFileSync('docs/contract.md', 'utf8');
    const section = contract.slice(contract.indexOf('## 6. Audit JSON'));
    const documented = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)?.[1] ?? '') as AuditReport;
    const printed = JSON.parse((await runCli(['audit', FIXTURE, '--json'])).stdout) as AuditReport;
    const shape = (report: AuditReport) => ({
      report: Object.keys(report),
      configured: Object.keys(report.configured),
      headline: Object.keys(report.headline),
      policy: Object.keys(report.policies[0] ?? {}),
      exposure: Object.keys(report.policies[0]?.exposures[0] ?? {}),
      image: Object.keys(report.images.find((i) => i.credentials.length > 0) ?? {}),
      credentials: Object.keys(report.images.find((i) => i.credentials.length > 0)?.credentials[0] ?? {}),
      container: Object.keys(report.containers.find((c) => c.pod === 'tenant-b/sneak') ?? {}),
      decisions: Object.keys(report.containers[0]?.decisions ?? {}),
      decision: Object.keys(
        report.containers.find((c) => c.pod === 'tenant-b/sneak')?.decisions.NeverVerify ?? {},
      ),
    });
    expect(shape(documented)).toEqual(shape(printed));
  });
});
