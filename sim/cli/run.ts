import Table from 'cli-table3';
import { kubeletProfile } from '../../src/profiles.js';
import { prometheusText } from '../../src/pullmanager/metrics.js';
import { validateImagePullConfiguration } from '../../src/pullmanager/policy.js';
import { InputError } from '../errors.js';
import { loadScenario } from '../files.js';
import { type RunResult, runScenario } from '../run.js';
import { sourceLine } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import type { World } from '../world/world.js';
import type { RunOptions } from './declare/run.js';
import { type CliIo, EXIT_EXPECTATION_FAILED, EXIT_OK, writeOutputFile } from './io.js';

/** `pullsim run FILE`: one scenario in one mode; returns the exit code. */
export function runCommand(options: RunOptions, io: CliIo): number {
  const scenario = loadScenario(options.file);
  const mode = options.mode ?? 'as-configured';
  if (mode === 'as-configured') rejectUnstartableKubelet(options.file, scenario);
  const { result, trace, world } = runScenario(scenario, {
    mode,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    keepTrace: options.trace !== undefined,
    includeFiles: options.includeFiles === true,
    metrics: options.metrics === true,
  });
  if (options.trace !== undefined) writeOutputFile(options.trace, trace.toJsonLines());
  if (options.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else
    io.stdout(runSummary(result) + (options.metrics ? `\n${metricsText(world, result.kubeletVersion)}` : ''));
  return options.failOnViolation && result.totals.violations > 0 ? EXIT_EXPECTATION_FAILED : EXIT_OK;
}

/** `run` without `--mode` uses the scenario's kubelet configuration, and refuses one the kubelet would refuse. */
function rejectUnstartableKubelet(file: string, scenario: Scenario): void {
  const k = scenario.kubelet;
  const errors = validateImagePullConfiguration({
    featureGateEnabled:
      k.featureGates.KubeletEnsureSecretPulledImages ?? kubeletProfile(k.version).featureGateDefault,
    policy: k.imagePullCredentialsVerificationPolicy,
    allowlist: k.preloadedImagesVerificationAllowlist,
  });
  if (errors.length > 0) {
    throw new InputError(
      errors.map((message) => ({
        file,
        code: 'invalid_configuration' as const,
        line: sourceLine(scenario, ['spec', 'kubelet']),
        path: ['spec', 'kubelet'],
        message: `the kubelet would refuse to start: ${message}`,
      })),
    );
  }
}

/**
 * The image-manager metrics of every node whose kubelet runs at the end, as one scrape per node labelled with the
 * node's name (the label a Prometheus scrape of each kubelet would add).
 */
function metricsText(world: World, kubeletVersion: string): string {
  const targets = [...world.nodes.values()].flatMap((node) => {
    const families = node.imageManagerMetrics;
    return families === undefined ? [] : [{ labels: [['node', node.name] as const], families }];
  });
  if (targets.length === 0) return '# no kubelet is running at the end: nothing to scrape\n';
  return (
    prometheusText(targets) ||
    `# kubelet ${kubeletVersion} has no image-manager metrics (they came in 1.35)\n`
  );
}

/** The human-readable output of `run`. */
function runSummary(result: RunResult): string {
  const table = new Table({
    head: ['pod/container', 'image', 'policy', 'state', 'reason', 'pulls', 'violation'],
    style: { head: [], border: [], compact: true },
  });
  for (const c of result.containers) {
    table.push([
      `${c.pod}/${c.container}`,
      c.image,
      c.imagePullPolicy,
      c.state,
      c.reason ?? '',
      String(c.pulls),
      c.violation ? 'YES' : 'no',
    ]);
  }
  const t = result.totals;
  const io = t.io as { ops?: number };
  return (
    `${result.scenario} · mode ${result.mode} · kubelet ${result.kubeletVersion} · seed ${result.seed} · ${result.endTime}${result.outcome === 'until' ? '' : ` · stopped: ${result.outcome}`}
` +
    `${table.toString()}
` +
    `${t.containersStarted} started, ${t.violations} violations; registry ${t.registry.requests} requests (${t.registry.authFailures} auth failures, ${t.registry.unavailable} unavailable); filesystem ${io.ops ?? 0} operations
` +
    `traceHash ${result.traceHash}
`
  );
}
