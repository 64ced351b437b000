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
