import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from '../../model';
import { parseInetTable, parseUnixTable, tableInodes } from './netTables';
import { readFixture } from './testSupport';

function byInode(items: readonly Socket[], inode: string): Socket {
  const s = items.find((x) => x.inode === inode);
  assert.ok(s, `inode ${inode} not parsed`);
  return s;
}

test('captured net/tcp: header ignored, listeners, established pairs and TIME_WAIT leftovers', () => {
  const { items, skipped } = parseInetTable(readFixture('linux', 'captured', 'tcp'), 'tcp');
  assert.equal(skipped, 0);
  assert.equal(items.length, 10);
  const listener = byInode(items, '14071');
  assert.equal(listener.state, 'LISTEN');
  assert.deepEqual(listener.local, { address: '127.0.0.1', port: 0x913b });
  assert.equal(listener.remote, undefined);
  const est = byInode(items, '14079');
  assert.equal(est.state, 'ESTABLISHED');
  assert.deepEqual(est.remote, { address: '127.0.0.1', port: 0xdf5a });
  assert.deepEqual(byInode(items, '657').local, { address: '0.0.0.0', port: 2024 });
  const timeWait = items.filter((s) => s.state === 'TIME_WAIT');
  assert.equal(timeWait.length, 5);
  assert.ok(timeWait.every((s) => s.inode === '0' && s.timer?.active === 3));
  assert.equal(timeWait[0]?.timer?.jiffies, 0xa11);
  assert.ok(items.every((s) => s.protocol === 'tcp' && s.fd === undefined && s.uid === 0));
});

test('captured net/tcp6: ::1, ::, v4-mapped addresses', () => {
  const { items, skipped } = parseInetTable(readFixture('linux', 'captured', 'tcp6'), 'tcp6');
  assert.equal(skipped, 0);
  assert.equal(items.length, 7);
  assert.deepEqual(byInode(items, '14069').local, { address: '::1', port: 0xa989 });
  assert.equal(byInode(items, '14069').state, 'LISTEN');
  assert.deepEqual(byInode(items, '14070').local, { address: '::', port: 0x80a9 });
  const mapped = byInode(items, '14078');
  assert.equal(mapped.state, 'ESTABLISHED');
  assert.deepEqual(mapped.local, { address: '::ffff:127.0.0.1', port: 0x80a9 });
  assert.deepEqual(mapped.remote, { address: '::ffff:127.0.0.1', port: 0x9646 });
  assert.deepEqual(byInode(items, '14077').remote, { address: '::1', port: 0xe5c6 });
});

test('captured net/udp and net/udp6: unconnected sockets are CLOSE with no remote', () => {
  const udp = parseInetTable(readFixture('linux', 'captured', 'udp'), 'udp');
  assert.deepEqual(udp.items.map((s) => [s.inode, s.state, s.local.address, s.local.port, s.remote]), [['14073', 'CLOSE', '127.0.0.1', 0xd448, undefined]]);
  const udp6 = parseInetTable(readFixture('linux', 'captured', 'udp6'), 'udp6');
  assert.deepEqual(udp6.items.map((s) => [s.inode, s.protocol, s.local.address, s.local.port]), [['14072', 'udp6', '::1', 0x94c5]]);
  assert.equal(udp.skipped + udp6.skipped, 0);
});

test('hand-made net/tcp: odd spacing, truncated, garbage, wrong-family and bad-hex lines', () => {
  const { items, skipped } = parseInetTable(readFixture('linux', 'handmade', 'tcp-odd'), 'tcp');
  // truncated line, garbage line, bad hex digit, IPv6 address in a v4 table
  assert.equal(skipped, 4);
  assert.deepEqual(items.map((s) => s.inode), ['5001', '5002', '5005', '5007', '0']);
  const listen = byInode(items, '5001');
  assert.deepEqual([listen.state, listen.txQueue, listen.rxQueue, listen.uid], ['LISTEN', 0, 128, 1000]);
  const closeWait = byInode(items, '5002'); // fields separated by tabs and runs of spaces
  assert.equal(closeWait.state, 'CLOSE_WAIT');
  assert.deepEqual(closeWait.remote, { address: '127.0.0.1', port: 54321 });
  assert.deepEqual([closeWait.txQueue, closeWait.rxQueue, closeWait.retransmits], [16, 32, 5]);
  assert.deepEqual(closeWait.timer, { active: 1, jiffies: 300 });
  assert.equal(byInode(items, '5005').state, 'UNKNOWN'); // state code 0x1F
  const synSent = byInode(items, '5007');
  assert.deepEqual([synSent.state, synSent.local.address, synSent.local.port, synSent.remote?.address, synSent.remote?.port, synSent.retransmits],
    ['SYN_SENT', '15.2.0.10', 50000, '8.8.8.8', 53, 2]);
});

