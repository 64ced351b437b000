import type { Node } from 'web-tree-sitter';
import { calleeOf, NO_SUMMARIES, summariesFingerprint, type LocalSummaries } from './summaries';
import { DEFERRED, enclosingClass, enclosingFunction, identifiersIn, named, nodesByType, nodesOfType, plainString, scopeBindings, strip, walk, type NodesOfType } from './syntax';

/** What the Python analyzer knows by name: imports, acquiring calls, releasing calls. */

/** A socket object, a file object, or a bare OS descriptor (an int from `os.open`, closed by `os.close`). */
export type ResourceKind = 'socket' | 'file' | 'fd';

/** How a call acquires: returns one resource, wraps (and takes over) its first argument, or returns a tuple. */
export type AcquireShape =
  /** `local`: a function or method of the file, or a module-level function of another module of the project (./projectModules), that returns a new resource (./summaries). */
  | { readonly shape: 'single'; readonly kind: ResourceKind; readonly local?: true }
  | { readonly shape: 'wrap'; readonly kind: ResourceKind }
  /** `conn, addr = s.accept()`: the first element. */
  | { readonly shape: 'accept' }
  /** `a, b = socket.socketpair()`: both elements. */
  | { readonly shape: 'pair' };

const SINGLE: ReadonlyMap<string, ResourceKind> = new Map<string, ResourceKind>([
  ['socket.socket', 'socket'], ['socket.create_connection', 'socket'], ['socket.create_server', 'socket'],
  ['socket.fromfd', 'socket'], ['socket.fromshare', 'socket'],
  ['open', 'file'], ['io.open', 'file'], ['builtins.open', 'file'], ['os.open', 'fd'],
]);
const WRAP: ReadonlyMap<string, ResourceKind> = new Map<string, ResourceKind>([['ssl.wrap_socket', 'socket'], ['os.fdopen', 'file']]);

/** Methods that store their arguments in a container the caller keeps (the container then owns them). */
export const CONTAINER_METHODS: ReadonlySet<string> = new Set(['append', 'add', 'put', 'put_nowait', 'insert', 'extend', 'setdefault', 'appendleft']);
/** Calls that cannot raise for our purposes (releases, container stores, and a few builtins). */
const NON_RAISING: ReadonlySet<string> = new Set(['len', 'isinstance', 'print', 'repr', 'id', 'type', 'callable', 'hasattr']);
const RELEASE_METHODS: ReadonlySet<string> = new Set(['close', 'detach']);

/** Local names bound by imports: `import socket as s` gives s → socket; `from socket import socket` gives socket → socket.socket. */
export class Imports {
  private readonly bound = new Map<string, string>();
  /** What the file's own functions and methods do (./summaries), for calls to them. */
  private localSummaries: LocalSummaries = NO_SUMMARIES;
  /** Module-level functions of the project's other modules that return a new resource, by resolved name (./projectModules). */
  private projectFunctions: ReadonlyMap<string, ResourceKind> = new Map();

  get local(): LocalSummaries {
    return this.localSummaries;
  }

  get project(): ReadonlyMap<string, ResourceKind> {
    return this.projectFunctions;
  }

  /** Sets what the project's other modules' functions return (before the file's own summaries are computed). */
  withProject(p: ReadonlyMap<string, ResourceKind>): this {
    this.projectFunctions = p;
    return this;
  }

  /** Sets the summaries of the file's functions (computed with these imports). */
  withLocal(s: LocalSummaries): this {
    this.localSummaries = s;
    return this;
  }

  /** The bindings of the import statements among `statements` (in document order: a later binding wins). */
  static of(statements: readonly Node[]): Imports {
    const imports = new Imports();
    for (const n of statements) {
      if (n.type === 'import_statement') {
        for (const c of named(n)) imports.bind(c, '');
      } else if (n.type === 'import_from_statement') {
        const mod = n.childForFieldName('module_name')?.text ?? '';
        for (const c of n.childrenForFieldName('name')) if (c) imports.bind(c, mod);
      }
    }
    return imports;
  }

  private bind(c: Node, fromModule: string): void {
    const prefix = fromModule ? `${fromModule}.` : '';
    if (c.type === 'dotted_name') {
      // `import os.path` binds `os`; `from m import x` binds `x`.
      const local = fromModule ? c.text : (c.text.split('.')[0] ?? c.text);
      this.bound.set(local, fromModule ? prefix + c.text : local);
    } else if (c.type === 'aliased_import') {
      const name = c.childForFieldName('name')?.text;
      const alias = c.childForFieldName('alias')?.text;
      if (name && alias) this.bound.set(alias, prefix + name);
    }
  }

  /** Every binding, as one string (part of a function's cache key). */
  fingerprint(): string {
    return [...this.bound].map(([local, full]) => `${local}=${full}`).sort().join(',') + `#${summariesFingerprint(this.localSummaries)}` +
      `#${[...this.projectFunctions].map(([k, v]) => `${k}:${v}`).sort().join(',')}`;
  }

  /** Whether an import binds the name. */
  binds(local: string): boolean {
    return this.bound.has(local);
  }

  resolve(local: string): string {
    return this.bound.get(local) ?? local;
  }

  /** A local name the imports bind to `qualified` (`o` for `import os as o` and `os`), or null. */
  localFor(qualified: string): string | null {
    for (const [local, q] of this.bound) if (q === qualified) return local;
    return null;
  }
}

/** The dotted callee of a call: `socket.socket`, `os.close`, `open`; null for computed callees. */
function dotted(fn: Node | null): string | null {
  const parts: string[] = [];
  let n = strip(fn);
  while (n && n.type === 'attribute') {
    const a = n.childForFieldName('attribute');
    if (!a) return null;
    parts.unshift(a.text);
    n = strip(n.childForFieldName('object'));
  }
  if (!n || n.type !== 'identifier') return null;
  parts.unshift(n.text);
  return parts.join('.');
}

export interface Callee {
  /** As written: `sock.close`, `socket.socket`. */
  readonly raw: string | null;
  /** With the first part resolved through the imports: `sk.socket` → `socket.socket`. */
  readonly resolved: string | null;
  /** The method or function name (last part). */
  readonly name: string | null;
  /** The receiver when the callee is `name.method` on a plain variable. */
  readonly receiver: string | null;
}

export function callee(call: Node, imports: Imports): Callee {
  const fn = strip(call.childForFieldName('function'));
  const raw = dotted(fn);
  let resolved: string | null = null;
  let receiver: string | null = null;
  let name: string | null = null;
  if (raw) {
    const dot = raw.indexOf('.');
    resolved = dot < 0 ? imports.resolve(raw) : imports.resolve(raw.slice(0, dot)) + raw.slice(dot);
  }
  if (fn?.type === 'attribute') {
    name = fn.childForFieldName('attribute')?.text ?? null;
    const obj = strip(fn.childForFieldName('object'));
    if (obj?.type === 'identifier') receiver = obj.text;
  } else if (fn?.type === 'identifier') {
    name = fn.text;
  }
  return { raw, resolved, name, receiver };
}

