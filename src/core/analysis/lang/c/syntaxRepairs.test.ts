import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { withTree } from '../../parser';
import type { CMacroDefinition } from '../../types';
import { analyzeC } from './index';
import { applyRewrites } from './preproc';
import { Parser } from 'web-tree-sitter';
import { syntaxRepairs, type RepairMemo } from './syntaxRepairs';
import { repaired, repairedBroken } from '../../testing/cRepairs';

test('macros the workspace does not define, in front of or after a declaration, are blanked; so is an operator argument', async () => {
  const src = [
    'LIB_EXPORT int',
    'lib_open(const char *p) {',
    '  UNUSED int flags;',
    '  return 0;',
    '}',
    'struct ring {',
    '  unsigned long head CACHE_ALIGNED(64);',
    '  unsigned long tail;',
    '};',
    'int lib_name(__NAME_CONST__ struct name *n);',
    'void lib_printf(const char *format, ...)',
    '    FORMAT_CHECK(1, 2);',
    'CACHE_ALIGNED(64)',
    'size_t lib_table[8];',
    'int lib_later(struct timespec *a, struct timespec *b) {',
    '  if (timespeccmp(a, b, ==)) return 1;',
    '  return timespeccmp(a, b, <);',
    '}',
    '',
  ].join('\n');
  const text = await repairedBroken(src);
  assert.match(text, /^ {10} int\nlib_open/);
  assert.match(text, /\n {9}int flags;/);
  assert.match(text, /head {18};/);
  assert.match(text, /lib_name\( {15}struct name/);
  assert.match(text, /\n {17}\nsize_t lib_table\[8\];/);
  assert.match(text, /timespeccmp\(a, b {3}\);/);
  assert.match(text, /timespeccmp\(a, b {4}\)\) return 1;/);
});

test('a statement macro used without its `;` gets one in the blanks after it; the call stays', async () => {
  const src = [
    'void mix(unsigned *x) {',
    '  ROUND(x[0], x[1])',
    '  ROUND(x[2], x[3])',
    '  x[0]++;',
    '}',
    'LIST_GEN(conn_list, conn_t, link)',
    'LIST_GEN(peer_list, peer_t, link)',
    'int last;',
    '',
  ].join('\n');
  const { text, errors } = await repaired(src);
  assert.equal(errors, false);
  assert.match(text, /ROUND\(x\[0\], x\[1\]\)\n; ROUND\(x\[2\], x\[3\]\)\n; x\[0\]\+\+;/);
  // No blank after the call nor before the next line's first token: a blank of the call's line moves to its end.
  assert.match(text, /LIST_GEN\(conn_list, conn_t,link\);\nLIST_GEN\(peer_list, peer_t,link\);\nint last;/);
});

test('a file whose macros the workspace does not define is analysed without a syntax note, and a macro call given the descriptor stays a call', async () => {
  const src = [
    '#include <fcntl.h>',
    '#include <unistd.h>',
    'API_EXPORT int load(const char *p) {',
    '  UNUSED int flags;',
    '  int fd = open(p, O_RDONLY);',
    '  if (fd < 0) return -1;',
    '  return 0;',
    '}',
    'void drop(const char *p) {',
    '  int fd = open(p, O_RDONLY);',
    '  if (fd < 0) return;',
    '  CLOSE_FD(fd)',
    '  if (p[0]) other();',
    '}',
    '',
  ].join('\n');
  const r = await analyzeC(src, 'c', {});
  assert.equal(r.hadParseErrors, false);
  assert.deepEqual(r.findings.map((f) => `${f.function}:${f.variable}:${f.range.start.line + 1}`), ['load:fd:7']);
});

test('a cleanup-attribute macro is never blanked', async () => {
  const table = new Map<string, CMacroDefinition>([['AUTO_CLOSE', { params: null, value: '__attribute__((cleanup(closep)))' }]]);
  const src = 'void f(void) {\n  AUTO_CLOSE int fd = open("x", 0);\n}\n';
  const { text, errors } = await repaired(src, { table });
  assert.match(text, /AUTO_CLOSE int fd/);
  assert.equal(errors, true);
  // A macro that is no cleanup, in the same place, goes.
  assert.equal((await repaired(src.replace('AUTO_CLOSE', 'NOT_CLOSE'), { table })).errors, false);
});

