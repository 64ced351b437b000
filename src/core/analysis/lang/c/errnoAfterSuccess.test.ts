/**
 * A leak at a `return` reached only when `errno` is found set right after a successful acquisition, `errno`
 * having been cleared just before it, needs a call that succeeded to set `errno`: below warning severity
 * (errnoAfterSuccess.ts; mosquitto `dynsec__config_load`, issue 13).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeC } from './index';

const rows = async (text: string) =>
  (await analyzeC(text, 'c', {})).findings.map((f) => `${f.range.start.line + 1} ${f.variable} ${f.severity ?? 'warning'}`);

const load = (clear: string, between: string[], test: string, wrap = false) => [
  '#include <errno.h>',
  '#include <stdio.h>',
  'int load(const char *path) {',
  '  FILE *fp;',
  `  ${clear}`,
  '  fp = fopen(path, "rb");',
  '  if (fp == NULL) {',
  '    return -1;',
  '  }',
  ...between,
  ...(wrap ? ['#ifndef _WIN32'] : []),
  `  if (${test}) {`,
  '    return -2;',
  '  }',
  ...(wrap ? ['#endif'] : []),
  '  fclose(fp);',
  '  return 0;',
  '}',
].join('\n');

test('c: a return behind an errno test right after a successful fopen (errno cleared before) is below warning', async () => {
  assert.deepEqual(await rows(load('errno = 0;', [], 'errno == ENOTDIR || errno == EISDIR')), ['11 fp information']);
});

test('c: the errno test may sit in an #ifndef block', async () => {
  assert.deepEqual(await rows(load('errno = 0;', [], 'errno != 0', true)), ['12 fp information']);
});

test('c: without errno cleared before the acquisition, the errno test may see an old error: a warning', async () => {
  assert.deepEqual(await rows(load('errno = errno;', [], 'errno == EISDIR')), ['11 fp warning']);
});

test('c: a call between the acquisition and the errno test may fail and set it: a warning', async () => {
  assert.deepEqual(await rows(load('errno = 0;', ['  fseek(fp, 0, SEEK_END);'], 'errno == ESPIPE')), ['12 fp warning']);
});

test('c: the branch where errno is 0 is the ordinary path: a warning', async () => {
  assert.deepEqual(await rows(load('errno = 0;', [], 'errno == 0')), ['11 fp warning']);
});
