import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSource } from '../../index';
import { C_FUNCTIONS } from './index';
import { addHeaderMacros, type MacroTable } from './workspaceMacros';
import { CWorkspaceIndex } from './workspaceIndex';

/** A logging macro that exits when its flags hold M_FATAL (the shape of OpenVPN's `msg`). */
const ERROR_H = `#define M_FATAL (1u << 4)
#define M_NONFATAL (1u << 5)
#define M_WARN (1u << 6)
#define M_ERRNO (1u << 8)
#define M_ERR (M_FATAL | M_ERRNO)
#define EXIT_FATAL(flags) do { if ((flags) & M_FATAL) { _exit(1); } } while (false)
#define msg(flags, ...) do { if (msg_test(flags)) { x_msg((flags), __VA_ARGS__); } EXIT_FATAL(flags); } while (false)
int msg_test(unsigned flags);
void x_msg(unsigned flags, const char *fmt, ...);
`;

async function table(headers: Record<string, string>): Promise<MacroTable> {
  const t: MacroTable = new Map();
  for (const text of Object.values(headers)) await addHeaderMacros(t, text, 'c');
  return t;
}

/** Findings (`function:variable:line:severity`) of `file` analysed with an index of `files` (headers first) and their macros. */
async function check(files: Record<string, string>, file: string): Promise<string[]> {
  const headers = Object.fromEntries(Object.entries(files).filter(([f]) => f.endsWith('.h')));
  const t = await table(headers);
  const index = new CWorkspaceIndex([], t);
  const names = Object.keys(files).sort((a, b) => Number(!a.endsWith('.h')) - Number(!b.endsWith('.h')) || a.localeCompare(b));
  for (const f of names) await index.update(f, files[f]!, 'c');
  C_FUNCTIONS.clear();
  const r = await analyzeSource(files[file]!, 'c', { cMacros: t }, { c: index, file });
  return r.findings.map((f) => `${f.function}:${f.variable}:${f.range.start.line + 1}:${f.severity ?? 'warning'}`);
}

const SERVE_C = (stop: string): string => `#include <sys/socket.h>
#include <unistd.h>
#include "error.h"
int serve(int port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return -1;
    if (listen(s, 5) < 0) {
        ${stop};
        return -1;
    }
    return s;
}
`;

test('a macro call that exits by its arguments ends the path (msg(M_FATAL, ...)); other flags do not', async () => {
  assert.deepEqual(await check({ 'error.h': ERROR_H, 'serve.c': SERVE_C('msg(M_FATAL, "listen")') }, 'serve.c'), []);
  assert.deepEqual(await check({ 'error.h': ERROR_H, 'serve.c': SERVE_C('msg(M_ERR, "listen")') }, 'serve.c'), []);
  assert.deepEqual(await check({ 'error.h': ERROR_H, 'serve.c': SERVE_C('msg(M_WARN, "listen")') }, 'serve.c'), ['serve:s:9:warning']);
  assert.deepEqual(await check({ 'error.h': ERROR_H, 'serve.c': SERVE_C('msg(flags, "listen")') }, 'serve.c'), ['serve:s:9:warning'], 'flags of unknown value');
  // A macro whose exit is behind a test of something else does not end the path.
  const cond = ERROR_H.replace('if ((flags) & M_FATAL)', 'if (((flags) & M_FATAL) && fatal_enabled())');
  assert.deepEqual(await check({ 'error.h': cond, 'serve.c': SERVE_C('msg(M_FATAL, "listen")') }, 'serve.c'), ['serve:s:9:warning']);
});

// A function that leaks its socket pair when fork() fails, and returns NULL then.
const PS_H = 'struct ps;\nstruct ps *ps_open(const char *host);\n';
const PS_C = `#include <sys/socket.h>
#include <unistd.h>
#include <stdlib.h>
#include "ps.h"
struct ps { int fd; };
struct ps *ps_open(const char *host) {
    int fd[2];
    struct ps *ps = calloc(1, sizeof(*ps));
    if (socketpair(PF_UNIX, SOCK_DGRAM, 0, fd) == -1)
        goto error;
    pid_t pid = fork();
    if (pid < 0)
        goto error;
    close(fd[1]);
    ps->fd = fd[0];
    return ps;
error:
    free(ps);
    return NULL;
}
`;
const INIT_C = (body: string): string => `#include "error.h"
#include "ps.h"
static struct ps *port_share;
void init_port_share(const char *host) {
${body}
}
`;
const EXITS = '    port_share = ps_open(host);\n    if (port_share == NULL)\n    {\n        msg(M_FATAL, "Port sharing failed");\n    }';

