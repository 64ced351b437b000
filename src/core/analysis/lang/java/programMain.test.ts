/**
 * java-prec7 (issue 13; sockslib census): a resource still open where a program's main returns is closed by the
 * process's exit when main started no other thread: information, saying so. A main that starts a thread (or hands
 * code to one) keeps the process alive after it returns: its leaks stay warnings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeJava } from './index';
import { javaRows } from '../../testing/javaKit';

const cls = (...body: string[]) => ['import java.io.*;', 'import java.net.*;', 'class T {', ...body, '}'].join('\n');
const rows = javaRows;

const main = (...extra: string[]) => cls(
  '  public static void main(String[] args) throws Exception {',
  '    ServerSocket server = new ServerSocket(9997);',
  '    try {',
  '      Socket socket = server.accept();',
  '      socket.getOutputStream().write(1);',
  '    } catch (IOException e) {',
  '      e.printStackTrace();',
  '      return;',
  '    }',
  ...extra,
  '    Thread.sleep(500);',
  '  }',
);

test('java: a leak where main returns, main starting no thread, is below warning and says the program exits', async () => {
  // The return at 11 and the end at 14 (the exception out of sleep() at 13 leaves main: information already).
  const findings = (await analyzeJava(main(), {})).findings.filter((f) => f.variable === 'server');
  assert.deepEqual(findings.map((f) => `${f.range.start.line + 1} ${f.severity ?? 'warning'}`), ['11 information', '13 information', '14 information']);
  assert.deepEqual(findings.map((f) => f.message.endsWith('(the program exits as soon as main() returns)')), [true, false, true]);
});

test('java: a main that starts a thread, or a method that is not main, keeps its warnings', async () => {
  const server = async (text: string) => (await rows(text)).filter((r) => r.includes(' server ') && r.endsWith('warning'));
  assert.deepEqual(await server(main('    new Thread(new Echo()).start();')), ['11 main server warning', '15 main server warning']);
  assert.deepEqual(await server(main('    Executors.newSingleThreadExecutor();')), ['11 main server warning', '15 main server warning']);
  assert.deepEqual(await server(main('    Runnable r = () -> {};')), ['11 main server warning', '15 main server warning']);
  assert.deepEqual(await server(main('    echo.startServing();')), ['11 main server warning', '15 main server warning']);
  // Not a program's entry point (an instance method named main).
  assert.deepEqual(await server(main().replace('public static void main', 'public void main')), ['11 main server warning', '13 main server warning', '14 main server warning']);
});
