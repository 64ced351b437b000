/**
 * keepalived (issue 13, namespaces.c `set_netns_name`): a resource is held only where its variable holds a
 * valid descriptor, so a test over two descriptors (`if (cur < 0 || new < 0)`) tells, per descriptor, on which
 * of its paths it is still held: on the true edge `new` is open only where `cur < 0`, and
 * `if (cur >= 0) close(cur); else if (new >= 0) close(new);` closes whichever is open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeC } from './index';
import { ruleRows } from '../../testing/projectTree';

const rows = async (text: string) => ruleRows(await analyzeC(text, 'c', {}));

const pair = (cleanup: string[]) => [
  '#include <fcntl.h>',
  '#include <unistd.h>',
  'int enter(const char *a, const char *b) {',
  '  int cur = -1;',
  '  int nw;',
  '  int ret;',
  '  nw = open(a, O_RDONLY);',
  '  cur = open(b, O_RDONLY);',
  '  if (cur < 0 || nw < 0) {',
  ...cleanup,
  '    return -1;',
  '  }',
  '  ret = fchdir(nw);',
  '  close(nw);',
  '  if (ret < 0) {',
  '    close(cur);',
  '    return -1;',
  '  }',
  '  return cur;',
  '}',
].join('\n');

test('c: after `if (a < 0 || b < 0)`, `if (a >= 0) close(a); else if (b >= 0) close(b);` closes whichever is open', async () => {
  assert.deepEqual(await rows(pair(['    if (cur >= 0)', '      close(cur);', '    else if (nw >= 0)', '      close(nw);'])), []);
});

test('c: the same test with only one of the two closed still leaks the other', async () => {
  // Where cur < 0 and nw >= 0, nw stays open.
  assert.deepEqual(await rows(pair(['    if (cur >= 0)', '      close(cur);'])), ['12 sockscope.leak nw']);
});
