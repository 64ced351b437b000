import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFixture } from '../darwin/testSupport';
import { parsePowerShellSockets } from './powershell';
import { parseCsvLine, parseTasklistCsv } from './tasklist';

test('Get-NetTCPConnection JSON array with numeric states (Windows PowerShell 5.1)', () => {
  const r = parsePowerShellSockets(readFixture('win32', 'get-nettcpconnection-array.json'));
  assert.equal(r.skipped, 1, 'the row with "not an address"');
  assert.equal(r.process, undefined);
  assert.deepEqual(r.items.map((o) => [o.pid, o.socket.protocol, o.socket.state]), [
    [4321, 'tcp6', 'LISTEN'], [4321, 'tcp', 'LISTEN'], [4321, 'tcp', 'CLOSE_WAIT'], [4321, 'tcp', 'ESTABLISHED'],
    [4321, 'tcp6', 'LAST_ACK'], [4321, 'tcp', 'BOUND'], [0, 'tcp', 'TIME_WAIT'],
  ]);
  const listen6 = r.items[0]?.socket;
  assert.deepEqual(listen6?.local, { address: '::', port: 5000 });
  assert.equal(listen6?.remote, undefined);
  assert.deepEqual(r.items[4]?.socket.remote, { address: 'fe80::1%12', port: 51234 });
  assert.equal(r.items[4]?.socket.fd, undefined);
});

test('a single Get-NetTCPConnection row is an object, its State a name; empty output is no rows', () => {
  const r = parsePowerShellSockets(readFixture('win32', 'get-nettcpconnection-single.json'));
  assert.equal(r.items.length, 1);
  assert.equal(r.items[0]?.socket.state, 'CLOSE_WAIT');
  assert.equal(r.items[0]?.socket.inode, 'tcp6|[::1]:5000|[::1]:6000');
  assert.deepEqual(parsePowerShellSockets('\r\n'), { items: [], skipped: 0, process: undefined, tcpAvailable: true });
  assert.throws(() => parsePowerShellSockets('Get-NetTCPConnection : The term is not recognized'));
});

test("SockScope's combined document: process, TCP rows, UDP rows wrapped as {value, Count}", () => {
  const r = parsePowerShellSockets(readFixture('win32', 'sockscope-powershell.json'));
  assert.deepEqual(r.process, { pid: 4321, name: 'server.exe', cmdline: '"C:\\Apps\\server.exe" --port 5000', handleCount: 412 });
  assert.equal(r.tcpAvailable, true);
  assert.deepEqual(r.items.map((o) => o.socket.state), ['LISTEN', 'CLOSE_WAIT', 'CLOSE_WAIT', 'FIN_WAIT_2', 'CLOSE']);
  assert.equal(r.items[4]?.socket.protocol, 'udp');
  assert.equal(parsePowerShellSockets('{"process":null,"tcpAvailable":false,"tcp":[],"udp":[]}').tcpAvailable, false);
});

test('tasklist CSV: quotes, doubled quotes, localized memory, messages that are not CSV', () => {
  const en = parseTasklistCsv(readFixture('win32', 'tasklist-en.csv'));
  assert.equal(en.skipped, 0);
  assert.deepEqual(en.items[2], { name: 'svchost.exe', pid: 1052, session: 'Services', memoryKb: 12345 });
  assert.equal(en.items[5]?.name, 'client, the "tester".exe');
  const de = parseTasklistCsv(readFixture('win32', 'tasklist-de.csv'));
  assert.deepEqual(de.items.map((t) => [t.pid, t.memoryKb]), [[0, 8], [1052, 12345], [4321, 58912]]);
  const none = parseTasklistCsv(readFixture('win32', 'tasklist-none.txt'));
  assert.deepEqual(none, { items: [], skipped: 1 });
  assert.equal(parseCsvLine('"unterminated,"1"'), undefined);
  assert.deepEqual(parseCsvLine('a,"b",,c'), ['a', 'b', '', 'c']);
});
