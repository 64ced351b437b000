// The Linux source against processes that are awkward to read (test/fixtures/sockets/oddproc.c, built
// here with the system C compiler): one whose main thread has exited while another thread runs on, and
// one that made itself not dumpable.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcessByStdio } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Readable, Writable } from 'stream';
import { SourceError } from '../source';
import { LinuxSocketSource } from './linuxSource';
import { fixturePath, repoRoot } from './testSupport';

const cc = ['cc', 'gcc', 'clang'].find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
const skip = process.platform !== 'linux' ? 'Linux only' : !cc ? 'no C compiler' : false;
const root = process.getuid?.() === 0;
const NOBODY = 65534;

let dir: string;
let binary: string;
const children: ChildProcessByStdio<Writable, Readable, null>[] = [];
const sources: LinuxSocketSource[] = [];

before(() => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-oddproc-'));
  fs.chmodSync(dir, 0o755); // run by 'nobody' too
  binary = path.join(dir, 'oddproc');
  execFileSync(cc as string, ['-O2', '-Wall', '-Wextra', '-Werror', '-pthread', '-o', binary, fixturePath('sockets', 'oddproc.c')]);
});
after(async () => {
  for (const s of sources) s.dispose();
  await Promise.all(children.map((c) => {
    if (c.exitCode !== null || c.signalCode !== null) return undefined;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.stdin.end();
    return exited;
  }));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface Odd { pid: number; fd: number; port: number }

async function startOdd(mode: 'leader-exit' | 'undumpable', asUser?: number): Promise<Odd> {
  const child = spawn(binary, [mode], { stdio: ['pipe', 'pipe', 'inherit'], ...(asUser === undefined ? {} : { uid: asUser, gid: asUser }) });
  children.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString()));
    child.once('exit', (code) => reject(new Error(`oddproc ${mode} exited (${String(code)})`)));
  });
  return JSON.parse(line) as Odd;
}

async function zombieLeader(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'latin1'))) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail('the main thread did not exit');
}

test('a process whose main thread called pthread_exit is read through a thread that lives: its listener, name and command line', { skip }, async () => {
  const odd = await startOdd('leader-exit');
  await zombieLeader(odd.pid);
  const helper = path.join(repoRoot(), 'dist', 'bin', 'sockscope-netlink');
  const readers = [new LinuxSocketSource({ procRoot: '/proc' }), ...(fs.existsSync(helper) ? [new LinuxSocketSource({ procRoot: '/proc', netlinkHelper: helper })] : [])];
  sources.push(...readers);
  for (const source of readers) {
    const snap = await source.snapshot(odd.pid);
    const tcp = snap.sockets.filter((s) => s.protocol === 'tcp');
    assert.deepEqual(tcp.map((s) => [s.fd, s.state, s.local.port]), [[odd.fd, 'LISTEN', odd.port]]);
    assert.equal(snap.process.name, 'oddproc');
    assert.equal(snap.process.cmdline, `${binary} leader-exit`);
    assert.equal(snap.process.fdCount, fs.readdirSync(`/proc/${odd.pid}/task/${fs.readdirSync(`/proc/${odd.pid}/task`).find((t) => t !== String(odd.pid))}/fd`).length);
    assert.equal(await source.socketCount(odd.pid), snap.sockets.length);
    assert.deepEqual(await source.findPortOwners(odd.port), [{ pid: odd.pid, name: 'oddproc', protocol: 'tcp', port: odd.port, state: 'LISTEN' }]);
    const listed = (await source.listProcesses()).find((p) => p.pid === odd.pid);
    assert.equal(listed?.cmdline, `${binary} leader-exit`);
  }
  // When the last thread ends, the process is gone.
  const child = children[children.length - 1];
  const exited = new Promise((resolve) => child?.once('exit', resolve));
  child?.stdin.end();
  await exited;
  const e = await (readers[0] as LinuxSocketSource).snapshot(odd.pid).then(() => undefined, (err: unknown) => err);
  assert.ok(e instanceof SourceError && e.code === 'NO_SUCH_PROCESS', String(e));
});

test('a same-user process that is not dumpable: PERMISSION that says so, not "run as the same user"', { skip }, async () => {
  // As root the kernel lets us in: run both the process and the reader as 'nobody'.
  const odd = await startOdd('undumpable', root ? NOBODY : undefined);
  let result: { code?: string; message?: string; partial?: { name: string } };
  if (root) {
    const script = `
      const { LinuxSocketSource } = require(${JSON.stringify(path.join(__dirname, 'linuxSource.js'))});
      new LinuxSocketSource({ procRoot: '/proc' }).snapshot(${odd.pid})
        .then(() => ({ ok: true }), (e) => ({ code: e.code, message: e.message, partial: e.partial }))
        .then((r) => process.stdout.write(JSON.stringify(r)));`;
    const run = spawnSync(process.execPath, ['-e', script], { uid: NOBODY, gid: NOBODY, encoding: 'utf8', timeout: 20000 });
    assert.equal(run.status, 0, run.stderr);
    result = JSON.parse(run.stdout) as typeof result;
  } else {
    result = await new LinuxSocketSource({ procRoot: '/proc' }).snapshot(odd.pid).then(() => ({}), (e: SourceError) => ({ code: e.code, message: e.message }));
  }
  assert.equal(result.code, 'PERMISSION');
  assert.match(result.message ?? '', new RegExp(`^No permission to read the descriptors of process ${odd.pid} \\(oddproc, uid \\d+\\): it runs as your user, but it is not dumpable \\(it called prctl\\(PR_SET_DUMPABLE, 0\\)`));
  assert.doesNotMatch(result.message ?? '', /same user/);
});
