/**
 * Hand-offs to other files' classes (java-handoff, issue 13; ./calleeClasses.ts): a method of another file's
 * class that stores its parameter in its object (`sess.setSocket(s)`, through a field's method as in
 * `channel.setInputStream(in)` → `io.setInputStream(in)`, or on a field of a local as in
 * `connection.tcp.accept(selector, ch)`) keeps the socket; a method that only uses it, an interface method
 * (no body) or an overload set where one overload does not keep it leaves it the caller's. A class of another
 * file that extends `Socket` and is built on a socket (`new MonitorSocketWrapper(socket, monitor)`) takes it
 * over; `x = f(x)` of a call the analysis cannot see trades the old resource for what the call returns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeSource } from '../../index';
import { analyzeInProject } from '../../testing/javaKit';
import { findingRows, tempRoot, withProject, writeLines } from '../../testing/projectTree';



function project(): { root: string; use: string } {
  const root = tempRoot('callees');
  writeLines(root, 'pom.xml', ['<project/>']);
  const pkg = 'src/main/java/org/acme/net';
  writeLines(root, `${pkg}/Session.java`, [
    'package org.acme.net;', 'import java.io.*;', 'import java.net.Socket;', 'import java.util.*;',
    'public class Session {',
    '  private Socket socket;',
    '  private final List<Socket> old = new ArrayList<>();',
    '  private final IO io = new IO();',
    '  public void setSocket(Socket socket) throws IOException { this.socket = Objects.requireNonNull(socket); }',
    '  public void remember(Socket s) { old.add(s); }',
    '  public void setInput(InputStream in) { io.setInput(in, false); }',
    '  public void log(Socket s) { System.out.println(s.getPort()); }',
    '  public void twice(Socket s) { this.socket = s; }',
    '  public void twice(String s) { System.out.println(s); }',
    '}',
  ]);
  writeLines(root, `${pkg}/IO.java`, [
    'package org.acme.net;', 'import java.io.InputStream;',
    'class IO {',
    '  private InputStream in;',
    '  void setInput(InputStream in) { this.in = in; }',
    '  void setInput(InputStream in, boolean dontClose) { setInput(in); }',
    '}',
  ]);
  writeLines(root, `${pkg}/Tcp.java`, [
    'package org.acme.net;', 'import java.io.IOException;', 'import java.nio.channels.*;',
    'public class Tcp {',
    '  private SocketChannel channel;',
    '  public SelectionKey accept(Selector selector, SocketChannel ch) throws IOException {',
    '    try { this.channel = ch; ch.configureBlocking(false); return ch.register(selector, SelectionKey.OP_READ); }',
    '    catch (IOException e) { ch.close(); throw e; }',
    '  }',
    '}',
  ]);
  writeLines(root, `${pkg}/Connection.java`, ['package org.acme.net;', 'public class Connection {', '  public Tcp tcp = new Tcp();', '}']);
  writeLines(root, `${pkg}/Manager.java`, ['package org.acme.net;', 'import java.net.Socket;', 'public interface Manager {', '  Session newSession(Socket s);', '  void handle(Socket s);', '  String newName(Socket s);', '}']);
  writeLines(root, `${pkg}/MonitorSocketWrapper.java`, [
    'package org.acme.net;', 'import java.io.IOException;', 'import java.net.Socket;', 'import java.util.Objects;',
    'public class MonitorSocketWrapper extends Socket {',
    '  private final Socket original;',
    '  public MonitorSocketWrapper(Socket socket, Object monitor) { this.original = Objects.requireNonNull(socket, "socket"); }',
    '  @Override public synchronized void close() throws IOException { original.close(); }',
    '}',
  ]);
  const use = writeLines(root, `${pkg}/Server.java`, [
    'package org.acme.net;', 'import java.io.*;', 'import java.net.*;', 'import java.nio.channels.*;',
    'public class Server {',
    '  private Selector selector;',
    '  private Manager manager;',
    '  void stored(ServerSocket ss, Session sess) throws IOException {',
    '    Socket s = ss.accept();',
    '    sess.setSocket(s);',
    '  }',
    '  void collected(ServerSocket ss, Session sess) throws IOException {',
    '    Socket s = ss.accept();',
    '    sess.remember(s);',
    '  }',
    '  void throughField(ServerSocket ss, Session sess) throws IOException {',
    '    Socket s = ss.accept();',
    '    InputStream in = s.getInputStream();',
    '    sess.setInput(in);',
    '  }',
    '  void chained(ServerSocketChannel server) throws IOException {',
    '    SocketChannel ch = server.accept();',
    '    Connection connection = new Connection();',
    '    connection.tcp.accept(selector, ch);',
    '  }',
    '  void logged(ServerSocket ss, Session sess) throws IOException {',
    '    Socket s = ss.accept();',
    '    sess.log(s);',
    '  }',
    '  void overloaded(ServerSocket ss, Session sess) throws IOException {',
    '    Socket s = ss.accept();',
    '    sess.twice(s);',
    '  }',
    '  void viaInterface(ServerSocket ss) throws IOException {',
    '    Socket s = ss.accept();',
    '    manager.handle(s);',
    '  }',
    '  void wrapped(String host) throws IOException {',
    '    Socket socket = new Socket(host, 80);',
    '    try {',
    '      socket = new MonitorSocketWrapper(socket, this);',
    '      socket.getOutputStream().writeLines(1);',
    '    } catch (IOException e) {',
    '      System.out.println(e);',
    '    } finally {',
    '      socket.close();',
    '    }',
    '  }',
    '  Session viaFactory(ServerSocket ss) throws IOException {',
    '    Socket s = ss.accept();',
    '    Session session = manager.newSession(s);',
    '    return session;',
    '  }',
    '  String named(ServerSocket ss) throws IOException {',
    '    Socket s = ss.accept();',
    '    String name = manager.newName(s);',
    '    return name;',
    '  }',
    '}',
  ]);
  return { root, use };
}

test('java project: a method of another file that stores its parameter in its object keeps the socket', async () => {
  await withProject(project, async ({ use }) => {
    const text = fs.readFileSync(use, 'utf8');
    const res = await analyzeInProject(use, text);
    // stored, collected, throughField and chained: handed over by the call, so nothing leaks at the function's end
    // (an exception from the call itself still leaks it: the callee may throw before storing it). logged: the
    // method only uses it (chained: `new Connection()` throws nothing on purpose, ./quietConstructors, so the leak is
    // the call's own exception, at 24); overloaded: `twice(String)` keeps nothing, so the call may be that one; viaInterface:
    // an interface method has no body to read. Those three still leak at their end too. wrapped: taken over.
    // viaFactory: an interface's `new…` method returning an object of the project builds it on the socket (kept);
    // named: one returning a String does not (the socket leaks at the return). viaFactory's `newSession` declares no
    // `throws`, so only an unchecked exception can leave it: its leak is information (java-prec8, ./quietBuilder.test.ts).
    assert.deepEqual(findingRows(res), [
      '10 stored s warning', '14 collected s warning', '19 throughField s warning', '24 chained ch warning',
      '28 logged s warning', '29 logged s warning', '32 overloaded s warning', '33 overloaded s warning',
      '36 viaInterface s warning', '37 viaInterface s warning', '51 viaFactory s information', '56 named s warning', '57 named s warning',
    ]);
    // Without the project's other files, every callee is unknown and the sockets stay the caller's: they leak
    // at the end of each function. (The wrapper is then unknown too, and named like one: a name of the socket.)
    const alone = findingRows(await analyzeSource(text, 'java', {}));
    for (const end of ['11 stored', '15 collected', '20 throughField', '25 chained']) assert.ok(alone.some((r) => r.startsWith(end)), `${end}: ${alone.join(', ')}`);
  });
});

test('java project: a socket subclass built on a socket takes it over; a throwing constructor leaves it the caller\'s', async () => {
  await withProject(project, async ({ root, use }) => {
    const text = fs.readFileSync(use, 'utf8');
    const wrapper = path.join(root, 'src/main/java/org/acme/net/MonitorSocketWrapper.java');
    // A constructor that declares `throws IOException` may fail: the old socket is then still the caller's
    // (and the finally closes it), so there is still no leak, but the reassignment itself is no overwrite either.
    fs.writeFileSync(wrapper, fs.readFileSync(wrapper, 'utf8').replace('Object monitor) {', 'Object monitor) throws IOException {'));
    const res = await analyzeInProject(use, text);
    assert.deepEqual(findingRows(res).filter((r) => r.includes(' wrapped ')), []);
  });
});

test('java: `x = f(x)` of a call the analysis cannot see hands the old resource over; `y = f(x)` does not', async () => {
  const text = [
    'import java.io.*;', 'import java.net.*;',
    'class T {',
    '  interface Init { Socket init(Socket s) throws IOException; }',
    '  private Init initializer;',
    '  byte[] replaced(SocketAddress a) throws IOException {',
    '    Socket socket = new Socket();',
    '    try {',
    '      socket = initializer.init(socket);',
    '      socket.connect(a);',
    '      return new byte[] { (byte) socket.getInputStream().read() };',
    '    } finally {',
    '      socket.close();',
    '    }',
    '  }',
    '  byte[] other(SocketAddress a) throws IOException {',
    '    Socket socket = new Socket();',
    '    Socket layered = initializer.init(socket);',
    '    try {',
    '      layered.connect(a);',
    '      return new byte[] { (byte) layered.getInputStream().read() };',
    '    } finally {',
    '      layered.close();',
    '    }',
    '  }',
    '}',
  ].join('\n');
  const res = await analyzeSource(text, 'java', {});
  const found = findingRows(res);
  // replaced(): the initializer's result replaces the socket (nothing to report; before the rule, an overwrite at 9).
  assert.deepEqual(found.filter((r) => r.includes(' replaced ')), []);
  // other(): `socket` is still the function's own after the call (lent, not replaced): it leaks.
  assert.ok(found.some((r) => r.includes(' other socket warning')), found.join('\n'));
});
