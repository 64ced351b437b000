import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSource } from '../../index';
import { C_FUNCTIONS } from './index';
import { CWorkspaceIndex, parseForIndex } from './workspaceIndex';

/** An index over the given files (headers first, as the CLI and the editor index them). */
async function workspace(files: Record<string, string>): Promise<CWorkspaceIndex> {
  const index = new CWorkspaceIndex();
  const names = Object.keys(files).sort((a, b) => Number(!a.endsWith('.h')) - Number(!b.endsWith('.h')) || a.localeCompare(b));
  for (const f of names) await index.update(f, files[f]!, 'c');
  return index;
}

function summaryOf(index: CWorkspaceIndex, name: string, from = 'caller.c') {
  return index.resolver().resolve(name, from);
}

async function findings(index: CWorkspaceIndex, file: string, text: string): Promise<string[]> {
  const r = await analyzeSource(text, 'c', {}, { c: index, file });
  return r.findings.map((f) => `${f.function}:${f.variable}:${f.range.start.line + 1}:${f.ruleId}`);
}

const NET_H = '#define NET_ERR -1\nint net_socket(int domain);\nvoid net_close(int fd);\nint net_listen(int s, int backlog);\nvoid keep(int fd);\n';
const NET_C = `#include <sys/socket.h>
#include <unistd.h>
#include "net.h"
static int registry[16];
int net_socket(int domain) {
    int s = socket(domain, SOCK_STREAM, 0);
    if (s < 0) return NET_ERR;
    return s;
}
void net_close(int fd) { if (fd >= 0) close(fd); }
int net_listen(int s, int backlog) {
    if (listen(s, backlog) == -1) { close(s); return NET_ERR; }
    return 0;
}
void keep(int fd) { registry[0] = fd; }
int net_log(int fd) { return fd > 2; }
`;

test('summaries: acquiring wrapper, releasing wrapper, owner, borrower, closes on its own failure', async () => {
  const index = await workspace({ 'net.h': NET_H, 'net.c': NET_C });
  const acquire = summaryOf(index, 'net_socket');
  assert.deepEqual(acquire?.returns, { resource: 'fd', validity: 'int', call: 'socket' });
  assert.deepEqual(summaryOf(index, 'net_close')?.releases, [true]);
  assert.deepEqual(summaryOf(index, 'keep')?.escapes, [true]);
  const borrow = summaryOf(index, 'net_log');
  assert.deepEqual([borrow?.releases, borrow?.escapes, borrow?.returns], [[false], [false], undefined]);
  const listen = summaryOf(index, 'net_listen');
  assert.deepEqual([listen?.releases, listen?.releasesOnFailure], [[false, false], [true, false]]);
  assert.equal(summaryOf(index, 'no_such_function'), undefined);
});

test('cross-file: a wrapper from another file acquires, its releasing and owning callees end the descriptor', async () => {
  const index = await workspace({ 'net.h': NET_H, 'net.c': NET_C });
  const caller = `#include "net.h"
int setup(int port) {
    int s = net_socket(2);
    if (s == NET_ERR) return -1;
    if (port == 0) return -1;
    if (net_listen(s, 5) == NET_ERR) return -1;
    if (port == 1) { net_close(s); return -1; }
    if (port == 2) { keep(s); return 0; }
    return s;
}
`;
  await index.update('caller.c', caller, 'c');
  assert.deepEqual(await findings(index, 'caller.c', caller), ['setup:s:5:sockscope.leak']);
  // Alone, the file knows no wrapper: nothing is acquired, nothing reported (silence, not a guess).
  assert.deepEqual((await analyzeSource(caller, 'c')).findings, []);
});

test('a call with neither summary nor table entry that gets the descriptor is a hand-off', async () => {
  const index = await workspace({ 'net.h': NET_H, 'net.c': NET_C });
  const caller = `#include <sys/socket.h>
int f(int port) {
    int s = socket(2, 1, 0);
    if (s < 0) return -1;
    unknown_register(s);
    if (port) return -1;
    return 0;
}
int g(int port) {
    int s = socket(2, 1, 0);
    if (s < 0) return -1;
    net_log(s);
    if (port) return -1;
    return 0;
}
`;
  await index.update('caller.c', caller, 'c');
  // f: handed off to an unknown function; g: net_log's summary says it only borrows it.
  assert.deepEqual(await findings(index, 'caller.c', caller), ['g:s:13:sockscope.leak', 'g:s:14:sockscope.leak']);
});

