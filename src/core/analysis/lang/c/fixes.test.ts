import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { analyzeC } from './index';
import { applyEdits } from '../../edits';
import type { Fix, TextEdit } from '../../types';
import { C_HEADERS, CPP_THROW_TRY_LAMBDA } from '../../testing/cSnippets';

function hasCompiler(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const GCC = hasCompiler('gcc');
const GXX = hasCompiler('g++');

/** Compiles with -fsyntax-only; returns the diagnostics on failure. */
function compileErrors(text: string, language: 'c' | 'cpp'): string | null {
  try {
    execFileSync(language === 'c' ? 'gcc' : 'g++', ['-fsyntax-only', '-x', language === 'c' ? 'c' : 'c++', '-'], { input: text, stdio: ['pipe', 'ignore', 'pipe'] });
    return null;
  } catch (e) {
    return String((e as { stderr?: Buffer }).stderr ?? e);
  }
}

/** Applies each distinct all-paths fix of the file at once. */
async function fixAll(text: string, language: 'c' | 'cpp' = 'c'): Promise<{ fixed: string; before: number }> {
  const r = await analyzeC(text, language, {});
  const fixes = new Set<Fix>();
  for (const f of r.findings) {
    const all = f.fixes.find((x) => x.scope === 'all-paths');
    assert.ok(all, `finding at line ${f.range.start.line + 1} has an all-paths fix`);
    assert.equal(all.isPreferred, true);
    assert.ok(f.fixes.some((x) => x.scope === 'exit' && !x.isPreferred), 'and an exit fix');
    fixes.add(all);
  }
  const edits: TextEdit[] = [];
  for (const fix of fixes) edits.push(...fix.edits);
  return { fixed: applyEdits(text, edits), before: r.findings.length };
}

async function assertFixed(text: string, language: 'c' | 'cpp' = 'c'): Promise<string> {
  const { fixed, before } = await fixAll(text, language);
  assert.ok(before > 0, 'the snippet has findings to fix');
  const again = await analyzeC(fixed, language, {});
  assert.deepEqual(again.findings.map((f) => `${f.range.start.line + 1}:${f.variable}`), [], `no findings after the fix:\n${fixed}`);
  if (language === 'c' ? GCC : GXX) assert.equal(compileErrors(fixed, language), null, fixed);
  return fixed;
}

const H = C_HEADERS;

test('closes before each leaking return, with the return\'s indentation', async () => {
  const fixed = await assertFixed(`${H}
int f(const char *p) {
    int fd = socket(2, 1, 0);
    if (fd < 0) {
        return -1;
    }
    if (connect(fd, 0, 0) < 0) {
        perror("connect");
        return -2;
    }
    close(fd);
    return 0;
}
`);
  assert.match(fixed, /perror\("connect"\);\n {8}close\(fd\);\n {8}return -2;/);
  assert.doesNotMatch(fixed, /close\(fd\);\n {8}return -1;/);
});

test('a braceless if/else body gets braces in its own style', async () => {
  const fixed = await assertFixed(`${H}
int f(const char *p) {
  int fd = open(p, O_RDONLY);
  if (fd < 0)
    return -1;
  if (read(fd, 0, 0) < 0)
    return -2;
  else if (p[0]) return -3;
  close(fd);
  return 0;
}
`);
  assert.match(fixed, /if \(read\(fd, 0, 0\) < 0\) \{\n {4}close\(fd\);\n {4}return -2;\n {2}\}\n/);
  assert.match(fixed, /else if \(p\[0\]\) \{ close\(fd\); return -3; \}/);
});

/** The findings of `text` that get no fix at all, as `line:variable`. */
async function unfixed(text: string, language: 'c' | 'cpp' = 'c'): Promise<string[]> {
  const r = await analyzeC(text, language, {});
  assert.ok(r.findings.length > 0, 'the snippet has findings');
  return r.findings.filter((f) => f.fixes.length === 0).map((f) => `${f.range.start.line + 1}:${f.variable}`);
}

test('a C return that uses the descriptor is computed into a temporary of the return type first', async () => {
  const fixed = await assertFixed(`${H}
ssize_t f(const char *p) {
  int fd = socket(2, 1, 0);
  if (fd < 0) return -1;
  return send(fd, p, 1, 0);
}
`);
  assert.match(fixed, /\{ ssize_t sockscope_ret = send\(fd, p, 1, 0\); close\(fd\); return sockscope_ret; \}/);
});

test('no fix where the return value cannot be kept in a temporary as it is (C++, pointers, braced lists)', async () => {
  assert.deepEqual(await unfixed(`#include <unistd.h>
#include <sys/socket.h>
template <class T> T g(int);
auto f() {
  int fd = socket(2, 1, 0);
  if (fd < 0) return g<long>(-1);
  return g<long>(fd);
}
`, 'cpp'), ['7:fd']);
  assert.equal((await unfixed(`${H}
char *fd_ttyname(int);
char *f(void) {
  int fd = socket(2, 1, 0);
  if (fd < 0) return 0;
  return fd_ttyname(fd);
}
`)).length, 1);
});

test('no fix on a path that reaches a cleanup label both closed and open: a close there could be a second one', async () => {
  const text = `${H}
int f(const char *p) {
  int ret = -1;
  char *buf = malloc(10);
  int fd = open(p, O_RDONLY);
  if (fd < 0) goto out;
  if (read(fd, buf, 10) < 0) goto out;
  close(fd);
  ret = 0;
out:
  free(buf);
  return ret;
}
`;
  const r = await analyzeC(text, 'c', {});
  assert.equal(r.findings.length, 1);
  assert.deepEqual(r.findings[0]!.fixes, []);
});

test('no fix where the variable may be uninitialised: a guarded close would read it', async () => {
  const text = `${H}
int f(const char *p) {
  int fd;
  if (p) fd = open(p, O_RDONLY);
  return 0;
}
`;
  const r = await analyzeC(text, 'c', {});
  assert.equal(r.findings.length, 1);
  assert.deepEqual(r.findings[0]!.fixes, []);
});

test('an unknown function that receives the descriptor takes it: no finding after it, a fix before it', async () => {
  const text = `${H}
int loop_watch(int fd);
int f(int x) {
  int s = socket(2, 1, 0);
  if (s < 0) return -1;
  if (x) return 1;
  loop_watch(s);
  return 0;
}
`;
  const r = await analyzeC(text, 'c', {});
  assert.deepEqual(r.findings.map((f) => f.range.start.line + 1), [H.split('\n').length + 5]);
  assert.ok(r.findings[0]!.fixes.length > 0);
});

test('a project close function is a release, and the fix uses it (evutil_closesocket, Curl_closesocket(conn, s))', async () => {
  const text = `${H}
void evutil_closesocket(int s);
struct conn;
void Curl_closesocket(struct conn *conn, int s);
int f(int x) {
  int s = socket(2, 1, 0);
  if (s < 0) return -1;
  if (x) return 1;
  evutil_closesocket(s);
  return 0;
}
int g(struct conn *conn, int x) {
  int s = socket(2, 1, 0);
  if (s < 0) return -1;
  if (x) return 1;
  Curl_closesocket(conn, s);
  return 0;
}
`;
  const r = await analyzeC(text, 'c', {});
  assert.deepEqual(r.findings.map((f) => `${f.function}:${f.variable}`), ['f:s', 'g:s'], 'only the early returns leak');
  const fixed = await assertFixed(text);
  assert.match(fixed, /\{ evutil_closesocket\(s\); return 1; \}/);
  assert.match(fixed, /\{ Curl_closesocket\(conn, s\); return 1; \}/);
});

test('no fix where the descriptor may be stdout: a guarded close would close it', async () => {
  const text = `${H}
int f(const char *p) {
  int fd;
  if (p) {
    fd = open(p, O_RDONLY);
    if (fd < 0) return -1;
  } else fd = STDOUT_FILENO;
  write(fd, "x", 1);
  return 0;
}
`;
  const r = await analyzeC(text, 'c', {});
  assert.equal(r.findings.length, 1);
  assert.deepEqual(r.findings[0]!.fixes, []);
});

test('loop bodies: close at continue, break and the closing brace; streams use fclose/pclose', async () => {
  const fixed = await assertFixed(`${H}
void f(int s) {
  for (;;) {
    int c = accept(s, 0, 0);
    if (c < 0) continue;
    if (write(c, "x", 1) < 0) continue;
    if (write(c, "y", 1) < 0) break;
    write(c, "z", 1);
  }
}
int g(const char *p) {
  FILE *f = fopen(p, "r");
  if (!f) return -1;
  char buf[10];
  if (!fgets(buf, 10, f)) return -2;
  fclose(f);
  return 0;
}
int h(const char *cmd) {
  FILE *pp = popen(cmd, "r");
  if (pp == NULL) return -1;
  if (cmd[0]) return 2;
  pclose(pp);
  return 0;
}
`);
  assert.match(fixed, /write\(c, "z", 1\);\n {4}close\(c\);\n {2}\}/);
  assert.match(fixed, /\{ fclose\(f\); return -2; \}/);
  assert.match(fixed, /\{ pclose\(pp\); return 2; \}/);
});

