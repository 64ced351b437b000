// Where the origins recorder keeps its files: the same choice as native/sockscope-origins.c makes.
import * as path from 'path';

export function recordsDir(env: NodeJS.ProcessEnv = process.env, uid: number = process.geteuid?.() ?? 0): string {
  if (env.SOCKSCOPE_ORIGINS_DIR) return env.SOCKSCOPE_ORIGINS_DIR;
  if (env.XDG_RUNTIME_DIR?.startsWith('/')) return path.join(env.XDG_RUNTIME_DIR, 'sockscope');
  return `/tmp/sockscope-${uid}`;
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
