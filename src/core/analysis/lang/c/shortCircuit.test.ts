/**
 * dropbear census (issue 13, dbutil.c `spawn_command`): a descriptor made in the right operand of `a && b`
 * exists only where `a` was true (`if (ret_errfd && pipe(errfds) != 0) return …;`), so a later test of the same
 * unchanged value (`if (ret_errfd) { close(errfds[0]); … }`) correlates with it: where `ret_errfd` is NULL no
 * pipe was made, and the paths that skip the closes hold nothing. Likewise `a || b` where `a` was false.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeC } from './index';
import { ruleRows } from '../../testing/projectTree';

const rows = async (text: string) => ruleRows(await analyzeC(text, 'c', {}));

test('c: a pipe made only where a guard held is closed under a later test of the same guard', async () => {
  const spawn = [
    '#include <unistd.h>',
    'int spawn(int *ret_errfd, int *ret_fd) {',
    '  int errfds[2];',
    '  if (ret_errfd && pipe(errfds) != 0)',
    '    return -1;',
    '  if (ret_errfd) {',
    '    close(errfds[1]);',
    '    *ret_errfd = errfds[0];',
    '  }',
    '  *ret_fd = 1;',
    '  return 0;',
    '}',
  ].join('\n');
  assert.deepEqual(await rows(spawn), []);
  // With `||`: the pipe exists only where the flag was false.
  const negated = [
    '#include <unistd.h>',
    'int spawn(int quiet) {',
    '  int errfds[2];',
    '  if (quiet || pipe(errfds) != 0)',
    '    return -1;',
    '  if (!quiet) {',
    '    close(errfds[1]);',
    '    close(errfds[0]);',
    '  }',
    '  return 0;',
    '}',
  ].join('\n');
  assert.deepEqual(await rows(negated), []);
});

test('c: the guard changed in between still leaks; the correlated guard still reports its own leaking path', async () => {
  const changed = [
    '#include <unistd.h>',
    'int spawn(int want, int other) {',
    '  int errfds[2];',
    '  if (want && pipe(errfds) != 0)',
    '    return -1;',
    '  want = other;',
    '  if (want) {',
    '    close(errfds[1]);',
    '    close(errfds[0]);',
    '  }',
    '  return 0;',
    '}',
  ].join('\n');
  assert.deepEqual(await rows(changed), ['11 sockscope.leak errfds[0]', '11 sockscope.leak errfds[1]']);
  const other = [
    '#include <unistd.h>',
    'int spawn(int want, int other) {',
    '  int errfds[2];',
    '  if (want && pipe(errfds) != 0)',
    '    return -1;',
    '  if (other) {',
    '    close(errfds[1]);',
    '    close(errfds[0]);',
    '  }',
    '  if (want) return 1;',
    '  return 0;',
    '}',
  ].join('\n');
  // Where `want` is true and `other` false the pipe is open at `return 1`; `return 0` needs `want` false (no pipe) or `other` true (closed).
  assert.deepEqual(await rows(other), ['10 sockscope.leak errfds[0]', '10 sockscope.leak errfds[1]']);
});
