import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { withTree } from '../../parser';
import type { CMacroDefinition } from '../../types';
import { macroRewrites } from './macroRewrites';
import { applyRewrites } from './preproc';

const TABLE = new Map<string, CMacroDefinition>([
  ['my_cdecl', { params: null, value: '__cdecl' }],
  ['__read_mostly', { params: null, value: 'SECTION("read_mostly")' }],
  ['SECTION', { params: ['s'], value: '__attribute__((section(s)))' }],
  ['TEST', { params: ['name'], value: 'printf("test %s\\n", name);' }],
  ['BEGIN', { params: ['setup'], value: '(void)arg; if (setup) { return 1; } {' }],
  ['END', { params: ['stop'], value: '} stop; return 0;' }],
]);

/** The text after the rewrites, and whether it parses. */
async function rewritten(src: string): Promise<{ text: string; errors: boolean }> {
  const text = await withTree('c', src, (t) => applyRewrites(src, macroRewrites(t.rootNode, src, TABLE)));
  assert.equal(text.length, src.length);
  assert.equal(text.split('\n').length, src.split('\n').length);
  return { text, errors: await withTree('c', text, (t) => t.rootNode.hasError) };
}

test('macro uses the grammar cannot read parse once rewritten; offsets and lines kept', async () => {
  const src = [
    'int my_cdecl main(int argc) { return 0; }',
    'static int counter __read_mostly = 0;',
    'int f(const char *arg, struct list *l) {',
    '  struct item *it = container_of(l, struct item, link);',
    '  int v = va_arg(ap, const char *) != 0;',
    '  BEGIN(setup(&it))',
    '  TEST("adds") {',
    '    v++;',
    '  }',
    '  END(stop(it))',
    '}',
    '',
  ].join('\n');
  const before = await withTree('c', src, (t) => t.rootNode.hasError);
  assert.equal(before, true);
  const { text, errors } = await rewritten(src);
  assert.equal(errors, false, text);
  assert.match(text, /container_of\(l\s+, link\)/);
  assert.match(text, /\{\s+setup\(&it\);/);
  assert.match(text, /if\(1\)\s+\{/);
});

test('a statement macro followed by its own `;` stays a call', async () => {
  const src = 'int f(int fd) { TEST("x"); return fd; }\n';
  assert.deepEqual(await withTree('c', src, (t) => macroRewrites(t.rootNode, src, TABLE)), []);
});

test('offsetof with a nested member reads as a call; a plain one is left alone', async () => {
  const src = [
    'typedef struct conf_s { struct { int a; } up; int b; } conf_t;',
    'static size_t offs[] = { offsetof(conf_t, up.a), offsetof(conf_t, b), offsetof(struct conf_s, up.a) };',
  ].join('\n');
  const r = await rewritten(src);
  assert.equal(r.errors, false);
  assert.match(r.text, /__offset\( {8}up\.a\), offsetof\(conf_t, b\), __offset\( {15}up\.a\)/);
});

test('a sole type argument of a macro is blanked; a sole expression argument stays', async () => {
  const src = 'int f(int n) {\n  char *s = arg_as(char *);\n  return arg_of(n) + g(n) +;\n}\n';
  const { text } = await rewritten(src);
  assert.match(text, /char \*s = arg_as\( {6}\);/);
  assert.match(text, /arg_of\(n\) \+ g\(n\)/);
});

test('a macro that expands to an `if` header, used as one, becomes `if`', async () => {
  const table = new Map<string, CMacroDefinition>([['every_ms', { params: ['ms'], value: 'if (due(ms))' }]]);
  const src = 'void tick(void) {\n  every_ms(100) {\n    work();\n  }\n  other();\n  UNKNOWN_A UNKNOWN_B;\n}\n';
  const text = await withTree('c', src, (t) => applyRewrites(src, macroRewrites(t.rootNode, src, table)));
  assert.match(text, /\n {2}if {6}\(100\) \{\n/);
  assert.match(text, /void tick\(void\)/);
});

test('a macro is classified by its definition in each table: one name defined two ways in two workspaces gives two rewrites', async () => {
  const src = 'void tick(void) {\n  EVERY(100) {\n    work();\n  }\n  other();\n  UNKNOWN_A UNKNOWN_B;\n}\n';
  const asIf = new Map<string, CMacroDefinition>([['EVERY', { params: ['ms'], value: 'if (due(ms))' }]]);
  const asWhile = new Map<string, CMacroDefinition>([['EVERY', { params: ['ms'], value: 'while (due(ms))' }]]);
  const asAttribute = new Map<string, CMacroDefinition>([['EVERY', { params: ['ms'], value: '__attribute__((unused))' }]]);
  const run = (table: Map<string, CMacroDefinition>) => withTree('c', src, (t) => applyRewrites(src, macroRewrites(t.rootNode, src, table)));
  // Twice each, in turn: the second time the definitions' parses are remembered.
  for (let round = 0; round < 2; round++) {
    assert.match(await run(asIf), /\n {2}if {3}\(100\) \{\n/);
    assert.match(await run(asWhile), /\n {2}while\(100\) \{\n/);
    assert.match(await run(new Map([...asIf])), /\n {2}if {3}\(100\) \{\n/);
    // An attribute (what it stands for in a declaration) goes with its arguments.
    assert.match(await run(asAttribute), /\n {13}\{\n/);
  }
});

test('a call given as an argument is not blanked as a type, even where the arguments parsed before it (an operator) make the grammar read it as one', async () => {
  const src = [
    'int f(struct list *l) {',
    '  struct item *it = container_of(l, struct item, link);',
    '  tt_int_op(got, ==, (events & ~EV_PERSIST));',
    '  event_free(ev);',
    '  kill(getpid(), SIGUSR1);',
    '  return 0;',
    '}',
    '',
  ].join('\n');
  const { text } = await rewritten(src);
  assert.match(text, /container_of\(l\s+, link\)/);
  assert.match(text, /kill\(getpid\(\), SIGUSR1\);/);
});

test('a call that reads as a function type (`offset_of(struct s, b)`) is not blanked as a type argument; its own type argument is', async () => {
  const src = [
    'int f(void) {',
    '  tt_int_op(offset_of(struct example, b), 1);',
    '  return CHECK(a, char *);',
    '}',
    '',
  ].join('\n');
  const { text } = await rewritten(src);
  assert.match(text, /tt_int_op\(offset_of\( +b\), 1\);/);
});
