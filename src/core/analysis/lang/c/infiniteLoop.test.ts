/**
 * dropbear census (issue 13, svr-main.c `main_noinetd`): a `for (;;)` has no test, so its only ways out are `break`,
 * `return`, `goto` and calls that do not return; the function's end after one without them is never reached, and no
 * leak is reported there. What the loop itself loses (an overwrite each iteration) still is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeC } from './index';
import { ruleRows } from '../../testing/projectTree';

const rows = async (text: string) => ruleRows(await analyzeC(text, 'c', {}));

test('c: the end of a function after a for (;;) without a way out is not reached', async () => {
  const server = [
    '#include <unistd.h>',
    'void serve(int n) {',
    '  int fd = dup(n);',
    '  for (;;) {',
    '    write(fd, "x", 1);',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(await rows(server), []);
  // The loop's own loss is still reported: a descriptor made each iteration and never closed.
  const leaky = ['#include <unistd.h>', 'void serve(int n) {', '  int p[2];', '  for (;;) {', '    if (pipe(p) < 0)', '      continue;', '    write(p[1], "x", 1);', '  }', '}'].join('\n');
  assert.deepEqual(await rows(leaky), ['5 sockscope.overwrite p[0]', '5 sockscope.overwrite p[1]']);
});

test('c: a for (;;) left by break, or a for with a test, still reaches what follows', async () => {
  const withBreak = ['#include <unistd.h>', 'void serve(int n) {', '  int fd = dup(n);', '  for (;;) {', '    if (write(fd, "x", 1) < 0)', '      break;', '  }', '}'].join('\n');
  assert.deepEqual(await rows(withBreak), ['8 sockscope.leak fd']);
  const tested = ['#include <unistd.h>', 'void serve(int n) {', '  int fd = dup(n);', '  for (; n > 0; n--) {', '    write(fd, "x", 1);', '  }', '}'].join('\n');
  assert.deepEqual(await rows(tested), ['7 sockscope.leak fd']);
});
