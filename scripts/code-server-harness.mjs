#!/usr/bin/env node
// Run a VS Code extension test suite (extensionTestsPath / run()) inside code-server's real Node
// extension host, driven by Debian's Chromium through playwright-core. Runs on Node 20.
//
//   node scripts/code-server-harness.mjs [--extension-development-path .]
//        [--extension-tests-path out/test/integration/index.js] [--workspace test/workspace]
//        [--env KEY=VALUE ...] [--output-dir test-output] [--results-file FILE]
//        [--timeout 180] [--tools-dir .vscode-test/cs] [--verbose] [--keep]
//
// Exit code: 0 all tests passed; 1 tests failed, the suite threw, or NO tests ran; 2 setup error
// (tools missing, code-server or the workbench did not start); 3 timeout.
//
// Contract with the suite's run() (test/integration/index.ts): it appends the reporter output to
// $VSCODE_TEST_LOG (streamed here) and writes {total, passes, failures} to $VSCODE_TEST_RESULTS; a
// "success" without results counts as a failure. --env KEY=VALUE reaches the extension host (the
// code-server environment is inherited by it).
//
// Screenshots: tests in the extension host write `$VSCODE_TEST_SCREENSHOT_DIR/<name>.request`; the
// harness takes a screenshot of the page to `<name>.png` there and then writes `<name>.done`
// (containing "ok" or "error: ..."). test/integration/util.ts screenshot(name) does the handshake.
// Reading the page: `<name>.text-request` holds a CSS selector; the harness writes the innerText of
// every element it matches, as a JSON array (paging through virtual lists to reach every row), to
// `<name>.json`, then `<name>.done`
// (util.ts pageText(name, selector)). Tests use it to read what VS Code itself shows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  ROOT, DEFAULT_TOOLS_DIR, ToolsError, ensureTools, freePort, spawnCodeServer, waitForHealthz, killGroup,
  chromiumLaunchOptions, loadPlaywright,
} from './tools.mjs';

const { values: opt } = parseArgs({ options: {
  'extension-development-path': { type: 'string', default: ROOT }, // one only: the workbench keeps the last
  'extension-tests-path': { type: 'string', default: path.join(ROOT, 'out/test/integration/index.js') },
  workspace: { type: 'string', default: path.join(ROOT, 'test/workspace') },
  env: { type: 'string', multiple: true, default: [] },
  'output-dir': { type: 'string', default: path.join(ROOT, 'test-output') },
  'results-file': { type: 'string' },
  'tools-dir': { type: 'string', default: DEFAULT_TOOLS_DIR },
  timeout: { type: 'string', default: '180' },
  verbose: { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
} });

const say = (msg) => console.error(`[harness] ${msg}`);
const timeoutSec = Number(opt.timeout);
if (!(timeoutSec > 0)) { say(`--timeout must be a positive number of seconds, got ${opt.timeout}`); process.exit(2); }

const extraEnv = {};
for (const kv of opt.env) {
  const eq = kv.indexOf('=');
  if (eq <= 0) { say(`--env expects KEY=VALUE, got "${kv}"`); process.exit(2); }
  extraEnv[kv.slice(0, eq)] = kv.slice(eq + 1);
}

const devPath = path.resolve(opt['extension-development-path']);
const testsPath = path.resolve(opt['extension-tests-path']);
const workspace = path.resolve(opt.workspace);
for (const [what, p] of [['extension development path', path.join(devPath, 'package.json')],
  ['extension tests path', testsPath], ['workspace', workspace]]) {
  if (!fs.existsSync(p)) { say(`${what} not found: ${p} (did you run \`node scripts/build.mjs --tests\`?)`); process.exit(2); }
}

let paths;
try {
  paths = await ensureTools({ toolsDir: opt['tools-dir'] });
} catch (e) {
  say(e instanceof ToolsError ? e.message : String(e?.stack || e));
  process.exit(2);
}

// The timeout starts after a possible first-time install of the tools.
const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1);
const deadline = t0 + timeoutSec * 1000;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-cs-test-'));
const testLog = path.join(tmp, 'mocha.log');
const resultsFile = path.resolve(opt['results-file'] || path.join(tmp, 'results.json'));
const serverLog = path.join(tmp, 'server.log');
const shotDir = path.join(path.resolve(opt['output-dir']), 'screenshots');
fs.mkdirSync(shotDir, { recursive: true });
fs.rmSync(resultsFile, { force: true });
for (const f of fs.readdirSync(shotDir)) if (/\.(request|done)$/.test(f)) fs.rmSync(path.join(shotDir, f), { force: true });

const port = await freePort();
const server = spawnCodeServer(paths, {
  port, stateDir: tmp, workspace, logFile: serverLog,
  // Without this flag the release workbench silently ignores the extension-development keys of the payload.
  args: ['--vscode-option', 'enable-smoke-test-driver'],
  env: { ...extraEnv, VSCODE_TEST_LOG: testLog, VSCODE_TEST_RESULTS: resultsFile, VSCODE_TEST_SCREENSHOT_DIR: shotDir },
});

let browser;
let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  try { await browser?.close(); } catch { /* already gone */ }
  await killGroup(server.pid);
  if (opt.keep) say(`kept ${tmp}`); else fs.rmSync(tmp, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { say(`${sig}: stopping`); cleanup().then(() => process.exit(130)); });

