/**
 * Java precision on real code (issue 13): callees that take what they are given, closing helpers
 * named as such, `isClosed()` tests, calls that end the process or throw only on null, loops that
 * close a collection, and exceptions that practically never happen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeJava } from './index';

const file = (...body: string[]) => ['import java.io.*;', 'import java.net.*;', 'import java.util.*;', ...body].join('\n');
const cls = (...body: string[]) => file('class T {', ...body, '}');
const summary = async (text: string) =>
  (await analyzeJava(text, {})).findings.map((f) => [f.range.start.line + 1, f.variable, f.severity ?? 'warning']);

test('java: a same-file helper that returns early on isClosed() closes its argument', async () => {
  const text = cls(
    '  private static void forceClose(Socket s) {',
    '    if (s == null || s.isClosed()) return;',
    '    try { s.close(); } catch (IOException e) { }',
    '  }',
    '  void a(String h, int p) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    try { s.getOutputStream().write(1); } finally { forceClose(s); }',
    '  }',
    '  void b(String h, int p) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    s.getOutputStream().write(1);',
    '    if (!s.isClosed()) s.close();',
    '  }',
  );
  // b: only write() throwing leaks (line 15); the isClosed() test proves nothing is left open otherwise.
  assert.deepEqual(await summary(text), [[15, 's', 'warning']]);
});

test('java: a same-file callee that takes the socket owns it when it throws too', async () => {
  const text = cls(
    '  void receive(Socket s) {',
    '    try { s.getOutputStream().write(1); } catch (IOException e) { } finally { try { s.close(); } catch (IOException e) { } }',
    '  }',
    '  void inspect(Socket s) throws IOException {',
    '    s.getOutputStream().write(2);',
    '  }',
    '  void a(ServerSocket ss) throws IOException {',
    '    Socket c = ss.accept();',
    '    receive(c);',
    '  }',
    '  void b(ServerSocket ss) throws IOException {',
    '    Socket c = ss.accept();',
    '    inspect(c);',
    '    c.close();',
    '  }',
  );
  // inspect() only borrows: an exception from it leaks c (line 17).
  assert.deepEqual(await summary(text), [[17, 'c', 'warning']]);
});

test('java: a callee that can throw only through socket options is an unlikely origin, ignored when caught', async () => {
  const text = cls(
    '  private void setOpts(Socket s) throws SocketException {',
    '    s.setTcpNoDelay(true);',
    '    s.setSoTimeout(1000);',
    '  }',
    '  void receive(Socket s) {',
    '    try { s.getOutputStream().write(1); } catch (IOException e) { } finally { try { s.close(); } catch (IOException e) { } }',
    '  }',
    '  void a(ServerSocket ss) throws IOException {',
    '    Socket c = ss.accept();',
    '    setOpts(c);',
    '    c.close();',
    '  }',
    '  void loop(ServerSocket ss, boolean[] stop) {',
    '    Socket client = null;',
    '    while (!stop[0]) {',
    '      try {',
    '        client = ss.accept();',
    '        setOpts(client);',
    '        receive(client);',
    '      } catch (IOException e) {',
    '        stop[0] = true;',
    '      }',
    '    }',
    '  }',
  );
  assert.deepEqual(await summary(text), [[14, 'c', 'information']]);
});

test('java: a method of another class of the file with the same name is not the one called', async () => {
  const text = file(
    'class Server {',
    '  void start() throws IOException { throw new IOException("no"); }',
    '}',
    'class Worker extends Thread {',
    '  private final Socket s;',
    '  Worker(Socket s) { this.s = s; setDaemon(true); start(); }',
    '  public void run() { }',
    '}',
    'class Acceptor {',
    '  void a(ServerSocket ss) throws IOException {',
    '    Socket c = ss.accept();',
    '    new Worker(c);',
    '  }',
    '}',
  );
  assert.deepEqual(await summary(text), []);
});

test('java: a helper of another file named as a closer closes what it is given', async () => {
  const text = cls(
    '  void a(String h, int p) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    try { s.getOutputStream().write(1); } finally { NetUtils.closeSock(s); }',
    '  }',
    '  void b(String h, int p) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    try { s.getOutputStream().write(1); } finally { Sockets.forceClose(s, 0); }',
    '  }',
    '  void c(String h, int p) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    try { s.getOutputStream().write(1); } finally { Sockets.isClosedBy(s); }',
    '  }',
  );
  // `isClosedBy` does not say it closes: c still leaks (at the write and at its end).
  assert.deepEqual(await summary(text), [[15, 's', 'warning'], [16, 's', 'warning']]);
});

test('java: System.exit() ends the process; assertNotNull(s) throws only where s is null', async () => {
  const text = cls(
    '  void a(String h, int p) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    if (p == 0) {',
    '      System.exit(2);',
    '    }',
    '    s.close();',
    '  }',
    '  Socket b(InetSocketAddress addr) throws IOException {',
    '    Socket s = null;',
    '    for (int i = 0; i < 3; i++) {',
    '      try { s = new Socket(); s.connect(addr, 10); break; } catch (ConnectException e) { s.close(); s = null; }',
    '    }',
    '    Objects.requireNonNull(s, "not connected");',
    '    return s;',
    '  }',
  );
  assert.deepEqual(await summary(text), []);
});

test('java: a loop over a local collection that closes each element closes what the collection holds', async () => {
  const text = cls(
    '  List<Integer> ports(int n) throws IOException {',
    '    List<ServerSocket> opened = new ArrayList<>();',
    '    List<Integer> ports = new ArrayList<>();',
    '    for (int i = 0; i < n; i++) {',
    '      ServerSocket s = new ServerSocket(0);',
    '      opened.add(s);',
    '      ports.add(s.getLocalPort());',
    '    }',
    '    for (ServerSocket s : opened) {',
    '      s.close();',
    '    }',
    '    return ports;',
    '  }',
    '  List<Integer> kept(int n) throws IOException {',
    '    List<ServerSocket> opened = new ArrayList<>();',
    '    List<Integer> ports = new ArrayList<>();',
    '    for (int i = 0; i < n; i++) {',
    '      ServerSocket s = new ServerSocket(0);',
    '      opened.add(s);',
    '    }',
    '    for (ServerSocket s : opened) {',
    '      ports.add(s.getLocalPort());',
    '    }',
    '    return ports;',
    '  }',
  );
  // kept() never closes them: the collection is dropped at its return (line 28). Both leak below
  // warning if adding a port number to a list throws.
  assert.deepEqual(await summary(text), [[11, 's', 'information'], [26, 'opened', 'information'], [28, 'opened', 'warning']]);
});

test('java: the end of a lambda given to assertThrows is below warning; TLS setters and logger methods rarely throw', async () => {
  const text = cls(
    '  void t(int port) {',
    '    Assertions.assertThrows(SocketException.class, () -> {',
    '      ServerSocket ss = new ServerSocket(port);',
    '    });',
    '  }',
    '  void tls(ServerSocket ss, RateLogger acceptErrorLogger) throws IOException {',
    '    javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ss.accept();',
    '    s.setEnabledProtocols(new String[] { "TLSv1.3" });',
    '    acceptErrorLogger.rateLimitLog("accepted");',
    '    java.util.zip.Checksum sum = new java.util.zip.Adler32();',
    '    s.close();',
    '  }',
  );
  assert.deepEqual(await summary(text), [[8, 'ss', 'information'], [12, 's', 'information']]);
});

test('java: an error flag set in the catches decides the close in the finally', async () => {
  const text = cls(
    '  void a(ServerSocket ss) throws IOException {',
    '    Socket s = null;',
    '    boolean error = false;',
    '    try {',
    '      s = ss.accept();',
    '      new Handler(s).start();',
    '    } catch (SocketException e) {',
    '      error = true;',
    '      System.out.println(e);',
    '    } finally {',
    '      if (error && s != null) s.close();',
    '    }',
    '  }',
    '  void b(ServerSocket ss, boolean verbose) throws IOException {',
    '    Socket s = null;',
    '    boolean error = false;',
    '    try {',
    '      s = ss.accept();',
    '      new Handler(s).start();',
    '    } catch (SocketException e) {',
    '      error = verbose;',
    '    } finally {',
    '      if (error && s != null) s.close();',
    '    }',
    '  }',
  );
  // b: `error = verbose` is not a constant, so the flag says nothing (the catch may leave s open).
  assert.deepEqual(await summary(text), [[29, 's', 'warning']]);
});

test('java: a callee that only keeps the channel (registers it) leaves it to the caller when it throws', async () => {
  const text = file(
    'import java.nio.*;',
    'import java.nio.channels.*;',
    'class C {',
    '  void registerAndConnect(SocketChannel ch, InetSocketAddress a, Selector sel) throws IOException {',
    '    ch.register(sel, SelectionKey.OP_CONNECT);',
    '    ch.connect(a);',
    '  }',
    '  void connect(InetSocketAddress a, Selector sel) throws IOException {',
    '    SocketChannel ch = SocketChannel.open();',
    '    registerAndConnect(ch, a, sel);',
    '  }',
    '  void buffer(ServerSocket ss, int n) throws IOException {',
    '    Socket s = ss.accept();',
    '    ByteBuffer b = ByteBuffer.allocate(n);',
    '    s.close();',
    '  }',
    '  void listen(javax.net.ssl.SSLServerSocket ss, javax.net.ssl.HandshakeCompletedListener l) throws IOException {',
    '    javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ss.accept();',
    '    s.addHandshakeCompletedListener(l);',
    '    s.close();',
    '  }',
    '}',
  );
  assert.deepEqual(await summary(text), [[13, 'ch', 'warning'], [17, 's', 'information'], [22, 's', 'information']]);
});

test('java: a static getter given a file stream (an archive over it) does not throw', async () => {
  const text = cls(
    '  void a(File f) throws IOException {',
    '    FileInputStream in = new FileInputStream(f);',
    '    Archive ia = BinaryArchive.getArchive(in);',
    '    ia.read();',
    '    in.close();',
    '  }',
  );
  // read() may throw (line 8); getArchive() is not reported.
  assert.deepEqual(await summary(text), [[8, 'in', 'warning']]);
});

test('java: a URLConnection opens a stream when it connects; closing its input stream releases it (no fix offered)', async () => {
  const text = cls(
    '  long modified(URL url) throws IOException {',
    '    URLConnection uc = url.openConnection();',
    '    return uc.getLastModified();',
    '  }',
    '  long closed(URL url) throws IOException {',
    '    URLConnection uc = url.openConnection();',
    '    long t = 0;',
    '    try {',
    '      t = uc.getLastModified();',
    '    } finally {',
    '      try { uc.getInputStream().close(); } catch (IOException e) { t = 0; }',
    '    }',
    '    return t;',
    '  }',
    '  void unconnected(URL url) throws IOException {',
    '    URLConnection uc = url.openConnection();',
    '    uc.setUseCaches(false);',
    '  }',
  );
  assert.deepEqual(await summary(text), [[7, 'uc', 'warning']]);
  assert.deepEqual((await analyzeJava(text, {})).findings[0]!.fixes, []);
});

test('java: a success flag set at the end of the try decides the close in the finally', async () => {
  const text = cls(
    '  Object connect(String h, int p, boolean retry) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    boolean success = false;',
    '    try {',
    '      if (retry) return connect(h, p, false);',
    '      s.getOutputStream().write(1);',
    '      success = true;',
    '    } finally {',
    '      if (!success) s.close();',
    '    }',
    '    return new Session(s);',
    '  }',
    '  Object guess(String h, int p, boolean retry) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    boolean success = retry;',
    '    try {',
    '      if (retry) return connect(h, p, false);',
    '      success = true;',
    '    } finally {',
    '      if (!success) s.close();',
    '    }',
    '    return new Session(s);',
    '  }',
  );
  // guess(): the flag starts from a parameter, so it proves nothing: the early return may leak s.
  assert.deepEqual(await summary(text), [[21, 's', 'warning']]);
});

test('java: an object of a class named as a wrapper is the resource it wraps', async () => {
  const text = cls(
    '  void closed(String h, int p) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    SocketWrapper w = new SocketWrapper(s);',
    '    try { w.handshake(); } finally { w.close(); }',
    '  }',
    '  void dropped(String h, int p) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    SocketWrapper w = new SocketWrapper(s);',
    '    w.handshake();',
    '  }',
  );
  // Closing the wrapper closes the socket; dropping it leaks the socket at the end (line 14). Building
  // it may throw (lines 7, 12).
  assert.deepEqual(await summary(text), [[7, 's', 'warning'], [12, 's', 'warning'], [14, 's', 'warning']]);
});
