import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Parser } from 'web-tree-sitter';
import { loadLanguage } from './parser';
import { TrialParses } from './trialParses';

const BASE = 'int g(int b) { return b; }\nint f(int a) {\n  WRAP(a)\n  return a;\n}\n';

test('each variant counts the errors a fresh parse of it has, parsed from the base, or from the variant kept last', async () => {
  const lang = await loadLanguage('c');
  const parser = new Parser();
  parser.setLanguage(lang);
  const trials = new TrialParses(parser);
  const fresh = (text: string): number => {
    const t = new TrialParses(parser);
    try {
      return t.errors(text);
    } finally {
      t.dispose();
    }
  };
  try {
    const errors = trials.errors(BASE);
    assert.ok(errors > 0);
    // A `;` after the macro call: no error left.
    const semi = BASE.indexOf('(a)') + 3;
    const fixed = `${BASE.slice(0, semi)};${BASE.slice(semi)}`;
    assert.equal(trials.errors(fixed, [{ start: semi, end: semi, text: ';' }]), 0);
    // A variant of the base that breaks `g` too (before `f`: its `;` removed): as many errors as its fresh parse.
    const end = BASE.indexOf('b; }') + 1;
    const broken = `${BASE.slice(0, end)}${BASE.slice(end + 1)}`;
    const n = trials.errors(broken, [{ start: end, end: end + 1, text: '' }]);
    assert.equal(n, fresh(broken));
    assert.ok(n > errors);
    // Kept: the next variant is given against `broken` (its offsets are one less than the base's).
    trials.keepLast();
    const both = `${broken.slice(0, semi - 1)};${broken.slice(semi - 1)}`;
    assert.equal(trials.errors(both, [{ start: semi - 1, end: semi - 1, text: ';' }]), fresh(both));
    assert.ok(fresh(both) > 0 && fresh(both) < n);
  } finally {
    trials.dispose();
    parser.delete();
  }
});
