// Test entry point for a real VS Code (extensionTestsPath): the code-server harness
// (scripts/code-server-harness.mjs) and @vscode/test-electron (scripts/test-electron.mjs) both load
// out/test/integration/index.js and call run(). It runs every *.test.js below this directory with
// mocha's `tdd` UI.
//
// Contract with the harness (see its header): the reporter output is appended to $VSCODE_TEST_LOG
// (the extension host's console does not reach the harness readably) and {total, passes, failures}
// is written to $VSCODE_TEST_RESULTS. A run with zero tests rejects: a runner that runs nothing must
// not pass.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';

/** Every *.test.js under `dir`, sorted so that the order is stable. */
export function findTestFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.js'))
    .map((f) => path.join(dir, f))
    .sort();
}

function teeReporterOutput(logFile: string): void {
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const original = base.consoleLog;
  base.consoleLog = (...args: unknown[]) => {
    fs.appendFileSync(logFile, util.format(...args) + '\n');
    original(...args);
  };
}

export function run(): Promise<void> {
  const { VSCODE_TEST_LOG: logFile, VSCODE_TEST_RESULTS: resultsFile, VSCODE_TEST_GREP: grep } = process.env;
  if (logFile) teeReporterOutput(logFile);
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 20000, ...(grep ? { grep } : {}) });
  const files = findTestFiles(__dirname);
  for (const f of files) mocha.addFile(f);

  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const results = { total: runner.total, passes: runner.stats?.passes ?? 0, failures, files: files.length };
        if (resultsFile) fs.writeFileSync(resultsFile, JSON.stringify(results));
        if (failures > 0) reject(new Error(`${failures} test(s) failed.`));
        else if (runner.total === 0) reject(new Error(`No tests ran (${files.length} test files in ${__dirname}).`));
        else resolve();
      });
    } catch (e) {
      // A test file that throws while loading ends up here: report it, do not hang.
      if (resultsFile) fs.writeFileSync(resultsFile, JSON.stringify({ total: 0, passes: 0, failures: 1, error: String(e) }));
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