function lookup<T>(map: ReadonlyMap<string, T>, c: Callee): T | undefined {
  return (c.resolved !== null ? map.get(c.resolved) : undefined) ?? (c.raw !== null ? map.get(c.raw) : undefined);
}

/** How `call` acquires a resource, or null when it does not. */
export function acquireShape(call: Node, imports: Imports): AcquireShape | null {
  const c = callee(call, imports);
  const single = lookup(SINGLE, c);
  if (single) return { shape: 'single', kind: single };
  const wrap = lookup(WRAP, c);
  if (wrap) return { shape: 'wrap', kind: wrap };
  if (c.resolved === 'socket.socketpair' || c.raw === 'socket.socketpair') return { shape: 'pair' };
  if (c.name === 'wrap_socket' && c.raw !== null && c.raw !== 'wrap_socket') return { shape: 'wrap', kind: 'socket' };
  if (c.name === 'accept' && c.raw !== null && c.raw.includes('.')) return { shape: 'accept' };
  const local = calleeOf(call, imports);
  const kind = local ? (local.method ? imports.local.methodsReturning : imports.local.functionsReturning).get(local.name) : undefined;
  if (kind) return { shape: 'single', kind, local: true };
  // A function of another module of the project, called through the name an import binds (`netutil.bind_unix_socket(…)`).
  const project = c.resolved !== null && c.raw !== null && imports.binds(c.raw.split('.')[0]!) ? imports.project.get(c.resolved) : undefined;
  return project ? { shape: 'single', kind: project, local: true } : null;
}

/** The argument a wrapping call takes over: the first positional one, or `sock=` / `fd=`. */
export function wrappedArgument(call: Node): Node | null {
  const args = call.childForFieldName('arguments');
  if (!args) return null;
  for (const a of named(args)) {
    if (a.type === 'keyword_argument') {
      const k = a.childForFieldName('name')?.text;
      if (k === 'sock' || k === 'fd') return a.childForFieldName('value');
      continue;
    }
    return a;
  }
  return null;
}

/** The variable a call releases: `v.close()`, `v.detach()`, `os.close(v)`, `stack.enter_context(v)`, `closing(v)` (in `with`). */
export function releasedName(call: Node, imports: Imports): string | null {
  const c = callee(call, imports);
  const first = () => {
    const a = strip(wrappedArgument(call));
    return a?.type === 'identifier' ? a.text : null;
  };
  if (c.resolved === 'os.close' || c.raw === 'os.close') return first();
  if (c.name !== null && RELEASE_METHODS.has(c.name) && c.receiver !== null) return c.receiver;
  if (c.name === 'enter_context' || c.name === 'closing') return first();
  return null;
}

/** Whether a call is one we assume does not raise (releases, container stores, some builtins). */
export function isNonRaising(call: Node, imports: Imports): boolean {
  const c = callee(call, imports);
  if (c.name === null) return false;
  if (releasedName(call, imports) !== null) return true;
  // `closing(socket.socket())` only wraps what it is given (the inner call may raise on its own).
  if (c.resolved === 'contextlib.closing' || (c.raw === 'closing' && c.resolved === 'contextlib.closing')) return true;
  if (CONTAINER_METHODS.has(c.name) && c.raw !== null && c.raw.includes('.')) return true;
  return c.raw !== null && !c.raw.includes('.') && NON_RAISING.has(c.name);
}

/**
 * Calls that can raise in principle but practically never do on a socket or file the function just
 * made (a leak only when one of them raises is "pedantic": reported at information severity):
 * - socket options and queries: `setblocking`, `settimeout`, `setsockopt`, `getsockopt`, `gettimeout`,
 *   `getblocking`, `fileno`, `getsockname`, `set_inheritable`, `get_inheritable`;
 * - `listen()` on a socket (fails only when binding did);
 * - `bind()` to the loopback or any address with port 0 (`s.bind(("127.0.0.1", 0))`): the kernel picks a free port;
 * - unittest's `addCleanup` (appends to a list); a future's `set_result`/`set_exception`, and a new future
 *   (`Future()` of asyncio, concurrent.futures or tornado.concurrent, without arguments);
 * - logging: `debug`/`info`/`warning`/`warn`/`error`/`exception`/`critical`/`msg`/`err` called on a
 *   receiver named `log`, `logger`, `logging` (or `_log`, `self.log`, `self.logger`, …);
 * - `range()`; `os.dup2()` (of a descriptor the function holds onto a standard one); reading the clock
 *   (`time.time()`, `time.monotonic()`, `datetime.date.today()`, `datetime.datetime.now()`);
 * - `os.path` functions that compute on a string (`join`, `split`, `basename`, …, `exists`);
 * - a new socket with standard arguments (`socket.socket()`, `socket.socket(AF_INET, SOCK_STREAM)`,
 *   `socketpair()`): it fails only when the process is out of descriptors;
 * - `connect(srv.getsockname())`: connecting to a socket of one's own (also `connect(("127.0.0.1", port))`
 *   with `srv, port = …` and `srv.accept()` in the function: see RaiseContext.selfPorts in ./effects), and a
 *   connect to a loopback address at the port read from a listener of one's own (`srv.getsockname()[1]`,
 *   Twisted's `port.getHost().port`, tornado.testing's `self.get_http_port()`: `loopbackOwnPort`);
 * - setting close-on-exec (`_setCloseOnExec(fd)`, `set_cloexec`), `fcntl.fcntl(fd, F_GETFD/F_SETFD/F_GETFL/F_SETFL, …)`;
 * - registering a descriptor number with a poller or reactor (`poller.register(s.fileno())`,
 *   `self.registerHandle(skt.fileno())`, `add_reader`): a new descriptor is not registered yet.
 * Not here: `connect`, `accept`, `send`/`recv`: they fail for real. These tables refine `plausibleCall` below
 * (issue 13), which decides for every other call: only a call that plausibly fails makes an exception-only leak a warning.
 */
const UNLIKELY_METHODS: ReadonlySet<string> = new Set([
  'setblocking', 'settimeout', 'setsockopt', 'getsockopt', 'gettimeout', 'getblocking', 'fileno', 'getsockname',
  'set_inheritable', 'get_inheritable', 'listen', 'addCleanup',
  // A future's result: it raises only when the future is already done.
  'set_result', 'set_exception',
]);
/** A new future (`Future()`, no arguments): it only records its loop. */
const NEW_FUTURES: ReadonlySet<string> = new Set(['asyncio.Future', 'asyncio.futures.Future', 'concurrent.futures.Future', 'tornado.concurrent.Future']);
const LOG_METHODS: ReadonlySet<string> = new Set(['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'msg', 'err']);
const LOG_RECEIVER = /^_*(?:log|logger|logging)$/i;
const UNLIKELY_FUNCTIONS: ReadonlySet<string> = new Set(['range', 'os.dup2',
  // Reading the clock.
  'time.time', 'time.monotonic', 'time.perf_counter', 'datetime.date.today', 'datetime.datetime.now', 'datetime.datetime.utcnow']);
const LOCAL_ADDRESSES: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '::1', '', '0.0.0.0', '::']);

