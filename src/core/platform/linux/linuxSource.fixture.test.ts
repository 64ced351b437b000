// LinuxSocketSource against a /proc tree built from files captured on a real machine (text files
// plus the fd links, recreated as symlinks whose targets read `socket:[inode]` exactly like /proc).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SourceError } from '../source';
import { LinuxSocketSource } from './linuxSource';
import { readFixture } from './testSupport';

const PID = 5986;
let root = '';

function writeProcess(pid: number, files: Record<string, string>, fdLinks: [string, string][], ns = 'net:[4026531840]'): void {
  const dir = path.join(root, String(pid));
  fs.mkdirSync(path.join(dir, 'fd'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'net'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'ns'), { recursive: true });
  fs.symlinkSync(ns, path.join(dir, 'ns', 'net'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text, 'latin1');
  for (const [fd, target] of fdLinks) fs.symlinkSync(target, path.join(dir, 'fd', fd));
}

const captured = (name: string): string => readFixture('linux', 'captured', name);
const tables = (): Record<string, string> =>
  Object.fromEntries(['tcp', 'tcp6', 'udp', 'udp6', 'unix'].map((t) => [`net/${t}`, captured(t)]));
const capturedLinks = (): [string, string][] =>
  captured('fd-links.txt').trim().split('\n').map((l) => l.split(' ') as [string, string]);

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-proc-'));
  const base = { stat: captured('stat'), status: captured('status'), limits: captured('limits'), cmdline: captured('cmdline'), ...tables() };
  writeProcess(PID, base, capturedLinks());
  // Same process, plus a dup'ed socket fd, a socket of another family and a malformed tcp line.
  writeProcess(6000, { ...base, stat: captured('stat').replace(/^5986/, '6000'), 'net/tcp': captured('tcp') + 'garbage line\n' },
    [...capturedLinks(), ['40', 'socket:[14071]'], ['41', 'socket:[99999]']]);
  writeProcess(4243, { stat: readFixture('linux', 'handmade', 'stat-zombie'), cmdline: '' }, []);
  writeProcess(77, { stat: '77 (kworker/0:1) I 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 20 0 1 0 30 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0', cmdline: '' }, []);
  fs.mkdirSync(path.join(root, 'self'));
  fs.mkdirSync(path.join(root, '888')); // vanished: no files left
  fs.writeFileSync(path.join(root, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

const source = (): LinuxSocketSource => new LinuxSocketSource({ procRoot: root, passwdPath: path.join(root, 'passwd'), littleEndian: true, linkBatch: 4 });

async function rejectsWith(p: Promise<unknown>, code: string, message?: string): Promise<SourceError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof SourceError, `not a SourceError: ${String(e)}`);
    assert.equal(e.code, code);
    if (message !== undefined) assert.equal(e.message, message);
    return e;
  }
  assert.fail(`expected SourceError ${code}`);
}

test('snapshot: exactly the sockets held by the fds, with fd numbers, from the process\'s own tables', async () => {
  const snap = await source().snapshot(PID);
  const got = snap.sockets.map((s) => [s.fd, s.inode, s.protocol, s.state]);
  assert.deepEqual(got, [
    [19, '14067', 'unix', 'LISTEN'], [20, '14068', 'unix', 'LISTEN'],
    [21, '14069', 'tcp6', 'LISTEN'], [22, '14070', 'tcp6', 'LISTEN'], [23, '14071', 'tcp', 'LISTEN'],
    [24, '14072', 'udp6', 'CLOSE'], [25, '14073', 'udp', 'CLOSE'],
    [26, '14074', 'tcp', 'ESTABLISHED'], [27, '14075', 'tcp6', 'ESTABLISHED'], [28, '14076', 'tcp', 'ESTABLISHED'],
    [29, '14077', 'tcp6', 'ESTABLISHED'], [30, '14078', 'tcp6', 'ESTABLISHED'], [31, '14079', 'tcp', 'ESTABLISHED'],
  ]);
  // Not held by this process: TIME_WAIT leftovers (inode 0), other processes' sockets.
  assert.ok(!snap.sockets.some((s) => s.state === 'TIME_WAIT' || s.inode === '657' || s.inode === '9891'));
  assert.deepEqual(snap.sockets.find((s) => s.inode === '14078')?.local, { address: '::ffff:127.0.0.1', port: 0x80a9 });
  assert.deepEqual(snap.notes, []);
  const p = snap.process;
  assert.deepEqual([p.pid, p.name, p.uid, p.fdCount, p.fdLimit, p.startTime], [PID, 'node', 0, 33, { soft: 20000, hard: 20000 }, 35242]);
  assert.match(p.cmdline, /^node -e .* "arg with space" ""$/);
});

