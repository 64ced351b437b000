// The runtime origins recorders (node/sockscope-origins.js, python/sitecustomize.py) never break the
// traced program, checked on real processes: a record file that cannot be rewritten stops recording
// (one message on stderr) and the program goes on with its own sockets closed; a fork while another
// thread holds the Python recorder's lock does not hang the child; the Python recorder's batches reach
// the file while the program idles and at its exit; and a Node socket closed through
// resetAndDestroy (TCP#reset, not HandleWrap#close) is recorded as closed. And every recorder, the native
// one too, keeps to a private records folder.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildRecorder, hasGcc, runtimeRecorders, tempDir } from './testing/build';
import { readProcessOrigins } from './processOrigins';
import { parseOriginStream } from './streamFile';
import { repoRoot } from '../platform/linux/testSupport';

const linux = process.platform === 'linux';
const hasPython = linux && spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;
const has = (cmd: string, args: string[]) => linux && spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const hasJdk = has('javac', ['-version']) && has('jar', ['--version']) && has('java', ['-version']);
if (linux && !hasJdk) console.log('recorderFaults: no JDK (javac, jar, java): the Java agent is left out of the records folder tests');
let work: string;
let lib: string;
let records: string;

before(() => {
  if (!linux) return;
  work = tempDir('sockscope-recorder-faults-');
  lib = runtimeRecorders(work);
  records = path.join(work, 'records');
  fs.mkdirSync(records, { mode: 0o700 });
});
after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function runPython(program: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync('python3', ['-c', program], {
    env: { ...process.env, PYTHONPATH: path.join(lib, 'python'), SOCKSCOPE_ORIGINS_DIR: records, ...env },
    encoding: 'utf8',
    timeout: 60000,
  });
}

function runNode(program: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, ['-e', program], {
    env: { ...process.env, NODE_OPTIONS: `--require ${path.join(lib, 'node', 'sockscope-origins.js')}`, SOCKSCOPE_ORIGINS_DIR: records, ...env },
    encoding: 'utf8',
    timeout: 60000,
  });
}

const recorderLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('sockscope-origins:'));

test('Python: the record file cannot be rewritten (a directory in the way): recording stops once, the program goes on and closes all its sockets', { skip: !hasPython && 'needs Linux and python3' }, () => {
  const program = [
    'import os, socket, time',
    "os.mkdir(os.path.join(os.environ['SOCKSCOPE_ORIGINS_DIR'], '%d.stream.tmp' % os.getpid()))",
    "listener = socket.socket(); listener.bind(('127.0.0.1', 0)); listener.listen(64)",
    'def link(f):',
    '    try:',
    "        return os.readlink('/proc/self/fd/' + f)",
    '    except OSError:',
    "        return ''  # the listing's own descriptor",
    "sockets = lambda: sum(link(f).startswith('socket:') for f in os.listdir('/proc/self/fd'))",
    'before = sockets()',
    'for round in range(3):',
    '    held = []',
    '    for i in range(150):',
    '        held.append(socket.create_connection(listener.getsockname()))',
    '        held.append(listener.accept()[0])',
    '    time.sleep(0.5)  # written as live sockets (the recorder writes every 200 ms): the file outgrows its cap',
    '    for s in held:',
    '        s.close()',
    "print('done', sockets() - before, flush=True)",
  ].join('\n');
  const r = runPython(program, { SOCKSCOPE_ORIGINS_LOG_BYTES: '4096' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'done 0\n', 'every socket the program closed is closed');
  const lines = recorderLines(r.stderr);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0] as string, /^sockscope-origins: recording stopped: .*; origins not recorded$/);
});

