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
]);

/** Methods on a value (not a package) that return a new resource: listeners, dialers, HTTP clients. */
const METHOD_ACQUIRE: ReadonlyMap<string, ResourceKind> = new Map<string, ResourceKind>([
  ['Accept', 'conn'], ['AcceptTCP', 'conn'], ['AcceptUnix', 'conn'],
  ['Dial', 'conn'], ['DialContext', 'conn'],
  ['Listen', 'listener'], ['ListenPacket', 'listener'],
]);
const CLIENT_METHODS: ReadonlySet<string> = new Set(['Do', 'Get', 'Post', 'Head', 'PostForm']);

/** Packages known without an import (a file with parse errors may have lost its import block). */
const DEFAULT_IMPORTS: ReadonlyMap<string, string> = new Map([['net', 'net'], ['tls', 'crypto/tls'], ['os', 'os'], ['http', 'net/http'], ['log', 'log']]);

/** Local package name -> import path for one file. */
export type Imports = ReadonlyMap<string, string>;

export function packagePath(imports: Imports, name: string): string | undefined {
  return imports.get(name) ?? DEFAULT_IMPORTS.get(name);
}

/**
 * The kind of resource a call `operand.field(args)` returns, or null. `operandIsPackage` says the
 * operand names an imported package; `operandText` is used to recognise HTTP clients by name
 * (`client.Do`, `http.DefaultClient.Get`, `s.httpClient.Post`), since a bare `x.Get(k)` is too common.
 */
export function acquisitionKind(pkg: string | undefined, field: string, argCount: number, operandText: string): ResourceKind | null {
  if (pkg !== undefined) return PACKAGE_ACQUIRE.get(pkg)?.get(field) ?? null;
  if (field.startsWith('Accept')) return argCount === 0 ? (METHOD_ACQUIRE.get(field) ?? null) : null;
  const m = METHOD_ACQUIRE.get(field);
  if (m) return m;
  if (CLIENT_METHODS.has(field) && /client/i.test(operandText)) return 'response';
  return null;
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

/**
 * Standard functions that read or wrap a value without taking ownership: handing a resource to them
 * (even in a `return`) does not close it or pass it on.
 */
export const NON_OWNING: ReadonlySet<string> = new Set([
  'io.ReadAll', 'io.Copy', 'io.CopyN', 'io.CopyBuffer', 'io.ReadFull', 'io.ReadAtLeast', 'io.WriteString', 'ioutil.ReadAll',
  'fmt.Fprint', 'fmt.Fprintf', 'fmt.Fprintln', 'fmt.Fscan', 'fmt.Fscanf', 'fmt.Fscanln',
  'bufio.NewReader', 'bufio.NewWriter', 'bufio.NewScanner', 'bufio.NewReaderSize', 'bufio.NewWriterSize', 'bufio.NewReadWriter',
  'json.NewDecoder', 'json.NewEncoder', 'gob.NewDecoder', 'gob.NewEncoder', 'xml.NewDecoder', 'xml.NewEncoder',
  'binary.Read', 'binary.Write', 'csv.NewReader', 'csv.NewWriter', 'textproto.NewReader', 'textproto.NewWriter',
]);

/** Calls that wrap a connection in a new one that closes it (the wrapper takes ownership). */
export const WRAPPING: ReadonlySet<string> = new Set(['tls.Client', 'tls.Server']);

export function describeKind(kind: ResourceKind): string {
  switch (kind) {
    case 'conn': return 'connection';
    case 'listener': return 'listener';
    case 'file': return 'file';
    case 'response': return 'HTTP response body';
  }
}
