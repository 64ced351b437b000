// The environment that makes a program record where it creates its sockets: the recorder of its
// runtime added to the variable that runtime reads at start, after (or, for PYTHONPATH, before)
// whatever the user has there already, never replacing it and never adding it twice.
//
// Stable API, also used by the VS Code layer (debug configurations):
//   recorderInjection(runtime, env, paths) -> a new env object (the input is not modified)
//     native  LD_PRELOAD        += paths.nativeLibrary           (appended, ':'-separated)
//     node    NODE_OPTIONS      += --require <paths.nodePreload>  (appended, quoted when needed)
//     python  PYTHONPATH         = paths.pythonPath:<PYTHONPATH>  (prepended; the recorder's
//                                  sitecustomize then runs the one the user's path would have run)
//     java    JAVA_TOOL_OPTIONS += -javaagent:<paths.javaAgent>   (appended; unchanged when the agent
//                                  was not built, i.e. paths.javaAgent undefined)
//   defaultRecorderPaths(libDir) -> the paths the build puts under dist/lib/.
// `env` is the environment the program will start with: where a launcher lays a partial env over the
// inherited one (debug configurations), pass the merged result, or the user's own value of a variable
// that only the inherited environment holds would be lost. Pure: no file system access, no process state.
import * as path from 'path';
import type { Runtime } from './runtime';
import { withRecorder } from './launchEnv';

export interface RecorderPaths {
  /** The LD_PRELOAD library (dist/lib/libsockscope-origins.so). */
  readonly nativeLibrary: string;
  /** The Node.js `--require` preload (dist/lib/node/sockscope-origins.js). */
  readonly nodePreload: string;
  /** The folder holding the Python recorder's sitecustomize.py (dist/lib/python). */
  readonly pythonPath: string;
  /** The Java agent jar (dist/lib/java/sockscope-origins.jar); undefined when no JDK built it. */
  readonly javaAgent: string | undefined;
}

export function defaultRecorderPaths(libDir: string, javaAgentBuilt = true): RecorderPaths {
  return {
    nativeLibrary: path.join(libDir, 'libsockscope-origins.so'),
    nodePreload: path.join(libDir, 'node', 'sockscope-origins.js'),
    pythonPath: path.join(libDir, 'python'),
    javaAgent: javaAgentBuilt ? path.join(libDir, 'java', 'sockscope-origins.jar') : undefined,
  };
}

/** One option word for NODE_OPTIONS / JAVA_TOOL_OPTIONS: double-quoted when it holds spaces or quotes. */
function optionWord(word: string): string {
  return /[\s"'\\]/.test(word) ? `"${word.replace(/(["\\])/g, '\\$1')}"` : word;
}

function appendOption(existing: string | undefined, option: string, marker: string): string {
  const current = (existing ?? '').trim();
  if (current.includes(marker)) return current;
  return current ? `${current} ${option}` : option;
}

export function recorderInjection(runtime: Runtime, env: NodeJS.ProcessEnv, paths: RecorderPaths): NodeJS.ProcessEnv {
  switch (runtime) {
    case 'native':
      return withRecorder(env, paths.nativeLibrary);
    case 'node':
      return { ...env, NODE_OPTIONS: appendOption(env.NODE_OPTIONS, `--require ${optionWord(paths.nodePreload)}`, paths.nodePreload) };
    case 'python': {
      const existing = env.PYTHONPATH ?? '';
      const entries = existing.split(path.delimiter);
      if (entries.includes(paths.pythonPath)) return { ...env };
      return { ...env, PYTHONPATH: existing ? `${paths.pythonPath}${path.delimiter}${existing}` : paths.pythonPath };
    }
    case 'java':
      if (!paths.javaAgent) return { ...env };
      return { ...env, JAVA_TOOL_OPTIONS: appendOption(env.JAVA_TOOL_OPTIONS, optionWord(`-javaagent:${paths.javaAgent}`), paths.javaAgent) };
  }
}