test('macros that stand for a call: releasing and acquiring aliases', async () => {
  const index = await workspace({
    'sock.h': '#define sclose(x) close(x)\n#define my_socket socket\n#define drop(a, fd) release_fd(fd)\n',
    'rel.c': '#include <unistd.h>\nvoid release_fd(int fd) { close(fd); }\n',
  });
  assert.deepEqual(summaryOf(index, 'sclose')?.releases, [true]);
  assert.deepEqual(summaryOf(index, 'my_socket')?.returns, { resource: 'fd', validity: 'int', call: 'socket' });
  assert.deepEqual(summaryOf(index, 'drop')?.releases, [false, true]);
  const caller = `#include "sock.h"
int f(int port) {
    int s = my_socket(2, 1, 0);
    if (s < 0) return -1;
    if (port == 1) { drop(0, s); return -1; }
    if (port == 2) return -1;
    sclose(s);
    return 0;
}
`;
  await index.update('caller.c', caller, 'c');
  assert.deepEqual(await findings(index, 'caller.c', caller), ['f:s:6:sockscope.leak']);
});

test('recursion: summaries of mutually recursive functions reach a fixed point', async () => {
  const index = await workspace({
    'rec.c': `#include <unistd.h>
void drain(int fd, int n) { if (n > 0) { drain2(fd, n - 1); return; } close(fd); }
void drain2(int fd, int n) { drain(fd, n); }
int spin(int fd) { return spin(fd); }
`,
  });
  assert.deepEqual(summaryOf(index, 'drain')?.releases, [true, false]);
  assert.deepEqual(summaryOf(index, 'drain2')?.releases, [true, false]);
  const spin = summaryOf(index, 'spin');
  assert.deepEqual(spin?.releases, [false]);
});

test('recursion: a state machine whose states all call each other is analysed a bounded number of times', async () => {
  // curl's ftp.c has this shape: each state function may call several others, which call it back.
  const n = 10;
  const states = Array.from({ length: n }, (_, i) => {
    const calls = Array.from({ length: n }, (_, j) => (j === i ? '' : `  if (st == ${j}) return state${j}(fd, st + 1);\n`)).join('');
    return `int state${i}(int fd, int st) {\n${calls}  if (st > 99) { close(fd); return -1; }\n  return 0;\n}\n`;
  });
  const index = await workspace({ 'sm.c': `#include <unistd.h>\n${states.join('')}` });
  const resolver = index.resolver();
  const s = resolver.resolve('state0', 'caller.c');
  // Whether the fixed point says "releases" or gives up, it is reached without re-analysing each state
  // once per path through the cycle (that was tens of thousands of analyses, the work cap).
  assert.ok(resolver.analyses <= 6 * n * n, `${resolver.analyses} analyses for ${n} states`);
  assert.equal(s?.releases[0], false, 'state0 closes fd only on some paths');
});

test('static functions of other files are not visible; two different definitions of one name give no summary', async () => {
  const index = await workspace({
    'a.c': '#include <unistd.h>\nstatic void done(int fd) { close(fd); }\nvoid both(int fd) { close(fd); }\n',
    'b.c': 'int registry;\nvoid both(int fd) { (void)fd; }\n',
  });
  assert.equal(summaryOf(index, 'done', 'c.c'), undefined);
  assert.deepEqual(summaryOf(index, 'done', 'a.c')?.releases, [true]);
  assert.equal(summaryOf(index, 'both', 'c.c'), undefined);
  assert.deepEqual(summaryOf(index, 'both', 'a.c')?.releases, [true], 'a file sees its own definition');
});

