import { isMainThread } from 'worker_threads';
import type { CliCommand, CliIo } from './io';
import { EXIT_USAGE } from './io';
import { socketsCommand } from './commands/sockets';
import { checkCommand } from './commands/check';
import { watchCommand } from './commands/watch';
import { runCommand } from './commands/run';
import { originsCommand } from './commands/origins';

const USAGE = `Usage: sockscope <command> [options]

Commands:
  sockets <pid> [--json]                         list a process's sockets grouped by TCP state
  watch <pid> [--interval ms] [--json]           one line per sample, with leak warnings, until the process exits or Ctrl-C
  run [--] COMMAND [ARGS…]                       run COMMAND recording where it creates its sockets (Linux: C/C++, Node.js, Python, Java)
  origins <pid> [--json]                         a process's socket creation sites, with counts per TCP state
  check <files or folders…> [--format text|json|sarif] [--fix] [--jobs N]
                                                 find descriptor/socket leaks in C, C++, Python, Go and Java sources
                                                 (--jobs: files analysed at once, default: the cores)

Exit codes: 0 ok (check: no findings), 1 findings, 2 usage or I/O error; run: the command's own.`;

/** The core's socket source, exported from the bundle so `npm run bench:snapshot` can time one snapshot in-process. */
export { createSocketSource } from '../core/platform';

const COMMANDS: Record<string, CliCommand> = { sockets: socketsCommand, check: checkCommand, watch: watchCommand, run: runCommand, origins: originsCommand };

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? io.out : io.err)(USAGE + '\n');
    return name ? 0 : EXIT_USAGE;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`sockscope: unknown command '${name}'\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  try {
    return await command(rest, io);
  } catch (e) {
    io.err(`sockscope ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_USAGE;
  }
}

// Not in check's analysis workers, which run this bundle as their script (commands/check.ts).
if (require.main === module && isMainThread) {
  let onInterrupt: () => void = () => undefined;
  const interrupted = new Promise<void>((resolve) => { onInterrupt = resolve; });
  process.on('SIGINT', () => onInterrupt());
  const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), interrupted };
  // Exit only once stdout has drained: a piped `check --format json` can be megabytes long.
  void main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
    process.stdout.write('', () => process.exit(code));
  });
}
