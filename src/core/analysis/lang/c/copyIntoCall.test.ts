/**
 * tinyproxy (issue 13, `listen_sock` in sock.c): `sblist_add(listen_fds, &listenfd)` copies the descriptor into the
 * caller's list (`memcpy(sblist_item_from_index(l, pos), item, l->itemsize)`): a copy into storage a call returns,
 * reached through the list the callee was given, keeps it as a copy into `l->items[pos]` would. A pointer a call
 * returns can be the function's own storage only if the call was given that storage (`&buf`, a local array).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeC } from './index';

const rows = async (text: string) =>
  (await analyzeC(text, 'c', {})).findings.map((f) => `${f.range.start.line + 1} ${f.severity ?? 'warning'} ${f.variable}`);

const program = (slot: string) => [
  '#include <sys/socket.h>',
  '#include <string.h>',
  '#include <stdlib.h>',
  'typedef struct { char *items; size_t count, capa, itemsize; } sblist;',
  slot,
  'int sblist_add(sblist *l, void *item) {',
  '  if (l->count == l->capa) { char *t = realloc(l->items, (l->capa + 8) * l->itemsize); if (!t) return 0; l->items = t; l->capa += 8; }',
  '  l->count++;',
  '  memcpy(item_at(l, l->count - 1), item, l->itemsize);',
  '  return 1;',
  '}',
  'int listen_all(sblist *fds, int n) {',
  '  for (int i = 0; i < n; i++) {',
  '    int fd = socket(AF_INET, SOCK_STREAM, 0);',
  '    if (fd == -1) continue;',
  '    sblist_add(fds, &fd);',
  '  }',
  '  return 0;',
  '}',
].join('\n');

test('c: a copy into storage a call returns from what the callee was given keeps the descriptor', async () => {
  assert.deepEqual(await rows(program('static char *item_at(sblist *l, size_t i) { return l->items + i * l->itemsize; }')), []);
});

test('c: a copy into storage a call returns from the function\'s own buffer keeps nothing', async () => {
  const own = program('static char *item_at(sblist *l, size_t i) { return l->items + i * l->itemsize; }')
    .replace('memcpy(item_at(l, l->count - 1), item, l->itemsize);', 'char buf[64]; memcpy(pick(buf, l->count), item, l->itemsize);')
    .replace('int sblist_add', 'char *pick(char *b, size_t i);\nint sblist_add');
  assert.deepEqual(await rows(own), ['18 warning fd']);
});