test('overwrites: release before the assignment', async () => {
  const fixed = await assertFixed(`${H}
int f(void) {
  int fd = socket(2, 1, 0);
  fd = socket(2, 1, 0);
  close(fd);
  return 0;
}
`);
  assert.match(fixed, /if \(fd >= 0\) close\(fd\);\n {2}fd = socket/);
});

test('an overwrite in a loop condition: release at the end of each iteration and before each continue of that loop only', async () => {
  const fixed = await assertFixed(`${H}
int f(int l) {
  int c = -1;
  while ((c = accept(l, 0, 0)) >= 0) {
    if (c == 5)
      continue;
    for (int i = 0; i < 2; i++)
      if (i) continue;
    write(c, "x", 1);
  }
  return 0;
}
`);
  assert.match(fixed, /if \(c == 5\) \{\n {6}if \(c >= 0\) close\(c\);\n {6}continue;\n {4}\}\n/);
  assert.match(fixed, /if \(i\) continue;\n/, 'the inner loop\'s continue gets nothing');
  assert.match(fixed, /write\(c, "x", 1\);\n {4}if \(c >= 0\) close\(c\);\n {2}\}\n/);
});

test('no fix for an overwrite in a loop condition whose variable is uninitialised on the first iteration', async () => {
  assert.deepEqual(await unfixed(`${H}
void g(int s) {
  int c;
  while ((c = accept(s, 0, 0)) >= 0) {
    if (c == 3) continue;
    write(c, "x", 1);
  }
}
`).then((l) => l.length), 1);
});

