/** The JDK names the Java analyzer knows: what acquires a socket, what wraps one, what takes it over. */
import type { Node } from 'web-tree-sitter';

/** What a tracked resource is (decides what `accept()` on it returns and how messages name it). */
export type ResourceKind = 'socket' | 'server' | 'datagram' | 'channel' | 'serverChannel' | 'selector' | 'async' | 'asyncServer' | 'file' | 'urlConnection';

/**
 * A `URLConnection` (or `JarURLConnection`) holds a stream once connected: its first call that connects
 * (`getLastModified()`, `getInputStream()`, …) opens it, and closing its input stream releases it.
 * (`HttpURLConnection` is left out: its idioms, `disconnect()` or a kept-alive connection, differ.)
 */
export const URL_CONNECTION_TYPES: ReadonlySet<string> = new Set(['URLConnection', 'JarURLConnection']);
export const CONNECTING_METHODS: ReadonlySet<string> = new Set([
  'connect', 'getInputStream', 'getLastModified', 'getContentLength', 'getContentLengthLong', 'getContentType', 'getContent',
  'getContentEncoding', 'getHeaderField', 'getHeaderFields', 'getDate', 'getExpiration', 'getJarFile', 'getManifest',
]);

/** `new T(...)` that opens a socket. */
export const NEW_ACQUIRE: ReadonlyMap<string, ResourceKind> = new Map<string, ResourceKind>([
  ['Socket', 'socket'], ['SSLSocket', 'socket'], ['ServerSocket', 'server'], ['SSLServerSocket', 'server'],
  ['DatagramSocket', 'datagram'], ['MulticastSocket', 'datagram'],
  // File streams open a descriptor too (a wrapper of one, `new BufferedReader(new FileReader(p))`, owns it).
  ['FileInputStream', 'file'], ['FileOutputStream', 'file'], ['FileReader', 'file'], ['FileWriter', 'file'], ['RandomAccessFile', 'file'],
]);

/** `Files.newInputStream(p)` and friends: a stream or channel over a newly opened file. */
export const FILES_ACQUIRE: ReadonlySet<string> = new Set([
  'newInputStream', 'newOutputStream', 'newBufferedReader', 'newBufferedWriter', 'newByteChannel',
]);

/**
 * A factory's name (`createSocket()`, `openChannel()`, `newSocket()`): a local declared as a socket or
 * channel type and given what one returns holds a new resource (it may be null).
 */
export const FACTORY_NAME = /^(?:create|open|new)[A-Z]/;

/** `T.open(...)` that opens a channel or selector. */
export const OPEN_ACQUIRE: ReadonlyMap<string, ResourceKind> = new Map<string, ResourceKind>([
  ['SocketChannel', 'channel'], ['ServerSocketChannel', 'serverChannel'], ['DatagramChannel', 'channel'],
  ['Selector', 'selector'], ['AsynchronousSocketChannel', 'async'], ['AsynchronousServerSocketChannel', 'asyncServer'],
  ['FileChannel', 'file'],
]);

/** Declared types whose zero-argument `accept()` returns a new connection, and that connection's kind. */
export const ACCEPTING_TYPES: ReadonlyMap<string, ResourceKind> = new Map<string, ResourceKind>([
  ['ServerSocket', 'socket'], ['SSLServerSocket', 'socket'], ['ServerSocketChannel', 'channel'],
]);

export function acceptedKind(kind: ResourceKind): ResourceKind | null {
  if (kind === 'server') return 'socket';
  if (kind === 'serverChannel') return 'channel';
  return null;
}

/**
 * Methods whose result is a view of the receiver: closing either closes both. (`getChannel()` of a
 * `Socket`, `ServerSocket` or `DatagramSocket` made by its constructor is null, not a view: such a socket
 * has a channel only when the channel made it, `SocketChannel.open()` and friends; see `CONSTRUCTED_SOCKET_KINDS`.)
 */
export const VIEW_METHODS: ReadonlySet<string> = new Set(['getInputStream', 'getOutputStream', 'socket', 'getChannel']);

/** The kinds of `NEW_ACQUIRE` whose objects, made by their constructor, have no channel (`getChannel()` is null). */
export const CONSTRUCTED_SOCKET_KINDS: ReadonlySet<ResourceKind> = new Set<ResourceKind>(['socket', 'server', 'datagram']);

