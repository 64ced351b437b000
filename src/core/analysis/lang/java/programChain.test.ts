/**
 * java-prec9 (issue 13; sockslib quickstart rows): a method that main calls as its last statement, or the run() of
 * the only thread main's last call starts, ends with the program, when no code outside the file can call the
 * class's methods (./programMain.ts; the project check is javaProject.ts's isolatedClasses). A leak at its end, or
 * followed by nothing but logging up to its end, is below warning; anything that keeps the program running after
 * it keeps the warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeJava } from './index';
import { JavaProject } from '../../javaProject';
import { findingRows, tempRoot, withProject, writeLines } from '../../testing/projectTree';

const client = (mainBody: string[], after: string[] = []) => [
  'import java.io.*;',
  'import java.net.*;',
  'public class T {',
  '  private static final org.slf4j.Logger logger = null;',
  '  public static void main(String[] args) {',
  ...mainBody,
  '  }',
  '  public void start(String[] args) {',
  '    try {',
  '      Socket s = new Socket("localhost", 5051);',
  '      s.getOutputStream().write(1);', // 11: the leak, an exception from write()
  '      s.close();',
  '    } catch (IOException e) {',
  '      logger.error(e.getMessage(), e);',
  '    }',
  ...after,
  '  }',
  '}',
].join('\n');

const server = (startBody: string[], extra: string[] = []) => [
  'import java.io.*;',
  'import java.net.*;',
  'public class T implements Runnable {',
  '  private Thread thread;',
  '  private boolean stop;',
  '  public static void main(String[] args) {',
  '    T server = new T();',
  '    server.start();',
  '  }',
  '  public void start() {',
  ...startBody,
  '  }',
  '  public void run() {',
  '    try {',
  '      ServerSocket server = new ServerSocket(5051);',
  '      while (!stop) {',
  '        Socket socket = server.accept();',
  '        int b = socket.getInputStream().read();',
  '        if (b == 0) {',
  '          break;',
  '        }',
  '        socket.close();',
  '      }',
  '      server.close();',
  '    } catch (IOException e) {',
  '      e.printStackTrace();',
  '    }',
  '    System.out.println("done");',
  '  }',
  ...extra,
  '}',
].join('\n');

const T = new Set(['T']);
const rows = async (text: string, isolated?: ReadonlySet<string>) => findingRows(await analyzeJava(text, {}, undefined, undefined, isolated));
/** The rows as `<variable> <severity>` (the line numbers move with the code around). */
const kinds = async (text: string, isolated?: ReadonlySet<string>) => (await rows(text, isolated)).map((r) => r.split(' ').slice(2).join(' '));

test('java: a leak in the method main calls last, followed only by logging up to its end, is below warning and says why', async () => {
  const text = client(['    new T().start(args);']);
  assert.deepEqual(await rows(text, T), ['11 start s information']);
  const f = (await analyzeJava(text, {}, undefined, undefined, T)).findings[0]!;
  assert.match(f.message, /\(the program exits right after: main\(\) ends as soon as this returns\)$/);
  // Not known to be isolated (no project, or another file names the class): a warning.
  assert.deepEqual(await rows(text), ['11 start s warning']);
});

test('java: the method main calls last keeps its warnings when the program may go on after the leak', async () => {
  // main does more after the call.
  assert.deepEqual(await kinds(client(['    new T().start(args);', '    System.gc();']), T), ['s warning']);
  // main starts a thread first.
  assert.deepEqual(await kinds(client(['    new Thread(() -> {}).start();', '    new T().start(args);']), T), ['s warning']);
  // The method goes on after the catch with more than logging, or the method is called twice.
  assert.deepEqual(await rows(client(['    new T().start(args);'], ['    start(args);']), T), ['11 start s warning']);
  assert.deepEqual(await rows(client(['    new T().start(args);'], ['    new java.util.ArrayList<String>().add("x");']), T), ['11 start s warning']);
  // A leak of main's last method that is not the program's class (another type of the file names T).
  assert.deepEqual(await rows(client(['    new T().start(args);']) + '\nclass U { void f() { new T().start(null); } }', T), ['11 start s warning']);
});

test("java: a leak in run() of the only thread main's last call starts is below warning where run() then ends", async () => {
  const ok = ['    thread = new Thread(this);', '    thread.start();', '    stop = false;'];
  // 19, 20: accept() or read() throws (caught outside the loop, then only printing); 22: the break leaves the loop,
  // then only server.close() and printing before run() ends.
  const below = ['19 run server information', '20 run server information', '20 run socket information', '22 run socket information'];
  assert.deepEqual(await rows(server(ok), T), below);
  assert.deepEqual(await kinds(server(['    new Thread(this).start();']), T), below.map((r) => r.split(' ').slice(2).join(' ')));
  // Without the project's word: warnings.
  assert.deepEqual(await rows(server(ok)), below.map((r) => r.replace('information', 'warning')));
});

test('java: run() keeps its warnings when another thread may run on, or run() is called otherwise', async () => {
  const ok = ['    thread = new Thread(this);', '    thread.start();'];
  const warn = ['server warning', 'server warning', 'socket warning', 'socket warning'];
  // A second thread, work after the start, a direct run() reachable from main, `this` handed elsewhere.
  assert.deepEqual(await kinds(server([...ok, '    new Thread(this).start();']), T), warn);
  assert.deepEqual(await kinds(server([...ok, '    helper();'], ['  void helper() {}']), T), warn);
  assert.deepEqual(await kinds(server([...ok.slice(0, 1), '    run();']), T), warn);
  assert.deepEqual(await kinds(server([...ok, '    stop = false;'], ['  void register() { java.util.List<T> l = null; l.add(this); }']).replace('    server.start();', '    server.register();\n    server.start();'), T), warn);
  // run() going on after the catch in a loop.
  assert.deepEqual(await kinds(server(ok).replace('    System.out.println("done");', '    while (true) { System.out.println("done"); }'), T), warn);
});

test('java: a class with a main that no other file of the repository names (comments aside) is isolated', async () => {
  await withProject(() => {
    const root = tempRoot('chain');
    writeLines(root, 'pom.xml', ['<project/>']);
    const t = writeLines(root, 'src/main/java/p/T.java', ['package p;', 'public class T {', '  public static void main(String[] args) {}', '}']);
    const u = writeLines(root, 'src/test/java/p/U.java', ['package p;', '/** Like {@link T}. */', 'class U { // T', '  String s = "T";', '}']);
    return { root, t, u };
  }, async ({ t, u }) => {
    const project = new JavaProject();
    // U names T only in comments and a string literal (which counts: reflection may load it).
    assert.deepEqual([...(await project.isolatedClasses(t))], []);
    const fs = await import('fs');
    fs.writeFileSync(u, ['package p;', '/** Like {@link T}. */', 'class U { // T', '}'].join('\n'));
    assert.deepEqual([...(await project.isolatedClasses(t))], ['T']);
    fs.writeFileSync(u, ['package p;', 'class U { T t; }'].join('\n'));
    assert.deepEqual([...(await new JavaProject().isolatedClasses(t))], []);
    // A file without a main asks nothing.
    assert.deepEqual([...(await project.isolatedClasses(u))], []);
  });
});
