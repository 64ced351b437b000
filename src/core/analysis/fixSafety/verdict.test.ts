/** The fix-safety suite's judgement of a driver's output, and how known-unsafe.json settles a case. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle } from './knownUnsafe';
import { checkOriginal, judgeVariant, parseDriverOutput } from './verdict';

const original = parseDriverOutput('OUT ok 0\nLEAK ok 0\nOUT fails -1\nLEAK fails 1\nnoise\n');

test('verdict: driver output is read per path', () => {
  assert.deepEqual([...original.out], [['ok', '0'], ['fails', '-1']]);
  assert.deepEqual([...original.leaks], [['ok', 0], ['fails', 1]]);
  assert.deepEqual(checkOriginal(original, true), []);
  assert.deepEqual(checkOriginal(parseDriverOutput('OUT ok 0\nLEAK ok 0\n'), true), ['a safe_* case must leak in the original']);
  assert.match(checkOriginal(parseDriverOutput('LEAK ok 0\nBAD ok closed twice\n'), false)[0]!, /already misbehaves/);
});

test('verdict: a fix that removes the leak and changes nothing else is safe', () => {
  const fixed = parseDriverOutput('OUT ok 0\nLEAK ok 0\nOUT fails -1\nLEAK fails 0\n');
  assert.deepEqual(judgeVariant(original, fixed, 'all-paths'), []);
  assert.deepEqual(judgeVariant(original, fixed, 'exit'), []);
});

test('verdict: bad closes, changed output, new or remaining leaks and build failures are problems', () => {
  const bad = parseDriverOutput('OUT ok 1\nLEAK ok 1\nOUT fails -1\nLEAK fails 1\nBAD fails 1 close() of a descriptor that is not open\n');
  assert.deepEqual(judgeVariant(original, bad, 'all-paths'), [
    'bad: fails: 1 close() of a descriptor that is not open',
    'path ok: output "1" instead of "0"',
    'path ok: leaks 1 instead of 0',
    'path fails: still leaks 1',
  ]);
  assert.deepEqual(judgeVariant(original, parseDriverOutput('OUT ok 0\nLEAK ok 0\nOUT fails -1\nLEAK fails 1\n'), 'exit'), ['removes no leak']);
  assert.deepEqual(judgeVariant(original, parseDriverOutput('', 'does not compile'), 'exit'), ['does not compile']);
});

test('known-unsafe: a listed case must still fail (todo), an unlisted one must pass', () => {
  const list = new Map([['c/x', 'why']]);
  const todos: (string | undefined)[] = [];
  const t = { todo: (m?: string) => todos.push(m) };
  assert.throws(() => settle(t, 'c/x', ['double close'], list), /known unsafe: why/);
  assert.deepEqual(todos, ['why']);
  assert.throws(() => settle(t, 'c/x', [], list), /passes now: remove it/);
  assert.throws(() => settle(t, 'c/y', ['double close'], list), /unsafe/);
  settle(t, 'c/y', [], list);
  assert.deepEqual(todos, ['why']);
});
