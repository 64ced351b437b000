#!/usr/bin/env node
// `npm test`: build, typecheck, lint, unit tests (node:test) and integration tests in a real VS Code
// (code-server harness). Prints each runner's summary, then ONE final line `N passed, N failed`
// summing all of them: typecheck and lint count as one check each; a runner that could not run, or
// ran zero tests, counts as a failure, never as a pass. Exit code 0 only if nothing failed.
//
// SOCKSCOPE_SKIP_INTEGRATION=1 skips the VS Code run for quick local runs (ignored when CI=true).
//
// First it makes sure the system packages the tests need are there (scripts/system-packages.mjs): as
// root with apt-get it installs the missing ones; otherwise it stops with ONE line saying what to install.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SetupError, ensureSystemPackages } from './system-packages.mjs';
import { ROOT, toolsInstalled } from './tools.mjs';

const OUTPUT = path.join(ROOT, 'test-output');
const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);
const summary = []; // lines printed again at the end
let passed = 0;
let failed = 0;
const skipIntegration = process.env.SOCKSCOPE_SKIP_INTEGRATION === '1' && process.env.CI !== 'true';

function banner(title) { console.log(`\n===== ${title} =====`); }
function record(name, p, f, detail) {
  passed += p;
  failed += f;
  summary.push(`${f ? 'FAIL' : 'ok  '} ${name}: ${detail}`);
}

/** Run a command (argument array, no shell). Output is inherited, or captured when capture is true. */
function run(cmd, args, { capture = false, env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: env ?? process.env,
      stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'] });
    let output = '';
    child.stdout?.on('data', (d) => { output += d; });
    child.stderr?.on('data', (d) => { output += d; });
    child.on('error', (e) => resolve({ code: 127, output: `${output}could not run ${cmd}: ${e.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

/** A check that passes or fails as a whole (typecheck, lint): one count. */
async function check(name, pending) {
  const { code, output } = await pending;
  banner(name);
  const text = output.trim();
  if (text) console.log(text.split('\n').length > 200 ? text.split('\n').slice(0, 200).join('\n') + '\n... (truncated)' : text);
  console.log(code === 0 ? `${name}: ok` : `${name}: FAILED (exit ${code})`);
  record(name, code === 0 ? 1 : 0, code === 0 ? 0 : 1, code === 0 ? 'ok' : `exit ${code}`);
}

/** node --test: spec reporter to the console, TAP to a file whose `# pass`/`# fail` lines give the counts. */
async function unitTests() {
  banner('unit tests (node --test out/src/)');
  const tap = path.join(OUTPUT, 'unit.tap');
  fs.rmSync(tap, { force: true });
  const { code } = await run(process.execPath, ['--test',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`, 'out/src/']);
  const lines = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8').split('\n') : [];
  // The summary block is the last thing in the TAP stream (earlier `# ` lines are diagnostics).
  const start = lines.findLastIndex((l) => /^# tests \d+$/.test(l));
  const totals = start < 0 ? [] : lines.slice(start).filter((l) => /^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(l));
  console.log(totals.join('\n') || '(no TAP summary)');
  const count = (k) => Number(totals.find((l) => l.startsWith(`# ${k} `))?.split(' ')[2] ?? NaN);
  const [tests, pass, fail, cancelled] = [count('tests'), count('pass'), count('fail'), count('cancelled')];
  if (!Number.isFinite(pass) || !Number.isFinite(fail)) {
    record('unit', 0, 1, `no TAP summary (node --test exit ${code})`);
  } else if (tests === 0) {
    record('unit', 0, 1, 'zero tests ran');
  } else {
    // A non-zero exit without a counted failure (e.g. a crash) still fails the suite.
    const f = fail + (cancelled || 0) + (code !== 0 && fail + (cancelled || 0) === 0 ? 1 : 0);
    record('unit', pass, f, `# pass ${pass}, # fail ${fail}${cancelled ? `, # cancelled ${cancelled}` : ''}`);
  }
}

async function integrationTests() {
  banner('integration tests (real VS Code via code-server)');
  if (skipIntegration) {
    const msg = '!!! INTEGRATION TESTS SKIPPED (SOCKSCOPE_SKIP_INTEGRATION=1): this run did NOT test the extension in VS Code !!!';
    console.log(msg);
    summary.push(`SKIP integration: ${msg}`);
    return;
  }
  if (process.env.SOCKSCOPE_SKIP_INTEGRATION === '1') console.log('SOCKSCOPE_SKIP_INTEGRATION=1 is ignored because CI=true');
  const resultsFile = path.join(OUTPUT, 'integration-results.json');
  fs.rmSync(resultsFile, { force: true });
  const { code } = await run(process.execPath, [path.join(ROOT, 'scripts/test-integration.mjs'), '--results-file', resultsFile]);
  let r = null;
  try { r = JSON.parse(fs.readFileSync(resultsFile, 'utf8')); } catch { /* missing: VS Code did not run the suite */ }
  const reasons = { 1: 'tests failed or none ran', 2: 'setup error: VS Code did not start', 3: 'timeout' };
  if (!r || !r.total) {
    record('integration', 0, 1, `no tests ran (harness exit ${code}: ${reasons[code] ?? 'unknown'})`);
  } else {
    const f = r.failures + (code !== 0 && r.failures === 0 ? 1 : 0);
    record('integration', r.passes, f, `${r.passes} passing, ${r.failures} failing` + (code ? ` (harness exit ${code}: ${reasons[code] ?? 'unknown'})` : ''));
  }
}

// The unit tests need the analyzers' toolchains (gcc, g++, go, javac, python3) and lsof; the integration
// tests Chromium and, for the one-time code-server install, what it builds with.
try {
  await ensureSystemPackages(['unit', ...(skipIntegration ? [] : ['integration', ...(toolsInstalled() ? [] : ['code-server'])])]);
} catch (e) {
  if (!(e instanceof SetupError)) throw e;
  console.log(`npm test: ${e.message}`);
  process.exit(1);
}

fs.mkdirSync(OUTPUT, { recursive: true });
const t0 = Date.now();
banner('build (node scripts/build.mjs --tests)');
const build = await run(process.execPath, ['scripts/build.mjs', '--tests']);
// typecheck and lint are silent when clean: run them together, report them after the build.
const typecheck = run(bin('tsc'), ['--noEmit', '-p', '.'], { capture: true });
const lint = run(bin('eslint'), ['src', 'test', 'scripts'], { capture: true });
if (build.code !== 0) {
  console.log(`build: FAILED (exit ${build.code}); unit and integration tests cannot run`);
  record('build', 0, 1, `exit ${build.code}`);
  await check('typecheck', typecheck);
  await check('lint', lint);
  record('unit', 0, 1, 'not run (build failed)');
  record('integration', 0, 1, 'not run (build failed)');
} else {
  console.log('build: ok');
  summary.push('ok   build: ok (not counted)');
  await check('typecheck', typecheck);
  await check('lint', lint);
  await unitTests();
  await integrationTests();
}

banner(`summary (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
for (const line of summary) console.log(line);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
