/**
 * Resource classes of other files of the project (issue 13, javaProject.ts and projectClasses.ts): a
 * class of another module or of the same package folder whose constructors open a socket kept in a
 * field that its close() closes is acquired by `new`; wrappers, lazily connecting clients, classes
 * with a constructor that opens nothing and classes whose close() forgets the field stay unknown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import { analyzeSource } from '../../index';
import { JavaProject } from '../../javaProject';
import { setTreeCache } from '../../parser';
import { analyzeInProject } from '../../testing/javaKit';
import { tempRoot, withProject, writeLines } from '../../testing/projectTree';


/** A two-module project: lib (the classes) and app (the file checked). */
function project(): { root: string; use: string } {
  const root = tempRoot('javaproject');
  writeLines(root, 'pom.xml', ['<project/>']);
  writeLines(root, 'lib/pom.xml', ['<project/>']);
  writeLines(root, 'app/pom.xml', ['<project/>']);
  const lib = 'lib/src/main/java/org/acme';
  writeLines(root, `${lib}/net/Channel.java`, [
    'package org.acme.net;', 'import java.io.IOException;', 'import java.net.*;',
    'public class Channel {',
    '  protected Socket socket;',
    '  public Channel(String host) { }',
    '  public void open() throws IOException { socket = new Socket(); socket.connect(new InetSocketAddress("h", 21)); }',
    '  public void close() throws IOException { if (socket != null) socket.close(); }',
    '}',
  ]);
  writeLines(root, `${lib}/net/SubChannel.java`, [
    'package org.acme.net;',
    'public class SubChannel extends Channel {',
    '  public SubChannel(String host) { super(host); }',
    '}',
  ]);
  writeLines(root, `${lib}/Client.java`, [
    'package org.acme;', 'import java.io.IOException;', 'import org.acme.net.Channel;', 'import org.acme.net.SubChannel;',
    'public class Client {',
    '  protected Channel control;',
    '  public Client(String host) throws IOException {',
    '    control = new SubChannel(host);',
    '    control.open();',
    '  }',
    '  public void close() throws IOException { close(false); }',
    '  public void close(boolean quiet) throws IOException { try { control.toString(); } finally { control.close(); } }',
    '}',
  ]);
  writeLines(root, `${lib}/Extended.java`, [
    'package org.acme;', 'import java.io.IOException;',
    'public class Extended extends Client {',
    '  public Extended(String host) throws IOException { super(host); }',
    '}',
  ]);
  // Not resources: a wrapper of a channel it was given, a client that connects later, a class with a
  // constructor that opens nothing, a close() that forgets the socket.
  writeLines(root, `${lib}/Wrapper.java`, [
    'package org.acme;', 'import java.io.*;', 'import java.nio.channels.*;',
    'public class Wrapper implements Closeable {',
    '  private final SocketChannel ch;',
    '  public Wrapper(SelectionKey key) { this.ch = (SocketChannel) key.channel(); }',
    '  public void close() throws IOException { ch.close(); }',
    '}',
  ]);
  writeLines(root, `${lib}/Lazy.java`, [
    'package org.acme;', 'import java.io.*;', 'import java.net.*;',
    'public class Lazy implements Closeable {',
    '  private Socket s;',
    '  public Lazy() { }',
    '  public void connect(String h) throws IOException { s = new Socket(h, 1); }',
    '  public void close() throws IOException { s.close(); }',
    '}',
  ]);
  writeLines(root, `${lib}/Partial.java`, [
    'package org.acme;', 'import java.io.*;', 'import java.net.*;',
    'public class Partial implements Closeable {',
    '  private Socket s;',
    '  public Partial(String h) throws IOException { s = new Socket(h, 1); }',
    '  public Partial(Socket given) { s = given; }',
    '  public void close() throws IOException { s.close(); }',
    '}',
  ]);
  writeLines(root, `${lib}/Forgetful.java`, [
    'package org.acme;', 'import java.io.*;', 'import java.net.*;',
    'public class Forgetful implements Closeable {',
    '  private Socket s;',
    '  private InputStream in;',
    '  public Forgetful(String h) throws IOException { s = new Socket(h, 1); in = s.getInputStream(); }',
    '  public void close() throws IOException { in.close(); }',
    '}',
  ]);
  const app = 'app/src/main/java/org/acme/app';
  writeLines(root, `${app}/Local.java`, [
    'package org.acme.app;', 'import java.io.*;', 'import java.nio.channels.SocketChannel;',
    'class Local implements Closeable {',
    '  private final SocketChannel ch;',
    '  Local() throws IOException { this.ch = SocketChannel.open(); }',
    '  public void close() throws IOException { ch.close(); }',
    '}',
  ]);
  const use = writeLines(root, `${app}/Use.java`, [
    'package org.acme.app;', 'import java.io.IOException;', 'import org.acme.*;', 'import org.acme.Client;', 'import org.acme.Extended;',
    'import org.acme.Wrapper;', 'import org.acme.Lazy;', 'import org.acme.Partial;', 'import org.acme.Forgetful;',
    'class Use {',
    '  void client(String h) throws IOException {',
    '    Client c = new Client(h);',
    '    c.send(h);',
    '    c.close();',
    '  }',
    '  void extended(String h) throws IOException {',
    '    Extended c = new Extended(h);',
    '    c.send(h);',
    '    c.close();',
    '  }',
    '  void local() throws IOException {',
    '    Local l = new Local();',
    '    l.send();',
    '    l.close();',
    '  }',
    '  void others(String h, java.nio.channels.SelectionKey k) throws IOException {',
    '    Wrapper w = new Wrapper(k);',
    '    Lazy z = new Lazy();',
    '    Partial p = new Partial(h);',
    '    Forgetful f = new Forgetful(h);',
    '    w.send();',
    '    w.close(); z.close(); p.close(); f.close();',
    '  }',
    '}',
  ]);
  return { root, use };
}

