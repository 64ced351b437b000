import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { withTree } from '../../parser';
import { analyzeC } from './index';
import { saysCpp } from './cppHint';

test('a header taken as C whose parse errors hold C++ keywords is analysed as C++', async () => {
  const src = [
    '#include <unistd.h>',
    '#include <fcntl.h>',
    'class Reader : public Base {',
    'public:',
    '  int load(const char *p) {',
    '    int fd = open(p, O_RDONLY);',
    '    if (fd < 0) return -1;',
    '    return 0;',
    '  }',
    '};',
    '',
  ].join('\n');
  assert.equal(await withTree('c', src, (t) => saysCpp(t.rootNode)), true);
  const r = await analyzeC(src, 'c', {});
  assert.equal(r.language, 'cpp');
  assert.equal(r.hadParseErrors, false);
  assert.deepEqual(r.findings.map((f) => `${f.variable}:${f.range.start.line + 1}`), ['fd:8']);
});

test('C that names a variable `class`, or has errors without C++ keywords, stays C', async () => {
  const named = 'int f(void) {\n  int class = 1, template = 2;\n  return class < template;\n}\n';
  assert.equal(await withTree('c', named, (t) => saysCpp(t.rootNode)), false);
  // It names a release, so the relevance gate (relevance.ts) does not skip it.
  const broken = 'int f(int fd) {\n  close(fd);\n  return 1 +;\n}\n';
  const r = await analyzeC(broken, 'c', {});
  assert.equal(r.language, 'c');
  assert.equal(r.hadParseErrors, true);
  assert.equal(await withTree('c', broken, (t) => saysCpp(t.rootNode)), false);
});
