#!/usr/bin/env node
// Build: esbuild bundles dist/extension.js, dist/analysisWorker.js and dist/cli.js (cjs, `vscode` external) and copies the
// tree-sitter wasm files to dist/wasm. With --tests it also transpiles src/ and test/ file by file
// into out/ (--only-tests: only that) so that node's test runner and the VS Code test host can load the *.test.js files.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, chmodSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildJavaAgent, hasJdk } from './build-java-agent.mjs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const argv = process.argv.slice(2);
const args = new Set(argv);
// --outdir DIR: where the transpiled tests go (default out/); lets parallel runs keep apart.
const outIndex = argv.indexOf('--outdir');
const outDir = outIndex >= 0 && argv[outIndex + 1] ? argv[outIndex + 1] : 'out';
const production = args.has('--production');
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);

const common = {
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'],
  sourcemap: production ? false : 'linked', minify: production, logLevel: 'warning',
  // web-tree-sitter's ESM build uses import.meta.url, which is empty in a CJS bundle: bundle its CJS build.
  alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/web-tree-sitter.cjs' },
};
if (!args.has('--only-tests')) await Promise.all([
  esbuild.build({ ...common, entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js' }),
  esbuild.build({ ...common, entryPoints: ['src/cli/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  // The analysis worker thread the extension starts (src/core/worker/client.ts).
  esbuild.build({ ...common, entryPoints: ['src/core/worker/thread.ts'], outfile: 'dist/analysisWorker.js' }),
]);
if (!args.has('--only-tests')) chmodSync('dist/cli.js', 0o755);

mkdirSync('dist/wasm', { recursive: true });
cpSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), 'dist/wasm/web-tree-sitter.wasm');
for (const lang of ['c', 'cpp', 'python', 'go', 'java']) {
  cpSync(require.resolve(`tree-sitter-${lang}/tree-sitter-${lang}.wasm`), `dist/wasm/tree-sitter-${lang}.wasm`);
}

// The optional Linux helper (src/core/platform/linux/native): compiled with the system C compiler
// when there is one. Without it SockScope reads /proc, so a missing compiler only says so; a compiler
// that fails on our code fails the build.
if (process.platform === 'linux' && !args.has('--only-tests')) {
  const source = 'src/core/platform/linux/native/sockscope-netlink.c';
  const target = 'dist/bin/sockscope-netlink';
  const cc = [process.env.CC, 'cc', 'gcc', 'clang'].find((c) => c && hasCommand(c));
  if (!cc) {
    console.warn('build: no C compiler (cc, gcc or clang): dist/bin/sockscope-netlink not built; SockScope will read /proc instead.');
  } else if (!existsSync(target) || statSync(target).mtimeMs < statSync(source).mtimeMs || production) {
    mkdirSync('dist/bin', { recursive: true });
    execFileSync(cc, ['-O2', '-std=gnu11', '-Wall', '-Wextra', '-Werror', '-pthread', '-o', target, source], { stdio: 'inherit' });
  }
  // The socket-origins recorder `sockscope run` preloads (src/core/origins/native).
  const native = 'src/core/origins/native';
  const recorderFiles = readdirSync(native).filter((f) => /\.[ch]$/.test(f)).map((f) => path.join(native, f));
  const library = 'dist/lib/libsockscope-origins.so';
  if (!cc) {
    console.warn('build: no C compiler (cc, gcc or clang): dist/lib/libsockscope-origins.so not built; `sockscope run` cannot record socket origins.');
  } else if (!existsSync(library) || recorderFiles.some((f) => statSync(library).mtimeMs < statSync(f).mtimeMs) || production) {
    mkdirSync('dist/lib', { recursive: true });
    execFileSync(cc, recorderCompileArgs(recorderFiles.filter((f) => f.endsWith('.c')), library), { stdio: 'inherit' });
  }
}

// The Node.js and Python origins recorders `sockscope run` injects (src/core/origins/node, python): plain
// source files, copied as they are (they run inside the user's program).
if (!args.has('--only-tests')) {
  mkdirSync('dist/lib/node', { recursive: true });
  mkdirSync('dist/lib/python', { recursive: true });
  cpSync('src/core/origins/node/sockscope-origins.js', 'dist/lib/node/sockscope-origins.js');
  cpSync('src/core/origins/python/sitecustomize.py', 'dist/lib/python/sitecustomize.py');
  // The Java agent (src/core/origins/java): only where a JDK is installed (javac and jar).
  const javaSources = 'src/core/origins/java/sockscope/origins';
  const agent = 'dist/lib/java/sockscope-origins.jar';
  const newest = Math.max(...readdirSync(javaSources, { recursive: true }).filter((f) => String(f).endsWith('.java')).map((f) => statSync(path.join(javaSources, String(f))).mtimeMs));
  // Up to date: no need to start javac and jar (two JVM starts) just to learn that a JDK is there.
  const upToDate = existsSync(agent) && statSync(agent).mtimeMs >= newest && !production;
  if (!upToDate && !hasJdk()) {
    console.warn('build: no JDK (javac and jar): dist/lib/java/sockscope-origins.jar not built; `sockscope run` records no origins for Java programs.');
  } else if (!upToDate) {
    buildJavaAgent('dist/lib/java');
  }
}

// The Python recorder's optional accelerator (src/core/origins/python/_sockscope_stack.c): a CPython
// extension built against the python3 on PATH and named with its EXT_SUFFIX beside the recorder's
// sitecustomize.py, so that another Python version does not find it and walks its frames in Python.
// Without python3, a C compiler or Python.h (Debian: python3-dev) it is skipped with one line: the
// recorder works without it, slower.
if (process.platform === 'linux' && !args.has('--only-tests')) {
  const source = 'src/core/origins/python/_sockscope_stack.c';
  const cc = [process.env.CC, 'cc', 'gcc', 'clang'].find((c) => c && hasCommand(c));
  const python = pythonBuildInfo();
  if (!cc) {
    // The native recorder's lines above already say that there is no compiler.
  } else if (typeof python === 'string') {
    console.warn(`build: ${python}: the Python origins recorder's accelerator (_sockscope_stack) not built; the recorder walks its stacks in Python (slower).`);
  } else {
    const target = `dist/lib/python/_sockscope_stack${python.suffix}`;
    if (!existsSync(target) || statSync(target).mtimeMs < statSync(source).mtimeMs || production) {
      // Tolerant of another Python's headers (a deprecation is no error here; the unit tests build it
      // with -Werror against this machine's): a failure is one line, not a failed build.
      try {
        execFileSync(cc, pythonExtensionCompileArgs(python.include, source, target), { stdio: ['ignore', 'ignore', 'pipe'] });
      } catch (e) {
        rmSync(target, { force: true });
        const first = String(e.stderr ?? '').split('\n').find((l) => /error/.test(l)) ?? String(e.message).split('\n')[0];
        console.warn(`build: _sockscope_stack did not compile against ${python.include} (${first.trim()}); the Python origins recorder walks its stacks in Python (slower).`);
      }
    }
  }
}

/** The python3 on PATH's include folder and EXT_SUFFIX, or why the extension cannot be built. */
function pythonBuildInfo() {
  let out;
  try {
    out = execFileSync('python3', ['-c', 'import json, sysconfig; print(json.dumps([sysconfig.get_paths()["include"], sysconfig.get_config_var("EXT_SUFFIX")]))'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return 'no python3 on PATH';
  }
  let include, suffix;
  try {
    [include, suffix] = JSON.parse(out);
  } catch {
    return `python3 printed something else than its include folder and EXT_SUFFIX (${String(out).trim().split('\n')[0].slice(0, 80)})`;
  }
  if (typeof include !== 'string' || typeof suffix !== 'string' || !suffix) return 'python3 gave no include folder or EXT_SUFFIX';
  if (!existsSync(path.join(include, 'Python.h'))) return `no ${path.join(include, 'Python.h')} (Debian: apt-get install python3-dev)`;
  return { include, suffix };
}

/** The compiler arguments of the Python accelerator; keep in step with src/core/origins/testing/build.ts. */
function pythonExtensionCompileArgs(include, source, output) {
  return ['-O2', '-std=gnu11', '-Wall', '-Wextra', '-fPIC', '-shared', '-I', include, '-o', output, source];
}

/** The compiler arguments of the origins recorder; keep in step with src/core/origins/testing/build.ts. */
// Frame pointers: the stack reader (fast-unwind.c) steps over the recorder's own frames by them.
function recorderCompileArgs(sources, output) {
  return ['-O2', '-std=gnu11', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared', '-pthread', '-fvisibility=hidden',
    '-fno-omit-frame-pointer', '-o', output, ...sources, '-ldl'];
}

function hasCommand(name) {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

if (args.has('--tests') || args.has('--only-tests')) {
  const files = [];
  for (const dir of ['src', 'test']) {
    for (const f of readdirSync(dir, { recursive: true })) {
      const rel = path.join(dir, String(f));
      if (rel.endsWith('.ts') && !rel.endsWith('.d.ts') && !rel.startsWith(path.join('test', 'fixtures'))) files.push(rel);
    }
  }
  rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: files, outdir: outDir, outbase: '.', bundle: false, platform: 'node', format: 'cjs',
    target: 'node20', sourcemap: 'inline', logLevel: 'warning',
  });
}
