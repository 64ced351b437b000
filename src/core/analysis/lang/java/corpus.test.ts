/**
 * The Java corpus (test/fixtures/java/): every file gives exactly the findings in its expected.json
 * (missing or extra findings fail) and compiles with javac.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingKey, loadCorpus } from '../../corpusFixtures';
import { assertCorpusSize, assertEveryFileAccepted, testEachMatchesExpected } from '../../testing/corpusChecks';
import { analyzeJava } from './index';
import { compileJava } from './javac';

const corpus = loadCorpus('java');

test('the Java corpus has at least 18 files, leaking and clean', () => {
  assertCorpusSize(corpus, 'java', { files: 18, leaking: 9, clean: 9 });
});

testEachMatchesExpected('java corpus', corpus, (c) => analyzeJava(c.text, {}), (result, c) => {
  assert.deepEqual(result.notes, []);
  const noFix = new Set(c.expected.filter((e) => e.noFix !== undefined).map(findingKey));
  for (const f of result.findings) {
    assert.equal(f.language, 'java');
    if (noFix.has(findingKey({ line: f.range.start.line + 1, variable: f.variable }))) {
      assert.deepEqual(f.fixes, [], `${c.name}: ${f.variable} (line ${f.range.start.line + 1}) must not get a fix`);
    } else {
      assert.ok(f.fixes.some((x) => x.scope === 'all-paths' && x.isPreferred && x.edits.length > 0), `${c.name}: ${f.variable} has no preferred fix`);
    }
  }
});

test('every Java corpus file compiles with javac', async (t) => {
  await assertEveryFileAccepted(t, corpus, (c) => compileJava(c.text, c.name));
});

test('options.ownershipTransfers hands a socket over', async () => {
  const text = [
    'import java.io.IOException;', 'import java.net.Socket;', 'class Pool {',
    '  static void give(String h, int p) throws IOException {', '    Socket s = new Socket(h, p);', '    Registry.adopt(s);', '  }', '}',
  ].join('\n');
  const before = await analyzeJava(text, {});
  assert.deepEqual(before.findings.map((f) => [f.range.start.line + 1, f.variable]), [[6, 's'], [7, 's']]);
  assert.deepEqual((await analyzeJava(text, { ownershipTransfers: ['adopt'] })).findings, []);
  assert.deepEqual((await analyzeJava(text, { ownershipTransfers: ['Registry.adopt'] })).findings, []);
});
