import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesFilter, parseFilter, peerFilter } from './filter';
import { peerResolver } from './peer';
import { tcp } from './testSockets';

const sockets = [
  tcp('LISTEN', '0.0.0.0:8303', undefined, 3),
  tcp('CLOSE_WAIT', '127.0.0.1:8303', '127.0.0.1:40001', 4),
  tcp('ESTABLISHED', '127.0.0.1:8303', '127.0.0.2:40002', 5),
  tcp('ESTABLISHED', '10.0.0.2:51234', '10.0.0.5:443', 6),
  tcp('CLOSE_WAIT', '10.0.0.2:51235', '10.0.0.5:443', 7),
];
const peerOf = peerResolver(sockets);
const fds = (text: string): (number | undefined)[] => {
  const f = parseFilter(text);
  assert.ok(f, text);
  return sockets.filter((s) => matchesFilter(s, f, peerOf)).map((s) => s.fd);
};

test('states in any spelling, ports on either side, endpoints, address parts', () => {
  assert.deepEqual(fds('close-wait'), [4, 7]);
  assert.deepEqual(fds('CLOSE_WAIT'), [4, 7]);
  assert.deepEqual(fds(':8303'), [3, 4, 5]);
  assert.deepEqual(fds('443'), [6, 7]);
  assert.deepEqual(fds('40001'), [4]);
  assert.deepEqual(fds('10.0.0.5:443'), [6, 7]);
  assert.deepEqual(fds('127.0.0.2'), [5]);
  assert.deepEqual(fds('10.0.0'), [6, 7]);
});

test('terms of one kind widen, of different kinds narrow', () => {
  assert.deepEqual(fds('close_wait established'), [4, 5, 6, 7]);
  assert.deepEqual(fds('close_wait 8303'), [4]);
  assert.deepEqual(fds('close_wait 8303 443'), [4, 7]);
  assert.deepEqual(fds('close_wait 127.0.0.2'), []);
});

test('blank text is no filter; the text is kept for the view message', () => {
  assert.equal(parseFilter('   '), undefined);
  assert.equal(parseFilter('  close_wait   8303 ')?.text, 'close_wait 8303');
});

test('filter to a peer keeps exactly that peer\'s sockets', () => {
  const peer = peerOf(sockets[1]!);
  assert.ok(peer);
  const f = peerFilter(peer);
  assert.equal(f.text, 'accepted on :8303 from 127.0.0.1');
  assert.deepEqual(sockets.filter((s) => matchesFilter(s, f, peerOf)).map((s) => s.fd), [4]);
});
