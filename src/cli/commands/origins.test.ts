// Socket origins end to end with real processes: a C program compiled with -g at test time, started
// through `sockscope run` (the CLI as a child process), read back with `sockscope sockets --json`
// and `sockscope origins`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EXIT_OK, EXIT_USAGE } from '../io';
import { cliRun, socketsOf, socketsWhen, type FrameJson, type SocketJson } from './testing/cliJson';
import { originsCommand } from './origins';
import { readProcessOrigins } from '../../core/origins/processOrigins';
import { buildProgram, buildRecorder, fixtureSource, hasGcc, siteLine, tempDir } from '../../core/origins/testing/build';

const skip = !hasGcc && 'needs Linux and gcc';
const LEAK = 300;
const CLOSED = 300;
const SOURCE = fixtureSource('leaky');
const cli = path.join(__dirname, '..', 'cli.js');
let work: string;
let library: string;
const started: ChildProcessWithoutNullStreams[] = [];

interface Started { pid: number; reuseA: number; reuseB: number; dups: number[]; pair: number[]; child: number }

before(() => {
  if (skip) return;
  work = tempDir('sockscope-origins-');
  library = buildRecorder(work);
  const records = path.join(work, 'records');
  fs.mkdirSync(records, { mode: 0o700 });
  process.env.SOCKSCOPE_ORIGINS_DIR = records;
});
after(() => {
  for (const c of started) c.kill('SIGKILL');
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Starts a program (through `sockscope run` unless `plain`) and waits for its JSON line. */
async function start(program: string, args: string[], plain = false, extraEnv: NodeJS.ProcessEnv = {}): Promise<Started> {
  const env = { ...process.env, SOCKSCOPE_ORIGINS_LIB: library, ...extraEnv };
  const child = plain ? spawn(program, args, { env }) : spawn(process.execPath, [cli, 'run', '--', program, ...args], { env });
  started.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += String(d); });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))) as Started);
    });
    child.on('exit', (code) => reject(new Error(`${program} exited (${code}) before it was ready: ${err}`)));
  });
}

const inCloseWait = (n: number) => (sockets: SocketJson[]): boolean => sockets.filter((s) => s.state === 'CLOSE_WAIT').length >= n;

const at = (s: SocketJson): string => {
  const f = s.origin?.frames[0];
  return f ? `${f.file}:${f.line} ${f.function}` : 'none';
};

test('leaked sockets are attributed to the acquisition line; closed-path sockets are gone', { skip, timeout: 120000 }, async () => {
  const program = buildProgram(work, 'leaky', ['-g', '-O0']);
  const p = await start(program, [String(LEAK), String(CLOSED)]);
  // The server's FIN for the last connections may still be on its way: wait until all are in CLOSE_WAIT.
  const sockets = await socketsWhen(p.pid, inCloseWait(LEAK));
  const closeWait = sockets.filter((s) => s.state === 'CLOSE_WAIT');
  assert.equal(closeWait.length, LEAK);
  const site = `${SOURCE}:${siteLine('leaky', 'send_message')} send_message`;
  const right = closeWait.filter((s) => at(s) === site).length;
  assert.ok(right >= 0.99 * LEAK, `${right} of ${LEAK} leaked sockets at ${site}; e.g. ${at(closeWait[0] as SocketJson)}`);
  // None of the sockets send_message closed is still there: the site holds exactly the leaked ones.
  assert.equal(sockets.filter((s) => at(s) === site).length, LEAK);
  // frames[0] is the program's code, and its caller follows.
  assert.equal(closeWait[0]?.origin?.frames[1]?.function, 'main');
  assert.equal(closeWait[0]?.origin?.frames[0]?.module, program);
  // The program changed its working directory to / before we read it: symbolization does not care.
  assert.equal(fs.readlinkSync(`/proc/${p.pid}/cwd`), '/');

  const table = await cliRun(originsCommand, [String(p.pid)]);
  assert.equal(table.code, EXIT_OK, table.err);
  const firstSite = table.out.split('\n')[2] ?? '';
  assert.equal(firstSite, `send_message ${SOURCE}:${siteLine('leaky', 'send_message')} — CLOSE_WAIT ${LEAK}  (created ${LEAK + CLOSED}, closed ${CLOSED})`);
  const json = JSON.parse((await cliRun(originsCommand, [String(p.pid), '--json'])).out) as { recorded: boolean; sites: { frames: FrameJson[]; states: Record<string, number> }[] };
  assert.equal(json.recorded, true);
  assert.deepEqual(json.sites[0]?.states, { CLOSE_WAIT: LEAK });
});

