#!/usr/bin/env node
// `npm start`: build the extension, start the leaking demo server, and open VS Code (code-server, in
// the browser) with SockScope installed and a demo workspace, so you can attach to the demo's pid and
// watch CLOSE_WAIT sockets pile up. Ctrl-C stops everything.
//
//   npm start [-- --port 8080] [-- --check] [-- --skip-build]
//
// PORT (env) or --port picks the port (default 8080; a free one if that is taken); it binds 127.0.0.1
// only. --check starts everything, loads the workbench in headless Chromium, checks that SockScope is
// in the activity bar, saves test-output/screenshots/start.png and exits (0 ok, 1 not ok); only --check
// needs Chromium. The first run installs code-server (a few minutes, with a progress line every 15 s).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startCClient, startDemo } from '../demo/launch.mjs';
import {
  ROOT, ToolsError, ensureTools, freePort, spawnCodeServer, waitForHealthz, killGroup, chromiumLaunchOptions,
  loadPlaywright,
} from './tools.mjs';

const { values: opt } = parseArgs({ options: {
  port: { type: 'string', default: process.env.PORT || '8080' },
  check: { type: 'boolean', default: false },
  timeout: { type: 'string', default: '120' }, // seconds, for --check and server start
  'skip-build': { type: 'boolean', default: false },
  'extension-path': { type: 'string', default: ROOT }, // another extension folder (to try the plumbing)
} });
const say = (msg) => console.log(`[start] ${msg}`);
const extensionPath = path.resolve(opt['extension-path']);
const manifest = JSON.parse(fs.readFileSync(path.join(extensionPath, 'package.json'), 'utf8'));
const extensionId = `${manifest.publisher}.${manifest.name}`;

if (!opt['skip-build']) say('building (node scripts/build.mjs) ...');
if (!opt['skip-build'] && spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) {
  say('build failed'); process.exit(1);
}
let paths;
try {
  // Chromium only for --check: plain `npm start` prints a URL for your own browser.
  paths = await ensureTools({ browser: opt.check });
} catch (e) {
  say(e instanceof ToolsError ? e.message : String(e?.stack || e)); process.exit(2);
}

// Fresh state every time: user data, extensions dir, logs and a copy of the demo workspace (so that
// edits and quick fixes made while playing do not change test/workspace).
const stateDir = path.join(ROOT, '.vscode-test', 'start');
fs.rmSync(stateDir, { recursive: true, force: true });
const workspace = path.join(stateDir, 'workspace');
// test/workspace/.vscode/settings.json tunes sampling for the tests; the demo uses the defaults.
const testSettings = path.join(ROOT, 'test', 'workspace', '.vscode', 'settings.json');
fs.cpSync(path.join(ROOT, 'test', 'workspace'), workspace, { recursive: true, filter: (src) => src !== testSettings });
// The workspace's leaky-server.js (run by its launch.json) requires ../../demo/: use a real copy here.
fs.copyFileSync(path.join(ROOT, 'demo', 'leaky-server.js'), path.join(workspace, 'leaky-server.js'));
// The C client that leaks like the seed, built from the workspace's copy so that its debug info (and a
// click on a socket's creation site) names the file VS Code shows.
fs.copyFileSync(path.join(ROOT, 'demo', 'leaky_client.c'), path.join(workspace, 'leaky_client.c'));
// Install the extension by placing it in the extensions dir as <publisher>.<name>-<version>: the server
// indexes it on first start. A symlink to the source tree, so `npm run build` + reload picks up changes.
const extensionsDir = path.join(stateDir, 'extensions');
fs.mkdirSync(extensionsDir, { recursive: true });
fs.symlinkSync(extensionPath, path.join(extensionsDir, `${extensionId}-${manifest.version}`), 'dir');

// The demo prints its progress every 5 s: shown every 30 s here, with the URL, so that the URL printed
// once at start does not scroll away under them.
let url;
let lastProgress = 0;
function demoLine(line) {
  if (/^served \d+/.test(line)) {
    if (Date.now() - lastProgress < 30000) return;
    lastProgress = Date.now();
    if (url) line += `  (VS Code: ${url})`;
  }
  console.log(`[demo] ${line}`);
}

