import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePid, validPid } from './pid';

test('parsePid accepts typed digits and numbers, nothing else', () => {
  assert.equal(parsePid('1234'), 1234);
  assert.equal(parsePid(' 42 '), 42);
  assert.equal(parsePid(7), 7);
  assert.equal(parsePid('4194305'), 4194305); // above Linux's pid_max: parses, then "does not exist"
  for (const bad of ['', 'abc', '12x', '-5', '0', '1.5', '1e3', '99999999999', null, undefined, {}, 0, -1, 2.5]) {
    assert.equal(parsePid(bad), undefined, `${String(bad)} must not parse`);
  }
});

test('validPid bounds pids to a positive 32-bit integer', () => {
  assert.equal(validPid(1), true);
  assert.equal(validPid(0xffffffff), true);
  assert.equal(validPid(0x100000000), false);
  assert.equal(validPid(0), false);
  assert.equal(validPid(Number.NaN), false);
});
