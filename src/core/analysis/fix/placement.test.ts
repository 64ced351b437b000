import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, LineIndex } from '../edits';
import { analyzeSource } from '../index';
import { Placement } from './placement';

test('placement: line starts, ends, indentation and the first token of a line', () => {
  const text = 'a\n  b c\n\tx\r\n';
  const p = new Placement(text, new LineIndex(text));
  assert.equal(p.lineStart(5), 2);
  assert.equal(p.lineEnd(3), 7);
  assert.equal(p.indentAt(4), '  ');
  assert.equal(p.indentAt(2), ' ', 'up to the offset itself');
  assert.equal(p.firstOnLine(4), true);
  assert.equal(p.firstOnLine(6), false);
  assert.equal(p.indentAt(9), '\t');
});

test('placement: inserted lines take the text\'s dominant line ending', () => {
  const crlf = 'x\r\ny\r\nz\n';
  const p = new Placement(crlf, new LineIndex(crlf));
  assert.equal(p.eol, '\r\n');
  assert.equal(p.insert(0, 'a\nb\n').newText, 'a\r\nb\r\n');
  const lf = new Placement('x\ny\n', new LineIndex('x\ny\n'));
  assert.equal(lf.insert(0, 'a\n').newText, 'a\n');
});

test('a C fix in a CRLF file inserts CRLF lines only', async () => {
  const text = ['#include <sys/socket.h>', '#include <unistd.h>', 'int f(int x) {', '    int fd = socket(2, 1, 0);', '    if (fd < 0)',
    '        return -1;', '    if (x)', '        return 1;', '    close(fd);', '    return 0;', '}', ''].join('\r\n');
  const r = await analyzeSource(text, 'c');
  assert.equal(r.findings.length, 1);
  const all = r.findings[0]!.fixes.find((f) => f.scope === 'all-paths');
  assert.ok(all);
  const fixed = applyEdits(text, all.edits);
  assert.notEqual(fixed, text);
  assert.doesNotMatch(fixed, /[^\r]\n/, JSON.stringify(fixed));
});
