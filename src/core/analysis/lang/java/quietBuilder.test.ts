/**
 * Builders of another file's interface that declare no `throws` (issue 13, java-prec8; ./calleeClasses `quietBuilder`):
 * `wsf.createWebSocket(this, drafts)`, `sessionManager.newSession(socket)`. javac lets a call throw only the checked
 * exceptions of its compile-time declaration's `throws` clause, and no implementation may add one, so such a builder
 * can let out only an unchecked exception (a programming error): a leak only through it is information. The same
 * builder declared `throws IOException`, or a method not named as a builder, keeps its warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyzeSource } from '../../index';
import { JavaProject } from '../../javaProject';

function write(root: string, rel: string, lines: string[]): string {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

type Result = Awaited<ReturnType<typeof analyzeSource>>;
const rows = (r: Result): string[] => r.findings.map((f) => `${f.range.start.line + 1} ${f.function} ${f.variable} ${f.severity ?? 'warning'}`);

test('java project: an interface builder declaring no throws is an unlikely exception origin; one declaring IOException is not', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-builders-'));
  try {
    write(root, 'pom.xml', ['<project/>']);
    const pkg = 'src/main/java/org/acme/net';
    write(root, `${pkg}/Conn.java`, ['package org.acme.net;', 'public class Conn {', '  public void setChannel(Object ch) { }', '}']);
    write(root, `${pkg}/Factory.java`, [
      'package org.acme.net;', 'import java.io.IOException;', 'import java.net.Socket;',
      'public interface Factory {',
      '  Conn newConn(Socket s);',
      '  Conn createConn(Object owner, String name);',
      '  Conn createChecked(Object owner, String name) throws IOException;',
      '  String describe(Object owner, String name);',
      '}',
    ]);
    const use = write(root, `${pkg}/Server.java`, [
      'package org.acme.net;', 'import java.io.*;', 'import java.net.*;', 'import java.nio.channels.*;',
      'public class Server {',
      '  private Factory factory;',
      '  private Selector selector;',
      '  Conn quietKeeping(ServerSocket ss) throws IOException {',
      '    Socket s = ss.accept();',
      '    Conn c = factory.newConn(s);',
      '    return c;',
      '  }',
      '  void quiet(ServerSocketChannel server, String name) throws IOException {',
      '    SocketChannel ch = server.accept();',
      '    Conn c = factory.createConn(this, name);',
      '    ch.register(selector, SelectionKey.OP_READ, c);',
      '  }',
      '  void checked(ServerSocketChannel server, String name) throws IOException {',
      '    SocketChannel ch = server.accept();',
      '    Conn c = factory.createChecked(this, name);',
      '    ch.register(selector, SelectionKey.OP_READ, c);',
      '  }',
      '  void notBuilder(ServerSocketChannel server, String name) throws IOException {',
      '    SocketChannel ch = server.accept();',
      '    String d = factory.describe(this, name);',
      '    ch.register(selector, SelectionKey.OP_READ, d);',
      '  }',
      '}',
    ]);
    const text = fs.readFileSync(use, 'utf8');
    const res = await analyzeSource(text, 'java', {}, { java: new JavaProject(), file: use });
    assert.deepEqual(rows(res), [
      '10 quietKeeping s information', '15 quiet ch information', '20 checked ch warning', '25 notBuilder ch warning',
    ]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
