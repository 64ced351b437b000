/**
 * Java-WebSocket census (issue 13, java-prec5): `getChannel()` of a socket its constructor made is null,
 * not a view of the socket; a latch's `countDown()` practically never throws.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeJava } from './index';

const cls = (...body: string[]) =>
  ['import java.io.*;', 'import java.net.*;', 'import java.nio.channels.*;', 'import java.util.concurrent.*;', 'class T {', ...body, '}'].join('\n');
const summary = async (text: string) =>
  (await analyzeJava(text, {})).findings.map((f) => [f.range.start.line + 1, f.function, f.variable, f.severity ?? 'warning']);

test('java: getChannel() of a socket made by its constructor is null (no alias of the socket)', async () => {
  const text = cls(
    '  void a(Factory f) {',
    '    SocketChannel channel = (new Socket()).getChannel();',
    '    SocketChannel result = f.wrapChannel(channel, null);',
    '    check(channel, result);',
    '  }',
    '  void b(Factory f) throws IOException {',
    '    DatagramSocket d = new DatagramSocket();',
    '    DatagramChannel ch = d.getChannel();',
    '    f.use(ch);',
    '    d.close();',
    '  }',
    '  void c(Factory f) throws IOException {',
    '    SocketChannel sc = SocketChannel.open();',
    '    Socket s = sc.socket();',
    '    SocketChannel back = s.getChannel();',
    '    f.use(back);',
    '    back.close();',
    '  }',
    '  void d(Factory f, Socket given) throws IOException {',
    '    Socket s = given;',
    '    s = new Socket("h", 1);',
    '    SocketChannel ch = s.getChannel();',
    '    f.use(s);',
    '    ch.close();',
    '  }',
    '  void e(String p) throws IOException {',
    '    FileChannel fc = new FileInputStream(p).getChannel();',
    '    fc.size();',
    '  }',
  );
  // a: nothing (the channel is null, and `new Socket()` alone holds no descriptor); b: the datagram socket leaks
  // if f.use throws (line 14), the null channel is no second name of it; c: a channel's socket still has that
  // channel, closing it closes sc (only f.use throwing leaks it, line 21); d: s may hold what another assignment
  // gave it, so ch stays its view (closing ch closes s); e: a file stream's channel is a view of the stream.
  assert.deepEqual(await summary(text), [[14, 'b', 'd', 'warning'], [21, 'c', 'sc', 'warning'], [28, 'd', 's', 'warning'], [34, 'e', 'fc', 'warning']]);
});

test('java: a leak only when a latch\'s countDown() throws is at information severity; caught, it is not followed', async () => {
  const text = cls(
    '  void g(final CountDownLatch ready) throws IOException {',
    '    ServerSocket ss = new ServerSocket(0);',
    '    ready.countDown();',
    '    ss.close();',
    '  }',
    '  void h(final CountDownLatch ready) {',
    '    try {',
    '      ServerSocket serverSocket = new ServerSocket(0);',
    '      ready.countDown();',
    '      Socket c = serverSocket.accept();',
    '      ready.countDown();',
    '    } catch (Throwable t) {',
    '      t.printStackTrace();',
    '    }',
    '  }',
  );
  // g: only countDown() throwing leaks ss (information); h: accept() may throw (line 15), and both are never
  // closed (line 17); the countDown() calls at 14 and 16 are not reported.
  assert.deepEqual(await summary(text), [
    [8, 'g', 'ss', 'information'], [15, 'h', 'serverSocket', 'warning'], [17, 'h', 'c', 'warning'], [17, 'h', 'serverSocket', 'warning'],
  ]);
});

test('java: a leak only when binding a fresh unbound socket to a loopback address and port 0 fails is at information severity', async () => {
  const text = cls(
    '  Socket a() throws IOException {',
    '    Socket s = new Socket();',
    '    s.bind(new InetSocketAddress("127.0.0.1", 0));',
    '    return s;',
    '  }',
    '  ServerSocketChannel b() throws IOException {',
    '    ServerSocketChannel ch = ServerSocketChannel.open();',
    '    ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);',
    '    return ch;',
    '  }',
    '  Socket c(String host) throws IOException {',
    '    Socket s = new Socket();',
    '    s.bind(new InetSocketAddress(host, 0));',
    '    return s;',
    '  }',
    '  Socket d() throws IOException {',
    '    Socket s = new Socket("h", 1);',
    '    s.bind(new InetSocketAddress("127.0.0.1", 0));',
    '    return s;',
    '  }',
    '  Socket e() throws IOException {',
    '    Socket s = new Socket();',
    '    try {',
    '      s.connect(new InetSocketAddress("h", 1));',
    '    } catch (IOException x) {',
    '      s.close();',
    '      throw x;',
    '    }',
    '    s.bind(new InetSocketAddress("127.0.0.1", 0));',
    '    return s;',
    '  }',
  );
  // a, b: loopback, port 0, fresh: information; c: any host may fail; d: a connected socket is bound already;
  // e: bind after connect fails (a failed connect closes it).
  assert.deepEqual(await summary(text), [
    [8, 'a', 's', 'information'], [13, 'b', 'ch', 'information'], [18, 'c', 's', 'warning'], [23, 'd', 's', 'warning'],
    [34, 'e', 's', 'warning'],
  ]);
});
