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
  'import threading',
  '',
  'def serve(srv, handle):',
  '    while True:',
  '        conn, addr = srv.accept()',
  '        threading.Thread(target=handle, args=(conn, addr)).start()',
);

test('python: a thread hand-off leaks unless the callee is listed in ownershipTransfers', async () => {
  const plain = await analyzePython(HANDOFF, {});
  assert.deepEqual(plain.findings.map((f) => [f.range.start.line + 1, f.variable]), [[6, 'conn']]);
  for (const name of ['threading.Thread', 'Thread']) {
    const owned = await analyzePython(HANDOFF, { ownershipTransfers: [name] });
    assert.deepEqual(owned.findings, [], `with ownershipTransfers [${name}]`);
  }
});

test('python: the message and related information name the losing paths', async () => {
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
  const [f, ...rest] = (await analyzePython(text, {})).findings;
  assert.ok(f);
  assert.equal(rest.length, 0);
  assert.equal(f.function, 'send');
  assert.deepEqual([f.range.start, f.range.end], [{ line: 3, column: 8 }, { line: 3, column: 23 }]);
  assert.match(f.message, /^Socket `s` from `socket\.socket\(\)` is not closed on every path: it leaks on an exception from `s\.connect\(addr\)` on line 5 \(and 2 other paths\)\.$/);
  assert.deepEqual(f.related?.map((r) => [r.range.start.line + 1, r.message]), [
    [5, '`s` leaks here: an exception from `s.connect(addr)` on line 5'],
    [7, '`s` leaks here: the return on line 7'],
    [8, '`s` leaks here: an exception from `s.sendall(data)` on line 8'],
  ]);
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
  assert.deepEqual(findings.map((f) => f.variable), ['srv', 'conn']);
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
  assert.deepEqual(findings.map((f) => [f.range.start.line + 1, f.variable]), [[4, 's'], [9, 's']]);
  assert.match(findings[1]!.message, /`del s` on line 10 \(del does not close it\)/);
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
  assert.deepEqual(r.findings.map((f) => [f.range.start.line + 1, f.variable]), [[7, 's']]);
});

test('python: a zero time budget stops with a note instead of findings', async () => {
  const r = await analyzePython(HANDOFF, { timeBudgetMs: 0 });
  assert.deepEqual(r.findings, []);
  assert.ok(r.notes.some((n) => /time budget/.test(n)), r.notes.join('; '));
});