/** `Channels.newInputStream(ch)` and friends: the stream owns its first argument. */
export const CHANNELS_VIEW_METHODS: ReadonlySet<string> = new Set(['newInputStream', 'newOutputStream', 'newReader', 'newWriter']);

/** JDK stream/reader/writer classes that own the stream they wrap (closing the wrapper closes it). */
export function isWrapperType(name: string): boolean {
  return /(?:InputStream|OutputStream|Reader|Writer|PrintStream)$/.test(name) || name === 'Scanner';
}

/**
 * A class of another file whose name says it wraps what it is built from (`AsyncChannelWrapperSecure(ch, engine)`,
 * `SocketWrapper(s)`): the object is the resource (closing it closes what it wraps).
 */
export function isWrapperClassName(name: string): boolean {
  return /Wrapper(?:[A-Z][A-Za-z]*)?$/.test(name);
}

/** Wrappers whose constructor reads or writes the stream (a stream header) and so may throw. */
export const THROWING_WRAPPERS: ReadonlySet<string> = new Set(['ObjectInputStream', 'ObjectOutputStream']);

/** Constructors of JDK classes that do not throw (checked) exceptions and take no ownership. */
export const QUIET_CONSTRUCTORS: ReadonlySet<string> = new Set([
  'String', 'StringBuilder', 'StringBuffer', 'Object', 'ArrayList', 'LinkedList', 'HashMap', 'HashSet', 'TreeMap',
  'LinkedHashMap', 'ArrayDeque', 'ConcurrentHashMap', 'CopyOnWriteArrayList', 'InetSocketAddress', 'AtomicBoolean',
  'AtomicInteger', 'AtomicLong', 'Thread', 'DatagramPacket', 'IllegalStateException', 'IllegalArgumentException', 'IOException',
  'UncheckedIOException', 'RuntimeException', 'Exception',
  // Checksums, latches and locks, concurrent collections: built in memory, nothing to fail.
  'Adler32', 'CRC32', 'CRC32C', 'CountDownLatch', 'Semaphore', 'ReentrantLock', 'ReentrantReadWriteLock', 'AtomicReference',
  'TreeSet', 'LinkedHashSet', 'Vector', 'Hashtable', 'Properties', 'ConcurrentLinkedQueue', 'LinkedBlockingQueue',
  'ArrayBlockingQueue', 'Random',
]);

/**
 * Methods that do not throw: PrintWriter/PrintStream swallow I/O errors, and socket getters and
 * collection queries do not fail. Every other call may throw (the spec counts any call as a leaking path).
 */
export const QUIET_METHODS: ReadonlySet<string> = new Set([
  'println', 'print', 'printf', 'format', 'checkError', 'toString', 'hashCode', 'equals', 'length', 'size', 'isEmpty',
  'getPort', 'getLocalPort', 'getInetAddress', 'getLocalAddress', 'getRemoteSocketAddress', 'getLocalSocketAddress',
  'isConnected', 'isClosed', 'isBound', 'isOpen', 'isInputShutdown', 'isOutputShutdown', 'currentTimeMillis', 'nanoTime',
  'valueOf', 'getName', 'getHostAddress', 'getHostString', 'currentThread', 'interrupted', 'isInterrupted',
  'getMessage', 'contains', 'containsKey', 'get', 'remove', 'start', 'setDaemon', 'setName',
]);

/** Calls that hand a Runnable/Callable (and whatever it captures) to another thread. */
export const HANDOFF_METHODS: ReadonlySet<string> = new Set([
  'execute', 'submit', 'schedule', 'scheduleAtFixedRate', 'scheduleWithFixedDelay', 'runAsync', 'supplyAsync',
  'startVirtualThread', 'unstarted', 'invokeAll', 'invokeAny', 'newThread',
]);

/** Constructors that take a Runnable and run it on another thread. */
export const HANDOFF_CONSTRUCTORS: ReadonlySet<string> = new Set(['Thread']);

/** An atomic reference's (or array's) compare-and-set methods: they store their last argument when they succeed (and practically never throw). */
const COMPARE_AND_SET: readonly string[] = [
  'compareAndSet', 'weakCompareAndSet', 'weakCompareAndSetPlain', 'weakCompareAndSetVolatile', 'weakCompareAndSetAcquire', 'weakCompareAndSetRelease',
];