test('a function-like macro and a function of one name: the macro is what a call means (the function is another build\'s)', async () => {
  const index = await workspace({
    'os/unix/files.h': '#include <fcntl.h>\n#define fs_open(name, mode) open(name, mode)\n',
    'os/other/files.c': 'typedef void *handle_t;\nhandle_t sys_create(const char *n, int m);\nhandle_t fs_open(const char *name, int mode) { return sys_create(name, mode); }\n',
  });
  assert.deepEqual(summaryOf(index, 'fs_open')?.returns, { resource: 'fd', validity: 'int', call: 'open' });
  const caller = `#include "files.h"
int first_byte(const char *p) {
    char b;
    int fd = fs_open(p, 0);
    if (fd == -1) return -1;
    if (read(fd, &b, 1) != 1) return -1;
    close(fd);
    return b;
}
`;
  assert.deepEqual(await findings(index, 'caller.c', caller), ['first_byte:fd:6:sockscope.leak']);
  // Two functions of that name (no macro) still give no summary.
  const two = await workspace({ 'a.c': '#include <fcntl.h>\nint fs_open(const char *n, int m) { return open(n, m); }\n', 'b.c': 'int fs_open(const char *n, int m) { return -1; }\n' });
  assert.equal(summaryOf(two, 'fs_open'), undefined);
});

test('invalidation: an edit in another file changes the summaries and the findings of its callers', async () => {
  const index = await workspace({ 'h.c': '#include <unistd.h>\nvoid finish(int fd) { close(fd); }\n' });
  const caller = `#include <sys/socket.h>
int f(int port) {
    int s = socket(2, 1, 0);
    if (s < 0) return -1;
    finish(s);
    return port;
}
`;
  await index.update('caller.c', caller, 'c');
  const resolver = index.resolver();
  assert.deepEqual(resolver.resolve('finish', 'caller.c')?.releases, [true]);
  assert.deepEqual(await findings(index, 'caller.c', caller), []);
  const before = resolver.analyses;
  assert.deepEqual(resolver.resolve('finish', 'caller.c')?.releases, [true]);
  assert.equal(resolver.analyses, before, 'an unchanged workspace answers from the cache');
  // finish now only logs the descriptor: the caller leaks (the cached findings must not be reused).
  await index.update('h.c', 'int log_fd(int fd);\nvoid finish(int fd) { log_fd(fd); }\n', 'c');
  assert.deepEqual(resolver.resolve('finish', 'caller.c')?.releases, [false]);
  assert.deepEqual(await findings(index, 'caller.c', caller), ['f:s:6:sockscope.leak']);
  // A dependant two calls away is re-checked too: outer -> finish.
  await index.update('outer.c', 'void outer(int fd) { finish(fd); }\n', 'c');
  assert.deepEqual(resolver.resolve('outer', 'caller.c')?.releases, [false]);
  await index.update('h.c', '#include <unistd.h>\nvoid finish(int fd) { close(fd); }\n', 'c');
  assert.deepEqual(resolver.resolve('outer', 'caller.c')?.releases, [true]);
  index.remove('h.c');
  assert.equal(resolver.resolve('outer', 'caller.c')?.releases[0], false, 'finish is gone: outer hands the descriptor to a function it does not know');
  C_FUNCTIONS.clear();
});

test('invalidation: a callee that starts returning a descriptor is followed, though it was known to return none', async () => {
  const statusOnly = '#include <sys/socket.h>\n#include <unistd.h>\nint get(void) { int s = socket(2, 1, 0); close(s); return 0; }\n';
  const index = await workspace({ 'get.c': statusOnly, 'mid.c': 'int get(void);\nint mid(void) { int r = get(); return r; }\n' });
  const caller = `#include <sys/socket.h>
#include <unistd.h>
int f(void) {
    int s = socket(2, 1, 0);
    if (s < 0) return -1;
    close(s);
    int t = mid();
    return 0;
}
`;
  await index.update('caller.c', caller, 'c');
  const resolver = index.resolver();
  assert.ok(!resolver.resolve('mid', 'caller.c')?.returns);
  assert.equal(resolver.mayReturn('mid', 'caller.c'), false);
  assert.deepEqual(await findings(index, 'caller.c', caller), []);
  // get now returns the socket it opens: mid passes it on, and f leaks it (nothing cached may say otherwise).
  await index.update('get.c', '#include <sys/socket.h>\nint get(void) { return socket(2, 1, 0); }\n', 'c');
  assert.equal(resolver.mayReturn('mid', 'caller.c'), true);
  assert.equal(resolver.resolve('mid', 'caller.c')?.returns?.call, 'get');
  assert.deepEqual(await findings(index, 'caller.c', caller), ['f:t:8:sockscope.leak']);
  await index.update('get.c', statusOnly, 'c');
  assert.ok(!resolver.resolve('mid', 'caller.c')?.returns);
  assert.deepEqual(await findings(index, 'caller.c', caller), []);
  C_FUNCTIONS.clear();
});

