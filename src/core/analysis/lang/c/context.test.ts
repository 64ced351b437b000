import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTree } from '../../parser';
import { CFileContext } from './context';
import { scanFile } from './scan';

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

test("a file's own functions are lowered only when their summary is computed, not when mayAcquire looks at their calls", async () => {
  await withTree('c', TEXT, (tree) => {
    const ctx = new CFileContext(scanFile(tree.rootNode, 'c'), []);
    // helper and log_line call no acquiring function: known without lowering or analysing them.
    assert.equal(ctx.mayAcquire('helper'), false);
    assert.equal(ctx.lowered, 0);
    assert.equal(ctx.mayAcquire('open_socket'), true);
    assert.equal(ctx.lowered, 0);
    assert.equal(ctx.summary('open_socket')?.returns?.call, 'socket');
    assert.equal(ctx.lowered, 1);
  });
});
