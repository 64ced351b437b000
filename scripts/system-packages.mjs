#!/usr/bin/env node
// The system packages the tests, the code-server tools and the benchmarks need, by Debian package name,
// and getting the missing ones: as root on a machine with apt-get they are installed; otherwise
// ensureSystemPackages() throws a SetupError whose message is ONE line saying exactly what to install.
// Shared by `npm test` (scripts/test.mjs), the code-server tools (scripts/tools.mjs) and .ci/run.
// Only node's own modules here: .ci/run runs this before `npm ci`.
//
//   node scripts/system-packages.mjs [unit] [integration] [code-server] [bench] [all]   (default: all)
//   node scripts/system-packages.mjs --list [purposes...]   print the package names, one line
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export class SetupError extends Error {}

/** An executable of that name in a $PATH directory. */
function onPath(command) {
  return (process.env.PATH || '').split(path.delimiter).some((dir) => {
    if (!dir) return false;
    try { fs.accessSync(path.join(dir, command), fs.constants.X_OK); return true; } catch { return false; }
  });
}

/** Python.h of the python3 on PATH (what scripts/build.mjs compiles the Python recorder's accelerator against). */
function hasPythonHeader() {
  try {
    const include = execFileSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_paths()["include"])'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return include !== '' && fs.existsSync(path.join(include, 'Python.h'));
  } catch {
    return false;
  }
}

/**
 * Debian package → what shows it is there, and what needs it: 'unit' (unit tests: the analyzers'
 * toolchain checks, the netlink helper, the socket-changing test process), 'integration' (the browser
 * that drives VS Code), 'code-server' (the one-time install of code-server, which builds native
 * modules), 'bench' (benchmarks only).
 */
export const PACKAGES = [
  { name: 'gcc', present: () => onPath('gcc'), for: ['unit'] },
  { name: 'g++', present: () => onPath('g++'), for: ['unit', 'code-server'] },
  { name: 'python3', present: () => onPath('python3'), for: ['unit', 'code-server'] },
  { name: 'python3-dev', present: hasPythonHeader, for: ['unit'] },
  { name: 'golang-go', present: () => onPath('go') && onPath('gofmt'), for: ['unit'] },
  { name: 'default-jdk-headless', present: () => onPath('javac'), for: ['unit'] },
  { name: 'lsof', present: () => onPath('lsof'), for: ['unit'] },
  { name: 'chromium', present: () => fs.existsSync(CHROMIUM), for: ['integration'] },
  { name: 'make', present: () => onPath('make'), for: ['code-server'] },
  { name: 'libkrb5-dev', present: () => fs.existsSync('/usr/include/gssapi/gssapi.h'), for: ['code-server'] },
  { name: 'binutils', present: () => onPath('addr2line'), for: ['unit'] },
  { name: 'cppcheck', present: () => onPath('cppcheck'), for: ['bench'] },
  { name: 'valgrind', present: () => onPath('valgrind'), for: ['bench'] },
];
export const PURPOSES = ['unit', 'integration', 'code-server', 'bench'];

/** Names of the packages some purpose needs, in PACKAGES order. */
export function packagesFor(purposes) {
  return PACKAGES.filter((p) => p.for.some((f) => purposes.includes(f))).map((p) => p.name);
}

/** Names of the packages some purpose needs that are not there. */
export function missingPackages(purposes) {
  return PACKAGES.filter((p) => p.for.some((f) => purposes.includes(f)) && !p.present()).map((p) => p.name);
}

const canInstall = () => process.getuid?.() === 0 && onPath('apt-get');

/** The one line that says what to install (for a caller that cannot install it itself). */
function whatToInstall(missing) {
  const list = missing.join(' ');
  if (onPath('apt-get')) {
    const command = `apt-get update && apt-get install -y ${list}`;
    if (process.getuid?.() === 0) return `missing Debian packages: ${list}; install them with: ${command}`;
    return `missing Debian packages: ${list}; install them as root: ${onPath('sudo') ? `sudo sh -c '${command}'` : command}`;
  }
  return `missing packages (Debian names): ${list}; install them (or your system's equivalents) with its package manager`;
}

/** Run apt-get, print the "Setting up" lines of `wanted` and a line every 15 s; resolve with the exit code and the output's tail. */
function aptGet(args, wanted, log) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], { stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    const tail = [];
    let partial = '';
    const onData = (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        const m = /^Setting up ([^:\s]+)/.exec(line);
        if (m && wanted.includes(m[1])) log(`set up ${m[1]} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const ticker = setInterval(() => log(`apt-get ${args[0] === 'update' ? 'update' : 'install'}: ${((Date.now() - t0) / 1000).toFixed(0)} s ...`), 15000);
    child.on('error', (e) => { clearInterval(ticker); resolve({ code: 127, tail: [...tail, e.message] }); });
    child.on('close', (code, signal) => { clearInterval(ticker); resolve({ code: code ?? (signal ? 128 : 1), tail: partial ? [...tail, partial] : tail }); });
  });
}

/**
 * Make sure the packages of `purposes` are there: installs the missing ones when running as root with
 * apt-get, else throws a SetupError with one line that says what to install. Also throws when
 * CHROMIUM_PATH names a file that does not exist (installing Debian's chromium would not help).
 */
export async function ensureSystemPackages(purposes, log = (msg) => console.error(`[setup] ${msg}`)) {
  const missing = missingPackages(purposes);
  if (missing.length === 0) return;
  if (missing.includes('chromium') && process.env.CHROMIUM_PATH) {
    throw new SetupError(`CHROMIUM_PATH is ${CHROMIUM}, which does not exist: point it at a Chromium binary, or unset it and install Debian's chromium (apt-get install -y chromium)`);
  }
  if (!canInstall()) throw new SetupError(whatToInstall(missing));
  log(`installing the missing Debian packages with apt-get (first run only; a few minutes): ${missing.join(' ')}`);
  for (const args of [['update', '-q'], ['install', '-y', '-q', ...missing]]) {
    const r = await aptGet(args, missing, log);
    if (r.code !== 0) {
      for (const line of r.tail) log(`  ${line}`);
      throw new SetupError(`apt-get ${args[0]} failed (exit ${r.code}, output above); ${whatToInstall(missing)}`);
    }
  }
  const still = missingPackages(purposes);
  if (still.length) throw new SetupError(`apt-get ran, but still ${whatToInstall(still)}`);
  log('Debian packages installed');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const list = args.includes('--list');
  const named = args.filter((a) => a !== '--list');
  const unknown = named.filter((a) => a !== 'all' && !PURPOSES.includes(a));
  if (unknown.length) {
    console.error(`unknown purpose ${unknown.join(', ')}; expected some of: ${PURPOSES.join(' ')} all`);
    process.exit(2);
  }
  const purposes = named.length === 0 || named.includes('all') ? PURPOSES : named;
  if (list) {
    console.log(packagesFor(purposes).join(' '));
  } else {
    try {
      await ensureSystemPackages(purposes);
    } catch (e) {
      if (!(e instanceof SetupError)) throw e;
      console.error(e.message);
      process.exit(1);
    }
  }
}
