import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeC } from './index';
import { C_HEADERS } from '../../testing/cSnippets';

/** Recall on patterns of real leak fixes (issue 13). Line numbers count the 5 header lines. */

async function findings(body: string, language: 'c' | 'cpp' = 'c'): Promise<string[]> {
  const r = await analyzeC(C_HEADERS + body, language, {});
  assert.deepEqual(r.notes, []);
  return r.findings.map((f) => `${f.range.start.line + 1}:${f.function}:${f.variable}${f.ruleId === 'sockscope.overwrite' ? ':overwrite' : ''}`);
}

test('a descriptor kept in a field of a local struct value leaks where the struct goes away', async () => {
  assert.deepEqual(await findings(`
struct file { int fd; const char *name; };
int read_file(struct file *f);
int check_file(const char *path) {
  struct file file;
  file.fd = open(path, O_RDONLY);
  if (file.fd == -1)
    return -1;
  file.name = path;
  if (read_file(&file) < 0)
    return -2;
  close(file.fd);
  return 0;
}
int give_away(const char *path, struct file *out) {
  struct file file;
  file.fd = open(path, O_RDONLY);
  if (file.fd == -1)
    return -1;
  *out = file;
  return 0;
}
int two_opens(const char *path) {
  struct file file;
  file.fd = open(path, O_RDONLY);
  file.fd = open(path, O_RDONLY);
  if (file.fd >= 0)
    close(file.fd);
  return 0;
}
`), ['16:check_file:file.fd', '31:two_opens:file.fd:overwrite']);
});

test('a struct value handed to an unknown function or returned gives its fields away; C++ values are left alone', async () => {
  assert.deepEqual(await findings(`
struct file { int fd; };
void keep_file(struct file f);
struct file opener(const char *path) {
  struct file file;
  file.fd = open(path, O_RDONLY);
  return file;
}
void handed(const char *path) {
  struct file file;
  file.fd = open(path, O_RDONLY);
  keep_file(file);
}
`), []);
  // A C++ class value may close its field in its destructor.
  assert.deepEqual(await findings(`
struct File { int fd; ~File() { if (fd >= 0) close(fd); } };
int cpp_value(const char *path) {
  File file;
  file.fd = open(path, O_RDONLY);
  if (file.fd < 0) return -1;
  return 0;
}
`, 'cpp'), []);
});

test('a function whose header is a macro (`HANDLER(name) { … }`) is named by the macro argument', async () => {
  assert.deepEqual(await findings(`
HANDLER_FUNC(my_handler) {
  int fd = open("/tmp/x", O_RDONLY);
  if (fd < 0)
    return 1;
  return 0;
}
`), ['11:my_handler:fd']);
});

test('a configuration check that ends in #error does not hide the code behind the same conditionals', async () => {
  assert.deepEqual(await findings(`
#ifdef USE_FEATURE
#ifndef HAVE_DEPENDENCY
#error "USE_FEATURE needs HAVE_DEPENDENCY"
#endif
int feature(const char *p) {
  FILE *f = fopen(p, "r");
  if (!f)
    return -1;
  if (fgetc(f) < 0)
    return -2;
  fclose(f);
  return 0;
}
#endif
`), ['16:feature:f']);
});

test('associating a socket with a completion port neither closes nor keeps it', async () => {
  assert.deepEqual(await findings(`
int start(HANDLE port) {
  SOCKET s = socket(AF_INET, SOCK_STREAM, 0);
  if (s == INVALID_SOCKET)
    return -1;
  if (!CreateIoCompletionPort((HANDLE)s, port, 1, 0))
    return -1;
  closesocket(s);
  return 0;
}
`), ['12:start:s']);
});

test('a leak held by two locations is named after the one the function closes elsewhere', async () => {
  assert.deepEqual(await findings(`
struct file { int fd; const char *name; };
int read_file(struct file *f);
int check_users(const char *path, int max) {
  int fd, n;
  struct file file;
  fd = open(path, O_RDONLY);
  if (fd == -1)
    return -1;
  file.fd = fd;
  file.name = path;
  n = read_file(&file);
  if (n > max)
    return -2;
  close(file.fd);
  return n;
}
int check_first(const char *path, int max) {
  int fd, n;
  struct file file;
  fd = open(path, O_RDONLY);
  if (fd == -1)
    return -1;
  file.fd = fd;
  n = read_file(&file);
  if (n > max)
    return -2;
  close(fd);
  return n;
}
`), ['19:check_users:file.fd', '32:check_first:fd']);
});

test('a counter stepped in a loop settles (widening): the function is analysed to the end', async () => {
  // Without widening the counter's range grew by one per round until the step limit cut the analysis short.
  assert.deepEqual(await findings(`
int count_lines(const char *path) {
  int fd = open(path, O_RDONLY);
  int n = 0;
  char c;
  if (fd == -1)
    return -1;
  for (;;) {
    if (read(fd, &c, 1) != 1)
      break;
    if (c == '\\n')
      n++;
    if (n == 0)
      continue;
  }
  if (n > 1000)
    return -2;
  close(fd);
  return n;
}
`), ['22:count_lines:fd']);
});

test('a void function that closes or keeps a descriptor parameter owns it: a return leaving it open leaks it', async () => {
  assert.deepEqual(await findings(`
struct tty { int fd; };
void tty_init(struct tty *tty, int fd) {
  tty->fd = fd;
}
void identify(struct tty *tty, int flags, int fd) {
  if (flags & 1) {
    close(fd);
    return;
  }
  if (!isatty(fd))
    return;
  tty_init(tty, fd);
}
void maybe_close(int fd, int keep) {
  if (!keep)
    close(fd);
}
int status_close(struct tty *tty, int fd) {
  if (!isatty(fd)) {
    close(fd);
    return -1;
  }
  if (fd < 3)
    return 1;
  tty_init(tty, fd);
  return 0;
}
void checked(struct tty *tty, int fd) {
  if (fd < 0)
    return;
  if (!isatty(fd)) {
    close(fd);
    return;
  }
  tty_init(tty, fd);
}
`), ['17:identify:fd']);
});
