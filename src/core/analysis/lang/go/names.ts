/** The Go standard-library calls the Go analyzer knows by name. */

/** What an acquired resource is; a `response` is released through its `Body`. */
export type ResourceKind = 'conn' | 'listener' | 'file' | 'response';

/** Package-level functions that return a new resource, by import path. */
const PACKAGE_ACQUIRE: ReadonlyMap<string, ReadonlyMap<string, ResourceKind>> = new Map([
  ['net', new Map<string, ResourceKind>([
    ...['Dial', 'DialTimeout', 'DialTCP', 'DialUDP', 'DialUnix', 'DialIP'].map((n) => [n, 'conn'] as const),
    ...['Listen', 'ListenTCP', 'ListenUDP', 'ListenUnix', 'ListenUnixgram', 'ListenPacket', 'ListenIP', 'ListenMulticastUDP']
      .map((n) => [n, 'listener'] as const),
  ])],
  ['crypto/tls', new Map<string, ResourceKind>([['Dial', 'conn'], ['DialWithDialer', 'conn'], ['Listen', 'listener']])],
  ['os', new Map<string, ResourceKind>([['Open', 'file'], ['OpenFile', 'file'], ['Create', 'file'], ['CreateTemp', 'file']])],
  ['net/http', new Map<string, ResourceKind>([['Get', 'response'], ['Post', 'response'], ['Head', 'response'], ['PostForm', 'response']])],
  // A gRPC client connection holds its transports until closed.
  ['google.golang.org/grpc', new Map<string, ResourceKind>([['Dial', 'conn'], ['DialContext', 'conn'], ['NewClient', 'conn']])],
  // kcp-go's sessions and listeners hold their UDP socket until closed.
  ...['github.com/xtaci/kcp-go', 'github.com/xtaci/kcp-go/v5'].map((p) => [p, new Map<string, ResourceKind>([
    ...['NewConn', 'NewConn2', 'NewConn3', 'Dial', 'DialWithOptions'].map((n) => [n, 'conn'] as const),
    ...['Listen', 'ListenWithOptions', 'ServeConn'].map((n) => [n, 'listener'] as const),
  ])] as const),
  // quic-go's listeners hold the UDP socket until closed.
  ['github.com/quic-go/quic-go', new Map<string, ResourceKind>([['Listen', 'listener'], ['ListenAddr', 'listener'], ['ListenEarly', 'listener'], ['ListenAddrEarly', 'listener']])],
]);

/** A named type, pointers dropped: `*net.TCPConn` is `{ pkg: 'net', name: 'TCPConn' }`; a type of the analysed package has pkg ''. */
export interface GoType {
  readonly pkg: string;
  readonly name: string;
}

const typeKey = (t: GoType) => `${t.pkg}.${t.name}`;

/** Standard types whose values are resources, and what kind. */
const RESOURCE_TYPES: ReadonlyMap<string, ResourceKind> = new Map<string, ResourceKind>([
  ...['Conn', 'TCPConn', 'UDPConn', 'UnixConn', 'IPConn'].map((n) => [`net.${n}`, 'conn'] as const),
  ['crypto/tls.Conn', 'conn'],
  ...['Listener', 'TCPListener', 'UnixListener', 'PacketConn'].map((n) => [`net.${n}`, 'listener'] as const),
  ['os.File', 'file'],
  ['net/http.Response', 'response'],
  ['google.golang.org/grpc.ClientConn', 'conn'],
  ...['github.com/xtaci/kcp-go', 'github.com/xtaci/kcp-go/v5'].flatMap((p) => [[`${p}.UDPSession`, 'conn'] as const, [`${p}.Listener`, 'listener'] as const]),
]);

/** The resource kind of values of a standard type, or null. */
export function resourceKindOf(t: GoType | null): ResourceKind | null {
  return t ? RESOURCE_TYPES.get(typeKey(t)) ?? null : null;
}

const T = (pkg: string, name: string): GoType => ({ pkg, name });
const NET_CONN = T('net', 'Conn');
const NET_LISTENER = T('net', 'Listener');
const HTTP_RESPONSE = T('net/http', 'Response');

