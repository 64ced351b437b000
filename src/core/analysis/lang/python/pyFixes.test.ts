/**
 * Quick fixes over the Python corpus: applying every preferred all-paths fix of a leaking file must
 * give valid Python (py_compile) with no findings left; the 'exit' fixes (close before a leaking
 * return) must remove their own finding.
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

test('python: each exit fix closes before its leaking returns and changes nothing else', async () => {
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
      const others = before.filter((f) => f !== target).map((f) => f.variable).sort();
      const still = after.find((f) => f.variable === target.variable && f.acquired.start.line === target.acquired.start.line);
      assert.deepEqual(after.filter((f) => f !== still).map((f) => f.variable).sort(), others, `${c.name}: other findings changed\n${text}`);
      const returns = (still?.related ?? []).filter((r) => r.message.includes('the return on line'));
      assert.deepEqual(returns, [], `${c.name}: ${target.variable} still leaks on a return after its exit fix\n${text}`);
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
  assert.equal(r.findings.length, 1);
  assert.deepEqual(r.findings[0]!.fixes, [], 'neither `sock = None` over the parameter nor a close of the caller\'s socket');
});

test('python: no `with` block opened on a line that holds another statement', async () => {
  const text = ['import socket', '', 'def g(x):', '    s = socket.socket(); s.connect(x)', '    s.send(b"x")', ''].join('\n');
  const r = await analyzeSource(text, 'python');
  assert.equal(r.findings.length, 1);
  for (const fix of r.findings[0]!.fixes) {
    const fixed = applyEdits(text, fix.edits);
    assert.doesNotMatch(fixed, /:;/, fixed);
    await assertCompiles(fixed, 'one_line.py', fix.title);
  }
});
