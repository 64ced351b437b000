import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSource } from '../../index';
import { CWorkspaceIndex } from './workspaceIndex';

async function workspace(files: Record<string, string>): Promise<CWorkspaceIndex> {
  const index = new CWorkspaceIndex();
  const names = Object.keys(files).sort((a, b) => Number(!a.endsWith('.h')) - Number(!b.endsWith('.h')) || a.localeCompare(b));
  for (const f of names) await index.update(f, files[f]!, 'c');
  return index;
}

async function findings(index: CWorkspaceIndex | null, file: string, text: string): Promise<string[]> {
  const r = await analyzeSource(text, 'c', {}, index ? { c: index, file } : undefined);
  return r.findings.map((f) => `${f.function}:${f.variable}:${f.range.start.line + 1}`);
}

// A caller whose failure path ends in a call that the workspace says never returns.
const CALLER = (stop: string): string => `#include <sys/socket.h>
#include <unistd.h>
#include "log.h"
int serve(int port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return -1;
    if (listen(s, 5) < 0) { ${stop}; return -1; }
    return s;
}
`;

test('a function declared noreturn in a workspace header ends the path (no leak)', async () => {
  const ws = await workspace({ 'log.h': 'void die(const char *fmt, ...) __attribute__((noreturn));\nvoid note(const char *fmt, ...);\n' });
  assert.deepEqual(await findings(ws, 'serve.c', CALLER('die("listen")')), []);
  // Without the header's word, or for a function that returns, the leak stays.
  assert.deepEqual(await findings(null, 'serve.c', CALLER('die("listen")')), ['serve:s:7']);
  assert.deepEqual(await findings(ws, 'serve.c', CALLER('note("listen")')), ['serve:s:7']);
});

test('a header macro that is one call of a noreturn function, and a function of another file ending in exit, do not return', async () => {
  const ws = await workspace({
    'log.h': '#define fatal(...) log_fatal(__FILE__, __LINE__, __VA_ARGS__)\nvoid log_fatal(const char *, int, const char *, ...) __attribute__((noreturn));\nvoid cleanup_exit(int);\nvoid maybe_exit(int);\n',
    'log.c': '#include <stdlib.h>\n#include "log.h"\nvoid cleanup_exit(int code) { flush_logs(); _exit(code); }\nvoid maybe_exit(int code) { if (code) return; exit(1); }\n',
  });
  assert.deepEqual(await findings(ws, 'serve.c', CALLER('fatal("listen %d", port)')), []);
  assert.deepEqual(await findings(ws, 'serve.c', CALLER('cleanup_exit(255)')), []);
  // A function that may return (it has a `return`) is no stop.
  assert.deepEqual(await findings(ws, 'serve.c', CALLER('maybe_exit(255)')), ['serve:s:7']);
});

test('a function declared with a header macro that stands for noreturn (also defined empty for other compilers) does not return', async () => {
  const header = `#ifdef __GNUC__
#define EV_CHECK_FMT(a,b) __attribute__((format(printf, a, b)))
#define EV_NORETURN __attribute__((noreturn))
#else
#define EV_CHECK_FMT(a,b)
#define EV_NORETURN
#endif
#define event_debug_mask_() (0)

EXPORT_SYMBOL
void event_sock_err(int eval, int sock, const char *fmt, ...) EV_CHECK_FMT(3,4) EV_NORETURN;
void event_warn(const char *fmt, ...) EV_CHECK_FMT(1,2);
EV_NORETURN void event_exit(int code);
`;
  const ws = await workspace({ 'log.h': header });
  assert.deepEqual(await findings(ws, 'serve.c', CALLER('event_sock_err(1, port, "listen")')), []);
  assert.deepEqual(await findings(ws, 'serve.c', CALLER('event_exit(1)')), []);
  // The other declarations of the header return.
  assert.deepEqual(await findings(ws, 'serve.c', CALLER('event_warn("listen")')), ['serve:s:7']);
  assert.deepEqual(await findings(ws, 'serve.c', CALLER('event_debug_mask_()')), ['serve:s:7']);
});

test('a noreturn macro is read where the tree has a declaration: not in comments, strings, conditions nor another declaration', async () => {
  const file = (stop: string): string => `#include <sys/socket.h>
#include <unistd.h>
#define NORET __attribute__((noreturn))
/* NORET void note(const char *); */
#ifdef NORET
void die(const char *why) NORET;
#endif
NORET static void bail(int code) { for (;;) pause(); }
const char *label = "NORET void warn(const char *);";
void note(const char *);
void warn(const char *);
void check(int ok, const char *what);
int serve(int port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return -1;
    if (listen(s, 5) < 0) { ${stop}; return -1; }
    return s;
}
`;
  // The file's own macro, without a workspace: the analysis reads its repaired tree.
  assert.deepEqual(await findings(null, 'serve.c', file('die("listen")')), []);
  assert.deepEqual(await findings(null, 'serve.c', file('bail(1)')), []);
  for (const returns of ['note("listen")', 'warn("listen")', 'check(0, "listen")']) assert.deepEqual(await findings(null, 'serve.c', file(returns)), ['serve:s:16']);
  // The same file read by the workspace index.
  const ws = await workspace({ 'log.h': file('die("x")') });
  assert.deepEqual(await findings(ws, 'serve.c', CALLER('die("listen")')), []);
  assert.deepEqual(await findings(ws, 'serve.c', CALLER('warn("listen")')), ['serve:s:7']);
});
