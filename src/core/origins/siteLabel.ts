// How a creation site reads in the view and in messages: `client.c:17 send_message` for the row,
// `client.c:17 in send_message` in a sentence. Frames without line information fall back to the
// function and the module's file name. Names come from the traced program's debug info: control
// characters come escaped, so a label is always one visible line.
import * as path from 'path';
import type { Origin, OriginFrame } from './symbolize';
import { escapeControl } from '../model/escape';

/** `client.c:17`, or the module's file name when the frame has no line information. */
export function frameWhere(f: OriginFrame): string {
  return escapeControl(f.file && f.line ? `${path.basename(f.file)}:${f.line}` : path.basename(f.module));
}

/** `client.c:17 send_message` (the row of a site or a socket). */
export function siteLabel(origin: Origin): string {
  const f = origin.frames[0];
  if (!f) return 'no frame in the program';
  return f.function ? `${frameWhere(f)} ${escapeControl(f.function)}` : frameWhere(f);
}

/** `client.c:17 in send_message` (inside a sentence). */
export function siteInSentence(origin: Origin): string {
  const f = origin.frames[0];
  if (!f) return 'a place outside the program';
  return f.function ? `${frameWhere(f)} in ${escapeControl(f.function)}` : frameWhere(f);
}

/** Sites that share their innermost program frame are one site to the user (only the callers differ). */
export function siteKey(origin: Origin, stack: number): string {
  const f = origin.frames[0];
  return f ? JSON.stringify([f.module, f.file, f.line, f.function]) : `stack ${stack}`;
}

/** The innermost frame that has a source file and line: what a click opens. */
export function sourceFrame(origin: Origin): (OriginFrame & { file: string; line: number }) | undefined {
  return origin.frames.find((f): f is OriginFrame & { file: string; line: number } => f.file !== null && f.line !== null && f.line > 0);
}
