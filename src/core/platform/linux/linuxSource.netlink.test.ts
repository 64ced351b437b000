// The Linux source through the sockscope-netlink helper (dist/bin, built by scripts/build.mjs with
// the system C compiler), against real sockets: it must list exactly what the /proc reader lists,
// first and after every kind of change, and fall back to /proc whenever the helper cannot be used.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Snapshot, Socket } from '../../model';
import { SourceError } from '../source';
import { LinuxSocketSource } from './linuxSource';
import { NetlinkHelper } from './netlinkHelper';
import type { Holder } from './testSupport';
import { Changer, repoRoot, startHolder } from './testSupport';

const helperPath = path.join(repoRoot(), 'dist', 'bin', 'sockscope-netlink');
const built = fs.existsSync(helperPath);
// CI installs a C compiler, so there the helper must exist; elsewhere a missing compiler skips these.
const skip = process.platform !== 'linux' ? 'Linux only' : !built && !process.env.CI ? `${helperPath} not built (no C compiler)` : false;

const proc = new LinuxSocketSource({ procRoot: '/proc' });
const sources: LinuxSocketSource[] = [];
function helperSource(): LinuxSocketSource {
  const s = new LinuxSocketSource({ procRoot: '/proc', netlinkHelper: helperPath });
  sources.push(s);
  return s;
}

let holder: Holder;
const unixPath = path.join(os.tmpdir(), `sockscope netlink test ${process.pid}.sock`);
before(async () => {
  if (skip) return;
  assert.ok(built, `${helperPath} is missing: the build did not compile the helper`);
  holder = await startHolder({ pairs: 3, closeWait: 2, udp: true, unixPath });
});
after(async () => {
  for (const s of sources) s.dispose();
  await holder?.stop();
});

/**
 * Everything /proc can tell too: not the timer countdown, which moves between two reads, nor what
 * only sock_diag knows (TCP progress, UNIX queues and peer).
 */
const comparable = (s: Snapshot): unknown => ({
  fdCount: s.process.fdCount,
  notes: s.notes,
  socketFds: s.socketFds,
  sockets: s.sockets.map((k: Socket) => {
    const { progress: _progress, peerInode: _peer, ...rest } = k;
    return { ...rest, timer: k.timer?.active, ...(k.protocol === 'unix' ? { txQueue: 0, rxQueue: 0 } : {}) };
  }),
});

async function assertSameAsProc(source: LinuxSocketSource, pid: number, what: string): Promise<Snapshot> {
  const viaHelper = await source.snapshot(pid);
  assert.deepEqual(comparable(viaHelper), comparable(await proc.snapshot(pid)), what);
  assert.equal(source.reader.kind, 'netlink', `${what}: the helper was not used (${source.reader.reason ?? ''})`);
  return viaHelper;
}

test('the helper lists exactly what /proc lists: TCP in every state, UDP, UNIX and stdio socketpairs', { skip }, async () => {
  const source = helperSource();
  const snap = await assertSameAsProc(source, holder.held.pid, 'first snapshot');
  const states = new Set(snap.sockets.map((s) => `${s.protocol} ${s.state}`));
  for (const expected of ['tcp LISTEN', 'tcp ESTABLISHED', 'tcp CLOSE_WAIT', 'udp CLOSE', 'unix LISTEN']) assert.ok(states.has(expected), expected);
  const second = await assertSameAsProc(source, holder.held.pid, 'second snapshot (changes only)');
  // Nothing changed: the very same array, which the history and the diff then skip.
  assert.equal((await source.snapshot(holder.held.pid)).sockets, second.sockets);
});

test('asked again about an unchanged process, the helper answers with no rows at all', { skip }, async () => {
  const helper = new NetlinkHelper(helperPath);
  try {
    const pid = holder.held.pid;
    const full = await helper.request(pid, 'full');
    assert.match(full, /^begin \d+\nfds \d+ \d+\n/);
    assert.match(full, /\nreset\n/);
    const h = holder.held;
    assert.equal(full.split('\n').filter((l) => l.startsWith('tcp ')).length, h.listeners.length + h.established.length + h.closeWait.length);
    const idle = new RegExp(`^begin ${pid}\nfds kept\ntw \\d+ \\d+ \\d+ \\d+ \\d+\nend\n$`);
    assert.match(await helper.request(pid, 'delta'), idle);
    assert.match(await helper.request(pid, 'delta'), idle);
    assert.match(await helper.request(pid, 'nonsense' as 'full'), /^begin 0\nerror EINVAL bad request\nend\n$/);
  } finally {
    helper.dispose();
  }
});