test('Python: fork while another thread holds the recorder\'s lock or writes a batch: the child does not hang, and records its own sockets', { skip: !hasPython && 'needs Linux and python3', timeout: 90000 }, () => {
  const program = [
    'import os, socket, threading, time',
    'def churn():',
    '    while True:',
    '        socket.socket().close()',
    'threading.Thread(target=churn, daemon=True).start()',
    'for i in range(60):',
    '    pid = os.fork()',
    '    if pid == 0:',
    '        socket.socket().close()',
    '        if i % 6 == 0:  # its writer thread writes a socket it holds',
    '            s = socket.socket()',
    "            mine = os.path.join(os.environ['SOCKSCOPE_ORIGINS_DIR'], '%d.stream' % os.getpid())",
    '            for _ in range(250):',
    '                time.sleep(0.02)',
    "                with open(mine, encoding='latin-1') as f:",
    "                    if '\\nO\\t%d\\t' % s.fileno() in f.read():",
    '                        break',
    '            else:',
    '                os._exit(8)',
    '        os._exit(7)',
    '    _, status = os.waitpid(pid, 0)',
    '    assert os.waitstatus_to_exitcode(status) == 7',
    "print('done', flush=True)",
  ].join('\n');
  const r = runPython(program);
  assert.equal(r.error, undefined, 'the program finished (no child hung)');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'done\n');
  assert.deepEqual(recorderLines(r.stderr), []);
});

test('Python: an idle program\'s sockets reach its record within ~200 ms (the writer thread), and the last ones at exit', { skip: !hasPython && 'needs Linux and python3', timeout: 60000 }, async () => {
  const program = [
    'import socket, sys',
    'held = [socket.socket() for _ in range(5)]',
    "print(' '.join(str(s.fileno()) for s in held), flush=True)",
    'sys.stdin.readline()',
    'held.append(socket.socket())  # then the program exits at once, its socket still open',
    'print(held[-1].fileno(), flush=True)',
  ].join('\n');
  const child = spawn('python3', ['-c', program], { env: { ...process.env, PYTHONPATH: path.join(lib, 'python'), SOCKSCOPE_ORIGINS_DIR: records } });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += String(d); });
  const lines = async (n: number): Promise<string[]> => {
    for (let i = 0; i < 300 && out.split('\n').length <= n; i++) await new Promise((r) => setTimeout(r, 20));
    return out.split('\n').slice(0, n);
  };
  child.stdout.on('data', (d: Buffer) => { out += String(d); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const fds = ((await lines(1))[0] ?? '').split(' ').map(Number);
  assert.equal(fds.length, 5, err);
  const file = path.join(records, `${child.pid}.stream`);
  const opened = (fd: number): string | undefined => {
    const text = fs.readFileSync(file, 'utf8').replace(/\0[^]*$/, '');
    return text.split('\n').find((l) => l.startsWith(`O\t${fd}\t`))?.split('\t')[2];
  };
  const t0 = Date.now();
  while (Date.now() - t0 < 5000 && !fds.every((fd) => opened(fd) !== undefined)) await new Promise((r) => setTimeout(r, 10));
  const waited = Date.now() - t0;
  // The recorder writes at most 200 ms late; 2 s leaves room for a loaded machine.
  assert.ok(waited < 2000, `the records of an idle program took ${waited} ms`);
  for (const fd of fds) assert.equal(`socket:[${opened(fd)}]`, fs.readlinkSync(`/proc/${child.pid}/fd/${fd}`), `fd ${fd}: the inode of the socket it holds`);
  child.stdin.end('\n');
  const last = Number((await lines(2))[1]);
  assert.equal(await exited, 0, err);
  assert.ok(opened(last) !== undefined, `the socket opened just before exit (fd ${last}) is in the record`);
  assert.deepEqual(recorderLines(err), []);
});

