/**
 * The Java corpus (test/fixtures/java/): every file gives exactly the findings in its expected.json
 * (missing or extra findings fail) and compiles with javac.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffFindings, loadCorpus } from '../corpusFixtures';
import { analyzeJava } from './index';
import { compileJava } from './javac';

const corpus = loadCorpus('java');

test('the Java corpus has at least 18 files, leaking and clean', () => {
  assert.ok(corpus.length >= 18, `only ${corpus.length} files in test/fixtures/java`);
  assert.ok(corpus.filter((c) => c.expected.length > 0).length >= 9, 'too few leaking cases');
  assert.ok(corpus.filter((c) => c.expected.length === 0).length >= 9, 'too few clean cases');
});

for (const c of corpus) {
  test(`java corpus ${c.name}: findings match expected.json`, async () => {
    const result = await analyzeJava(c.text, {});
    assert.equal(diffFindings(c.expected, result.findings), '', `${c.name}: findings differ from expected.json`);
    assert.equal(result.hadParseErrors, false, `${c.name} should parse (notes: ${result.notes.join('; ')})`);
    assert.deepEqual(result.notes, []);
    for (const f of result.findings) {
      assert.equal(f.language, 'java');
      assert.ok(f.fixes.some((x) => x.scope === 'all-paths' && x.isPreferred && x.edits.length > 0), `${c.name}: ${f.variable} has no preferred fix`);
    }
  });
}

test('every Java corpus file compiles with javac', async (t) => {
  const failures: string[] = [];
  for (const c of corpus) {
    const r = await compileJava(c.text, c.name);
    if (r.status === 'no-javac') {
      t.skip('javac is not installed: compile check skipped');
      return;
    }
    if (r.status === 'error') failures.push(`${c.name}:\n${r.output}`);
  }
  assert.deepEqual(failures, []);
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
