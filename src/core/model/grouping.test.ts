import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Protocol, Socket } from './socket';
import type { TcpState } from './tcpState';
import { groupByState } from './grouping';

let nextInode = 1;
function sock(protocol: Protocol, state: TcpState, fd: number | undefined): Socket {
  return { protocol, state, fd, inode: String(nextInode++), local: { address: '127.0.0.1', port: 1 }, remote: undefined, txQueue: 0, rxQueue: 0 };
}

test('order: suspicious states (CLOSE_WAIT first), other TCP states, LISTEN, UDP, UNIX; empty groups left out', () => {
  const sockets = [
    sock('unix', 'ESTABLISHED', 3), sock('udp', 'CLOSE', 4), sock('tcp', 'LISTEN', 5), sock('tcp6', 'ESTABLISHED', 6),
    sock('tcp', 'FIN_WAIT_2', 7), sock('tcp', 'CLOSE_WAIT', 8), sock('udp6', 'ESTABLISHED', 9), sock('tcp', 'SYN_SENT', 10),
    sock('tcp6', 'CLOSE_WAIT', 2), sock('tcp', 'UNKNOWN', 11), sock('tcp', 'LAST_ACK', 12),
  ];
  const groups = groupByState(sockets);
  assert.deepEqual(groups.map((g) => [g.key, g.label, g.kind, g.sockets.length]), [
    ['tcp:CLOSE_WAIT', 'CLOSE_WAIT', 'suspicious', 2],
    ['tcp:FIN_WAIT_2', 'FIN_WAIT_2', 'suspicious', 1],
    ['tcp:LAST_ACK', 'LAST_ACK', 'suspicious', 1],
    ['tcp:ESTABLISHED', 'ESTABLISHED', 'tcp', 1],
    ['tcp:SYN_SENT', 'SYN_SENT', 'tcp', 1],
    ['tcp:UNKNOWN', 'UNKNOWN', 'tcp', 1],
    ['tcp:LISTEN', 'LISTEN', 'listen', 1],
    ['udp', 'UDP', 'udp', 2],
    ['unix', 'UNIX', 'unix', 1],
  ]);
  // every socket lands in exactly one group
  assert.equal(groups.reduce((n, g) => n + g.sockets.length, 0), sockets.length);
  assert.deepEqual(groups[0]?.sockets.map((s) => s.fd), [2, 8]);
  assert.equal(groups[0]?.state, 'CLOSE_WAIT');
  assert.equal(groups.find((g) => g.kind === 'udp')?.state, undefined);
});

test('within a group: by fd, sockets without an fd last', () => {
  const [g] = groupByState([sock('tcp', 'ESTABLISHED', undefined), sock('tcp', 'ESTABLISHED', 30), sock('tcp', 'ESTABLISHED', 4)]);
  assert.deepEqual(g?.sockets.map((s) => s.fd), [4, 30, undefined]);
});

test('no sockets, no groups', () => {
  assert.deepEqual(groupByState([]), []);
});