/** `os.path` functions that only compute on the string they are given (or test for a file): they practically never raise. */
const PURE_PATH_FUNCTIONS: ReadonlySet<string> = new Set(['join', 'split', 'basename', 'dirname', 'splitext', 'normpath', 'normcase',
  'isabs', 'exists', 'lexists', 'isdir', 'isfile', 'islink'].map((f) => `os.path.${f}`));
/** Constants of a socket() that any system supports: IPv4, Unix, stream, datagram, the default protocol. */
const STANDARD_SOCKET_ARGS: ReadonlySet<string> = new Set(['AF_INET', 'AF_UNIX', 'SOCK_STREAM', 'SOCK_DGRAM', 'IPPROTO_TCP', 'IPPROTO_UDP']);

/**
 * `socket.socket()`, `socket.socket(socket.AF_INET, socket.SOCK_STREAM)`, `socketpair()`: with the default
 * or standard arguments a new socket fails only when the process is out of descriptors.
 */
function standardSocketArguments(call: Node): boolean {
  const args = call.childForFieldName('arguments');
  return (args ? named(args) : []).every((a) => {
    const x = strip(a.type === 'keyword_argument' ? a.childForFieldName('value') : a);
    if (x?.type === 'integer') return x.text === '0';
    const last = x?.type === 'attribute' ? x.childForFieldName('attribute') : x;
    return last?.type === 'identifier' && STANDARD_SOCKET_ARGS.has(last.text);
  });
}

/**
 * `ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)` / `(PROTOCOL_TLS_CLIENT)`, the protocol given as that constant (positionally
 * or as `protocol=`) and nothing else: making a bare context allocates an OpenSSL context and sets its default options
 * and ciphers; it loads no file and asks no peer, so it fails only when memory runs out. Not without a protocol nor with
 * `PROTOCOL_TLS`/`PROTOCOL_SSLv23` (a DeprecationWarning since Python 3.10, an error where warnings are), nor with a
 * version-specific protocol (deprecated, or missing from the OpenSSL build: ValueError), nor with a protocol read from
 * a variable.
 */
const BARE_TLS_PROTOCOLS: ReadonlySet<string> = new Set(['ssl.PROTOCOL_TLS_SERVER', 'ssl.PROTOCOL_TLS_CLIENT']);
function bareTlsContext(call: Node, imports: Imports): boolean {
  const args = named(call.childForFieldName('arguments') ?? call);
  if (args.length !== 1) return false;
  const a = args[0]!;
  if (a.type === 'keyword_argument' && a.childForFieldName('name')?.text !== 'protocol') return false;
  const protocol = resolvedDotted(a.type === 'keyword_argument' ? a.childForFieldName('value') : a, imports);
  return protocol !== null && BARE_TLS_PROTOCOLS.has(protocol);
}

/** A helper that sets close-on-exec on a descriptor (`_setCloseOnExec(fd)`, `set_cloexec(fd)`): `fcntl(F_SETFD)`. */
const CLOSE_ON_EXEC = /^_*(?:set_?)?(?:close_?on_?exec|cloexec)$/i;
const DESCRIPTOR_FLAG_COMMANDS: ReadonlySet<string> = new Set(['F_GETFD', 'F_SETFD', 'F_GETFL', 'F_SETFL']);

/** Registering with a poller or reactor: `register`, `registerHandle`, `addHandle`, `add_reader`, `addWriter`. */
const REGISTRATION = /^_*(?:register|add_?(?:handle|reader|writer))/i;

/** `s.fileno()`: the descriptor number of an object (what a poller registration is given). */
function descriptorNumber(arg: Node): boolean {
  const a = strip(arg);
  const fn = a?.type === 'call' ? strip(a.childForFieldName('function')) : null;
  return fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'fileno' && (a!.childForFieldName('arguments')?.namedChildCount ?? 0) === 0;
}

/** `fcntl.F_SETFD` and the like: reading or setting a valid descriptor's flags does not fail (locks may). */
function descriptorFlagCommand(arg: Node | null): boolean {
  const a = strip(arg);
  const last = a?.type === 'attribute' ? a.childForFieldName('attribute') : a;
  return last?.type === 'identifier' && DESCRIPTOR_FLAG_COMMANDS.has(last.text);
}

/** `srv.getsockname()`: the address of a socket the caller holds (connecting to it is connecting to oneself). */
function selfAddress(arg: Node | null): boolean {
  const a = strip(arg);
  const fn = a?.type === 'call' ? strip(a.childForFieldName('function')) : null;
  return fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'getsockname' && (a!.childForFieldName('arguments')?.namedChildCount ?? 0) === 0;
}

/** `("127.0.0.1", 0)`: a local or any address with port 0. */
function ephemeralLocalAddress(arg: Node | null): boolean {
  const a = strip(arg);
  if (!a || a.type !== 'tuple') return false;
  const parts = named(a);
  if (parts.length < 2) return false;
  const host = strip(parts[0]!);
  const port = strip(parts[1]!);
  if (port?.type !== 'integer' || port.text !== '0') return false;
  const content = plainString(host);
  return content !== null && LOCAL_ADDRESSES.has(content);
}

const LOOPBACK: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '::1']);

/** `("127.0.0.1", port)`, `("localhost", …)`: the port expression of a two-element address tuple whose host is a loopback literal, else null. */
function loopbackAddressPort(arg: Node | null): Node | null {
  const a = strip(arg);
  const parts = a?.type === 'tuple' ? named(a) : [];
  if (parts.length !== 2) return null;
  const host = plainString(parts[0]!);
  return host !== null && LOOPBACK.has(host) ? strip(parts[1]!) : null;
}

/** `("127.0.0.1", port)`: a loopback address whose port is a name; that name, else null. */
export function loopbackPortName(arg: Node | null): string | null {
  const port = loopbackAddressPort(arg);
  return port?.type === 'identifier' ? port.text : null;
}

/** A dotted base-class expression resolved through the imports (`testing.AsyncHTTPTestCase` after `from tornado import testing`). */
function resolvedDotted(e: Node | null, imports: Imports): string | null {
  const x = strip(e);
  if (x?.type !== 'identifier' && x?.type !== 'attribute') return null;
  const text = x.text;
  if (!/^[A-Za-z_][\w.]*$/.test(text)) return null;
  const dot = text.indexOf('.');
  return dot < 0 ? imports.resolve(text) : imports.resolve(text.slice(0, dot)) + text.slice(dot);
}