test('definitions between the elements of an initializer, member macros with their `;`, GNU case ranges and `__alignof__(expr)` are repaired', async () => {
  const src = [
    'static const struct ev events[] = {',
    '#define EV_NEW (1ULL << 0)',
    '\t{ .mask = EV_NEW, .name = "new" },',
    '#define EV_END (1ULL << 1)',
    '#define EV_LAST EV_END',
    '\t{ .mask = EV_END, .name = "end" },',
    '};',
    'struct s {',
    '\tint a;',
    '\tALWAYS_ALIGN(64);',
    '\tint b;',
    '};',
    'int f(int v, void *p) {',
    '\tswitch (v) {',
    '\tcase 1 ... 5: return 1;',
    '\t}',
    '\treturn __alignof__(*p);',
    '}',
    '',
  ].join('\n');
  const { text, errors } = await repaired(src);
  assert.equal(errors, false);
  assert.match(text, /\{\n {26}\n\t\{ \.mask = EV_NEW/);
  assert.match(text, /int a;\n\t {17}\n\tint b;/);
  assert.match(text, /case 1 {6}: return 1;/);
  assert.match(text, /return sizeof {5}\(\*p\);/);
});

test('a macro given statements is unwrapped, empty macro arguments and reserved or type-preceding qualifier macros are blanked', async () => {
  const src = [
    'void run(struct req *r) {',
    '  NO_WARNINGS(',
    '    /* deprecated calls */',
    '    old_call(r,',
    '             1);',
    '',
    '    other_call(r);',
    '  )',
    '  done(r);',
    '}',
    'static const struct entry table[] = {',
    '  ENTRY(0x1301, TLS,AES,128,,,),',
    '  ENTRY(0x1302, ,TLS,,AES),',
    '};',
    '_LIBIMPORT int lib_call(int);',
    'int count(void) {',
    '  my_const char *msg = name();',
    '  return msg != 0;',
    '}',
    '',
  ].join('\n');
  const text = await repairedBroken(src);
  assert.match(text, /\n {2}( {12})\n {4}\/\* deprecated calls \*\/\n {4}old_call\(r,\n {13}1\);\n\n {4}other_call\(r\);\n {3}\n {2}done\(r\);/);
  assert.match(text, /ENTRY\(0x1301, TLS,AES,128 {3}\),/);
  assert.match(text, /ENTRY\(0x1302 {2},TLS ,AES\),/);
  assert.match(text, /\n {10} int lib_call\(int\);/);
  assert.match(text, /\n {11}char \*msg = name\(\);/);
});

test('a multi-line statement macro whose `;` is missing, and a definition between a statement\'s header and its body, are repaired', async () => {
  const src = [
    'GEN_WARNING(warn_a,',
    '            "first part "',
    '            "second part")',
    'GEN_WARNING(warn_b, "text")',
    'int proto(int p) {',
    '  if (p == 6)',
    '#define PROTO_X 262',
    '    p = PROTO_X;',
    '  return p;',
    '}',
    '',
  ].join('\n');
  const text = await repairedBroken(src);
  assert.match(text, /GEN_WARNING\(warn_a,\n {12}"first part "\n {11}"second part"\);\n/);
  assert.match(text, /if \(p == 6\)\n {19}\n {4}p = PROTO_X;/);
});

test('macros next to string literals, macros standing for a type, statement macros before a `}` and runs of them are repaired', async () => {
  const src = [
    'const char *usage(int n) {',
    '  if (n > 1) return "limit is " STR(MAX_N) " items";',
    '  return QUOTE("name") " is unknown";',
    '}',
    'TREE_HEAD(by_addr, peer) peers_a, peers_b;',
    'static int get_one(struct st *L) { PUSH_RESULT(L, 1) }',
    'GEN_PROTO(alpha)',
    'GEN_PROTO(beta)',
    'GEN_PROTO(gamma)',
    'int last;',
    '',
  ].join('\n');
  const text = await repairedBroken(src);
  assert.match(text, /return "limit is " " {8}" " items";/);
  assert.match(text, /return " {11}" " is unknown";/);
  assert.match(text, /^TREE_HEAD {16}peers_a, peers_b;$/m);
  assert.match(text, /\{ PUSH_RESULT\(L, 1\);\}/);
  assert.match(text, /\n {16}\n {15}\n {16}\nint last;/);
});

test('attributes where the grammar takes none, loop macros, empty member declarations and case ranges are repaired; a cleanup attribute stays', async () => {
  const src = [
    'struct s {',
    '\tlong a;',
    '\tlong b; /* count */;',
    '};',
    'enum __attribute__((__packed__)) mode { M_A, M_B };',
    'int f(struct list *l, int v) {',
    '\tint x __attribute__((unused)) = 0;',
    '\tLIST_FOR_EACH(it, l, link) {',
    '\t\tuse(it);',
    '\t}',
    '\tswitch (v) {',
    '\tcase 0 ... MAX_ONE:',
    '\t\treturn 1;',
    "\tcase 'a'...'z': return 2;",
    '\t}',
    '\treturn x;',
    '}',
    '',
  ].join('\n');
  const text = await repairedBroken(src);
  assert.match(text, /long b; \/\* count \*\/ \n/);
  assert.match(text, /^enum {29}mode \{/m);
  assert.match(text, /\tint x {25}= 0;/);
  assert.match(text, /\twhile {8}\(it, l, link\) \{/);
  assert.match(text, /case 0 {12}:/);
  assert.match(text, /case 'a' {6}: return 2;/);
  const kept = 'int g(void) {\n\tint fd __attribute__((cleanup(closep))) = 0;\n\treturn fd;\n}\n';
  assert.match((await repaired(kept)).text, /__attribute__\(\(cleanup\(closep\)\)\)/);
});

test('an attribute macro after an array declarator, which the grammar reads as a call of its own, is blanked', async () => {
  const src = 'struct ring rings[MAX_THREADS] THREAD_ALIGNED();\nint x;\n';
  const text = await repairedBroken(src);
  assert.match(text, /^struct ring rings\[MAX_THREADS\] {17};\nint x;/);
});

test('a file\'s other configuration reuses the repairs of the items it shares, with the same result and no parse of them', async () => {
  const item = (k: number) => [`LIB_EXPORT int f${k}(int fd)`, '{', `  UNUSED int flags${k};`, '  return fd;', '}'];
  const first = ['int g(void) FORMAT_CHECK(1, 2);', ...item(1), ...item(2)].join('\n');
  // The second configuration blanks the first declaration (same length): the two functions are the same items.
  const second = first.replace('int g(void) FORMAT_CHECK(1, 2);', ' '.repeat('int g(void) FORMAT_CHECK(1, 2);'.length));
  const parse = Parser.prototype.parse;
  let parses = 0;
  Parser.prototype.parse = function (this: Parser, ...args: Parameters<Parser['parse']>) {
    parses++;
    return parse.apply(this, args);
  };
  try {
    const memo: RepairMemo = new Map();
    for (const src of [first, second]) {
      const plain = await withTree('c', src, (t) => syntaxRepairs(t.rootNode, src, new Map()));
      let trials = 0;
      const withMemo = await withTree('c', src, (t) => {
        parses = 0;
        const r = syntaxRepairs(t.rootNode, src, new Map(), memo);
        trials = parses;
        return r;
      });
      assert.deepEqual(withMemo, plain);
      assert.ok(plain.length >= 2, 'the items are repaired');
      if (src === first) assert.ok(trials > 3, `the first configuration tries candidates (${trials} parses)`);
      // The two shared items are not parsed at all (not even alone, as the base of trials).
      else assert.equal(trials, 0);
    }
  } finally {
    Parser.prototype.parse = parse;
  }
});

test('operators given to a macro between its arguments are blanked with their comma, all of an item\'s at once; the calls stay', async () => {
  const src = [
    'static void t(void *arg) {',
    '  tt_int_op(event_add(ev, NULL), ==, 0);',
    '  tt_int_op(called, >=, 1);',
    '  tt_int_op(count, !=, 2);',
    'end:',
    '  ;',
    '}',
    '',
  ].join('\n');
  const text = await repairedBroken(src);
  assert.match(text, /tt_int_op\(event_add\(ev, NULL\) {4}, 0\);/);
  assert.match(text, /tt_int_op\(called {4}, 1\);/);
  assert.match(text, /tt_int_op\(count {4}, 2\);/);
});

test('a type macro whose declared name is on the next row or parenthesized keeps its name as the type', async () => {
  const src = [
    'struct rpc_base {',
    '  int timeout;',
    '  TAILQ_HEAD(req_queue, req) (requests);',
    '};',
    'static HT_HEAD(err_map, err_entry)',
    '     socket_errors = HT_INITIALIZER();',
    '',
  ].join('\n');
  const text = await repairedBroken(src);
  assert.match(text, /\n {2}TAILQ_HEAD {17}\(requests\);/);
  assert.match(text, /\nstatic HT_HEAD {20}\n {5}socket_errors = HT_INITIALIZER\(\);/);
});

/** The repairs of `src` and the parses (trials) they took. */
async function repairsCounted(src: string, table: ReadonlyMap<string, CMacroDefinition> = new Map()): Promise<{ text: string; errors: boolean; parses: number }> {
  const parse = Parser.prototype.parse;
  let parses = 0;
  Parser.prototype.parse = function (this: Parser, ...args: Parameters<Parser['parse']>) {
    parses++;
    return parse.apply(this, args);
  };
  let text: string;
  try {
    text = await withTree('c', src, (t) => {
      parses = 0;
      return applyRewrites(src, syntaxRepairs(t.rootNode, src, table));
    });
  } finally {
    Parser.prototype.parse = parse;
  }
  return { text, errors: await withTree('c', text, (t) => t.rootNode.hasError), parses };
}

test('the definitions after each element of an initializer go all at once, in a couple of trials; a definition the grammar reads stays', async () => {
  const calls = ['close', 'open', 'read', 'write', 'dup', 'pipe', 'fcntl', 'ioctl'];
  const src = [
    'static struct syscall { const char *name; void *fn; } calls[] = {',
    ...calls.flatMap((c, i) => [`  { "${c}", (void *)${c} },`, `#define os_${c} ((int(*)(int))calls[${i}].fn)`]),
    '};',
    '#define NCALLS 8',
    'int n = NCALLS;',
    '',
  ].join('\n');
  assert.ok(await withTree('c', src, (t) => t.rootNode.hasError));
  const { text, errors, parses } = await repairsCounted(src);
  assert.equal(errors, false);
  assert.doesNotMatch(text, /#define os_/);
  assert.match(text, /\{ "close", \(void \*\)close \},\n {40,}\n/);
  assert.match(text, /\n#define NCALLS 8\nint n = NCALLS;/);
  // The item alone, then all its definitions blanked (each alone and then combined one by one: 17 parses).
  assert.ok(parses <= 3, `${parses} parses`);
});

test('a macro in front of a declaration that alone repaired an item is blanked first in the file\'s other items, each checked by one parse', async () => {
  const src = Array.from({ length: 12 }, (_, i) => `LIB_PRIVATE int lib_f${i}(int a) { return a + ${i}; }`).join('\n') + '\n';
  assert.ok(await withTree('c', src, (t) => t.rootNode.hasError));
  const { text, errors, parses } = await repairsCounted(src);
  assert.equal(errors, false);
  assert.equal(text, src.replaceAll('LIB_PRIVATE', ' '.repeat('LIB_PRIVATE'.length)));
  // The first item: alone, then blanked; each other one: blanked (two parses each without the rule).
  assert.ok(parses <= 12 + 2, `${parses} parses`);
});

test('a learned leading macro is not tried first where another name of the row is a macro: the repair is the item\'s own', async () => {
  const table = new Map<string, CMacroDefinition>([['lib_gone', { params: ['x'], value: '0' }]]);
  const first = 'LIB_PRIVATE int lib_kept(int a);\n';
  const second = 'LIB_PRIVATE int lib_gone(double);\n';
  const alone = await withTree('c', second, (t) => applyRewrites(second, syntaxRepairs(t.rootNode, second, table)));
  const both = await withTree('c', first + second, (t) => applyRewrites(first + second, syntaxRepairs(t.rootNode, first + second, table)));
  assert.match(both, /^ {11} int lib_kept\(int a\);\n/);
  assert.equal(both.slice(first.length), alone);
});

test('a macro call ending its line before a directive gets its `;`: at file scope with the item it closes, in a body by moving the call left', async () => {
  const src = [
    'MODULE_FORWARD_DECL(redirect)',
    '',
    '#define REDIRECT_CODE(to_, code_) to_',
    'int count_status(void) {',
    '  int max = 0;',
    '  FOR_EACH_HTTP_STATUS(COMPARE_MAX)',
    '#undef COMPARE_MAX',
    '  return max;',
    '}',
    '',
  ].join('\n');
  const text = await repairedBroken(src);
  // The body's call stays one call statement, one column to the left.
  assert.match(text, /\n {1}FOR_EACH_HTTP_STATUS\(COMPARE_MAX\);\n#undef/);
});

test('a declaration split in items by an error is repaired as one: a missing `;` then the rest, or the rest on the same row', async () => {
  const src = [
    'extern int lib_make(int);',
    'extern __typeof(lib_make) make __attribute__((weak, __alias__("lib_make")));',
    'extern __typeof(lib_make) __make __attribute__((weak, __alias__("lib_make")));',
    '_Static_assert(offsetof(ctx_t, mc.regs[0]) == R0_OFFSET, "R0_OFFSET is invalid");',
    '_Static_assert(offsetof(ctx_t, mc.sp) == SP_OFFSET, "SP_OFFSET is invalid");',
    'int lib_make(int n) { return n; }',
    '',
  ].join('\n');
  const text = await repairedBroken(src);
  assert.match(text, /extern __typeof\(lib_make\) make +;/);
  assert.match(text, /\n +;\n +;\nint lib_make/);
});

test('macros side by side that stand for strings (defined in a generated header) become string literals; a declaration does not', async () => {
  const src = [
    'void set_names(struct data *data) {',
    '  data->file = make_name(PID_DIR PID_FILE, data->name, RELOAD_EXT);',
    '  data->path = PID_DIR PID_FILE PID_EXT;',
    '  data->kind = KIND_A;',
    '}',
    '',
  ].join('\n');
  const text = await repairedBroken(src);
  assert.match(text, /make_name\(" {5}" " {6}", data->name, RELOAD_EXT\);/);
  assert.match(text, /data->path = " {5}" " {6}" " {5}";/);
  assert.match(text, /data->kind = KIND_A;/);
});

test('a function whose header an error split from its body is repaired with its body (errors in both)', async () => {
  const src = [
    'conn_t * __attribute__ ((pure))',
    'find_conn(const char *name, list_t *l)',
    '{',
    '  conn_t *c;',
    '  LIST_FOREACH(c, l) {',
    '    if (!strcmp(name, c->name))',
    '      return c;',
    '  }',
    '  return NULL;',
    '}',
    '',
  ].join('\n');
  const split = await withTree('c', src, (t) => t.rootNode.childCount === 2 && t.rootNode.child(1)!.type === 'compound_statement');
  assert.ok(split);
  const { text, errors } = await repaired(src);
  assert.equal(errors, false);
  assert.match(text, /^conn_t \* {23}\nfind_conn/);
  assert.match(text, /\n  while {7}\(c, l\) \{/);
});
