/**
 * Fix-safety suite, differential part: every fix offered over the corpora (test/fixtures/{c,python,go,java})
 * and the behaviour cases (test/fixtures/fixsafety) is applied, and the fixed function's paths are walked
 * by the independent walker: no path may release a descriptor twice, release it after a hand-off, read
 * a value the fix reset, use it after the fix released it, or assign a parameter, unless the original
 * already did (differential.ts). Entries of known-unsafe.json (`corpus/<lang>/<file>`, `walk/<case>`) are todo.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCorpus } from '../corpusFixtures';
import type { LanguageId } from '../types';
import { CASE_FOLDERS, loadCases } from './cases';
import { differentialProblems } from './differential';
import { knownUnsafe, settle } from './knownUnsafe';
import { fixVariants } from './variants';

interface Item {
  readonly id: string;
  readonly text: string;
  readonly language: LanguageId;
}

const corpus: Item[] = CASE_FOLDERS.flatMap((lang) => loadCorpus(lang).map((c) => ({ id: `corpus/${lang}/${c.name}`, text: c.text, language: c.language })));
const cases: Item[] = CASE_FOLDERS.flatMap((f) => loadCases(f)).map((c) => ({ id: `walk/${c.id}`, text: c.text, language: c.language }));

async function problemsOf(item: Item): Promise<{ problems: string[]; variants: number }> {
  const { variants } = await fixVariants(item.text, item.language);
  const problems: string[] = [];
  for (const v of variants) {
    for (const p of await differentialProblems(item.text, v.text, item.language)) problems.push(`${v.label}: ${p}`);
  }
  return { problems: [...new Set(problems)], variants: variants.length };
}

test('differential: the original against itself has no problem, and the corpora offer fixes to check', async () => {
  let variants = 0;
  for (const item of corpus) {
    assert.deepEqual(await differentialProblems(item.text, item.text, item.language), [], item.id);
  }
  for (const item of corpus.slice(0, 40)) variants += (await fixVariants(item.text, item.language)).variants.length;
  assert.ok(variants >= 20, `only ${variants} fixes offered over the first corpus files`);
  const ids = new Set([...corpus, ...cases].map((i) => i.id));
  const stale = [...knownUnsafe().keys()].filter((id) => (id.startsWith('corpus/') || id.startsWith('walk/')) && !ids.has(id));
  assert.deepEqual(stale, [], 'known-unsafe.json lists files that do not exist');
});

for (const item of [...corpus, ...cases]) {
  test(`differential: ${item.id}`, async (t) => {
    const { problems } = await problemsOf(item);
    settle(t, item.id, problems);
  });
}