/** Methods of standard types that return a new resource (the first result), by `pkg.Type` of the receiver. */
const METHOD_ACQUIRE: ReadonlyMap<string, ReadonlyMap<string, GoType>> = new Map<string, Map<string, GoType>>([
  ['net.Listener', new Map([['Accept', NET_CONN]])],
  ['net.TCPListener', new Map([['Accept', NET_CONN], ['AcceptTCP', T('net', 'TCPConn')]])],
  ['net.UnixListener', new Map([['Accept', NET_CONN], ['AcceptUnix', T('net', 'UnixConn')]])],
  ['net.Dialer', new Map([['Dial', NET_CONN], ['DialContext', NET_CONN]])],
  ['crypto/tls.Dialer', new Map([['Dial', NET_CONN], ['DialContext', NET_CONN]])],
  ['golang.org/x/net/proxy.Dialer', new Map([['Dial', NET_CONN]])],
  ['golang.org/x/net/proxy.ContextDialer', new Map([['DialContext', NET_CONN]])],
  ['net.ListenConfig', new Map([['Listen', NET_LISTENER], ['ListenPacket', T('net', 'PacketConn')]])],
  ['net/http.Client', new Map(['Do', 'Get', 'Post', 'Head', 'PostForm'].map((m) => [m, HTTP_RESPONSE]))],
  ['net/http.Transport', new Map([['RoundTrip', HTTP_RESPONSE]])],
  ...['github.com/xtaci/kcp-go', 'github.com/xtaci/kcp-go/v5'].map((p) => [`${p}.Listener`, new Map([['Accept', NET_CONN], ['AcceptKCP', T(p, 'UDPSession')]])] as const),
  ['net/http.RoundTripper', new Map([['RoundTrip', HTTP_RESPONSE]])],
]);

/** The kind of resource a method of a standard type returns as its first result, or null. */
export function methodAcquisitionKind(recv: GoType, method: string, argCount: number): ResourceKind | null {
  if (method.startsWith('Accept') && argCount !== 0) return null;
  return resourceKindOf(METHOD_ACQUIRE.get(typeKey(recv))?.get(method) ?? null);
}

/** Result types of standard package functions that the analyzer needs to follow (first result). */
const PACKAGE_RESULTS: ReadonlyMap<string, GoType> = new Map<string, GoType>([
  ...['Dial', 'DialTimeout'].map((n) => [`net.${n}`, NET_CONN] as const),
  ['net.DialTCP', T('net', 'TCPConn')], ['net.DialUDP', T('net', 'UDPConn')], ['net.DialUnix', T('net', 'UnixConn')], ['net.DialIP', T('net', 'IPConn')],
  ['net.Listen', NET_LISTENER], ['net.ListenTCP', T('net', 'TCPListener')], ['net.ListenUnix', T('net', 'UnixListener')],
  ['net.ListenUDP', T('net', 'UDPConn')], ['net.ListenUnixgram', T('net', 'UnixConn')], ['net.ListenIP', T('net', 'IPConn')],
  ['net.ListenMulticastUDP', T('net', 'UDPConn')], ['net.ListenPacket', T('net', 'PacketConn')],
  ['crypto/tls.Dial', T('crypto/tls', 'Conn')], ['crypto/tls.DialWithDialer', T('crypto/tls', 'Conn')],
  ['crypto/tls.Client', T('crypto/tls', 'Conn')], ['crypto/tls.Server', T('crypto/tls', 'Conn')],
  ['crypto/tls.Listen', NET_LISTENER], ['crypto/tls.NewListener', NET_LISTENER],
  ...['Open', 'OpenFile', 'Create', 'CreateTemp'].map((n) => [`os.${n}`, T('os', 'File')] as const),
  ...['Get', 'Post', 'Head', 'PostForm'].map((n) => [`net/http.${n}`, HTTP_RESPONSE] as const),
  ...['Dial', 'DialContext', 'NewClient'].map((n) => [`google.golang.org/grpc.${n}`, T('google.golang.org/grpc', 'ClientConn')] as const),
  ...['github.com/xtaci/kcp-go', 'github.com/xtaci/kcp-go/v5'].flatMap((p) => [
    ...['NewConn', 'NewConn2', 'NewConn3', 'DialWithOptions'].map((n) => [`${p}.${n}`, T(p, 'UDPSession')] as const),
    ...['ListenWithOptions', 'ServeConn'].map((n) => [`${p}.${n}`, T(p, 'Listener')] as const),
    [`${p}.Dial`, NET_CONN] as const, [`${p}.Listen`, NET_LISTENER] as const,
  ]),
]);

