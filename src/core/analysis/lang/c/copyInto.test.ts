/**
 * dropbear census (issue 13, `new_listener(&fd, 1, …)` in svr-agentfwd.c and svr-streamfwd.c): the callee copies
 * the descriptors it is given into the struct it returns and registers (`memcpy(newlisten->socks, socks, n)`),
 * which keeps them as `newlisten->socks[0] = socks[0]` would: a hand-off, and the caller's success return leaks
 * nothing. A copy into storage of the function's own (a local array or struct value) keeps nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeC } from './index';
import { ruleRows } from '../../testing/projectTree';

const rows = async (text: string) => ruleRows(await analyzeC(text, 'c', {}));

const caller = (callee: string) => [
  '#include <sys/socket.h>',
  '#include <unistd.h>',
  '#include <string.h>',
  '#include <stdlib.h>',
  'struct Listener { int socks[4]; unsigned int nsocks; };',
  'static struct Listener *table[8];',
  callee,
  'int agent(struct Listener **out) {',
  '  int fd = socket(PF_UNIX, SOCK_STREAM, 0);',
  '  if (fd < 0) return -1;',
  '  *out = new_listener(&fd, 1);',
  '  if (*out == NULL) return -1;',
  '  return 0;',
  '}',
].join('\n');

test('c: a callee that copies the descriptors it is given into storage it keeps takes them', async () => {
  const keeps = 'struct Listener *new_listener(const int socks[], unsigned int n) { struct Listener *l = malloc(sizeof *l); if (!l) return NULL; l->nsocks = n; memcpy(l->socks, socks, n * sizeof(int)); table[0] = l; return l; }';
  assert.deepEqual(await rows(caller(keeps)), []);
  const global = 'static int kept[4];\nstruct Listener *new_listener(const int socks[], unsigned int n) { memmove(kept, socks, n * sizeof(int)); return table[0]; }';
  assert.deepEqual(await rows(caller(global).replace('*out == NULL', '!*out')), []);
});

test('c: a copy into a local array or struct value keeps nothing', async () => {
  const local = 'struct Listener *new_listener(const int socks[], unsigned int n) { int copy[4]; memcpy(copy, socks, n * sizeof(int)); return table[copy[0] & 7]; }';
  assert.deepEqual(await rows(caller(local)), ['12 sockscope.leak fd', '13 sockscope.leak fd']);
  const value = 'struct Listener *new_listener(const int socks[], unsigned int n) { struct Listener l; memcpy(l.socks, socks, n * sizeof(int)); return table[l.socks[0] & 7]; }';
  assert.deepEqual(await rows(caller(value)), ['12 sockscope.leak fd', '13 sockscope.leak fd']);
});