test('java project: classes of other files whose constructors open a socket their close() closes are resources', async () => {
  await withProject(project, async ({ use }) => {
    const classes = await new JavaProject().resourceClasses(use);
    assert.deepEqual([...classes].sort(), [
      ['Client', { kind: 'socket', closeable: false, subclass: false }], ['Extended', { kind: 'socket', closeable: false, subclass: false }],
      ['Lazy', { closeable: true, subclass: false, quietCtors: new Set([0]) }], ['Local', { kind: 'channel', closeable: true, subclass: false }],
      // Not resources; their constructors let out no exception on purpose (./quietConstructors).
      ['Wrapper', { closeable: true, subclass: false, quietCtors: new Set([1]) }],
    ]);
    const text = fs.readFileSync(use, 'utf8');
    const res = await analyzeInProject(use, text);
    const found = res.findings.map((f) => [f.range.start.line + 1, f.function, f.variable]);
    assert.deepEqual(found, [[13, 'client', 'c'], [18, 'extended', 'c'], [23, 'local', 'l']]);
    // A try-with-resources of a class not known to be Closeable may not compile (and its close() may throw
    // other checked exceptions): no fix for Client and Extended; Local implements Closeable.
    assert.deepEqual(res.findings.map((f) => (f.fixes ?? []).length > 0), [false, false, true]);
    // Without the project's other files, none of them is known.
    assert.deepEqual((await analyzeSource(text, 'java', {})).findings, []);
  });
});

test('java project: a class the file declares itself is the file\'s, not the project\'s', async () => {
  await withProject(project, async ({ use }) => {
    const text = fs.readFileSync(use, 'utf8').replace('class Use {', 'class Use {\n  static class Client { Client(String h) { } void close() { } }');
    fs.writeFileSync(use, text);
    const classes = await new JavaProject().resourceClasses(use);
    assert.equal(classes.has('Client'), false);
    assert.equal(classes.has('Extended'), true);
  });
});

