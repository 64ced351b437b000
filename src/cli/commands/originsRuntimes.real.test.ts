// Socket origins of Node.js, Python and Java programs end to end with real processes: each fixture
// (test/fixtures/origins/leaky.js, leaky.py, Leaky.java) is started through `sockscope run` (the CLI as
// a child process, which detects the runtime and injects its recorder), and read back with
// `sockscope sockets --json` and `sockscope origins`, checked against `ss` taken at the same moment.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cliRun, socketsOf, socketsWhen, type FrameJson, type SocketJson } from './testing/cliJson';
import { originsCommand } from './origins';
import { buildPythonStack, fixtureSiteLine, hasGcc, runtimeRecorders, tempDir } from '../../core/origins/testing/build';
import { repoRoot } from '../../core/platform/linux/testSupport';

const linux = process.platform === 'linux';
const has = (cmd: string, args: string[]) => linux && spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const hasPython = has('python3', ['--version']);
const hasSs = has('ss', ['-V']);
const hasJdk = has('javac', ['-version']) && has('jar', ['--version']) && has('java', ['-version']);
if (linux && !hasJdk) console.log('originsRuntimes: no JDK (javac, jar, java): the Java origins test is skipped');
const LEAK = 200;
const CLOSED = 200;
const cli = path.join(__dirname, '..', 'cli.js');
const fixtures = path.join(repoRoot(), 'test', 'fixtures', 'origins');
let work: string;
let records: string;
let lib: string;
const started: ChildProcessWithoutNullStreams[] = [];

interface Started { pid: number; reuseA?: number; reuseB?: number; chained?: string; channel?: number; channelAccepted?: number; child?: number; cwd?: string; childLine?: { pid: number; cwd: string } | null }

before(() => {
  if (!linux) return;
  work = tempDir('sockscope-origins-rt-');
  records = path.join(work, 'records');
  fs.mkdirSync(records, { mode: 0o700 });
  process.env.SOCKSCOPE_ORIGINS_DIR = records; // where this process's `sockets`/`origins` look
  // The Python recorder with its accelerator when it can be built, as `sockscope run` has it after the build.
  const stack = hasPython && hasGcc ? buildPythonStack(work) : { missing: 'no python3 or gcc' };
  lib = runtimeRecorders(work, undefined, 'file' in stack ? stack.file : undefined);
  if (hasJdk) {
    execFileSync(process.execPath, [path.join(repoRoot(), 'scripts', 'build-java-agent.mjs'), path.join(lib, 'java')], { stdio: 'inherit' });
    execFileSync('javac', ['-encoding', 'UTF-8', '-g', '-d', path.join(work, 'classes'), path.join(fixtures, 'Leaky.java')]);
    execFileSync('javac', ['-encoding', 'UTF-8', '-g', '-d', path.join(work, 'spawn-classes'), path.join(fixtures, 'JavaSpawn.java')]);
  }
});
after(() => {
  for (const c of started) c.kill('SIGKILL');
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Starts a command through `sockscope run` and waits for its JSON line. */
async function start(command: string[], extraEnv: NodeJS.ProcessEnv = {}, cwd?: string): Promise<{ p: Started; err: () => string }> {
  const env = { ...process.env, SOCKSCOPE_ORIGINS_LIB_DIR: lib, SOCKSCOPE_ORIGINS_DIR: records, ...extraEnv };
  const child = spawn(process.execPath, [cli, 'run', '--', ...command], { env, cwd });
  started.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += String(d); });
  const p = await new Promise<Started>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))) as Started);
    });
    child.on('exit', (code) => reject(new Error(`${command.join(' ')} exited (${code}) before it was ready: ${err}`)));
  });
  return { p, err: () => err };
}

