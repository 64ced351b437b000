/**
 * Behaviour of the Python analyzer beyond the corpus: options (ownership transfers, time budget),
 * messages and related paths, the exact text of a fix, and code shapes the corpus does not cover.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from '../../edits';
import { analyzePython } from './index';

const lines = (...l: string[]) => l.join('\n') + '\n';

const HANDOFF = lines(
  'import socket',
  '',
  'def serve(srv, handle, pool):',
  '    while True:',
  '        conn, addr = srv.accept()',
  '        pool.submit(handle, conn, addr)',
);

test('python: a call the tables do not know keeps what it is given; ownershipTransfers makes a borrower keep it too', async () => {
  // pool.submit() is no borrower of the tables: conn is the pool's from the call on.
  assert.deepEqual((await analyzePython(HANDOFF, {})).findings, []);
  const borrowed = HANDOFF.replace('pool.submit(handle, conn, addr)', 'print("accepted", conn, file=log)');
  const plain = await analyzePython(borrowed, {});
  // print() only reads conn: the next accept() overwrites it (and may raise while it is open).
  assert.deepEqual(plain.findings.map((f) => [f.range.start.line + 1, f.ruleId, f.variable]).sort(),
    [[5, 'sockscope.leak', 'conn'], [5, 'sockscope.overwrite', 'conn']]);
  const owned = await analyzePython(borrowed, { ownershipTransfers: ['print'] });
  assert.deepEqual(owned.findings, [], 'with ownershipTransfers [print]');
});

test('python: functions of the tables borrow (os, select, json, logging, assertions, formatting); others keep', async () => {
  const text = lines(
    'import os',
    'import json',
    'import socket',
    'import logging',
    'log = logging.getLogger(__name__)',
    '',
    'def borrowed(self, path, data):',
    '    f = open(path, "w")',
    '    json.dump(data, f)',
    '    os.fsync(f.fileno())',
    '    log.debug("wrote %r", f)',
    '    self.assertFalse(f.closed)',
    '    print("{}".format(f))',
    '',
    'def kept(path):',
    '    f = open(path)',
    '    startLogging(f)',
    '    f.write("x")',
    '',
    'def adopted(fd):',
    '    s = socket.socket(fileno=fd)',
    '    return s',
  );
  const got = (await analyzePython(text, {})).findings.map((f) => [f.range.start.line + 1, f.variable, f.severity ?? 'warning']);
  // f leaks at each borrowing call that may raise (a logging call or printing a formatted string practically
  // never does) and at the end of borrowed(); startLogging() keeps kept()'s file; socket.socket(fileno=fd) takes fd over.
  assert.deepEqual(got, [[9, 'f', 'warning'], [10, 'f', 'warning'], [11, 'f', 'information'], [12, 'f', 'warning'], [13, 'f', 'warning'], [13, 'f', 'information']]);
});

test('python: an object built from a socket keeps it (a class by its capitalised name), exceptions excepted', async () => {
  const text = lines(
    'import socket',
    'import threading',
    '',
    'def serve(srv, handle):',
    '    while True:',
    '        conn, addr = srv.accept()',
    '        threading.Thread(target=handle, args=(conn, addr)).start()',
    '',
    'def stream(addr):',
    '    s = socket.socket()',
    '    stream = IOStream(s)',
    '    stream.connect(addr)',
    '',
    'def bad(addr):',
    '    s = socket.socket()',
    '    raise ValueError(s)',
    '',
    'def constant(addr):',
    '    s = socket.socket()',
    '    LIMIT(s)',
  );
  // raise ValueError(s) keeps nothing; LIMIT(s), a call the tables do not know, keeps s.
  assert.deepEqual((await analyzePython(text, {})).findings.map((f) => [f.range.start.line + 1, f.variable]),
    [[16, 's']]);
});

test('python: a close method handed to a callee (addCleanup, ExitStack.callback), closing() and self.x = x = open() hand it over', async () => {
  const text = lines(
    'import socket',
    'from contextlib import ExitStack, closing',
    '',
    'def cleanup(self, addr):',
    '    s = socket.socket()',
    '    self.addCleanup(s.close)',
    '    s.connect(addr)',
    '',
    'def stack(addr):',
    '    with ExitStack() as st:',
    '        s = socket.socket()',
    '        st.callback(s.close)',
    '        s.connect(addr)',
    '',
    'def closed(addr):',
    '    s = socket.socket()',
    '    with closing(s):',
    '        s.connect(addr)',
    '',
    'def kept(self):',
    '    self.f = f = open("log", "wb")',
    '    f.write(b"x")',
  );
  assert.deepEqual((await analyzePython(text, {})).findings, []);
});

test('python: returning or storing a socket\'s close method hands the socket over; returning another method does not', async () => {
  const text = lines(
    'import socket',
    '',
    'def closer(port):',
    '    s = socket.socket()',
    '    return s.close, port',
    '',
    'def stored(self):',
    '    s = socket.socket()',
    '    self.cleanup = s.close',
    '',
    'def reader():',
    '    s = socket.socket()',
    '    return s.recv',
  );
  const r = await analyzePython(text, {});
  assert.deepEqual(r.findings.map((f) => `${f.range.start.line + 1}:${f.function}:${f.variable}`), ['13:reader:s']);
});

test('python: a leak only when a call that practically never raises raises is reported at information severity', async () => {
  const text = lines(
    'import socket',
    'import logging',
    'log = logging.getLogger(__name__)',
    '',
    'def listener(addr):',
    '    s = socket.socket()',
    '    s.setblocking(False)',
    '    log.info("socket %r", s)',
    '    s.bind(("127.0.0.1", 0))',
    '    s.listen(5)',
    '    s.bind(addr)',
    '    s.settimeout(compute())',
    '    s.close()',
    '',
    'def compute():',
    '    with open("/etc/timeout") as f:',
    '        return float(f.read())',
  );
  const findings = (await analyzePython(text, {})).findings;
  // bind(addr) may really fail; settimeout(compute()) raises where compute() does (it reads a file).
  assert.deepEqual(findings.map((f) => [f.range.start.line + 1, f.severity ?? 'warning']),
    [[7, 'information'], [8, 'information'], [9, 'information'], [10, 'information'], [11, 'warning'], [12, 'warning']]);
  assert.equal(findings[5]!.range.start.column, 17, 'the exit of settimeout(compute()) is compute()');
});

test('python: a leak is reported at each exit that loses it, with the acquisition in related information', async () => {
  const text = lines(
    'import socket',
    '',
    'def send(addr, data):',
    '    s = socket.socket()',
    '    s.connect(addr)',
    '    if not data:',
    '        return',
    '    s.sendall(data)',
    '    s.close()',
  );
  const findings = (await analyzePython(text, {})).findings;
  // The exceptional exit at connect(), the early return, the exceptional exit at sendall().
  assert.deepEqual(findings.map((f) => [f.range.start, f.range.end]), [
    [{ line: 4, column: 4 }, { line: 4, column: 19 }],
    [{ line: 6, column: 8 }, { line: 6, column: 14 }],
    [{ line: 7, column: 4 }, { line: 7, column: 19 }],
  ]);
  for (const f of findings) {
    assert.equal(f.function, 'send');
    assert.equal(f.message, '`s` (socket.socket() on line 4) is not closed on this path');
    assert.deepEqual([f.acquired.start, f.acquired.end], [{ line: 3, column: 8 }, { line: 3, column: 23 }]);
    assert.deepEqual(f.related?.map((r) => [r.range.start.line + 1, r.message]), [[4, '`s` acquired here by socket.socket()']]);
  }
  const f = findings[1]!;
  assert.deepEqual(findings.map((x) => x.fixes.some((y) => y.scope === 'exit')), [false, true, false], 'only a return gets an exit fix');
  const exit = f.fixes.find((x) => x.scope === 'exit');
  assert.equal(exit?.title, 'Close `s` before this return');
  assert.equal(applyEdits(text, exit!.edits).split('\n')[6], '        s.close()');
});

test('python: the preferred fix rewrites the acquisition into a with statement (exact text)', async () => {
  const text = lines(
    'import socket',
    '',
    'def echo_once(port):',
    '    srv = socket.create_server(("127.0.0.1", port))',
    '    conn, _ = srv.accept()',
    '    conn.sendall(conn.recv(1024))',
    '    conn.close()',
    '    srv.close()',
    '    return True',
  );
  const findings = (await analyzePython(text, {})).findings;
  // srv at the exceptional exits of accept() and sendall()/recv(); conn at the latter.
  assert.deepEqual(findings.map((f) => [f.range.start.line + 1, f.variable]), [[5, 'srv'], [6, 'conn'], [6, 'srv']]);
  assert.equal(findings[2]!.fixes.find((x) => x.isPreferred), findings[0]!.fixes.find((x) => x.isPreferred), 'one fix per acquisition');
  const fix = findings[0]!.fixes.find((x) => x.isPreferred)!;
  assert.equal(fix.title, 'Use `with` for `srv`');
  assert.equal(applyEdits(text, fix.edits), lines(
    'import socket',
    '',
    'def echo_once(port):',
    '    with socket.create_server(("127.0.0.1", port)) as srv:',
    '        conn, _ = srv.accept()',
    '        conn.sendall(conn.recv(1024))',
    '        conn.close()',
    '        srv.close()',
    '    return True',
  ));
});

test('python: globals, aliases, closures and generators are not reported', async () => {
  const text = lines(
    'import socket',
    'SOCK = None',
    '',
    'def open_global(addr):',
    '    global SOCK',
    '    SOCK = socket.create_connection(addr)',
    '    SOCK.sendall(b"hi")',
    '',
    'def alias(addr):',
    '    s = socket.create_connection(addr)',
    '    c = s',
    '    c.close()',
    '',
    'def closure(addr, register):',
    '    s = socket.create_connection(addr)',
    '    register(lambda: s.close())',
    '',
    'def stream(addr):',
    '    s = socket.create_connection(addr)',
    '    yield s',
  );
  assert.deepEqual((await analyzePython(text, {})).findings.map((f) => f.variable), []);
});

test('python: walrus, chained and annotated acquisitions are tracked; del is reported', async () => {
  const text = lines(
    'import socket',
    '',
    'def walrus(addr):',
    '    if (s := socket.create_connection(addr)) is not None:',
    '        s.sendall(b"x")',
    '    s.close()',
    '',
    'def annotated(addr):',
    '    s: socket.socket = socket.create_connection(addr)',
    '    del s',
  );
  const findings = (await analyzePython(text, {})).findings;
  // The walrus socket leaks if sendall() raises; the annotated one at the `del`, which does not close it.
  assert.deepEqual(findings.map((f) => [f.range.start.line + 1, f.variable]), [[5, 's'], [10, 's']]);
  assert.deepEqual([findings[1]!.range.start.column, findings[1]!.range.end.column], [4, 9]);
  assert.equal(findings[1]!.acquired.start.line + 1, 9);
});

test('python: a with block closes at every way out of it; a leak through it is reported where the path began', async () => {
  const text = lines(
    'import socket',
    '',
    'def inside(addr):',
    '    s = socket.socket()',
    '    with s:',
    '        s.connect(addr)',
    '        return s.recv(1)',
    '',
    'def through(addr):',
    '    s = socket.socket()',
    '    t = socket.socket()',
    '    with s:',
    '        t.connect(addr)',
    '        if addr:',
    '            return 1',
    '    t.close()',
    '',
    'def rebound(addr):',
    '    s = socket.socket()',
    '    with s:',
    '        s = socket.socket()',
    '    print(s)',
  );
  const findings = (await analyzePython(text, {})).findings;
  // s may leak when t's socket() raises; t at its connect() and at the return, both inside the with;
  // the socket bound inside the with is not the one the with closes.
  assert.deepEqual(findings.map((f) => [f.range.start.line + 1, f.variable, f.acquired.start.line + 1]),
    [[11, 's', 10], [13, 't', 11], [15, 't', 11], [22, 's', 21]]);
  assert.equal(findings[1]!.range.start.column, 8, 'at t.connect(addr)');
});

test('python: a socket returned or stored inside a wrapper is handed over, even if the wrapper raises', async () => {
  const text = lines(
    'import socket',
    '',
    'class Conn:',
    '    @classmethod',
    '    def dial(cls, addr):',
    '        s = socket.create_connection(addr)',
    '        return cls(s)',
    '',
    '    def attach(self, addr):',
    '        s = socket.create_connection(addr)',
    '        self.conn = Wrapper(sock=s)',
    '',
    'def lost(addr):',
    '    s = socket.create_connection(addr)',
    '    return len(s.recv(1))',
  );
  const findings = (await analyzePython(text, {})).findings;
  assert.deepEqual(findings.map((f) => [f.range.start.line + 1, f.variable]), [[15, 's'], [15, 's']]);
});

test('python: a constructor that raises into the function\'s own handler kept nothing: the handler\'s path still owns the socket', async () => {
  const text = lines(
    'import socket',
    '',
    'def create(addr, make_future):',
    '    s = socket.socket()',
    '    try:',
    '        stream = IOStream(s, max_buffer_size=10)',
    '    except OSError as e:',
    '        return None',
    '    return stream',
    '',
    'def propagated(addr):',
    '    s = socket.socket()',
    '    return IOStream(s)',
    '',
    'def also_elsewhere(addr):',
    '    s = socket.socket()',
    '    try:',
    '        stream = IOStream(s, keep(s))',
    '    except OSError:',
    '        return None',
    '    return stream',
    '',
    'def closed(addr):',
    '    s = socket.socket()',
    '    try:',
    '        stream = IOStream(s)',
    '    except OSError:',
    '        s.close()',
    '        raise',
    '    return stream',
  );
  const findings = (await analyzePython(text, {})).findings;
  // create(): IOStream() raised, so no stream keeps s, and `return None` loses it. An exception leaving the
  // function (propagated) and a name handed to another call too (also_elsewhere) stay handed off.
  assert.deepEqual(findings.map((f) => [f.range.start.line + 1, f.variable]), [[8, 's']]);
});

test('python: a new future and its setters practically never raise: a leak that needs them to is below warning', async () => {
  const text = lines(
    'import socket',
    'from asyncio import Future',
    '',
    'def create(addr):',
    '    s = socket.socket()',
    '    try:',
    '        stream = IOStream(s)',
    '    except OSError as e:',
    '        fu = Future()',
    '        fu.set_exception(e)',
    '        notify(e)',
    '        return fu',
    '    return stream',
  );
  const findings = (await analyzePython(text, {})).findings;
  // notify() is defined nowhere the analysis sees (issue 13: below warning too); the return loses s for real.
  assert.deepEqual(findings.map((f) => [f.range.start.line + 1, f.variable, f.severity ?? 'warning']),
    [[9, 's', 'information'], [10, 's', 'information'], [11, 's', 'information'], [12, 's', 'warning']]);
});

test('python: a status code set to integer literals is correlated with its later test (rc = 1 … rc = 0 … if rc != 0)', async () => {
  // mosquitto's test scripts (issue 13): rc stays 1 on every path where conn is left open, so `if rc != 0:`
  // is taken there and the function never reaches its end with conn open; only exit(rc)'s SystemExit leaves
  // with it (the script's own exit: information).
  const body = (test: string, set = '        rc = 0') => lines(
    '#!/usr/bin/env python3',
    'import socket',
    '',
    'def len_test(sock):',
    '    rc = 1',
    '    try:',
    '        (conn, address) = sock.accept()',
    '        conn.settimeout(15)',
    set,
    '        conn.close()',
    '    except OSError:',
    '        pass',
    `    if ${test}:`,
    '        exit(rc)',
    '',
    'len_test(socket.socket())',
    'len_test(socket.socket())',
  );
  const rows = async (text: string) => (await analyzePython(text, {})).findings
    .filter((f) => f.variable === 'conn').map((f) => [f.range.start.line + 1, f.severity ?? 'warning']);
  for (const test of ['rc != 0', '0 != rc', 'rc > 0', 'not rc == 0', 'rc == 1', 'rc >= 1']) {
    assert.deepEqual(await rows(body(test)), [[14, 'information']], test);
  }
  // Not decided by the literals: the end is reached with conn open (a warning), as before.
  const warned = async (text: string) => (await rows(text)).some(([, s]) => s === 'warning');
  for (const [test, set] of [['rc != 0', '        rc = f()'], ['rc == 0', '        rc = 0'], ['rc != 0', '        rc = 1 if f() else 0']]) {
    assert.equal(await warned(body(test!, set)), true, `${test} after ${set!.trim()}`);
  }
});

test('python: a flag set to a constant and then tested takes one branch (err = None … while not err)', async () => {
  const text = lines(
    'import socket',
    '',
    'def open_first(addrs):',
    '    err = None',
    '    for addr in addrs:',
    '        sock = socket.socket()',
    '        err = None',
    '        while not err:',
    '            try:',
    '                sock.connect(addr)',
    '            except OSError as e:',
    '                sock.close()',
    '                err = e',
    '                continue',
    '            else:',
    '                break',
    '        else:',
    '            continue',
    '        break',
    '    else:',
    '        if err:',
    '            raise err',
    '    return sock',
    '',
    'def changed_elsewhere(addrs):',
    '    err = None',
    '    def fail():',
    '        nonlocal err',
    '        err = OSError()',
    '    for addr in addrs:',
    '        sock = socket.socket()',
    '        fail()',
    '        if err:',
    '            continue',
    '        return sock',
  );
  const findings = (await analyzePython(text, {})).findings;
  // open_first(): the loop is entered (err is None), so its else (next address) runs only after the close.
  // changed_elsewhere(): a nested function rebinds err, so nothing is known of it (the loop may end with sock open);
  // fail() itself neither raises nor does I/O, so the exception out of it is below warning (issue 13).
  assert.deepEqual(findings.filter((f) => f.severity !== 'information').map((f) => [f.range.start.line + 1, f.function, f.ruleId]),
    [[31, 'changed_elsewhere', 'sockscope.overwrite'], [35, 'changed_elsewhere', 'sockscope.leak']]);
});

test('python: files with syntax errors are analysed where they parse', async () => {
  const text = lines(
    'import socket',
    '',
    'def broken(:',
    '    pass',
    '',
    'def leaky(addr):',
    '    s = socket.create_connection(addr)',
    '    s.sendall(b"x")',
    '    s.close()',
  );
  const r = await analyzePython(text, {});
  assert.equal(r.hadParseErrors, true);
  assert.ok(r.notes.some((n) => /syntax errors/.test(n)), r.notes.join('; '));
  assert.deepEqual(r.findings.map((f) => [f.range.start.line + 1, f.variable]), [[8, 's']]);
});

test('python: a zero time budget stops with a note instead of findings', async () => {
  const r = await analyzePython(HANDOFF, { timeBudgetMs: 0 });
  assert.deepEqual(r.findings, []);
  assert.ok(r.notes.some((n) => /time budget/.test(n)), r.notes.join('; '));
});

test('python: what a call returns may keep its arguments: returning it hands them on', async () => {
  const text = lines(
    'import socket',
    '',
    'def put(self, path):',
    '    f = open(path, "rb")',
    '    d = self._put(f)',
    '    return d',
    '',
    'def received(addr):',
    '    s = socket.create_connection(addr)',
    '    n = s.recv(10)',
    '    return n',
  );
  // _put() keeps f from the call on; s is only the receiver of recv(), which keeps nothing.
  assert.deepEqual((await analyzePython(text, {})).findings.map((f) => [f.range.start.line + 1, f.variable]),
    [[10, 's'], [11, 's']]);
});

test('python: what a call named like an opener gives is the function\'s own when the function closes it', async () => {
  const text = lines(
    'import socket',
    '',
    'def prompt(self, text):',
    '    f = self.opener()',
    '    f.write(text)',
    '    f.close()',
    '',
    'def touched(path):',
    '    fObj = path.open("w")',
    '    try:',
    '        fObj.write(b"x")',
    '    finally:',
    '        fObj.close()',
    '',
    'def found(self):',
    '    f = self.open_existing()',
    '    if f is None:',
    '        return None',
    '    f.close()',
    '',
    'def kept(self):',
    '    f = self.opener()',
    '    f.write(b"x")',
    '',
    'def stream(self):',
    '    st = self.make_stream()',
    '    st.write(b"x")',
    '    st.close()',
    '',
    'def wrapped(self):',
    '    s = socket.socket()',
    '    w = self.open_wrapper(s)',
    '    w.close()',
  );
  // Only prompt() leaks (write may raise); opener results not closed here are not known to be ours,
  // None tested for is no resource, a call not named like an opener is not inferred, and a wrapper of s
  // is not inferred either (open_wrapper() keeps s).
  assert.deepEqual((await analyzePython(text, {})).findings.map((f) => [f.range.start.line + 1, f.variable]),
    [[5, 'f']]);
});

test('python: an exception leaving a script\'s module-level main() ends the process: that leak is below warning', async () => {
  const text = lines(
    'import socket',
    '',
    'def main():',
    '    a, b = socket.socketpair()',
    '    a.sendall(b"x")',
    '',
    'class C:',
    '    def main(self):',
    '        s = socket.socket()',
    '        s.connect(("h", 1))',
  );
  // Each at the call that may raise and at the end of the function (the same line here): main's end stays a warning.
  const got = (await analyzePython(text, {})).findings.map((f) => `${f.range.start.line + 1} ${f.variable} ${f.severity ?? 'warning'}`).sort();
  assert.deepEqual(got, ['10 s warning', '10 s warning', '5 a information', '5 a warning', '5 b information', '5 b warning']);
});

test('python: an exception leaving a test fails it: that leak is below warning; a helper\'s is not', async () => {
  const text = lines(
    'import socket',
    'import unittest',
    '',
    'class T(unittest.TestCase):',
    '    def test_send(self):',
    '        s = socket.socket()',
    '        s.connect(("h", 1))',
    '        s.close()',
    '',
    '    def helper(self):',
    '        s = socket.socket()',
    '        s.connect(("h", 1))',
    '        return s',
    '',
    'def test_module():',
    '    s = socket.socket()',
    '    s.connect(("h", 1))',
    '',
    'def module_helper():',
    '    s = socket.socket()',
    '    s.connect(("h", 1))',
    '    s.close()',
  );
  // A test's socket never closed is still a warning (at the end of test_module()).
  const got = (await analyzePython(text, {})).findings.map((f) => `${f.range.start.line + 1} ${f.function} ${f.severity ?? 'warning'}`);
  assert.deepEqual(got, ['7 test_send information', '12 helper warning', '17 test_module information', '17 test_module warning', '21 module_helper warning']);
});

test('python: re-raising what a call that practically never raises raised is as unlikely', async () => {
  const text = lines(
    'import os',
    'import errno',
    '',
    'def quiet():',
    '    null = os.open("/dev/null", os.O_RDWR)',
    '    for i in range(3):',
    '        try:',
    '            os.dup2(null, i)',
    '        except OSError as e:',
    '            if e.errno != errno.EBADF:',
    '                raise',
    '    os.close(null)',
    '',
    'def loud(path):',
    '    fd = os.open("/dev/null", os.O_RDWR)',
    '    try:',
    '        os.write(fd, b"x")',
    '    except OSError as e:',
    '        raise e',
    '    os.close(fd)',
  );
  const got = (await analyzePython(text, {})).findings.map((f) => `${f.range.start.line + 1} ${f.variable} ${f.severity ?? 'warning'}`);
  assert.deepEqual(got, ['6 null information', '11 null information', '19 fd warning']);
});

test('python: a successful open(path) proves path truthy: a loop that runs until a file opened does not reopen it', async () => {
  const text = lines(
    'def first_readable(self, names):',
    '    current = None',
    '    while names and not current:',
    '        try:',
    '            current = names.pop(0)',
    '            stream = open(current, "rb")',
    '        except OSError:',
    '            self.report(current)',
    '            current = None',
    '    if not current:',
    '        return None',
    '    return self.upload(stream)',
    '',
    'def every(self, names):',
    '    for name in names:',
    '        stream = open(name, "rb")',
    '    return self.upload(stream)',
  );
  // every() reopens on each turn: the overwrite stays.
  assert.deepEqual((await analyzePython(text, {})).findings.map((f) => [f.range.start.line + 1, f.ruleId, f.variable]),
    [[16, 'sockscope.overwrite', 'stream'], [16, 'sockscope.leak', 'stream']]);
});

test('python: a trivial constructor of the file, a standard new socket, a self-connection and os.path helpers practically never raise', async () => {
  const text = lines(
    'import os',
    'import socket',
    '',
    'class Holder:',
    '    def __init__(self, mod):',
    '        """Keeps mod."""',
    '        self.mod = mod',
    '',
    'class Busy:',
    '    def __init__(self, mod):',
    '        self.mod = os.stat(mod)',
    '',
    'def waker():',
    '    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
    '    server = socket.socket()',
    '    server.bind(("127.0.0.1", 0))',
    '    server.listen(1)',
    '    client.connect(server.getsockname())',
    '    reader, _ = server.accept()',
    '    server.close()',
    '    return client, reader',
    '',
    'def built(path, name):',
    '    f = open(path)',
    '    h = Holder(name)',
    '    b = Busy(name)',
    '    p = os.path.join(path, name)',
    '    g = socket.socket(socket.AF_INET6)',
    '    return f, h, b, p, g',
  );
  const got = (await analyzePython(text, {})).findings.map((f) => `${f.range.start.line + 1} ${f.variable} ${f.severity ?? 'warning'}`);
  // Busy() may raise (its __init__ calls os.stat()); an IPv6 socket may be unsupported.
  assert.deepEqual(got, [
    '15 client information', '16 server information', '16 client information', '17 server information', '17 client information',
    '18 server information', '18 client information', '19 server information', '19 client information',
    '25 f information', '26 f warning', '27 f information', '28 f warning',
  ]);
});

test('python: a loopback connect to the port bound with a socket the function accepts on connects to itself', async () => {
  const text = lines(
    'import socket',
    '',
    'def pair(make_listener):',
    '    srv, port = make_listener()',
    '    client = socket.socket()',
    '    client.connect(("127.0.0.1", port))',
    '    conn, _ = srv.accept()',
    '    srv.close()',
    '    return client, conn',
    '',
    'def elsewhere(make_listener, other):',
    '    srv, port = make_listener()',
    '    client = socket.socket()',
    '    client.connect(("127.0.0.1", other))',
    '    conn, _ = srv.accept()',
    '    srv.close()',
    '    return client, conn',
    '',
    'def no_accept(make_listener):',
    '    srv, port = make_listener()',
    '    client = socket.socket()',
    '    client.connect(("127.0.0.1", port))',
    '    return client',
  );
  const got = (await analyzePython(text, {})).findings.map((f) => `${f.range.start.line + 1} ${f.function} ${f.variable} ${f.severity ?? 'warning'}`);
  // Another port, or a port whose socket the function never accepts on, may refuse the connection.
  assert.deepEqual(got, [
    '6 pair client information', '7 pair client information',
    '14 elsewhere client warning', '15 elsewhere client warning',
    '22 no_accept client warning',
  ]);
});

test('python: a closure that only calls methods on a socket borrows it; one that closes or keeps it owns it', async () => {
  const text = lines(
    'import socket',
    '',
    'def dial(addr, retry):',
    '    for af in (socket.AF_INET, socket.AF_INET6):',
    '        try:',
    '            sock = socket.socket(af, socket.SOCK_STREAM)',
    '            retry(lambda: sock.connect(addr))',
    '            break',
    '        except OSError:',
    '            raise',
    '    return sock',
    '',
    'def checked(d):',
    '    s = socket.socket(socket.AF_INET6)',
    '    def check(x):',
    '        assert s.getsockname() == x',
    '    d.addCallback(check)',
    '',
    'def later(register):',
    '    s = socket.socket(socket.AF_INET6)',
    '    register(lambda: s.close())',
    '    def keep():',
    '        return s',
    '    register(keep)',
  );
  // dial(): sock leaks where retry() raises; checked(): s is never closed.
  assert.deepEqual((await analyzePython(text, {})).findings.map((f) => [f.range.start.line + 1, f.variable]),
    [[10, 'sock'], [17, 's'], [17, 's']]);
});

test('python: a flag set right after an acquisition tells whether it ran; close-on-exec and descriptor flags never fail', async () => {
  const text = lines(
    'import fcntl',
    'import traceback',
    '',
    'def crash_log(config, out):',
    '    close = False',
    '    if config:',
    '        f = out',
    '    else:',
    '        f = open("crash.log", "a")',
    '        close = True',
    '    try:',
    '        traceback.print_exc(file=f)',
    '    finally:',
    '        if close:',
    '            f.close()',
    '',
    'def reused(config, out):',
    '    close = False',
    '    f = open("crash.log", "a")',
    '    close = True',
    '    if config:',
    '        close = config.keep',
    '    try:',
    '        f.write("x")',
    '    finally:',
    '        if close:',
    '            f.close()',
    '',
    'def nonblocking(path):',
    '    f = open(path)',
    '    fdesc._setCloseOnExec(f.fileno())',
    '    fcntl.fcntl(f.fileno(), fcntl.F_SETFL, 0)',
    '    f.read()',
    '    f.close()',
  );
  const got = (await analyzePython(text, {})).findings.map((f) => `${f.range.start.line + 1} ${f.variable} ${f.severity ?? 'warning'}`);
  // reused(): `close` may become false while f is open (f leaks where the finally re-raises and at the end);
  // nonblocking(): read() may raise.
  assert.deepEqual(got, ['25 f warning', '27 f warning', '31 f information', '32 f information', '33 f warning']);
});
