import { escapeControl } from './escape';
import type { ProcessInfo } from './snapshot';

/** Interpreters whose first argument names the program better than the interpreter does. */
const INTERPRETERS = /^(node|nodejs|bun|deno|python[\d.]*|pypy[\d.]*|ruby|perl|php|java|bash|sh|dash|zsh|lua[\d.]*|dotnet)$/;

function base(p: string): string {
  return p.replace(/\/+$/, '').split(/[\\/]/).pop() ?? p;
}

/**
 * A name people recognise: `node leaky-server.js` rather than the kernel's thread name ("MainThread"),
 * the program's own name otherwise, and the kernel name when there is no command line (kernel threads).
 * Control characters come escaped (the process chose its name): the label is safe as one line of text.
 */
export function processLabel(p: Pick<ProcessInfo, 'name' | 'cmdline'>): string {
  return escapeControl(rawLabel(p));
}

function rawLabel(p: Pick<ProcessInfo, 'name' | 'cmdline'>): string {
  const args = p.cmdline.trim().split(/\s+/).filter(Boolean);
  const program = args[0] ? base(args[0]) : '';
  if (!program) return p.name || '?';
  if (INTERPRETERS.test(program)) {
    const script = args.slice(1).find((a) => !a.startsWith('-'));
    return script ? `${program} ${base(script)}` : program;
  }
  // Programs that rewrite their argv ("nginx: worker process") keep what they wrote.
  return program.endsWith(':') ? args.slice(0, 3).join(' ') : program;
}
