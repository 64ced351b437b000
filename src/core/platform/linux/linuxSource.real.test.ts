// LinuxSocketSource against real sockets: a child (test/fixtures/sockets/holder.js) opens a known set
// of sockets on 127.0.0.1 and says which fds and ports they have; the snapshot must list exactly those.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { Endpoint, TcpState } from '../../model';
import { SourceError } from '../source';
import { LinuxSocketSource } from './linuxSource';
import type { Holder } from './testSupport';
import { startHolder } from './testSupport';

const source = new LinuxSocketSource({ procRoot: '/proc' });
const unixPath = path.join(os.tmpdir(), `sockscope test ${process.pid}.sock`);
/** Above PID_MAX_LIMIT (4194304): no process can ever have this pid. */
const IMPOSSIBLE_PID = 4194305;
let holder: Holder;
const others: Holder[] = [];

before(async () => {
  holder = await startHolder({ pairs: 3, closeWait: 2, udp: true, unixPath });
});
after(async () => {
  await Promise.all([holder, ...others].map((h) => h?.stop()));
});

async function rejectsWith(p: Promise<unknown>, code: string): Promise<SourceError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  assert.ok(e instanceof SourceError, `expected SourceError ${code}, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  return e;
}

type Row = [fd: number, protocol: string, state: TcpState, local: Endpoint, remote: Endpoint | undefined];
const lo = (port: number): Endpoint => ({ address: '127.0.0.1', port });

test('snapshot lists exactly the sockets the child holds, with their states, ports and fds', async () => {
  const h = holder.held;
  const expected: Row[] = [
    ...h.listeners.map((l): Row => [l.fd, 'tcp', 'LISTEN', lo(l.port), undefined]),
    ...h.established.map((e): Row => [e.fd, 'tcp', 'ESTABLISHED', lo(e.localPort), lo(e.remotePort)]),
    ...h.closeWait.map((e): Row => [e.fd, 'tcp', 'CLOSE_WAIT', lo(e.localPort), lo(e.remotePort)]),
    ...h.udp.map((u): Row => [u.fd, 'udp', 'CLOSE', lo(u.port), undefined]),
    ...h.unix.map((u): Row => [u.fd, 'unix', 'LISTEN', { address: u.path, port: 0 }, undefined]),
    // node's spawn gives the child socketpairs for piped stdio (and stderr may be one, under node --test)
    ...h.stdioSockets.map((fd): Row => [fd, 'unix', 'ESTABLISHED', { address: '', port: 0 }, undefined]),
  ].sort((a, b) => a[0] - b[0]);
  assert.equal(h.established.length, 6);
  assert.equal(h.closeWait.length, 2);

  const snap = await source.snapshot(h.pid);
  const got = snap.sockets.map((s): Row => [s.fd ?? -1, s.protocol, s.state, s.local, s.remote]);
  assert.deepEqual(got, expected);
  assert.equal(new Set(snap.sockets.map((s) => s.inode)).size, snap.sockets.length);
  assert.deepEqual(snap.notes, []);

  const p = snap.process;
  assert.equal(p.pid, h.pid);
  assert.equal(p.name, 'node');
  assert.match(p.cmdline, /holder\.js --pairs 3 --close-wait 2/);
  assert.equal(p.uid, process.getuid?.());
  assert.deepEqual(p.fdLimit, expectedNofile());
  assert.equal(p.fdCount, fs.readdirSync(`/proc/${h.pid}/fd`).length);
  assert.equal(typeof p.startTime, 'number');
  assert.equal(await source.socketCount(h.pid), expected.length);
});

/** The child inherits our RLIMIT_NOFILE; read it independently through prlimit(1). */
function expectedNofile(): { soft: number | null; hard: number | null } {
  const out = spawnSync('prlimit', ['--nofile', '--noheadings', '--raw', '-o', 'SOFT,HARD', '--pid', String(process.pid)], { encoding: 'utf8' }).stdout.trim();
  const [soft, hard] = out.split(/\s+/).map((v) => (v === 'unlimited' ? null : Number(v)));
  return { soft: soft ?? null, hard: hard ?? null };
}

test('findPortOwners: the child owns its listener and its UDP port; a free port has no owner', async () => {
  const h = holder.held;
  const listener = h.listeners[0];
  const udp = h.udp[0];
  assert.ok(listener && udp);
  assert.deepEqual(await source.findPortOwners(listener.port), [{ pid: h.pid, name: 'node', protocol: 'tcp', port: listener.port, state: 'LISTEN' }]);
  assert.deepEqual(await source.findPortOwners(udp.port), [{ pid: h.pid, name: 'node', protocol: 'udp', port: udp.port, state: 'CLOSE' }]);
  const free = await new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
  assert.deepEqual(await source.findPortOwners(free), []);
});

test('snapshot of a pid that does not exist: NO_SUCH_PROCESS with a plain message', async () => {
  const e = await rejectsWith(source.snapshot(IMPOSSIBLE_PID), 'NO_SUCH_PROCESS');
  assert.equal(e.message, `Process ${IMPOSSIBLE_PID} does not exist (or has exited).`);
  assert.equal(await source.socketCount(IMPOSSIBLE_PID), undefined);
});

test('a child that exits between listing and snapshot: NO_SUCH_PROCESS', async () => {
  const h = await startHolder({ pairs: 1 });
  others.push(h);
  const listed = await source.listProcesses();
  const entry = listed.find((p) => p.pid === h.held.pid);
  assert.ok(entry, 'the child is listed');
  assert.equal(entry.name, 'node');
  assert.match(entry.cmdline, /holder\.js/);
  await h.stop();
  await rejectsWith(source.snapshot(h.held.pid), 'NO_SUCH_PROCESS');
});

test('a child killed while it is being read gives a snapshot or NO_SUCH_PROCESS, nothing else', async () => {
  for (let i = 0; i < 6; i++) {
    const h = await startHolder({ pairs: 50 });
    others.push(h);
    const snap = source.snapshot(h.held.pid).then((s) => s.sockets.length, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, i));
    await h.stop();
    const result = await snap;
    if (typeof result !== 'number') {
      assert.ok(result instanceof SourceError, String(result));
      assert.equal(result.code, 'NO_SUCH_PROCESS', result.message);
    }
  }
});

test('another user\'s process: PERMISSION naming root/same user, with the name and command line still available', { skip: process.getuid?.() !== 0 && 'needs root to run a reader as another user' }, () => {
  // Run a reader as 'nobody' against our (root-owned) child: its fd directory is closed to it. The
  // reader is bundled and given to node on stdin, so 'nobody' needs no access to the checkout (which may
  // sit in a folder only root can read, such as one made by `mktemp -d`), and it runs from '/'.
  const reader = esbuild.buildSync({ entryPoints: [path.join(__dirname, 'linuxSource.js')], bundle: true,
    platform: 'node', format: 'iife', globalName: 'reader', write: false }).outputFiles[0]?.text;
  assert.ok(reader, 'esbuild produced the reader bundle');
  const script = `${reader}
    const s = new reader.LinuxSocketSource({ procRoot: '/proc' });
    const report = (p) => p.then(() => ({ ok: true }), (e) => ({ code: e.code, message: e.message, partial: e.partial }));
    Promise.all([report(s.snapshot(${holder.held.pid})), report(s.findPortOwners(${holder.held.listeners[0]?.port ?? 0}))])
      .then((r) => process.stdout.write(JSON.stringify(r)));`;
  const run = spawnSync(process.execPath, ['-'], { input: script, cwd: '/', uid: 65534, gid: 65534, encoding: 'utf8', timeout: 20000 });
  assert.equal(run.status, 0, run.stderr);
  const [snap, owners] = JSON.parse(run.stdout) as { code: string; message: string; partial?: { name: string; cmdline: string; fdCount?: number } }[];
  assert.equal(snap?.code, 'PERMISSION');
  assert.match(snap?.message ?? '', new RegExp(`process ${holder.held.pid} \\(node, uid 0\\).*root or as the same user`));
  assert.equal(snap?.partial?.name, 'node');
  assert.match(snap?.partial?.cmdline ?? '', /holder\.js/);
  assert.equal(snap?.partial?.fdCount, undefined);
  assert.equal(owners?.code, 'PERMISSION');
});