/** Collection methods that store their argument in the receiver. */
export const STORE_METHODS: ReadonlySet<string> = new Set([
  'add', 'addAll', 'put', 'putIfAbsent', 'offer', 'offerFirst', 'offerLast', 'push', 'addFirst', 'addLast', 'set',
  'attach', 'compute', 'computeIfAbsent', 'merge', 'replace',
  // `AtomicReference`: `getAndSet(x)` and `lazySet(x)` store x; `compareAndSet(expected, x)` stores x when it succeeds.
  'getAndSet', 'lazySet', ...COMPARE_AND_SET,
]);

/**
 * The arguments a store method keeps: all of them, except for a compare-and-set, which keeps only its
 * last one (`ref.compareAndSet(null, sock)` stores `sock`; the expected value is only compared). A
 * compare-and-set that fails keeps nothing: the resource is taken to be handed over on both outcomes
 * (silence rather than a guess about which one the code tests).
 */
export function storedArgs(name: string, args: readonly Node[]): readonly Node[] {
  return COMPARE_AND_SET.includes(name) ? args.slice(-1) : args;
}

/**
 * Methods whose name says they keep their argument (`selectorThread.addAcceptedConnection(sc)`,
 * `registerChannel(ch)`, `putConnection(c)`): a resource passed to one is handed over.
 */
export const STORE_PREFIX = /^(?:add|put|register|offer|enqueue|attach|push|store|track|adopt)[A-Z]/;

/** `ch.register(selector, ops)`: the selector's key set now refers to the channel (the event loop owns it). */
export const REGISTER_METHOD = 'register';

/**
 * Helpers that close every argument (any receiver, any number of arguments): `IOUtils.closeQuietly(s)`,
 * `IOUtils.closeQuietly(s, e -> log(e))`, `closeQuietly(in, out)`, `Closeables.closeQuietly(s)`. A static
 * `close(x, …)` on a class (`Closeables.close(s, true)`, `IOUtils.close(s)`) closes its arguments too.
 */
export const CLOSE_HELPERS: ReadonlySet<string> = new Set(['closeQuietly', 'closeSilently', 'closeSafely', 'closeIgnoringExceptions']);

/**
 * The name of a method of another file that closes what it is given (`NIOServerCnxn.closeSock(sc)`,
 * `forceClose(s)`, `Utils.closeSocket(s, log)`, `safeClose(in)`): `close` (or `<adverb>Close`) first,
 * then nothing or a noun. A resource passed to one is released (`closeable` checks and listeners,
 * `isClosed`, `onClose`, `addCloseListener`, do not match).
 */
export const CLOSE_NAME = /^(?:close|(?:force|safe|safely|quiet|quietly|silent|silently|fast|hard|abort|try|do)Close)(?:[A-Z][A-Za-z]*)?$/;

/** `assertNotNull(x)`, `Objects.requireNonNull(x)`: they throw only when the checked value is null. */
export const NON_NULL_CHECKS: ReadonlySet<string> = new Set(['assertNotNull', 'requireNonNull', 'checkNotNull', 'notNull']);

/** JUnit's `assertThrows(E.class, () -> …)`: the lambda is expected to throw; reaching its end fails the test. */
export const EXPECTS_THROW: ReadonlySet<string> = new Set(['assertThrows', 'assertThrowsExactly', 'expectThrows']);

/**
 * `factory.createSocket(s, host, port, true)` (SSLSocketFactory's layering overload): with `autoClose`
 * true the returned socket owns `s`.
 */
export const LAYERING_METHODS: ReadonlySet<string> = new Set(['createSocket']);

