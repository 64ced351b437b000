/**
 * Quick fixes over the Java corpus: applying every preferred all-paths fix (the shared fixAllPaths,
 * as `check --fix` does) must give a file that javac compiles and that re-analyses clean but for
 * the `noFix` findings (where no fix may be offered: then nothing is written when all are such);
 * applying one finding's 'exit' fix must remove that finding and still compile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from '../../edits';
import { fixAllPaths } from '../../fixAll';
import { loadCorpus } from '../../corpusFixtures';
import { analyzeJava } from './index';
import { compileJava } from './javac';
import { assertToolAccepts } from '../../testing/toolCheck';

const leaking = loadCorpus('java').filter((c) => c.expected.length > 0);

async function assertCompiles(t: { skip(msg: string): void }, text: string, name: string, what: string): Promise<void> {
  assertToolAccepts(await compileJava(text, name), `${name}: ${what}`, text, t);
}

for (const c of leaking) {
  test(`java: all-paths fixes of ${c.name} compile and leave no findings`, async (t) => {
    const fixed = await fixAllPaths(c.text, 'java');
    if (c.expected.every((e) => e.noFix !== undefined)) {
      assert.equal(fixed.editsApplied, 0, `${c.name}: no fix may be applied`);
      return;
    }
    assert.ok(fixed.editsApplied > 0, `${c.name}: no edits were applied`);
    const noFixVars = new Set(c.expected.filter((e) => e.noFix !== undefined).map((e) => e.variable));
    const left = fixed.remaining.filter((f) => !noFixVars.has(f.variable));
    assert.equal(left.length, 0,
      `${c.name}: findings left after fixing:\n${left.map((f) => `  line ${f.range.start.line + 1}: ${f.variable} ${f.message}`).join('\n')}\n--- fixed code ---\n${fixed.text}`);
    await assertCompiles(t, fixed.text, c.name, 'the fixed file');
  });

  test(`java: each 'exit' fix in ${c.name} removes its own finding`, async (t) => {
    const before = (await analyzeJava(c.text, {})).findings;
    for (const target of before) {
      const exit = target.fixes.find((x) => x.scope === 'exit');
      if (!exit) continue;
      const text = applyEdits(c.text, exit.edits);
      const after = (await analyzeJava(text, {})).findings;
      const at = exit.edits[0]!.range.start.line;
      const added = exit.edits.reduce((n, e) => n + e.newText.split('\n').length - 1 - (e.range.end.line - e.range.start.line), 0);
      const shifted = (line: number): number => (line >= at ? line + added : line);
      // The target's place (shifted by the inserted lines) has no finding for its variable any more...
      assert.ok(!after.some((f) => f.variable === target.variable && f.range.start.line === shifted(target.range.start.line)),
        `${c.name}: the exit fix for ${target.variable} at line ${target.range.start.line + 1} did not remove it\n--- code ---\n${text}`);
      // ...and there are no new findings.
      assert.ok(after.length < before.length, `${c.name}: the exit fix for line ${target.range.start.line + 1} did not reduce the findings`);
      await assertCompiles(t, text, c.name, `the exit fix for line ${target.range.start.line + 1}`);
    }
  });
}

test('java: the preferred fix of a small client is the expected try-with-resources', async () => {
  const text = [
    'import java.io.IOException;',
    'import java.net.Socket;',
    '',
    'class Client {',
    '    static void ping(String host, int port, byte[] b) throws IOException {',
    '        Socket s = new Socket(host, port);',
    '        s.getOutputStream().write(b);',
    '        s.close();',
    '    }',
    '}',
    '',
  ].join('\n');
  const r = await analyzeJava(text, {});
  assert.deepEqual(r.findings.map((f) => [f.range.start.line + 1, f.variable, f.message]),
    [[7, 's', 'an exception from `write()` here leaks `s` (socket from `new Socket(…)` (line 6))']]);
  const fix = r.findings[0]!.fixes.find((f) => f.isPreferred)!;
  assert.equal(fix.title, 'Use try-with-resources for `s`');
  assert.equal(applyEdits(text, fix.edits), [
    'import java.io.IOException;',
    'import java.net.Socket;',
    '',
    'class Client {',
    '    static void ping(String host, int port, byte[] b) throws IOException {',
    '        try (Socket s = new Socket(host, port)) {',
    '            s.getOutputStream().write(b);',
    '        }',
    '    }',
    '}',
    '',
  ].join('\n'));
});

test('java: a close before a braceless body gets braces in the body\'s own layout, in the file\'s line ending and indentation', async (t) => {
  const lines = ['import java.io.IOException;', 'import java.net.Socket;', '', 'class Braceless {', '\tint f(String host, boolean quick) throws IOException {',
    '\t\tSocket s = new Socket(host, 80);', '\t\tif (quick)', '\t\t\treturn 1;', '\t\ts.close();', '\t\treturn 0;', '\t}', '}', ''];
  for (const eol of ['\n', '\r\n']) {
    const text = lines.join(eol);
    const r = await analyzeJava(text, {});
    const exit = r.findings.flatMap((f) => f.fixes).find((x) => x.scope === 'exit');
    assert.ok(exit, 'the leak at the braceless return has an exit fix');
    const fixed = applyEdits(text, exit.edits);
    assert.equal(fixed, text.replace(`\t\tif (quick)${eol}\t\t\treturn 1;`, `\t\tif (quick) {${eol}\t\t\ts.close();${eol}\t\t\treturn 1;${eol}\t\t}`));
    assert.deepEqual((await analyzeJava(fixed, {})).findings, []);
    await assertCompiles(t, fixed, 'Braceless.java', 'the exit fix');
  }
});