test('a descriptor closed and reused by another site is attributed to the new site', { skip, timeout: 60000 }, async () => {
  const program = buildProgram(work, 'leaky', ['-g', '-O0'], 'leaky-reuse');
  const p = await start(program, ['2', '2']);
  assert.equal(p.reuseA, p.reuseB, 'the fixture reuses the descriptor');
  const reused = (await socketsOf(p.pid)).find((s) => s.fd === p.reuseB);
  assert.equal(reused && at(reused), `${SOURCE}:${siteLine('leaky', 'reuse_b')} open_site_b`);
});

test('dup, dup2, fcntl(F_DUPFD_CLOEXEC) keep the socket\'s creation site; socketpair records both ends', { skip, timeout: 60000 }, async () => {
  const program = buildProgram(work, 'leaky', ['-g', '-O0'], 'leaky-dup');
  const p = await start(program, ['1', '1']);
  // A snapshot lists a socket once (under one of its descriptors): ask the record about each descriptor.
  const origins = await readProcessOrigins(p.pid);
  assert.ok(origins.recorded);
  const site = (fd: number): string => {
    const f = origins.originOf(fd, String(fs.statSync(`/proc/${p.pid}/fd/${fd}`).ino))?.origin.frames[0];
    return f ? `${f.file}:${f.line} ${f.function}` : 'none';
  };
  const b = `${SOURCE}:${siteLine('leaky', 'reuse_b')} open_site_b`;
  assert.deepEqual(p.dups.map(site), [b, b, b]);
  assert.deepEqual(p.dups.slice(1), [200, 1000]);
  const pair = `${SOURCE}:${siteLine('leaky', 'pair')} make_pair`;
  assert.deepEqual(p.pair.map(site), [pair, pair]);
});

test('a full event log keeps attributions and per-site counts exact', { skip, timeout: 60000 }, async () => {
  const program = buildProgram(work, 'leaky', ['-g', '-O0'], 'leaky-cap');
  // Room for two events: the log fills at once; the descriptor table and the counts do not depend on it.
  const p = await start(program, ['40', '60'], false, { SOCKSCOPE_ORIGINS_LOG_BYTES: '64' });
  const json = JSON.parse((await cliRun(originsCommand, [String(p.pid), '--json'])).out) as { sites: { frames: FrameJson[]; states: Record<string, number>; created: number; closed: number }[] };
  const leak = json.sites.find((s) => s.frames[0]?.line === siteLine('leaky', 'send_message'));
  assert.deepEqual(leak && { states: leak.states, created: leak.created, closed: leak.closed }, { states: { CLOSE_WAIT: 40 }, created: 100, closed: 60 });
  const record = fs.readFileSync(path.join(process.env.SOCKSCOPE_ORIGINS_DIR as string, `${p.pid}.origins`));
  assert.equal(record.readUInt32LE(36), 2, 'log capacity');
  assert.ok(record.readBigUInt64LE(48) > 100n, 'events beyond the cap are counted as dropped');
});

test('fork: the child has its own record; inherited sockets keep their site, none is misattributed', { skip, timeout: 60000 }, async () => {
  const program = buildProgram(work, 'leaky', ['-g', '-O0'], 'leaky-fork');
  const p = await start(program, ['3', '3', 'fork']);
  const childSite = `${SOURCE}:${siteLine('leaky', 'child')} child_site`;
  const leakSite = `${SOURCE}:${siteLine('leaky', 'send_message')} send_message`;
  const child = await socketsWhen(p.child, (ss) => ss.filter((s) => at(s) === childSite).length >= 3);
  assert.equal(child.filter((s) => at(s) === childSite).length, 3);
  assert.equal(child.filter((s) => s.state === 'CLOSE_WAIT' && at(s) === leakSite).length, 3);
  const parent = await socketsOf(p.pid);
  const parentSite = new Map(parent.map((s) => [s.inode, at(s)]));
  for (const s of child) {
    // stdio (socketpairs made by node before the program started) has no record; anything else was
    // created either by the child or by the parent before fork, and says so.
    if (s.fd !== null && s.fd <= 2) assert.equal(s.origin, undefined);
    else assert.equal(at(s), parentSite.get(s.inode) ?? childSite, `child fd ${s.fd}`);
  }
  assert.equal(parent.filter((s) => at(s) === childSite).length, 0);
  assert.equal(parent.filter((s) => s.state === 'CLOSE_WAIT' && at(s) === leakSite).length, 3);
});