const TORNADO_HTTP_CASES: ReadonlySet<string> = new Set(['tornado.testing.AsyncHTTPTestCase', 'tornado.testing.AsyncHTTPSTestCase']);

/**
 * Whether a class derives from tornado.testing's AsyncHTTPTestCase or AsyncHTTPSTestCase (as the file imports it, or through
 * classes of the file) with no class on the way defining its own `get_http_port`: then `self.get_http_port()` is the port of
 * the server the test case started and listens on for the test.
 */
function tornadoHttpCase(cls: Node, imports: Imports, depth = 0): boolean {
  if (depth > 8) return false;
  const body = cls.childForFieldName('body');
  if (body && scopeBindings(body).some((b) => b.name === 'get_http_port' || b.kind === 'star')) return false;
  const root = cls.tree.rootNode;
  for (const base of named(cls.childForFieldName('superclasses') ?? cls).filter((b) => b.parent?.type === 'argument_list')) {
    const q = resolvedDotted(base, imports);
    if (q === null) continue;
    if (TORNADO_HTTP_CASES.has(q)) return true;
    if (q.includes('.') || imports.binds(q)) continue;
    // A class of the file (module level) of that name.
    const local = named(root).map((n) => (n.type === 'decorated_definition' ? n.childForFieldName('definition') : n))
      .filter((n): n is Node => n?.type === 'class_definition' && n.childForFieldName('name')?.text === q);
    if (local.length === 1 && tornadoHttpCase(local[0]!, imports, depth + 1)) return true;
  }
  return false;
}

/** Hosts a listener may be bound to and still take a connection to a loopback address (any address, or loopback). */
function loopbackReachable(host: Node | null): boolean {
  const h = plainString(host);
  return h !== null && LOCAL_ADDRESSES.has(h);
}

/** The argument of a call given by position `index` or by keyword `name`, or undefined when it is not given. */
function argument(call: Node, index: number, name: string): Node | null | undefined {
  const args = named(call.childForFieldName('arguments') ?? call);
  if (args.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return null;
  const kw = args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name);
  if (kw) return kw.childForFieldName('value');
  return args.filter((a) => a.type !== 'keyword_argument')[index];
}

/**
 * Whether `holder` (a name, or `self.x`) is shown to be a listener the process holds, by the code of the function it is
 * read in (for a name) or of its class (for `self.x`):
 * - `socket`: a socket it calls `listen()` or `accept()` on, or one it got from `socket.create_server(…)` or
 *   tornado.testing's `bind_unused_port()` (`sock, port = bind_unused_port()`);
 * - `twisted`: a port it got from `reactor.listenTCP(…)` / `listenSSL(…)`.
 * Not when it is bound (`bind`, `create_server`'s address, `interface=`) to anything but a literal any or loopback
 * address (a listener on another interface refuses a loopback connection), nor when its name is bound otherwise too.
 */
function shownListening(holder: Node | null, kind: 'socket' | 'twisted', imports: Imports): boolean {
  const h = strip(holder);
  if (!h) return false;
  const fn = enclosingFunction(h);
  let scope: Node | null;
  let key: string;
  if (h.type === 'identifier') {
    key = h.text;
    scope = fn ? fn.childForFieldName('body') : h.tree.rootNode;
    // A parameter is the caller's object: shown only by what the function itself does with it.
  } else if (h.type === 'attribute' && strip(h.childForFieldName('object'))?.text === 'self' && fn) {
    key = h.text.replace(/\s+/g, '');
    const cls = enclosingClass(fn);
    scope = cls ? cls.childForFieldName('body') : null;
  } else return false;
  if (!scope) return false;
  const inClass = h.type === 'attribute';
  let listening = false;
  let spoiled = false;
  const same = (e: Node | null): boolean => {
    const x = strip(e);
    return x !== null && (x.type === 'identifier' || x.type === 'attribute') && x.text.replace(/\s+/g, '') === key;
  };
  walk(scope, (n) => {
    if (spoiled) return false;
    // A name's own function only; `self.x` in every method of the class.
    if (n !== scope && (n.type === 'lambda' || n.type === 'class_definition' || (!inClass && DEFERRED.has(n.type)))) return false;
    if (n.type === 'call') {
      const f = strip(n.childForFieldName('function'));
      const method = f?.type === 'attribute' ? f.childForFieldName('attribute')?.text : null;
      if (f?.type === 'attribute' && same(f.childForFieldName('object'))) {
        if (kind === 'socket' && (method === 'listen' || method === 'accept')) listening = true;
        if (method === 'bind') {
          const address = strip(argument(n, 0, 'address') ?? null);
          const parts = address?.type === 'tuple' ? named(address) : [];
          if (parts.length < 2 || !loopbackReachable(parts[0]!)) spoiled = true;
        }
      }
    } else if (n.type === 'assignment') {
      const left = strip(n.childForFieldName('left'));
      const right = strip(n.childForFieldName('right'));
      const elements = left?.type === 'pattern_list' || left?.type === 'tuple_pattern' ? named(left) : null;
      const whole = same(left);
      const first = elements !== null && same(elements[0] ?? null);
      if (!whole && !first) {
        if (elements?.some((e) => same(e))) spoiled = true;
        return true;
      }
      // `self.port = None` (before listening, after stopping) makes no other listener of it.
      if (right?.type === 'none' && whole) return true;
      const c = right?.type === 'call' ? callee(right, imports) : null;
      if (c === null) spoiled = true;
      else if (kind === 'socket' && whole && c.resolved === 'socket.create_server') {
        const address = strip(argument(right!, 0, 'address') ?? null);
        const parts = address?.type === 'tuple' ? named(address) : [];
        if (parts.length >= 2 && loopbackReachable(parts[0]!)) listening = true;
        else spoiled = true;
      } else if (kind === 'socket' && first && c.resolved === 'tornado.testing.bind_unused_port') {
        const address = argument(right!, 1, 'address');
        if (address === undefined || loopbackReachable(address)) listening = true;
        else spoiled = true;
      } else if (kind === 'twisted' && whole && (c.name === 'listenTCP' || c.name === 'listenSSL')) {
        const iface = argument(right!, 2, 'interface');
        if (iface === undefined || loopbackReachable(iface)) listening = true;
        else spoiled = true;
      } else if (kind === 'socket' && whole && (c.name === 'accept' || acquireShape(right!, imports) !== null)) {
        // `conn, _ = srv.accept()` binds another name; a new socket (`s = socket.socket()`) is shown listening by its listen().
        if (c.name === 'accept') spoiled = true;
      } else spoiled = true;
    }
    return true;
  });
  return listening && !spoiled;
}

/**
 * The port of a listener the process itself holds, read at run time from it: `srv.getsockname()[1]` of a socket shown
 * listening (`shownListening`), Twisted's `port.getHost().port` of a port from `listenTCP`, and `self.get_http_port()` in
 * a tornado.testing AsyncHTTPTestCase that does not define its own (`tornadoHttpCase`); or a local name holding one
 * (`listenerPortName`).
 */
