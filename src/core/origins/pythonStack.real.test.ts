// The Python recorder's optional C accelerator (python/_sockscope_stack.c) never changes what is
// recorded: one program, run under the recorder with the accelerator and without it
// ($SOCKSCOPE_ORIGINS_PY_NATIVE=0), gives the same sites (file:line and function of every frame) with
// the same counts and the same live sockets: nested functions, recursion deeper than the recorder's
// window, the standard library's frames left out (create_connection, accept, socketpair, asyncio),
// threads, a generator and a coroutine; each socket's thread (the native id of the thread that made it, a
// forked child's own) and a creation time within the run. And an accelerator that cannot be loaded is left for the Python
// walk, which records the same.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseOriginStream } from './streamFile';
import type { OriginFrame } from './symbolize';
import { buildPythonStack, hasGcc, runtimeRecorders, tempDir } from './testing/build';

const linux = process.platform === 'linux';
const hasPython = linux && spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;
let work: string;
let records: string;
let lib: string;
let missing: string | undefined;

before(() => {
  if (!linux || !hasPython || !hasGcc) return;
  work = tempDir('sockscope-python-stack-');
  records = path.join(work, 'records');
  fs.mkdirSync(records, { mode: 0o700 });
  const built = buildPythonStack(work);
  if ('missing' in built) {
    missing = built.missing;
    console.log(`pythonStack: ${missing}: the accelerator tests are skipped`);
  }
  lib = runtimeRecorders(work, undefined, 'file' in built ? built.file : undefined);
});
after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const PROGRAM = `import asyncio, json, os, socket, sys, threading, time
listener = socket.socket()
listener.bind(('127.0.0.1', 0))
listener.listen(64)
address = listener.getsockname()
kept = []
lock = threading.Lock()
made_by = {}  # fd of a worker's kept socket -> the worker's native thread id

def inner():
    return socket.socket()

def outer():
    return inner()

def deep(n):
    return deep(n - 1) if n else socket.socket()

def connect():
    return socket.create_connection(address)

def accept():
    return listener.accept()[0]

def sockets():
    for _ in range(3):
        yield socket.socket()

async def opened():
    return socket.socket()

def drive(coroutine):
    try:
        coroutine.send(None)
    except StopIteration as e:
        return e.value

def made():
    return socket.socket()

def worker(i):
    for _ in range(20):
        outer().close()
    for _ in range(2):  # the second one's stack is known: recorded on the fast path
        s = made()
        with lock:
            kept.append(s)
            made_by[s.fileno()] = threading.get_native_id()
    s = deep(i)
    with lock:
        kept.append(s)
        made_by[s.fileno()] = threading.get_native_id()

for _ in range(50):
    outer().close()
for n in (5, 40, 80):
    kept.append(deep(n))
for _ in range(10):
    c = connect()
    a = accept()
    kept.append(c)
    a.close()
for s in sockets():
    kept.append(s)
kept.append(drive(opened()))
kept.extend(socket.socketpair())
asyncio.new_event_loop().close()
threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
late = [made() for _ in range(3)]
time.sleep(0.6)  # their O lines written by the recorder's writer thread: their closes are queued
for s in late:
    s.close()
sys.stdout.flush()
child = os.fork()
if child == 0:  # the main thread's id, cached in the parent, is not the child's
    for _ in range(2):  # the second one's stack is known
        s = made()
        kept.append(s)
    with open(sys.argv[1], 'w') as f:
        json.dump({'pid': os.getpid(), 'fd': s.fileno(), 'tid': threading.get_native_id()}, f)
    sys.exit(0)
os.waitpid(child, 0)
print(json.dumps({'pid': os.getpid(), 'madeBy': made_by}))
print('_sockscope_stack' in sys.modules, flush=True)
`;

interface Recorded {
  /** JSON of a site's frames → its counts: opens, closes (what is not live). */
  counts: Map<string, string>;
  /** JSON of the sites' frames of the live sockets, sorted. */
  live: string[];
  frames: (readonly OriginFrame[])[];
  stderr: string;
  /** Whether the recorder used the accelerator (it puts it in sys.modules then). */
  accelerated: boolean;
  /** Live sockets whose thread is not the one that made them, or whose time is not within the run. */
  wrong: string[];
  /** The forked child's counts, and what is wrong with its socket's record. */
  child: { counts: Map<string, string>; wrong: string[] };
}

interface Stream {
  counts: Map<string, string>;
  live: ReadonlyMap<number, { stack?: number; createdMs: number; tid: number }>;
  sites: ReadonlyMap<number, readonly OriginFrame[]>;
}

