import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSource } from '../../index';
import { withTree } from '../../parser';
import { SYNTAX_ERRORS_NOTE, type CMacroDefinition } from '../../types';
import { mayGiveFindings } from './relevance';
import { CWorkspaceIndex } from './workspaceIndex';

/** An item that does not parse (a missing operand), in code that names no descriptor function. */
const BROKEN = 'int half(int a) { return a / ; }\n';
const PLAIN = 'int add(int a, int b) { return a + b; }\n';

async function gate(text: string, table?: ReadonlyMap<string, CMacroDefinition>, index?: CWorkspaceIndex): Promise<boolean> {
  return withTree('c', text, (tree) => mayGiveFindings(tree.rootNode, 'c', table, index && { index, file: 'caller.c' }));
}

test('relevance gate: a file that names nothing relevant, with a syntax error, gets no repair work, no note and no finding', async () => {
  assert.equal(await gate(PLAIN + BROKEN), false);
  const r = await analyzeSource(PLAIN + BROKEN, 'c', {});
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.notes, [], 'the unparsed part cannot hold code the analysis reads: no note');
  assert.equal(r.hadParseErrors, false);
  // The same error next to a function that acquires: the note stays (that code may be missed).
  const relevant = 'int f(void) { int fd = socket(2, 1, 0); if (fd < 0) return -1; return 0; }\n' + BROKEN;
  const withAcquisition = await analyzeSource(relevant, 'c', {});
  assert.ok(withAcquisition.notes.includes(SYNTAX_ERRORS_NOTE));
  assert.deepEqual(withAcquisition.findings.map((f) => `${f.function}:${f.variable}`), ['f:fd']);
});

test('relevance gate: names in ERROR nodes count', async () => {
  assert.equal(await gate('int g(void) { int fd = socket(2, 1, 0) + ; }\n'), true);
  assert.equal(await gate('void g(int fd) { sclose(fd) ) ; }\n'), true, 'a name that reads as a release');
});

test('relevance gate: a function relevant only through a macro of the file still gets its finding', async () => {
  const text = '#define OPEN_TCP() socket(AF_INET, SOCK_STREAM, 0)\n'
    + 'int f(void) { int fd = OPEN_TCP(); if (fd < 0) return -1; return 0; }\n' + BROKEN;
  assert.equal(await gate(text), true);
  const r = await analyzeSource(text, 'c', {});
  assert.deepEqual(r.findings.map((f) => `${f.function}:${f.variable}`), ['f:fd']);
  assert.ok(r.notes.includes(SYNTAX_ERRORS_NOTE));
});

test('relevance gate: macros of the workspace table are followed through the macros they name', async () => {
  const table = new Map<string, CMacroDefinition>([
    ['NEW_CONN', { params: null, value: 'OPEN_TCP()' }],
    ['OPEN_TCP', { params: [], value: 'socket(AF_INET, SOCK_STREAM, 0)' }],
    ['TWICE', { params: ['x'], value: '((x) * 2)' }],
  ]);
  assert.equal(await gate('int f(void) { return NEW_CONN; }\n' + BROKEN, table), true);
  assert.equal(await gate('int f(int a) { return TWICE(a); }\n' + BROKEN, table), false);
});

test('relevance gate: a workspace wrapper two calls away keeps its caller relevant', async () => {
  const index = new CWorkspaceIndex();
  await index.update('mk.c', 'int mk(void) { return socket(2, 1, 0); }\n', 'c');
  await index.update('mk2.c', 'int mk(void);\nint mk2(void) { return mk(); }\n', 'c');
  await index.update('other.c', 'int twice(int a) { return a * 2; }\n', 'c');
  const caller = 'int mk2(void);\nint use(void) { int fd = mk2(); if (fd < 0) return -1; return 0; }\n' + BROKEN;
  assert.equal(await gate(caller, undefined, index), true);
  const r = await analyzeSource(caller, 'c', {}, { c: index, file: 'caller.c' });
  assert.deepEqual(r.findings.map((f) => `${f.function}:${f.variable}`), ['use:fd']);
  assert.ok(r.notes.includes(SYNTAX_ERRORS_NOTE));
  // A caller of workspace functions that acquire nothing is skipped.
  const plain = 'int twice(int a);\nint use(int a) { return twice(a); }\n' + BROKEN;
  assert.equal(await gate(plain, undefined, index), false);
  assert.deepEqual((await analyzeSource(plain, 'c', {}, { c: index, file: 'caller.c' })).notes, []);
});
