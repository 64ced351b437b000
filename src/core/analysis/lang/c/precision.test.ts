import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeC } from './index';
import { C_HEADERS } from '../../testing/cSnippets';

/** Precision on patterns of real code (issue 13). Line numbers count the 5 header lines. */

async function findings(body: string, language: 'c' | 'cpp' = 'c'): Promise<string[]> {
  const r = await analyzeC(C_HEADERS + body, language, {});
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

test('branches on the same plain value are correlated: a loop cursor, a done flag, strcmp of one path', async () => {
  assert.deepEqual(await findings(`
int connect_any(struct addrinfo *aitop) {
  struct addrinfo *ai;
  int sock = -1;
  for (ai = aitop; ai; ai = ai->ai_next) {
    sock = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (sock == -1)
      continue;
    if (connect(sock, ai->ai_addr, ai->ai_addrlen) == -1) {
      close(sock);
      continue;
    }
    break;
  }
  if (!ai)
    return -1;
  return sock;
}
int listen_tmp(struct sockaddr *sa, int len) {
  int good, sock = -1;
  for (good = 0; !good;) {
    sock = -1;
    if ((sock = socket(PF_UNIX, SOCK_STREAM, 0)) == -1)
      break;
    if (bind(sock, sa, len) == -1) {
      close(sock);
      sock = -1;
      continue;
    }
    if (listen(sock, 5) == -1)
      break;
    good = 1;
  }
  if (good)
    return sock;
  else if (sock != -1)
    close(sock);
  return -1;
}
void read_list(const char *path) {
  FILE *f;
  char buf[100];
  if (strcmp(path, "-") == 0)
    f = stdin;
  else if ((f = fopen(path, "r")) == NULL)
    return;
  while (fgets(buf, sizeof buf, f) != NULL)
    printf("%s: %s", path, buf);
  if (strcmp(path, "-") != 0)
    fclose(f);
}
int flag(const char *p, int want) {
  int fd = -1, opened = 0;
  if (want) {
    fd = open(p, O_RDONLY);
    if (fd < 0) return -1;
    opened = 1;
  }
  if (read(0, &want, 1) < 0)
    return -1;
  if (opened)
    close(fd);
  return 0;
}
`), ['65:fd']);
});

test('a value changed between the two branches correlates nothing', async () => {
  assert.deepEqual(await findings(`
int reset(const char *p, int want) {
  int fd = -1, opened = 0;
  if (want) {
    fd = open(p, O_RDONLY);
    if (fd < 0) return -1;
    opened = 1;
  }
  opened = want > 1;
  if (opened)
    close(fd);
  return 0;
}
int counted(const char *p, int n) {
  int fd = open(p, O_RDONLY);
  if (fd < 0) return -1;
  while (n--) {
    if (n == 0) break;
  }
  if (n == 0)
    close(fd);
  return 0;
}
void changed(char *path) {
  FILE *f;
  if (strcmp(path, "-") == 0)
    f = stdin;
  else if ((f = fopen(path, "r")) == NULL)
    return;
  strcpy(path, "-");
  if (strcmp(path, "-") != 0)
    fclose(f);
}
`), ['17:fd', '27:fd', '38:f']);
});

test('a loop that closes every valid element of an array closes them all; a loop that skips valid ones does not', async () => {
  assert.deepEqual(await findings(`
int test_pair(int n) {
  int fdtest[2] = { -1, -1 };
  int i, ret = 0;
  fdtest[0] = socket(AF_INET, SOCK_DGRAM, 0);
  if (fdtest[0] < 0)
    goto end;
  fdtest[1] = socket(AF_INET, SOCK_DGRAM, 0);
  if (fdtest[1] < 0)
    goto end;
  if (n > 3)
    goto end;
  ret = 1;
end:
  for (i = 0; i < 2; i++) {
    if (fdtest[i] >= 0)
      close(fdtest[i]);
  }
  return ret;
}
int skips(void) {
  int fds[2] = { -1, -1 };
  int i;
  fds[0] = socket(AF_INET, SOCK_DGRAM, 0);
  for (i = 0; i < 2; i++) {
    if (fds[i] > 100)
      close(fds[i]);
  }
  return 0;
}
`), ['34:fds[0]']);
});

test('a resource stored through an optional out-parameter is handed over where the test is reached', async () => {
  assert.deepEqual(await findings(`
int spawn(int capture, FILE **child) {
  FILE *f = NULL;
  int p[2];
  if (pipe(p) == -1)
    return -1;
  close(p[1]);
  if (!capture)
    close(p[0]);
  else if ((f = fdopen(p[0], "r")) == NULL) {
    close(p[0]);
    return -1;
  }
  if (child != NULL)
    *child = f;
  return 0;
}
int early(const char *path, FILE **out) {
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return -1;
  if (fgetc(f) == EOF)
    return -2;
  if (out)
    *out = f;
  return 0;
}
`), ['28:f']);
});

test('a fresh descriptor the function checks for a standard number (0-2) fills that slot on purpose; one that may also hold a standard stream still leaks', async () => {
  assert.deepEqual(await findings(`
void log_error(const char *m);
int reserve(void) {
  int fd0;
  if ((fd0 = open("/dev/null", O_RDONLY)) == -1)
    return -1;
  if (fd0 != 0)
    log_error("fd0 is not 0");
  return 0;
}
int either(const char *p, int use_stdin) {
  int fd = -1;
  if (use_stdin)
    fd = STDIN_FILENO;
  else if ((fd = open(p, O_RDONLY)) == -1)
    return -1;
  if (fd == 0)
    log_error("stdin");
  return 0;
}
int unchecked(void) {
  int fd = open("/dev/null", O_RDONLY);
  if (fd == -1)
    return -1;
  return 0;
}
`), ['24:fd', '30:fd']);
});

test('a descriptor a compound condition proves to be 0-2 (the flag it tests is known) is a standard stream kept on purpose', async () => {
  assert.deepEqual(await findings(`
void quiet(int fd) {
  int close_fd = 0;
  if (fd < 0) {
    fd = open("/dev/null", O_RDWR);
    close_fd = 1;
  }
  if (fd > -1) {
    dup2(fd, 0);
    dup2(fd, 1);
    if (fd > 2 && close_fd)
      close(fd);
    return;
  }
}
void loud(int fd) {
  int close_fd = 0;
  if (fd < 0) {
    fd = open("/dev/null", O_RDWR);
    close_fd = 1;
  }
  if (fd > -1) {
    dup2(fd, 0);
    if (fd > 5 && close_fd)
      close(fd);
    return;
  }
}
`), ['31:fd']);
});

test('a counter stepped by one keeps its known range: the descriptor kept for the last round ends the loop', async () => {
  assert.deepEqual(await findings(`
int accept_n(int sock, int count) {
  int fd = -1;
  if (count <= 0)
    return -1;
  do {
    fd = accept(sock, NULL, NULL);
    if (fd < 0)
      break;
    if (count > 1)
      close(fd);
    count--;
  } while (count > 0);
  return fd;
}
int accept_some(int sock, int count) {
  int fd = -1;
  if (count <= 0)
    return -1;
  do {
    fd = accept(sock, NULL, NULL);
    if (fd < 0)
      break;
    if (count > 2)
      close(fd);
    count--;
  } while (count > 0);
  return fd;
}
`), ['26:fd']);
});

test('a return reached only when dup2() onto a standard descriptor failed is below warning severity; other returns stay warnings', async () => {
  assert.deepEqual(await findings(`
int daemonize(void) {
  int fd = open("/dev/null", O_RDWR);
  if (fd == -1)
    return -1;
  if (dup2(fd, STDIN_FILENO) == -1) {
    perror("dup2");
    return -1;
  }
  if (dup2(fd, 1) < 0 || unlikely(dup2(fd, STDERR_FILENO) != STDERR_FILENO) || __predict_false(dup2(fd, 2) == -1))
    return -2;
  if (dup2(fd, 0) >= 0) {
  } else
    return -3;
  if (fd > STDERR_FILENO)
    close(fd);
  return 0;
}
int redirect(int sock, const char *p) {
  int fd = open(p, O_RDONLY);
  if (fd < 0)
    return -1;
  if (dup2(fd, 0) == -1 && sock > 0) {
    if (sock > 1)
      goto out;
    return -1;
  }
  if (dup2(fd, 5) == -1)
    return -2;
  if (dup2(fd, 0) == -1 || fd > 7)
    return -3;
  if (dup2(fd, 0) == 0)
    return -4;
  if (dup2(fd, 1) == -1) {
    int r;
out:
    r = -5;
    return r;
  }
  close(fd);
  return 0;
}
`), ['13:fd:info', '16:fd:info', '19:fd:info', '31:fd:info', '34:fd', '36:fd', '38:fd', '43:fd']);
});

test('the leak after a failed dup2() onto a standard descriptor says why it is below warning', async () => {
  const r = await analyzeC(`${C_HEADERS}int f(void) {
  int fd = open("/dev/null", O_RDWR);
  if (fd < 0) return -1;
  if (dup2(fd, STDOUT_FILENO) < 0) return -1;
  if (fd > 2) close(fd);
  return 0;
}
`, 'c', {});
  assert.deepEqual(r.findings.map((f) => [f.range.start.line + 1, f.severity, f.message]),
    [[9, 'information', '`fd` (open() on line 7) is not closed on this path (only when dup2() onto a standard descriptor fails)']]);
});

test('the result of dup2()/dup3() names its target descriptor, not a new one (also through a wrapper returning it)', async () => {
  assert.deepEqual(await findings(`
static int dup2_cloexec(int oldfd, int newfd) {
  int r = dup3(oldfd, newfd, O_CLOEXEC);
  if (r == -1)
    return -1;
  return r;
}
int redirect(int keep, int slot) {
  int r, rv;
  r = dup2(keep, slot);
  if (r < 0)
    return -1;
  rv = dup2(keep, STDERR_FILENO);
  if (rv < 0)
    return -1;
  r = dup2_cloexec(keep, slot);
  if (r < 0)
    return -1;
  return 0;
}
int leaky(int keep) {
  int d = dup(keep);
  if (d < 0)
    return -1;
  return 0;
}
`), ['30:d']);
});

test('a flag bit tested again (`flags & BIT`, `~flags & BIT`) takes the same side while the flags are not assigned; a mask of several bits or a changed flag is not followed', async () => {
  const body = (name: string, mask: string, change: string) => `
int ${name}(int flags, int master) {
  int out[2];
  if (flags & ${mask}) {
    out[0] = master;
  } else {
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, out) != 0)
      return -1;
  }
  ${change}
  if (~flags & ${mask}) {
    close(out[1]);
    return out[0];
  }
  return master;
}
`;
  assert.deepEqual(await findings(`#define JOB_PTY 0x4
#define JOB_TWO (1 << 1)
#define JOB_ANY 0x6
${body('same', 'JOB_PTY', '')}${body('shift', 'JOB_TWO', '')}${body('several', 'JOB_ANY', '')}${body('changed', 'JOB_PTY', 'flags = 0;')}`),
  ['55:out[0]', '55:out[1]', '71:out[0]', '71:out[1]']);
});

test('a macro defined as NULL is the constant 0 (wepoll\'s INVALID_EPOLL_HANDLE): equal to it, nothing the function opened is held', async () => {
  assert.deepEqual(await findings(`#define INVALID_EPOLL_HANDLE NULL
typedef HANDLE epoll_handle;
void *epoll_init(void) {
  epoll_handle epfd = INVALID_EPOLL_HANDLE;
  epfd = epoll_create1(0);
  if (epfd == INVALID_EPOLL_HANDLE) {
    if ((epfd = epoll_create(32000)) == INVALID_EPOLL_HANDLE)
      return NULL;
  }
  return malloc(1);
}
int plain(void) {
  int fd = epoll_create1(0);
  if (fd == INVALID_EPOLL_HANDLE)
    return -1;
  close(fd);
  return 0;
}
`), ['15:epfd']);
  // `plain`: a descriptor equal to 0 took a closed standard stream's number and now fills it (kept on purpose).
});

test('a return reached only when setenv()/unsetenv() of a literal name failed is below warning severity; another name or call stays a warning', async () => {
  const r = await analyzeC(`${C_HEADERS}int start(const char *name) {
  int fds[2];
  char s[16];
  if (pipe(fds))
    return -1;
  snprintf(s, sizeof(s), "%d", fds[1]);
  if (setenv("RUNNER_FD", s, 1)) {
    perror("setenv");
    return -1;
  }
  if (unsetenv("OLD_FD") == -1)
    return -2;
  if (setenv(name, s, 1) != 0)
    return -3;
  if (setenv("A=B", s, 1) < 0)
    return -4;
  if (chdir(name))
    return -5;
  close(fds[0]);
  close(fds[1]);
  return 0;
}
`, 'c', {});
  assert.deepEqual(r.findings.map((f) => `${f.range.start.line + 1}:${f.variable}:${f.severity ?? 'warning'}`), [
    '14:fds[0]:information', '14:fds[1]:information', '17:fds[0]:information', '17:fds[1]:information',
    '19:fds[0]:warning', '19:fds[1]:warning', '21:fds[0]:warning', '21:fds[1]:warning', '23:fds[0]:warning', '23:fds[1]:warning']);
  assert.match(r.findings[0]!.message, /only when setenv\(\) fails/);
});

test('a flag set with the acquisition rules out one way of `flag && fd >= 0` for that descriptor: the other way decides', async () => {
  const body = (name: string, change: string) => `
int ${name}(const char *path, int flags) {
  int fd = 0, lockfd = -1, locked = 0;
  if (flags) {
    lockfd = open(path, 0);
    locked = 1;
  }
  ${change}
  if (locked && lockfd >= 0)
    close(lockfd);
  return fd;
}
`;
  assert.deepEqual(await findings(`${body('kept', '')}${body('reset', 'if (flags > 1) locked = 0;')}`), ['28:lockfd']);
});

test('a counted loop over a count that is none of the function\'s variables (a global setting) runs its body at least once; a local or a parameter count may be 0', async () => {
  const loop = (bound: string, params: string, start = '0', op = '<'): string => `
struct config { int workers; int port; } settings;
void dispatch(int fd);
int serve_udp(${params}) {
  int c;
  int sfd = socket(AF_INET, SOCK_DGRAM, 0);
  if (sfd < 0)
    return -1;
  for (c = ${start}; c ${op} ${bound}; c++) {
    int per_thread;
    if (c == 0) {
      per_thread = sfd;
    } else {
      per_thread = dup(sfd);
      if (per_thread < 0)
        exit(1);
    }
    dispatch(per_thread);
  }
  return 0;
}
`;
  assert.deepEqual(await findings(loop('settings.workers', 'void')), []);
  assert.deepEqual(await findings(`int workers_total;${loop('workers_total', 'void')}`), []);
  assert.deepEqual(await findings(loop('settings.workers', 'void', '0', '!=')), []);
  assert.deepEqual(await findings(loop('settings.workers', 'void', '0', '<=')), []);
  // A parameter (the caller may pass 0) or a field of one: the path that skips the loop leaks.
  assert.deepEqual(await findings(loop('n', 'int n')), ['25:sfd']);
  assert.deepEqual(await findings(loop('cfg->workers', 'struct config *cfg')), ['25:sfd']);
  // A global the function sets itself (or whose struct it gives away) is a count it computes; the address of another field is no write.
  assert.deepEqual(await findings(loop('settings.workers', 'void').replace('int c;', 'int c;\n  settings.workers = pick();')), ['26:sfd']);
  assert.deepEqual(await findings(loop('settings.workers', 'void').replace('int c;', 'int c;\n  load(&settings);')), ['26:sfd']);
  assert.deepEqual(await findings(loop('settings.workers', 'void').replace('int c;', 'int c;\n  load(&settings.port);')), []);
});

test('a counted loop runs at least once only over a file-scope variable of a C file, from a start its first test holds for every count of at least one, that nothing the function runs changes', async () => {
  const loop = (bound: string, start = '0', op = '<', before = ''): string => `
struct config { int workers; int port; } settings;
void dispatch(int fd);
int serve_udp(void) {
  int c;
  int sfd = socket(AF_INET, SOCK_DGRAM, 0);
  if (sfd < 0)
    return -1;${before}
  for (c = ${start}; c ${op} ${bound}; c++) {
    if (c == ${start})
      dispatch(sfd);
    else
      dispatch(dup(sfd));
  }
  return 0;
}
`;
  const leaks = ['20:sfd'];
  // The control: a global setting read as it is.
  assert.deepEqual(await findings(loop('settings.workers')), []);
  // An undeclared name, an enum constant, a static local (0 until written): no file-scope variable.
  assert.deepEqual(await findings(loop('workers_total')), leaks);
  assert.deepEqual(await findings(`enum { workers_max = 0 };${loop('workers_max')}`), leaks);
  assert.deepEqual(await findings(`int nworkers;${loop('nworkers').replace('int c;', 'int c;\n  static int nworkers;')}`), ['21:sfd']);
  // A start the first test may fail for: `c < n` from 1 or 3 skips the body when n is 1, `c <= n` from 2.
  assert.deepEqual(await findings(loop('settings.workers', '1')), leaks);
  assert.deepEqual(await findings(loop('settings.workers', '3')), leaks);
  assert.deepEqual(await findings(loop('settings.workers', '1', '<=')), []);
  assert.deepEqual(await findings(loop('settings.workers', '2', '<=')), leaks);
  assert.deepEqual(await findings(loop('settings.workers', '1', '!=')), leaks);
  // A function of the file it calls sets the count, or a call through a pointer may; a comma bound runs its left side.
  const writer = 'void load_config(void) { settings.workers = read_workers(); }\n';
  assert.deepEqual(await findings(`${loop('settings.workers', '0', '<', '\n  load_config();')}${writer}`), ['21:sfd']);
  assert.deepEqual(await findings(`${writer}void (*hook)(void);${loop('settings.workers', '0', '<', '\n  hook();')}`), ['22:sfd']);
  assert.deepEqual(await findings(`${writer}${loop('(load_config(), settings.workers)')}`), ['21:sfd']);
  // The file keeps a pointer to the settings: a write through it (`g->workers = …`) is not seen.
  assert.deepEqual(await findings(`${loop('settings.workers')}struct config *g = &settings;\n`), leaks);
  // A field read through a pointer (any alias may change it).
  assert.deepEqual(await findings(`struct config *g;${loop('g->workers')}`), leaks);
});

test('C++: a counted loop over a member read without this (or any name) may run zero times', async () => {
  const src = `
class Pool {
  int size_;
  void serve();
};
void Pool::serve() {
  int sfd = socket(AF_INET, SOCK_DGRAM, 0);
  if (sfd < 0)
    return;
  for (int i = 0; i < size_; i++) {
    if (i == 0)
      dispatch(sfd);
    else
      dispatch(dup(sfd));
  }
}
`;
  assert.deepEqual(await findings(src, 'cpp'), ['21:sfd']);
  // A global of a C++ file too: the rule is C's only.
  const global = src.replace('class Pool {\n  int size_;\n  void serve();\n};\nvoid Pool::serve()', 'int size_;\nvoid serve()');
  assert.notEqual(global, src);
  assert.deepEqual(await findings(global, 'cpp'), ['18:sfd']);
  assert.deepEqual(await findings(global, 'c'), []);
});

test('signalfd on an open descriptor updates its mask and returns that descriptor: a new one only for -1', async () => {
  assert.deepEqual(await findings(`
#include <sys/signalfd.h>
static int signal_fd = -1;
void update_mask(sigset_t *mask) {
  int ret = signalfd(signal_fd, mask, 0);
  if (ret == -1) perror("signalfd");
}
int open_and_update(sigset_t *mask) {
  int fd = signalfd(-1, mask, 0);
  if (fd < 0) return -1;
  int again = signalfd(fd, mask, SFD_NONBLOCK);
  if (again < 0) { close(fd); return -1; }
  return fd;
}
int leaks_new(sigset_t *mask) {
  int fd = signalfd(-1, mask, 0);
  if (fd < 0) return -1;
  return 0;
}
`), ['23:fd']);
});

test('a descriptor known to be 0 (or 0-2) after its test filled a closed standard stream: kept on purpose; `fd > 0` false is no proof of -1', async () => {
  const src = `${C_HEADERS}void close_std(void) {
  int newfd;
  if ((newfd = open("/dev/null", O_RDWR))) {
    dup2(newfd, STDIN_FILENO);
    dup2(newfd, STDOUT_FILENO);
    dup2(newfd, STDERR_FILENO);
    close(newfd);
  } else {
    perror("open");
  }
}
int zero_is_none(const char *p) {
  int fd = open(p, O_RDONLY);
  if (!fd)
    return -1;
  close(fd);
  return 0;
}
int at_most_two(const char *p) {
  int fd = open(p, O_RDONLY);
  if (fd <= 2)
    return -1;
  close(fd);
  return 0;
}
int positive(const char *p, int x) {
  int fd = open(p, O_RDONLY);
  if (fd > 0)
    write(fd, "a", 1);
  if (x)
    return -1;
  close(fd);
  return 0;
}
int negative(const char *p, int x) {
  int fd = open(p, O_RDONLY);
  if (fd < 0)
    return 1;
  if (x)
    return -1;
  close(fd);
  return 0;
}
`;
  const r = await analyzeC(src, 'c', {});
  assert.deepEqual(r.notes, []);
  // close_std's else branch has newfd == 0 (stdin was closed: /dev/null fills it); zero_is_none and at_most_two
  // return where the descriptor can only be 0-2 (or -1). positive's `return -1` leaks where fd > 0 ...
  assert.deepEqual(r.findings.map((f) => `${f.range.start.line + 1}:${f.function}:${f.variable}`), ['36:positive:fd', '45:negative:fd']);
  const fixes = (fn: string) => r.findings.find((f) => f.function === fn)!.fixes.map((x) => x.edits.map((e) => e.newText).join(''));
  // ... but fd may be 0 there too (the false side of `fd > 0`), a descriptor kept on purpose: a guarded
  // `if (fd >= 0) close(fd);` would close it, so no fix is offered. After `fd < 0` the fix is plain.
  assert.deepEqual(fixes('positive'), []);
  assert.ok(fixes('negative').length > 0 && fixes('negative').every((t) => t.includes('close(fd);') && !t.includes('if (fd')));
});

test('a leak only through a defensive NULL test of a pointer parameter at the start of the function is below warning; an error return of a call result stays a warning', async () => {
  const src = `${C_HEADERS}struct srv { int (*cb)(int); int n; };
struct srv *lookup(void *arg);
void trace(const char *m);
static void on_conn(void *l, int fd, void *arg) {
  struct srv *server = (struct srv *)arg;
  (void)l;
  if (!server)
    return;
  if (!server->cb) {
    close(fd);
    return;
  }
  server->n = fd;
}
static void on_lookup(void *l, int fd, void *arg) {
  struct srv *server = lookup(arg);
  if (!server)
    return;
  if (!server->cb) {
    close(fd);
    return;
  }
  server->n = fd;
}
static void after_work(void *l, int fd, struct srv *server) {
  trace("conn");
  if (server == NULL)
    return;
  if (!server->cb) {
    close(fd);
    return;
  }
  server->n = fd;
}
`;
  const r = await analyzeC(src, 'c', {});
  assert.deepEqual(r.notes, []);
  assert.deepEqual(r.findings.map((f) => `${f.range.start.line + 1}:${f.function}:${f.variable}:${f.severity ?? 'warning'}`),
    ['13:on_conn:fd:information', '23:on_lookup:fd:warning', '33:after_work:fd:warning']);
  assert.match(r.findings[0]!.message, /only if `server` is NULL: a defensive test at the start of the function/);
  assert.doesNotMatch(r.findings[1]!.message, /defensive/);
});