function readStream(pid: number): Stream {
  const stream = parseOriginStream(fs.readFileSync(path.join(records, `${pid}.stream`), 'utf8'));
  const counts = new Map<string, string>();
  for (const [site, c] of stream.counts) counts.set(JSON.stringify(stream.sites.get(site) ?? null), `${c.opens}/${c.closes}`);
  return { counts, live: stream.live, sites: stream.sites };
}

function record(env: NodeJS.ProcessEnv, program = PROGRAM): Recorded {
  const file = path.join(work, 'stacks.py'); // a file: its frames are the program's (not <string>)
  fs.writeFileSync(file, program);
  const childFile = path.join(work, 'child.json');
  fs.rmSync(childFile, { force: true });
  const start = Date.now();
  const r = spawnSync('python3', [file, childFile], { env: { ...process.env, PYTHONPATH: path.join(lib, 'python'), SOCKSCOPE_ORIGINS_DIR: records, ...env }, encoding: 'utf8', timeout: 60000 });
  const end = Date.now();
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim().split('\n');
  const info = JSON.parse(out[0] ?? '') as { pid: number; madeBy: Record<string, number> };
  assert.equal(info.pid, r.pid);
  const stream = readStream(r.pid);
  const key = (site: number | undefined): string => JSON.stringify(site === undefined ? 'no site' : stream.sites.get(site) ?? null);
  const live = [...stream.live.values()].map((l) => key(l.stack)).sort();
  const inRun = (ms: number) => ms >= start - 1 && ms <= end;
  // The main thread's native id is the process id; the workers' were printed.
  const wrong = [...stream.live].filter(([fd, l]) => l.tid !== (info.madeBy[fd] ?? r.pid) || !inRun(l.createdMs)).map(([fd, l]) => `fd ${fd}: thread ${l.tid}, ${l.createdMs} ms`);
  assert.equal(Object.keys(info.madeBy).length, 12, 'every worker kept three sockets');
  const made = JSON.parse(fs.readFileSync(childFile, 'utf8')) as { pid: number; fd: number; tid: number };
  const forked = readStream(made.pid);
  const mine = forked.live.get(made.fd);
  const childWrong = mine === undefined ? [`fd ${made.fd}: not live`] : mine.tid !== made.tid || made.tid === r.pid || !inRun(mine.createdMs) ? [`fd ${made.fd}: thread ${mine.tid} (child ${made.tid}, parent ${r.pid}), ${mine.createdMs} ms`] : [];
  return {
    counts: stream.counts, live, frames: [...stream.sites.values()], stderr: r.stderr, accelerated: out[out.length - 1] === 'True', wrong,
    child: { counts: forked.counts, wrong: childWrong },
  };
}

const skip = (!linux || !hasPython || !hasGcc) && 'needs Linux, python3 and gcc';

test('Python accelerator: the same sites, counts and live sockets as the Python walk', { skip, timeout: 120000 }, (t) => {
  if (missing) return t.skip(missing);
  const native = record({ SOCKSCOPE_ORIGINS_PY_NATIVE: '1' });
  // =1 says on stderr when the accelerator is not used: it was.
  assert.deepEqual(native.stderr.split('\n').filter((l) => l.startsWith('sockscope-origins:')), []);
  assert.equal(native.accelerated, true);
  const walked = record({ SOCKSCOPE_ORIGINS_PY_NATIVE: '0' });
  assert.equal(walked.accelerated, false);
  assert.deepEqual(native.counts, walked.counts);
  assert.deepEqual(native.live, walked.live);
  assert.deepEqual(native.child.counts, walked.child.counts);
  // Each live socket's thread and time, the child's own thread after a fork: right on both paths.
  assert.deepEqual(walked.wrong, []);
  assert.deepEqual(walked.child.wrong, []);
  assert.deepEqual(native.wrong, []);
  assert.deepEqual(native.child.wrong, []);
  // What is recorded is right, not only the same: the program's frames, innermost first, no
  // standard library frame, at most 12 frames for the deep recursion.
  const first = (fn: string) => native.frames.filter((f) => f[0]?.function === fn);
  assert.deepEqual(first('inner').map((f) => f.map((x) => x.function)).sort(), [['inner', 'outer', '<module>'], ['inner', 'outer', 'worker']]);
  // deep(0..3) in the workers (threading's frames left out), deep(5) in the module, and deep(40) and
  // deep(80): their keys differ, but both show 12 frames of deep at the same line, so one site.
  assert.deepEqual(first('deep').map((f) => f.length).sort((a, b) => a - b), [2, 3, 4, 5, 7, 12]);
  assert.deepEqual(first('connect').map((f) => f.map((x) => x.function)), [['connect', '<module>']]);
  assert.deepEqual(first('accept').map((f) => f.map((x) => x.function)), [['accept', '<module>']]);
  assert.deepEqual(first('sockets').map((f) => f.map((x) => x.function)), [['sockets', '<module>']]);
  assert.deepEqual(first('opened').map((f) => f.map((x) => x.function)), [['opened', 'drive', '<module>']]);
  const program = path.join(work, 'stacks.py');
  assert.ok(native.frames.every((f) => f.every((x) => x.file === program)), 'only the program\'s frames');
  assert.equal(native.counts.get(JSON.stringify(first('inner').find((f) => f[2]?.function === 'worker'))), '80/80');
  assert.equal(native.live.length, 3 + 10 + 3 + 1 + 2 + 4 + 8 + 1, 'kept sockets and the listener');
});

