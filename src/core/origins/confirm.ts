// Runtime-confirmed findings: the static analysis says a descriptor acquired on some line can leak;
// the attached process says how many sockets created on that line leak right now. This joins the two:
// a finding whose acquisition line is in the creation stack of live leaking sockets is confirmed (with
// the count), and a leaking site that no finding explains gets a note at its line (the analysis could
// not prove which path leaks there). Lines are 1-based here; analysis ranges are 0-based.
import * as path from 'path';
import { formatCount } from '../model/count';
import type { LeakWarning } from '../sampler/heuristics';
import type { Origin, OriginFrame } from './symbolize';

/** What confirm needs of a static finding. */
export interface StaticFinding {
  /** 0-based, as analysis ranges are. */
  readonly acquired: { readonly start: { readonly line: number } };
  /** Where the diagnostic is shown (the leaking exit, or the acquisition for Python). */
  readonly range: { readonly start: { readonly line: number } };
  readonly function: string;
}

/** Sockets of one creation site that leak now in one process. */
export interface LiveLeakSite {
  readonly pid: number;
  readonly key: string;
  readonly origin: Origin;
  /** How many of its sockets are in the leak now, and in which state ('CLOSE_WAIT'). */
  readonly count: number;
  readonly state: string;
  /** When the process started (ms since the epoch), when known. */
  readonly startedAt?: number | undefined;
}

export interface Confirmation {
  readonly pid: number;
  readonly count: number;
  readonly state: string;
  /** 1-based line of the acquisition. */
  readonly line: number;
}

export interface Unproven {
  /** 1-based line of the site's frame in this file. */
  readonly line: number;
  readonly function: string | null;
  readonly pid: number;
  readonly count: number;
  readonly state: string;
  /** When the process started (ms since the epoch), when known. */
  readonly startedAt?: number;
}

export interface ConfirmResult {
  /** Per file: the confirmations of each finding, by its index in that file's findings. */
  readonly confirmed: ReadonlyMap<string, ReadonlyMap<number, readonly Confirmation[]>>;
  /** Per file: leaking sites there that no finding explains. */
  readonly unproven: ReadonlyMap<string, readonly Unproven[]>;
}

/** Whether a frame's file (absolute, or relative as the compiler saw it) names `file` (absolute). */
export function frameInFile(frameFile: string, file: string): boolean {
  const f = path.normalize(frameFile);
  const target = path.normalize(file);
  if (path.isAbsolute(f)) return f === target;
  return !f.startsWith('..') && target.endsWith(path.sep + f);
}

/** The sockets of the CLOSE_WAIT leak warning, by creation site. */
export function leakingSites(pid: number, warnings: readonly LeakWarning[], siteOf: (inode: string) => { key: string; origin: Origin } | undefined, startedAt?: number): LiveLeakSite[] {
  const bySite = new Map<string, { origin: Origin; count: number }>();
  for (const w of warnings) {
    if (w.id !== 'close-wait-growth') continue;
    for (const inode of w.sockets ?? []) {
      const site = siteOf(inode);
      if (!site) continue;
      const entry = bySite.get(site.key) ?? { origin: site.origin, count: 0 };
      entry.count++;
      bySite.set(site.key, entry);
    }
  }
  return [...bySite].map(([key, { origin, count }]) => ({ pid, key, origin, count, state: 'CLOSE_WAIT', ...(startedAt !== undefined ? { startedAt } : {}) }));
}

type LineFrame = OriginFrame & { file: string; line: number };

/**
 * Joins the findings of the analysed files with the live leaking sites. A site is unproven only when
 * the file of its innermost frame was analysed and no frame of its stack is the acquisition of a
 * finding in any analysed file (a file not analysed yet may still explain it: then nothing is said).
 */
export function confirmFindings(files: ReadonlyMap<string, readonly StaticFinding[]>, live: readonly LiveLeakSite[]): ConfirmResult {
  const confirmed = new Map<string, Map<number, Confirmation[]>>();
  const unproven = new Map<string, Unproven[]>();
  for (const site of live) {
    const frames = site.origin.frames.filter((f): f is LineFrame => f.file !== null && f.line !== null);
    let explained = false;
    for (const [file, findings] of files) {
      for (const frame of frames) {
        if (!frameInFile(frame.file, file)) continue;
        findings.forEach((finding, i) => {
          if (finding.acquired.start.line + 1 !== frame.line) return;
          explained = true;
          let byFinding = confirmed.get(file);
          if (!byFinding) confirmed.set(file, (byFinding = new Map()));
          const list = byFinding.get(i) ?? [];
          const same = list.findIndex((c) => c.pid === site.pid && c.state === site.state);
          const c = { pid: site.pid, count: site.count + (same >= 0 ? (list[same] as Confirmation).count : 0), state: site.state, line: frame.line };
          if (same >= 0) list[same] = c; else list.push(c);
          byFinding.set(i, list);
        });
      }
    }
    const first = site.origin.frames[0];
    if (explained || !first || first.file === null || first.line === null) continue;
    const file = [...files.keys()].find((f) => frameInFile(first.file as string, f));
    if (file === undefined) continue;
    const list = unproven.get(file) ?? [];
    list.push({ line: first.line, function: first.function, pid: site.pid, count: site.count, state: site.state, ...(site.startedAt !== undefined ? { startedAt: site.startedAt } : {}) });
    unproven.set(file, list);
  }
  return { confirmed, unproven };
}

/** "37 sockets created here are in CLOSE_WAIT in pid 1234 now" ("created on line 29" when the diagnostic is elsewhere). */
export function confirmationText(c: Confirmation, diagnosticLine: number): string {
  const where = c.line === diagnosticLine ? 'here' : `on line ${c.line}`;
  return `${formatCount(c.count)} socket${c.count === 1 ? '' : 's'} created ${where} ${c.count === 1 ? 'is' : 'are'} in ${c.state} in pid ${c.pid} now`;
}

/**
 * The note at a leaking site no finding explains. `changedSinceStart`: the file was edited after the
 * process started (say, a quick fix was just applied), so the process runs the code from before and
 * the analysis of today's text says nothing about it: the note says so instead of asking for a path.
 */
export function unprovenText(u: Unproven, changedSinceStart = false): string {
  const fn = u.function ? ` out of ${u.function}` : '';
  const now = `${formatCount(u.count)} socket${u.count === 1 ? '' : 's'} created here ${u.count === 1 ? 'is' : 'are'} in ${u.state} in pid ${u.pid} now`;
  if (changedSinceStart) {
    return `${now}. This file changed after pid ${u.pid} started, so the process still runs the code from before the change: `
      + 'restart it (rebuilt, for a compiled program) to see whether the leak is gone.';
  }
  return `${now}, `
    + `but the analysis could not prove which path leaks ${u.count === 1 ? 'it' : 'them'}: look for a path${fn} that does not close() the socket `
    + '(an early return on an error, an exception, or a read that returned end of stream), or for a caller that keeps it and never closes it.';
}
