/**
 * A pointer that the function dereferences (`p->f`, `*p`, `p[i]`) is not NULL after that, until it changes: a
 * NULL dereference does not come back (it faults). So a loop over a list that leaves by `break` after using the
 * current element has a non-NULL cursor, and `if (cur == NULL)` after the loop is the "every element tried"
 * path, where each round closed its socket (tinyproxy `opensock`, issue 13). The cursor is filled by
 * `getaddrinfo(…, &list)`: a standard out-parameter written during the call only, not a volatile variable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeC } from './index';

const rows = async (text: string) =>
  (await analyzeC(text, 'c', {})).findings.map((f) => `${f.range.start.line + 1} ${f.ruleId} ${f.variable}`);

const dial = (loopUse: string, extra: string[] = [], lookup = 'getaddrinfo') => [
  '#include <netdb.h>',
  '#include <sys/socket.h>',
  '#include <unistd.h>',
  'int dial(const char *name, const char *service) {',
  '  struct addrinfo hints = { 0 }, *list, *cur;',
  '  int fd = -1;',
  `  if (${lookup}(name, service, &hints, &cur) != 0)`,
  '    return -1;',
  '  list = cur;',
  '  do {',
  '    fd = socket(AF_INET, SOCK_STREAM, 0);',
  '    if (fd < 0)',
  '      continue;',
  `    if (connect(fd, ${loopUse}, sizeof(struct sockaddr_in)) == 0)`,
  '      break;',
  '    close(fd);',
  '  } while ((cur = cur->ai_next) != NULL);',
  ...extra,
  '  freeaddrinfo(list);',
  '  if (cur == NULL)',
  '    return -1;',
  '  return fd;',
  '}',
].join('\n');

test('c: a cursor dereferenced on the path of the break is not NULL after the loop (opensock shape)', async () => {
  assert.deepEqual(await rows(dial('cur->ai_addr')), []);
});

test('c: without a dereference of the cursor on that path, the test after the loop may see NULL', async () => {
  // Nothing says `cur` is not NULL where `break` leaves with the socket open: a warning stays.
  assert.deepEqual(await rows(dial('(struct sockaddr *)service')), ['20 sockscope.leak fd']);
});

test('c: a cursor changed after its dereference is not known to be non-NULL', async () => {
  assert.deepEqual(await rows(dial('cur->ai_addr', ['  if (fd >= 0 && name[0] == 0)', '    cur = NULL;'])), ['22 sockscope.leak fd']);
});

test('c: a cursor whose address another function is given may change anywhere: not followed', async () => {
  // `lookup(…, &cur)` may keep the address (a project function): `cur` is not followed, the warning stays.
  assert.deepEqual(await rows(dial('cur->ai_addr', [], 'lookup')), ['20 sockscope.leak fd']);
});
