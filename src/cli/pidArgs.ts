import { parsePid } from '../core/platform';
import type { CliIo } from './io';
import { EXIT_OK, EXIT_USAGE } from './io';

/**
 * The arguments of a one-shot command about one process, `<pid> [--json]` (`sockets`, `origins`):
 * the pid and the output form, or the exit code after printing the usage or one usage error line.
 */
export function pidArgs(args: readonly string[], io: CliIo, command: string, usage: string): { pid: number; json: boolean } | number {
  const usageError = (problem: string): number => {
    io.err(`sockscope ${command}: ${problem}. ${usage}\n`);
    return EXIT_USAGE;
  };
  let json = false;
  const positional: string[] = [];
  for (const a of args) {
    if (a === '--json') json = true;
    else if (a === '-h' || a === '--help') {
      io.out(usage + '\n');
      return EXIT_OK;
    } else if (a.startsWith('-') && a !== '-') return usageError(`unknown option '${a}'`);
    else positional.push(a);
  }
  const [pidText, extra] = positional;
  if (pidText === undefined) return usageError('missing <pid>');
  if (extra !== undefined) return usageError(`unexpected argument '${extra}'`);
  const pid = parsePid(pidText);
  if (pid === undefined) return usageError(`'${pidText}' is not a process id`);
  return { pid, json };
}
