import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeIpv6, parseHostPort, splitLines } from './address';

test('normalizeIpv6 follows RFC 5952', () => {
  assert.equal(normalizeIpv6('0:0:0:0:0:0:0:1'), '::1');
  assert.equal(normalizeIpv6('2001:DB8:0:0:1:0:0:1'), '2001:db8::1:0:0:1'); // first of two equal runs
  assert.equal(normalizeIpv6('2001:db8:0:0:0:1:0:0'), '2001:db8::1:0:0');
  assert.equal(normalizeIpv6('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1'); // a single zero group stays
  assert.equal(normalizeIpv6('::'), '::');
  assert.equal(normalizeIpv6('fe80::0001%lo0'), 'fe80::1%lo0');
  assert.equal(normalizeIpv6('::ffff:127.0.0.1'), '::ffff:127.0.0.1');
  assert.equal(normalizeIpv6('0:0:0:0:0:ffff:7f00:1'), '::ffff:127.0.0.1');
  assert.equal(normalizeIpv6('1::2::3'), undefined);
  assert.equal(normalizeIpv6('12345::'), undefined);
  assert.equal(normalizeIpv6('1:2:3:4:5:6:7:8:9'), undefined);
});

test('parseHostPort reads IPv4, bracketed IPv6 with zone, and wildcards', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:5000'), { host: '127.0.0.1', port: 5000 });
  assert.deepEqual(parseHostPort('[::1]:6000'), { host: '::1', port: 6000 });
  assert.deepEqual(parseHostPort('[fe80::1%12]:139'), { host: 'fe80::1%12', port: 139 });
  assert.deepEqual(parseHostPort('*:8080'), { host: '*', port: 8080 });
  assert.deepEqual(parseHostPort('*:*'), { host: '*', port: 0 });
  assert.equal(parseHostPort('127.0.0.1'), undefined);
  assert.equal(parseHostPort('127.0.0.1:99999'), undefined);
  assert.equal(parseHostPort('300.0.0.1:80'), undefined);
  assert.equal(parseHostPort('[::1:80'), undefined);
});

test('splitLines separates a final line cut off without a newline', () => {
  assert.deepEqual(splitLines('a\r\nb\r\n'), { lines: ['a', 'b'], partial: undefined });
  assert.deepEqual(splitLines('a\nb'), { lines: ['a'], partial: 'b' });
});