function ownListeningPort(e: Node | null, imports: Imports, viaName = false): boolean {
  const x = strip(e);
  if (x?.type === 'identifier' && !viaName) return listenerPortName(x, imports);
  if (x?.type === 'subscript') {
    const index = named(x).slice(1);
    if (index.length !== 1 || index[0]!.type !== 'integer' || index[0]!.text !== '1') return false;
    const call = strip(x.childForFieldName('value'));
    if (!selfAddress(call)) return false;
    return shownListening(strip(call!.childForFieldName('function'))!.childForFieldName('object'), 'socket', imports);
  }
  if (x?.type === 'attribute' && x.childForFieldName('attribute')?.text === 'port') {
    const call = strip(x.childForFieldName('object'));
    const fn = call?.type === 'call' ? strip(call.childForFieldName('function')) : null;
    if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'getHost' || (call!.childForFieldName('arguments')?.namedChildCount ?? 0) !== 0) return false;
    return shownListening(fn.childForFieldName('object'), 'twisted', imports);
  }
  if (x?.type === 'call') {
    const fn = strip(x.childForFieldName('function'));
    const obj = fn?.type === 'attribute' ? strip(fn.childForFieldName('object')) : null;
    if (obj?.type !== 'identifier' || obj.text !== 'self' || fn!.childForFieldName('attribute')?.text !== 'get_http_port' ||
      (x.childForFieldName('arguments')?.namedChildCount ?? 0) !== 0) return false;
    const method = enclosingFunction(x);
    const cls = method ? enclosingClass(method) : null;
    return cls !== null && tornadoHttpCase(cls, imports);
  }
  return false;
}

/**
 * A local name read at `use` that holds the port of a listener of the process's own: the function binds it once and
 * only there, by a statement before `use`, either to such a port (`port = srv.getsockname()[1]`) or, unpacking the
 * listener's own address, as the second of two names (`host, port = srv.getsockname()`: an IPv4 address is
 * `(host, port)`; the 4-tuple of IPv6 raises there, before any connect). A name bound once has that value wherever it
 * is read (unbound, the read raises NameError first); not a parameter, `global` or `nonlocal` name, nor one bound
 * again or in a loop's target.
 */
function listenerPortName(use: Node, imports: Imports): boolean {
  const fn = enclosingFunction(use);
  const body = fn?.childForFieldName('body');
  if (!fn || !body) return false;
  // A lambda's parameter of that name would shadow it.
  for (let p = use.parent; p && p.id !== fn.id; p = p.parent) if (p.type === 'lambda') return false;
  const params = fn.childForFieldName('parameters');
  if (params && identifiersIn(params).some((i) => i.text === use.text)) return false;
  const bindings = scopeBindings(body).filter((b) => b.name === use.text || b.kind === 'star');
  if (bindings.length !== 1 || bindings[0]!.kind !== 'assign') return false;
  const assignment = bindings[0]!.node;
  if (assignment.endIndex > use.startIndex) return false;
  const left = strip(assignment.childForFieldName('left'));
  const right = assignment.childForFieldName('right');
  if (left?.type === 'identifier') return ownListeningPort(right, imports, true);
  const names = left?.type === 'pattern_list' || left?.type === 'tuple_pattern' ? named(left) : [];
  if (names.length !== 2 || names[1]!.type !== 'identifier' || names[1]!.text !== use.text || names[0]!.type !== 'identifier') return false;
  if (!selfAddress(right)) return false;
  return shownListening(strip(strip(right)!.childForFieldName('function'))!.childForFieldName('object'), 'socket', imports);
}

/**
 * `("127.0.0.1", srv.getsockname()[1])`, `("127.0.0.1", port.getHost().port)`, `("localhost", self.get_http_port())`:
 * a loopback address at the port of a listener of the process's own (`ownListeningPort`). Connecting there is
 * queued by the kernel on that listener: it is not refused and does not time out.
 */
function loopbackOwnPort(arg: Node | null, imports: Imports): boolean {
  const port = loopbackAddressPort(arg);
  return port !== null && ownListeningPort(port, imports);
}

/** Whether a call practically never raises (see UNLIKELY_METHODS): a leak that needs it to raise is pedantic. */
export function isUnlikelyRaiser(call: Node, imports: Imports): boolean {
  const c = callee(call, imports);
  if (c.name === null || c.raw === null) return false;
  if (c.resolved === 'socket.socket' || c.resolved === 'socket.socketpair') return standardSocketArguments(call);
  if (c.resolved === 'ssl.SSLContext') return bareTlsContext(call, imports);
  if (c.resolved !== null && NEW_FUTURES.has(c.resolved)) return named(call.childForFieldName('arguments') ?? call).length === 0;
  if (!c.raw.includes('.')) return UNLIKELY_FUNCTIONS.has(c.name);
  if (c.resolved !== null && (UNLIKELY_FUNCTIONS.has(c.resolved) || PURE_PATH_FUNCTIONS.has(c.resolved))) return true;
  if (c.name === 'connect') {
    const address = named(call.childForFieldName('arguments') ?? call)[0] ?? null;
    if (selfAddress(address) || loopbackOwnPort(address, imports)) return true;
  }
  if (CLOSE_ON_EXEC.test(c.name)) return true;
  if (REGISTRATION.test(c.name) && named(call.childForFieldName('arguments') ?? call).some(descriptorNumber)) return true;
  if (c.resolved === 'fcntl.fcntl') return descriptorFlagCommand(named(call.childForFieldName('arguments') ?? call)[1] ?? null);
  if (UNLIKELY_METHODS.has(c.name)) return true;
  if (c.name === 'bind') return ephemeralLocalAddress(named(call.childForFieldName('arguments') ?? call)[0] ?? null);
  const parts = c.raw.split('.');
  return LOG_METHODS.has(c.name) && LOG_RECEIVER.test(parts[parts.length - 2] ?? '');
}

/**
 * Calls known to only use what they are given (a borrow): Python has no summaries of project
 * functions, so any other call that receives a resource as an argument is taken to keep it (a
 * hand-off: silence rather than a guess). Borrowers are:
 * - functions of standard modules that act on a descriptor or file and keep nothing (`os.write(fd, b)`,
 *   `os.fstat`, `select.select([s], …)`, `fcntl.fcntl`, `json.dump(x, f)`, `shutil.copyfileobj`,
 *   `socket.fromfd` (which duplicates); not `socket.socket(fileno=fd)`, which takes the descriptor over);
 * - builtins that inspect a value (`print(…, file=f)`, `isinstance`, `len`, `repr`, `getattr`, …);
 * - unittest assertions (`self.assertEqual(s, …)`, `self.fail(…)`) and logging calls (`log.msg(f)`);
 * - string formatting and container look-ups or removals (`"{}".format(s)`, `conns.remove(s)`).
 */
