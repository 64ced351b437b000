// Where the origins recorder keeps its files: the same choice as native/sockscope-origins.c makes, and
// the same privacy rule as all four recorders: the folder must be a real directory (not a symbolic
// link) of this user with no access for anyone else (mode 0700). The recorders create it that way;
// a folder that is there already and breaks the rule is refused, with the same advice everywhere.
import * as fs from 'fs';
import * as path from 'path';

export function recordsDir(env: NodeJS.ProcessEnv = process.env, uid: number = process.geteuid?.() ?? 0): string {
  if (env.SOCKSCOPE_ORIGINS_DIR) return env.SOCKSCOPE_ORIGINS_DIR;
  if (env.XDG_RUNTIME_DIR?.startsWith('/')) return path.join(env.XDG_RUNTIME_DIR, 'sockscope');
  return `/tmp/sockscope-${uid}`;
}

/** What lstat says of the folder, as far as the rule needs it. */
export interface DirFacts {
  readonly isDirectory: boolean;
  readonly isSymbolicLink: boolean;
  readonly uid: number;
  readonly mode: number;
}

/** 0755-style: the permission bits as four octal digits. */
export function octalMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/**
 * Why the folder may not be used (one sentence, without a "refusing" prefix), or undefined when it is
 * private. `myUid` is the effective uid of the reader or recorder. The advice matches the problem: a
 * folder of another user cannot be fixed by chmod, one of ours can. The recorders (C, Node.js, Python,
 * Java) word it the same way; keep them in step.
 */
export function recordsDirProblem(dir: string, st: DirFacts, myUid: number): string | undefined {
  const what = st.isSymbolicLink ? 'a symbolic link' : st.isDirectory ? undefined : 'not a directory';
  const facts = `owner uid ${st.uid}, mode ${octalMode(st.mode)}`;
  if (what) return `${dir} is ${what} (${facts}); set SOCKSCOPE_ORIGINS_DIR to a folder of your own`;
  if (st.uid !== myUid) return `${dir} belongs to another user (${facts}; you are uid ${myUid}); set SOCKSCOPE_ORIGINS_DIR to a folder of your own`;
  if ((st.mode & 0o077) !== 0) return `${dir} may be read or written by others (${facts}); run \`chmod 700 ${dir}\`, or set SOCKSCOPE_ORIGINS_DIR to a folder of your own`;
  return undefined;
}

export class RecordsDirRefused extends Error {}

/** The refusal ("refusing the origins folder …") when the folder, as lstat saw it, breaks the rule, else undefined. */
function refusal(dir: string, st: fs.Stats, myUid: number): string | undefined {
  const problem = recordsDirProblem(dir, { isDirectory: st.isDirectory(), isSymbolicLink: st.isSymbolicLink(), uid: st.uid, mode: st.mode }, myUid);
  return problem === undefined ? undefined : `refusing the origins folder: ${problem}`;
}

/** Throws RecordsDirRefused ("refusing the origins folder …") when the folder, as lstat saw it, breaks the rule. */
export function throwIfRefused(dir: string, st: fs.Stats, myUid: number): void {
  const refused = refusal(dir, st, myUid);
  if (refused !== undefined) throw new RecordsDirRefused(refused);
}

/**
 * Creates the folder (mode 0700, parents as needed) unless it is there, then checks it. Returns the
 * refusal message, or undefined when the folder may be used.
 */
export function ensureRecordsDir(dir: string, myUid: number = process.geteuid?.() ?? 0): string | undefined {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return `cannot create the origins folder ${dir}: ${(e as Error).message}`;
  }
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch {
    return undefined;
  }
  return refusal(dir, st, myUid);
}

export function recordPath(dir: string, pid: number): string {
  return path.join(dir, `${pid}.origins`);
}

/** The record stream of the Node.js, Python and Java recorders (streamFile.ts). */
export function streamPath(dir: string, pid: number): string {
  return path.join(dir, `${pid}.stream`);
}

export function mapsCopyPath(dir: string, pid: number): string {
  return path.join(dir, `${pid}.maps`);
}
