/**
 * Java acquisitions beyond the socket constructors and `open()` (issue 13): file streams, `Files.new…`
 * and what a socket factory returns into a local declared as a socket or channel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeJava } from './index';

const cls = (...body: string[]) => ['import java.io.*;', 'import java.net.*;', 'import java.nio.file.*;', 'class T {', ...body, '}'].join('\n');
const summary = async (text: string) =>
  (await analyzeJava(text, {})).findings.map((f) => [f.range.start.line + 1, f.variable, f.severity ?? 'warning']);

test('java: file streams and Files.new… open a descriptor; a wrapper of one owns it', async () => {
  const text = cls(
    '  void store(Ftp ftp, String local) throws IOException {',
    '    InputStream input = new FileInputStream(local);',
    '    ftp.storeFile("x", input);',
    '    input.close();',
    '  }',
    '  void read(String p) throws IOException {',
    '    BufferedReader br = new BufferedReader(new FileReader(p));',
    '    try {',
    '      br.readLine();',
    '    } finally {',
    '      br.close();',
    '    }',
    '  }',
    '  void copy(Path p) throws IOException {',
    '    try (InputStream in = Files.newInputStream(p)) {',
    '      in.read();',
    '    }',
    '    OutputStream out = Files.newOutputStream(p);',
    '    out.write(1);',
    '    out.close();',
    '  }',
  );
  assert.deepEqual(await summary(text), [[7, 'input', 'warning'], [23, 'out', 'warning']]);
});

test('java: a socket factory\'s result in a local declared as a socket is the function\'s own (it may be null)', async () => {
  const text = cls(
    '  Socket connect(SocketFactory f, InetSocketAddress a) throws IOException {',
    '    Socket result = f.createSocket();',
    '    result.connect(a);',
    '    return result;',
    '  }',
    '  Socket guarded(SocketFactory f, InetSocketAddress a) throws IOException {',
    '    Socket result = f.createSocket();',
    '    if (result == null) return null;',
    '    try {',
    '      result.connect(a);',
    '    } catch (IOException e) {',
    '      result.close();',
    '      throw e;',
    '    }',
    '    return result;',
    '  }',
    '  Object other(Factory f) throws IOException {',
    '    Object o = f.createThing();',
    '    o.toString();',
    '    return o;',
    '  }',
  );
  assert.deepEqual(await summary(text), [[7, 'result', 'warning']]);
});

test('java: an exception leaving a program\'s static main(String[]) ends the process: that leak is below warning', async () => {
  const text = cls(
    '  public static void main(String[] args) throws IOException {',
    '    Writer w = new FileWriter(args[0]);',
    '    w.write(1);',
    '    w.close();',
    '    Writer v = new FileWriter(args[1]);',
    '    try {',
    '      v.write(1);',
    '      v.close();',
    '    } catch (IOException e) {',
    '      e.printStackTrace();',
    '    }',
    '    System.out.println("done");',
    '  }',
    '  void main(String p) throws IOException {',
    '    Writer w = new FileWriter(p);',
    '    w.write(1);',
    '    w.close();',
    '  }',
  );
  // v's write() failure is caught and main goes on, but only to its end: main starts no thread, so the process
  // exits as soon as it returns and the leak at its end is below warning too (java-prec7, ./programMain; it was
  // a warning before). The instance method named main is no program entry point.
  assert.deepEqual(await summary(text), [[7, 'w', 'information'], [14, 'v', 'information'], [17, 'v', 'information'], [20, 'w', 'warning']]);
});

test('java: a channel\'s socket() view practically never throws', async () => {
  const text = cls(
    '  java.nio.channels.SocketChannel make() throws IOException {',
    '    java.nio.channels.SocketChannel sock = java.nio.channels.SocketChannel.open();',
    '    sock.socket().setSoLinger(false, -1);',
    '    return sock;',
    '  }',
  );
  assert.deepEqual(await summary(text), [[7, 'sock', 'information']]);
});

test('java: in main, a leak whose exception a catch of main takes is a warning, wherever the variable dies', async () => {
  const text = cls(
    '  public static void main(String[] args) throws IOException {',
    '    boolean error = false;',
    '    try {',
    '      if (args.length > 1) {',
    '        InputStream input = new FileInputStream(args[0]);',
    '        send(input);',
    '        input.close();',
    '      }',
    '      InputStream other = new FileInputStream(args[1]);',
    '      send(other);',
    '      other.close();',
    '    } catch (IOException e) {',
    '      error = true;',
    '    } finally {',
    '      System.out.println("done");',
    '    }',
    '    if (args.length > 2) {',
    '      InputStream last = new FileInputStream(args[2]);',
    '      send(last);',
    '      last.close();',
    '    }',
    '    System.exit(error ? 1 : 0);',
    '  }',
    '  static void send(InputStream in) throws IOException { in.read(); }',
  );
  // `input` dies where its block is left (the exception is then caught: main goes on without it closed);
  // `last`'s exception leaves main, which ends the process.
  assert.deepEqual(await summary(text), [[10, 'input', 'warning'], [14, 'other', 'warning'], [23, 'last', 'information']]);
});
