/**
 * redsocks (issue 13, `debug_pipe` in debug.c): the debug endpoint makes one more pipe per request on purpose
 * (`int code = (pipe(fds) == 0) ? HTTP_OK : HTTP_SERVUNAVAIL;`) and never touches it again. A pair the function
 * never names after making it can serve only by being open: below warning severity. A pair it uses and then
 * drops stays a warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeC } from './index';

const rows = async (text: string) =>
  (await analyzeC(text, 'c', {})).findings.map((f) => `${f.range.start.line + 1} ${f.severity ?? 'warning'} ${f.variable}`);

const fn = (body: string[]) => ['#include <unistd.h>', '#include <sys/socket.h>', 'void reply(void *req, int code);', 'void handler(void *req) {', '  int fds[2];', ...body, '}'].join('\n');

test('c: a pipe or socket pair the function never touches after making it is reported below warning', async () => {
  assert.deepEqual(await rows(fn(['  int code = (pipe(fds) == 0) ? 200 : 503;', '  reply(req, code);'])),
    ['8 information fds[0]', '8 information fds[1]']);
  assert.deepEqual(await rows(fn(['  if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0) { reply(req, 503); return; }', '  reply(req, 200);'])),
    ['8 information fds[0]', '8 information fds[1]']);
});

test('c: a pair the function uses, tests or writes to stays a warning', async () => {
  assert.deepEqual(await rows(fn(['  if (pipe(fds) < 0) return;', '  write(fds[1], "x", 1);', '  reply(req, 200);'])),
    ['9 warning fds[0]', '9 warning fds[1]']);
  assert.deepEqual(await rows(fn(['  if (pipe(fds) < 0) return;', '  if (fds[0] > 100) close(fds[1]);', '  reply(req, 200);'])),
    ['9 warning fds[0]', '9 warning fds[1]']);
});
