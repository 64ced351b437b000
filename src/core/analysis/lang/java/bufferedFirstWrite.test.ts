/**
 * pircbotx IdentServerTest (java-prec9, issue 13): the first `write` of a short string to an OutputStreamWriter (or
 * BufferedWriter) the function made only fills the writer's buffer; the I/O happens at `flush()`. A leak only through
 * that write is pedantic (information); a long or unbounded string, a later write, or one in a loop stays a warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { javaRows } from '../../testing/javaKit';

const ident = (decl: string, write: string, before = '') => ['import java.io.*;', 'import java.net.*;', 'class T {',
  '  String ask(int local, int remote, String text, Writer given) throws IOException {',
  '    Socket socket = new Socket("localhost", 113);',
  `    ${decl}`,
  `    ${before}`,
  `    w.write(${write});`, // 8
  '    w.flush();', // 9
  '    String r = new BufferedReader(new InputStreamReader(socket.getInputStream())).readLine();',
  '    socket.close();',
  '    return r;',
  '  }',
  '}'].join('\n');

const OSW = 'OutputStreamWriter w = new OutputStreamWriter(socket.getOutputStream());';

test('java: the first write of a short string to a writer the function made does no I/O: not a likely origin', async () => {
  // The socket leaks first at flush() (9), the first likely origin; not at the write (8).
  assert.deepEqual(await javaRows(ident(OSW, 'local + ", " + remote + "\\r\\n"')), ['9 ask socket warning']);
  assert.deepEqual(await javaRows(ident('Writer w = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream()));', '"QUIT\\r\\n"')),
    ['9 ask socket warning']);
});

test('java: a write of an unbounded string, a second write, or a writer the function did not make stays a likely origin', async () => {
  assert.deepEqual((await javaRows(ident(OSW, 'text + "\\r\\n"')))[0], '8 ask socket warning');
  assert.deepEqual((await javaRows(ident(OSW, '"x"', 'w.write(text);')))[0], '7 ask socket warning');
  // The first (short) write at 7 stays in the buffer; the second at 8 may find it full.
  assert.deepEqual((await javaRows(ident(OSW, '"x"', 'w.write("y");')))[0], '8 ask socket warning');
  assert.deepEqual((await javaRows(ident('Writer w = given;', '"x"')))[0], '8 ask socket warning');
  assert.deepEqual((await javaRows(ident(OSW, '"' + 'x'.repeat(600) + '"')))[0], '8 ask socket warning');
});
