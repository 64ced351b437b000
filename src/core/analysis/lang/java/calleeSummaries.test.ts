/**
 * What another file's class does with a resource it is given (java-handoff2, issue 13; ./calleeClasses.ts): a
 * constructor or method that keeps the parameter (a field, a stream wrapper or view of it in a field, `super(p)` /
 * `this(p)` of a constructor that keeps it, a value returned and used) takes it over; one that closes it on every
 * path that returns releases it; a constructor or a static method that only borrows it (every use a call on it
 * that gives no view of it) leaves it the caller's. Anything else (two constructors of an arity that disagree, a
 * close after a possible `return`, a use in a lambda, an interface) keeps the reading it had before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import { analyzeSource } from '../../index';
import { JavaProject } from '../../javaProject';
import { analyzeInProject } from '../../testing/javaKit';
import { findingRows, tempRoot, withProject, writeLines } from '../../testing/projectTree';

function project(): { root: string; use: string } {
  const root = tempRoot('summaries');
  writeLines(root, 'pom.xml', ['<project/>']);
  const pkg = 'src/main/java/org/acme/net';
  const util = 'src/main/java/org/acme/util';
  writeLines(root, `${pkg}/BaseConn.java`, [
    'package org.acme.net;', 'import java.net.Socket;',
    'public class BaseConn {', '  protected final Socket socket;', '  protected BaseConn(Socket socket) { this.socket = socket; }', '}',
  ]);
  writeLines(root, `${pkg}/Conn.java`, [
    'package org.acme.net;', 'import java.net.Socket;',
    'public class Conn extends BaseConn {',
    '  private final int port;',
    '  public Conn(Socket s, int id) { super(s); this.port = s.getPort(); }',
    '  public Conn(Socket s) { this(s, 0); }',
    '}',
  ]);
  writeLines(root, `${pkg}/Probe.java`, [
    'package org.acme.net;', 'import java.io.IOException;', 'import java.net.Socket;',
    'public class Probe {',
    '  private int port;',
    '  private boolean open;',
    '  public Probe(Socket s) throws IOException { this.port = s.getPort(); s.setSoTimeout(1000); this.open = !s.isClosed(); }',
    '  public Probe(Socket s, Runnable r) { this.port = s.getPort(); r.run(); }',
    '}',
  ]);
  writeLines(root, `${pkg}/Mixed.java`, [
    'package org.acme.net;', 'import java.net.Socket;',
    'public class Mixed {',
    '  private Socket kept;',
    '  private int port;',
    '  public Mixed(Socket s) { this.port = s.getPort(); }',
    '  public Mixed(Socket s, Object o) { this.kept = s; }',
    '  public Mixed(Object o, Socket s) { Runnable r = () -> System.out.println(s.getPort()); }',
    '}',
  ]);
  writeLines(root, `${pkg}/Session.java`, [
    'package org.acme.net;', 'import java.io.*;', 'import java.net.Socket;',
    'public class Session {',
    '  private PrintWriter out;',
    '  public void finish(Socket s) throws IOException { try { s.getOutputStream().write(1); } finally { s.close(); } }',
    '  public void maybe(Socket s, boolean b) throws IOException { if (b) return; s.close(); }',
    '  public void attach(Socket s) throws IOException { this.out = new PrintWriter(s.getOutputStream()); }',
    '  public DataInputStream wrap(InputStream in) { return new DataInputStream(in); }',
    '}',
  ]);
  writeLines(root, `${pkg}/Helper.java`, [
    'package org.acme.net;', 'import java.io.*;',
    'final class Helper {',
    '  static void drain(InputStream in) throws IOException { try (in) { while (in.read() >= 0) { } } }',
    '}',
  ]);
  writeLines(root, `${pkg}/BaseHandler.java`, [
    'package org.acme.net;', 'import java.io.IOException;', 'import java.net.Socket;',
    'public abstract class BaseHandler {',
    '  private Socket socket;',
    '  protected void setSocket(Socket s) { this.socket = s; }',
    '  protected void finishWith(Socket s) throws IOException { try { s.getOutputStream().write(0); } finally { s.close(); } }',
    '  protected void log(Socket s) { System.out.println(s.getPort()); }',
    '}',
  ]);
  writeLines(root, `${util}/Streams.java`, [
    'package org.acme.util;', 'import java.io.*;',
    'public final class Streams {',
    '  public static int peek(InputStream in) throws IOException { return in.read(); }',
    '  public static InputStream view(InputStream in) { return in; }',
    '}',
  ]);
  const use = writeLines(root, `${pkg}/Server.java`, [
    'package org.acme.net;', 'import java.io.*;', 'import java.net.*;', 'import org.acme.util.Streams;',
    'public class Server extends BaseHandler {',
    '  void probed(ServerSocket ss) throws IOException {',
    '    Socket s = ss.accept();',
    '    new Probe(s);',
    '  }',
    '  void conn(ServerSocket ss) throws IOException {',
    '    Socket s = ss.accept();',
    '    new Conn(s);',
    '  }',
    '  void mixed(ServerSocket ss) throws IOException {',
    '    Socket s = ss.accept();',
    '    new Mixed(s);',
    '  }',
    '  void finished(ServerSocket ss, Session sess) throws IOException {',
    '    Socket s = ss.accept();',
    '    sess.finish(s);',
    '  }',
    '  void maybe(ServerSocket ss, Session sess) throws IOException {',
    '    Socket s = ss.accept();',
    '    sess.maybe(s, true);',
    '  }',
    '  void attached(ServerSocket ss, Session sess) throws IOException {',
    '    Socket s = ss.accept();',
    '    sess.attach(s);',
    '  }',
    '  DataInputStream wrapped(File f, Session sess) throws IOException {',
    '    InputStream in = new FileInputStream(f);',
    '    DataInputStream d = sess.wrap(in);',
    '    return d;',
    '  }',
    '  void drained(File f) throws IOException {',
    '    InputStream in = new FileInputStream(f);',
    '    Helper.drain(in);',
    '  }',
    '  int peeked(File f) throws IOException {',
    '    InputStream in = new FileInputStream(f);',
    '    return Streams.peek(in);',
    '  }',
    '  void inheritedKept(ServerSocket ss) throws IOException {',
    '    Socket s = ss.accept();',
    '    setSocket(s);',
    '  }',
    '  void inheritedClosed(ServerSocket ss) throws IOException {',
    '    Socket s = ss.accept();',
    '    this.finishWith(s);',
    '  }',
    '  void inheritedLogged(ServerSocket ss) throws IOException {',
    '    Socket s = ss.accept();',
    '    log(s);',
    '  }',
    '}',
  ]);
  return { root, use };
}

test('java project: the facts of another file\'s constructors and methods for the parameters they are given', async () => {
  await withProject(project, async ({ use }) => {
    const classes = await new JavaProject().calleeClasses(use);
    // Conn(s): `this(s, 0)` → `super(s)` → BaseConn stores it: kept through both constructor calls.
    assert.deepEqual(classes.get('Conn')?.ctors?.get(1), { keeps: [0], releases: [], borrows: [] });
    // Probe(s): only calls on it that give no view of it: borrowed.
    assert.deepEqual(classes.get('Probe')?.ctors?.get(1), { keeps: [], releases: [], borrows: [0] });
    // Mixed(s) borrows, but the other constructors of other arities are not the one called; arity 1 alone is read.
    assert.deepEqual(classes.get('Mixed')?.ctors?.get(1), { keeps: [], releases: [], borrows: [0] });
    const session = classes.get('Session');
    assert.deepEqual(session?.releases?.get('finish/1'), [0]);
    // maybe(): a `return` before the close: not closed on every path that returns.
    assert.equal(session?.releases?.get('maybe/2'), undefined);
    assert.deepEqual(session?.keeps.get('attach/1'), [0]);
    assert.deepEqual(session?.returns?.get('wrap/1'), [0]);
    assert.deepEqual(classes.get('Helper')?.releases?.get('drain/1'), [0]);
    assert.deepEqual(classes.get('Streams')?.borrows?.get('peek/1'), [0]);
    // Server's own unqualified calls of methods it inherits from BaseHandler, another file's class.
    const inherited = classes.get('super:Server');
    assert.deepEqual(inherited?.keeps.get('setSocket/1'), [0]);
    assert.deepEqual(inherited?.releases?.get('finishWith/1'), [0]);
    assert.equal(inherited?.keeps.get('log/1'), undefined);
  });
});

test('java project: a resource another file\'s class keeps is handed over, one it closes released, one it borrows still the caller\'s', async () => {
  await withProject(project, async ({ use }) => {
    const text = fs.readFileSync(use, 'utf8');
    const rows = findingRows(await analyzeInProject(use, text));
    // probed: Probe(Socket) only borrows the socket, which is still open at the end (before: taken to be kept).
    assert.ok(rows.includes('9 probed s warning'), rows.join('\n'));
    // conn: kept by the object (through this(…) and super(…)); mixed: Mixed(Socket) borrows it: a leak at the end.
    assert.ok(!rows.some((r) => r.startsWith('13 conn')), rows.join('\n'));
    assert.ok(rows.includes('17 mixed s warning'), rows.join('\n'));
    // finished: closed by finish() on every path (before: lent, a leak at the end); maybe: not closed when it returns early.
    // (Closed on its exceptional exits too, as a same-file callee that closes on every path that returns is taken to be.)
    assert.ok(!rows.some((r) => / finished /.test(r)), rows.join('\n'));
    assert.ok(rows.includes('25 maybe s warning'), rows.join('\n'));
    // attached: a PrintWriter over its output stream in a field keeps the socket (before: lent, a leak at the end, 30).
    assert.ok(!rows.some((r) => r.startsWith('30 attached')), rows.join('\n'));
    // wrapped: the DataInputStream returned is built on the stream (before: lent, a leak at the return; an exception
    // from wrap() itself still leaks it, at 32).
    assert.ok(!rows.some((r) => r.startsWith('33 wrapped')), rows.join('\n'));
    // drained: the same-package helper closes it in its try-with-resources (before: lent, a leak at the end).
    assert.ok(!rows.some((r) => / drained /.test(r)), rows.join('\n'));
    // peeked: Streams.peek of another package only reads it (before: an imported class's static method took it over).
    assert.ok(rows.includes('41 peeked in warning'), rows.join('\n'));
    // inheritedKept / inheritedClosed: the inherited method keeps / closes it (before: lent, a leak at the end of
    // each); inheritedLogged: log() only uses it: a leak at the end.
    assert.ok(!rows.some((r) => r.startsWith('46 inheritedKept') || / inheritedClosed /.test(r)), rows.join('\n'));
    assert.ok(rows.includes('54 inheritedLogged s warning'), rows.join('\n'));
    // Without the project's other files, nothing is known: Probe is taken to keep the socket, finish() to lend it.
    const alone = findingRows(await analyzeSource(text, 'java', {}));
    assert.ok(!alone.some((r) => r.startsWith('9 probed')), alone.join('\n'));
    assert.ok(alone.some((r) => r.startsWith('21 finished')), alone.join('\n'));
    assert.ok(alone.some((r) => r.startsWith('46 inheritedKept')) && alone.some((r) => r.startsWith('50 inheritedClosed')), alone.join('\n'));
  });
});
