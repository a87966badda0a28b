/**
 * The kubelet's own unit tests, case by case (test/conformance/cases.ts): every ported case is an `it` named
 * `<Test>/<case>` that must pass in each kubelet version the upstream case exists in. A case marked failing is a
 * known fidelity bug and is expected to fail until it is fixed.
 */
import { describe, it } from 'vitest';
import { UPSTREAM_TESTS } from './cases.js';
import { caseState, caseVersions } from './upstream-case.js';

// A test whose cases are all listed but not ported has nothing to run (an empty describe fails in vitest).
const runnable = UPSTREAM_TESTS.filter((test) =>
  test.cases.some((row) => caseState(row).kind !== 'not-ported'),
);

for (const upstream of runnable) {
  describe(upstream.file, () => {
    for (const row of upstream.cases) {
      const state = caseState(row);
      if (state.kind === 'not-ported') continue;
      for (const version of caseVersions(upstream, row)) {
        const name = `${upstream.test}/${row.case} (kubelet ${version})`;
        const run = () => upstream.check(state.facts, version);
        if (state.kind === 'failing') it.fails(name, run);
        else it(name, run);
      }
    }
  });
}