test('Python accelerator that cannot be loaded (another build under its name): the Python walk, the same records', { skip, timeout: 60000 }, (t) => {
  if (missing) return t.skip(missing);
  const folder = path.join(lib, 'python');
  const built = fs.readdirSync(folder).find((f) => f.startsWith('_sockscope_stack'));
  assert.ok(built);
  const saved = path.join(work, 'saved.so');
  fs.renameSync(path.join(folder, built), saved);
  try {
    fs.writeFileSync(path.join(folder, built), 'not a shared object\n');
    const broken = record({ SOCKSCOPE_ORIGINS_PY_NATIVE: '1' });
    assert.equal(broken.accelerated, false);
    assert.match(broken.stderr, /sockscope-origins: stacks walked in Python: cannot load _sockscope_stack/);
    const quiet = record({});
    assert.deepEqual(quiet.stderr.split('\n').filter((l) => l.startsWith('sockscope-origins:')), [], 'silent unless asked');
    const walked = record({ SOCKSCOPE_ORIGINS_PY_NATIVE: '0' });
    assert.deepEqual(broken.counts, walked.counts);
    assert.deepEqual(broken.live, walked.live);
  } finally {
    fs.renameSync(saved, path.join(folder, built));
  }
});

/** Runs a program under the recorder (with the accelerator unless env says otherwise). */
function runProgram(program: string, env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string; pid: number } {
  const file = path.join(work, 'program.py');
  fs.writeFileSync(file, program);
  const r = spawnSync('python3', [file], { env: { ...process.env, PYTHONPATH: path.join(lib, 'python'), SOCKSCOPE_ORIGINS_DIR: records, ...env }, encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, pid: r.pid };
}

const recorderLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('sockscope-origins:'));

test('Python accelerator raising (test hook: its first call raises): the stacks are walked in Python from then on, the records the same as the Python walk\'s', { skip, timeout: 120000 }, (t) => {
  if (missing) return t.skip(missing);
  const failed = record({ SOCKSCOPE_ORIGINS_PY_NATIVE: '1', SOCKSCOPE_ORIGINS_PY_NATIVE_TEST: 'raise-once' });
  // Said once, only when asked ($SOCKSCOPE_ORIGINS_PY_NATIVE=1); the recorder goes on.
  assert.deepEqual(recorderLines(failed.stderr), ['sockscope-origins: stacks walked in Python from now on: the accelerated path raised RuntimeError: raise-once test hook']);
  const quiet = record({ SOCKSCOPE_ORIGINS_PY_NATIVE_TEST: 'raise-once' });
  assert.deepEqual(recorderLines(quiet.stderr), []);
  const walked = record({ SOCKSCOPE_ORIGINS_PY_NATIVE: '0' });
  for (const r of [failed, quiet]) {
    assert.deepEqual(r.counts, walked.counts);
    assert.deepEqual(r.live, walked.live);
    assert.deepEqual(r.child.counts, walked.child.counts);
    assert.deepEqual(r.wrong, []);
    assert.deepEqual(r.child.wrong, []);
  }
});

// A collection may run at any allocation (3.8-3.11), and a gc.callbacks hook or finalizer may read every
// list the collector tracks: a record list must never be seen half made (NULL items: a crash on 3.8-3.10
// when the list was made before its items; 3.11's list free list keeps it from showing there).
test('Python accelerator: a gc.callbacks hook reading every tracked list while sockets are recorded does not crash', { skip, timeout: 120000 }, (t) => {
  if (missing) return t.skip(missing);
  const r = runProgram(`import gc, socket, sys
seen = [0]
def hook(phase, info):
    for o in gc.get_objects():
        if o.__class__ is list:
            for x in o:
                seen[0] += x is None
def make():
    return socket.socket()
for s in [make() for _ in range(3)]:  # the stack is known: recorded in C from now on
    s.close()
gc.callbacks.append(hook)
old = gc.get_threshold()
gc.set_threshold(1, 1, 1)
for _ in range(300):
    make().close()
gc.set_threshold(*old)
gc.callbacks.remove(hook)
print('_sockscope_stack' in sys.modules, seen[0] > 0)
`, { SOCKSCOPE_ORIGINS_PY_NATIVE: '1' });
  assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
  assert.equal(r.stdout.trim(), 'True True');
  assert.deepEqual(recorderLines(r.stderr), []);
});

