/**
 * Quick fixes over the Python corpus: applying every preferred all-paths fix of a leaking file must
 * give valid Python (py_compile) with no findings left; the 'exit' fixes (close before a leaking
 * return) must remove their own finding and no other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from '../../edits';
import { fixAllPaths } from '../../fixAll';
import { analyzeSource } from '../../index';
import { loadCorpus } from '../../corpusFixtures';
import { pyCompile } from './pyCompile';
import { assertToolAccepts } from '../../testing/toolCheck';

const leaking = loadCorpus('python').filter((c) => c.expected.length > 0);

async function assertCompiles(text: string, name: string, what: string): Promise<void> {
  assertToolAccepts(await pyCompile(text, name), `${name}: ${what}`, text); // pyCorpus.test.ts reports a missing python3
}

test('the Python corpus has leaking files to fix', () => {
  assert.ok(leaking.length >= 9, `only ${leaking.length} leaking Python corpus files`);
});

for (const c of leaking) {
  test(`python: all-paths fixes of ${c.name} compile and leave no findings`, async () => {
    const fixed = await fixAllPaths(c.text, 'python');
    assert.ok(fixed.editsApplied > 0, `${c.name}: no edits were applied`);
    assert.equal(fixed.remaining.length, 0,
      `${c.name}: findings left after fixing:\n${fixed.remaining.map((f) => `  line ${f.range.start.line + 1}: ${f.variable} ${f.message}`).join('\n')}\n--- fixed code ---\n${fixed.text}`);
    await assertCompiles(fixed.text, c.name, 'the fixed file');
  });
}

test('python: each exit fix closes before its leaking return and changes nothing else', async () => {
  let checked = 0;
  for (const c of leaking) {
    const before = (await analyzeSource(c.text, 'python')).findings;
    for (const target of before) {
      const exit = target.fixes.find((x) => x.scope === 'exit');
      if (!exit) continue;
      checked++;
      const text = applyEdits(c.text, exit.edits);
      await assertCompiles(text, c.name, `the exit fix for ${target.variable}`);
      const after = (await analyzeSource(text, 'python')).findings;
      // The fix inserts one line before the return: later findings move down by one.
      const key = (f: (typeof before)[number], shift: number) => `${f.ruleId} ${f.variable} ${f.range.start.line + shift}`;
      const fixedLine = target.range.start.line;
      const expected = before.filter((f) => f !== target).map((f) => key(f, f.range.start.line >= fixedLine ? 1 : 0)).sort();
      assert.deepEqual(after.map((f) => key(f, 0)).sort(), expected, `${c.name}: the exit fix for ${target.variable} should remove exactly its finding\n${text}`);
    }
  }
  assert.ok(checked >= 3, `only ${checked} corpus findings offer an exit fix`);
});

test('python: no fix that would discard a caller\'s socket (a parameter bound again only when None)', async () => {
  const text = [
    'import socket', '', 'def f(addr, sock=None):', '    if sock is None:', '        sock = socket.socket()', '    sock.connect(addr)',
    '    if addr[1] == 0:', '        return None', '    sock.close()', '',
  ].join('\n');
  const r = await analyzeSource(text, 'python');
  assert.deepEqual(r.findings.map((f) => [f.range.start.line + 1, f.variable]), [[6, 'sock'], [8, 'sock']]);
  for (const f of r.findings) assert.deepEqual(f.fixes, [], 'neither `sock = None` over the parameter nor a close of the caller\'s socket');
});

test('python: no `with` block opened on a line that holds another statement', async () => {
  const text = ['import socket', '', 'def g(x):', '    s = socket.socket(); s.connect(x)', '    s.send(b"x")', ''].join('\n');
  const r = await analyzeSource(text, 'python');
  assert.deepEqual(r.findings.map((f) => [f.range.start.line + 1, f.variable]), [[4, 's'], [5, 's'], [5, 's']]);
  for (const fix of r.findings.flatMap((f) => f.fixes)) {
    const fixed = applyEdits(text, fix.edits);
    assert.doesNotMatch(fixed, /:;/, fixed);
    await assertCompiles(fixed, 'one_line.py', fix.title);
  }
});

/** Every fix of `text` applied on its own. */
async function fixedTexts(text: string): Promise<string[]> {
  const r = await analyzeSource(text, 'python');
  assert.ok(r.findings.length > 0, 'the snippet leaks');
  return r.findings.flatMap((f) => f.fixes.map((x) => applyEdits(text, x.edits)));
}

test('python: a descriptor is closed under the name the imports give os.close, and an explicit close spelled so is replaced, not repeated', async () => {
  const aliased = ['import os as o', '', 'def f(p, x):', '    fd = o.open(p, o.O_RDONLY)', '    if x:', '        return 1', '    o.close(fd)', '    return 0', ''].join('\n');
  const fixes = await fixedTexts(aliased);
  assert.equal(fixes.length, 2);
  for (const t of fixes) {
    assert.doesNotMatch(t, /\bos\.close/, t);
    assert.equal(t.split('o.close(fd)').length - 1, fixes.indexOf(t) === 0 ? 1 : 2, t);
    await assertCompiles(t, 'aliased.py', 'os imported as o');
  }
  assert.match(fixes[0]!, /    try:\n        if x:\n            return 1\n    finally:\n        o\.close\(fd\)\n    return 0/);
  const fromImport = ['from os import open, close', '', 'def f(p, x):', '    fd = open(p, 0)', '    if x:', '        return 1', '    close(fd)', '    return 0', ''].join('\n');
  for (const t of await fixedTexts(fromImport)) assert.doesNotMatch(t, /os\.close/, t);
});

test('python: no fix for a descriptor when the imports bind neither os nor os.close (a fix may not depend on the rest of the file)', async () => {
  const text = ['from os import open as osopen, O_RDONLY', '', 'def f(p, x):', '    fd = osopen(p, O_RDONLY)', '    if x:', '        return 1', '    return 0', ''].join('\n');
  const r = await analyzeSource(text, 'python');
  assert.ok(r.findings.length > 0, 'the descriptor leaks');
  assert.deepEqual(r.findings.flatMap((f) => f.fixes), [], 'no `os.close` the file cannot resolve');
  const withOs = `import os\n${text}`;
  for (const t of await fixedTexts(withOs)) {
    assert.match(t, /os\.close\(fd\)/, t);
    await assertCompiles(t, 'imported.py', 'os imported');
  }
});
