import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCorpus } from '../../corpusFixtures';
import { checkEditTrail, checkKeyMutations } from '../../testing/reuseKit';
import { JAVA_FUNCTIONS } from './index';

// `target` closes its socket through `finish`, which closes it through `release`, and hands `t` to a
// `Holder` constructor that closes it (summaries of same-file methods and constructors); `serve`
// accepts from a field, whose type decides what `accept()` returns; `one` is a one-line method.
const BASE = [
  'import java.net.*;',
  '',
  'class T {',
  '    private ServerSocket server;',
  '',
  '    static void release(Socket s) throws Exception { s.close(); }',
  '',
  '    static void finish(Socket s) throws Exception { release(s); }',
  '',
  '    int target(String h) throws Exception {',
  '        Socket s = new Socket(h, 80);',
  '        finish(s);',
  '        Socket t = new Socket(h, 81);',
  '        new Holder(t);',
  '        return 1;',
  '    }',
  '',
  '    void serve() throws Exception {',
  '        Socket c = server.accept();',
  '        c.getInputStream();',
  '    }',
  '',
  '    int other() { return 2; }',
  '',
  '    void one() throws Exception { Socket u = new Socket("x", 1); keep(u); }',
  '}',
  '',
  'class Holder {',
  '    Holder(Socket s) throws Exception { s.close(); }',
  '}',
  '',
].join('\n');

// Every function is looked up (one that acquires nothing has an empty result): `release`, `finish`, `target`, `serve`, `other`, `one`, `Holder`.
test('Java: each input of a function\'s key re-analyses it; other changes reuse it', async () => {
  await checkKeyMutations('java', JAVA_FUNCTIONS, BASE, [
    { input: 'own text', replace: ['        finish(s);\n', '        s.getInputStream();\n'], hits: 6, misses: 1, changesResult: true },
    { input: 'a callee\'s definition', replace: ['{ release(s); }', '{ s.getInputStream(); }'], hits: 5, misses: 2, changesResult: true },
    { input: 'the definition of a callee\'s callee', replace: ['{ s.close(); }\n\n    static', '{ s.getInputStream(); }\n\n    static'], hits: 5, misses: 2, changesResult: true },
    { input: 'a constructor\'s definition', replace: ['Holder(Socket s) throws Exception { s.close(); }', 'Holder(Socket s) throws Exception { s.getInputStream(); }'], hits: 5, misses: 2, changesResult: true },
    { input: 'field types (of the whole file)', replace: ['private ServerSocket server;', 'private Object server;'], hits: 0, misses: 7, changesResult: true },
    { input: 'text before the function on its line', replace: ['    void one()', '    /* c */ void one()'], hits: 6, misses: 1, changesResult: true },
    { input: 'ownership transfers', options: { ownershipTransfers: ['keep'] }, hits: 0, misses: 7, changesResult: true },
    { input: 'nothing it depends on (another method\'s body)', replace: ['return 2;', 'return 3;'], hits: 6, misses: 1, changesResult: false },
    { input: 'nothing it depends on (lines above it)', replace: ['import java.net.*;\n', 'import java.net.*;\n\n// moved\n'], hits: 7, misses: 0, changesResult: true },
  ]);
  // A call whose name has no definition yet: one added later is a change of that input.
  const finish = '    static void finish(Socket s) throws Exception { release(s); }\n';
  assert.ok(BASE.includes(finish));
  await checkKeyMutations('java', JAVA_FUNCTIONS, BASE.replace(finish + '\n', ''), [
    { input: 'a definition added for a name it calls', replace: ['    int target', finish + '\n    int target'], hits: 5, misses: 2, changesResult: true },
  ]);
});

test('Java: declaring a method to return a socket re-analyses the callers that acquired nothing before', async () => {
  // `use` acquires nothing while `dial` returns an Object (its empty result depends on its text alone);
  // once `dial` is declared to return a Socket, a call of it acquires one, and `use` leaks it.
  const text = [
    'import java.net.*;',
    'class D {',
    '    Object dial() throws Exception { Socket s = new Socket("h", 1); return s; }',
    '    void use() throws Exception {',
    '        Socket s = (Socket) dial();',
    '        s.getOutputStream().write(1);',
    '    }',
    '}',
    '',
  ].join('\n');
  await checkKeyMutations('java', JAVA_FUNCTIONS, text, [
    { input: 'the file\'s socket methods', replace: ['Object dial()', 'Socket dial()'], hits: 0, misses: 2, changesResult: true },
  ]);
});

test('Java: a thread hand-off and its handler are analysed every time (the handler\'s resources come from the other function)', async () => {
  const text = [
    'import java.net.*;',
    'class H {',
    '    void start(String h) throws Exception {',
    '        Socket s = new Socket(h, 80);',
    '        new Thread(() -> { try { s.getInputStream(); } catch (Exception e) { } }).start();',
    '    }',
    '}',
    '',
  ].join('\n');
  await checkKeyMutations('java', JAVA_FUNCTIONS, text, [
    { input: 'nothing', replace: ['class H {', '// moved\nclass H {'], hits: 0, misses: 1, changesResult: true },
  ]);
});

const SNIPPETS = ['', '// moved', '    static void helper(Socket s) throws Exception { s.close(); }', '        s.close();', '        return;',
  '    private Socket sock;'];

test('Java: over random edits, re-analysis with reuse gives exactly the result from scratch', async () => {
  const texts = loadCorpus('java').map((c) => c.text);
  const reused = await checkEditTrail('java', JAVA_FUNCTIONS, texts, SNIPPETS, 20261205);
  assert.ok(reused > 50, `reused ${reused} function results`);
});