test('pipe ends are closed element by element', async () => {
  const fixed = await assertFixed(`${H}
int f(void) {
  int fds[2];
  if (pipe(fds) < 0) return -1;
  if (fork() < 0) return -1;
  close(fds[0]);
  close(fds[1]);
  return 0;
}
`);
  assert.match(fixed, /\{ close\(fds\[0\]\); close\(fds\[1\]\); return -1; \}/);
});

test('the missing header is added after the last #include', async () => {
  const src = '#include <fcntl.h>\n#include <stdlib.h>\nint f(const char *p) {\n  int fd = open(p, O_RDONLY);\n  if (fd < 0) return -1;\n  return 0;\n}\n';
  const fixed = await assertFixed(src);
  assert.ok(fixed.startsWith('#include <fcntl.h>\n#include <stdlib.h>\n#include <unistd.h>\n'), fixed);
});

test('C++: lambdas, throw and try/catch', async () => {
  await assertFixed(`#include <cstdio>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>
${CPP_THROW_TRY_LAMBDA}`, 'cpp');
});

test('the seed bug is fixed by closing before each early return', async () => {
  const fixed = await assertFixed(`${H}#include <string.h>
#include <errno.h>
typedef int BOOL;
BOOL send_message(const char *content, int len, char *reply, int rlen)
{
int sockfd, n;
sockfd = socket(AF_INET, SOCK_STREAM, 0);
if (sockfd < 0)
{
return 0;
}
if (connect(sockfd, 0, 0) < 0)
{
fprintf(stderr, "Error connecting: %s", strerror(errno));
return 0;
}
n = write(sockfd, content, len);
if (n < 0)
{
return 0;
}
n = recv(sockfd, reply, rlen, 0);
if (n < 0)
{
return 0;
}
close(sockfd);
return 1;
}
`);
  assert.equal(fixed.split('close(sockfd);\nreturn 0;').length - 1, 3);
});

