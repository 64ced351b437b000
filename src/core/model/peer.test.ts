import { test } from 'node:test';
import assert from 'node:assert/strict';
import { peerResolver } from './peer';
import { tcp } from './testSockets';

test('accepted connections: by listening port and remote host; outgoing ones by remote host:port', () => {
  const listen = tcp('LISTEN', '0.0.0.0:8303', '0.0.0.0:0', 3);
  const inA = tcp('CLOSE_WAIT', '127.0.0.1:8303', '127.0.0.1:40001', 4);
  const inB = tcp('ESTABLISHED', '127.0.0.1:8303', '127.0.0.1:40002', 5);
  const out = tcp('ESTABLISHED', '10.0.0.2:51234', '10.0.0.5:443', 6);
  const out6 = tcp('ESTABLISHED', '::1:51235', '::1:5432', 7, 'tcp6');
  const peerOf = peerResolver([listen, inA, inB, out, out6]);
  assert.equal(peerOf(listen), undefined);
  assert.equal(peerOf(inA)?.label, 'accepted on :8303 from 127.0.0.1');
  assert.equal(peerOf(inA)?.short, 'on :8303 from 127.0.0.1');
  assert.equal(peerOf(inA), peerOf(inB), 'one peer object per peer');
  assert.equal(peerOf(inA)?.remote, '127.0.0.1');
  assert.equal(peerOf(out)?.label, 'to 10.0.0.5:443');
  assert.equal(peerOf(out)?.remote, '10.0.0.5:443');
  assert.equal(peerOf(out6)?.label, 'to [::1]:5432');
});

test('a local port shared by several connections is a server port even when the listener is gone', () => {
  const a = tcp('CLOSE_WAIT', '127.0.0.1:9000', '127.0.0.1:40001');
  const b = tcp('CLOSE_WAIT', '127.0.0.1:9000', '127.0.0.1:40002');
  const lone = tcp('CLOSE_WAIT', '127.0.0.1:40003', '127.0.0.1:9999');
  const peerOf = peerResolver([a, b, lone]);
  assert.equal(peerOf(a)?.key, 'accepted|9000|127.0.0.1');
  assert.equal(peerOf(lone)?.key, 'outgoing|127.0.0.1|9999');
});

test('unconnected UDP and UNIX sockets have no peer; connected UDP goes to its remote', () => {
  const udp = { ...tcp('CLOSE', '0.0.0.0:5353', '0.0.0.0:0'), protocol: 'udp' as const };
  const udpConn = { ...tcp('ESTABLISHED', '10.0.0.2:40000', '10.0.0.53:53'), protocol: 'udp' as const };
  const unix = { ...tcp('ESTABLISHED', '/run/x.sock:0', undefined), protocol: 'unix' as const };
  const peerOf = peerResolver([udp, udpConn, unix]);
  assert.equal(peerOf(udp), undefined);
  assert.equal(peerOf(unix), undefined);
  assert.equal(peerOf(udpConn)?.label, 'to 10.0.0.53:53');
});
