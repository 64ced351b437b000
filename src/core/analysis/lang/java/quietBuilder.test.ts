/**
 * Builders of another file's interface that declare no `throws` (issue 13, java-prec8; ./calleeClasses `quietBuilder`):
 * `wsf.createWebSocket(this, drafts)`, `sessionManager.newSession(socket)`. javac lets a call throw only the checked
 * exceptions of its compile-time declaration's `throws` clause, and no implementation may add one, so such a builder
 * can let out only an unchecked exception (a programming error): a leak only through it is information. The same
 * builder declared `throws IOException`, or a method not named as a builder, keeps its warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeInProject } from '../../testing/javaKit';
import { findingRows, tempRoot, withProject, writeLines } from '../../testing/projectTree';

test('java project: an interface builder declaring no throws is an unlikely exception origin; one declaring IOException is not', async () => {
  await withProject(() => ({ root: tempRoot('builders') }), async ({ root }) => {
    writeLines(root, 'pom.xml', ['<project/>']);
    const pkg = 'src/main/java/org/acme/net';
    writeLines(root, `${pkg}/Conn.java`, ['package org.acme.net;', 'public class Conn {', '  public void setChannel(Object ch) { }', '}']);
    writeLines(root, `${pkg}/Factory.java`, [
      'package org.acme.net;', 'import java.io.IOException;', 'import java.net.Socket;',
      'public interface Factory {',
      '  Conn newConn(Socket s);',
      '  Conn createConn(Object owner, String name);',
      '  Conn createChecked(Object owner, String name) throws IOException;',
      '  String describe(Object owner, String name);',
      '}',
    ]);
    const use = writeLines(root, `${pkg}/Server.java`, [
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
    assert.deepEqual(findingRows(await analyzeInProject(use)), [
      '10 quietKeeping s information', '15 quiet ch information', '20 checked ch warning', '25 notBuilder ch warning',
    ]);
  });
});