test('snapshot: dup\'ed fds keep the lowest fd; other socket families and malformed lines become notes', async () => {
  const snap = await source().snapshot(6000);
  assert.equal(snap.sockets.length, 13);
  assert.equal(snap.sockets.find((s) => s.inode === '14071')?.fd, 23);
  assert.equal(snap.process.fdCount, 35);
  assert.deepEqual([...snap.notes].sort(), [
    '1 malformed line skipped in net/tcp.',
    '1 more descriptor share a socket shown here (dup or inherited).',
    '1 socket of other kinds not listed: 1 in no /proc table (e.g. a reset TCP connection, a socket never bound, a netlink socket; the netlink helper tells which).',
  ].sort());
  // Every socket fd accounted for: 13 sockets, one of them on two fds, and one of another kind.
  assert.deepEqual(snap.socketFds, { fds: 15, otherKinds: { unknown: 1 }, duplicates: 1 });
  assert.equal(snap.sockets.find((s) => s.inode === '14071')?.fds?.[0], 23);
  assert.equal(snap.sockets.find((s) => s.inode === '14071')?.fds?.length, 2);
});

test('snapshot faults: unknown pid, zombie, bad pid', async () => {
  await rejectsWith(source().snapshot(123), 'NO_SUCH_PROCESS', 'Process 123 does not exist (or has exited).');
  await rejectsWith(source().snapshot(4243), 'NO_SUCH_PROCESS', 'Process 4243 does not exist (or has exited).');
  await rejectsWith(source().snapshot(888), 'NO_SUCH_PROCESS');
  for (const bad of [0, -1, 1.5, NaN]) await rejectsWith(source().snapshot(bad), 'BAD_INPUT');
});

test('snapshot of a missing proc root is a SourceError, not a raw errno', async () => {
  const missing = new LinuxSocketSource({ procRoot: path.join(root, 'nope') });
  await rejectsWith(missing.snapshot(1), 'NO_SUCH_PROCESS');
  await rejectsWith(missing.listProcesses(), 'TOOL_FAILED');
});

test('socketCount counts socket links (dups included) and is undefined when unknown', async () => {
  assert.equal(await source().socketCount(PID), 13);
  assert.equal(await source().socketCount(6000), 15);
  assert.equal(await source().socketCount(123), undefined);
});

test('listProcesses: numeric entries with name, cmdline and user; zombies, kernel threads and vanished pids left out', async () => {
  const list = await source().listProcesses();
  assert.deepEqual(list.map((p) => p.pid).sort(), [PID, 6000]);
  const p = list.find((x) => x.pid === PID);
  assert.equal(p?.name, 'node');
  assert.match(p?.cmdline ?? '', /^node -e /);
  assert.equal(p?.user, os.userInfo().uid === 0 ? 'root' : String(os.userInfo().uid));
});

test('findPortOwners: listeners and bound UDP sockets map to their pids; other ports give []', async () => {
  const s = source();
  assert.deepEqual(await s.findPortOwners(0x913b), [
    { pid: PID, name: 'node', protocol: 'tcp', port: 0x913b, state: 'LISTEN' },
    { pid: 6000, name: 'node', protocol: 'tcp', port: 0x913b, state: 'LISTEN' },
  ]);
  assert.deepEqual((await s.findPortOwners(0xa989)).map((o) => [o.pid, o.protocol, o.state]), [[PID, 'tcp6', 'LISTEN'], [6000, 'tcp6', 'LISTEN']]);
  assert.deepEqual((await s.findPortOwners(0xd448)).map((o) => [o.pid, o.protocol, o.state]), [[PID, 'udp', 'CLOSE'], [6000, 'udp', 'CLOSE']]);
  assert.deepEqual(await s.findPortOwners(2024), []); // a listener no process of this tree holds
  assert.deepEqual(await s.findPortOwners(0xdf5a), []); // only a client-side (ESTABLISHED) port
  assert.deepEqual(await s.findPortOwners(1), []);
  await rejectsWith(s.findPortOwners(70000), 'BAD_INPUT');
});
