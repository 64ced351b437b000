#!/usr/bin/env node
// `npm run test:electron`: the same suite (out/test/integration/index.js) in desktop VS Code through
// @vscode/test-electron, for contributors whose machine can download VS Code (or who point
// VSCODE_EXECUTABLE at an installed one). Machines without that access use `npm run test:integration`
// (code-server). This script never pretends: if VS Code cannot be downloaded or started, it says so
// and exits 2; test failures exit 1.
import fs from 'node:fs';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ROOT } from './tools.mjs';

const extensionTestsPath = path.join(ROOT, 'out/test/integration/index.js');
if (!fs.existsSync(extensionTestsPath)) {
  console.error(`[test-electron] ${extensionTestsPath} not found: run \`node scripts/build.mjs --tests\` first`);
  process.exit(2);
}
const resultsFile = path.join(ROOT, 'test-output', 'electron-results.json');
fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
fs.rmSync(resultsFile, { force: true });

let exitCode;
try {
  exitCode = await runTests({
    extensionDevelopmentPath: ROOT,
    extensionTestsPath,
    ...(process.env.VSCODE_EXECUTABLE ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE } : {}),
    launchArgs: [path.join(ROOT, 'test/workspace'), '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { VSCODE_TEST_RESULTS: resultsFile },
  });
} catch (e) {
  const msg = e instanceof Error ? e.message : String(e);
  // runTests rejects with the exit code (or "Failed") when the suite fails, with an Error when it cannot download/launch.
  if (fs.existsSync(resultsFile)) {
    console.error(`[test-electron] tests failed: ${msg}`);
    process.exit(1);
  }
  console.error(`[test-electron] ERROR: could not download or start VS Code with @vscode/test-electron: ${msg}\n` +
    '  This needs access to update.code.visualstudio.com, or VSCODE_EXECUTABLE=/path/to/code.\n' +
    '  No tests ran. On machines without that access use `npm run test:integration` (code-server harness).');
  process.exit(2);
}
const results = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : null;
if (exitCode === 0 && !results?.total) {
  console.error('[test-electron] VS Code exited 0 but no tests ran');
  process.exit(1);
}
console.error(`[test-electron] ${results ? `${results.passes} passing, ${results.failures} failing` : 'no results'} (exit ${exitCode})`);
process.exit(exitCode === 0 ? 0 : 1);
