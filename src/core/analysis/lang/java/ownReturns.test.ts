/**
 * Same-file acquisitions beyond the JDK's (issue 13): a method of the file that returns a new socket
 * acquires one at its call sites, a class of the file that extends a socket class is a socket, and a
 * compare-and-set stores the value it sets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeJava } from './index';

const file = (...lines: string[]) => ['import java.io.*;', 'import java.net.*;', 'import java.util.concurrent.atomic.*;', ...lines].join('\n');
const found = async (text: string) =>
  (await analyzeJava(text, {})).findings.map((f) => [f.range.start.line + 1, f.function, f.variable, f.severity ?? 'warning']);

test('java: a same-file method that returns a new socket (or null) acquires one where it is called', async () => {
  const text = file(
    'class Ftp {',
    '  private Socket cached;',
    '  Socket dataConnection(String h) throws IOException {',
    '    Socket s = new Socket();',
    '    s.connect(new InetSocketAddress(h, 20));',
    '    if (!verify(s)) {',
    '      s.close();',
    '      return null;',
    '    }',
    '    return s;',
    '  }',
    '  Socket dataConnection(int port) throws IOException { return dataConnection("h" + port); }',
    '  boolean verify(Socket s) { return s.isConnected(); }',
    '  boolean retrieve(String h) throws IOException {',
    '    Socket s = dataConnection(h);',
    '    if (s == null) return false;',
    '    InputStream in = s.getInputStream();',
    '    try { in.read(); } finally { s.close(); }',
    '    return true;',
    '  }',
    '  void viaOverload() throws IOException {',
    '    Socket s = this.dataConnection(21);',
    '    s.getOutputStream().write(1);',
    '    s.close();',
    '  }',
    // Not the caller's alone: a cached field, a local also stored in a field, a parameter, a captured local.
    '  Socket shared() throws IOException {',
    '    if (cached == null) cached = new Socket();',
    '    return cached;',
    '  }',
    '  Socket kept() throws IOException {',
    '    Socket s = new Socket();',
    '    cached = s;',
    '    return s;',
    '  }',
    '  Socket given(Socket s) { return s; }',
    '  Socket watched() throws IOException {',
    '    Socket s = new Socket();',
    '    Runnable r = () -> System.out.println(s);',
    '    r.run();',
    '    return s;',
    '  }',
    '  Object untyped() throws IOException { return new Socket(); }',
    '  void users(Socket p) throws IOException {',
    '    Socket a = shared();',
    '    a.getOutputStream().write(1);',
    '    Socket b = kept();',
    '    b.getOutputStream().write(1);',
    '    Socket c = given(p);',
    '    c.getOutputStream().write(1);',
    '    Socket d = watched();',
    '    d.getOutputStream().write(1);',
    '    Socket e = (Socket) untyped();',
    '    e.getOutputStream().write(1);',
    '  }',
    // Returned straight from the acquisition.
    '  Socket plain(String h) throws IOException {',
    '    if (h.isEmpty()) return null;',
    '    return new Socket(h, 1);',
    '  }',
    '  void direct(String h) throws IOException {',
    '    Socket s = plain(h);',
    '    s.getOutputStream().write(1);',
    '    s.close();',
    '  }',
    '}',
  );
  // (dataConnection's own connect() and watched's run() may throw and leak theirs.)
  assert.deepEqual(await found(text), [[8, 'dataConnection', 's', 'warning'], [20, 'retrieve', 's', 'warning'], [26, 'viaOverload', 's', 'warning'], [42, 'watched', 's', 'warning'], [64, 'direct', 's', 'warning']]);
});

test('java: a class of the file that extends a socket class (at any depth) is a socket; a name ending in Socket is not enough', async () => {
  const text = file(
    'class Base extends Socket {',
    '  Base(String h) throws IOException { super(h, 1); }',
    '}',
    'class Derived extends Base {',
    '  Derived() throws IOException { super("h"); }',
    '}',
    'class UnixChannel extends NativeSocketChannel {',
    '  UnixChannel() throws IOException { super(0); }',
    '  static UnixChannel open(String path) throws IOException {',
    '    UnixChannel ch = new UnixChannel();',
    '    ch.connect(path);',
    '    return ch;',
    '  }',
    '}',
    'class CnxSocket extends ClientCnxnSocket {',
    '  CnxSocket() { }',
    '}',
    'class Use {',
    '  void go() throws IOException {',
    '    Derived d = new Derived();',
    '    d.getOutputStream().write(2);',
    '    d.close();',
    '    CnxSocket c = new CnxSocket();',
    '    c.connect("h");',
    '  }',
    '}',
  );
  assert.deepEqual(await found(text), [[14, 'open', 'ch', 'warning'], [24, 'go', 'd', 'warning']]);
});

test('java: compareAndSet(expected, x) stores x, as set(x) does', async () => {
  const text = file(
    'class Race {',
    '  private final AtomicReference<Socket> winner = new AtomicReference<>();',
    '  void connect(String h) throws IOException {',
    '    Socket s = new Socket(h, 1);',
    '    if (!winner.compareAndSet(null, s)) {',
    '      s.close();',
    '    }',
    '  }',
    '  void swap(String h) throws IOException {',
    '    Socket s = new Socket(h, 1);',
    '    winner.getAndSet(s);',
    '  }',
    '  void clear(Socket old, String h) throws IOException {',
    '    Socket s = new Socket(h, 1);',
    '    winner.compareAndSet(s, old);',
    '  }',
    '}',
  );
  // Only the value set is stored: `s` given as the expected value is still the function's own.
  assert.deepEqual(await found(text), [[19, 'clear', 's', 'warning']]);
});

test('java: a Socket subclass built on a null SocketImpl holds no descriptor (implAccept gives it one)', async () => {
  const text = file(
    'class Pre extends Socket {',
    '  Pre(SocketImpl impl) throws IOException { super(impl); }',
    '}',
    'class Server extends ServerSocket {',
    '  Server() throws IOException { }',
    '  @Override public Socket accept() throws IOException {',
    '    Pre p = new Pre(null);',
    '    implAccept(p);',
    '    return new Wrapped(p);',
    '  }',
    '  Socket withImpl(SocketImpl impl) throws IOException {',
    '    Pre p = new Pre(impl);',
    '    implAccept(p);',
    '    return new Wrapped(p);',
    '  }',
    '}',
    'class Wrapped extends Socket { Wrapped(Socket s) { } }',
  );
  // A failing implAccept() leaves `new Pre(null)` without a descriptor; one built on an impl may hold one.
  assert.deepEqual(await found(text), [[16, 'withImpl', 'p', 'warning']]);
});

test('java: close(…) with arguments on a held resource closes it (an overload of close())', async () => {
  const text = file(
    'class Conn extends Socket {',
    '  Conn() { }',
    '  public void close(boolean quiet) throws IOException { super.close(); }',
    '}',
    'class Use {',
    '  void quietly(String h) throws IOException {',
    '    Conn c = new Conn();',
    '    try {',
    '      c.connect(new InetSocketAddress(h, 1));',
    '      c.getOutputStream().write(1);',
    '    } finally {',
    '      c.close(true);',
    '    }',
    '  }',
    '  void never(String h) throws IOException {',
    '    Conn c = new Conn();',
    '    c.connect(new InetSocketAddress(h, 1));',
    '    c.setSoTimeout(5);',
    '  }',
    '}',
  );
  assert.deepEqual([...new Set((await found(text)).map((f) => f[1]))], ['never']);
});
