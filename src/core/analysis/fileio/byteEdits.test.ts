import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEditsToBytes } from './byteEdits';

test('only the edited spans change: Latin-1 bytes before, between and after the edits are kept', () => {
  // "/* caf\xE9 */\nint f() {\n  return 0;\n}\n/* \xE9t\xE9 */\n" in Latin-1
  const bytes = Buffer.concat([Buffer.from('/* caf'), Buffer.from([0xe9]), Buffer.from(' */\nint f() {\n  return 0;\n}\n/* '), Buffer.from([0xe9]), Buffer.from('t'), Buffer.from([0xe9]), Buffer.from(' */\n')]);
  const text = bytes.toString('utf8');
  const ret = text.indexOf('return');
  const zero = text.indexOf('0;');
  const out = applyEditsToBytes(bytes, 0, text, [{ start: ret, end: ret, newText: 'close(fd);\n  ' }, { start: zero, end: zero + 1, newText: '-1' }]);
  const expected = Buffer.concat([bytes.subarray(0, Buffer.from('/* caf').length + 1 + Buffer.from(' */\nint f() {\n  ').length), Buffer.from('close(fd);\n  return -1;\n}\n/* '), Buffer.from([0xe9]), Buffer.from('t'), Buffer.from([0xe9]), Buffer.from(' */\n')]);
  assert.deepEqual(out, expected);
  // Re-encoding the decoded text would have written EF BF BD for each 0xE9.
  assert.notDeepEqual(Buffer.from(text, 'utf8'), bytes);
});

test('inserted lines take the file\'s CRLF line ending; a BOM and the bytes around stay', () => {
  const body = 'int f() {\r\n  return 0;\r\n}\r\n';
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]);
  const at = body.indexOf('return');
  const out = applyEditsToBytes(bytes, 3, body, [{ start: 0, end: 0, newText: '#include <unistd.h>\n' }, { start: at, end: at, newText: 'close(fd);\n  ' }]);
  assert.equal(out.toString('utf8'), '\ufeff#include <unistd.h>\r\nint f() {\r\n  close(fd);\r\n  return 0;\r\n}\r\n');
});

test('non-ASCII text in the edit is written as UTF-8, and offsets after it stay right', () => {
  const text = 'é😀x';
  const bytes = Buffer.from(text, 'utf8');
  const out = applyEditsToBytes(bytes, 0, text, [{ start: 1, end: 3, newText: '€' }, { start: 4, end: 4, newText: '!' }]);
  assert.equal(out.toString('utf8'), 'é€x!');
  assert.throws(() => applyEditsToBytes(bytes, 0, text, [{ start: 2, end: 2, newText: 'a' }]), /inside a character/);
});
