import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_FACTS, assume, factPrograms, widenFacts, type Facts } from './facts';
import type { FactTest } from '../ir/ir';

const cmp = (key: string, rel: '==' | '!=' | '<' | '<=' | '>' | '>=', c: number): FactTest => ({ f: 'cmp', key, rel, c });

test('a branch contradicting a known value has no path; one agreeing keeps it', () => {
  const done = assume(NO_FACTS, cmp('done', '==', 1), true);
  assert.ok(done);
  assert.equal(assume(done, cmp('done', '==', 0), true), null);
  assert.ok(assume(done, cmp('done', '!=', 0), true));
});

test('a long chain of `x == i` tests excluded one by one stays bounded and never prunes a feasible path', () => {
  let f: Facts | null = NO_FACTS;
  // Odd values, so that no exclusion moves an end of the range.
  for (let i = 0; i < 1000; i++) {
    f = assume(f!, cmp('x', '==', 2 * i + 1), false);
    assert.ok(f, `x != ${2 * i + 1} is feasible`);
    assert.ok((f.get('x')?.ne.length ?? 0) <= 16, `exclusions stay bounded at step ${i}`);
  }
  // x == 5000 is still possible after every exclusion.
  assert.ok(assume(f!, cmp('x', '==', 5000), true));
  // The most recent exclusion is still known: x == 1999 contradicts it.
  assert.equal(assume(f!, cmp('x', '==', 1999), true), null);
});

test('fact programs follow a key referred to twice, drop it where it is written, and keep tests of an assigned value only', () => {
  // Node 0: `ok = 1;`  node 1: `if (ok == 1)`  node 2: `if ((ok = f()) == 0)` (writes ok)  node 3: `if (n > 0)` (n tested once).
  const programs = factPrograms({
    tests: [null, cmp('ok', '==', 1), { f: 'cmp', key: 'ok', rel: '==', c: 0, assigned: true }, cmp('n', '>', 0)],
    ids: new Map([['ok', ['ok']], ['n', ['n']]]),
    volatile: new Set(),
    writes: [new Set(['ok']), new Set(), new Set(['ok']), new Set()],
    sets: [[{ key: 'ok', c: 1 }], [], [], []],
    shifts: [[], [], [], []],
  });
  assert.deepEqual(programs, [
    { drops: ['ok'], sets: [{ key: 'ok', c: 1 }] },
    { test: cmp('ok', '==', 1) },
    { drops: ['ok'], test: cmp('ok', '==', 0) },
    undefined,
  ]);
  // The same key with its variable's address taken somewhere: nothing is followed.
  assert.equal(factPrograms({
    tests: [cmp('ok', '==', 1), cmp('ok', '==', 0)], ids: new Map([['ok', ['ok']]]), volatile: new Set(['ok']),
    writes: [new Set(), new Set()], sets: [[], []], shifts: [[], []],
  }), null);
});

test('a test of a value its own node changes (not an assignment compared) says nothing on its edges', () => {
  const programs = factPrograms({
    tests: [cmp('n', '>', 0), cmp('n', '==', 0)], ids: new Map([['n', ['n']]]), volatile: new Set(),
    writes: [new Set(['n']), new Set()], sets: [[], []], shifts: [[], []],
  });
  assert.deepEqual(programs, [{ drops: ['n'] }, { test: cmp('n', '==', 0) }]);
});

test('widening opens a range on the side it grew and keeps what did not change', () => {
  const old: Facts = new Map([['n', { lo: 0, hi: 2, ne: [] }], ['k', { lo: 1, hi: 1, ne: [] }], ['m', { lo: 0, hi: 9, ne: [4] }]]);
  const merged: Facts = new Map([['n', { lo: 0, hi: 3, ne: [] }], ['k', { lo: 1, hi: 1, ne: [] }], ['m', { lo: -1, hi: 9, ne: [4] }]]);
  const w = widenFacts(old, merged);
  assert.deepEqual(w.get('n'), { lo: 0, hi: Infinity, ne: [] });
  assert.deepEqual(w.get('k'), { lo: 1, hi: 1, ne: [] });
  assert.deepEqual(w.get('m'), { lo: -Infinity, hi: 9, ne: [4] });
  // Unchanged facts are returned as they are.
  assert.equal(widenFacts(old, old), old);
  // A range open on both sides with nothing excluded is no fact at all.
  const both = widenFacts(new Map([['x', { lo: 0, hi: 0, ne: [] }]]), new Map([['x', { lo: -1, hi: 1, ne: [] }]]));
  assert.equal(both.has('x'), false);
});