test('Python: a burst of sockets (batches written by the program\'s own thread): the ones still open at their fd with their inode and site, every other one counted closed, reused descriptors never left to an old socket', { skip: !hasPython && 'needs Linux and python3', timeout: 60000 }, () => {
  // 3,000 sockets opened and closed, one in 100 kept open (its descriptor is the next ones' no more),
  // 300 dropped without close (the garbage collector closes them): far more than a batch, so most are
  // written by the program's thread, and descriptors are reused across batches all the time. Then a
  // socket written while open and dropped: the socket that takes its descriptor closes it in the record.
  const program = [
    'import json, os, socket, time',
    'def brief(): return socket.socket()',
    'def keep(): return socket.socket()',
    'def dropped(): return socket.socket()',
    'def late(): return socket.socket()',
    'def reuse(): return socket.socket()',
    'held = []',
    'for i in range(3000):',
    '    s = brief()',
    '    if i % 100 == 0: held.append(keep())',
    '    if i % 10 == 0: dropped()',
    '    s.close()',
    'x = late()',
    'time.sleep(0.6)  # written (its O line) by the writer thread',
    'fd = x.fileno()',
    'del x  # closed by the garbage collector: no close seen',
    'held.append(reuse())',
    'assert held[-1].fileno() == fd',
    "print(json.dumps([[s.fileno(), os.fstat(s.fileno()).st_ino] for s in held]), flush=True)",
  ].join('\n');
  const file = path.join(work, 'burst.py'); // a file, so that its frames are the program's (not <string>)
  fs.writeFileSync(file, program + '\n');
  const r = spawnSync('python3', [file], { env: { ...process.env, PYTHONPATH: path.join(lib, 'python'), SOCKSCOPE_ORIGINS_DIR: records }, encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(recorderLines(r.stderr), []);
  const held = JSON.parse(r.stdout) as [number, number][];
  assert.equal(held.length, 31);
  const stream = parseOriginStream(fs.readFileSync(path.join(records, `${r.pid}.stream`), 'utf8'));
  const siteOf = (fn: string): number => {
    const found = [...stream.sites].filter(([, frames]) => frames[0]?.function === fn).map(([site]) => site);
    assert.equal(found.length, 1, `one site for ${fn}`);
    return found[0] as number;
  };
  const [brief, keep, dropped, late, reuse] = [siteOf('brief'), siteOf('keep'), siteOf('dropped'), siteOf('late'), siteOf('reuse')];
  assert.deepEqual([...stream.live.values()].map((l) => [l.fd, Number(l.inode), l.stack]).sort((a, b) => (a[0] as number) - (b[0] as number)),
    held.map(([fd, inode], i) => [fd, inode, i < 30 ? keep : reuse]).sort((a, b) => (a[0] as number) - (b[0] as number)), 'the live table: exactly the sockets held, with their inodes and sites');
  assert.deepEqual(stream.counts.get(brief), { opens: 3000, closes: 3000 });
  assert.deepEqual(stream.counts.get(dropped), { opens: 300, closes: 300 });
  assert.deepEqual(stream.counts.get(keep), { opens: 30, closes: 0 });
  assert.deepEqual(stream.counts.get(late), { opens: 1, closes: 1 }, 'the socket the garbage collector closed after its O line');
});

test('Python: socket.py\'s __init__ and _real_close replaced before the recorder starts (not the known ones): the recorder calls them as they are, and the origins are still right', { skip: !hasPython && 'needs Linux and python3', timeout: 60000 }, () => {
  // The recorder does the work of the known originals itself (one Python call less per socket); any
  // other function in their place (patched, another version's) must still be called, exactly once per
  // socket and per close. Python runs without the site module (-S), so that the program patches socket
  // first and then starts the recorder itself.
  const program = [
    'import json, os, socket, sys',
    'calls = {"init": 0, "close": 0}',
    'original_init, original_real_close = socket.socket.__init__, socket.socket._real_close',
    'def init(self, family=-1, type=-1, proto=-1, fileno=None):',
    '    calls["init"] += 1',
    '    original_init(self, family, type, proto, fileno)',
    'def real_close(self, _ss=socket._socket.socket):',
    '    calls["close"] += 1',
    '    original_real_close(self, _ss)',
    'socket.socket.__init__, socket.socket._real_close = init, real_close',
    `sys.path.insert(0, ${JSON.stringify(path.join(lib, 'python'))})`,
    'import sitecustomize',
    'def kept(): return socket.socket()',
    'def closed(): return socket.socket()',
    'def adopted(fd): return socket.socket(fileno=fd)',
    'held = [kept() for _ in range(3)]',
    'for _ in range(5): closed().close()',
    'pair = socket.socketpair()',
    'held.append(adopted(pair[0].detach()))',
    'pair[1].close()',
    'assert held[0]._io_refs == 0 and held[0]._closed is False',
    'print(json.dumps({"calls": calls, "held": [[s.fileno(), os.fstat(s.fileno()).st_ino] for s in held]}), flush=True)',
  ].join('\n');
  const file = path.join(work, 'patched.py');
  fs.writeFileSync(file, program + '\n');
  const r = spawnSync('python3', ['-S', file], { env: { ...process.env, PYTHONPATH: '', SOCKSCOPE_ORIGINS_DIR: records }, encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(recorderLines(r.stderr), []);
  const out = JSON.parse(r.stdout) as { calls: { init: number; close: number }; held: [number, number][] };
  // kept 3, closed 5, socketpair 2, adopted 1; closed 5, socketpair's second 1 (the first is detached, not closed).
  assert.deepEqual(out.calls, { init: 11, close: 6 }, 'the patched functions ran once per socket and per close');
  const stream = parseOriginStream(fs.readFileSync(path.join(records, `${r.pid}.stream`), 'utf8'));
  const siteOf = (fn: string): number => {
    const found = [...stream.sites].filter(([, frames]) => frames[0]?.function === fn).map(([site]) => site);
    assert.equal(found.length, 1, `one site for ${fn}`);
    return found[0] as number;
  };
  const [kept, closed] = [siteOf('kept'), siteOf('closed')];
  const live = [...stream.live.values()].map((l) => [l.fd, Number(l.inode), l.stack]);
  for (const [i, [fd, inode]] of out.held.entries()) {
    const row = live.find((l) => l[0] === fd);
    assert.ok(row, `fd ${fd} is live in the record`);
    assert.equal(row[1], inode, `fd ${fd}: its inode`);
    if (i < 3) assert.equal(row[2], kept, `fd ${fd}: created in kept()`);
  }
  assert.deepEqual(stream.counts.get(closed), { opens: 5, closes: 5 });
});

test('Node.js: a socket closed by resetAndDestroy is recorded as closed', { skip: !linux && 'needs Linux' }, () => {
  const program = `
    const net = require('net');
    const server = net.createServer((s) => s.on('error', () => {})).listen(0, '127.0.0.1', () => {
      const c = net.connect(server.address().port, '127.0.0.1', () => {
        const fd = c._handle.fd;
        setTimeout(() => { // its open is written first (the recorder writes every ~10 ms)
          c.on('close', () => setTimeout(() => { console.log(fd); process.exit(0); }, 50));
          c.resetAndDestroy();
        }, 100);
      });
    });`;
  const r = runNode(program);
  assert.equal(r.status, 0, r.stderr);
  const fd = Number(r.stdout.trim());
  const text = fs.readFileSync(path.join(records, `${r.pid}.stream`), 'utf8');
  assert.ok(text.split('\n').some((l) => l.startsWith(`O\t${fd}\t`)), text);
  assert.ok(text.split('\n').some((l) => l.startsWith(`C\t${fd}\t`)), `no close of fd ${fd}:\n${text}`);
});

test('Node.js: the record file cannot be rewritten (a directory in the way): recording stops once, the program goes on', { skip: !linux && 'needs Linux' }, () => {
  const program = `
    const fs = require('fs'), net = require('net'), path = require('path');
    fs.mkdirSync(path.join(process.env.SOCKSCOPE_ORIGINS_DIR, process.pid + '.stream.tmp'));
    const server = net.createServer((s) => s.on('error', () => {})).listen(0, '127.0.0.1', async () => {
      for (let round = 0; round < 3; round++) {
        const held = await Promise.all(Array.from({ length: 150 }, () => new Promise((ok) => { const c = net.connect(server.address().port, '127.0.0.1', () => ok(c)); })));
        await new Promise((ok) => setTimeout(ok, 30)); // written as live sockets: the file outgrows its cap
        await Promise.all(held.map((c) => new Promise((ok) => { c.on('close', ok); c.destroy(); })));
      }
      console.log('done', fs.readdirSync('/proc/self/fd').length);
      server.close();
    });`;
  const r = runNode(program, { SOCKSCOPE_ORIGINS_LOG_BYTES: '4096' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^done \d+\n$/);
  const lines = recorderLines(r.stderr);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0] as string, /^sockscope-origins: recording stopped: .*; origins not recorded$/);
});

// The records folder is private: each recorder (Node.js, Python, native, Java) creates it with mode
// 0700, and refuses (one line on stderr naming the folder, its owner and mode and what to do; nothing
// written; the program unchanged) a folder that others may read or write, or that belongs to another
// user; SockScope's reader and `sockscope run` refuse it too, in the same words. Each recorder runs a
// program that opens one socket and prints "ok".
type Recorder = { name: string; run: (dir: string) => ReturnType<typeof spawnSync> };
let javaClasses: string | undefined;

function recorders(): Recorder[] {
  const native = hasGcc ? buildRecorder(work) : undefined;
  if (hasJdk && !javaClasses) {
    execFileSync(process.execPath, [path.join(repoRoot(), 'scripts', 'build-java-agent.mjs'), path.join(lib, 'java')], { stdio: 'inherit' });
    javaClasses = path.join(work, 'classes');
    fs.mkdirSync(javaClasses, { recursive: true });
    fs.writeFileSync(path.join(work, 'Ok.java'), 'public class Ok { public static void main(String[] a) throws Exception { java.net.ServerSocket s = new java.net.ServerSocket(0); System.out.println("ok"); s.close(); } }\n');
    execFileSync('javac', ['-d', javaClasses, path.join(work, 'Ok.java')]);
  }
  const javaEnv = (dir: string): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, SOCKSCOPE_ORIGINS_DIR: dir, JAVA_TOOL_OPTIONS: `-javaagent:${path.join(lib, 'java', 'sockscope-origins.jar')}` };
    delete env.SOCKSCOPE_ORIGINS_JAVA_STACK;
    return env;
  };
  return [
    { name: 'node', run: (dir) => runNode('require("net").createServer().listen(0, "127.0.0.1", function () { console.log("ok"); this.close(); })', { SOCKSCOPE_ORIGINS_DIR: dir }) },
    ...(hasPython ? [{ name: 'python', run: (dir: string) => runPython('import socket; s = socket.socket(); print("ok"); s.close()', { SOCKSCOPE_ORIGINS_DIR: dir }) }] : []),
    // The native recorder in node itself (a dynamically linked program, one process).
    ...(native ? [{ name: 'native', run: (dir: string) => spawnSync(process.execPath, ['-e', 'require("net").createServer().listen(0, "127.0.0.1", function () { console.log("ok"); this.close(); })'],
      { env: { ...process.env, LD_PRELOAD: native, SOCKSCOPE_ORIGINS_DIR: dir, NODE_OPTIONS: '' }, encoding: 'utf8', timeout: 60000 }) }] : []),
    ...(javaClasses ? [{ name: 'java', run: (dir: string) => spawnSync('java', ['-cp', javaClasses as string, 'Ok'], { env: javaEnv(dir), encoding: 'utf8', timeout: 60000 }) }] : []),
  ];
}

/** The recorder's lines on stderr (the JVM's "Picked up JAVA_TOOL_OPTIONS" line is not one). */
function refusals(name: string, r: ReturnType<typeof spawnSync>): string[] {
  assert.equal(r.stdout, 'ok\n', `${name}: the program runs as usual: ${r.stderr}`);
  return recorderLines(String(r.stderr));
}

/** `sockscope run` (the CLI as built by --tests) with that records folder: what it says, and the program's exit. */
function cliRunWith(dir: string): ReturnType<typeof spawnSync> {
  const cli = path.join(__dirname, '..', '..', 'cli', 'cli.js');
  return spawnSync(process.execPath, [cli, 'run', '--', process.execPath, '-e', 'console.log(process.env.NODE_OPTIONS || "none"); process.exit(3)'],
    { env: { ...process.env, SOCKSCOPE_ORIGINS_LIB_DIR: lib, SOCKSCOPE_ORIGINS_DIR: dir, NODE_OPTIONS: '' }, encoding: 'utf8', timeout: 60000 });
}

test('the records folder: created 0700 by each recorder; one others may read is refused, saying owner, mode and `chmod 700`, by the recorders (the program runs), the reader and `sockscope run`', { skip: !linux && 'needs Linux', timeout: 180000 }, async () => {
  const ran: string[] = [];
  for (const { name, run } of recorders()) {
    ran.push(name);
    const fresh = path.join(work, `fresh-${name}`, 'records');
    fs.mkdirSync(path.dirname(fresh));
    const made = run(fresh);
    assert.deepEqual(refusals(name, made), [], `${name}: ${made.stderr}`);
    assert.equal(fs.statSync(fresh).mode & 0o777, 0o700, `${name} creates the folder 0700`);
    assert.ok(fs.readdirSync(fresh).some((f) => f.startsWith(`${made.pid}.`)), `${name} records into it`);

    const open = path.join(work, `open-${name}`);
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o755);
    const refused = run(open);
    const uid = process.geteuid?.() ?? 0;
    assert.deepEqual(refusals(name, refused), [`sockscope-origins: refusing the origins folder: ${open} may be read or written by others (owner uid ${uid}, mode 0755); run \`chmod 700 ${open}\`, or set SOCKSCOPE_ORIGINS_DIR to a folder of your own; origins not recorded`], `${name}: ${refused.stderr}`);
    assert.deepEqual(fs.readdirSync(open), [], `${name} writes nothing there`);
    // What the message says to do works: after chmod 700 the same folder is used.
    fs.chmodSync(open, 0o700);
    const fixed = run(open);
    assert.deepEqual(refusals(name, fixed), [], `${name}: ${fixed.stderr}`);
    assert.ok(fs.readdirSync(open).some((f) => f.startsWith(`${fixed.pid}.`)), `${name} records there after chmod 700`);
  }
  console.log(`records folder privacy checked for: ${ran.join(', ')}`);
  const open = path.join(work, 'open-reader');
  fs.mkdirSync(open, { mode: 0o700 });
  fs.chmodSync(open, 0o770);
  await assert.rejects(readProcessOrigins(process.pid, { env: { SOCKSCOPE_ORIGINS_DIR: open } }),
    { message: `refusing the origins folder: ${open} may be read or written by others (owner uid ${process.geteuid?.()}, mode 0770); run \`chmod 700 ${open}\`, or set SOCKSCOPE_ORIGINS_DIR to a folder of your own` });
  // A symbolic link to a private folder is refused too (its target could change under the recorder).
  const link = path.join(work, 'link-reader');
  fs.symlinkSync(path.join(work, 'fresh-node', 'records'), link);
  await assert.rejects(readProcessOrigins(process.pid, { env: { SOCKSCOPE_ORIGINS_DIR: link } }), /^Error: refusing the origins folder: .*link-reader is a symbolic link \(owner uid \d+, mode 0777\); set SOCKSCOPE_ORIGINS_DIR/);
  // `sockscope sockets --json` still lists the sockets, and says on stderr why there are no origins.
  const cli = path.join(__dirname, '..', '..', 'cli', 'cli.js');
  const listed = spawnSync(process.execPath, [cli, 'sockets', String(process.pid), '--json'], { env: { ...process.env, SOCKSCOPE_ORIGINS_DIR: open }, encoding: 'utf8', timeout: 60000 });
  assert.equal(listed.status, 0, listed.stderr);
  assert.ok(Array.isArray((JSON.parse(listed.stdout) as { sockets: unknown[] }).sockets));
  assert.equal(listed.stderr, `sockscope sockets: socket origins not read: refusing the origins folder: ${open} may be read or written by others (owner uid ${process.geteuid?.()}, mode 0770); run \`chmod 700 ${open}\`, or set SOCKSCOPE_ORIGINS_DIR to a folder of your own\n`);
  const run = cliRunWith(open);
  assert.equal(run.status, 3, String(run.stderr));
  assert.equal(run.stdout, 'none\n', 'the program runs without the recorder');
  assert.match(String(run.stderr), new RegExp(`^sockscope run: refusing the origins folder: ${open} may be read or written by others \\(owner uid \\d+, mode 0770\\); run \`chmod 700 ${open}\`, or set SOCKSCOPE_ORIGINS_DIR to a folder of your own; running without origins\\.\nsockscope run: pid \\d+\n$`));
});

