import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeC, C_FUNCTIONS } from './index';
import { addHeaderMacros, type MacroTable } from './workspaceMacros';
import { CWorkspaceIndex } from './workspaceIndex';
import { analyzeSource } from '../../index';
import { C_HEADERS } from '../../testing/cSnippets';

/** Branch-prediction hint macros read as their argument in conditions (hintMacros.ts). Line numbers count the 5 header lines. */

const HINT_HEADER = `#ifndef HINT_H
#define HINT_H
#define LIKELY_IS(x, y) __builtin_expect((x), (y))
#define LIKELY(x) LIKELY_IS(!!(x), 1)
#define UNLIKELY(x) LIKELY_IS((x), 0)
#define ODDS(x) __builtin_expect_with_probability((x), 0, 0.9)
#define TWICE(x) __builtin_expect((x), (x))
#define NOT_HINT(x) check_value(x)
#endif
`;

/** A failure test of `fd` through macro `M`: the `goto out` leaves with nothing open (line 14 is the `return -1` after `out:`). */
function opener(m: string, test = 'fd < 0'): string {
  return `#include "hint.h"
int readit(const char *p, char *buf) {
  int fd = open(p, O_RDONLY);
  if (${m}(${test}))
    goto out;
  if (read(fd, buf, 4) < 0) {
    close(fd);
    return -1;
  }
  close(fd);
  return 0;
out:
  return -1;
}
`;
}

async function table(): Promise<MacroTable> {
  const t: MacroTable = new Map();
  await addHeaderMacros(t, HINT_HEADER, 'c');
  return t;
}

async function findings(body: string, cMacros?: MacroTable): Promise<string[]> {
  C_FUNCTIONS.clear();
  const r = await analyzeC(C_HEADERS + body, 'c', cMacros ? { cMacros } : {});
  return r.findings.map((f) => `${f.range.start.line + 1}:${f.variable}`);
}

test('a workspace header\'s hint macros, through another macro, read as their argument', async () => {
  const t = await table();
  for (const m of ['UNLIKELY', 'ODDS']) assert.deepEqual(await findings(opener(m), t), [], m);
  assert.deepEqual(await findings(opener('LIKELY', 'fd < 0'), t), [], 'LIKELY: !!(x) has the truth value of x');
  // Without the header's definitions the macros are calls of unknown functions: the path is reported.
  assert.deepEqual(await findings(opener('UNLIKELY')), ['18:fd']);
  // Not hints: a macro that is a call of another function, one that hands its argument on twice.
  assert.deepEqual(await findings(opener('NOT_HINT'), t), ['18:fd']);
  assert.deepEqual(await findings(opener('TWICE'), t), ['18:fd']);
  // The test itself is read: a success test through the hint leaves with fd open.
  assert.deepEqual(await findings(opener('UNLIKELY', 'fd >= 0'), t), ['18:fd']);
});

test('the file\'s own hint macros, and its own definition over the workspace\'s', async () => {
  const own = `#define MY_EXPECT(x, c) __builtin_expect((x), (c))
#define MY_UNLIKELY(x) MY_EXPECT(x, 0)
${opener('MY_UNLIKELY').replace('#include "hint.h"\n', '')}`;
  // Two lines of definitions in place of the include: its `return -1` is on line 19.
  assert.deepEqual(await findings(own), []);
  assert.deepEqual(await findings(own.replace('__builtin_expect((x), (c))', 'record_value((x), (c))')), ['19:fd']);
  const identity = `#define UNLIKELY(x) (x)\n${opener('UNLIKELY')}`;
  assert.deepEqual(await findings(identity), []);
  const redefined = `#define UNLIKELY(x) check_value(x)\n${opener('UNLIKELY')}`;
  assert.deepEqual(await findings(redefined, await table()), ['19:fd'], 'the file\'s own definition wins');
});

test('hint macros of the workspace table in a file analysed with the workspace index', async () => {
  const file = C_HEADERS + opener('UNLIKELY');
  const check = async (t: MacroTable | undefined) => {
    const index = new CWorkspaceIndex([], t);
    await index.update('hint.h', HINT_HEADER, 'c');
    await index.update('a.c', file, 'c');
    C_FUNCTIONS.clear();
    const r = await analyzeSource(file, 'c', t ? { cMacros: t } : {}, { c: index, file: 'a.c' });
    return r.findings.map((f) => `${f.range.start.line + 1}:${f.variable}`);
  };
  assert.deepEqual(await check(await table()), []);
  assert.deepEqual(await check(undefined), ['18:fd']);
});