test('a function that calls an acquiring wrapper is analysed, and the wrapper is named in the finding', async () => {
  const index = await workspace({ 'net.h': NET_H, 'net.c': NET_C });
  const caller = `#include "net.h"
int only_wrapper(int x) {
    int s = net_socket(2);
    if (s == NET_ERR) return -1;
    if (x) return -1;
    return s;
}
`;
  await index.update('caller.c', caller, 'c');
  const r = await analyzeSource(caller, 'c', {}, { c: index, file: 'caller.c' });
  assert.equal(r.findings.length, 1);
  assert.match(r.findings[0]!.message, /net_socket\(\) on line 3/);
});

test('the index view of a file serves its analysis only for the very text the index read (same macros, same configuration)', async () => {
  // Under the workspace's macros KEEP is 0: drop() closes. An index read without them takes the `#if KEEP` part.
  const src = `#include <sys/socket.h>
#include <unistd.h>
static void drop(int fd) {
#if KEEP
  (void)fd;
#else
  close(fd);
#endif
}
int f(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  drop(fd);
  return 0;
}
`;
  const cMacros = new Map([['KEEP', { params: null, value: '0', number: 0 }]]);
  const check = async (index: CWorkspaceIndex) =>
    (await analyzeSource(src, 'c', { cMacros }, { c: index, file: 'a.c' })).findings.map((f) => `${f.function}:${f.variable}:${f.range.start.line + 1}`);
  C_FUNCTIONS.clear();
  assert.deepEqual(await check(new CWorkspaceIndex()), [], 'without the index: drop() closes');
  const other = new CWorkspaceIndex();
  await other.update('a.c', src, 'c');
  C_FUNCTIONS.clear();
  assert.deepEqual(await check(other), [], 'an index read without the macros must not stand for this configuration');
  const same = new CWorkspaceIndex([], cMacros);
  await same.update('a.c', src, 'c');
  const configs = same.configurationsOf('a.c', src, 'c', cMacros);
  assert.equal(configs?.length, 1);
  assert.equal(same.holdsAnalysed('a.c', configs![0]!, 'c', []), true);
  assert.equal(same.holdsAnalysed('a.c', src, 'c', []), false);
  assert.equal(same.holdsAnalysed('a.c', configs![0]!, 'c', ['handoff']), false);
  assert.equal(same.configurationsOf('a.c', src, 'c', new Map(cMacros)), undefined, 'another macro table');
  C_FUNCTIONS.clear();
  assert.deepEqual(await check(same), []);
  // Its units are lowered only when a summary asks for them.
  const lazy = new CWorkspaceIndex([], cMacros);
  await lazy.update('b.c', src, 'c');
  assert.equal(lazy.functionCount, 2);
  assert.deepEqual(lazy.resolver().resolve('drop', 'b.c')?.releases, [true]);
  lazy.dispose();
  C_FUNCTIONS.clear();
});

test('a function that returns a descriptor for one mode and the number 0 as a status for another does not surely return a descriptor', async () => {
  const tmp = `#include <fcntl.h>
#include <sys/stat.h>
#include <errno.h>
static int make_temp(char *path, int mode) {
    int fd;
    if (mode == 1) {
        fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
        return fd;
    }
    if (mkdir(path, 0700) == 0)
        return 0;
    return -1;
}
static int open_temp(char *path) {
    int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0) return -1;
    return fd;
}
char *make_dir(char *path) {
    int error = make_temp(path, 2);
    return error ? 0 : path;
}
char *leak_file(char *path) {
    int fd = open_temp(path);
    return fd < 0 ? 0 : path;
}
`;
  const index = await workspace({ 'tmp.c': tmp });
  assert.equal(summaryOf(index, 'make_temp', 'tmp.c')?.returns, undefined);
  assert.deepEqual(summaryOf(index, 'open_temp', 'tmp.c')?.returns, { resource: 'fd', validity: 'int', call: 'open' });
  assert.deepEqual(await findings(index, 'tmp.c', tmp), ['leak_file:fd:25:sockscope.leak']);
});