test('a leak at a failing return that every caller answers by exiting is below warning', async () => {
  const leaks = ['ps_open:fd[0]:19:warning', 'ps_open:fd[1]:19:warning'];
  const demoted = leaks.map((l) => l.replace('warning', 'information'));
  const ws = (init: string, extra: Record<string, string> = {}) => ({ 'error.h': ERROR_H, 'ps.h': PS_H, 'ps.c': PS_C, 'init.c': INIT_C(init), ...extra });
  assert.deepEqual(await check(ws(EXITS), 'ps.c'), demoted);
  assert.deepEqual(await check(ws('    if (!ps_open(host)) exit(1);'), 'ps.c'), demoted, 'tested in the if itself');
  assert.deepEqual(await check(ws('    if (ps_open(host)) return;\n    exit(1);'), 'ps.c'), leaks, 'the if goes on to an exit only after it');
  assert.deepEqual(await check(ws('    if (ps_open(host)) return;\n    else exit(1);'), 'ps.c'), demoted, 'the call alone as the condition');
  assert.deepEqual(await check(ws('    struct ps *p = ps_open(host);\n    if (p) return;\n    else { x_msg(0, "no"); abort(); }'), 'ps.c'), demoted, 'the else branch');
  // A caller a build leaves out (`#ifdef`) calls nothing there; a use only another build has is unknown.
  assert.deepEqual(await check(ws(`#ifdef ENABLE_PS\n${EXITS}\n#endif`), 'ps.c'), demoted, 'caller compiled out in one build');
  assert.deepEqual(await check(ws(`#ifdef ENABLE_PS\n${EXITS}\n#else\n    if (!ps_open(host)) return;\n#endif`), 'ps.c'), leaks, 'a caller of the other build');
  // A caller that goes on, a second caller that does, a result kept for later, a function pointer: warnings.
  assert.deepEqual(await check(ws(EXITS.replace('M_FATAL', 'M_WARN')), 'ps.c'), leaks);
  assert.deepEqual(await check(ws(EXITS, { 'other.c': '#include "ps.h"\nvoid again(void) { if (!ps_open("x")) return; }\n' }), 'ps.c'), leaks);
  assert.deepEqual(await check(ws('    port_share = ps_open(host);\n    x_msg(0, "opened");\n    if (port_share == NULL) exit(1);'), 'ps.c'), leaks);
  assert.deepEqual(await check(ws(EXITS, { 'hook.c': '#include "ps.h"\nstruct ps *(*opener)(const char *) = ps_open;\n' }), 'ps.c'), leaks);
  // Declared in a header of another folder (a library's public API): callers beyond the workspace.
  assert.deepEqual(await check({ 'error.h': ERROR_H, 'include/ps.h': PS_H, 'ps.c': PS_C.replace('"ps.h"', '"include/ps.h"'), 'init.c': INIT_C(EXITS).replace('"ps.h"', '"include/ps.h"') }, 'ps.c'), leaks);
  // No caller at all: nothing is known.
  assert.deepEqual(await check({ 'error.h': ERROR_H, 'ps.h': PS_H, 'ps.c': PS_C }, 'ps.c'), leaks);
});

// A filter's step accepts a connection and loses it when writing to stdout fails; it returns 0 then, and main
// stops its loop and returns (the shape of curl's tests/server/sockfilt.c juggle()).
const STEP_C = `#include <sys/socket.h>
#include <unistd.h>
static int write_out(const char *s);
static int step(int *conn, int listener) {
    int fd = accept(listener, NULL, NULL);
    if (fd < 0)
        return 1;
    if (!write_out("CNCT\\n"))
        return 0;
    *conn = fd;
    return 1;
}
`;
const MAIN = (loop: string, after = '    if (conn >= 0)\n        close(conn);\n    unlink("pidfile");\n    return 0;', name = 'main'): string => `int ${name}(void) {
    int conn = -1, again;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
${loop}
cleanup:
${after}
}
`;

test('in main, a loop that the failing value ends, after which main returns, makes that leak below warning', async () => {
  const leak = ['step:fd:9:warning'];
  const demoted = ['step:fd:9:information'];
  const file = (loop: string, after?: string, name?: string) => ({ 'f.c': STEP_C + MAIN(loop, after, name) });
  // main leaves its listener to the exit, which is reported (below warning) as well: only step's rows count here.
  const rows = async (files: Record<string, string>) => (await check(files, 'f.c')).filter((r) => r.startsWith('step:'));
  const doLoop = '    do {\n        again = step(&conn, listener);\n    } while (again);';
  assert.deepEqual(await rows(file(doLoop)), demoted, 'do { again = step() } while (again)');
  assert.deepEqual(await rows(file('    while (step(&conn, listener))\n        ;')), demoted, 'while (step())');
  assert.deepEqual(await rows(file('    while ((again = step(&conn, listener)) != 0)\n        ;')), demoted, 'while ((again = step()) != 0)');
  assert.deepEqual(await rows(file(doLoop, '    return 0;')), demoted, 'returns at once');
  assert.deepEqual(await rows(file(doLoop, '    unlink("pidfile");')), demoted, 'falls off the end of main');
  // Not main: its caller may go on. A jump back after the loop, a loop the value does not end, a statement
  // after the call inside the loop: warnings.
  assert.deepEqual(await rows(file(doLoop, undefined, 'serve')), leak, 'not main');
  assert.deepEqual(await rows(file(doLoop, '    if (conn < 0)\n        goto cleanup;\n    return 0;')), leak, 'a goto after the loop');
  assert.deepEqual(await rows(file('    do {\n        again = step(&conn, listener);\n    } while (!again);')), leak, 'the value keeps the loop going');
  assert.deepEqual(await rows(file('    do {\n        again = step(&conn, listener);\n        again = 1;\n    } while (again);')), leak, 'overwritten before the test');
  assert.deepEqual(await rows(file('    while (step(&conn, listener) || conn < 0)\n        ;')), leak, 'a condition the value does not decide');
});