/**
 * Calls that may throw in principle but practically never do (a leak only when one of them throws
 * is "pedantic": reported at information severity; a later likely throw is reported instead):
 * - socket options: `setSoTimeout`, `setTcpNoDelay`, `setKeepAlive`, `setReuseAddress`, `setSoLinger`,
 *   `setReceiveBufferSize`, `setSendBufferSize`, `setTrafficClass`, `setOOBInline`,
 *   `setPerformancePreferences`, `configureBlocking`;
 * - TLS configuration setters (`setEnabledProtocols`, `setUseClientMode`, …);
 * - `printStackTrace`, and logging (`trace`…`error`, `fatal`, `severe`…`finest`, `log`, `…Log`) on a
 *   receiver named `LOG`, `LOGGER`, `log`, `logger` or ending in `Log`/`Logger` (`acceptErrorLogger`);
 * - collection and counter stores (`add`, `put`, `offer`, `set`, … on a receiver), `ByteBuffer.allocate(n)`,
 *   adding or removing a listener (`addHandshakeCompletedListener(l)`);
 * - getters: a call without arguments named `getX`/`isX`/`hasX` (or a channel's `socket()`), except the ones that do I/O
 *   (`getInputStream`, `getOutputStream`, `getResponseCode`, `getResponseMessage`, `getContent`,
 *   `getLocalHost`, `getConnection`);
 * - `latch.countDown()`: a `CountDownLatch`'s signal (declared to throw nothing; it only decrements a
 *   count and wakes the waiters). Other synchronizer signals are not in the list: `Condition.signal()`,
 *   `Object.notify()` and `Lock.unlock()` throw when the caller does not hold the lock, `Phaser.arrive()`
 *   when too many parties arrive, and `Semaphore.release()`'s name is too common to stand for it alone.
 */
const UNLIKELY_METHODS: ReadonlySet<string> = new Set([
  'setSoTimeout', 'setTcpNoDelay', 'setKeepAlive', 'setReuseAddress', 'setSoLinger', 'setReceiveBufferSize', 'setSendBufferSize',
  'setTrafficClass', 'setOOBInline', 'setPerformancePreferences', 'configureBlocking', 'printStackTrace',
  // TLS socket configuration before the handshake.
  'setEnabledProtocols', 'setEnabledCipherSuites', 'setUseClientMode', 'setNeedClientAuth', 'setWantClientAuth',
  'setEnableSessionCreation', 'setSSLParameters',
]);
const LOG_METHODS: ReadonlySet<string> = new Set(['trace', 'debug', 'info', 'warn', 'warning', 'error', 'fatal', 'severe', 'fine', 'finer', 'finest', 'config', 'log']);
const LOG_RECEIVER = /^_*(?:log|logger)$/i;
const LOG_RECEIVER_SUFFIX = /[a-z_](?:Log|Logger|LOG|LOGGER)$/;
/** `acceptErrorLogger.rateLimitLog(…)`: a logger's own logging method. */
const LOG_NAME = /^log(?:[A-Z]|$)|Log$/;
const THROWING_GETTERS: ReadonlySet<string> = new Set([
  'getInputStream', 'getOutputStream', 'getResponseCode', 'getResponseMessage', 'getContent', 'getLocalHost', 'getConnection',
]);

/** A logger's name (`LOG`, `logger`, `acceptErrorLogger`). */
export function isLogger(name: string): boolean {
  return LOG_RECEIVER.test(name) || LOG_RECEIVER_SUFFIX.test(name);
}

/** Does a call of `name` with `argCount` arguments on `receiver` (its text, or null) practically never throw? */
export function isUnlikelyThrow(name: string, argCount: number, receiver: string | null): boolean {
  if (UNLIKELY_METHODS.has(name)) return true;
  // `ch.socket()`: a channel's socket view (a getter in all but name).
  if (name === 'socket' && argCount === 0) return true;
  // `ready.countDown()`: a latch's signal.
  if (name === 'countDown' && argCount === 0 && receiver !== null) return true;
  // A store into a collection or counter (`list.add(x)`, `counter.add(1)`, `flag.set(true)`) with a receiver.
  if (STORE_METHODS.has(name) && receiver !== null) return true;
  // `s.addHandshakeCompletedListener(l)`: registering a listener.
  if (/^(?:add|remove)[A-Z]\w*Listener$/.test(name) && receiver !== null) return true;
  // `ByteBuffer.allocate(n)`: memory, not I/O.
  if ((name === 'allocate' || name === 'allocateDirect' || name === 'wrap') && receiver !== null && /Buffer$/.test(receiver)) return true;
  if ((LOG_METHODS.has(name) || LOG_NAME.test(name)) && receiver !== null && isLogger(receiver.split('.').pop() ?? '')) return true;
  return argCount === 0 && /^(?:get|is|has)[A-Z]/.test(name) && !THROWING_GETTERS.has(name);
}