test('Python accelerator in a legacy sub-interpreter: bound to the main interpreter\'s recorder, so the sub-interpreter\'s recorder walks in Python and the main one keeps the accelerator', { skip, timeout: 60000 }, (t) => {
  if (missing) return t.skip(missing);
  const has = spawnSync('python3', ['-c', 'import _xxsubinterpreters'], { stdio: 'ignore' }).status === 0;
  if (!has) return t.skip('no _xxsubinterpreters in this Python');
  const r = runProgram(`import socket, sys, _xxsubinterpreters as interpreters
def make():
    return socket.socket()
kept = [make() for _ in range(2)]
interpreters.run_string(interpreters.create(), "import socket\\nkept = [socket.socket() for _ in range(3)]\\n")
kept += [make() for _ in range(3)]
print(all(s.fileno() >= 0 for s in kept))
`, { SOCKSCOPE_ORIGINS_PY_NATIVE: '1' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'True');
  // The sub-interpreter's bind() is refused; the main interpreter's record() never raises (it would say so).
  assert.deepEqual(recorderLines(r.stderr), ['sockscope-origins: stacks walked in Python: cannot load _sockscope_stack: bind(): bound to another interpreter\'s recorder']);
});

test('Python record file rewritten when full (4 KiB cap): live sockets keep the thread that made them, with the accelerator and without', { skip, timeout: 120000 }, (t) => {
  if (missing) return t.skip(missing);
  const program = `import json, socket, threading
kept = []
made_by = {}
def worker():
    s = socket.socket()
    kept.append(s)
    made_by[s.fileno()] = threading.get_native_id()
threads = [threading.Thread(target=worker) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for _ in range(30):  # O and C lines far past the cap: the file is rewritten many times
    batch = [socket.socket() for _ in range(100)]
    for s in batch:
        s.close()
print(json.dumps(made_by))
`;
  for (const mode of ['1', '0']) {
    const r = runProgram(program, { SOCKSCOPE_ORIGINS_PY_NATIVE: mode, SOCKSCOPE_ORIGINS_LOG_BYTES: '4096' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(recorderLines(r.stderr), []);
    const madeBy = JSON.parse(r.stdout) as Record<string, number>;
    const text = fs.readFileSync(path.join(records, `${r.pid}.stream`), 'utf8');
    const stream = parseOriginStream(text);
    let opened = 0;
    for (const c of stream.counts.values()) opened += c.opens;
    const size = fs.statSync(path.join(records, `${r.pid}.stream`)).size;
    assert.ok(opened >= 3000 && size <= 8192, `rewritten: ${opened} sockets counted in a file of ${size} bytes`);
    const threadsOf = Object.keys(madeBy).map((fd) => [Number(fd), stream.live.get(Number(fd))?.tid]);
    assert.deepEqual(threadsOf, Object.entries(madeBy).map(([fd, tid]) => [Number(fd), tid]), `PY_NATIVE=${mode}`);
    assert.ok(Object.values(madeBy).every((tid) => tid !== r.pid));
  }
});

test('Python accelerator: a depth past 4096 frames is refused (its buffer size would wrap), 4096 is walked', { skip, timeout: 30000 }, (t) => {
  if (missing) return t.skip(missing);
  const folder = path.join(lib, 'python');
  const r = spawnSync('python3', ['-c', `import sys, importlib.machinery, importlib.util, os
folder = sys.argv[1]
name = next(f for f in os.listdir(folder) if f.startswith('_sockscope_stack'))
spec = importlib.util.spec_from_file_location('_sockscope_stack', os.path.join(folder, name))
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
f = sys._getframe()
for depth in (1 << 62, 4097, 0):
    try:
        m.key(f, None, None, depth)
        print('walked', depth)
    except ValueError as e:
        print('refused', depth, e)
k = m.key(f, None, None, 4096)  # the outermost frame: one step
print(len(k) == 2 and k[0] == id(f.f_code))
`, folder], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: '' } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), [
    `refused ${2n ** 62n} depth must be from 1 to 4096`, 'refused 4097 depth must be from 1 to 4096', 'refused 0 depth must be from 1 to 4096', 'True']);
});
