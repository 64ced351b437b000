// Which recorder a command needs: the runtime its executable is (node, python, java), else native
// (anything dynamically linked against libc, recorded through LD_PRELOAD). The command is resolved
// through PATH and symlinks; a script with a `#!` line is judged by its interpreter (also through
// `/usr/bin/env NAME`). The name the user typed wins over what it links to, so a version manager's
// shim (pyenv's `python3`, a shell script) still counts as python.
import * as fs from 'fs';
import * as path from 'path';

export type Runtime = 'native' | 'node' | 'python' | 'java';

export interface DetectedRuntime {
  readonly runtime: Runtime;
  /** The file the system would run (after PATH, before symlinks), when it exists. */
  readonly executable: string | undefined;
  /** The file that decides `native` programs' traceability: the executable, or a script's interpreter. */
  readonly binary: string | undefined;
}

/** The runtime an executable's file name names, if any: node, nodejs, python, python3, python3.12, pypy3, java. */
export function runtimeOfName(name: string): Runtime | undefined {
  const base = path.basename(name);
  if (/^node(js)?(\d+)?$/.test(base)) return 'node';
  if (/^(python|pypy)(\d+(\.\d+)?)?[dmu]*$/.test(base)) return 'python';
  if (base === 'java') return 'java';
  return undefined;
}

/** The file the system would run for `command` (searched on PATH when it has no slash). */
export function resolveExecutable(command: string, env: NodeJS.ProcessEnv, cwd: string = process.cwd()): string | undefined {
  const candidates = command.includes('/')
    ? [path.resolve(cwd, command)]
    : (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.resolve(cwd, d, command));
  return candidates.find((c) => {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return fs.statSync(c).isFile();
    } catch {
      return false;
    }
  });
}

/** The interpreter and its first argument of a `#!` line, or undefined when the file has none. */
export function parseShebang(head: string): { interpreter: string; arg: string | undefined } | undefined {
  if (!head.startsWith('#!')) return undefined;
  const end = head.indexOf('\n');
  const words = head.slice(2, end < 0 ? undefined : end).trim().split(/[ \t]+/).filter(Boolean);
  const [interpreter, ...rest] = words;
  if (!interpreter) return undefined;
  return { interpreter, arg: rest[0] };
}

function readHead(file: string): string {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(256);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('latin1', 0, n);
  } catch {
    return '';
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function detectRuntime(command: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): DetectedRuntime {
  return detect(command, env, cwd, 0);
}

function detect(command: string, env: NodeJS.ProcessEnv, cwd: string, depth: number): DetectedRuntime {
  const executable = resolveExecutable(command, env, cwd);
  const real = executable ? (() => { try { return fs.realpathSync(executable); } catch { return executable; } })() : undefined;
  for (const name of [command, executable, real]) {
    const runtime = name ? runtimeOfName(name) : undefined;
    if (runtime) return { runtime, executable, binary: real };
  }
  if (!real || depth >= 3) return { runtime: 'native', executable, binary: real };
  const shebang = parseShebang(readHead(real));
  if (!shebang) return { runtime: 'native', executable, binary: real };
  // `#!/usr/bin/env NAME` (or `env -S NAME …`): NAME is looked up on PATH like a command.
  const viaEnv = path.basename(shebang.interpreter) === 'env';
  const next = viaEnv ? (shebang.arg === '-S' ? undefined : shebang.arg) : shebang.interpreter;
  if (!next) return { runtime: 'native', executable, binary: real };
  const inner = detect(next, env, cwd, depth + 1);
  return { runtime: inner.runtime, executable, binary: inner.binary };
}