/** Inodes of the process's TCP sockets in CLOSE-WAIT, as `ss -tanpe` lists them. */
function ssCloseWait(pid: number): Set<string> {
  const text = execFileSync('ss', ['-tanpe', 'state', 'close-wait'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const ino = /\bino:(\d+)/.exec(line);
    if (ino && line.includes(`pid=${pid},`)) out.add(ino[1] as string);
  }
  return out;
}

const at = (s: SocketJson): string => {
  const f = s.origin?.frames[0];
  return f ? `${f.file}:${f.line}` : 'none';
};

/**
 * Waits for the leaked sockets to reach CLOSE_WAIT and for their records (the runtime recorders write in
 * batches, at most ~200 ms late), then checks attribution and the closed path against ss.
 */
async function checkLeak(pid: number, site: string): Promise<SocketJson[]> {
  let sockets = await socketsOf(pid);
  let fromSs = ssCloseWait(pid);
  const waiting = () => sockets.filter((s) => s.state === 'CLOSE_WAIT').length < LEAK || fromSs.size < LEAK || sockets.filter((s) => at(s) === site).length < LEAK;
  for (let i = 0; i < 50 && waiting(); i++) {
    await new Promise((r) => setTimeout(r, 100));
    sockets = await socketsOf(pid);
    fromSs = ssCloseWait(pid);
  }
  const closeWait = sockets.filter((s) => s.state === 'CLOSE_WAIT');
  assert.equal(closeWait.length, LEAK);
  assert.deepEqual(new Set(closeWait.map((s) => s.inode)), fromSs, 'the same CLOSE_WAIT sockets as ss -tanpe');
  const right = closeWait.filter((s) => at(s) === site).length;
  assert.ok(right >= 0.99 * LEAK, `${right} of ${LEAK} leaked sockets at ${site}; e.g. ${at(closeWait[0] as SocketJson)}`);
  // None of the sockets closed on the other path remains: the site holds exactly the leaked ones.
  assert.equal(sockets.filter((s) => at(s) === site).length, LEAK);
  return sockets;
}

/** Whether each of these descriptors holds a socket with a recorded origin. */
const recordedFds = (...fds: (number | undefined)[]) => (sockets: SocketJson[]): boolean => fds.every((fd) => sockets.some((s) => s.fd === fd && s.origin !== undefined));

async function checkTable(pid: number, site: string): Promise<void> {
  const json = JSON.parse((await cliRun(originsCommand, [String(pid), '--json'])).out) as { recorded: boolean; sites: { frames: FrameJson[]; states: Record<string, number>; created: number; closed: number }[] };
  assert.equal(json.recorded, true);
  const first = json.sites[0];
  assert.equal(first && `${first.frames[0]?.file}:${first.frames[0]?.line}`, site);
  assert.deepEqual(first && { states: first.states, created: first.created, closed: first.closed }, { states: { CLOSE_WAIT: LEAK }, created: LEAK + CLOSED, closed: CLOSED });
}

test('Node.js: leaked sockets at the connect line, closed ones gone, a reused fd at its new site', { skip: (!linux || !hasSs) && 'needs Linux and ss', timeout: 120000 }, async () => {
  const program = path.join(fixtures, 'leaky.js');
  const { p } = await start([process.execPath, program, String(LEAK), String(CLOSED), 'reuse'], { NODE_OPTIONS: '--max-old-space-size=256' });
  const site = `${program}:${fixtureSiteLine('leaky.js', 'send_message')}`;
  const sockets = await checkLeak(p.pid, site);
  await checkTable(p.pid, site);
  assert.equal(p.reuseA, p.reuseB, 'the fixture reuses the descriptor');
  const reused = sockets.find((s) => s.fd === p.reuseB);
  assert.equal(reused && at(reused), `${program}:${fixtureSiteLine('leaky.js', 'reuse_b')}`);
  // The user's NODE_OPTIONS are kept: the program saw both.
  const options = fs.readFileSync(`/proc/${p.pid}/environ`, 'utf8').split('\0').find((e) => e.startsWith('NODE_OPTIONS='));
  assert.match(options ?? '', /^NODE_OPTIONS=--max-old-space-size=256 --require .*sockscope-origins\.js$/);
});

for (const enableSourceMaps of [false, true]) {
  test(`Node.js source maps (${enableSourceMaps ? 'with --enable-source-maps: module.findSourceMap' : 'the file\'s own sourceMappingURL'}): the TypeScript line`, { skip: !linux && 'needs Linux', timeout: 60000 }, async () => {
    const source = path.join(fixtures, 'mapped.ts');
    const outfile = path.join(work, `mapped-${enableSourceMaps}`, 'mapped.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    esbuild.buildSync({ entryPoints: [source], outfile, platform: 'node', format: 'cjs', sourcemap: 'linked', logLevel: 'silent' });
    const { p } = await start([process.execPath, ...(enableSourceMaps ? ['--enable-source-maps'] : []), outfile, '3']);
    const site = `${source}:${fixtureSiteLine('mapped.ts', 'mapped')}`;
    const sockets = await socketsWhen(p.pid, (ss) => ss.filter((s) => at(s) === site).length >= 3);
    assert.equal(sockets.filter((s) => at(s) === site).length, 3, `e.g. ${sockets.map(at).join(', ')}`);
  });
}

test('Node.js child process: it inherits NODE_OPTIONS and records its own sockets; the parent has none of them', { skip: (!linux || !hasSs) && 'needs Linux and ss', timeout: 60000 }, async () => {
  const program = path.join(fixtures, 'leaky.js');
  const { p } = await start([process.execPath, program, '3', '0', 'child']);
  assert.ok(p.child && p.child > 0);
  const site = `${program}:${fixtureSiteLine('leaky.js', 'send_message')}`;
  // The recorder writes its records in batches: wait for them, not only for the sockets' state.
  const child = await socketsWhen(p.child as number, (ss) => ss.filter((s) => s.state === 'CLOSE_WAIT' && at(s) === site).length >= 2);
  assert.equal(child.filter((s) => s.state === 'CLOSE_WAIT' && at(s) === site).length, 2);
  const childInodes = new Set(child.map((s) => s.inode));
  const parent = await socketsWhen(p.pid, (ss) => ss.filter((s) => s.state === 'CLOSE_WAIT' && at(s) === site).length >= 3);
  assert.equal(parent.filter((s) => childInodes.has(s.inode) && s.origin).length, 0, 'the parent attributes none of the child\'s sockets');
  assert.equal(parent.filter((s) => s.state === 'CLOSE_WAIT' && at(s) === site).length, 3);
});

test('Python: leaked sockets at the socket() line, closed and accepted ones gone, a reused fd at its new site; the user\'s sitecustomize still runs', { skip: (!linux || !hasPython || !hasSs) && 'needs Linux, python3 and ss', timeout: 120000 }, async () => {
  const program = path.join(fixtures, 'leaky.py');
  const userSite = path.join(work, 'usersite');
  fs.mkdirSync(userSite, { recursive: true });
  fs.writeFileSync(path.join(userSite, 'sitecustomize.py'), 'import os\nos.environ["SOCKSCOPE_TEST_CHAINED"] = "yes"\n');
  const { p } = await start(['python3', program, String(LEAK), String(CLOSED)], { PYTHONPATH: userSite });
  assert.equal(p.chained, 'yes', 'the user\'s sitecustomize ran');
  const site = `${program}:${fixtureSiteLine('leaky.py', 'send_message')}`;
  await checkLeak(p.pid, site);
  const sockets = await socketsWhen(p.pid, recordedFds(p.reuseB));
  await checkTable(p.pid, site);
  assert.equal(p.reuseA, p.reuseB, 'the fixture reuses the descriptor');
  const reused = sockets.find((s) => s.fd === p.reuseB);
  assert.equal(reused && at(reused), `${program}:${fixtureSiteLine('leaky.py', 'reuse_b')}`);
  // The program changed its working directory: the frames are absolute paths all the same.
  assert.equal(fs.readlinkSync(`/proc/${p.pid}/cwd`), '/');
  const accepted = JSON.parse((await cliRun(originsCommand, [String(p.pid), '--json'])).out) as { sites: { frames: FrameJson[]; created: number; closed: number }[] };
  const acceptSite = accepted.sites.find((s) => s.frames[0]?.line === fixtureSiteLine('leaky.py', 'accept'));
  assert.equal(acceptSite, undefined, 'every accepted socket was closed: no live socket at accept()');
});

test('Python fork: the child has its own record; inherited sockets keep their site, none is misattributed', { skip: (!linux || !hasPython) && 'needs Linux and python3', timeout: 60000 }, async () => {
  const program = path.join(fixtures, 'leaky.py');
  const { p } = await start(['python3', program, '3', '3', 'fork']);
  assert.ok(p.child && p.child > 0);
  const childSite = `${program}:${fixtureSiteLine('leaky.py', 'child')}`;
  const leakSite = `${program}:${fixtureSiteLine('leaky.py', 'send_message')}`;
  // The child's own records are written within ~200 ms.
  const child = await socketsWhen(p.child as number, (ss) => ss.filter((s) => at(s) === childSite).length >= 3);
  const parent = await socketsOf(p.pid);
  assert.equal(child.filter((s) => at(s) === childSite).length, 3);
  assert.equal(child.filter((s) => s.state === 'CLOSE_WAIT' && at(s) === leakSite).length, 3, 'inherited leaks keep their site');
  assert.equal(parent.filter((s) => at(s) === childSite).length, 0);
  const parentSite = new Map(parent.map((s) => [s.inode, at(s)]));
  for (const s of child) {
    // Anything the child has was created either by it or by its parent before fork, and says so.
    if (s.origin) assert.equal(at(s), parentSite.get(s.inode) ?? childSite, `child fd ${s.fd}`);
  }
});

test('Java: leaked Sockets at their line, closed ones gone, a reused fd at its new site; SocketChannel, ServerSocketChannel.accept and DatagramSocket too', { skip: (!linux || !hasJdk || !hasSs) && 'needs Linux, a JDK and ss', timeout: 120000 }, async () => {
  const { p } = await start(['java', '--add-opens', 'java.base/sun.nio.ch=ALL-UNNAMED', '-cp', path.join(work, 'classes'), 'Leaky', String(LEAK), String(CLOSED)], { JAVA_TOOL_OPTIONS: '-Xss2m' });
  // Java frames name the source by package path and file name (the class file knows no more).
  const site = `Leaky.java:${fixtureSiteLine('Leaky.java', 'send_message')}`;
  await checkLeak(p.pid, site);
  const udpSite = `Leaky.java:${fixtureSiteLine('Leaky.java', 'udp')}`;
  const sockets = await socketsWhen(p.pid, (ss) => recordedFds(p.reuseB, p.channel, p.channelAccepted)(ss) && ss.some((s) => at(s) === udpSite));
  await checkTable(p.pid, site);
  assert.equal(p.reuseA, p.reuseB, 'the fixture reuses the descriptor');
  const byFd = (fd: number | undefined) => { const s = sockets.find((x) => x.fd === fd); return s ? at(s) : 'no socket'; };
  assert.equal(byFd(p.reuseB), `Leaky.java:${fixtureSiteLine('Leaky.java', 'reuse_b')}`);
  assert.equal(byFd(p.channel), `Leaky.java:${fixtureSiteLine('Leaky.java', 'channel')}`);
  assert.equal(byFd(p.channelAccepted), `Leaky.java:${fixtureSiteLine('Leaky.java', 'channel_accept')}`);
  const udp = sockets.filter((s) => at(s) === udpSite);
  assert.equal(udp.length, 1);
  assert.equal(sockets.find((s) => at(s) === `Leaky.java:${fixtureSiteLine('Leaky.java', 'accept')}`), undefined, 'every accepted Socket was closed');
  const frame = sockets.find((s) => at(s) === site)?.origin?.frames;
  assert.deepEqual(frame?.map((f) => f.function), ['Leaky.sendMessage', 'Leaky.main']);
  const options = fs.readFileSync(`/proc/${p.pid}/environ`, 'utf8').split('\0').find((e) => e.startsWith('JAVA_TOOL_OPTIONS='));
  assert.match(options ?? '', /^JAVA_TOOL_OPTIONS=-Xss2m -javaagent:.*sockscope-origins\.jar$/);
});

// Fork/exec across JVMs: the parent, started by `sockscope run` in one working directory (with the records
// folder given relative to it), starts a child JVM in another one with a class path relative to that; the
// child inherits JAVA_TOOL_OPTIONS, so it is traced (its leaks at its own line, symbolized like the
// parent's), and no socket of either is given the other's site.
test('Java: a child JVM started in another working directory is traced too, and symbolizes; neither process gets the other\'s site', { skip: (!linux || !hasJdk) && 'needs Linux and a JDK', timeout: 120000 }, async () => {
  const N = 5;
  const childDir = path.join(work, 'spawn-classes');
  // SOCKSCOPE_ORIGINS_DIR relative to the parent's working directory (work): `run` makes it absolute, or
  // the child would record into a "records" folder of its own working directory, where no reader looks.
  const { p } = await start(['java', '-cp', childDir, 'sockscope.fixture.JavaSpawn', 'parent', String(N), childDir], { SOCKSCOPE_ORIGINS_DIR: path.relative(work, records) }, work);
  const child = p.childLine;
  assert.ok(child && child.pid > 0 && child.pid === p.child, `the child JVM started: ${JSON.stringify(p)}`);
  assert.equal(fs.readlinkSync(`/proc/${p.pid}/cwd`), work);
  assert.equal(fs.readlinkSync(`/proc/${child.pid}/cwd`), childDir, 'the child runs in another working directory');
  assert.equal(child.cwd, childDir);
  const options = fs.readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0').find((e) => e.startsWith('JAVA_TOOL_OPTIONS='));
  assert.match(options ?? '', /-javaagent:\/.*sockscope-origins\.jar/, 'the child inherits the agent (an absolute path)');
  const file = 'sockscope/fixture/JavaSpawn.java';
  const parentSite = `${file}:${fixtureSiteLine('JavaSpawn.java', 'parent')}`;
  const childSite = `${file}:${fixtureSiteLine('JavaSpawn.java', 'child')}`;
  const leaked = (site: string) => (ss: SocketJson[]) => ss.filter((s) => s.state === 'CLOSE_WAIT' && at(s) === site).length >= N;
  const childSockets = await socketsWhen(child.pid, leaked(childSite));
  const parentSockets = await socketsWhen(p.pid, leaked(parentSite));
  assert.equal(childSockets.filter((s) => s.state === 'CLOSE_WAIT' && at(s) === childSite).length, N);
  assert.equal(parentSockets.filter((s) => s.state === 'CLOSE_WAIT' && at(s) === parentSite).length, N);
  // Symbolized: the child's frames are the program's, innermost first, with their functions.
  const frames = childSockets.find((s) => at(s) === childSite)?.origin?.frames;
  assert.deepEqual(frames?.map((f) => `${f.function} ${f.file}:${f.line}`), [
    `sockscope.fixture.JavaSpawn.childConnect ${childSite}`,
    `sockscope.fixture.JavaSpawn.leak ${file}:${fixtureSiteLine('JavaSpawn.java', 'leak_call')}`,
    `sockscope.fixture.JavaSpawn.main ${file}:${fixtureSiteLine('JavaSpawn.java', 'main_loop')}`,
  ]);
  // Never misattributed: each socket with an origin is at its own process's sites.
  assert.deepEqual(childSockets.filter((s) => s.origin && at(s) === parentSite).map((s) => s.fd), [], 'no child socket at the parent\'s site');
  assert.deepEqual(parentSockets.filter((s) => s.origin && at(s) === childSite).map((s) => s.fd), [], 'no parent socket at the child\'s site');
  const table = JSON.parse((await cliRun(originsCommand, [String(child.pid), '--json'])).out) as { recorded: boolean; sites: { frames: FrameJson[]; states: Record<string, number> }[] };
  assert.equal(table.recorded, true);
  assert.deepEqual(table.sites.map((s) => `${s.frames[0]?.file}:${s.frames[0]?.line}`).sort(), [childSite, `${file}:${fixtureSiteLine('JavaSpawn.java', 'listener')}`].sort());
  assert.deepEqual(table.sites.find((s) => s.frames[0]?.line === fixtureSiteLine('JavaSpawn.java', 'child'))?.states, { CLOSE_WAIT: N });
  assert.equal(fs.existsSync(path.join(childDir, 'records')), false, 'nothing recorded relative to the child\'s working directory');
});

test('run: a recorder that was not built is said so, and the program runs unchanged with its exit code', { skip: !linux && 'needs Linux', timeout: 60000 }, async () => {
  const empty = path.join(work, 'empty-lib');
  fs.mkdirSync(empty, { recursive: true });
  const env = { ...process.env, SOCKSCOPE_ORIGINS_LIB_DIR: empty, SOCKSCOPE_ORIGINS_DIR: records, NODE_OPTIONS: '' };
  const child = spawn(process.execPath, [cli, 'run', '--', process.execPath, '-e', 'console.log(process.env.NODE_OPTIONS || "none"); process.exit(3)'], { env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += String(d); });
  child.stderr.on('data', (d: Buffer) => { err += String(d); });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 3);
  assert.equal(out, 'none\n');
  assert.match(err, /^sockscope run: the Node\.js origins recorder .*sockscope-origins\.js is missing \(run the build\); running without origins\.\nsockscope run: pid \d+\n$/);
});
