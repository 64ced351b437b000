// `sockscope sockets` against a real child process holding known sockets (test/fixtures/sockets/holder.js).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { CliIo } from '../io';
import { EXIT_OK, EXIT_USAGE } from '../io';
import type { Holder } from '../../core/platform/linux/testSupport';
import { repoRoot, startHolder } from '../../core/platform/linux/testSupport';
import type { SnapshotJson as SocketsJson } from '../../core/model';
import { socketsCommand } from './sockets';

const linux = process.platform === 'linux';
let holder: Holder;

before(async () => {
  if (linux) holder = await startHolder({ pairs: 2, closeWait: 3, udp: true });
});
after(async () => {
  await holder?.stop();
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => { out += t; }, err: (t) => { err += t; }, interrupted: new Promise(() => undefined) };
  const code = await socketsCommand(args, io);
  return { code, out, err };
}

test('--json: exactly the documented shape, with the child\'s sockets', { skip: !linux }, async () => {
  const h = holder.held;
  const { code, out, err } = await run([String(h.pid), '--json']);
  assert.equal(code, EXIT_OK, err);
  assert.equal(err, '');
  const json = JSON.parse(out) as SocketsJson;
  assert.deepEqual(Object.keys(json), ['pid', 'name', 'fdCount', 'fdLimit', 'sockets', 'socketFds', 'otherSockets', 'duplicateFds', 'timeWait']);
  assert.equal(json.pid, h.pid);
  assert.equal(json.name, 'node');
  assert.equal(json.fdCount, fs.readdirSync(`/proc/${h.pid}/fd`).length);
  assert.deepEqual(Object.keys(json.fdLimit ?? {}), ['soft', 'hard']);
  const base = ['fd', 'fds', 'inode', 'protocol', 'state', 'local', 'remote', 'txQueue', 'rxQueue'];
  for (const s of json.sockets) {
    const keys = Object.keys(s);
    assert.deepEqual(keys.slice(0, base.length), base);
    for (const extra of keys.slice(base.length)) assert.ok(['detached', 'bytesAcked', 'bytesReceived'].includes(extra), extra);
  }
  // Every socket fd is accounted for.
  const listed = json.sockets.reduce((n, s) => n + s.fds.length, 0);
  assert.equal(listed + Object.values(json.otherSockets ?? {}).reduce((n, k) => n + k, 0), json.socketFds);
  const tcp = json.sockets.filter((s) => s.protocol === 'tcp').map((s) => [s.fd, s.state, s.local, s.remote]).sort((a, b) => Number(a[0]) - Number(b[0]));
  const expected = [
    ...h.listeners.map((l) => [l.fd, 'LISTEN', `127.0.0.1:${l.port}`, null]),
    ...h.established.map((e) => [e.fd, 'ESTABLISHED', `127.0.0.1:${e.localPort}`, `127.0.0.1:${e.remotePort}`]),
    ...h.closeWait.map((e) => [e.fd, 'CLOSE_WAIT', `127.0.0.1:${e.localPort}`, `127.0.0.1:${e.remotePort}`]),
  ].sort((a, b) => Number(a[0]) - Number(b[0]));
  assert.deepEqual(tcp, expected);
  assert.deepEqual(json.sockets.filter((s) => s.protocol === 'udp').map((s) => [s.fd, s.local, s.remote]), [[h.udp[0]?.fd, `127.0.0.1:${h.udp[0]?.port}`, null]]);
});

