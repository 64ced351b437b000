/**
 * nanohttpd census (java-prec6, `SimpleWebServer.serveFile`): `fis.skip(n)` of a `FileInputStream` the
 * function opened by name is an lseek in a file, which practically never fails: a leak only through it is
 * pedantic (information). A stream opened on a `FileDescriptor` (standard input may be a pipe), one the
 * function was given, or any other stream's `skip` stays a warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { javaRows } from '../../testing/javaKit';

const cls = (...body: string[]) => ['import java.io.*;', 'class T {', ...body, '}'].join('\n');
const rows = javaRows;

const serve = (decl: string, params = 'File file, long start') => cls(
  `  Object serve(${params}) {`,
  '    try {',
  `      ${decl}`,
  '      fis.skip(start);',
  '      this.held = fis;',
  '      return this;',
  '    } catch (IOException e) {',
  '      return null;',
  '    }',
  '  }',
);

test('java: skip() of a FileInputStream the function opened by name practically never throws', async () => {
  // The catch returns with fis open only if skip() throws: below warning.
  assert.deepEqual(await rows(serve('FileInputStream fis = new FileInputStream(file);')), []);
});

test('java: skip() of a stream on a descriptor or of another stream type stays a likely origin', async () => {
  assert.deepEqual(await rows(serve('FileInputStream fis = new FileInputStream(FileDescriptor.in);')), ['6 serve fis warning']);
  assert.deepEqual(await rows(serve('FileInputStream fis = new FileInputStream(fd);', 'FileDescriptor fd, long start')), ['6 serve fis warning']);
  assert.deepEqual(await rows(serve('InputStream fis = new FileInputStream(file);')), ['6 serve fis warning']);
});
