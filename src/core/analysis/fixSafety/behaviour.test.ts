/**
 * Fix-safety suite, behaviour part: every case in test/fixtures/fixsafety/<lang>/ with its offered
 * fixes applied and run (see behaviour.ts). Cases listed in known-unsafe.json are todo while they fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CASE_FOLDERS, loadCases } from './cases';
import { knownUnsafe, settle } from './knownUnsafe';
import { runBehaviourCases } from './behaviour';

const cases = CASE_FOLDERS.flatMap((f) => loadCases(f));
const outcomes = runBehaviourCases(cases);

test('fix safety: every language has cases, safe ones among them, and known-unsafe.json names only real cases', () => {
  for (const f of CASE_FOLDERS) {
    assert.ok(cases.some((c) => c.folder === f && c.mustOffer), `test/fixtures/fixsafety/${f} has no safe_* case`);
    assert.ok(cases.filter((c) => c.folder === f).length >= 3, `test/fixtures/fixsafety/${f} has fewer than 3 cases`);
  }
  const ids = new Set(cases.map((c) => c.id));
  const stale = [...knownUnsafe().keys()].filter((id) => !id.startsWith('corpus/') && !id.startsWith('walk/') && !ids.has(id));
  assert.deepEqual(stale, [], 'known-unsafe.json lists cases that do not exist');
});

for (const c of cases) {
  test(`fix safety: ${c.id}`, async (t) => {
    const outcome = await outcomes.get(c.id)!;
    if (outcome.skipped) {
      t.skip(`${outcome.skipped}: behaviour of ${c.id} not checked`);
      return;
    }
    settle(t, c.id, outcome.problems);
  });
}
