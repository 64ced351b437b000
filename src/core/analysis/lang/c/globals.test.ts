import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeC } from './index';
import { C_HEADERS } from '../../testing/cSnippets';

/** Tests of file-scope variables correlate like a local's (globals.ts). Line numbers count the 5 header lines. */

async function findings(body: string): Promise<string[]> {
  const r = await analyzeC(C_HEADERS + body, 'c', {});
  assert.deepEqual(r.notes, []);
  return r.findings.map((f) => `${f.range.start.line + 1}:${f.variable}`);
}

/** A listener picked by a global mode: a local one kept open, else a network one opened and closed per round. */
/** The overwrite of `s` at line 19 (20 with two lines of `extra`) is reported where the two tests of `family` may disagree. */
function serve(decl: string, between: string, extra = ''): string {
  return `
${decl}
${extra}
static int local_listen(const char *p) { return open(p, O_RDONLY); }
static int net_listen(const char *p) { return socket(AF_INET, SOCK_STREAM, 0); }
static void handle(int s) { char b; read(s, &b, 1); }
void serve(const char *p) {
  int s = -1;
  if (family == AF_UNIX)
    s = local_listen(p);
  for (;;) {
    ${between}
    if (family != AF_UNIX)
      s = net_listen(p);
    if (s < 0)
      return;
    handle(s);
    if (family != AF_UNIX)
      close(s);
    else
      break;
  }
  close(s);
}
`;
}

test('two tests of a global against a constant of unknown value are correlated', async () => {
  // The local listener is never overwritten by the network one: both need the other value of `family`.
  assert.deepEqual(await findings(serve('int family = AF_UNSPEC;', '')), []);
  assert.deepEqual(await findings(serve('static int family;', 'handle(0);')), []);
});

test('a global the file lets change behind the function is not followed', async () => {
  // A call to a function of the file that assigns it: the value may differ after the call.
  assert.deepEqual(await findings(serve('int family;', 'pick();', 'static void pick(void) { family = AF_INET; }')), ['19:s']);
  // Through a function of the file that calls one that assigns it.
  assert.deepEqual(await findings(serve('int family;', 'again();', 'static void pick(void) { family = AF_INET; }\nstatic void again(void) { pick(); }')), ['20:s']);
  // Its address is taken: a pointer may change it.
  assert.deepEqual(await findings(serve('int family;', '', 'int *family_ptr = &family;')), ['19:s']);
  // `volatile`: a signal handler may change it.
  assert.deepEqual(await findings(serve('volatile int family;', '')), ['19:s']);
  // The function itself assigns it, with a compound assignment.
  assert.deepEqual(await findings(serve('int family;', 'family ^= 1;')), ['19:s']);
});

test('a local compared with constants of unknown value, and assigned one, is correlated', async () => {
  assert.deepEqual(await findings(`
int copy(const char *p, int mode) {
  int fd = -1;
  int kind = MODE_FILE;
  if (mode)
    kind = MODE_STDIN;
  if (kind == MODE_FILE)
    fd = open(p, O_RDONLY);
  else
    fd = STDIN_FILENO;
  if (fd < 0)
    return -1;
  if (kind != MODE_FILE)
    return 0;
  close(fd);
  return 0;
}
int leaky(const char *p, int kind) {
  int fd = open(p, O_RDONLY);
  if (fd < 0)
    return -1;
  if (kind == MODE_A)
    kind = MODE_B;
  if (kind == MODE_B)
    return 0;
  close(fd);
  return 0;
}
`), ['30:fd']);
});

