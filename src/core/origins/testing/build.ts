// Test support: the origins recorder and C test programs compiled at test time with the system compiler.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from '../../platform/linux/testSupport';

export const hasGcc = process.platform === 'linux' && spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0;

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Builds src/core/origins/native/sockscope-origins.c with the arguments scripts/build.mjs uses. */
export function buildRecorder(dir: string): string {
  const out = path.join(dir, 'libsockscope-origins.so');
  const native = path.join(repoRoot(), 'src', 'core', 'origins', 'native');
  const sources = fs.readdirSync(native).filter((f) => f.endsWith('.c')).sort().map((f) => path.join(native, f));
  execFileSync('gcc', ['-O2', '-std=gnu11', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared', '-pthread', '-fvisibility=hidden',
    '-fno-omit-frame-pointer', '-o', out, ...sources, '-ldl']);
  return out;
}

/**
 * Builds the Python recorder's accelerator (src/core/origins/python/_sockscope_stack.c) against the
 * python3 on PATH into dir, named with its EXT_SUFFIX, with the arguments scripts/build.mjs uses and
 * -Werror; or says why it cannot be built (no python3, no Python.h).
 */
export function buildPythonStack(dir: string): { file: string } | { missing: string } {
  const info = spawnSync('python3', ['-c', 'import json, sysconfig; print(json.dumps([sysconfig.get_paths()["include"], sysconfig.get_config_var("EXT_SUFFIX")]))'], { encoding: 'utf8' });
  if (info.status !== 0) return { missing: 'no python3' };
  const [include, suffix] = JSON.parse(info.stdout) as [string, string];
  if (!fs.existsSync(path.join(include, 'Python.h'))) return { missing: `no ${path.join(include, 'Python.h')} (python3-dev)` };
  const out = path.join(dir, `_sockscope_stack${suffix}`);
  execFileSync('gcc', ['-O2', '-std=gnu11', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared', '-I', include, '-o', out,
    path.join(repoRoot(), 'src', 'core', 'origins', 'python', '_sockscope_stack.c')]);
  return { file: out };
}

/**
 * A recorders folder laid out like dist/lib (node/, python/), made from the sources, for
 * $SOCKSCOPE_ORIGINS_LIB_DIR; with the native library when `native` is given, and the Python
 * accelerator when `pythonStack` is (from buildPythonStack).
 */
export function runtimeRecorders(dir: string, native?: string, pythonStack?: string): string {
  const lib = path.join(dir, 'lib');
  const origins = path.join(repoRoot(), 'src', 'core', 'origins');
  fs.mkdirSync(path.join(lib, 'node'), { recursive: true });
  fs.mkdirSync(path.join(lib, 'python'), { recursive: true });
  fs.copyFileSync(path.join(origins, 'node', 'sockscope-origins.js'), path.join(lib, 'node', 'sockscope-origins.js'));
  fs.copyFileSync(path.join(origins, 'python', 'sitecustomize.py'), path.join(lib, 'python', 'sitecustomize.py'));
  if (native) fs.copyFileSync(native, path.join(lib, 'libsockscope-origins.so'));
  if (pythonStack) fs.copyFileSync(pythonStack, path.join(lib, 'python', path.basename(pythonStack)));
  return lib;
}

/** The 1-based line of a fixture file (any language) that carries the marker `SITE:<site>` in a comment. */
export function fixtureSiteLine(file: string, site: string): number {
  const lines = fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'origins', file), 'utf8').split('\n');
  const i = lines.findIndex((l) => new RegExp(`SITE:${site}(\\W|$)`).test(l));
  if (i < 0) throw new Error(`no SITE:${site} in ${file}`);
  return i + 1;
}

/** Compiles test/fixtures/origins/<name>.c into dir with extra gcc flags (e.g. -g). */
export function buildProgram(dir: string, name: string, flags: readonly string[], output = name): string {
  const out = path.join(dir, output);
  execFileSync('gcc', [...flags, '-o', out, fixtureSource(name)]);
  return out;
}

export function fixtureSource(name: string): string {
  return path.join(repoRoot(), 'test', 'fixtures', 'origins', `${name}.c`);
}

/** The 1-based line of the fixture that carries the marker comment `SITE:<site>`. */
export function siteLine(name: string, site: string): number {
  const lines = fs.readFileSync(fixtureSource(name), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(`/* SITE:${site} */`));
  if (i < 0) throw new Error(`no SITE:${site} in ${name}.c`);
  return i + 1;
}