test('an index built from files other indexes read (read, exported, adopt) summarises and reports as one that read them all', async () => {
  const caller = `#include "net.h"
int setup(int port) {
    int s = net_socket(2);
    if (s == NET_ERR) return -1;
    if (port == 0) return -1;
    if (net_listen(s, 5) == NET_ERR) return -1;
    if (port == 1) { net_close(s); return -1; }
    return s;
}
`;
  // A second build configuration in the wrapper's file: adopted files are read in their first one.
  const netC = NET_C.replace('#include "net.h"', '#include "net.h"\n#ifdef _WIN32\nint win_only(void) { return 0; }\n#endif');
  const files: [string, string][] = [['net.h', NET_H], ['net.c', netC], ['caller.c', caller]];
  const whole = new CWorkspaceIndex();
  for (const [f, t] of files) await whole.update(f, t, 'c');
  // One index reads the headers and net.c, another caller.c; each then adopts what the other read.
  const first = new CWorkspaceIndex();
  const second = new CWorkspaceIndex();
  const readByFirst = [await first.read('net.h', NET_H, 'c'), await first.read('net.c', netC, 'c')];
  const readBySecond = await second.read('caller.c', caller, 'c');
  for (const r of readByFirst) first.install(r);
  await first.adopt(CWorkspaceIndex.exported(readBySecond));
  for (const r of readByFirst) await second.adopt(CWorkspaceIndex.exported(r));
  second.install(readBySecond);
  const expected = await findings(whole, 'caller.c', caller);
  assert.deepEqual(expected, ['setup:s:5:sockscope.leak']);
  for (const index of [first, second]) {
    assert.equal(index.fileCount, 3);
    assert.equal(index.functionCount, whole.functionCount);
    assert.deepEqual(await findings(index, 'caller.c', caller), expected);
    assert.deepEqual(index.resolver().resolve('net_socket', 'caller.c'), whole.resolver().resolve('net_socket', 'caller.c'));
    assert.deepEqual(index.constants(), whole.constants());
  }
  for (const index of [whole, first, second]) index.dispose();
});

test('a file read from its text parsed beforehand (parseForIndex, as check workers do before the macros are known) is read as from the text', async () => {
  // Two build configurations: the index reads the first, parsed from the text's tree.
  const netC = NET_C.replace('#include "net.h"', '#include "net.h"\n#ifdef _WIN32\nint win_only(void) { return 0; }\n#endif');
  for (const [name, text] of [['net.h', NET_H], ['net.c', netC]] as const) {
    const plain = new CWorkspaceIndex();
    const early = new CWorkspaceIndex();
    const a = CWorkspaceIndex.exported(await plain.read(name, text, 'c'));
    const b = CWorkspaceIndex.exported(await early.read(name, text, 'c', await parseForIndex(text, 'c')));
    assert.deepEqual(b, a, name);
    if (name === 'net.c') assert.ok(a.units.length > 0 && a.configs?.length === 2, name);
    plain.dispose();
    early.dispose();
  }
});

test('mayRelease: a call may release only through a releasing name its callees reach, a macro of one, or a callee the scan leaves unnamed', async () => {
  const src = `#include <unistd.h>
#define SHUT(x) close(x)
static int registry;
void log_fd(int fd) { registry += fd > 2; }
void log_twice(int fd) { log_fd(fd); log_fd(fd + 1); }
void drop(int fd) { (close)(fd); }
void shut(int fd) { SHUT(fd); }
void chain(int fd) { log_twice(fd); drop(fd); }
void by_name(int fd) { conn_sock_close(fd); }
void cycle_a(int fd);
void cycle_b(int fd) { cycle_a(fd); }
void cycle_a(int fd) { if (fd > 9) cycle_b(fd - 1); }
`;
  const index = await workspace({ 'a.c': src });
  const resolver = index.resolver();
  const releasing = (n: string) => n === 'close' || /close$/.test(n);
  const may = (name: string) => resolver.mayRelease(name, 'a.c', releasing);
  assert.deepEqual(['log_fd', 'log_twice', 'cycle_a', 'cycle_b', 'no_such_function'].map(may), [false, false, false, false, false]);
  assert.deepEqual(['drop', 'shut', 'chain', 'by_name', 'SHUT'].map(may), [true, true, true, true, true]);
  // What each "no" spares: a summary that releases nothing.
  for (const n of ['log_fd', 'log_twice', 'cycle_a']) assert.ok(!summaryOf(index, n, 'a.c')?.releases.some((r) => r), n);
  assert.deepEqual(summaryOf(index, 'drop', 'a.c')?.releases, [true]);
  index.dispose();
});