async function finish(code, msg) {
  if (msg) say(msg);
  if (code >= 2 || opt.verbose) {
    const lines = fs.existsSync(serverLog) ? fs.readFileSync(serverLog, 'utf8').trim().split('\n') : [];
    say(`last lines of the code-server log:\n  ${lines.slice(-25).join('\n  ')}`);
  }
  await cleanup();
  process.exit(code);
}

// The innerText of every visible element matching `selector`. VS Code's lists are virtual (only the
// rows in view exist in the page), so the list holding the first match is focused with a click and
// paged down with the keyboard until no new row appears; rows are returned once each, in the order
// they were first seen.
async function readRows(page, selector) {
  const seen = new Set();
  const visible = () => page.locator(selector).evaluateAll(
    (els) => els.filter((e) => e.offsetParent !== null).map((e) => e.innerText));
  let quiet = 0;
  for (let i = 0; i < 60 && quiet < 2; i++) {
    const before = seen.size;
    for (const t of await visible()) seen.add(t);
    quiet = seen.size === before ? quiet + 1 : 0;
    if (i === 0) {
      if (seen.size === 0) break;
      await page.locator(selector).first().click();
    }
    await page.keyboard.press('PageDown');
    await page.waitForTimeout(200);
  }
  return [...seen];
}

// Serve screenshot and page-text requests from the extension host (see the header).
async function serveScreenshots(page, busy) {
  for (const f of fs.readdirSync(shotDir)) {
    const kind = f.endsWith('.text-request') ? 'text' : f.endsWith('.request') ? 'shot' : undefined;
    if (!kind || busy.has(f)) continue;
    busy.add(f);
    const name = f.slice(0, -(kind === 'text' ? '.text-request' : '.request').length);
    let status = 'ok';
    try {
      if (kind === 'shot') {
        await page.screenshot({ path: path.join(shotDir, `${name}.png`) });
      } else {
        const selector = fs.readFileSync(path.join(shotDir, f), 'utf8');
        fs.writeFileSync(path.join(shotDir, `${name}.json`), JSON.stringify(await readRows(page, selector)));
      }
    } catch (e) {
      status = `error: ${e?.message || e}`;
    }
    fs.rmSync(path.join(shotDir, f), { force: true });
    fs.writeFileSync(path.join(shotDir, `${name}.done`), status);
    busy.delete(f);
    if (opt.verbose) say(`${kind === 'shot' ? 'screenshot' : 'page text'} ${name}: ${status}`);
  }
}

try {
  await waitForHealthz(server, port, deadline).catch((e) => finish(e.message.includes('timed out') ? 3 : 2, e.message));
  if (opt.verbose) say(`code-server up on port ${port} after ${secs()} s`);

  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(devPath)], ['extensionTestsPath', remote(testsPath)]];
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}` +
    `&payload=${encodeURIComponent(JSON.stringify(payload))}`;

  browser = await loadPlaywright(paths).chromium.launch(chromiumLaunchOptions(paths, tmp));
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  let resolveExit;
  const exited = new Promise((r) => { resolveExit = r; });
  // The workbench calls window.codeAutomationExit(code, logs) when the test run ends
  // (or when the extension host dies while extension tests are configured).
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
  page.on('pageerror', (e) => opt.verbose && say(`[browser] ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('%c') && (opt.verbose || /test|Cannot load|extension host/i.test(m.text()))) {
      say(`[browser] ${m.text()}`);
    }
  });
  await page.goto(url);

  let printed = 0; // stream the mocha reporter output written by the test runner
  const pump = () => {
    if (!fs.existsSync(testLog)) return;
    const buf = fs.readFileSync(testLog);
    if (buf.length > printed) { process.stdout.write(buf.subarray(printed)); printed = buf.length; }
  };
  const busy = new Set();
  const ticker = setInterval(() => {
    pump();
    serveScreenshots(page, busy).catch((e) => say(`screenshot handling failed: ${e?.message || e}`));
    if (server.exitCode !== null || server.signalCode !== null) resolveExit('server-exit');
    // A server whose postinstall did not run serves the page but logs this and never starts VS Code.
    if (/CodeServerRouteWrapper: .*(Cannot find|ERR_MODULE_NOT_FOUND)/.test(fs.readFileSync(serverLog, 'utf8'))) resolveExit('server-error');
  }, 200);
  const code = await Promise.race([exited,
    new Promise((r) => setTimeout(() => r('timeout'), Math.max(0, deadline - Date.now())))]);
  clearInterval(ticker);
  pump();

  if (code === 'server-error') await finish(2, 'code-server failed to load VS Code (was code-server\'s postinstall run under Node 24?)');
  if (code === 'server-exit') await finish(2, `code-server exited (${server.signalCode || server.exitCode}) while the tests ran`);
  if (code === 'timeout') {
    await finish(3, `timed out after ${opt.timeout} s: run() did not finish` +
      (fs.existsSync(testLog) ? '' : ' and never started (did VS Code load the extension? see the log below)'));
  }
  let results = null;
  try { results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')); } catch { /* missing or torn */ }
  if (code === 0 && (!results || !results.total)) {
    await finish(1, 'extension host reported success but no tests ran (no results, or 0 tests)');
  }
  await finish(code === 0 ? 0 : 1, `extension host exit code ${code}` +
    (results ? `; ${results.passes} passing, ${results.failures} failing of ${results.total}` : '; no results written') +
    ` (${secs()} s)`);
} catch (e) {
  await finish(2, `harness error: ${e?.stack || e}`);
}
