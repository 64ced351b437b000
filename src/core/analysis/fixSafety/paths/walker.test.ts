/**
 * The fix-safety suite's own path walker: each violation kind is found where it is, and not where
 * it is not (guarded releases, reassignments, clean code).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'web-tree-sitter';
import { withTree } from '../../parser';
import type { LanguageId } from '../../types';
import { familyOf, FUNCTIONS } from './syntax';
import { walkFunction, type WalkResult } from './walker';

async function walk(language: LanguageId, text: string): Promise<WalkResult> {
  return withTree(language, text, (tree) => {
    const family = familyOf(language);
    let fn: Node | null = null;
    const find = (n: Node): void => {
      if (!fn && FUNCTIONS[family].has(n.type)) fn = n;
      for (const c of n.namedChildren) if (c && !fn) find(c);
    };
    find(tree.rootNode);
    assert.ok(fn, 'no function in the snippet');
    return walkFunction(fn as Node, family);
  });
}

function kinds(r: WalkResult): string[] {
  return [...new Set([...r.violations].map((v) => v.split(' ')[0]!))].sort();
}

test('walker: a second close on one path is a double release (C)', async () => {
  const r = await walk('c', 'int f(int a) { int fd = socket(1, 2, 0); if (a) { util_closesocket(fd); } close(fd); return 0; }');
  assert.deepEqual(kinds(r), ['double-release']);
  assert.equal(r.paths, 2);
});

test('walker: a guarded close after a reset is no double release and no read (C)', async () => {
  const r = await walk('c', 'int f(int a) { int fd = socket(1, 2, 0); if (a) { close(fd); fd = -1; } if (fd >= 0) close(fd); return 0; }');
  assert.deepEqual(kinds(r), []);
});

test('walker: a close after the descriptor went to a callback, or after a goto to cleanup (C)', async () => {
  const cb = await walk('c', 'void f(struct l *lev) { int fd = accept(lev->fd, 0, 0); lev->cb(lev, fd); close(fd); }');
  assert.deepEqual(kinds(cb), ['release-after-handoff']);
  const stored = await walk('c', 'int f(struct c *conn) { int s = socket(1, 2, 0); conn->sock = s; if (bad()) goto fail; return 0; fail: close(s); return 1; }');
  assert.deepEqual(kinds(stored), ['release-after-handoff']);
});

test('walker: a read after a reset is found; a new value clears it (C)', async () => {
  const r = await walk('c', 'int f(struct a *as) { SOCKET s = socket(1, 2, 0); as->s = s; s = INVALID_SOCKET; return send_hello(s); }');
  assert.deepEqual(kinds(r), ['read-after-reset']);
  const clean = await walk('c', 'int f(void) { int s = -1; s = socket(1, 2, 0); return use(s); }');
  assert.deepEqual(kinds(clean), []);
});

test('walker: Python parameter reset, and a use after `with` closed the socket', async () => {
  const param = await walk('python', 'def f(sock=None):\n    sock = None\n    if sock is None:\n        sock = make()\n    return sock.recv(1)\n');
  assert.deepEqual(kinds(param), ['assign-parameter', 'read-after-reset']);
  const inWith = await walk('python', 'def f(a):\n    with socket.socket() as s:\n        s.connect(a)\n    return s.recv(1)\n');
  assert.deepEqual(kinds(inWith), ['use-after-release']);
  const guarded = await walk('python', 'def f(a):\n    s = None\n    try:\n        s = socket.socket()\n        return s.recv(1)\n    finally:\n        if s is not None:\n            s.close()\n');
  assert.deepEqual(kinds(guarded), []);
});

test('walker: Go defer of a listener stored through a method of the returned object', async () => {
  const src = 'package p\nfunc f() (*S, error) {\n\tl, err := net.Listen("tcp", ":0")\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\tdefer l.Close()\n\ts := &S{}\n\ts.set(l)\n\treturn s, nil\n}\n';
  assert.deepEqual(kinds(await walk('go', src)), ['release-after-handoff']);
  const local = src.replace('return s, nil', 'return nil, nil');
  assert.deepEqual(kinds(await walk('go', local)), []);
});

test('walker: Java try-with-resources over an alias, then a use of the socket', async () => {
  const r = await walk('java', 'class A { int f() throws Exception { Socket s = new Socket(); try (Socket r = s) { s.bind(null); } return s.getInputStream().read(); } }');
  assert.deepEqual(kinds(r), ['use-after-release']);
  const lambda = await walk('java', 'class A { Callable<Integer> f() throws Exception { try (Socket s = new Socket()) { return () -> s.getInputStream().read(); } } }');
  assert.deepEqual(kinds(lambda), ['release-after-handoff']);
  const clean = await walk('java', 'class A { int f() throws Exception { try (Socket s = new Socket()) { return s.getInputStream().read(); } } }');
  assert.deepEqual(kinds(clean), []);
});

test('walker: paths are bounded', async () => {
  const ifs = Array.from({ length: 20 }, (_, i) => `if (a == ${i}) x();`).join(' ');
  const r = await walk('c', `void f(int a) { ${ifs} }`);
  assert.ok(r.truncated);
  assert.ok(r.paths <= 256);
});
