// The origins recorder library `sockscope run` preloads: the one the build puts next to dist/cli.js
// (dist/lib/), or $SOCKSCOPE_ORIGINS_LIB.
import * as path from 'path';

export function recorderLibrary(env: NodeJS.ProcessEnv = process.env): string {
  return env.SOCKSCOPE_ORIGINS_LIB || path.join(__dirname, 'lib', 'libsockscope-origins.so');
}
