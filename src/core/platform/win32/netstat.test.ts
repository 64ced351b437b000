import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countTcpStates, socketKey } from '../../model';
import { readFixture } from '../darwin/testSupport';
import { netstatSocketsForPid, netstatState, parseNetstat } from './netstat';

test('netstat -ano (English, CRLF): IPv4, IPv6 with zone, UDP, every state, pid filter', () => {
  const all = parseNetstat(readFixture('win32', 'netstat-ano-en.txt'));
  assert.equal(all.skipped, 0);
  assert.equal(all.items.length, 20);
  const r = netstatSocketsForPid(readFixture('win32', 'netstat-ano-en.txt'), 4321);
  assert.equal(r.skipped, 0);
  assert.deepEqual(countTcpStates(r.items), {
    LISTEN: 2, ESTABLISHED: 1, CLOSE_WAIT: 3, SYN_SENT: 1, FIN_WAIT_2: 1, LAST_ACK: 1, BOUND: 1, FIN_WAIT_1: 1,
  });
  assert.deepEqual(r.items[0], {
    protocol: 'tcp', state: 'LISTEN', local: { address: '0.0.0.0', port: 5000 }, remote: undefined, fd: undefined,
    inode: 'tcp|0.0.0.0:5000|*', txQueue: 0, rxQueue: 0,
  });
  const cw6 = r.items.find((s) => s.protocol === 'tcp6' && s.state === 'CLOSE_WAIT');
  assert.deepEqual(cw6?.remote, { address: '::1', port: 6000 });
  assert.equal(cw6?.inode, 'tcp6|[::1]:5000|[::1]:6000');
  const fw1 = r.items.find((s) => s.state === 'FIN_WAIT_1');
  assert.deepEqual(fw1?.local, { address: '::1', port: 7000 }, 'uncompressed IPv6 is normalized');
  const udp = r.items.filter((s) => s.protocol === 'udp' || s.protocol === 'udp6');
  assert.deepEqual(udp.map((s) => [s.protocol, s.local.address, s.local.port, s.state, s.remote]), [
    ['udp', '0.0.0.0', 5000, 'CLOSE', undefined], ['udp6', '::1', 5000, 'CLOSE', undefined],
  ]);
  assert.equal(new Set(r.items.map(socketKey)).size, r.items.length);
  assert.equal(r.items.some((s) => s.state === 'TIME_WAIT'), false, 'TIME_WAIT rows belong to pid 0');

  const system = netstatSocketsForPid(readFixture('win32', 'netstat-ano-en.txt'), 4);
  assert.deepEqual(system.items.map((s) => s.local), [{ address: 'fe80::1c2b:3d4e:5f6a:7b8c%12', port: 139 }]);
});

test('German netstat: localized headers and states, a wrong code page, malformed rows', () => {
  const r = parseNetstat(readFixture('win32', 'netstat-ano-de.txt'));
  assert.equal(r.skipped, 1, 'the row with "kaputt" as remote address');
  assert.deepEqual(r.items.map((o) => [o.pid, o.socket.state]), [
    [4321, 'LISTEN'], [4321, 'ESTABLISHED'], [4321, 'CLOSE_WAIT'], [0, 'TIME_WAIT'], [4321, 'SYN_SENT'],
    [4321, 'LISTEN'], [4321, 'FIN_WAIT_2'], [4321, 'UNKNOWN'], [4321, 'CLOSE'],
  ]);
  assert.equal(r.items[5]?.socket.protocol, 'tcp6');
});

test('French, Spanish and Japanese netstat', () => {
  const fr = netstatSocketsForPid(readFixture('win32', 'netstat-ano-fr.txt'), 4321);
  assert.deepEqual(fr.items.map((s) => [s.protocol, s.state]), [['tcp', 'LISTEN'], ['tcp', 'ESTABLISHED'], ['tcp', 'CLOSE_WAIT'], ['udp6', 'CLOSE']]);
  const es = netstatSocketsForPid(readFixture('win32', 'netstat-ano-es.txt'), 4321);
  assert.deepEqual(es.items.map((s) => s.state), ['LISTEN', 'ESTABLISHED', 'CLOSE_WAIT']);
  const ja = netstatSocketsForPid(readFixture('win32', 'netstat-ano-ja.txt'), 4321);
  assert.equal(ja.skipped, 0);
  assert.deepEqual(ja.items.map((s) => [s.protocol, s.state]), [['tcp', 'LISTEN'], ['tcp', 'ESTABLISHED'], ['tcp6', 'CLOSE_WAIT'], ['udp', 'ESTABLISHED']]);
  assert.deepEqual(ja.items[3]?.remote, { address: '127.0.0.1', port: 6000 });
});

test('a row cut off at the end is skipped rather than read with a wrong pid', () => {
  const r = parseNetstat(readFixture('win32', 'netstat-ano-truncated.txt'));
  assert.equal(r.skipped, 1);
  assert.deepEqual(r.items.map((o) => [o.pid, o.socket.state]), [[4321, 'ESTABLISHED']]);
});

test('netstatState maps English, localized and code-page-damaged names', () => {
  assert.equal(netstatState('LISTENING'), 'LISTEN');
  assert.equal(netstatState('SYN_RECEIVED'), 'SYN_RECV');
  assert.equal(netstatState('DELETE_TCB'), 'CLOSE');
  assert.equal(netstatState('ABHÖREN'), 'LISTEN');
  assert.equal(netstatState('ABH\u0099REN'), 'LISTEN'); // CP850 read as Latin-1
  assert.equal(netstatState('\uFFFDCOUTE'), 'LISTEN');
  assert.equal(netstatState('ÉTABLIE'), 'ESTABLISHED');
  assert.equal(netstatState('IN ASCOLTO'), 'LISTEN');
  assert.equal(netstatState('SCHLIESSEN_WARTEN'), 'CLOSE_WAIT');
  assert.equal(netstatState('IRGENDWAS'), 'UNKNOWN');
});
