import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dominantEol, withEol } from './eol';

test('dominantEol: the most frequent ending, "\\n" by default and on ties', () => {
  assert.equal(dominantEol('a\r\nb\r\nc\n'), '\r\n');
  assert.equal(dominantEol('a\nb\r\nc\n'), '\n');
  assert.equal(dominantEol('a\r\nb\n'), '\n');
  assert.equal(dominantEol('a\rb\rc\r\n'), '\r');
  assert.equal(dominantEol('no line break'), '\n');
});

test('withEol rewrites bare "\\n" only; CRLF already there stays as it is', () => {
  assert.equal(withEol('close(fd);\n    ', '\r\n'), 'close(fd);\r\n    ');
  assert.equal(withEol('\na\r\nb\n', '\r\n'), '\r\na\r\nb\r\n');
  assert.equal(withEol('a\nb', '\r'), 'a\rb');
  assert.equal(withEol('a\nb\r\n', '\n'), 'a\nb\r\n');
});
