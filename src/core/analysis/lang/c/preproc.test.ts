import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { withTree } from '../../parser';
import { blank, configurations, type MacroTable } from './preproc';

async function configs(text: string, workspace: MacroTable = new Map()): Promise<string[] | null> {
  return withTree('c', text, (t) => configurations(t.rootNode, text, 'c', workspace));
}

/** The non-blank lines of a configuration, trimmed. */
function kept(config: string): string[] {
  return config.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

test('a file without conditionals has no configurations to resolve', async () => {
  assert.equal(await configs('int f(void) { return 0; }\n'), null);
});

test('unknown macros take the tested part in one configuration and the other part in the other; offsets and lines kept', async () => {
  const text = 'int a;\n#ifdef X\nint b;\n#elif defined(Y)\nint c;\n#else\nint d;\n#endif\n#ifdef Z\nint e;\n#endif\n';
  const out = await configs(text);
  assert.ok(out);
  assert.equal(out.length, 2);
  for (const c of out) {
    assert.equal(c.length, text.length);
    assert.equal(c.split('\n').length, text.split('\n').length);
  }
  assert.deepEqual(kept(out[0]!), ['int a;', 'int b;', 'int e;']);
  assert.deepEqual(kept(out[1]!), ['int a;', 'int d;']);
});

test('#if 0 is dead in every configuration, #if 1 takes its first part, macros defined above are known', async () => {
  const text = [
    '#define HAVE_A 1', '#if 0', 'int dead;', '#endif', '#if 1', 'int one;', '#else', 'int notone;', '#endif',
    '#ifdef HAVE_A', 'int a;', '#else', 'int nota;', '#endif', '#ifndef HAVE_A', 'int nota2;', '#endif',
    '#if !defined(HAVE_A) && 1', 'int nota3;', '#else', 'int a3;', '#endif', '',
  ].join('\n');
  const out = await configs(text);
  assert.ok(out);
  assert.equal(out.length, 1, 'nothing left to choose');
  assert.deepEqual(kept(out[0]!), ['#define HAVE_A 1', 'int one;', 'int a;', 'int a3;']);
});

test('a macro defined only after the conditional, or inside one, is not known (header guards stay)', async () => {
  const text = '#ifndef H_GUARD\n#define H_GUARD\nint x;\n#endif\n';
  const out = await configs(text);
  assert.ok(out);
  assert.deepEqual(kept(out[0]!), ['#define H_GUARD', 'int x;']);
});

test('continued directive lines are blanked whole; a stray #endif is blanked, the rest kept', async () => {
  const out = await configs('#if defined(A) || \\\n    defined(B)\nint a;\n#endif\n');
  assert.ok(out);
  assert.deepEqual(kept(out[0]!), ['int a;']);
  assert.deepEqual(await configs('int a;\n#endif\n'), ['int a;\n      \n']);
});

test('every test of one macro agrees within a configuration: no mix of #ifdef X and #ifndef X parts', async () => {
  const text = [
    'int f(int fd) {', '#ifdef USE_X', '  x_close(fd);', '#endif', '#ifndef USE_X', '  close(fd);', '#endif',
    '#if !defined(USE_X) || USE_X == 0', '  int plain;', '#else', '  int withx;', '#endif', '  return 0;', '}', '',
  ].join('\n');
  const out = await configs(text);
  assert.ok(out);
  assert.deepEqual(out.map(kept), [
    ['int f(int fd) {', 'x_close(fd);', 'int withx;', 'return 0;', '}'],
    ['int f(int fd) {', 'close(fd);', 'int plain;', 'return 0;', '}'],
  ]);
});

test('values of the file\'s macros, #undef, and definitions in parts not taken', async () => {
  const text = [
    '#define LEVEL (2 + 1)', '#define ALIAS LEVEL', '#if ALIAS >= 3 && LEVEL * 2 == 6', 'int three;', '#endif',
    '#if 0', '#define HIDDEN 1', '#endif', '#ifdef HIDDEN', 'int hidden;', '#endif',
    '#undef LEVEL', '#ifdef LEVEL', 'int still;', '#else', 'int gone;', '#endif', '',
  ].join('\n');
  const out = await configs(text);
  assert.ok(out);
  assert.equal(out.length, 1, 'nothing unknown');
  assert.deepEqual(kept(out[0]!), ['#define LEVEL (2 + 1)', '#define ALIAS LEVEL', 'int three;', '#undef LEVEL', 'int gone;']);
});

test('macros the workspace headers define are known; the file\'s own definition comes first', async () => {
  const workspace: MacroTable = new Map([['HAVE_EPOLL', { params: null, value: '1', number: 1 }], ['MODE', { params: null, value: '0', number: 0 }],
    ['GUARD_H', { params: null, value: '' }]]);
  const text = ['#ifndef GUARD_H', '#define GUARD_H', '#ifdef HAVE_EPOLL', 'int epoll;', '#else', 'int sel;', '#endif',
    '#if MODE', 'int mode;', '#endif', '#ifdef __cplusplus', 'int cpp;', '#endif', '#endif', ''].join('\n');
  const out = await configs(text, workspace);
  assert.ok(out);
  assert.equal(out.length, 1);
  assert.deepEqual(kept(out[0]!), ['#define GUARD_H', 'int epoll;']);
});

test('braces split by #if/#else parse in each configuration (directives found also inside parse errors)', async () => {
  const text = [
    'int f(const char *name) {', '#if (WIN)', '    if (name[1] != \':\') {', '#else', '    if (name[0] != \'/\') {', '#endif',
    '        return 1;', '    }', '    return 0;', '}', '',
  ].join('\n');
  const out = await configs(text);
  assert.ok(out);
  assert.equal(out.length, 2);
  for (const c of out) assert.equal(await withTree('c', c, (t) => t.rootNode.hasError), false);
});

test('the first configuration takes the part each unknown macro is first tested for (compat code under #if !defined)', async () => {
  const text = ['#if !defined(HAVE_OPENPTY)', '#if defined(HAVE_PTMX) && !defined(HAVE_GETPTY)', 'int streams;', '#endif',
    '#ifdef HAVE_PTMX', 'int ptmx;', '#endif', '#endif', '#ifndef HAVE_OPENPTY', 'int compat;', '#endif', ''].join('\n');
  const out = await configs(text);
  assert.ok(out);
  assert.deepEqual(out.map(kept), [['int streams;', 'int ptmx;', 'int compat;'], []]);
});

test('a configuration that reaches an #error is no build: only the other one is analysed', async () => {
  const text = ['#ifdef USE_OPENSSL', 'int ssl;', '#else', '#error "no TLS backend"', '#endif', ''].join('\n');
  const out = await configs(text);
  assert.ok(out);
  assert.deepEqual(out.map(kept), [['int ssl;']]);
});

test('blank: overlapping, unsorted and out-of-range ranges give spaces with every line break kept, nothing else changed', () => {
  const text = 'ab\ncd\r\nef\ngh';
  // Naive reference: each character of any range becomes a space unless it is a line break.
  const ranges: [number, number][] = [[5, 9], [1, 4], [3, 6], [11, 40], [-2, 1]];
  const expected = [...text].map((c, i) => (ranges.some(([s, e]) => i >= s && i < e) && c !== '\n' && c !== '\r' ? ' ' : c)).join('');
  assert.equal(blank(text, ranges), expected);
  assert.equal(blank(text, []), text);
  assert.equal(blank(text, [[0, text.length]]), '  \n  \r\n  \n  ');
});

test('a comment that opens on a directive line and closes on a later line is blanked with the directive', async () => {
  const text = [
    '#ifdef HAVE_A /* first line of the comment,', '   and its last line */', 'int a;',
    '#endif /* HAVE_A ||', '          HAVE_B */', 'int b;', '',
  ].join('\n');
  const out = await configs(text);
  assert.ok(out);
  for (const c of out) {
    assert.equal(c.length, text.length);
    assert.equal(await withTree('c', c, (t) => t.rootNode.hasError), false);
  }
  assert.deepEqual(kept(out[0]!), ['int a;', 'int b;']);
});

test('a comment that spans lines of a continued #define is blanked but for the line continuations it holds', async () => {
  const text = [
    '#define MAKE_GETTER(t, name)\t\\',
    'static t get_##name(const t *p) {\t\\',
    '\t/* the cast drops const,\t\\',
    '\t * on purpose */\t\\',
    '\treturn *p;\t\\',
    '}',
    'int after(void) { return 1; }',
    '',
  ].join('\n');
  assert.ok(await withTree('c', text, (t) => t.rootNode.hasError));
  const out = await configs(text);
  assert.ok(out);
  assert.equal(out.length, 1);
  const c = out[0]!;
  assert.equal(c.length, text.length);
  // The comment is gone, each of its lines still ends with its backslash: one definition, then the code.
  assert.deepEqual(c.split('\n').slice(2, 4).map((l) => l.trim()), ['\\', '\\']);
  const top = await withTree('c', c, (t) => ({ errors: t.rootNode.hasError, kinds: t.rootNode.namedChildren.map((n) => n!.type) }));
  assert.equal(top.errors, false);
  assert.equal(top.kinds[0], 'preproc_function_def');
  assert.equal(top.kinds.at(-1), 'function_definition');
});
