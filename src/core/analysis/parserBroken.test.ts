/**
 * A trap inside tree-sitter's WebAssembly (OpenVPN's options.c once made it read out of bounds) may leave its memory
 * damaged: every later parse in the process must refuse with a clear message instead of giving garbage. (Its own
 * file: node --test runs each test file in a process of its own, and this one leaves the parser unusable.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parserBroken, withTree } from './parser';
import { analyzeSource } from '.';

test('after a WebAssembly trap during a parse, later parses and analyses refuse with a clear message', async () => {
  assert.equal(await withTree('c', 'int x;', (t) => t.rootNode.type), 'translation_unit');
  assert.equal(parserBroken(), undefined);
  // An ordinary exception from the caller's code does not break anything.
  await assert.rejects(withTree('c', 'int x;', () => { throw new Error('mine'); }), /mine/);
  assert.equal(parserBroken(), undefined);
  await assert.rejects(withTree('c', 'int x;', () => { throw new WebAssembly.RuntimeError('memory access out of bounds'); }), /out of bounds/);
  assert.match(parserBroken() ?? '', /tree-sitter parser failed on an earlier file \(memory access out of bounds\)/);
  await assert.rejects(withTree('python', 'x = 1\n', (t) => t.rootNode.type), /cannot be used again in this process/);
  const r = await analyzeSource('#include <unistd.h>\nvoid f(void) { int fd = dup(1); }\n', 'c', {});
  assert.equal(r.findings.length, 0);
  assert.ok(r.notes.some((n) => /cannot be used again in this process/.test(n)), r.notes.join('; '));
});
