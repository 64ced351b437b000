/**
 * java-pedantic (issue 13; sockslib's and subethasmtp's pedantic rows): `new C(…)` of another file's class whose
 * constructor declares no `throws`, throws nothing on purpose and calls no method of its own class (nor do its
 * field initializers, nor the constructor it delegates to) can let out only an unchecked exception nobody throws
 * on purpose: a leak only through it is information. A constructor that declares `throws`, has a `throw`, calls a
 * method of its class, or whose field initializer or project superclass does, keeps the warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeInProject } from '../../testing/javaKit';
import { tempRoot, withProject, writeLines } from '../../testing/projectTree';


const PKG = 'src/main/java/org/acme';

/** A project with the classes `classes` (file name: class name) and a user that builds each with `new` between an accept() and a field store. */
async function rows(classes: Record<string, string[]>): Promise<string[]> {
  return withProject(() => ({ root: tempRoot('quietctor') }), async ({ root }) => {
    writeLines(root, 'pom.xml', ['<project/>']);
    for (const [name, body] of Object.entries(classes)) writeLines(root, `${PKG}/${name}.java`, ['package org.acme;', 'import java.util.*;', ...body]);
    const names = Object.keys(classes).filter((n) => n.startsWith('Made'));
    const use = writeLines(root, `${PKG}/Server.java`, [
      'package org.acme;', 'import java.net.*;',
      'public class Server {',
      '  Socket kept;',
      ...names.flatMap((n) => [
        `  void run${n}(ServerSocket ss) throws Exception {`,
        '    Socket socket = ss.accept();',
        `    Object o = new ${n}(1);`,
        '    this.kept = socket;',
        '  }',
      ]),
      '}',
    ]);
    const res = await analyzeInProject(use);
    return res.findings.map((f) => `${f.function} ${f.variable} ${f.severity ?? 'warning'}`);
  });
}

test('java project: a constructor of another file that only stores fields and builds objects is an unlikely exception origin', async () => {
  assert.deepEqual(await rows({
    MadeA: ['public class MadeA {', '  private long sent = 0;', '  private final Set<String> names = new HashSet<>();', '  private int n;',
      '  public MadeA(int n) { this.n = n; String s = String.valueOf(n).trim(); }', '}'],
    // Delegating to this(…) and to a quiet project superclass.
    MadeB: ['public class MadeB extends Base {', '  public MadeB(int n) { this(n, "x"); }', '  public MadeB(int n, String s) { super(n); }', '}'],
    Base: ['public class Base {', '  protected final int n;', '  public Base(int n) { this.n = n; }', '}'],
  }), ['runMadeA socket information', 'runMadeB socket information']);
});

test('java project: a constructor that declares or throws an exception, or calls its own methods, keeps the warning', async () => {
  assert.deepEqual(await rows({
    MadeC: ['public class MadeC {', '  public MadeC(int n) throws java.io.IOException { }', '}'],
    MadeD: ['public class MadeD {', '  public MadeD(int n) { if (n < 0) throw new IllegalArgumentException(); }', '}'],
    MadeE: ['public class MadeE {', '  public MadeE(int n) { init(n); }', '  private void init(int n) { }', '}'],
    // A field initializer calling a method of the class, and a project superclass that throws.
    MadeF: ['public class MadeF {', '  private final int port = pick();', '  public MadeF(int n) { }', '  private int pick() { return 1; }', '}'],
    MadeG: ['public class MadeG extends Strict {', '  public MadeG(int n) { super(n); }', '}'],
    Strict: ['public class Strict {', '  public Strict(int n) { if (n < 0) throw new IllegalStateException(); }', '}'],
  }), ['runMadeC socket warning', 'runMadeD socket warning', 'runMadeE socket warning', 'runMadeF socket warning', 'runMadeG socket warning']);
});