// Only root can give a folder to another user, so this runs as root only (and says so elsewhere).
const root = linux && process.geteuid?.() === 0;
if (linux && !root) console.log('recorderFaults: not root: the test of a records folder owned by another user is skipped');
test('the records folder of another user (mode 0700 all the same) is refused by each recorder, the reader and `sockscope run`: set SOCKSCOPE_ORIGINS_DIR', { skip: !root && 'needs root (to chown a folder to another user)', timeout: 180000 }, async () => {
  const foreign = path.join(work, 'foreign');
  fs.mkdirSync(foreign, { mode: 0o700 });
  fs.chownSync(foreign, 65534, 65534);
  const expected = `refusing the origins folder: ${foreign} belongs to another user (owner uid 65534, mode 0700; you are uid 0); set SOCKSCOPE_ORIGINS_DIR to a folder of your own`;
  for (const { name, run } of recorders()) {
    const r = run(foreign);
    assert.deepEqual(refusals(name, r), [`sockscope-origins: ${expected}; origins not recorded`], `${name}: ${r.stderr}`);
    assert.deepEqual(fs.readdirSync(foreign), [], `${name} writes nothing there (root could)`);
  }
  await assert.rejects(readProcessOrigins(process.pid, { env: { SOCKSCOPE_ORIGINS_DIR: foreign } }), { message: expected });
  const run = cliRunWith(foreign);
  assert.equal(run.status, 3, String(run.stderr));
  assert.equal(String(run.stderr).split('\n')[0], `sockscope run: ${expected}; running without origins.`);
  assert.deepEqual(fs.readdirSync(foreign), []);
});