const BORROW_MODULES: ReadonlySet<string> = new Set([
  'os', 'os.path', 'select', 'fcntl', 'termios', 'tty', 'json', 'pickle', 'marshal', 'shutil', 'struct', 'time',
  'errno', 'stat', 'socket', 'warnings', 'traceback', 'pprint', 'mmap', 'msvcrt',
]);
const BORROW_BUILTINS: ReadonlySet<string> = new Set([
  'print', 'len', 'isinstance', 'issubclass', 'repr', 'str', 'id', 'type', 'hasattr', 'getattr', 'callable', 'hash',
  'bool', 'int', 'float', 'format', 'vars', 'dir', 'iter', 'next', 'sorted', 'min', 'max', 'super',
]);
const BORROW_METHODS: ReadonlySet<string> = new Set(['format', 'join', 'get', 'index', 'count', 'remove', 'discard', 'unregister', 'fail']);

/** Whether a call only borrows the resources passed to it (see BORROW_MODULES). */
export function isBorrowingCall(call: Node, imports: Imports): boolean {
  const c = callee(call, imports);
  const fn = strip(call.childForFieldName('function'));
  if (fn?.type === 'attribute') {
    const obj = strip(fn.childForFieldName('object'));
    // `"…".format(s)`, `b"".join(parts)`: a literal's method keeps nothing.
    if (obj && (obj.type === 'string' || obj.type === 'concatenated_string')) return true;
  }
  if (c.name === null || c.raw === null) return false;
  // `raise ValueError(s)`: an exception keeps nothing anyone closes.
  if (/(?:Error|Exception|Warning)$/.test(c.name)) return true;
  if (!c.raw.includes('.')) return BORROW_BUILTINS.has(c.name) && c.resolved === c.raw;
  if (c.resolved === 'socket.socket') return false;
  const resolved = c.resolved ?? c.raw;
  const module = resolved.slice(0, resolved.lastIndexOf('.'));
  if (BORROW_MODULES.has(module)) return true;
  if (BORROW_METHODS.has(c.name) || /^assert/.test(c.name)) return true;
  const parts = c.raw.split('.');
  return LOG_METHODS.has(c.name) && LOG_RECEIVER.test(parts[parts.length - 2] ?? '');
}

/** Whether a call is to a function in the ownershipTransfers setting (matched on the dotted name or its last part). */
export function isTransfer(call: Node, imports: Imports, transfers: ReadonlySet<string>): boolean {
  if (transfers.size === 0) return false;
  const c = callee(call, imports);
  return (c.raw !== null && transfers.has(c.raw)) || (c.resolved !== null && transfers.has(c.resolved)) ||
    (c.name !== null && transfers.has(c.name));
}

/** `os.close(v)` under whatever name the imports give it: `v` is the call's one argument, a plain name. */
export function isDescriptorClose(call: Node, v: string, imports: Imports): boolean {
  const c = callee(call, imports);
  const args = call.childForFieldName('arguments');
  const a = args ? named(args) : [];
  return (c.resolved === 'os.close' || c.raw === 'os.close') && a.length === 1 && a[0]!.type === 'identifier' && a[0]!.text === v;
}

/**
 * Exception classes that are strict subclasses of OSError: a handler naming only these lets every other
 * OSError through (`except BlockingIOError:` around `s.connect(path)` does not catch FileNotFoundError
 * or ConnectionRefusedError). Bare builtins, and the classes of `socket` and `ssl` by their qualified name.
 */
const NARROW_OS_ERRORS: ReadonlySet<string> = new Set([
  'BlockingIOError', 'ChildProcessError', 'ConnectionError', 'BrokenPipeError', 'ConnectionAbortedError',
  'ConnectionRefusedError', 'ConnectionResetError', 'FileExistsError', 'FileNotFoundError', 'InterruptedError',
  'IsADirectoryError', 'NotADirectoryError', 'PermissionError', 'ProcessLookupError', 'TimeoutError',
  'socket.timeout', 'socket.gaierror', 'socket.herror',
  'ssl.SSLError', 'ssl.SSLZeroReturnError', 'ssl.SSLWantReadError', 'ssl.SSLWantWriteError', 'ssl.SSLSyscallError',
  'ssl.SSLEOFError', 'ssl.SSLCertVerificationError', 'ssl.CertificateError',
]);

/** The exception class expressions an `except` clause names (`except (A, b.C) as e:` gives A and b.C); empty for a bare `except:`. */
function handlerClasses(handler: Node): Node[] {
  const out: Node[] = [];
  const add = (x: Node | null): void => {
    const e = strip(x);
    if (!e) return;
    if (e.type === 'as_pattern') add(named(e)[0] ?? null);
    else if (e.type === 'tuple' || e.type === 'expression_list') for (const c of named(e)) add(c);
    else out.push(e);
  };
  const alias = handler.childForFieldName('alias');
  for (const c of named(handler)) if (c.type !== 'block' && c.type !== 'comment' && c.id !== alias?.id) add(c);
  return out;
}

/**
 * Whether an `except` clause catches only some OSErrors, naming nothing but strict subclasses of OSError
 * (NARROW_OS_ERRORS, written bare, qualified or imported by name). A bare `except:`, `except OSError`,
 * `socket.error`, `IOError`, `Exception`, `BaseException`, an `except*` group clause and any class not
 * known here (a project's own) are taken to catch everything.
 */
export function catchesOnlySomeOsErrors(handler: Node, imports: Imports): boolean {
  if (handler.type !== 'except_clause') return false;
  const classes = handlerClasses(handler);
  return classes.length > 0 && classes.every((c) => {
    const raw = c.type === 'identifier' || c.type === 'attribute' ? c.text.replace(/\s+/g, '') : null;
    if (raw === null) return false;
    const dot = raw.indexOf('.');
    const name = (dot < 0 ? imports.resolve(raw) : imports.resolve(raw.slice(0, dot)) + raw.slice(dot)).replace(/^builtins\./, '');
    if (NARROW_OS_ERRORS.has(name)) return true;
    // `socket.ConnectionResetError` and the like: a builtin the socket module re-exports.
    const reexported = /^(?:socket|ssl)\.(\w+)$/.exec(name);
    return reexported !== null && NARROW_OS_ERRORS.has(reexported[1]!);
  });
}

/** Methods of a socket or file object that do I/O and fail with an OSError in everyday use (a refused or reset connection, a missing path). */
const IO_METHODS: ReadonlySet<string> = new Set([
  'connect', 'accept', 'bind', 'send', 'sendall', 'sendto', 'sendmsg', 'sendfile', 'recv', 'recv_into', 'recvfrom',
  'recvfrom_into', 'recvmsg', 'read', 'readline', 'readlines', 'readinto', 'write', 'writelines', 'flush', 'do_handshake',
]);
const IO_FUNCTIONS: ReadonlySet<string> = new Set(['os.read', 'os.write', 'os.sendfile', 'socket.create_connection']);