test('exec: the new image is recorded afresh; the sockets it inherits from the old one have no origin rather than the old site', { skip, timeout: 60000 }, async () => {
  const program = buildProgram(work, 'leaky', ['-g', '-O0'], 'leaky-exec');
  const p = await start(program, ['3', '0', 'exec']);
  const childSite = `${SOURCE}:${siteLine('leaky', 'child')} child_site`;
  const sockets = await socketsWhen(p.pid, inCloseWait(3));
  const inherited = sockets.filter((s) => s.state === 'CLOSE_WAIT');
  assert.equal(inherited.length, 3, 'the leaked sockets survive exec');
  for (const s of inherited) assert.equal(s.origin, undefined, `inherited fd ${s.fd}: ${at(s)}`);
  assert.equal(sockets.filter((s) => at(s) === childSite).length, 3);
  assert.deepEqual(sockets.filter((s) => s.origin && at(s) !== childSite).map(at), []);
});

test('without -g: the function is named and the origin says to build with -g', { skip, timeout: 60000 }, async () => {
  const program = buildProgram(work, 'leaky', ['-O0'], 'leaky-nodebug');
  const p = await start(program, ['2', '0']);
  const leaked = (await socketsOf(p.pid)).filter((s) => s.state === 'CLOSE_WAIT');
  assert.equal(leaked.length, 2);
  for (const s of leaked) {
    assert.equal(s.origin?.note, 'no debug info: build with -g');
    assert.deepEqual([s.origin?.frames[0]?.function, s.origin?.frames[0]?.file], ['send_message', null]);
  }
});

test('a process started without the recorder: no origins, and how to get them', { skip, timeout: 60000 }, async () => {
  const program = buildProgram(work, 'leaky', ['-g', '-O0'], 'leaky-plain');
  const p = await start(program, ['2', '0'], true);
  const sockets = await socketsOf(p.pid);
  assert.ok(sockets.length > 0);
  for (const s of sockets) assert.equal(s.origin, undefined);
  const r = await cliRun(originsCommand, [String(p.pid)]);
  assert.equal(r.code, EXIT_USAGE);
  assert.equal(r.err, `sockscope origins: leaky-plain (pid ${p.pid}): origins unknown — restart it with \`sockscope run -- ${program} 2 0\`\n`);
});

test('a statically linked program is reported as not traceable, with the reason', { skip: skip || (!fs.existsSync('/usr/lib/x86_64-linux-gnu/libc.a') && 'no static libc'), timeout: 60000 }, async () => {
  const program = buildProgram(work, 'leaky', ['-g', '-O0', '-static'], 'leaky-static');
  const p = await start(program, ['1', '0']);
  const r = await cliRun(originsCommand, [String(p.pid), '--json']);
  assert.equal(r.code, EXIT_OK, r.err);
  assert.deepEqual(JSON.parse(r.out), { pid: p.pid, name: 'leaky-static', recorded: false,
    reason: 'origins not traceable: it is statically linked, so LD_PRELOAD cannot load the recorder into it' });
});

test('run: stdio and exit code pass through, the pid goes to stderr, LD_PRELOAD is appended to', { skip, timeout: 60000 }, async () => {
  const env = { ...process.env, SOCKSCOPE_ORIGINS_LIB: library, LD_PRELOAD: 'libm.so.6' };
  const child = spawn(process.execPath, [cli, 'run', 'sh', '-c', 'echo "$LD_PRELOAD"; cat; exit 7'], { env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += String(d); });
  child.stderr.on('data', (d: Buffer) => { err += String(d); });
  child.stdin.end('typed in\n');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 7);
  assert.equal(out, `libm.so.6:${path.resolve(library)}\ntyped in\n`);
  assert.match(err, /^sockscope run: pid \d+\n$/);
});

test('threads creating and closing sockets at once: every live socket at its site, none of the closed ones', { skip, timeout: 60000 }, async () => {
  const program = buildProgram(work, 'threads', ['-g', '-O0', '-pthread']);
  const p = await start(program, ['4', '200']);
  const listening = (await socketsOf(p.pid)).filter((s) => s.state === 'LISTEN');
  assert.equal(listening.length, 400);
  const site = `${fixtureSource('threads')}:${siteLine('threads', 'worker')} worker`;
  assert.deepEqual([...new Set(listening.map(at))], [site]);
});