test('java project: the file checked is read from the text analysed (an unsaved buffer), not as saved', async () => {
  await withProject(project, async ({ use }) => {
    const saved = fs.readFileSync(use, 'utf8');
    // The buffer declares its own Client (not a resource): the project's Client no longer applies to it.
    const buffer = saved.replace('class Use {', 'class Use {\n  static class Client { Client(String h) { } void close() { } }');
    const java = new JavaProject();
    assert.equal((await java.resourceClasses(use, buffer)).has('Client'), false);
    assert.equal((await java.resourceClasses(use)).has('Client'), true, 'as saved, Client is the project\'s');
    const res = await analyzeSource(buffer, 'java', {}, { java, file: use });
    assert.equal(res.findings.some((f) => f.variable === 'c' && f.function === 'client'), false);
    assert.equal(fs.readFileSync(use, 'utf8'), saved);
  });
});

test('java project: the project\'s other files take no place in the worker\'s tree cache', async () => {
  await withProject(project, async ({ use }) => {
    const asked: string[] = [];
    const previous = setTreeCache({ lookup: () => undefined, derive: (_id, text) => { asked.push(text); return undefined; } });
    try {
      const classes = await new JavaProject().resourceClasses(use, fs.readFileSync(use, 'utf8'));
      assert.equal(classes.has('Client'), true);
      assert.deepEqual(asked, []);
    } finally {
      setTreeCache(previous);
    }
  });
});

test('java project: classes that create each other (or extend each other) end as unknown, not as a wait forever', async () => {
  await withProject(() => ({ root: tempRoot('javaproject') }), async ({ root }) => {
    const pkg = 'src/main/java/org/loop';
    writeLines(root, 'pom.xml', ['<project/>']);
    writeLines(root, `${pkg}/P.java`, ['package org.loop;', 'public class P { Q q; public P() { q = new Q(); } public void close() { q.close(); } }']);
    writeLines(root, `${pkg}/Q.java`, ['package org.loop;', 'public class Q { P p; public Q() { p = new P(); } public void close() { p.close(); } }']);
    writeLines(root, `${pkg}/R.java`, ['package org.loop;', 'public class R extends S { }']);
    writeLines(root, `${pkg}/S.java`, ['package org.loop;', 'public class S extends R { }']);
    const use = writeLines(root, `${pkg}/Use.java`, ['package org.loop;', 'class Use { void f() { new P(); new Q(); new R(); new S(); } }']);
    assert.deepEqual([...(await new JavaProject().resourceClasses(use))], []);
  });
});

test('java project: a class of another file extending a JDK socket class is a socket; built on a null SocketImpl it holds none', async () => {
  await withProject(() => ({ root: tempRoot('javaproject') }), async ({ root }) => {
    const pkg = 'src/main/java/org/sub';
    writeLines(root, 'pom.xml', ['<project/>']);
    writeLines(root, `${pkg}/Pre.java`, ['package org.sub;', 'import java.net.*;', 'public class Pre extends Socket { public Pre(SocketImpl i) throws SocketException { super(i); } }']);
    writeLines(root, `${pkg}/Deeper.java`, ['package org.sub;', 'import java.io.IOException;', 'import java.net.*;',
      'public class Deeper extends Pre { public Deeper(String h) throws IOException { super(null); connect(new InetSocketAddress(h, 1)); } }']);
    const use = writeLines(root, `${pkg}/Use.java`, [
      'package org.sub;', 'import java.net.*;',
      'class Use extends ServerSocket {',
      '  Use() throws java.io.IOException { }',
      '  Socket take(SocketImpl impl) throws java.io.IOException {',
      '    Pre a = new Pre(null);',
      '    implAccept(a);',
      '    Deeper b = new Deeper("h");',
      '    implAccept(b);',
      '    Pre c = new Pre(impl);',
      '    implAccept(c);',
      '    return null;',
      '  }',
      '}',
    ]);
    assert.deepEqual([...(await new JavaProject().resourceClasses(use))].sort(), [
      ['Deeper', { kind: 'socket', closeable: true, subclass: true }], ['Pre', { kind: 'socket', closeable: true, subclass: true }],
    ]);
    const res = await analyzeInProject(use);
    // `a` (null impl) holds nothing; `b` and `c` may hold a descriptor and are dropped at the return.
    assert.deepEqual([...new Set(res.findings.map((f) => f.variable))].sort(), ['b', 'c']);
  });
});