/** A socket or file I/O call (`s.connect(path)`, `f.read()`, `os.write(fd, b)`): one that may raise an OSError a narrow handler lets through. */
export function isIoCall(call: Node, imports: Imports): boolean {
  const c = callee(call, imports);
  if (c.name === null || c.raw === null) return false;
  if (c.resolved !== null && IO_FUNCTIONS.has(c.resolved)) return true;
  return c.raw.includes('.') && IO_METHODS.has(c.name) && !c.raw.startsWith('os.') && !c.raw.startsWith('socket.');
}

/**
 * Issue 13: an exception-only leak (the leaking exit is an exception out of a call) is a warning only
 * when the call plausibly fails at runtime; any other call is taken to practically never raise, and the
 * leak is reported at information severity. The calls that plausibly fail, without looking at the
 * function's own context (./effects adds the resources the function holds and the file's own functions):
 * - socket and file I/O (`isIoCall`: `connect`, `accept`, `send*`, `recv*`, `read*`, `write*`, `flush`,
 *   `do_handshake`, `os.read`, …) and the other methods that ask the kernel or the peer for something
 *   (PLAUSIBLE_METHODS: `shutdown`, `makefile`, `wrap_socket`, `getpeername`, `open`, `seek`, …);
 * - functions of the standard library's network, file and OS modules (PLAUSIBLE_MODULES: `socket.*`,
 *   `ssl.*`, `select.*`, `os.*`, `shutil.*`, `subprocess.*`, `tempfile.*`, …), but not those that only
 *   compute or read the process's own state (QUIET_OS_FUNCTIONS, `tempfile.mktemp`, and the tables of
 *   `isUnlikelyRaiser`), and the builtin `open`;
 * - `open`, `json.dump`/`load` and the like (they read or write a file), `warnings.warn` (it raises where
 *   warnings are errors, as in many test suites);
 * - a call that acquires another resource (`acquireShape`);
 * - a test assertion (`self.assertEqual(…)`, `self.fail(…)`): raising is what it is for;
 * - a call whose result is awaited (the task may be cancelled there).
 */
const PLAUSIBLE_METHODS: ReadonlySet<string> = new Set([
  'shutdown', 'makefile', 'wrap_socket', 'unwrap', 'getpeername', 'connect_ex', 'sendfile', 'open', 'seek', 'truncate',
  'drain', 'readexactly', 'readuntil', 'start_tls', 'getaddrinfo', 'create_connection', 'create_server',
]);
const PLAUSIBLE_MODULES: ReadonlySet<string> = new Set([
  'socket', 'ssl', 'select', 'selectors', 'os', 'os.path', 'shutil', 'subprocess', 'fcntl', 'termios', 'tty', 'pty',
  'tempfile', 'io', 'mmap', 'urllib.request', 'http.client', 'ftplib', 'smtplib', 'poplib', 'imaplib', 'telnetlib',
]);
/** Other functions that plausibly fail: opening a file, reading or writing a serialised value through a file, a warning. */
const PLAUSIBLE_FUNCTIONS: ReadonlySet<string> = new Set(['open', 'io.open', 'builtins.open', 'warnings.warn',
  'json.dump', 'json.load', 'pickle.dump', 'pickle.load', 'marshal.dump', 'marshal.load']);
/** Functions of those modules that only compute or read the process's own state. */
const QUIET_OS_FUNCTIONS: ReadonlySet<string> = new Set([
  'os.getpid', 'os.getppid', 'os.getuid', 'os.geteuid', 'os.getgid', 'os.getegid', 'os.getenv', 'os.fspath',
  'os.fsencode', 'os.fsdecode', 'os.strerror', 'os.cpu_count', 'os.get_terminal_size', 'os.umask',
  'os.path.abspath', 'os.path.expanduser', 'os.path.expandvars', 'os.path.relpath', 'os.path.commonprefix',
  'socket.htons', 'socket.ntohs', 'socket.htonl', 'socket.ntohl', 'socket.has_ipv6', 'socket.getdefaulttimeout',
  'socket.setdefaulttimeout', 'tempfile.mktemp', 'tempfile.gettempdir', 'tempfile.gettempprefix', 'io.BytesIO', 'io.StringIO',
]);

/** Whether a call plausibly fails at runtime, by what it is (see PLAUSIBLE_METHODS); `isUnlikelyRaiser` is asked first by the caller. */
export function plausibleCall(call: Node, imports: Imports): boolean {
  if (call.parent?.type === 'await') return true;
  const c = callee(call, imports);
  if (c.name === null || c.raw === null) return false;
  if (isIoCall(call, imports) || acquireShape(call, imports) !== null) return true;
  const resolved = c.resolved ?? c.raw;
  if (PLAUSIBLE_FUNCTIONS.has(resolved)) return true;
  if (c.raw.includes('.')) {
    const module = resolved.slice(0, resolved.lastIndexOf('.'));
    if (imports.binds(c.raw.split('.')[0]!) && PLAUSIBLE_MODULES.has(module)) return !QUIET_OS_FUNCTIONS.has(resolved);
    if (c.receiver === 'self' && (/^assert/.test(c.name) || /^fail(?:[A-Z]|$)/.test(c.name))) return true;
    return PLAUSIBLE_METHODS.has(c.name);
  }
  // `from socket import create_connection`: a function of one of those modules bound by name.
  const dot = resolved.lastIndexOf('.');
  return dot > 0 && PLAUSIBLE_MODULES.has(resolved.slice(0, dot)) && !QUIET_OS_FUNCTIONS.has(resolved);
}

/**
 * A statement that is only a call ending the process: `os._exit(…)` (`ends`: the OS closes every descriptor
 * at once, like C's `_exit`), or `sys.exit(…)` and the builtins `exit(…)`/`quit(…)` (they raise SystemExit,
 * which a handler or a caller may catch). `defined`: names the file defines itself (they shadow the builtins).
 */
export function processExit(stmt: Node, imports: Imports, defined: ReadonlySet<string>): { call: Node; ends: boolean } | null {
  const kids = named(stmt);
  const call = kids.length === 1 ? strip(kids[0]!) : null;
  if (call?.type !== 'call') return null;
  const c = callee(call, imports);
  if (c.raw === null || c.resolved === null) return null;
  const head = c.raw.split('.')[0]!;
  if (c.raw.includes('.') || imports.binds(head)) {
    if (!imports.binds(head)) return null;
    if (c.resolved === 'os._exit') return { call, ends: true };
    if (c.resolved === 'sys.exit') return { call, ends: false };
    return null;
  }
  return (c.raw === 'exit' || c.raw === 'quit') && !defined.has(c.raw) ? { call, ends: false } : null;
}

/**
 * Functions of standard modules that Python 3 no longer has: the string module's Python 2 functions
 * (`string.join`, `string.split`, `string.atoi`, …), `os.getcwdu`, itertools' `izip`, `imap`, `ifilter`,
 * `ifilterfalse`, `izip_longest`. Calling one raises AttributeError, every time.
 */
