/**
 * openvpn census (issue 13, socket.c `socket_listen_accept`): `if (socket_defined(new_sd)) break;` with
 * `static inline int socket_defined(const socket_descriptor_t sd) { return sd != SOCKET_UNDEFINED; }` in a
 * header. A function whose body is one `return` of a test of a parameter against a constant (or its negation)
 * reads, in a condition, as that test of the argument: the parameter is a copy of the argument that nothing
 * changes before the test. From the file's own definitions and from the workspace's headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSource } from '../../index';
import { analyzeC } from './index';
import { CWorkspaceIndex } from './workspaceIndex';
import { ruleRows } from '../../testing/projectTree';

const rows = ruleRows;

const HELPER = 'static inline int socket_defined(const int sd) { return sd != SOCKET_UNDEFINED; }';

const acceptLoop = (helper: string, test = 'socket_defined(new_sd)') => [
  '#include <sys/socket.h>',
  '#include <unistd.h>',
  '#define SOCKET_UNDEFINED (-1)',
  helper,
  'int listen_accept(int sd, volatile int *sig) {',
  '  int new_sd = SOCKET_UNDEFINED;',
  '  while (1) {',
  '    if (*sig)',
  '      return sd;',
  '    new_sd = accept(sd, NULL, NULL);',
  `    if (${test})`,
  '      break;',
  '    sleep(1);',
  '  }',
  '  close(sd);',
  '  return new_sd;',
  '}',
].join('\n');

test('c: a call of a function that tests its parameter against a constant reads as that test of the argument', async () => {
  assert.deepEqual(rows(await analyzeC(acceptLoop(HELPER), 'c', {})), []);
  // Its negation, a number for the constant, the parameter on the right.
  const negated = 'static int socket_undefined(int fd) { return !(-1 != fd); }';
  assert.deepEqual(rows(await analyzeC(acceptLoop(negated, '!socket_undefined(new_sd)'), 'c', {})), []);
});

test('c: a helper that does more than the test, or tests another parameter, is no validity test', async () => {
  const more = 'static int socket_defined(int sd) { if (sd == 0) return 1; return sd != SOCKET_UNDEFINED; }';
  assert.deepEqual(rows(await analyzeC(acceptLoop(more), 'c', {})), ['9 sockscope.leak new_sd', '10 sockscope.overwrite new_sd']);
  const other = 'static int both_ok(int a, int b) { return b != SOCKET_UNDEFINED; }';
  assert.deepEqual(rows(await analyzeC(acceptLoop(other, 'both_ok(new_sd, sd)'), 'c', {})), ['9 sockscope.leak new_sd', '10 sockscope.overwrite new_sd']);
});

test('c: a validity test defined in a workspace header, with its constant', async () => {
  const caller = acceptLoop('#include "syshead.h"').replace('#define SOCKET_UNDEFINED (-1)\n', '');
  const run = async (helper: string) => {
    const index = new CWorkspaceIndex();
    await index.update('syshead.h', `#define SOCKET_UNDEFINED (-1)\n${helper}\n`, 'c');
    await index.update('socket.c', caller, 'c');
    return rows(await analyzeSource(caller, 'c', {}, { c: index, file: 'socket.c' }));
  };
  assert.deepEqual(await run(HELPER), []);
  // A helper of two statements only uses its argument (its summary): the call says nothing of `new_sd`.
  const twoStatements = 'static inline int socket_defined(const int sd) { int ok = sd != SOCKET_UNDEFINED; return ok; }';
  assert.deepEqual(await run(twoStatements), ['8 sockscope.leak new_sd', '9 sockscope.overwrite new_sd']);
});
