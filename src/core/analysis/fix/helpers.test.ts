/** The small layout helpers of analysis/fix: indentation, the project's release idiom, import lines, splicing, region lines, fresh names. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from '../edits';
import { withTree } from '../parser';
import { oneArgumentCloser, projectRelease, type ReleaseCall } from './idiom';
import { importLine } from './imports';
import { fileIndentUnit, indentStep, reindent, unitAfter } from './indent';
import { continuationLines, RegionLines, statementHolding } from './lines';
import { freshName } from './names';
import { Placement } from './placement';
import { splice, statementRemoval } from './splice';

const place = (text: string) => new Placement(text, new LineIndex(text));

test('indent: the step between a statement and its block, a unit after an indentation, re-indenting', () => {
  const p = place('class A {\n  void f() {\n      g();\n  }\n}\n');
  assert.equal(indentStep(p, p.text.indexOf('g();'), p.text.indexOf('void')), '    ');
  assert.equal(indentStep(p, p.text.indexOf('void'), p.text.indexOf('g();')), '    ', 'not deeper: the fallback');
  assert.equal(indentStep(p, p.text.indexOf('void'), 0), '  ');
  assert.equal(unitAfter('\t\t'), '\t');
  assert.equal(unitAfter('  '), '    ');
  assert.equal(reindent('a\nb\n\nc\r\nd', '\t'), 'a\n\tb\n\n\tc\r\n\td');
});

test('indent: the file\'s unit from its first indented block (two spaces, a tab), four spaces when there is none', async () => {
  const unit = (text: string) => withTree('python', text, (t) => fileIndentUnit(place(text), t.rootNode, (n) => n.type === 'block'));
  assert.equal(await unit('x = 1\ndef f():\n  if x:\n      return 1\n'), '  ');
  assert.equal(await unit('def f():\n\treturn 1\n'), '\t');
  assert.equal(await unit('def f(): return 1\n'), '    ', 'a block on its header\'s line says nothing');
});

test('idiom: the function\'s own release call with the variable in place of its local argument, else the file\'s closer', () => {
  const call = (callee: string, ...args: [string, boolean][]): ReleaseCall => ({ callee, args: args.map(([text, identifier]) => ({ text, identifier })) });
  const params = new Set(['conn', 'data']);
  assert.equal(projectRelease('fd', [call('evutil_closesocket', ['s', true])], params, () => null), 'evutil_closesocket(fd)');
  assert.equal(projectRelease('s2', [call('Curl_closesocket', ['data', true], ['conn', true], ['s', true])], params, () => null), 'Curl_closesocket(data, conn, s2)');
  assert.equal(projectRelease('s2', [call('Curl_closesocket', ['data', true], ['conn->sock[0]', false])], params, () => 'util_close'), 'util_close(s2)',
    'no local argument to replace: the file\'s closer');
  assert.equal(projectRelease('s2', [call('close2', ['a', true], ['b', true])], params, () => null), null, 'two locals: which one is the descriptor is unknown');
  assert.equal(oneArgumentCloser([call('x', ['a', true], ['b', true]), call('util_closesocket', ['s', true])]), 'util_closesocket');
  assert.equal(oneArgumentCloser([]), null);
});

test('imports: a line after the last include, on a line of its own, in the file\'s line ending', () => {
  const crlf = place('#include <a.h>\r\nint x;\r\n');
  assert.equal(importLine(crlf, crlf.text.indexOf('int'), '#include <unistd.h>').newText, '#include <unistd.h>\r\n');
  const noEol = place('#include <a.h>');
  assert.equal(importLine(noEol, noEol.text.length, '#include <unistd.h>').newText, '\n#include <unistd.h>\n');
  assert.deepEqual(importLine(noEol, 0, 'import os').range.start, { line: 0, column: 0 });
});

test('splice: smaller edits inside a replaced span; a statement removed with its line when alone on it', () => {
  const text = 'a;\r\n  close(s);\r\nb; close(s); c;\r\n';
  const p = place(text);
  const alone = text.indexOf('close');
  const shared = text.lastIndexOf('close');
  assert.deepEqual(statementRemoval(p, alone, alone + 9), { start: 4, end: 17, newText: '' });
  assert.deepEqual(statementRemoval(p, shared, shared + 9), { start: shared, end: shared + 9, newText: '' });
  assert.equal(splice(text, 0, text.length, [statementRemoval(p, alone, alone + 9), { start: 0, end: 0, newText: 'x ' }]), 'x a;\r\nb; close(s); c;\r\n');
  assert.equal(splice(text, 4, 8, [{ start: 0, end: 0, newText: 'outside' }]), '  cl');
});

test('lines: a region\'s lines indented one level, string continuation lines and blank lines kept', async () => {
  const text = 'def f():\n    s = g()\n    x = """a\nb"""\n\n    return s\n';
  await withTree('python', text, (t) => {
    const p = place(text);
    const block = t.rootNode.descendantsOfType('block')[0]!;
    const stmts = block.namedChildren.filter((c) => c !== null);
    const frozen = continuationLines(p, stmts[1]!, stmts[2]!.startIndex, (n) => n.type === 'string');
    assert.deepEqual([...frozen], [3]);
    const lines = new RegionLines(p, stmts[0]!.startIndex, stmts[2]!.endIndex, frozen, '  ');
    assert.deepEqual(lines.keep(1, 1), ['    s = g()']);
    assert.deepEqual(lines.indented(2, 5, new Map([[5, '    if s: s.close()']]), new Map([[4, null]])),
      ['      x = """a', 'b"""', '      if s: s.close()', '      return s']);
    const ret = t.rootNode.descendantsOfType('identifier').filter((n) => n.text === 's')[1]!;
    assert.equal(statementHolding(stmts, ret)?.type, 'return_statement');
    assert.equal(statementHolding(stmts, block), null);
  });
});

test('names: a fresh name does not capture one the function uses', () => {
  assert.equal(freshName('failure', new Set(['x'])), 'failure');
  assert.equal(freshName('failure', new Set(['failure', 'failure2'])), 'failure3');
});
