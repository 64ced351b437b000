import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTree } from '../../parser';
import { CFileContext } from './context';
import { scanFile } from './scan';
import { returnSources } from '../../engine/summaries';
import { loadCorpus } from '../../corpusFixtures';

const TEXT = `#include <sys/socket.h>
#include <unistd.h>
static int log_line(const char *s) { return s != 0; }
static int helper(int n) { return log_line("x") + n; }
static int open_socket(void) {
    int s = socket(2, 1, 0);
    if (s < 0) return -1;
    return s;
}
int run(void) {
    helper(1);
    int fd = open_socket();
    close(fd);
    return 0;
}
`;

test("a file's own functions are lowered only when mayAcquire follows what they return, not when it looks at their calls", async () => {
  await withTree('c', TEXT, (tree) => {
    const ctx = new CFileContext(scanFile(tree.rootNode, 'c'), []);
    // helper and log_line call no acquiring function: known without lowering or analysing them.
    assert.equal(ctx.mayAcquire('helper'), false);
    assert.equal(ctx.lowered, 0);
    // open_socket calls socket(): the ops of its effects and returns say where its returned values come
    // from (a lowering without guards nor facts, not kept); its summary lowers it whole, once.
    assert.equal(ctx.mayAcquire('open_socket'), true);
    assert.equal(ctx.lowered, 0);
    assert.equal(ctx.summary('open_socket')?.returns?.call, 'socket');
    assert.equal(ctx.lowered, 1);
    assert.equal(ctx.summary('open_socket')?.returns?.call, 'socket');
    assert.equal(ctx.lowered, 1);
  });
});

const RETURNS = `#include <sys/socket.h>
#include <unistd.h>
struct conn { int fd; };
static int start(struct conn *c) {
    c->fd = socket(2, 1, 0);
    if (c->fd < 0) return -1;
    return 0;
}
static int wrap(struct conn *c) {
    int rc = start(c);
    return rc;
}
static int ping(int n);
static int pong(int n) {
    int s = socket(2, 1, 0);
    close(s);
    if (n > 0) return ping(n - 1);
    return 0;
}
static int ping(int n) {
    int r = pong(n);
    return r;
}
static int dial(int n);
static int redial(int n) {
    return dial(n);
}
static int dial(int n) {
    if (n > 0) return redial(n - 1);
    return socket(2, 1, 0);
}
`;

test('mayAcquire is false for a function that acquires but returns only a status, also through a recursion, and agrees with the summary', async () => {
  await withTree('c', RETURNS, (tree) => {
    const ctx = new CFileContext(scanFile(tree.rootNode, 'c'), []);
    // Known from the ops of their effects and returns: none of them is lowered whole for it.
    for (const name of ['start', 'wrap', 'pong', 'ping']) assert.equal(ctx.mayAcquire(name), false, name);
    assert.equal(ctx.lowered, 0);
    for (const name of ['start', 'wrap', 'pong', 'ping']) {
      assert.equal(ctx.mayAcquire(name), false, name);
      assert.ok(!ctx.summary(name)?.returns, name);
    }
    // A recursion that does return an acquisition on one path.
    for (const name of ['dial', 'redial']) {
      assert.equal(ctx.mayAcquire(name), true, name);
      assert.ok(ctx.summary(name)?.returns, name);
    }
  });
});

test("the returns-only lowering has the whole lowering's ops, and the same return sources, on every function of the C corpus", async () => {
  let functions = 0;
  for (const { name: f, text, language } of loadCorpus('c')) {
    if (language !== 'c' && language !== 'cpp') continue;
    await withTree(language, text, (tree) => {
      const scan = scanFile(tree.rootNode, language);
      const ctx = new CFileContext(scan, []);
      for (const fn of scan.definitions.values()) {
        const light = ctx.returnIrOf(fn);
        const whole = ctx.irOf(fn);
        assert.notEqual(light, whole, f);
        assert.deepEqual(light.nodes.map((n) => n.program.ops.filter((o) => o.op !== 'escape')), whole.nodes.map((n) => n.program.ops.filter((o) => o.op !== 'escape')), f);
        assert.deepEqual(returnSources(light), returnSources(whole), f);
        assert.equal(ctx.returnIrOf(fn), whole, f);
        functions++;
      }
    });
  }
  assert.ok(functions > 100, `${functions} functions`);
});
