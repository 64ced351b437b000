// `ps -axo pid=,user=,comm=,args=` (macOS/BSD ps). comm is the executable path and may contain spaces
// ("/Applications/Google Chrome.app/.../Google Chrome"), so the comm/args boundary is found by looking
// for the split where args starts with comm (argv[0] is normally the same path).
import type { ParseResult, ProcessSummary } from '../source';
import { splitLines } from './address';

export function parsePsProcesses(text: string): ParseResult<ProcessSummary> {
  const { lines, partial } = splitLines(text);
  const items: ProcessSummary[] = [];
  let skipped = partial === undefined ? 0 : 1;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const m = /^\s*(\d+)\s+(\S+)\s+(\S.*)$/.exec(line);
    if (!m) { skipped++; continue; }
    const { comm, args } = splitCommArgs((m[3] ?? '').trimEnd());
    items.push({ pid: Number(m[1]), user: m[2], name: baseName(comm), cmdline: args });
  }
  return { items, skipped };
}

function splitCommArgs(rest: string): { comm: string; args: string } {
  const gaps = [...rest.matchAll(/\s+/g)];
  for (const gap of gaps) {
    const comm = rest.slice(0, gap.index);
    const args = rest.slice(gap.index + gap[0].length);
    if (startsWithWord(args, comm) || startsWithWord(args, baseName(comm))) return { comm, args };
  }
  // No split matched (argv[0] rewritten, e.g. "postgres: writer"): comm is the first word.
  const first = gaps[0];
  if (!first) return { comm: rest, args: rest };
  return { comm: rest.slice(0, first.index), args: rest.slice(first.index + first[0].length) };
}

/** True when text starts with word followed by whitespace or the end. */
function startsWithWord(text: string, word: string): boolean {
  return text.startsWith(word) && (text.length === word.length || /\s/.test(text[word.length] ?? ''));
}

function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash >= 0 && slash < path.length - 1 ? path.slice(slash + 1) : path;
}