/** A control port kept in a file-scope struct: its `valid` flag, set before a loop and at its end, says whether `fd` is kept (line 33: `return 0`). */
function watcher(fieldDecl = 'int valid;', structKind = 'struct', helper = '(void)fd;', before = '', extra = ''): string {
  return `
static ${structKind} watcher_t {
  int fd;
  int port;
  ${fieldDecl}
} watcher;
static void note(int fd) { ${helper} }
${extra}
int start(void) {
  memset(&watcher, 0, sizeof(watcher));
  watcher.port = 8080;
  if (watcher.port != 0) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd >= 0) {
      watcher.valid = 0;
      do {
        ${before}
        if (listen(fd, 1))
          break;
        watcher.fd = fd;
        watcher.valid = 1;
      } while (0);
      if (!watcher.valid) {
        close(fd);
        watcher.port = 0;
      }
    }
  }
  return 0;
}
`;
}

test('a field of a file-scope struct correlates like a global: the flag a loop leaves says whether the socket was kept', async () => {
  assert.deepEqual(await findings(watcher()), []);
  assert.deepEqual(await findings(watcher('int valid;', 'struct', '(void)fd;', 'note(fd);')), [], 'a callee that changes no field of it');
  // Not followed: a volatile field, a union (fields share storage), a callee that sets the flag, the
  // field's address kept by the file, a write of the whole struct in between.
  assert.deepEqual(await findings(watcher('volatile int valid;')), ['33:fd']);
  assert.deepEqual(await findings(watcher('int valid;', 'union')), ['33:fd']);
  assert.deepEqual(await findings(watcher('int valid;', 'struct', '(void)fd; watcher.valid = 1;', 'note(fd);')), ['33:fd']);
  assert.deepEqual(await findings(watcher('int valid;', 'struct', '(void)fd;', '', 'int *valid_flag = &watcher.valid;')), ['33:fd']);
  assert.deepEqual(await findings(watcher('int valid;', 'struct', '(void)fd;', 'memset(&watcher, 1, sizeof(watcher));')), ['33:fd']);
});

/** `init()`: a descriptor opened and closed under two tests of `instance.daemon`, with `between` between them (14 lines). */
const daemonInit = (between: string): string => `int init(void) {
  int devnull = -1;
  if (instance.daemon) {
    devnull = open("/dev/null", O_RDWR);
    if (devnull == -1)
      return -1;
  }
  ${between}
  if (instance.daemon) {
    dup2(devnull, 0);
    close(devnull);
  }
  return 0;
}
`;

test('a field of a file-scope struct tested twice: a descriptor opened and closed under the same unchanged option', async () => {
  const init = (between: string, extra = '') => `
typedef struct inst_t { int daemon; int other; } inst;
static inst instance;
void configure(int d) { instance.other = d; }
void reset(int d) { instance.daemon = d; }
${extra}
${daemonInit(between)}`;
  assert.deepEqual(await findings(init('configure(1);')), []);
  assert.deepEqual(await findings(init('instance.other = 2;')), [], 'another field assigned');
  assert.deepEqual(await findings(init('reset(0);')), ['24:devnull']);
  assert.deepEqual(await findings(init('instance.daemon ^= 1;')), ['24:devnull']);
  assert.deepEqual(await findings(init('configure(1);', 'int *daemon_flag = &instance.daemon;')), ['24:devnull']);
});

test('a field whose address only a file-scope table keeps (a configuration parser\'s entries) correlates until a function naming the table runs', async () => {
  // redsocks base.c: `.addr = &instance.daemon` in the parser's table; `base_init` tests `instance.daemon` twice.
  const init = (between: string) => `
typedef struct inst_t { int daemon; int chroot; } inst;
typedef struct entry_t { const char *key; int *addr; } entry;
typedef struct section_t { entry *entries; } section;
static inst instance;
static entry entries[] = { { "daemon", &instance.daemon }, { "chroot", &instance.chroot }, { 0, 0 } };
static section conf = { entries };
section *conf_section = &conf;
static void set_all(int v) { for (entry *e = conf.entries; e->key; e++) *e->addr = v; }
static void log_open(void) { }
${daemonInit(between)}`;
  assert.deepEqual(await findings(init('log_open(); chdir("/");')), []);
  assert.deepEqual(await findings(init('set_all(0);')), ['28:devnull'], 'a function naming a table that holds the table may write through it');
});
