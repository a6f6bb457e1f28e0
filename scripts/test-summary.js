// Sums jest's JSON reports into the one line CI reads: `tests: N passed, M failed`.
// A suite that could not run, or a report that is missing, counts as a failure.
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const [dir, checksPassed = '0', checksFailed = '0'] = process.argv.slice(2);
let passed = Number(checksPassed);
let failed = Number(checksFailed);
for (const project of ['unit', 'integration', 'e2e']) {
  const file = join(dir, `${project}.json`);
  if (!existsSync(file)) {
    console.error(`${project}: no report (the run did not complete)`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
  console.error(
    `${project}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped, ${r.numRuntimeErrorTestSuites} suites failed to run`,
  );
}
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