// Bounded: past its cap ($SOCKSCOPE_ORIGINS_LOG_BYTES, here 4 KiB) a runtime recorder rewrites its stream
// with only the sites, the per-site counts and the live sockets, so the file stays small while the counts
// stay exact. Six rounds of 100 sockets held over a batch (each written as open, then closed), then 5 kept.
const boundedPrograms = {
  node: `const net = require('net');
const server = net.createServer((s) => s.on('error', () => {})).listen(0, '127.0.0.1', async () => {
  const open = () => new Promise((ok) => { const c = net.connect(server.address().port, '127.0.0.1', () => ok(c)); }); // SITE
  for (let round = 0; round < 6; round++) {
    const held = await Promise.all(Array.from({ length: 100 }, open));
    await new Promise((ok) => setTimeout(ok, 50));
    await Promise.all(held.map((c) => new Promise((ok) => { c.on('close', ok); c.destroy(); })));
  }
  const kept = await Promise.all(Array.from({ length: 5 }, open));
  console.log(JSON.stringify(kept.map((c) => c._handle.fd)));
  process.exit(0);
});
`,
  python: `import json, socket, time
def make():
    return socket.socket()  # SITE
for _ in range(6):
    held = [make() for _ in range(100)]
    time.sleep(0.4)
    for s in held:
        s.close()
kept = [make() for _ in range(5)]
print(json.dumps([s.fileno() for s in kept]))
`,
};
for (const runtime of ['node', 'python'] as const) {
  test(`${runtime === 'node' ? 'Node.js' : 'Python'}: past its cap the stream is rewritten with the sites, counts and live sockets: it stays small, the counts exact`, { skip: (!linux || (runtime === 'python' && !hasPython)) && 'needs Linux (and python3)', timeout: 60000 }, () => {
    const file = path.join(work, `bounded.${runtime === 'node' ? 'js' : 'py'}`);
    fs.writeFileSync(file, boundedPrograms[runtime]);
    const line = boundedPrograms[runtime].split('\n').findIndex((l) => l.includes('SITE')) + 1;
    const env = { SOCKSCOPE_ORIGINS_LOG_BYTES: '4096' };
    const r = runtime === 'node'
      ? spawnSync(process.execPath, [file], { env: { ...process.env, NODE_OPTIONS: `--require ${path.join(lib, 'node', 'sockscope-origins.js')}`, SOCKSCOPE_ORIGINS_DIR: records, ...env }, encoding: 'utf8', timeout: 60000 })
      : spawnSync('python3', [file], { env: { ...process.env, PYTHONPATH: path.join(lib, 'python'), SOCKSCOPE_ORIGINS_DIR: records, ...env }, encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(recorderLines(r.stderr), []);
    const kept = JSON.parse(r.stdout) as number[];
    const streamFile = path.join(records, `${r.pid}.stream`);
    const stream = parseOriginStream(fs.readFileSync(streamFile, 'utf8'));
    assert.ok(fs.statSync(streamFile).size <= 16384, `${fs.statSync(streamFile).size} bytes`);
    // Two sites (stacks) have their innermost frame on that line: the loop's calls and the last ones.
    const sites = new Set([...stream.sites].filter(([, frames]) => frames[0]?.file === file && frames[0]?.line === line).map(([id]) => id));
    assert.equal(sites.size, 2, JSON.stringify([...stream.sites.values()]));
    const counts = [...sites].map((id) => stream.counts.get(id) ?? { opens: 0, closes: 0 }).sort((a, b) => a.opens - b.opens);
    assert.deepEqual(counts, [{ opens: 5, closes: 0 }, { opens: 600, closes: 600 }]);
    assert.deepEqual([...stream.live.values()].filter((s) => s.stack !== undefined && sites.has(s.stack)).map((s) => s.fd).sort((a, b) => a - b), [...kept].sort((a, b) => a - b));
  });
}
