/**
 * lwan (issue 13, `accept_waiting_clients` in lwan-thread.c): an event loop keeps each connection in the slot of a
 * table indexed by its descriptor (`struct lwan_connection *conn = &conns[fd]`, registered with epoll, found again
 * as `fd = conn - conns` and closed from there). Filling in the descriptor's slot of a table that outlives the
 * function, or handing out its address, registers the descriptor: no leak after it. Reading the slot, or a slot
 * of a local array, keeps nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeC } from './index';
import { ruleRows } from '../../testing/projectTree';

const rows = async (text: string) => ruleRows(await analyzeC(text, 'c', {}));

const server = (body: string[]) => [
  '#include <sys/socket.h>',
  '#include <sys/epoll.h>',
  '#include <unistd.h>',
  'struct conn { int flags; void *coro; };',
  'struct loop { struct conn *conns; int epfd; };',
  'static struct conn table[1024];',
  'int serve(struct loop *l, int listen_fd) {',
  '  struct conn *conns = l->conns;',
  '  for (;;) {',
  '    int fd = accept(listen_fd, NULL, NULL);',
  '    if (fd < 0) return -1;',
  ...body,
  '  }',
  '}',
].join('\n');

test('c: a descriptor whose slot of a table that outlives the function is filled in is kept by that table', async () => {
  // The address of the slot, given to epoll with the descriptor.
  const address = ['    struct conn *c = &conns[fd];', '    struct epoll_event ev = { .data.ptr = c };', '    c->flags = 1;',
    '    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) c->flags = 0;', '    continue;'];
  assert.deepEqual(await rows(server(address)), []);
  // A write to the slot, through a local pointer to the table, a field or a table of the file.
  assert.deepEqual(await rows(server(['    conns[fd].flags = 1;', '    continue;'])), []);
  assert.deepEqual(await rows(server(['    l->conns[fd].flags = 2;', '    continue;'])), []);
  assert.deepEqual(await rows(server(['    table[fd].coro = NULL;', '    continue;'])), []);
});

test('c: reading the slot, or a slot of a local array, registers nothing', async () => {
  assert.deepEqual(await rows(server(['    if (conns[fd].flags) return 1;', '    continue;'])), ['12 sockscope.leak fd', '13 sockscope.leak fd']);
  const local = server(['    struct conn mine[64];', '    mine[fd].flags = 1;', '    continue;']);
  assert.deepEqual(await rows(local), ['14 sockscope.leak fd']);
});