/** Catch types that catch the IOException of `close()`. */
export const IO_CATCHING: ReadonlySet<string> = new Set(['IOException', 'Exception', 'Throwable']);

export function describeKind(kind: ResourceKind): string {
  switch (kind) {
    case 'socket': return 'socket';
    case 'server': return 'server socket';
    case 'datagram': return 'datagram socket';
    case 'channel': return 'channel';
    case 'serverChannel': return 'server channel';
    case 'selector': return 'selector';
    case 'async': return 'asynchronous channel';
    case 'asyncServer': return 'asynchronous server channel';
    case 'file': return 'file stream';
    case 'urlConnection': return 'URL connection';
  }
}

/** Does `close()` of this kind declare IOException? (DatagramSocket.close() does not.) */
export function closeThrows(kind: ResourceKind): boolean {
  return kind !== 'datagram';
}

/**
 * Unchecked exceptions that JDK calls throw in practice on bad input, which a `catch (IOException e)`
 * does not catch (zookeeper's ClientCnxnSocketNIO.connect leaked its channel on an unresolved address;
 * tomcat's WsWebSocketContainer on a malformed timeout property): each with its superclasses up to
 * `Throwable`. Any other call's unchecked exceptions (a null dereference, a bug) are not modelled: a
 * catch is taken to catch whatever those calls throw.
 */
const UNCHECKED_ANCESTORS: ReadonlyMap<string, readonly string[]> = new Map([
  ['NumberFormatException', ['IllegalArgumentException', 'RuntimeException', 'Exception', 'Throwable']],
  ['UnresolvedAddressException', ['IllegalArgumentException', 'RuntimeException', 'Exception', 'Throwable']],
  ['UnsupportedAddressTypeException', ['IllegalArgumentException', 'RuntimeException', 'Exception', 'Throwable']],
  ['IllegalArgumentException', ['RuntimeException', 'Exception', 'Throwable']],
]);

/** Boxed number classes whose `parseX(s)` (and `valueOf(s)`/`decode(s)` of a String) throw NumberFormatException. */
const NUMBER_CLASSES: ReadonlySet<string> = new Set(['Integer', 'Long', 'Short', 'Byte', 'Double', 'Float']);
/** Channels whose `connect(address)` and `bind(address)` throw UnresolvedAddressException/UnsupportedAddressTypeException. */
const ADDRESSED_CHANNELS: ReadonlySet<string> = new Set([
  'SocketChannel', 'ServerSocketChannel', 'DatagramChannel', 'AsynchronousSocketChannel', 'AsynchronousServerSocketChannel', 'NetworkChannel',
]);

/**
 * The unchecked exceptions of the table above a JDK call throws: `Integer.parseInt(s)`,
 * `Long.valueOf(s)` of a String `s` (NumberFormatException), `ch.connect(a)`/`ch.bind(a)` on a channel
 * (an unresolved or unsupported address), `URI.create(s)` (IllegalArgumentException). `receiverType`
 * is the declared type of the receiver variable, when it is one; `argIsString` says the only argument
 * is a String.
 */
export function uncheckedThrown(name: string, receiver: string | null, receiverType: string | undefined, args: number, argIsString: boolean): readonly string[] {
  if (receiver !== null && NUMBER_CLASSES.has(receiver) && args >= 1) {
    if (/^parse[A-Z]/.test(name)) return ['NumberFormatException'];
    if ((name === 'valueOf' || name === 'decode') && args === 1 && argIsString) return ['NumberFormatException'];
  }
  if ((name === 'connect' || name === 'bind') && args >= 1 && receiverType !== undefined && ADDRESSED_CHANNELS.has(receiverType)) {
    return ['UnresolvedAddressException', 'UnsupportedAddressTypeException'];
  }
  if (receiver === 'URI' && name === 'create' && args === 1) return ['IllegalArgumentException'];
  return [];
}

/** Does a `catch` of these (simple) type names catch one of these unchecked exceptions? (A class is caught by its own name and its superclasses'.) */
export function catchesUnchecked(catchTypes: readonly string[], thrown: readonly string[]): boolean {
  return thrown.some((x) => catchTypes.some((t) => t === x || (UNCHECKED_ANCESTORS.get(x) ?? ['RuntimeException', 'Exception', 'Throwable']).includes(t)));
}