let demo;
let cclient;
let server;
let browser;
let stopping = false;
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  try { await browser?.close(); } catch { /* gone */ }
  if (server) await killGroup(server.pid);
  await cclient?.stop?.();
  await demo?.stop();
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { say('stopping ...'); void stopAll(0); });

try {
  demo = await startDemo({ onLine: demoLine });
  // The C client, under `sockscope run`: SockScope knows where it created each socket.
  cclient = await startCClient({ port: demo.port, source: path.join(workspace, 'leaky_client.c'), outDir: stateDir, cli: path.join(ROOT, 'dist', 'cli.js'),
    onLine: (line) => { if (!line.startsWith('Reply does not fit')) console.log(`[client] ${line}`); } });
  if ('skipped' in cclient) say(`C demo client not started: ${cclient.skipped}`);
  const port = await freePort(Number(opt.port));
  if (port !== Number(opt.port)) say(`port ${opt.port} is busy, using ${port}`);
  const logFile = path.join(stateDir, 'server.log');
  server = spawnCodeServer(paths, { port, stateDir, workspace, logFile,
    env: { SOCKSCOPE_DEMO_PID: String(demo.pid), SOCKSCOPE_DEMO_PORT: String(demo.port), ...('pid' in cclient ? { SOCKSCOPE_DEMO_CLIENT_PID: String(cclient.pid) } : {}) } });
  server.on('exit', (code, signal) => {
    if (!stopping) { say(`code-server exited (${signal || code}); see ${logFile}`); void stopAll(1); }
  });
  await waitForHealthz(server, port, Date.now() + Number(opt.timeout) * 1000);
  url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;

  console.log(`
  SockScope is running in VS Code (code-server): ${url}

  Demo leaky server: pid ${demo.pid}, port ${demo.port} (leaks one socket into CLOSE_WAIT every ~1.5 s)
  To watch it: open the SockScope view in the activity bar, or run
    "SockScope: Attach to Process…" from the Command Palette (Ctrl+Shift+P) and pick pid ${demo.pid}.
  Or from a shell:  ss -tanp state close-wait | grep pid=${demo.pid},
${'pid' in cclient ? `
  Demo C client (leaky_client.c, the seed's send_message), run under \`sockscope run\`: pid ${cclient.pid}
    It leaks one socket into CLOSE_WAIT every ~1 s. Attach to pid ${cclient.pid}, then "Group by Origin" in the
    view's title bar: the creation site leaky_client.c send_message, one click opens its line, and once
    the leak warning stands, leaky_client.c's diagnostics say the running process confirms them.
    From a shell:  node dist/cli.js origins ${cclient.pid}
` : ''}
  code-server log: ${logFile}
  Press Ctrl-C to stop everything.
`);
  if (opt.check) await check(url);
} catch (e) {
  say(e instanceof Error ? e.message : String(e));
  await stopAll(2);
}

// Headless check: the workbench loads and SockScope's view container is in the activity bar.
async function check(url) {
  const shots = path.join(ROOT, 'test-output', 'screenshots');
  fs.mkdirSync(shots, { recursive: true });
  browser = await loadPlaywright(paths).chromium.launch(chromiumLaunchOptions(paths, stateDir));
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  const timeout = Number(opt.timeout) * 1000;
  let ok = true;
  try {
    await page.locator('.monaco-workbench').waitFor({ timeout });
    await page.locator('.part.activitybar [aria-label^="SockScope"]').first().waitFor({ timeout });
    await page.locator('.part.activitybar [aria-label^="SockScope"]').first().click();
    await page.mouse.move(800, 400); // the icon's hover label would cover the view in the screenshot
    await page.waitForTimeout(2000); // let the view render for the screenshot
    say('check: workbench loaded, SockScope is in the activity bar');
  } catch (e) {
    ok = false;
    say(`check FAILED: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
  }
  await page.screenshot({ path: path.join(shots, 'start.png') });
  say(`screenshot: ${path.join(shots, 'start.png')}`);
  await stopAll(ok ? 0 : 1);
}
