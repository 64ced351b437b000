// `sockscope run [--] COMMAND [ARGS…]`: runs a program with the socket-origins recorder of its runtime
// (src/core/origins/runtime.ts: node, python, java, else native) injected (inject.ts), so that
// `sockscope sockets PID --json` and `sockscope origins PID` can say where each socket was created.
// stdio is the program's; the exit code is the program's (128 + signal number when a signal ended it).
import { spawn } from 'child_process';
import { constants as osConstants } from 'os';
import * as fs from 'fs';
import * as path from 'path';
import type { CliCommand } from '../io';
import { EXIT_OK, EXIT_USAGE } from '../io';
import { recorderPaths } from '../recorder';
import { recorderInjection } from '../../core/origins/inject';
import { detectRuntime } from '../../core/origins/runtime';
import { readElfInfo, untraceableReason } from '../../core/origins/elfInfo';
import { ensureRecordsDir, recordsDir } from '../../core/origins/recordsDir';
import { removeStaleRecords } from '../../core/origins/staleRecords';

const USAGE = 'Usage: sockscope run [--] COMMAND [ARGS…]';

export const runCommand: CliCommand = async (args, io) => {
  const rest = args[0] === '--' ? args.slice(1) : args;
  if (args[0] === '-h' || args[0] === '--help') { io.out(USAGE + '\n'); return EXIT_OK; }
  const [command, ...commandArgs] = rest;
  if (command === undefined) { io.err(`sockscope run: missing COMMAND. ${USAGE}\n`); return EXIT_USAGE; }
  if (args[0] !== '--' && command.startsWith('-')) { io.err(`sockscope run: unknown option '${command}'. ${USAGE}\n`); return EXIT_USAGE; }

  let env: NodeJS.ProcessEnv = process.env;
  const paths = recorderPaths();
  if (process.platform !== 'linux') {
    io.err('sockscope run: socket origins are recorded on Linux only; running without them.\n');
  } else {
    // The recorder of the program's runtime: node, python, java, else the native LD_PRELOAD library.
    const { runtime, binary } = detectRuntime(command, env);
    const missing = runtime === 'native' ? (fs.existsSync(paths.nativeLibrary) ? undefined : `the origins recorder ${paths.nativeLibrary} was not built (no C compiler at build time)`)
      : runtime === 'node' ? (fs.existsSync(paths.nodePreload) ? undefined : `the Node.js origins recorder ${paths.nodePreload} is missing (run the build)`)
        : runtime === 'python' ? (fs.existsSync(path.join(paths.pythonPath, 'sitecustomize.py')) ? undefined : `the Python origins recorder in ${paths.pythonPath} is missing (run the build)`)
          : paths.javaAgent ? undefined : 'this build has no Java origins agent (dist/lib/java/sockscope-origins.jar)';
    if (missing) {
      io.err(`sockscope run: ${missing}; running without origins.\n`);
    } else {
      const reason = runtime === 'native' && binary ? untraceableReason(await readElfInfo(binary)) : undefined;
      if (reason) io.err(`sockscope run: origins not traceable: ${reason}.\n`);
      // The recorders would refuse a folder others may use (each saying so); say it once and run without.
      // A relative SOCKSCOPE_ORIGINS_DIR is made absolute: a child the program starts in another working
      // directory would otherwise record somewhere SockScope never looks.
      if (env.SOCKSCOPE_ORIGINS_DIR && !path.isAbsolute(env.SOCKSCOPE_ORIGINS_DIR)) env = { ...env, SOCKSCOPE_ORIGINS_DIR: path.resolve(env.SOCKSCOPE_ORIGINS_DIR) };
      const dir = recordsDir(env);
      const refused = ensureRecordsDir(dir);
      if (refused) {
        io.err(`sockscope run: ${refused}; running without origins.\n`);
      } else {
        env = recorderInjection(runtime, env, paths);
        await removeStaleRecords(dir);
      }
    }
  }

  return new Promise<number>((resolve) => {
    const child = spawn(command, commandArgs, { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => () => { child.kill(signal); };
    const handlers = (['SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    const done = (code: number) => {
      for (const [s, h] of handlers) process.off(s, h);
      resolve(code);
    };
    child.on('spawn', () => io.err(`sockscope run: pid ${child.pid}\n`));
    child.on('error', (e: NodeJS.ErrnoException) => {
      io.err(`sockscope run: cannot run '${command}': ${e.code === 'ENOENT' ? 'command not found' : e.message}\n`);
      done(e.code === 'ENOENT' ? 127 : 126);
    });
    child.on('exit', (code, signal) => done(code ?? 128 + (signal ? osConstants.signals[signal] : 0)));
  });
};
