/**
 * java-pedantic (issue 13; nanohttpd's and subethasmtp's pedantic rows): an exception that leaves a test the runner
 * calls fails that test, which is how the problem is reported: a file stream leaked only on that path is information.
 * A socket (zookeeper's tests: judged real leaks), the leak at the test's normal end, an exception caught inside the
 * test, a test that expects the exception, a fixture, a public helper and a method that is not a test keep their warnings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { javaRows } from '../../testing/javaKit';
import { testFailingMethods } from './testMethods';

const file = (imports: string, ...body: string[]) => ['import java.io.*;', 'import java.util.*;', imports, 'class T {', ...body, '}'].join('\n');
const rows = javaRows;

// The reader is closed at the end: its only leak is an exception out of read() (line 8 of the file).
const body = (annotation: string, header = 'public void testRead() throws Exception') => [
  `  ${annotation}`,
  `  ${header} {`,
  '    BufferedReader reader = new BufferedReader(new FileReader("x.txt"));',
  '    List<String> lines = read(reader);',
  '    reader.close();',
  '  }',
  '  List<String> read(BufferedReader r) throws IOException { return Collections.singletonList(r.readLine()); }',
];

test('java: an exception that leaves a JUnit or TestNG test fails it: a leak only on that path is information', async () => {
  assert.deepEqual(await rows(file('import org.junit.Test;', ...body('@Test'))), ['8 testRead reader information']);
  assert.deepEqual(await rows(file('import org.junit.jupiter.api.*;', ...body('@RepeatedTest(3)', 'void reads() throws Exception'))), ['8 reads reader information']);
  assert.deepEqual(await rows(file('import org.junit.Test;', ...body('@Test(timeout = 1000)'))), ['8 testRead reader information']);
  // JUnit 3's naming convention, in a file that imports JUnit.
  assert.deepEqual(await rows(file('import junit.framework.TestCase;', ...body(''))), ['8 testRead reader information']);
});

test('java: a test that expects the exception, or a method that is no test, keeps the warning', async () => {
  assert.deepEqual(await rows(file('import org.junit.Test;', ...body('@Test(expected = IOException.class)'))), ['8 testRead reader warning']);
  assert.deepEqual(await rows(file('import org.junit.Test;', ...body('', 'public void readAll() throws Exception'))), ['8 readAll reader warning']);
  // A fixture is not a test.
  assert.deepEqual(await rows(file('import org.junit.jupiter.api.*;', ...body('@BeforeEach', 'void init() throws Exception'))), ['8 init reader warning']);
  // A socket: its peer may refuse or hang up, on runs that really happen.
  const socket = body('@Test').join('\n').replace('BufferedReader reader = new BufferedReader(new FileReader("x.txt"));', 'java.net.Socket reader = new java.net.Socket("localhost", 80);')
    .replace('read(reader);', 'read(reader.getOutputStream());').replace('BufferedReader r)', 'OutputStream r)').replace('r.readLine()', 'String.valueOf(r)');
  assert.deepEqual(await rows(file('import org.junit.Test;', socket)), ['8 testRead reader warning']);
  // `test…` by name alone, in a file that uses no test framework.
  assert.deepEqual(await rows(file('', ...body(''))), ['8 testRead reader warning']);
});

const helper = (modifier: string, caller: string) => file('import org.junit.Test;',
  '  @Test',
  '  public void testCompare() throws Exception {',
  `    ${caller}`,
  '  }',
  `  ${modifier} boolean same(File a) throws IOException {`,
  '    InputStream in = new FileInputStream(a);',
  '    int b = in.read();',
  '    in.close();',
  '    return b == 0;',
  '  }',
);

test('java: a private helper that only tests call, outside any try, fails the test too', async () => {
  assert.deepEqual(await rows(helper('private', 'assertTrue(this.same(new File("x")));')), ['11 same in information']);
  // Public: anyone may call it. Called inside a try: the test may go on.
  assert.deepEqual(await rows(helper('public', 'assertTrue(same(new File("x")));')), ['11 same in warning']);
  assert.deepEqual(await rows(helper('private', 'try { same(new File("x")); } catch (IOException e) { }')), ['11 same in warning']);
  // A leak at the helper's normal end stays a warning.
  assert.deepEqual(await rows(helper('private', 'same(new File("x"));').replace('    in.close();\n', '')), ['11 same in information', '12 same in warning']);
});

test('java: a file that imports no test framework and names no Test annotation is not walked for tests', () => {
  // A tree whose walk fails: only the text decides here.
  const untouchable = new Proxy({}, { get: () => { throw new Error('the tree was walked'); } }) as never;
  assert.equal(testFailingMethods(untouchable, 'import java.io.*;\nclass Server { void run() {} }\n').size, 0);
  assert.throws(() => testFailingMethods(untouchable, 'import org.junit.Test;\nclass ServerTest {}\n'), /walked/);
});
