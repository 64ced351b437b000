/**
 * Java: the unchecked exceptions JDK calls throw on bad input go past a `catch (IOException e)`
 * (issue 13: zookeeper's ClientCnxnSocketNIO.connect leaked its channel on an unresolved address).
 * Other calls' unchecked exceptions are not modelled: a catch is taken to catch what they throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeJava } from './index';

const file = (...body: string[]) => ['import java.io.*;', 'import java.net.*;', 'import java.nio.channels.*;', 'class T {', ...body, '}'].join('\n');
const summary = async (text: string) =>
  (await analyzeJava(text, {})).findings.map((f) => [f.range.start.line + 1, f.variable, f.severity ?? 'warning']);

const connecting = (catchTypes: string) => file(
  '  private void registerAndConnect(SocketChannel sock, SocketAddress addr) throws IOException {',
  '    sock.connect(addr);',
  '  }',
  '  SocketChannel connect(SocketAddress addr) throws IOException {',
  '    SocketChannel sock = SocketChannel.open();',
  '    try {',
  '      registerAndConnect(sock, addr);',
  `    } catch (${catchTypes} e) {`,
  '      sock.close();',
  '      throw e;',
  '    }',
  '    return sock;',
  '  }',
);

test('java: an unresolved address from a channel connect in a same-file helper goes past catch (IOException)', async () => {
  assert.deepEqual(await summary(connecting('IOException')), [[11, 'sock', 'warning']]);
});

test('java: a catch naming the unchecked exception or a superclass of it closes on that path too', async () => {
  for (const types of ['UnresolvedAddressException | UnsupportedAddressTypeException | IOException', 'IllegalArgumentException | IOException', 'Exception', 'Throwable']) {
    assert.deepEqual(await summary(connecting(types)), [], types);
  }
});

test('java: NumberFormatException from Long.valueOf(String) leaks past catch (IOException) but not through a finally', async () => {
  const text = file(
    '  void a(String h, String timeout) throws IOException {',
    '    Socket s = new Socket(h, 80);',
    '    try {',
    '      s.setSoTimeout(Long.valueOf(timeout).intValue());',
    '      s.getOutputStream().write(1);',
    '    } catch (IOException e) {',
    '      s.close();',
    '      throw e;',
    '    }',
    '    s.close();',
    '  }',
    '  void b(String h, String port) throws IOException {',
    '    Socket s = new Socket(h, 80);',
    '    try {',
    '      s.getOutputStream().write(Integer.parseInt(port));',
    '    } finally {',
    '      s.close();',
    '    }',
    '  }',
    '  static class ProtocolException extends IOException { }',
    '  void c(String h) throws IOException {',
    '    Socket s = new Socket(h, 80);',
    '    try {',
    '      s.getOutputStream().write(URI.create(h).getPort());',
    '    } catch (ProtocolException e) {',
    '      s.close();',
    '      throw e;',
    '    }',
    '    s.close();',
    '  }',
  );
  // a: valueOf (line 8); c: a project exception class does not catch IllegalArgumentException (line 28).
  // (Each also leaks when write() throws anything else in c: the catch is taken to match it.)
  assert.deepEqual(await summary(text), [[8, 's', 'warning'], [28, 's', 'warning']]);
});

test('java: other calls are taken to throw what the catch catches (no pedantic unchecked paths)', async () => {
  const text = file(
    '  void a(String h, Object o) throws IOException {',
    '    Socket s = new Socket(h, 80);',
    '    try {',
    '      s.getOutputStream().write(o.hashCode());',
    '      helper(o);',
    '    } catch (IOException e) {',
    '      s.close();',
    '      throw e;',
    '    }',
    '    s.close();',
    '  }',
    '  void helper(Object o) throws IOException { o.toString(); }',
  );
  assert.deepEqual(await summary(text), []);
});
