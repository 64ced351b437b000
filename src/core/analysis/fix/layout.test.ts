/**
 * Fix layout in every language, over the whole corpus of each: in a CRLF copy of a file every fix
 * gives the LF fix's result with CRLF line ends (no bare LF inserted), and in a tab-indented copy
 * every line a fix adds is indented with tabs only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCorpus } from '../corpusFixtures';
import { applyEdits } from '../edits';
import { fixAllPaths } from '../fixAll';
import { analyzeSource } from '../index';
import type { Finding, LanguageId } from '../types';

const CORPORA = ['c', 'go', 'java', 'python'] as const;

/** Every fix of every finding applied on its own, in finding order. */
function fixedTexts(text: string, findings: readonly Finding[]): string[] {
  return findings.flatMap((f) => f.fixes.map((x) => applyEdits(text, x.edits)));
}

/** Four leading spaces at a time become a tab (the rest of an alignment stays). */
function tabbed(text: string): string {
  return text.replace(/^(?: {4})+/gm, (m) => '\t'.repeat(m.length / 4));
}

/** The lines of `after` that `before` does not have (as many times as they are new). */
function addedLines(before: string, after: string): string[] {
  const count = new Map<string, number>();
  for (const l of before.split(/\r?\n/)) count.set(l, (count.get(l) ?? 0) + 1);
  const out: string[] = [];
  for (const l of after.split(/\r?\n/)) {
    const n = count.get(l) ?? 0;
    if (n > 0) count.set(l, n - 1);
    else out.push(l);
  }
  return out;
}

for (const corpus of CORPORA) {
  const leaking = loadCorpus(corpus).filter((c) => c.expected.length > 0);

  test(`${corpus}: fixes in a CRLF file insert CRLF line ends only and otherwise equal the LF file's fixes`, async () => {
    let fixes = 0;
    for (const c of leaking) {
      const lf = c.text.replace(/\r\n/g, '\n');
      const crlf = lf.replace(/\n/g, '\r\n');
      const a = fixedTexts(lf, (await analyzeSource(lf, c.language)).findings);
      const b = fixedTexts(crlf, (await analyzeSource(crlf, c.language)).findings);
      assert.deepEqual(b, a.map((t) => t.replace(/\n/g, '\r\n')), `${c.name}: CRLF fixes differ from the LF ones`);
      for (const t of b) assert.doesNotMatch(t, /(^|[^\r])\n/, `${c.name}: a fix inserted a bare LF`);
      const all = await fixAllPaths(crlf, c.language);
      assert.doesNotMatch(all.text, /(^|[^\r])\n/, `${c.name}: fix-all inserted a bare LF`);
      fixes += b.length;
    }
    assert.ok(fixes > 0, `${corpus}: no fix to check`);
  });

  test(`${corpus}: fixes in a tab-indented file indent the lines they add with tabs`, async () => {
    let lines = 0;
    for (const c of leaking) {
      const text = tabbed(c.text);
      const language: LanguageId = c.language;
      for (const fixed of fixedTexts(text, (await analyzeSource(text, language)).findings)) {
        for (const l of addedLines(text, fixed)) {
          assert.match(l, /^\t*(\S|$)/, `${c.name}: an added line is not indented with tabs: ${JSON.stringify(l)}`);
          lines++;
        }
      }
    }
    assert.ok(lines > 0, `${corpus}: no added line to check`);
  });
}
