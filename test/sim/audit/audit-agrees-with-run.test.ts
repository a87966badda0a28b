/**
 * The audit's next-start decision for a container, under each policy and under the node's own configuration, is
 * what `pullsim run` does when that pod starts on the node: the scenario with that pod alone (so that no other
 * pod's pull changes the records first), run in that mode. Checked on the multi-tenant fixture, pod by pod, and on
 * every pod that the bundled scenarios have on their node at 0s.
 */
import { describe, expect, it } from 'vitest';
import { auditScenario } from '../../../sim/audit/audit.js';
import { AUDIT_COLUMNS } from '../../../sim/audit/report-types.js';
import { loadScenario, loadScenarios } from '../../../sim/files.js';
import { disagreements } from '../../support/audit-run.js';

const fixture = loadScenario('test/fixtures/audit/multi-tenant-node.yaml');
const fixtureReport = auditScenario(fixture);

describe('the audit agrees with pullsim run', () => {
  it('the fixture covers every kind of decision but error (otherwise the agreement proves little)', () => {
    const kinds = fixtureReport.containers.flatMap((c) =>
      AUDIT_COLUMNS.map((col) => c.decisions[col].nextStart),
    );
    expect([...new Set(kinds)].sort()).toEqual(['pull', 'refused', 'reuse', 'verify']);
  });

  it.each([...new Set(fixtureReport.containers.map((c) => c.pod))])(
    'fixture pod %s: each container starts as the audit says, in every mode',
    (pod) => {
      expect(disagreements(fixture, fixtureReport, pod)).toEqual([]);
    },
  );

  it('every pod of every bundled scenario at 0s, in every mode', () => {
    let checked = 0;
    const lines: string[] = [];
    for (const { scenario } of loadScenarios(['scenarios/'])) {
      // Large worlds cost more than the rest of the library together (every answer that writes an intent starts a
      // node again, reading every record file): match-write-limit's 105 namespaces, cache-overflow's 1995 records.
      // Their rules are in the fixture on a smaller scale (tenant-e/copy's hash match, the records read at start-up).
      const files = scenario.nodes.reduce((n, node) => n + Object.keys(node.imageManagerFiles).length, 0);
      if (scenario.objects.length > 100 || files > 100) continue;
      for (const node of scenario.nodes) {
        const report = auditScenario(scenario, { node: node.name });
        for (const pod of new Set(report.containers.map((c) => c.pod))) {
          lines.push(...disagreements(scenario, report, pod));
          checked++;
        }
      }
    }
    expect(lines).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });
});