test('after opening, closing, dup-ing and replacing sockets the helper still agrees with /proc', { skip }, async () => {
  const { changer, pid } = await Changer.start();
  try {
    const source = helperSource();
    await assertSameAsProc(source, pid, 'start');
    const a = await changer.do('pair');
    await assertSameAsProc(source, pid, 'after a new listener and connection');
    const b = await changer.do('pair');
    await changer.do(`close ${a.client}`);
    const closeWait = await assertSameAsProc(source, pid, 'after closing one end (its peer is in CLOSE_WAIT)');
    assert.equal(closeWait.sockets.find((s) => s.fd === a.server)?.state, 'CLOSE_WAIT');
    const copy = await changer.do(`dup ${b.server}`);
    const dup = await assertSameAsProc(source, pid, 'after a dup');
    assert.ok(dup.notes.some((n) => n.startsWith('1 more descriptor share')), dup.notes.join(' | '));
    assert.deepEqual(dup.sockets.find((s) => s.fds?.includes(b.server as number))?.fds, [b.server, copy.fd].sort((x, y) => (x ?? 0) - (y ?? 0)));
    // The forking server: fd b.server is closed and reused by a new connection while its old socket
    // lives on in another fd; the number of fds does not change.
    const port = (await proc.snapshot(pid)).sockets.find((s) => s.fd === b.listener)?.local.port;
    await changer.do(`replace ${b.server} ${String(port)}`);
    const replaced = await assertSameAsProc(source, pid, 'after an fd was reused by a new connection');
    assert.equal(replaced.sockets.find((s) => s.fd === copy.fd)?.state, 'ESTABLISHED');
    await changer.do(`close ${b.client}`);
    await changer.do(`close ${copy.fd}`);
    await assertSameAsProc(source, pid, 'after closing both ends of a connection');
  } finally {
    changer.stop();
  }
});

test('a socket whose keepalive timer ticks and nothing else is not sent again', { skip }, async () => {
  const { changer, pid } = await Changer.start();
  const helper = new NetlinkHelper(helperPath);
  try {
    const a = await changer.do('pair');
    await changer.do(`keepalive ${a.client}`);
    const full = await helper.request(pid, 'full');
    // The keepalive timer (timer 2 in /proc's "tr" column) runs on the client's row...
    assert.match(full, new RegExp(`\\ntcp \\d+ ${a.client} 1 (?:\\S+ ){6}2 `));
    await new Promise((r) => setTimeout(r, 50)); // its countdown moves on
    // ...and asked again, the helper has no row to send. (It may read the fd links again if the
    // process ran, which a loaded machine can make happen: that is an fds line, never a socket row.)
    const delta = await helper.request(pid, 'delta');
    assert.match(delta, new RegExp(`^begin ${pid}\nfds (kept|\\d+ \\d+)\ntw [ \\d]+\nend\n$`), delta);
  } finally {
    helper.dispose();
    changer.stop();
  }
});

test('every sample is exact: an fd moved onto an existing socket, the fd of a shared socket reused by a file, a UNIX socket replaced', { skip }, async () => {
  const { changer, pid } = await Changer.start();
  try {
    const source = helperSource();
    const a = await changer.do('pair');
    const b = await changer.do('pair');
    const keep = await changer.do(`dup ${a.server}`);
    const u = await changer.do('unixpair');
    await changer.do('fork'); // a child holds a copy of every socket from now on
    await assertSameAsProc(source, pid, 'before');
    // fd a.server now holds b.client's socket; its old socket lives on in keep.fd: no fd count
    // change, no socket gone, no new socket.
    await changer.do(`dup2 ${b.client} ${a.server}`);
    await assertSameAsProc(source, pid, 'the very next sample after a dup2 onto an fd');
    // The child still holds b.server's socket: the parent's fd now holds a file.
    await changer.do(`reopen ${b.server}`);
    await assertSameAsProc(source, pid, 'the very next sample after the fd of a shared socket was reused by a file');
    await changer.do(`unixreplace ${u.a}`);
    await assertSameAsProc(source, pid, 'the very next sample after a UNIX socket was replaced on its fd');
    assert.ok(keep.fd !== undefined);
  } finally {
    changer.stop();
  }
});

test('a process that exits is NO_SUCH_PROCESS through the helper too', { skip }, async () => {
  const { changer, pid } = await Changer.start();
  const source = helperSource();
  await source.snapshot(pid);
  const exited = new Promise((resolve) => changer.child.once('exit', resolve));
  changer.stop();
  await exited;
  const e = await source.snapshot(pid).then(() => undefined, (err: unknown) => err);
  assert.ok(e instanceof SourceError && e.code === 'NO_SUCH_PROCESS', String(e));
  assert.equal(source.reader.kind, 'netlink', 'an exited process does not break the helper');
});

test('a helper that cannot run, or dies, leaves the /proc reader in charge', { skip }, async () => {
  for (const [file, reason] of [['/nonexistent/sockscope-netlink', /cannot run/], ['/bin/true', /exited|write/]] as const) {
    const source = new LinuxSocketSource({ procRoot: '/proc', netlinkHelper: file });
    sources.push(source);
    const snap = await source.snapshot(holder.held.pid);
    assert.deepEqual(comparable(snap), comparable(await proc.snapshot(holder.held.pid)));
    assert.equal(source.reader.kind, 'proc');
    assert.match(source.reader.reason ?? '', reason);
  }
});

test('dispose stops the helper process', { skip }, async () => {
  const children = (): string[] => fs.readdirSync('/proc').filter((p) => {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'latin1');
      return stat.includes('(sockscope-netli') /* comm: 15 characters */ && stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] === String(process.pid);
    } catch {
      return false;
    }
  });
  const before = new Set(children());
  const source = helperSource();
  await source.snapshot(holder.held.pid);
  const started = children().filter((p) => !before.has(p));
  assert.equal(started.length, 1);
  source.dispose();
  for (let i = 0; i < 50 && children().includes(started[0] as string); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(!children().includes(started[0] as string), 'the helper is still running');
});
