import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCorpus } from '../../corpusFixtures';
import { checkEditTrail, checkKeyMutations } from '../../testing/reuseKit';
import { GO_FUNCTIONS } from './index';

// `target` closes its connection through `finish`, which closes it through `release` (summaries of
// same-file functions); `lg.Fatal` ends the path when `lg` is the log package; `one` is a one-line function.
const BASE = [
  'package p',
  '',
  'import (',
  '\tlg "log"',
  '\t"net"',
  ')',
  '',
  'func release(c net.Conn) {',
  '\tc.Close()',
  '}',
  '',
  'func finish(c net.Conn) {',
  '\trelease(c)',
  '}',
  '',
  'func target(addr string) error {',
  '\tc, err := net.Dial("tcp", addr)',
  '\tif err != nil {',
  '\t\treturn err',
  '\t}',
  '\tif addr == "" {',
  '\t\tlg.Fatal("no address")',
  '\t\treturn nil',
  '\t}',
  '\tfinish(c)',
  '\treturn nil',
  '}',
  '',
  'func other() int {',
  '\treturn 1',
  '}',
  '',
  'func one() { c, _ := net.Dial("tcp", "x"); logConn(c); c.Write(nil) }',
  '',
].join('\n');

// Every function is looked up (one that acquires nothing has an empty result): `release`, `finish`, `target`, `other`, `one`.
test('Go: each input of a function\'s key re-analyses it; other changes reuse it', async () => {
  await checkKeyMutations('go', GO_FUNCTIONS, BASE, [
    { input: 'own text', replace: ['\tfinish(c)\n', '\t_ = c\n'], hits: 4, misses: 1, changesResult: true },
    { input: 'a callee\'s definition', replace: ['\trelease(c)\n', '\t_ = c\n'], hits: 3, misses: 2, changesResult: true },
    { input: 'the definition of a callee\'s callee', replace: ['\tc.Close()\n', '\t_ = c\n'], hits: 3, misses: 2, changesResult: true },
    { input: 'imports (what `lg` names)', replace: ['lg "log"', 'lg "fmt"'], hits: 0, misses: 5, changesResult: true },
    { input: 'text before the function on its line', replace: ['func one()', '/* c */ func one()'], hits: 4, misses: 1, changesResult: true },
    { input: 'ownership transfers', options: { ownershipTransfers: ['logConn'] }, hits: 0, misses: 5, changesResult: true },
    { input: 'nothing it depends on (another function\'s body)', replace: ['return 1', 'return 2'], hits: 4, misses: 1, changesResult: false },
    { input: 'nothing it depends on (lines above it)', replace: ['package p\n', 'package p\n\n// moved\n'], hits: 5, misses: 0, changesResult: true },
  ]);
  // A call whose name has no definition yet: one added later is a change of that input (and of the
  // file's declarations, which every Go key holds: so every function is analysed again).
  const FINISH = 'func finish(c net.Conn) {\n\trelease(c)\n}\n';
  assert.ok(BASE.includes(FINISH));
  await checkKeyMutations('go', GO_FUNCTIONS, BASE.replace(FINISH + '\n', ''), [
    { input: 'a definition added for a name it calls', replace: ['func target', FINISH + '\nfunc target'], hits: 0, misses: 5, changesResult: true },
  ]);
});

const SNIPPETS = ['', '// moved', 'func helper(c net.Conn) { c.Close() }', '\tdefer c.Close()', '\treturn nil', 'func (s *Server) Close() error { return nil }'];

test('Go: over random edits, re-analysis with reuse gives exactly the result from scratch', async () => {
  const texts = loadCorpus('go').map((c) => c.text);
  const reused = await checkEditTrail('go', GO_FUNCTIONS, texts, SNIPPETS, 20261205);
  assert.ok(reused > 50, `reused ${reused} function results`);
});
