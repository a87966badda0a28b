// Turns vitest's JSON report into CI's last line, "N passed, M failed". A failure outside the tests (lint,
// type check, coverage floor) counts as one failed check, so the line never says "0 failed" for a red run.
import { existsSync, readFileSync } from 'node:fs';

const [reportPath = 'reports/vitest.json', statusText = '0'] = process.argv.slice(2);
const status = Number(statusText);
let passed = 0;
let failed = 0;
if (existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = report.numFailedTests ?? 0;
  if (report.numFailedTestSuites > 0 && failed === 0) failed = report.numFailedTestSuites;
} else {
  console.log('no test report: the run stopped before the tests (lint or type check failed)');
}
if (status !== 0 && failed === 0) {
  console.log(
    `the test command exited with ${status} although no test failed (lint, types or the coverage floor)`,
  );
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(status !== 0 ? status : failed > 0 ? 1 : 0);
