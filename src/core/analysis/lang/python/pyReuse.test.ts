import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCorpus } from '../../corpusFixtures';
import { checkEditTrail, checkKeyMutations } from '../../testing/reuseKit';
import { PYTHON_FUNCTIONS } from './index';

// `other` comes first: its block sets the file's indentation unit (two spaces), which the fixes of
// `target` use. `target` closes its descriptor through the alias `o2` and lets `print` read its socket.
const BASE = [
  'import os',
  'import socket',
  'import os as o2',
  '',
  'def other(x):',
  '  if x:',
  '    return 1',
  '  return 2',
  '',
  'def target(path):',
  '  fd = os.open(path, 0)',
  '  o2.close(fd)',
  '  s = socket.socket()',
  '  print(s)',
  '  return s.recv(10)',
  '',
  'class K:',
  '  def one(self): s = socket.socket(); return s.recv(1)',
  '',
].join('\n');

// Every function is looked up (one that acquires nothing has an empty result): `other`, `target`, `one`.
test('Python: each input of a function\'s key re-analyses it; other changes reuse it', async () => {
  await checkKeyMutations('python', PYTHON_FUNCTIONS, BASE, [
    { input: 'own text', replace: ['  print(s)\n  return', '  print(s)\n  s.close()\n  return'], hits: 2, misses: 1, changesResult: true },
    { input: 'imports (what `o2` names)', replace: ['import os as o2', 'import shutil as o2'], hits: 0, misses: 3, changesResult: true },
    { input: 'indentation unit (set by another function)', replace: ['  if x:\n    return 1\n  return 2', '   if x:\n      return 1\n   return 2'], hits: 0, misses: 3, changesResult: true },
    { input: 'indentation before the function', replace: ['  def one', '    def one'], hits: 2, misses: 1, changesResult: true },
    { input: 'ownership transfers', options: { ownershipTransfers: ['print'] }, hits: 0, misses: 3, changesResult: true },
    { input: 'nothing it depends on (another function\'s body)', replace: ['return 2', 'return 3'], hits: 2, misses: 1, changesResult: false },
    { input: 'nothing it depends on (lines above it)', replace: ['import os\n', 'import os\n\n# moved\n'], hits: 3, misses: 0, changesResult: true },
  ]);
});

// `f`'s fixes close a bare descriptor as the imports spell `os.close` (`close(fd)` here; `os` is not imported).
const NO_OS = ['from os import open as osopen, O_RDONLY, close', '', 'def f(p, x):', '    fd = osopen(p, O_RDONLY)', '    if x:', '        return 1', '    return 0', '',
  'def g():', '    return 2', ''].join('\n');
const CRLF_G = `def g():\r\n${Array.from({ length: 12 }, (_, i) => `    v${i} = ${i}\r\n`).join('')}    return 2\n`;

test('Python: how the file spells a descriptor\'s release and its line ending are inputs of the functions whose fixes write them', async () => {
  await checkKeyMutations('python', PYTHON_FUNCTIONS, NO_OS, [
    { input: 'the spelling of os.close (the import that binds close removed: no fix)', replace: ['O_RDONLY, close\n', 'O_RDONLY\n'], hits: 0, misses: 2, changesResult: true },
    { input: 'the file\'s line ending (another function written with CRLF)', replace: ['def g():\n    return 2\n', CRLF_G], hits: 0, misses: 2, changesResult: true },
    { input: 'nothing it depends on (lines between the imports and the function)', replace: ['\ndef f', '\n# moved\ndef f'], hits: 2, misses: 0, changesResult: true },
  ]);
});

const SNIPPETS = ['', '# moved', 'import socket as sk', 'def extra():\n    s = socket.socket()\n    return 1', '    s.close()', '    return None'];

test('Python: over random edits, re-analysis with reuse gives exactly the result from scratch', async () => {
  const texts = loadCorpus('python').map((c) => c.text);
  const reused = await checkEditTrail('python', PYTHON_FUNCTIONS, texts, SNIPPETS, 20261205);
  assert.ok(reused > 50, `reused ${reused} function results`);
});
