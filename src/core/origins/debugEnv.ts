// Injecting the socket-origins recorder into a debug launch configuration. Each debug adapter keeps
// the debuggee's environment in its own field: cppdbg an `environment` array of {name, value}, CodeLLDB
// (lldb), js-debug (node, pwa-node), debugpy (debugpy, python) and the Java debugger (java) an `env`
// object. An injector (for native programs: LD_PRELOAD through launchEnv.withRecorder) says what the
// environment becomes; this maps its changes back into the configuration, appending to what the user
// set (the injector sees the user's value, or the inherited one, and must keep it).

/** The runtime whose recorder a debug adapter's program needs. */
export type DebugRuntime = 'native' | 'node' | 'python' | 'java';

/**
 * The environment with the recorder injected (all of `env`, plus or with the changed variables), or
 * undefined when this runtime cannot be recorded here. It must append to existing values (LD_PRELOAD,
 * NODE_OPTIONS, PYTHONPATH, JAVA_TOOL_OPTIONS), never replace them.
 */
export type RecorderInjector = (runtime: DebugRuntime, env: Readonly<Record<string, string | undefined>>) => Record<string, string | undefined> | undefined;

const ADAPTERS: Readonly<Record<string, { runtime: DebugRuntime; field: 'environment' | 'env' }>> = {
  cppdbg: { runtime: 'native', field: 'environment' },
  lldb: { runtime: 'native', field: 'env' },
  node: { runtime: 'node', field: 'env' },
  'pwa-node': { runtime: 'node', field: 'env' },
  debugpy: { runtime: 'python', field: 'env' },
  python: { runtime: 'python', field: 'env' },
  java: { runtime: 'java', field: 'env' },
};

export const INJECTABLE_DEBUG_TYPES: readonly string[] = Object.keys(ADAPTERS);

export type DebugConfig = Readonly<Record<string, unknown>>;

export type InjectionResult =
  | { readonly injected: true; readonly config: Record<string, unknown>; readonly runtime: DebugRuntime; readonly variables: readonly string[] }
  | { readonly injected: false; readonly reason: string };

/** The environment the configuration sets, as name → value (undefined when the field is malformed). */
function configEnv(config: DebugConfig, field: 'environment' | 'env'): Record<string, string> | undefined {
  const value = config[field];
  if (value === undefined || value === null) return {};
  if (field === 'environment') {
    if (!Array.isArray(value)) return undefined;
    const out: Record<string, string> = {};
    for (const e of value as unknown[]) {
      if (!e || typeof e !== 'object') return undefined;
      const { name, value: v } = e as { name?: unknown; value?: unknown };
      if (typeof name !== 'string' || typeof v !== 'string') return undefined;
      out[name] = v;
    }
    return out;
  }
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null) continue; // js-debug and CodeLLDB: null removes an inherited variable
    if (typeof v !== 'string') return undefined;
    out[k] = v;
  }
  return out;
}

/**
 * The configuration with the recorder injected, or why not. `inherited` is the environment the
 * debuggee would inherit (the extension host's). Only local launches are changed: attach requests,
 * remote or custom launches and configurations with an envFile (whose values cannot be seen here, so
 * appending to them is not possible) are left as they are.
 */
export function injectRecorder(config: DebugConfig, inject: RecorderInjector, inherited: Readonly<Record<string, string | undefined>>): InjectionResult {
  const type = typeof config.type === 'string' ? config.type : '';
  const adapter = ADAPTERS[type];
  if (!adapter) return { injected: false, reason: `debug type '${type}' is not one SockScope can inject into` };
  if (config.request !== 'launch') return { injected: false, reason: 'not a launch request' };
  for (const remote of ['pipeTransport', 'miDebuggerServerAddress', 'debugServerPath', 'targetCreateCommands', 'processCreateCommands', 'address', 'port', 'connect']) {
    if (config[remote] !== undefined) return { injected: false, reason: `a remote or custom launch ('${remote}')` };
  }
  if (config.envFile !== undefined) return { injected: false, reason: 'the configuration has an envFile, whose variables SockScope cannot append to' };
  const own = configEnv(config, adapter.field);
  if (!own) return { injected: false, reason: `its '${adapter.field}' field is not in the form the adapter documents` };
  // null in an `env` object removes the variable: the debuggee does not inherit it.
  const removed = adapter.field === 'env' && config.env && typeof config.env === 'object'
    ? Object.entries(config.env as Record<string, unknown>).filter(([, v]) => v === null).map(([k]) => k) : [];
  const before: Record<string, string | undefined> = { ...inherited, ...own };
  for (const k of removed) delete before[k];
  const after = inject(adapter.runtime, before);
  if (!after) return { injected: false, reason: `no ${adapter.runtime} recorder is available` };
  const variables = Object.keys(after).filter((k) => after[k] !== undefined && after[k] !== before[k]).sort();
  if (variables.length === 0) return { injected: false, reason: 'nothing to add: the recorder is already in its environment, or none was built for this runtime' };
  const next: Record<string, unknown> = { ...config };
  if (adapter.field === 'environment') {
    const list = (Array.isArray(config.environment) ? [...config.environment as { name: string; value: string }[]] : []);
    for (const name of variables) {
      const value = after[name] as string;
      const at = list.findIndex((e) => e.name === name);
      if (at >= 0) list[at] = { name, value }; else list.push({ name, value });
    }
    next.environment = list;
  } else {
    const env: Record<string, unknown> = { ...(config.env as Record<string, unknown> | undefined) };
    for (const name of variables) env[name] = after[name];
    next.env = env;
  }
  return { injected: true, config: next, runtime: adapter.runtime, variables };
}

/**
 * The mappings from the runtime-specific injections of `sockscope run` (NODE_OPTIONS --require,
 * PYTHONPATH, JAVA_TOOL_OPTIONS -javaagent) are the same for debugging: an injector that handles a
 * runtime makes its adapters work with no change here.
 */
export function runtimeOfDebugType(type: string): DebugRuntime | undefined {
  return ADAPTERS[type]?.runtime;
}
