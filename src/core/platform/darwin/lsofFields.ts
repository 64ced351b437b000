// Reader for lsof's field output (-F): one field per line, the first character names the field.
// A 'p' line starts a process set (followed by process fields such as 'c'), an 'f' line starts a file
// set inside it (followed by file fields: t, P, n, d, i, s, T...). 'T' repeats: "TST=LISTEN", "TQR=0".
import { splitLines } from './address';

export interface LsofFile {
  /** The descriptor as lsof prints it: "3", "cwd", "txt", "mem"... */
  readonly fd: string;
  /** Single-letter file fields other than 'f' and 'T' (t, P, n, d, i, s, a, l...). */
  readonly fields: ReadonlyMap<string, string>;
  /** 'T' fields by their prefix: ST, QR, QS, SO... */
  readonly tcpInfo: ReadonlyMap<string, string>;
}

export interface LsofProcess {
  readonly pid: number;
  readonly command: string;
  readonly files: LsofFile[];
}

export interface LsofFieldsResult {
  readonly processes: LsofProcess[];
  /** Lines that could not be read (no field letter, a file before any process, a bad pid...). */
  readonly skipped: number;
  /** The output ended mid-line: the last line was dropped. */
  readonly truncated: boolean;
}

export function parseLsofFields(text: string): LsofFieldsResult {
  const { lines, partial } = splitLines(text);
  const processes: LsofProcess[] = [];
  let skipped = partial === undefined ? 0 : 1;
  let proc: { pid: number; command: string; files: LsofFile[] } | undefined;
  let file: { fd: string; fields: Map<string, string>; tcpInfo: Map<string, string> } | undefined;

  for (const line of lines) {
    if (line === '') continue;
    const letter = line[0] ?? '';
    const value = line.slice(1);
    if (!/^[A-Za-z]$/.test(letter)) { skipped++; continue; }
    if (letter === 'p') {
      file = undefined;
      if (!/^\d+$/.test(value)) { proc = undefined; skipped++; continue; }
      proc = { pid: Number(value), command: '', files: [] };
      processes.push(proc);
      continue;
    }
    if (!proc) { skipped++; continue; }
    if (letter === 'f') {
      file = { fd: value, fields: new Map(), tcpInfo: new Map() };
      proc.files.push(file);
    } else if (!file) {
      // Process-level fields come before the first file set: c (command), u, g, R, L...
      if (letter === 'c') proc.command = value;
    } else if (letter === 'T') {
      const eq = value.indexOf('=');
      if (eq <= 0) { skipped++; continue; }
      file.tcpInfo.set(value.slice(0, eq), value.slice(eq + 1));
    } else {
      file.fields.set(letter, value);
    }
  }
  return { processes, skipped, truncated: partial !== undefined };
}
