import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { withTree } from '../../parser';
import type { CMacroDefinition } from '../../types';
import { macroRewrites } from './macroRewrites';
import { applyRewrites } from './preproc';
import { Node, Parser } from 'web-tree-sitter';

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

test('the type arguments of many calls are decided by one document with each plain argument once; a number or a string is none', async () => {
  const calls = Array.from({ length: 30 }, (_, i) => `  struct kept *it${i} = container_of(kl, struct kept, kept_link);`);
  const src = [
    'int f(struct list *kl) {',
    ...calls,
    '  int n = va_arg(kap, long long) + pick(0x10, "name", -1);',
    '  BROKEN(;',
    '}',
    '',
  ].join('\n');
  const parse = Parser.prototype.parse;
  const documents: string[] = [];
  Parser.prototype.parse = function (this: Parser, ...args: Parameters<Parser['parse']>) {
    if (typeof args[0] === 'string' && args[0].startsWith('sizeof(')) documents.push(args[0]);
    return parse.apply(this, args);
  };
  let text: string;
  try {
    text = await withTree('c', src, (t) => applyRewrites(src, macroRewrites(t.rootNode, src, TABLE)));
    // Another configuration of the file, or the next round: the verdicts are known.
    assert.equal(await withTree('c', src, (t) => applyRewrites(src, macroRewrites(t.rootNode, src, TABLE))), text);
  } finally {
    Parser.prototype.parse = parse;
  }
  for (let i = 0; i < 30; i++) assert.match(text, new RegExp(`it${i} = container_of\\(kl {13}, kept_link\\);`));
  assert.match(text, /va_arg\(kap {11}\)/);
  assert.match(text, /pick\(0x10, "name", -1\)/);
  // `kl`, `struct kept`, `kept_link`, `kap`, `long long`: each once (30 times each without the verdicts kept per line;
  // names no other test uses, as the verdicts are kept per grammar).
  assert.equal(documents.length, 1);
  assert.deepEqual(documents[0]!.split('\n').sort(), ['sizeof(kap);', 'sizeof(kept_link);', 'sizeof(kl);', 'sizeof(long long);', 'sizeof(struct kept);']);
});

test('calls in items that parsed are not looked up in the tree for type arguments', async () => {
  const clean = Array.from({ length: 40 }, (_, i) => `int g${i}(int a) { return h(a, ${i}) + k(a); }`);
  const src = [...clean, 'int f(struct list *l) {', '  return container_of(l, struct item, link) != 0;', '  BROKEN(;', '}', ''].join('\n');
  const find = Node.prototype.descendantForIndex;
  let asked = 0;
  Node.prototype.descendantForIndex = function (this: Node, ...args: Parameters<Node['descendantForIndex']>) {
    asked++;
    return find.apply(this, args);
  };
  let text: string;
  try {
    text = await withTree('c', src, (t) => applyRewrites(src, macroRewrites(t.rootNode, src, TABLE)));
  } finally {
    Node.prototype.descendantForIndex = find;
  }
  assert.match(text, /container_of\(l {13}, link\)/);
  // The broken function's own calls only (each call's name and parentheses): not the 80 calls of the clean ones.
  assert.ok(asked < 40, `${asked} lookups`);
});

test('a macro that stands for members, used alone at the end of a struct without its `;`, is blanked; one that stands for code is not', async () => {
  const table = new Map<string, CMacroDefinition>([
    ['Identity', { params: null, value: 'uintptr_t Identity_verifier;' }],
    ['CLOSE_ALL', { params: null, value: 'close(a); close(b);' }],
  ]);
  // Two structs stamped so, then a function: tree-sitter's recovery swallows the function into the first struct.
  const src = [
    'struct Runner {',
    '    int fd;',
    '    struct Search* first;',
    '',
    '    Identity',
    '};',
    '',
    'struct Search {',
    '    struct Search* next;',
    '',
    '    Identity',
    '};',
    '',
    'static int dup_entry(struct List* list, int index) {',
    '    for (int i = index + 1; i < list->length; i++) {',
    '        if (memcmp(&list->e[i].key, &list->e[index].key, 16) == 0) { return 1; }',
    '    }',
    '    return 0;',
    '}',
    '',
  ].join('\n');
  assert.equal(await withTree('c', src, (t) => t.rootNode.hasError), true);
  const text = await withTree('c', src, (t) => applyRewrites(src, macroRewrites(t.rootNode, src, table)));
  assert.equal(text.length, src.length);
  assert.equal(text.split('\n')[4], '            ');
  assert.equal(await withTree('c', text, (t) => t.rootNode.hasError), false);
  // A statement macro alone on its line in a function's body stays: it may close what the function holds.
  const code = 'void f(int a, int b) {\n  if (a) {\n    CLOSE_ALL\n  }\n  x = ;\n}\n';
  const kept = await withTree('c', code, (t) => applyRewrites(code, macroRewrites(t.rootNode, code, table)));
  assert.match(kept, /CLOSE_ALL/);
});