test('a void function that closes its plain parameter through a callee whose own call is parenthesized (`(close)(fd)`) is still analysed', async () => {
  const src = `#include <unistd.h>
static int kept;
static void drop(int fd) { (close)(fd); }
void take(int fd, int mode) {
    if (mode == 1) { drop(fd); return; }
    if (mode == 2) { kept = fd; return; }
}
`;
  C_FUNCTIONS.clear();
  const r = await analyzeSource(src, 'c', {});
  assert.deepEqual(r.findings.map((f) => `${f.function}:${f.variable}:${f.range.start.line + 1}`), ['take:fd:7']);
  C_FUNCTIONS.clear();
});

// A callee that closes `*sock` on its failure paths and returns a constant of a workspace enum (mosquitto's
// net__socket_nonblock): the caller's test of the result says where the descriptor was closed (issue 13).
const ERR_H = 'enum err_t { ERR_OK = 0, ERR_NOMEM = 1, ERR_INVAL, ERR_IO = 14 };\nint set_nonblock(int *sock);\nint maybe_close(int *sock, int how);\n';
const SOCK_C = `#include <fcntl.h>
#include <unistd.h>
#include "err.h"
int set_nonblock(int *sock) {
    int opt = fcntl(*sock, F_GETFL, 0);
    if (opt == -1) { close(*sock); *sock = -1; return ERR_IO; }
    if (fcntl(*sock, F_SETFL, opt | O_NONBLOCK) == -1) { close(*sock); *sock = -1; return ERR_IO; }
    return ERR_OK;
}
int maybe_close(int *sock, int how) {
    if (how) { close(*sock); *sock = -1; return ERR_OK; }
    return ERR_OK;
}
`;

test('a callee that closes *sock exactly on the paths returning one set of constants: the caller\'s test of its result decides', async () => {
  const index = await workspace({ 'err.h': ERR_H, 'sock.c': SOCK_C });
  const split = summaryOf(index, 'set_nonblock');
  assert.deepEqual([split?.releases, split?.releasesSometimes, split?.releaseSplit], [[false], [true], [{ released: [14], kept: [0] }]]);
  // Returns ERR_OK whether it closed or not: nothing separates its paths.
  assert.equal(summaryOf(index, 'maybe_close')?.releaseSplit, undefined);
  const caller = `#include <sys/socket.h>
#include <unistd.h>
#include "err.h"
int assigned(int *out) {
    int rc;
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0) return ERR_IO;
    rc = set_nonblock(&s);
    if (rc) return rc;
    if (connect(s, 0, 0) < 0) { close(s); return ERR_IO; }
    *out = s;
    return ERR_OK;
}
int in_condition(int *out) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s == -1) return ERR_IO;
    if (set_nonblock(&s)) return ERR_IO;
    *out = s;
    return ERR_OK;
}
int against_constants(int *out) {
    int rc, s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s == -1) return ERR_IO;
    if (set_nonblock(&s) != ERR_OK) return ERR_IO;
    rc = set_nonblock(&s);
    if (rc == ERR_IO) return rc;
    *out = s;
    return ERR_OK;
}
int leaks_on_success(void) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0) return ERR_IO;
    if (set_nonblock(&s)) return ERR_IO;
    return ERR_OK;
}
int cannot_tell(int how) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0) return ERR_IO;
    if (maybe_close(&s, how)) return ERR_IO;
    return ERR_OK;
}
`;
  await index.update('caller.c', caller, 'c');
  // Only the success path of leaks_on_success keeps the descriptor it drops; cannot_tell is not known either way.
  assert.deepEqual(await findings(index, 'caller.c', caller), ['leaks_on_success:s:34:sockscope.leak']);
  index.dispose();
});
