import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countTcpStates, socketKey } from '../../model';
import { parseLsofFields } from './lsofFields';
import { parseLsofSockets } from './lsofSockets';
import { readFixture } from './testSupport';

test('lsof field output: every socket kind and state of a macOS server', () => {
  const r = parseLsofSockets(readFixture('darwin', 'lsof-server.txt'), 4242);
  assert.equal(r.skipped, 0);
  assert.equal(r.truncated, false);
  assert.equal(r.command, 'node');
  assert.deepEqual(r.pids, [4242]);
  // 0,1,2,3,5 and 18..33: cwd/txt are not descriptors.
  assert.equal(r.fdCount, 21);
  const byFd = new Map(r.items.map((s) => [s.fd, s]));
  // ICMP (fd 32) is not listed; fd 33 is a dup of fd 21 (same kernel socket) and is listed once.
  assert.deepEqual([...byFd.keys()], [18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);

  assert.deepEqual(byFd.get(18), {
    protocol: 'tcp6', state: 'LISTEN', local: { address: '::', port: 8080 }, remote: undefined, fd: 18,
    inode: '0x8a3c2e7f1b2d4e5f', txQueue: 0, rxQueue: 0,
  });
  const cw = byFd.get(21);
  assert.equal(cw?.state, 'CLOSE_WAIT');
  assert.deepEqual(cw?.remote, { address: '127.0.0.1', port: 43211 });
  assert.equal(cw?.rxQueue, 517);
  assert.deepEqual(byFd.get(23)?.local, { address: '::1', port: 5000 });
  assert.equal(byFd.get(23)?.state, 'FIN_WAIT_2');
  assert.deepEqual(byFd.get(24)?.remote, { address: 'fe80::1%lo0', port: 51234 });
  assert.equal(byFd.get(24)?.txQueue, 12);
  assert.equal(byFd.get(25)?.state, 'SYN_SENT');
  assert.deepEqual(byFd.get(26)?.local, { address: '::ffff:127.0.0.1', port: 5001 });
  assert.equal(byFd.get(26)?.state, 'TIME_WAIT');
  assert.deepEqual(byFd.get(27), {
    protocol: 'udp', state: 'CLOSE', local: { address: '0.0.0.0', port: 5353 }, remote: undefined, fd: 27,
    inode: '0x8a3c2e7f1b2d52aa', txQueue: 0, rxQueue: 0,
  });
  assert.equal(byFd.get(28)?.protocol, 'udp6');
  assert.equal(byFd.get(28)?.state, 'ESTABLISHED');
  assert.deepEqual(byFd.get(28)?.remote, { address: '::1', port: 53 });

  const unixNamed = byFd.get(29);
  assert.equal(unixNamed?.protocol, 'unix');
  assert.deepEqual(unixNamed?.local, { address: '/var/run/app.sock', port: 0 });
  assert.equal(unixNamed?.state, 'LISTEN');
  assert.equal(byFd.get(30)?.state, 'ESTABLISHED');
  assert.deepEqual(byFd.get(30)?.local, { address: '', port: 0 });
  assert.equal(byFd.get(31)?.state, 'CLOSE');

  assert.deepEqual(countTcpStates(r.items), {
    LISTEN: 2, ESTABLISHED: 1, CLOSE_WAIT: 2, FIN_WAIT_2: 1, LAST_ACK: 1, SYN_SENT: 1, TIME_WAIT: 1,
  });
  assert.equal(new Set(r.items.map(socketKey)).size, r.items.length, 'socket keys are unique');
});

test('lsof output cut off mid-line and malformed lines are counted, never thrown', () => {
  const r = parseLsofSockets(readFixture('darwin', 'lsof-truncated.txt'), 777);
  assert.equal(r.truncated, true);
  // bad name (f4), "TST" without "=", "?garbage line", the cut-off last line, and f6 left without a name.
  assert.equal(r.skipped, 5);
  assert.deepEqual(r.items.map((s) => [s.fd, s.state]), [[3, 'LISTEN'], [5, 'CLOSE_WAIT']]);
  assert.equal(r.items[1]?.remote?.port, 60001);
});

test('only the asked pid is read; fds before any process are skipped', () => {
  const text = 'f3\np1\nccmd\nf4\ntIPv4\nPTCP\nn127.0.0.1:1->127.0.0.1:2\nTST=ESTABLISHED\np2\nf5\ntIPv4\nPUDP\nn*:53\n';
  const r = parseLsofSockets(text, 2);
  assert.deepEqual(r.pids, [2]);
  assert.equal(r.items.length, 1);
  assert.equal(r.items[0]?.protocol, 'udp');
  assert.equal(r.skipped, 1);
  assert.equal(parseLsofSockets(text).items.length, 2);
});

test('without a device field the id is pid:fd; a " (STATE)" name suffix gives the state', () => {
  const r = parseLsofSockets('p9\nf7\ntIPv4\nPTCP\nn*:80 (LISTEN)\n', 9);
  assert.equal(r.items[0]?.inode, '9:7');
  assert.equal(r.items[0]?.state, 'LISTEN');
  assert.deepEqual(r.items[0]?.local, { address: '0.0.0.0', port: 80 });
});

test('Linux lsof names: UNIX "type=STREAM" suffix, CONNECTED/UNCONNECTED states', () => {
  // Captured from lsof 4.95 on Linux with -F pcfdnPtTsi.
  const text = [
    'p8370', 'cpython3',
    'f3', 'tunix', 'd0x00000000c39a7b6c', 'i17941', 'n/tmp/x.sock type=STREAM', 'TST=LISTEN',
    'f4', 'tunix', 'd0x0000000001bf50fd', 'i17942', 'ntype=STREAM', 'TST=CONNECTED',
    'f5', 'tunix', 'd0x0000000044809065', 'i17943', 'ntype=DGRAM', 'TST=UNCONNECTED', '',
  ].join('\n');
  const r = parseLsofSockets(text, 8370);
  assert.deepEqual(r.items.map((s) => [s.local.address, s.unixType, s.state]), [
    ['/tmp/x.sock', 'stream', 'LISTEN'], ['', 'stream', 'ESTABLISHED'], ['', 'dgram', 'CLOSE'],
  ]);
});

test('parseLsofFields keeps process-level fields and repeated T fields apart', () => {
  const r = parseLsofFields('p1\ncinit\nu0\nf1\ntIPv4\nTST=LISTEN\nTQR=3\nTQS=4\n');
  assert.equal(r.processes[0]?.command, 'init');
  const f = r.processes[0]?.files[0];
  assert.equal(f?.tcpInfo.get('QR'), '3');
  assert.equal(f?.tcpInfo.get('ST'), 'LISTEN');
  assert.equal(f?.fields.get('t'), 'IPv4');
  assert.equal(parseLsofFields('pabc\nf1\n').skipped, 2);
});
