/**
 * Java shapes from real code (issue 13): hand-offs to wrappers and owners, closing helpers with extra
 * arguments, and exceptions from calls that practically never throw (reported at information severity).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeJava } from './index';

const cls = (...body: string[]) => ['import java.io.*;', 'import java.net.*;', 'class T {', ...body, '}'].join('\n');
const summary = async (text: string) =>
  (await analyzeJava(text, {})).findings.map((f) => [f.range.start.line + 1, f.variable, f.severity ?? 'warning']);

test('java: a socket given to a constructor, a layering createSocket(…, true) or a returned call is handed over', async () => {
  const text = cls(
    '  Object conn(String h, int p) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    Conn c = new Conn(s);',
    '    return c;',
    '  }',
    '  Socket layered(javax.net.ssl.SSLSocketFactory f, String h, int p) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    return f.createSocket(s, h, p, true);',
    '  }',
    '  Socket notLayered(javax.net.ssl.SSLSocketFactory f, String h, int p) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    Socket t = f.createSocket(s, h, p, false);',
    '    return t;',
    '  }',
    '  Object wrapped(String h, int p) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    return Holder.wrap(s);',
    '  }',
    '  void queued(Queue q, String h, int p) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    if (!q.addConnection(s)) s.close();',
    '  }',
  );
  // Each call that receives the socket may still throw before keeping it; only autoClose=false keeps nothing.
  assert.deepEqual(await summary(text), [
    [6, 's', 'warning'], [11, 's', 'warning'], [15, 's', 'warning'], [16, 's', 'warning'], [20, 's', 'warning'], [24, 's', 'warning'],
  ]);
});

test('java: closing helpers with extra arguments and static close(x, …) close their arguments', async () => {
  const text = cls(
    '  void a(String h, int p) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    try { s.getOutputStream().write(1); } finally { IOUtils.closeQuietly(s, e -> {}); }',
    '  }',
    '  void b(String h, int p) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    try { s.getOutputStream().write(1); } finally { Closeables.close(s, true); }',
    '  }',
    '  void c(String h, int p) throws IOException {',
    '    Socket s = new Socket(h, p);',
    '    Socket t = new Socket(h, p);',
    '    try { s.getOutputStream().write(1); } finally { closeQuietly(s, t); }',
    '  }',
  );
  // The finally closes both in c; only t's constructor throwing (line 14) leaks s.
  assert.deepEqual(await summary(text), [[14, 's', 'warning']]);
});

test('java: a leak only when a setter, a getter or a logging call throws is at information severity; a likely throw wins', async () => {
  const text = cls(
    '  void a(ServerSocket ss) throws IOException {',
    '    Socket s = ss.accept();',
    '    s.setSoTimeout(1000);',
    '    LOG.info("accepted {}", s);',
    '    s.close();',
    '  }',
    '  void b(ServerSocket ss) throws IOException {',
    '    Socket s = ss.accept();',
    '    s.setTcpNoDelay(true);',
    '    s.getOutputStream().write(getCode());',
    '    s.close();',
    '  }',
  );
  assert.deepEqual(await summary(text), [[6, 's', 'information'], [13, 's', 'warning']]);
});

test('java: a stream given itself to a static method of an imported library class is its business once it returns', async () => {
  const text = [
    'import java.io.*;',
    'import java.nio.file.Files;',
    'import org.example.util.IOUtil;',
    'class T {',
    '  String a(File f) throws IOException {',
    '    InputStream in = new FileInputStream(f);',
    '    return IOUtil.readInput(in);',
    '  }',
    '  String b(File f) throws IOException {',
    '    InputStream in = new FileInputStream(f);',
    '    String s = IOUtil.readInput(in);',
    '    return s;',
    '  }',
    '  long c(File f, java.nio.file.Path p) throws IOException {',
    '    InputStream in = new FileInputStream(f);',
    '    long n = Files.copy(in, p);',
    '    return n;',
    '  }',
    '}',
  ].join('\n');
  // a, b: an exception from readInput still leaks the stream (lines 7, 11), nothing after it returns;
  // c: Files.copy (the JDK's, which does not close) leaves it open (exception line 16, return line 17).
  assert.deepEqual(await summary(text), [[7, 'in', 'warning'], [11, 'in', 'warning'], [16, 'in', 'warning'], [17, 'in', 'warning']]);
});
