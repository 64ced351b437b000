import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { withTree } from '../../parser';
import { analyzeC } from './index';
import { applyRewrites } from './preproc';
import { unfinishedDirectives } from './syntaxRepairs';
import { repaired, repairedBroken } from '../../testing/cRepairs';
import { addHeaderMacros, type MacroTable } from './workspaceMacros';

const LEAK = 'int open_conn(void) {\n  int fd = socket(2, 1, 0);\n  if (fd < 0) return -1;\n  return 0;\n}\n';

/** The text after the directive repairs alone, and whether it parses. */
async function directivesRepaired(src: string): Promise<{ text: string; errors: boolean }> {
  const text = await withTree('c', src, (t) => applyRewrites(src, unfinishedDirectives(t.rootNode, src)));
  assert.equal(text.length, src.length);
  return { text, errors: await withTree('c', text, (t) => t.rootNode.hasError) };
}

test('an include or pragma whose line break the grammar misses (blanks before it, or none at the file\'s end) is blanked; a definition stays', async () => {
  const blanks = ['#include "dbutil.h"', '#include "crypto_desc.h" ', '#ifdef FUZZ', '#include <fuzz.h>\t', '#endif', LEAK].join('\n');
  for (const src of ['#include "types.h"', `${LEAK}#pragma once`, blanks]) {
    assert.ok(await withTree('c', src, (t) => t.rootNode.hasError));
    const { text, errors } = await directivesRepaired(src);
    assert.equal(errors, false);
    assert.doesNotMatch(text, /#(include "(types|crypto)|pragma|include <)/);
    const r = await analyzeC(src, 'c', {});
    assert.equal(r.hadParseErrors, false);
  }
  assert.equal((await analyzeC(`${LEAK}#pragma once`, 'c', {})).findings.length, 1);
  assert.equal((await analyzeC(blanks, 'c', {})).findings.length, 1);
  assert.match((await directivesRepaired(blanks)).text, /^#include "dbutil.h"\n/);
  const def = `${LEAK}#define LAST 1`;
  assert.equal((await directivesRepaired(def)).text, def);
  // With its line break, nothing to repair.
  assert.equal((await analyzeC('#include "types.h"\n', 'c', {})).hadParseErrors, false);
});

test('an include inside an initializer (a file of the array\'s elements) is blanked; a file of such elements alone is blanked as a whole', async () => {
  const src = ['static const int base[2][3] = {', '#include "base.h"', '};', LEAK].join('\n');
  const text = await repairedBroken(src);
  assert.match(text, /= \{\n {17}\n\};/);
  const r = await analyzeC(src, 'c', {});
  assert.equal(r.hadParseErrors, false);
  assert.equal(r.findings.length, 1);

  const elements = ['/* precomputed */', '{', ' { 25967493,-14356035,0x1fU },', ' { -8, +12, 1.5e3 },', '},', ''].join('\n');
  assert.ok(await withTree('c', elements, (t) => t.rootNode.hasError));
  const blank = await repaired(elements);
  assert.equal(blank.errors, false);
  assert.equal(blank.text.trim(), '');
  assert.equal((await analyzeC(elements, 'c', {})).hadParseErrors, false);
  // Anything else than numbers, braces, commas and signs is not such a file: it stays as it is (and noted).
  for (const other of ['{ 1, 2, x },\n', '{ 1, 2 } 3 4 (\n', '{ 12abc, 3 },\n']) {
    assert.ok(await withTree('c', other, (t) => t.rootNode.hasError));
    assert.equal((await repaired(other)).text, other);
  }
});

test('a C++ parameter\'s default `{}` becomes `0`: the class parses and its methods are analysed', async () => {
  const src = [
    'class Relay {',
    ' public:',
    '  void record(const std::string& reason = {}, int code = 0);',
    '  int open(std::string_view host = { }) {',
    '    int fd = socket(2, 1, 0);',
    '    if (fd < 0) return -1;',
    '    return 0;',
    '  }',
    '};',
    '',
  ].join('\n');
  const text = await repairedBroken(src, { language: 'cpp' });
  assert.match(text, /reason = 0 , int code = 0\);/);
  assert.match(text, /host = 0  \) \{/);
  const r = await analyzeC(src, 'cpp', {});
  assert.equal(r.hadParseErrors, false);
  assert.equal(r.findings.length, 1);
  // An initializer list elsewhere stays.
  const init = 'std::vector<int> v = {};\nvoid f() { g({}); }\n';
  assert.equal((await repaired(init, { language: 'cpp' })).text, init);
});

test('a loop macro of any name at a statement\'s start, its `{` on its row, is read as `while` (a library\'s foreach macro)', async () => {
  const src = [
    'int count_roles(cJSON *roles) {',
    '  cJSON *role;',
    '  int fd = open("/tmp/roles", 0);',
    '  if (fd < 0) return -1;',
    '',
    '  /* each role */',
    '  cJSON_ArrayForEach(role, roles){',
    '    if (role->bad) return -1;',
    '  }',
    '  kmod_list_foreach(role, roles) {',
    '    write(fd, role->name, 1);',
    '  }',
    '  close(fd);',
    '  return 0;',
    '}',
    '',
  ].join('\n');
  const text = await repairedBroken(src);
  assert.match(text, /\n {2}while {13}\(role, roles\)\{/);
  assert.match(text, /\n {2}while {12}\(role, roles\) \{/);
  const r = await analyzeC(src, 'c', {});
  assert.equal(r.hadParseErrors, false);
  // Analysed as the same code with `while` loops written out.
  const loops = await analyzeC(src.replace('cJSON_ArrayForEach', 'while').replace('kmod_list_foreach', 'while'), 'c', {});
  assert.deepEqual(r.findings.map((f) => `${f.range.start.line}:${f.variable}`), loops.findings.map((f) => `${f.range.start.line}:${f.variable}`));
  assert.ok(r.findings.length > 0);
});

test('a macro call next to a string on the next row stands for a string', async () => {
  const src = [
    'static int set_env(lua_State *L) {',
    '  if (lua_setfenv(L, 1) == 0)',
    '    return luaL_error(L, LUA_QL("setfenv")',
    '                  " cannot change environment of given object");',
    '  return 1;',
    '}',
    '',
  ].join('\n');
  const text = await repairedBroken(src);
  assert.match(text, /luaL_error\(L, " {15}"\n/);
});

test('a pragma between an if\'s branch and its else is blanked', async () => {
  const src = [
    'void daemonize(int log) {',
    '  int fd = -1;',
    '  if (log) fd = dup(2);',
    '#pragma clang diagnostic push',
    '  if (daemon(0, 0) < 0) {',
    '    perror("daemon");',
    '  }',
    '#pragma clang diagnostic pop',
    '  else if (fd >= 3) {',
    '    dup2(fd, 2);',
    '  }',
    '}',
    '',
  ].join('\n');
  assert.ok(await withTree('c', src, (t) => t.rootNode.hasError));
  const { text, errors } = await directivesRepaired(src);
  assert.equal(errors, false);
  assert.match(text, /\n#pragma clang diagnostic push\n/);
  assert.doesNotMatch(text, /pop/);
  assert.equal((await analyzeC(src, 'c', {})).hadParseErrors, false);
});

test('C++: a qualifier macro the grammar reads as the namespace of the qualified name after it is rewritten too', async () => {
  const cMacros: MacroTable = new Map();
  await addHeaderMacros(cMacros, '#define LIB_INLINE inline\n', 'cpp');
  const src = [
    'namespace lib {',
    'bool LIB_INLINE pool::open_next(const char *path) {',
    '    int fd = ::open(path, 0);',
    '    if (fd < 0) return false;',
    '    return true;',
    '}',
    '}',
    '',
  ].join('\n');
  assert.ok(await withTree('cpp', src, (t) => t.rootNode.hasError));
  const r = await analyzeC(src, 'cpp', { cMacros });
  assert.equal(r.hadParseErrors, false);
  assert.equal(r.findings.length, 1);
});
