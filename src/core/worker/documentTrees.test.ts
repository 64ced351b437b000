import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Node, Tree } from 'web-tree-sitter';
import { analyzeSource } from '../analysis';
import { setTreeCache, withTree } from '../analysis/parser';
import type { LanguageId } from '../analysis/types';
import { DocumentTrees, type TextChange } from './documentTrees';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures');

/** Every node with its type and exact span: two trees with the same description are the same parse. */
function describe(tree: Tree): string[] {
  const out: string[] = [];
  const visit = (n: Node) => {
    out.push(`${n.type}${n.isMissing ? '!' : ''} ${n.startIndex}-${n.endIndex} ${n.startPosition.row}:${n.startPosition.column}-${n.endPosition.row}:${n.endPosition.column}`);
    for (const c of n.children) if (c) visit(c);
  };
  visit(tree.rootNode);
  return out;
}

/** Deterministic pseudo-random numbers (a test that fails can be replayed). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const INSERTS = ['x', ';', '\n', '{', '}', ' close(fd);\n', '/* é ü 💥 */', '\r\n', '"', 'if (s < 0) return -1;\n', '#ifdef X\n', ''];

function randomChange(text: string, next: () => number): TextChange {
  const rangeOffset = Math.floor(next() * (text.length + 1));
  const rangeLength = Math.min(text.length - rangeOffset, Math.floor(next() * 4) * (next() < 0.3 ? 12 : 1));
  const insert = INSERTS[Math.floor(next() * INSERTS.length)]!;
  // Never split a surrogate pair: VS Code does not either.
  const cut = (i: number) => (i > 0 && i < text.length && /[\uDC00-\uDFFF]/.test(text[i]!) ? i - 1 : i);
  const start = cut(rangeOffset);
  return { rangeOffset: start, rangeLength: cut(start + rangeLength) - start < 0 ? 0 : cut(start + rangeLength) - start, text: insert };
}

function apply(text: string, c: TextChange): string {
  return text.slice(0, c.rangeOffset) + c.text + text.slice(c.rangeOffset + c.rangeLength);
}

for (const [language, file] of [['c', 'c/accept_loop_break_leak.c'], ['python', 'python/accept_close_no_finally_leak.py']] as [LanguageId, string][]) {
  test(`${language}: after random edits the incremental re-parse is the tree a fresh parse gives`, async () => {
    const trees = new DocumentTrees();
    try {
      let text = fs.readFileSync(path.join(FIXTURES, file), 'utf8') + '\n// ñ 😀 end\n';
      assert.equal(await trees.update('doc', language, text), 'full');
      assert.equal(await trees.update('doc', language, text), 'unchanged');
      const next = rng(language === 'c' ? 7 : 11);
      for (let round = 0; round < 60; round++) {
        // One event may carry several changes (multi-cursor): apply them in their order.
        const changes: TextChange[] = [];
        for (let k = 1 + Math.floor(next() * 3); k > 0; k--) {
          const c = randomChange(text, next);
          changes.push(c);
          text = apply(text, c);
        }
        trees.edit('doc', changes);
        assert.equal(await trees.update('doc', language, text), 'incremental', `round ${round}`);
        const incremental = trees.lookup(language, text);
        assert.ok(incremental, 'the cache answers for the current text');
        const fresh = await withTree(language, text, (t) => describe(t));
        assert.deepEqual(describe(incremental), fresh, `round ${round}: ${JSON.stringify(changes)}`);
      }
    } finally {
      trees.dispose();
    }
  });
}

test('a text derived from a document (a build configuration) is parsed incrementally from the last similar one, to the tree a fresh parse gives', async () => {
  const trees = new DocumentTrees();
  try {
    let text = fs.readFileSync(path.join(FIXTURES, 'c/accept_loop_break_leak.c'), 'utf8') + '\n// ñ 😀 end\n';
    await trees.update('doc', 'c', text);
    // Two derived texts of the same length (like a file's two configurations), each edited with the document.
    const blank = (t: string, from: number) => t.slice(0, from) + t.slice(from, from + 20).replace(/[^\n]/g, ' ') + t.slice(from + 20);
    const next = rng(5);
    for (let round = 0; round < 40; round++) {
      const c = randomChange(text, next);
      text = apply(text, c);
      for (const derived of [blank(text, 0), blank(text, Math.floor(text.length / 2))]) {
        const tree = trees.derive('c', derived);
        assert.ok(tree);
        const fresh = await withTree('c', derived, (t) => describe(t));
        assert.deepEqual(describe(tree), fresh, `round ${round}: ${JSON.stringify(c)}`);
        assert.equal(trees.derive('c', derived), tree, 'the same text: the same tree');
      }
    }
  } finally {
    trees.dispose();
  }
});

test('a change that does not fit the known text, another language or other text give a full parse', async () => {
  const trees = new DocumentTrees();
  try {
    await trees.update('d', 'c', 'int f(void) { return 0; }\n');
    trees.edit('d', [{ rangeOffset: 500, rangeLength: 1, text: 'x' }]);
    assert.equal(trees.size, 0, 'the tree out of step is dropped');
    assert.equal(await trees.update('d', 'c', 'int g(void) { return 1; }\n'), 'full');
    assert.equal(await trees.update('d', 'cpp', 'int g(void) { return 1; }\n'), 'full');
    trees.edit('d', [{ rangeOffset: 4, rangeLength: 1, text: 'h' }]);
    assert.equal(await trees.update('d', 'cpp', 'int g(void) { return 2; }\n'), 'full', 'the edits do not lead to this text');
    assert.equal(trees.lookup('c', 'int g(void) { return 2; }\n'), undefined, 'another language');
    trees.edit('unknown', [{ rangeOffset: 0, rangeLength: 0, text: 'x' }]);
    trees.forget('d');
    assert.equal(trees.size, 0);
  } finally {
    trees.dispose();
  }
});

test('with the tree cache installed, analyzeSource analyses the cached tree and it stays alive', async () => {
  const trees = new DocumentTrees();
  const previous = setTreeCache(trees);
  try {
    const text = fs.readFileSync(path.join(FIXTURES, 'c', 'accept_loop_break_leak.c'), 'utf8');
    const plain = await analyzeSource(text, 'c');
    await trees.update('doc', 'c', text);
    const tree = trees.lookup('c', text)!;
    let asked = 0;
    setTreeCache({ lookup: (id, t) => { asked++; return trees.lookup(id, t); } });
    const cached = await analyzeSource(text, 'c');
    assert.equal(asked, 1, 'withTree consulted the cache');
    assert.deepEqual(cached, plain);
    assert.equal(tree.rootNode.type, 'translation_unit', 'the cached tree was not freed');
    assert.ok(plain.findings.length > 0);
  } finally {
    setTreeCache(previous);
    trees.dispose();
  }
});
