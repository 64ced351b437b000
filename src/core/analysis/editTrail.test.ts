import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOffsetEdits } from './edits';
import type { OffsetEdit } from './edits';
import { EditTrail } from './editTrail';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('two rounds become edits against the original; untouched text between them is no edit', () => {
  const original = 'int f() {\n  return 0;\n}\n';
  const trail = new EditTrail(original.length);
  const r1: OffsetEdit[] = [{ start: 12, end: 12, newText: 'close(a);\n  ' }];
  const text1 = applyOffsetEdits(original, r1);
  trail.apply(r1);
  // Round 2 edits inside the text round 1 inserted, and far away in the original.
  const r2: OffsetEdit[] = [{ start: 18, end: 19, newText: 'b' }, { start: text1.length - 2, end: text1.length - 2, newText: ' /* end */' }];
  const text2 = applyOffsetEdits(text1, r2);
  trail.apply(r2);
  assert.deepEqual(trail.edits(), [{ start: 12, end: 12, newText: 'close(b);\n  ' }, { start: original.length - 2, end: original.length - 2, newText: ' /* end */' }]);
  assert.equal(applyOffsetEdits(original, trail.edits()), text2);
});

test('deleting original text and inserted text', () => {
  const trail = new EditTrail(10); // "0123456789"
  trail.apply([{ start: 2, end: 4, newText: 'ab' }]); // 01ab456789
  trail.apply([{ start: 1, end: 3, newText: '' }]); // 0b456789
  assert.deepEqual(trail.edits(), [{ start: 1, end: 4, newText: 'b' }]);
  assert.equal(trail.currentLength(), 8);
});

test('fuzz: the trail\'s edits turn the original into the text after every round', () => {
  const next = rng(7);
  for (let round = 0; round < 500; round++) {
    const original = Array.from({ length: Math.floor(next() * 30) }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    let text = original;
    const trail = new EditTrail(original.length);
    for (let r = 0; r < 4; r++) {
      const points = Array.from({ length: Math.floor(next() * 6) }, () => Math.floor(next() * (text.length + 1))).sort((a, b) => a - b);
      const edits: OffsetEdit[] = [];
      for (let i = 0; i + 1 < points.length; i += 2) edits.push({ start: points[i]!, end: points[i + 1]!, newText: next() < 0.3 ? '' : `<${r}${i}>` });
      text = applyOffsetEdits(text, edits);
      trail.apply(edits);
      const composed = trail.edits();
      assert.equal(applyOffsetEdits(original, composed), text);
      for (let i = 1; i < composed.length; i++) assert.ok(composed[i]!.start > composed[i - 1]!.end, 'sorted edits with untouched text between them');
    }
  }
});