test('fdByInode keeps only those sockets, with their fds, and drops other lines before decoding them', () => {
  const text = readFixture('linux', 'captured', 'tcp');
  const kept = parseInetTable(text, 'tcp', { fdByInode: new Map([['14079', 31], ['14071', 23], ['424242', 9]]) });
  assert.deepEqual(kept.items.map((s) => [s.inode, s.fd]), [['14071', 23], ['14079', 31]]);
  assert.equal(kept.skipped, 0);
  // a garbage line is still counted, a well-formed line of another inode is not
  const mixed = parseInetTable(`${text}garbage\n`, 'tcp', { fdByInode: new Map([['14071', 23]]) });
  assert.deepEqual([mixed.items.length, mixed.skipped], [1, 1]);
});

test('empty, header-only and binary input', () => {
  assert.deepEqual(parseInetTable('', 'tcp'), { items: [], skipped: 0 });
  const header = readFixture('linux', 'captured', 'tcp6').split('\n')[0] ?? '';
  assert.deepEqual(parseInetTable(header + '\n', 'tcp6'), { items: [], skipped: 0 });
  assert.equal(parseInetTable('\u0000\u0001\u0002 garbage\n\u00ff\u00fe', 'udp').skipped, 2);
});

test('captured net/unix: a path with spaces, an abstract name, unnamed sockets', () => {
  const { items, skipped } = parseUnixTable(readFixture('linux', 'captured', 'unix'));
  assert.equal(skipped, 0);
  assert.equal(items.length, 8);
  const named = byInode(items, '14067');
  assert.deepEqual([named.state, named.local.address, named.unixType, named.protocol], ['LISTEN', '/tmp/sockscope sock with space', 'stream', 'unix']);
  assert.ok(byInode(items, '14068').local.address.startsWith('@sockscope abstract'));
  const unnamed = byInode(items, '9891');
  assert.deepEqual([unnamed.state, unnamed.local.address, unnamed.remote], ['ESTABLISHED', '', undefined]);
});

test('hand-made net/unix: types, states, empty and spaced paths, truncated and garbage lines', () => {
  const { items, skipped } = parseUnixTable(readFixture('linux', 'handmade', 'unix-odd'));
  assert.equal(skipped, 2);
  assert.deepEqual(items.map((s) => [s.inode, s.unixType, s.state, s.local.address]), [
    ['7001', 'stream', 'LISTEN', '/run/my app/control socket'],
    ['7002', 'dgram', 'CLOSE', ''],
    ['7003', 'seqpacket', 'ESTABLISHED', '@abstract name'],
    ['7004', 'stream', 'ESTABLISHED', ''],
    ['7006', 'dgram', 'ESTABLISHED', '/tmp/dgram.sock'],
  ]);
  assert.deepEqual(parseUnixTable(readFixture('linux', 'handmade', 'unix-odd'), { fdByInode: new Map([['7003', 5]]) }).items.map((s) => [s.inode, s.fd]), [['7003', 5]]);
});

test('unix: a name holding a newline and a forged line yields one row per inode, the line that cannot be a name\'s tail', () => {
  const head = 'Num       RefCount Protocol Flags    Type St Inode Path';
  const carrier = '0000000000000000: 00000002 00000000 00000000 0002 01 900 @evil';
  const forged = '0000000000000000: 00000002 00000000 00010000 0001 01 777 /forged';
  const real = '0000000000000000: 00000003 00000000 00000000 0001 03 777';
  const fdByInode = new Map([['777', 5], ['900', 6]]);
  const unnamed = '0000000000000000: 00000003 00000000 00000000 0001 03 901';
  for (const lines of [[head, carrier, forged, unnamed, real], [head, real, carrier, forged]]) {
    const t = parseUnixTable(lines.join('\n') + '\n', { fdByInode });
    assert.deepEqual(t.items.map((s) => [s.inode, s.state, s.local.address]), lines[1] === real
      ? [['777', 'ESTABLISHED', ''], ['900', 'CLOSE', '@evil']]
      : [['900', 'CLOSE', '@evil'], ['777', 'ESTABLISHED', '']]);
    assert.equal(t.skipped, 1);
  }
});

test('other tables: inodes of netlink/packet (last column) and raw/icmp (tenth column)', () => {
  const netlink = 'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n000000006df06f05 0   23199      00000113 0        0        0     2        0        552703  \n';
  assert.deepEqual([...tableInodes(netlink, 'last')], ['552703']);
  const raw = '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n   1: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4321 2 0000000000000000 0\n';
  assert.deepEqual([...tableInodes(raw, 'inet')], ['4321']);
});