export function packageFunctionResultType(pkg: string, name: string, index: number): GoType | null {
  return index === 0 ? PACKAGE_RESULTS.get(`${pkg}.${name}`) ?? null : null;
}

export function methodResultType(recv: GoType, method: string, index: number): GoType | null {
  return index === 0 ? METHOD_ACQUIRE.get(typeKey(recv))?.get(method) ?? null : null;
}

/** Package-level variables of standard packages, by type. */
const PACKAGE_VARS: ReadonlyMap<string, GoType> = new Map<string, GoType>([
  ['net/http.DefaultClient', T('net/http', 'Client')],
  ['net/http.DefaultTransport', T('net/http', 'RoundTripper')],
  ['os.Stdin', T('os', 'File')], ['os.Stdout', T('os', 'File')], ['os.Stderr', T('os', 'File')],
]);

export function packageVarType(pkg: string, name: string): GoType | null {
  return PACKAGE_VARS.get(`${pkg}.${name}`) ?? null;
}

/** Packages known without an import (a file with parse errors may have lost its import block). */
const DEFAULT_IMPORTS: ReadonlyMap<string, string> = new Map([['net', 'net'], ['tls', 'crypto/tls'], ['os', 'os'], ['http', 'net/http'], ['log', 'log']]);

/** Local package name -> import path for one file. */
export type Imports = ReadonlyMap<string, string>;

export function packagePath(imports: Imports, name: string): string | undefined {
  return imports.get(name) ?? DEFAULT_IMPORTS.get(name);
}

/** The kind of resource a package function returns (`net.Dial`, `os.Open`, `http.Get`), or null. */
export function packageAcquisitionKind(pkg: string, field: string): ResourceKind | null {
  return PACKAGE_ACQUIRE.get(pkg)?.get(field) ?? null;
}

/** Calls after which the path ends (the process exits or the goroutine unwinds running its defers). */
export function isNoReturn(pkg: string | undefined, operandIsValue: boolean, name: string): boolean {
  if (!operandIsValue && pkg === undefined) return name === 'panic';
  if (pkg === 'os') return name === 'Exit';
  if (pkg === 'runtime') return name === 'Goexit';
  if (pkg === 'log' || operandIsValue) {
    // log.Fatal*, log.Panic*, and the same on loggers and *testing.T (t.Fatal, t.FailNow, t.Skip*).
    return /^(Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln)$/.test(name) || (operandIsValue && /^(FailNow|Skip|Skipf|SkipNow)$/.test(name));
  }
  return false;
}

/** Is this import path the standard library's (no dot in its first element)? */
export function isStandardPath(path: string): boolean {
  const first = path.split('/')[0] ?? '';
  return !first.includes('.');
}

const fq = (pkg: string, names: readonly string[]) => names.map((n) => `${pkg}.${n}`);

/** Standard functions (`importpath.Name`) that read from or write to a value and keep nothing. */
const READING: ReadonlySet<string> = new Set([
  ...fq('io', ['ReadAll', 'Copy', 'CopyN', 'CopyBuffer', 'ReadFull', 'ReadAtLeast', 'WriteString']),
  ...fq('io/ioutil', ['ReadAll']),
  ...fq('fmt', ['Fprint', 'Fprintf', 'Fprintln', 'Fscan', 'Fscanf', 'Fscanln']),
  ...fq('encoding/binary', ['Read', 'Write']),
]);

/** Standard functions that wrap a value and keep it, but never close it: whoever keeps the wrapper keeps the value. */
const KEEPING: ReadonlySet<string> = new Set([
  ...fq('bufio', ['NewReader', 'NewWriter', 'NewScanner', 'NewReaderSize', 'NewWriterSize', 'NewReadWriter']),
  ...fq('encoding/json', ['NewDecoder', 'NewEncoder']), ...fq('encoding/gob', ['NewDecoder', 'NewEncoder']),
  ...fq('encoding/xml', ['NewDecoder', 'NewEncoder']), ...fq('encoding/csv', ['NewReader', 'NewWriter']),
  ...fq('net/textproto', ['NewReader', 'NewWriter']), ...fq('io', ['LimitReader', 'TeeReader', 'NopCloser', 'MultiReader', 'MultiWriter']),
]);

