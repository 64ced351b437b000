// Every socket descriptor accounted for, by both readers, against real sockets: TCP connections
// that left the kernel's tables (reset) and bound-only TCP sockets, dup'd fds, UNIX queues and
// peers as ss shows them, and socket names crafted to forge rows.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { groupByState, snapshotToJson } from '../../model';
import { LinuxSocketSource } from './linuxSource';
import { NetlinkHelper } from './netlinkHelper';
import { Changer, repoRoot } from './testSupport';

const helperPath = path.join(repoRoot(), 'dist', 'bin', 'sockscope-netlink');
const built = fs.existsSync(helperPath);
const skip = process.platform !== 'linux' ? 'Linux only' : !built && !process.env.CI ? `${helperPath} not built (no C compiler)` : false;
const hasSs = (() => {
  try {
    execFileSync('ss', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const proc = new LinuxSocketSource({ procRoot: '/proc' });
const sources: LinuxSocketSource[] = [];
const helpers: NetlinkHelper[] = [];
function helperSource(): LinuxSocketSource {
  const s = new LinuxSocketSource({ procRoot: '/proc', netlinkHelper: helperPath });
  sources.push(s);
  return s;
}
after(() => {
  for (const s of sources) s.dispose();
  for (const h of helpers) h.dispose();
});

/** Socket fds of a process, straight from its fd links. */
function socketFdCount(pid: number): number {
  const dir = `/proc/${pid}/fd`;
  return fs.readdirSync(dir).filter((fd) => {
    try {
      return fs.readlinkSync(`${dir}/${fd}`).startsWith('socket:[');
    } catch {
      return false;
    }
  }).length;
}

/** `ss` lines of a process's sockets (`-x` UNIX, `-t` TCP), with the process column. */
function ssLines(pid: number, kind: '-x' | '-t'): string[] {
  return execFileSync('ss', ['-H', '-a', '-n', '-p', kind], { encoding: 'latin1' }).split('\n').filter((l) => l.includes(`pid=${pid},`));
}

test('a TCP connection reset by its peer still counts while its fd is held: TCP CLOSE (fd still held); every socket fd is in the JSON', { skip }, async () => {
  const { changer, pid } = await Changer.start();
  try {
    const a = await changer.do('pair');
    const b = await changer.do('pair');
    const copy = await changer.do(`dup ${b.server}`);
    await changer.do(`reset ${a.client}`); // a.server leaves /proc/net/tcp (and ss) with its fd still open
    await new Promise((r) => setTimeout(r, 50));
    if (hasSs) assert.ok(!ssLines(pid, '-t').some((l) => l.includes(`fd=${a.server})`)), 'ss lists the reset socket: the test sets nothing up');

    const viaHelper = await helperSource().snapshot(pid);
    const held = viaHelper.sockets.find((s) => s.fd === a.server);
    assert.deepEqual([held?.protocol, held?.state, held?.detached], ['tcp', 'CLOSE', true]);
    assert.ok(groupByState(viaHelper.sockets).some((g) => g.label === 'TCP CLOSE (fd still held)' && g.sockets.includes(held as never)));
    assert.ok(!viaHelper.notes.some((n) => n.includes('other kinds')), viaHelper.notes.join(' | '));

    // The JSON accounts for every socket fd: the listed sockets' fds plus the other kinds.
    const fds = socketFdCount(pid);
    for (const snap of [viaHelper, await proc.snapshot(pid)]) {
      const json = snapshotToJson(snap);
      const listed = json.sockets.reduce((n, s) => n + s.fds.length, 0);
      const others = Object.values(json.otherSockets ?? {}).reduce((n, k) => n + k, 0);
      assert.equal(json.socketFds, fds);
      assert.equal(listed + others, fds, JSON.stringify({ listed, others, fds }));
      assert.equal(json.duplicateFds, 1);
      assert.deepEqual(json.sockets.find((s) => s.fds.includes(copy.fd as number))?.fds, [b.server, copy.fd].sort((x, y) => (x as number) - (y as number)));
    }
    // /proc cannot tell a reset TCP socket from other sockets in no table, but counts it.
    const viaProc = await proc.snapshot(pid);
    assert.deepEqual(viaProc.socketFds?.otherKinds, { unknown: 1 });
    assert.ok(viaProc.notes.some((n) => n.startsWith('1 socket of other kinds not listed: 1 in no /proc table')), viaProc.notes.join(' | '));
  } finally {
    changer.stop();
  }
});

test('sockets of other kinds are counted by kind, the same through the helper and /proc', { skip }, async () => {
  const { changer, pid } = await Changer.start();
  try {
    await changer.do('netlink');
    const viaHelper = await helperSource().snapshot(pid);
    const viaProc = await proc.snapshot(pid);
    assert.deepEqual(viaHelper.socketFds?.otherKinds, { NETLINK: 1 });
    assert.deepEqual(viaProc.socketFds?.otherKinds, { NETLINK: 1 });
    assert.deepEqual(viaHelper.notes, viaProc.notes);
    assert.deepEqual(viaProc.notes, ['1 socket of other kinds not listed: NETLINK 1.']);
  } finally {
    changer.stop();
  }
});

test('a bound-only TCP socket: the helper lists no row for it, as /proc and ss do not, and both count its fd', { skip }, async () => {
  const { changer, pid } = await Changer.start();
  try {
    const bound = await changer.do('bind');
    const viaHelper = await helperSource().snapshot(pid);
    const viaProc = await proc.snapshot(pid);
    const listedPorts = (s: typeof viaHelper): number[] => s.sockets.filter((k) => !k.detached).map((k) => k.local.port);
    assert.ok(!listedPorts(viaHelper).includes(bound.port as number), 'the helper lists the bound-only socket with its port');
    assert.deepEqual(listedPorts(viaHelper), listedPorts(viaProc));
    if (hasSs) assert.ok(!ssLines(pid, '-t').some((l) => l.includes(`:${bound.port} `)));
    // Both account for its fd: the helper knows it is TCP (state CLOSE), /proc only that it is in no table.
    assert.deepEqual(viaHelper.sockets.filter((k) => k.detached).map((k) => [k.fd, k.protocol, k.state]), [[bound.fd, 'tcp', 'CLOSE']]);
    assert.equal(viaProc.socketFds?.otherKinds.unknown, 1);
    assert.equal(viaHelper.socketFds?.fds, viaProc.socketFds?.fds);
  } finally {
    changer.stop();
  }
});

test('UNIX sockets through sock_diag: the queue and the peer, as ss shows them', { skip }, async () => {
  const { changer, pid } = await Changer.start();
  try {
    const u = await changer.do('unixpair');
    await changer.do(`send ${u.a} 5000`);
    const snap = await helperSource().snapshot(pid);
    const a = snap.sockets.find((s) => s.fd === u.a);
    const b = snap.sockets.find((s) => s.fd === u.b);
    assert.equal(b?.rxQueue, 5000);
    assert.equal(b?.peerInode, a?.inode);
    assert.equal(a?.peerInode, b?.inode);
    if (hasSs) {
      // ss: Netid State Recv-Q Send-Q Local-Address Port Peer-Address Port Process (unnamed: "*", the port is the inode)
      const columns = ssLines(pid, '-x').map((l) => l.trim().split(/\s+/));
      for (const s of [a, b]) {
        const c = columns.find((f) => f[5] === s?.inode);
        assert.deepEqual([c?.[2], c?.[3], c?.[7]], [String(s?.rxQueue), String(s?.txQueue), s?.peerInode], JSON.stringify(columns));
      }
    }
  } finally {
    changer.stop();
  }
});

test('a UNIX socket name that holds a newline and a forged line: one row per inode on both readers, the name intact through the helper', { skip }, async () => {
  const { changer, pid } = await Changer.start();
  try {
    const victim = await changer.do('unixpair');
    const before = await proc.snapshot(pid);
    const inode = before.sockets.find((s) => s.fd === victim.a)?.inode as string;
    // A line as /proc/net/unix prints it, claiming the victim's inode is a listener.
    const fake = `0000000000000000: 00000002 00000000 00010000 0001 01 ${inode} /forged`;
    const name = `evil\n${fake}`;
    const forger = await changer.do(`abstract ${Buffer.from(name, 'latin1').toString('hex')}`);
    for (const snap of [await helperSource().snapshot(pid), await proc.snapshot(pid)]) {
      const rows = snap.sockets.filter((s) => s.inode === inode);
      assert.equal(rows.length, 1);
      assert.deepEqual([rows[0]?.state, rows[0]?.local.address], ['ESTABLISHED', '']);
    }
    const viaHelper = await helperSource().snapshot(pid);
    assert.equal(viaHelper.sockets.find((s) => s.fd === forger.fd)?.local.address, `@${name}`);
  } finally {
    changer.stop();
  }
});

test('the helper refuses a request line over 255 bytes and an unterminated last line instead of running pieces of them', { skip }, async () => {
  const helper = new NetlinkHelper(helperPath);
  helpers.push(helper);
  const refused = /^begin 0\nerror EINVAL request line too long or not terminated\nend\n$/;
  // 300 bytes: split at 255 the tail would read "<pid> full" and be run as a second request.
  assert.match(await helper.requestLine(`${`${process.pid} full`.padStart(299)}\n`), refused);
  assert.match(await helper.requestLine(`${process.pid} delta\n`), /^begin \d+\nfds /);
  const child = execFileSync(helperPath, [], { input: `${process.pid} full`, encoding: 'latin1' });
  assert.match(child, refused);
});