test('text: header with name, pid, fds / soft limit; CLOSE_WAIT group first', { skip: !linux }, async () => {
  const h = holder.held;
  const { code, out } = await run([String(h.pid)]);
  assert.equal(code, EXIT_OK);
  const lines = out.split('\n');
  const fdCount = fs.readdirSync(`/proc/${h.pid}/fd`).length;
  assert.match(lines[0] ?? '', new RegExp(`^node \\(pid ${h.pid}\\): ${fdCount} fds / soft limit (\\d+|unlimited) \\(hard (\\d+|unlimited)\\), \\d+ sockets$`));
  const headings = lines.filter((l) => /^[A-Z_]+ \(\d+\)/.test(l)).map((l) => l.split(' ')[0]);
  assert.equal(headings[0], 'CLOSE_WAIT');
  assert.deepEqual(headings.filter((x) => x !== 'UNIX'), ['CLOSE_WAIT', 'ESTABLISHED', 'LISTEN', 'UDP']);
  assert.match(out, /^CLOSE_WAIT \(3\)  <- suspicious$/m);
  for (const e of h.closeWait) assert.match(out, new RegExp(`fd ${e.fd}  tcp\\s+127\\.0\\.0\\.1:${e.localPort}\\s+-> 127\\.0\\.0\\.1:${e.remotePort}`));
});

test('usage errors and unknown pids: exit 2 with one line on stderr', async () => {
  for (const args of [[], ['abc'], ['12x'], ['0'], ['-5'], ['1', '2'], ['1', '--bogus'], ['4194305']]) {
    const { code, out, err } = await run(args);
    assert.equal(code, EXIT_USAGE, args.join(' '));
    assert.equal(out, '');
    assert.equal(err.trimEnd().split('\n').length, 1, err);
    assert.match(err, /^sockscope sockets: /);
  }
  assert.match((await run(['4194305'])).err, /Process 4194305 does not exist \(or has exited\)\./);
  assert.match((await run(['abc'])).err, /'abc' is not a process id/);
  assert.match((await run([])).err, /missing <pid>/);
});

test('through the built CLI: node dist/cli.js sockets <pid> --json', { skip: !linux || !fs.existsSync(path.join(repoRoot(), 'dist', 'cli.js')) }, async () => {
  const cli = path.join(repoRoot(), 'dist', 'cli.js');
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [cli, 'sockets', String(holder.held.pid), '--json'], (e, stdout, stderr) => {
      resolve({ code: e ? Number(e.code) : 0, stdout, stderr });
    });
  });
  assert.equal(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout) as SocketsJson;
  assert.equal(json.pid, holder.held.pid);
  assert.equal(json.sockets.filter((s) => s.state === 'CLOSE_WAIT').length, 3);
  const bad = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, [cli, 'sockets', 'nope'], (e, _stdout, stderr) => resolve({ code: e ? Number(e.code) : 0, stderr }));
  });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /is not a process id/);
});

test('text: control characters in the process name, command line and socket paths are escaped, not sent to the terminal', { skip: !linux }, async () => {
  // A child that names itself with an OSC "set window title" sequence (comm, via prctl PR_SET_NAME),
  // carries another in its argv, and binds a UNIX socket whose path holds a CSI.
  const script = [
    'import ctypes, os, socket, sys',
    'ctypes.CDLL(None).prctl(15, b"\\x1b]0;pwned\\x07", 0, 0, 0)',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)',
    's.bind("\\0sock\\x1b[2Jet")',
    's.listen(1)',
    'print(os.getpid(), flush=True)',
    'sys.stdin.read()',
  ].join('\n');
  const child = spawn('python3', ['-c', script, '\x1b]2;owned\x07'], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const pid = Number(await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString()))));
    const { code, out } = await run([String(pid)]);
    assert.equal(code, EXIT_OK);
    assert.doesNotMatch(out, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/, 'no control character but the line breaks');
    const lines = out.split('\n');
    assert.equal(lines[0]?.startsWith(`\\x1b]0;pwned\\x07 (pid ${pid}): `), true, lines[0]);
    // The script's line breaks stay on the command line's one line.
    assert.equal(lines[1]?.includes(' -c "import ctypes, os, socket, sys\\nctypes.CDLL'), true, lines[1]);
    assert.equal(lines[1]?.endsWith(' \\x1b]2;owned\\x07'), true, lines[1]);
    assert.match(out, /@sock\\x1b\[2Jet/);
  } finally {
    child.stdin.end();
    await new Promise((resolve) => child.once('exit', resolve));
  }
});