/**
 * Standard wrappers whose result is their first argument seen through another interface: closing
 * the result closes the argument, and leaving the result open leaves it open (`tls.Client(conn, cfg)`
 * whose handshake fails still holds `conn`; a `textproto.Conn` or an RPC client closes its conn). A variable given the result names the argument's resource.
 */
const ALIASING: ReadonlySet<string> = new Set([
  ...fq('crypto/tls', ['Client', 'Server', 'NewListener']), ...fq('net/textproto', ['NewConn']),
  ...fq('net/rpc', ['NewClient']), ...fq('net/rpc/jsonrpc', ['NewClient']),
]);

/** Standard functions that take ownership of their resource arguments: a wrapper that closes it, or a server that closes its listener. */
const OWNING: ReadonlySet<string> = new Set([
  ...ALIASING,
  ...fq('net/http', ['Serve', 'ServeTLS']), ...fq('net/http/fcgi', ['Serve']),
  ...fq('net/rpc', ['ServeConn']), ...fq('net/rpc/jsonrpc', ['ServeConn']),
  // Kept open on purpose until the process ends (or the profile/trace is stopped).
  ...fq('runtime/pprof', ['StartCPUProfile']), ...fq('runtime/trace', ['Start']), ...fq('log', ['SetOutput']),
]);

/** Is `pkg.name` a standard wrapper whose result holds (and closes) its first argument? */
export function aliasesFirstArgument(pkg: string, name: string): boolean {
  return ALIASING.has(`${pkg}.${name}`);
}

/** Methods of standard (and common) types that take ownership of their resource arguments, by `pkg.Type`. */
const OWNING_METHODS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['net/http.Server', new Set(['Serve', 'ServeTLS'])],
  ['net/rpc.Server', new Set(['ServeConn'])],
  ['google.golang.org/grpc.Server', new Set(['Serve'])],
]);

/** What a call does with a resource given to it as an argument. */
export type ArgumentUse = 'reads' | 'keeps' | 'owns' | 'neutral';

/** A package function, by import path: owns, keeps, reads; any other standard function is neutral. */
export function packageFunctionUse(pkg: string, name: string): ArgumentUse | null {
  const key = `${pkg}.${name}`;
  if (OWNING.has(key)) return 'owns';
  if (KEEPING.has(key)) return 'keeps';
  if (READING.has(key)) return 'reads';
  return isStandardPath(pkg) ? 'neutral' : null;
}

/** A method of a type from another package (`pkg` non-empty): owns (a server's Serve) or neutral for standard types; null when unknown. */
export function methodUse(recv: GoType, method: string): ArgumentUse | null {
  if (OWNING_METHODS.get(typeKey(recv))?.has(method)) return 'owns';
  return isStandardPath(recv.pkg) ? 'neutral' : null;
}

/** Types whose `Cleanup(func)` runs the function when the test ends. */
const CLEANUP_TYPES: ReadonlySet<string> = new Set(['testing.T', 'testing.B', 'testing.F', 'testing.TB']);

export function isCleanupRegistrar(recv: GoType | null, method: string): boolean {
  return method === 'Cleanup' && recv !== null && CLEANUP_TYPES.has(typeKey(recv));
}

/**
 * Names that say a function only uses what it is given (reads, writes, logs, checks it): a call
 * to an unknown function with such a name borrows its arguments; any other unknown callee may
 * keep them (the policy: prefer silence to a guess).
 */
const BORROWING_NAME = /^(write|read|send|recv|receive|set|get|copy|print|log|debug|info|warn|error|trace|fatal|panic|is|has|check|validate|verify|encode|decode|marshal|unmarshal|parse|format|string|peek|flush|dump|describe|inspect|must|expect|assert|equal|count|len|size|local|remote|addr|apply|update|handshake|ping|probe|test|compare|match)/i;

export function borrowsByName(name: string): boolean {
  return BORROWING_NAME.test(name);
}

export function describeKind(kind: ResourceKind): string {
  switch (kind) {
    case 'conn': return 'connection';
    case 'listener': return 'listener';
    case 'file': return 'file';
    case 'response': return 'HTTP response body';
  }
}
