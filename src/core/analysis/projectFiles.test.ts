/**
 * ProjectFiles (Java's project classes, Python's project modules): a file's facts depend on its text alone, so a
 * file checked as saved and then looked up as another file's (or the other way round) is parsed once, and a changed
 * file is parsed again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import type { Tree } from 'web-tree-sitter';
import { ProjectFiles } from './projectFiles';
import { tempRoot, writeLines } from './testing/projectTree';

function counting(): { files: ProjectFiles<string>; parses: () => number } {
  let n = 0;
  const files = new ProjectFiles<string>('python', (tree: Tree) => {
    n++;
    return tree.rootNode.text;
  });
  return { files, parses: () => n };
}

const tempFile = (text: string): string => writeLines(tempRoot('projectfiles'), 'm.py', [text.replace(/\n$/, '')]);

test('a file checked as saved is not parsed again when another file looks it up', async () => {
  const file = tempFile('x = 1\n');
  const { files, parses } = counting();
  assert.equal(await files.of(file, 'x = 1\n'), 'x = 1\n');
  assert.equal(await files.of(file), 'x = 1\n');
  assert.equal(parses(), 1);
});

test('a file looked up as saved is not parsed again when it is checked with the same text', async () => {
  const file = tempFile('y = 2\n');
  const { files, parses } = counting();
  assert.equal(await files.of(file), 'y = 2\n');
  assert.equal(await files.of(file, 'y = 2\n'), 'y = 2\n');
  assert.equal(parses(), 1);
});

test('an unsaved buffer and a changed file get facts of their own text', async () => {
  const file = tempFile('z = 3\n');
  const { files, parses } = counting();
  assert.equal(await files.of(file, 'z = 4\n'), 'z = 4\n');
  assert.equal(await files.of(file), 'z = 3\n');
  assert.equal(parses(), 2);
  fs.writeFileSync(file, 'z = 5\n# longer\n');
  assert.equal(await files.of(file), 'z = 5\n# longer\n');
  assert.equal(await files.of(file, 'z = 4\n'), 'z = 4\n');
  assert.equal(parses(), 3);
});