test('a function whose parse has errors gets findings but no fix', async () => {
  const text = `${H}
int f(int x) {
  int fd = socket(2, 1, 0);
  if (fd < 0) return -1;
  if (x) return 1;
  int y = ) 3;
  close(fd);
  return 0;
}
`;
  const r = await analyzeC(text, 'c', {});
  assert.equal(r.hadParseErrors, true);
  assert.ok(r.findings.length > 0, 'the leak is still reported');
  for (const f of r.findings) assert.deepEqual(f.fixes, []);
});

test('a function with a cleanup label gets `goto` to it where the jump does exactly what the release would', async () => {
  const fixed = await assertFixed(`${H}
int f(const char *m, int n) {
    int ret = -1;
    int fd = socket(2, 1, 0);
    if (fd < 0)
        return -1;
    if (send(fd, m, n, 0) < 0)
        return ret;
    ret = 0;
fail:
    if (fd >= 0)
        close(fd);
    return ret;
}
`);
  assert.match(fixed, /if \(send\(fd, m, n, 0\) < 0\)\n {8}goto fail;\n/);
  const r = await analyzeC(`${H}
int f(const char *m, int n) {
    int fd = socket(2, 1, 0);
    if (send(fd, m, n, 0) < 0)
        return -1;
    return 0;
fail:
    close(fd);
    return -1;
}
`, 'c', {});
  const titles = r.findings.flatMap((f) => f.fixes.map((x) => x.title));
  assert.ok(titles.includes('Close `fd` through the cleanup label `fail`') === false, 'a bare close at the label is not reached with a maybe-invalid fd');
});

test('no `goto` to a cleanup label that does more than release, returns something else, or returns what the release may change', async () => {
  const variants = [
    'fail:\n    close(fd);\n    free(buf);\n    return -1;', // frees what may not be allocated on the leaking path
    'fail:\n    close(fd);\n    return -2;', // another value
    'fail:\n    close(fd);\n    fd = -1;\n    return -1;', // more statements
  ];
  for (const label of variants) {
    const r = await analyzeC(`${H}
int f(const char *m, int n, char *buf) {
    int fd = socket(2, 1, 0);
    if (fd < 0) return -1;
    if (send(fd, m, n, 0) < 0)
        return -1;
    close(fd);
    return 0;
${label}
}
`, 'c', {});
    const edits = r.findings.flatMap((f) => f.fixes.flatMap((x) => x.edits.map((e) => e.newText)));
    assert.ok(edits.length > 0, 'the leak still has a fix');
    assert.ok(edits.every((t) => !t.includes('goto')), `no goto for:\n${label}\n${edits.join('\n')}`);
  }
  const errnoRet = await analyzeC(`${H}
int f(const char *m, int n) {
    int fd = socket(2, 1, 0);
    if (fd < 0) return -1;
    if (send(fd, m, n, 0) < 0)
        return errno;
    close(fd);
    return 0;
fail:
    close(fd);
    return errno;
}
`, 'c', {});
  assert.ok(errnoRet.findings.flatMap((f) => f.fixes.flatMap((x) => x.edits.map((e) => e.newText))).every((t) => !t.includes('goto')), 'errno may change across close');
});
