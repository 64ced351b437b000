import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_FACTS, assume, type Facts } from './facts';
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