const REMOVED_IN_PYTHON3: ReadonlySet<string> = new Set([
  ...['atof', 'atoi', 'atol', 'capitalize', 'expandtabs', 'find', 'rfind', 'index', 'rindex', 'count', 'lower', 'upper',
    'split', 'splitfields', 'join', 'joinfields', 'lstrip', 'rstrip', 'strip', 'swapcase', 'translate', 'ljust', 'rjust',
    'center', 'zfill', 'replace', 'maketrans'].map((f) => `string.${f}`),
  'os.getcwdu', ...['izip', 'imap', 'ifilter', 'ifilterfalse', 'izip_longest'].map((f) => `itertools.${f}`),
]);

/** Expressions whose parts are all evaluated when they are (no short circuit, no deferred or conditional part). */
const EAGER = new Set(['argument_list', 'call', 'binary_operator', 'unary_operator', 'parenthesized_expression', 'attribute',
  'subscript', 'tuple', 'list', 'set', 'dictionary', 'pair', 'keyword_argument', 'expression_list', 'list_splat', 'dictionary_splat',
  'assignment', 'augmented_assignment', 'interpolation', 'string', 'concatenated_string', 'await']);

/** Whether `name` is bound in `body` by its own code (syntax `scopeBindings`; `from m import *` may bind it). */
function bindsName(body: Node, name: string): boolean {
  return scopeBindings(body).some((b) => b.name === name || b.kind === 'star');
}

/**
 * What a file tells of how to read it as Python 3 (`removedInPython3`): the names its module-level code binds
 * other than by importing (`string = "abc"`, `def string(…)`, a comprehension's or `:=`'s variable, a name a
 * function declares `global`, `*` for `from m import *`: they may shadow an import), and whether it is Python 2 code.
 */
export interface ModuleFacts {
  readonly rebound: ReadonlySet<string>;
  readonly python2: boolean;
}

/** The names module-level code of a file binds other than by importing, and any name a function of it declares `global` (see ModuleFacts). */
export function moduleRebound(root: Node, find: NodesOfType = nodesOfType(root)): Set<string> {
  const out = new Set<string>();
  for (const b of scopeBindings(root)) if (b.kind !== 'import') out.add(b.name);
  for (const g of find('global_statement')) for (const c of named(g)) if (c.type === 'identifier') out.add(c.text);
  return out;
}

/**
 * Whether a file has syntax only Python 2 accepts: a `print` or `exec` statement, `except E, e:`, an octal
 * literal written `0777`. Such a file is run by Python 2, where the functions of REMOVED_IN_PYTHON3 exist.
 */
export function python2Syntax(root: Node, find: NodesOfType = nodesByType(root, PYTHON2_NODES)): boolean {
  // A search in the parser for the nodes of those types (a walk here would call into it for every node).
  return find('print_statement').length > 0 || find('exec_statement').length > 0 ||
    find('except_clause').some((n) => n.childrenForFieldName('value').length >= 2) ||
    find('integer').some((n) => /^0\d+[lL]?$/.test(n.text) && !/^0+$/.test(n.text));
}

/** The node types `python2Syntax` looks for. */
const PYTHON2_NODES = ['print_statement', 'exec_statement', 'except_clause', 'integer'];

/** The node types `moduleFacts` looks for (to be found with others in one search: ./syntax `nodesByType`). */
export const MODULE_FACT_NODES: readonly string[] = [...PYTHON2_NODES, 'global_statement'];

export function moduleFacts(root: Node, find: NodesOfType = nodesByType(root, MODULE_FACT_NODES)): ModuleFacts {
  return { rebound: moduleRebound(root, find), python2: python2Syntax(root, find) };
}

/** A test of the Python version (`six.PY2`, `PY3`, `sys.version_info < (3,)`, `sys.hexversion`, `sys.version.startswith("2")`). */
const VERSION_TEST = /\b(?:_*(?:IS_?)?PY(?:THON)?_?[23]K?|PY[23]\d|version_info|hexversion)\b|\bsys\s*\.\s*version\b/i;

/** Whether `node` lies in any branch of an `if`/`elif` or a conditional expression that tests the Python version. */
function underVersionTest(node: Node): boolean {
  for (let p: Node | null = node.parent; p; p = p.parent) {
    if (p.type === 'if_statement') {
      const tests = [p.childForFieldName('condition'), ...p.childrenForFieldName('alternative').filter((a) => a?.type === 'elif_clause').map((a) => a!.childForFieldName('condition'))];
      if (tests.some((t) => t && VERSION_TEST.test(t.text))) return true;
    } else if (p.type === 'conditional_expression') {
      const test = named(p)[1];
      if (test && VERSION_TEST.test(test.text)) return true;
    }
  }
  return false;
}

/**
 * `string.join(…)` and the other functions Python 3's module does not have (REMOVED_IN_PYTHON3), called through
 * the name an `import` of the module binds, where no parameter or local of the enclosing functions and no module-level
 * binding rebinds that name (`def strip(self, string): string.find(…)` is str.find); not in a Python 2 file nor under a
 * test of the Python version (`if six.PY2:`), where the call is meant for Python 2.
 */
export function removedInPython3(call: Node, imports: Imports, facts: ModuleFacts): boolean {
  if (facts.python2) return false;
  const c = callee(call, imports);
  if (c.raw === null || c.resolved === null || !c.raw.includes('.') || !REMOVED_IN_PYTHON3.has(c.resolved)) return false;
  const head = c.raw.split('.')[0]!;
  if (c.raw.split('.').length !== 2 || !imports.binds(head) || facts.rebound.has(head) || facts.rebound.has('*')) return false;
  for (let p: Node | null = call.parent; p; p = p.parent) {
    if (p.type !== 'function_definition' && p.type !== 'lambda' && p.type !== 'class_definition') continue;
    const params = p.childForFieldName('parameters');
    if (params && params.descendantsOfType('identifier').some((i) => i?.text === head)) return false;
    const body = p.childForFieldName('body');
    if (body && p.type !== 'lambda' && bindsName(body, head)) return false;
  }
  return !underVersionTest(call);
}

/**
 * A statement that always raises on Python 3: an expression statement that evaluates, whatever happens, a call of a
 * function its module no longer has (`f.write(string.join(parts, " ") + " ")`: `removedInPython3`). Not one in a
 * branch of `and`/`or`/`if … else`, a comprehension or a lambda, which may not run.
 */
export function alwaysRaises(stmt: Node, imports: Imports, facts: ModuleFacts): Node | null {
  if (stmt.type !== 'expression_statement') return null;
  let found: Node | null = null;
  walk(stmt, (n) => {
    if (found) return false;
    if (n !== stmt && !EAGER.has(n.type) && n.type !== 'identifier') return false;
    if (n.type === 'call' && removedInPython3(n, imports, facts)) found = n;
    return !found;
  });
  return found;
}
