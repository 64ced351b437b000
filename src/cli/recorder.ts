// The origins recorders `sockscope run` injects: the ones the build puts next to dist/cli.js
// (dist/lib/), or under $SOCKSCOPE_ORIGINS_LIB_DIR; the native library may also be given alone as
// $SOCKSCOPE_ORIGINS_LIB.
import * as fs from 'fs';
import * as path from 'path';
import type { RecorderPaths } from '../core/origins/inject';
import { defaultRecorderPaths } from '../core/origins/inject';

export function recorderLibrary(env: NodeJS.ProcessEnv = process.env): string {
  return env.SOCKSCOPE_ORIGINS_LIB || path.join(recorderLibDir(env), 'libsockscope-origins.so');
}

function recorderLibDir(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.SOCKSCOPE_ORIGINS_LIB_DIR || path.join(__dirname, 'lib'));
}

/** The recorders' paths; javaAgent only when the build found a JDK to build it. */
export function recorderPaths(env: NodeJS.ProcessEnv = process.env): RecorderPaths {
  const dir = recorderLibDir(env);
  const paths = defaultRecorderPaths(dir);
  return {
    ...paths,
    nativeLibrary: path.resolve(recorderLibrary(env)),
    javaAgent: paths.javaAgent && fs.existsSync(paths.javaAgent) ? paths.javaAgent : undefined,
  };
}
