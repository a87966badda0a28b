/** `pullsim run --metrics`: the simulated kubelet's image-manager metrics, as text and in the result JSON. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli-harness.js';

const SCENARIOS = join(import.meta.dirname, '../../../scenarios');
const CROSS_TENANT = join(SCENARIOS, 'cross-tenant-reuse.yaml');

describe('pullsim run --metrics', () => {
  it('prints a scrape of each running kubelet after the table, in Prometheus text format', async () => {
    const { code, stdout } = await runCli(['run', CROSS_TENANT, '--metrics']);
    expect(code).toBe(0);
    const scrape = stdout.slice(stdout.indexOf('# HELP'));
    expect(scrape).toContain('# TYPE kubelet_imagemanager_ondisk_pulledrecords gauge\n');
    expect(scrape).toContain('kubelet_imagemanager_ondisk_pulledrecords{node="node-1"} 1\n');
    expect(scrape).toMatch(
      /kubelet_imagemanager_image_mustpull_checks_total\{node="node-1",result="\w+"\} \d+\n/,
    );
  });

  it('puts the same series in each node of the result JSON, and nothing without the flag', async () => {
    const withMetrics = JSON.parse((await runCli(['run', CROSS_TENANT, '--metrics', '--json'])).stdout);
    const text = (await runCli(['run', CROSS_TENANT, '--metrics'])).stdout;
    const series = withMetrics.nodes[0].metrics as Record<string, number>;
    expect(series.kubelet_imagemanager_ondisk_pulledrecords).toBe(1);
    for (const [name, value] of Object.entries(series)) {
      const brace = name.indexOf('{');
      const labelled =
        brace < 0
          ? `${name}{node="node-1"}`
          : `${name.slice(0, brace)}{node="node-1",${name.slice(brace + 1)}`;
      expect(text).toContain(`${labelled} ${value}\n`);
    }
    const without = JSON.parse((await runCli(['run', CROSS_TENANT, '--json'])).stdout);
    expect(without.nodes[0]).toEqual({ name: 'node-1' });
  });

  it('says so when the kubelet version has no such metrics', async () => {
    const { stdout } = await runCli(['run', join(SCENARIOS, 'cache-overflow-1-34.yaml'), '--metrics']);
    expect(stdout).toContain('# kubelet 1.34 has no image-manager metrics (they came in 1.35)');
    expect(stdout).not.toContain('# HELP');
  });
});
