import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, LineIndex, OverlappingEditsError } from './edits';
import type { TextEdit } from './types';

const at = (line: number, column: number) => ({ line, column });
const ins = (line: number, column: number, newText: string): TextEdit => ({ range: { start: at(line, column), end: at(line, column) }, newText });

test('applies edits given in any order against the original text', () => {
  const text = 'int a;\nreturn 1;\n';
  const out = applyEdits(text, [
    ins(1, 0, 'close(fd);\n'),
    { range: { start: at(0, 4), end: at(0, 5) }, newText: 'fd' },
  ]);
  assert.equal(out, 'int fd;\nclose(fd);\nreturn 1;\n');
});

test('keeps the given order for insertions at one position and drops exact duplicates', () => {
  const out = applyEdits('X', [ins(0, 0, 'a'), ins(0, 0, 'b'), ins(0, 0, 'a')]);
  assert.equal(out, 'abX');
});

test('an insertion at the start of a replaced range goes first', () => {
  const out = applyEdits('return f(x);', [
    { range: { start: at(0, 0), end: at(0, 12) }, newText: '{ int r = f(x); return r; }' },
    ins(0, 0, 'g(); '),
  ]);
  assert.equal(out, 'g(); { int r = f(x); return r; }');
});

test('rejects overlapping replacements', () => {
  assert.throws(() => applyEdits('abcdef', [
    { range: { start: at(0, 0), end: at(0, 3) }, newText: 'x' },
    { range: { start: at(0, 2), end: at(0, 4) }, newText: 'y' },
  ]), OverlappingEditsError);
});

test('LineIndex maps offsets and positions both ways with CRLF and UTF-16 text', () => {
  const text = 'a\r\né€\nlast';
  const idx = new LineIndex(text);
  assert.deepEqual(idx.position(text.indexOf('last')), at(2, 0));
  assert.deepEqual(idx.position(text.indexOf('€')), at(1, 1));
  assert.equal(idx.offset(at(1, 2)), text.indexOf('\nlast'));
  assert.equal(idx.offset(at(9, 0)), text.length);
});
