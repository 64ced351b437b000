import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeC } from './index';
import { C_HEADERS } from '../../testing/cSnippets';

/** Precision on patterns of real code (issue 13). Line numbers count the 5 header lines. */

async function findings(body: string): Promise<string[]> {
  const r = await analyzeC(C_HEADERS + body, 'c', {});
  assert.deepEqual(r.notes, []);
  return r.findings.map((f) => `${f.range.start.line + 1}:${f.variable}${f.severity === 'information' ? ':info' : ''}`);
}

test('a cleanup guard that excludes the invalid value and a standard descriptor closes what was opened', async () => {
  assert.deepEqual(await findings(`
static int work(int fd) { char b; return read(fd, &b, 1) < 0; }
int sign_all(int argc, char **argv) {
  int fd = -1, i, ret = -1;
  for (i = 0; i < argc; i++) {
    if (argv[i][0] == '-')
      fd = STDIN_FILENO;
    else if ((fd = open(argv[i], O_RDONLY)) == -1)
      goto done;
    if (work(fd) != 0)
      goto done;
    if (fd != STDIN_FILENO)
      close(fd);
    fd = -1;
  }
  ret = 0;
done:
  if (fd != -1 && fd != STDIN_FILENO)
    close(fd);
  return ret;
}
int leaky(const char *p) {
  int fd = open(p, O_RDONLY);
  if (work(fd) != 0)
    goto done;
  close(fd);
  return 0;
done:
  if (fd != -1 && fd == STDIN_FILENO)
    close(fd);
  return -1;
}
`), ['36:fd']);
});

test('a leak where main() returns is below warning severity; elsewhere in main it stays a warning', async () => {
  assert.deepEqual(await findings(`
int main(int argc, char **argv) {
  char b[10];
  int i;
  for (i = 1; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) continue;
    if (read(fd, b, 10) < 0) continue;
    close(fd);
  }
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) return 1;
  if (read(fd, b, 10) < 0) return 2;
  close(fd);
  return 0;
}
`), ['13:fd', '18:fd:info']);
});
