/**
 * A same-file method or constructor that declares no `throws` can let only unchecked exceptions out
 * (java-prec6): javac rejects a checked one that it neither catches nor declares. Unless it throws one on
 * purpose (a `throw` statement, in it or in a same-file method it calls), such an exception is a bug, which
 * the analysis does not model for other calls either: a leak only on that path is below warning
 * (kryonet's `Server.update`: `acceptOperation(socketChannel)` catches its IOExceptions itself).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSource } from '../../index';

function src(callee: string): string {
  return [
    'import java.io.IOException;',
    'import java.nio.channels.*;',
    'import java.util.*;',
    'class Server {',
    '  private final List<SocketChannel> conns = new ArrayList<>();',
    '  private ServerSocketChannel server;',
    '  private Helper helper;',
    '  void update() {',
    '    try {',
    '      SocketChannel ch = server.accept();',
    '      if (ch != null) acceptOperation(ch);',
    '    } catch (IOException e) {',
    '      e.printStackTrace();',
    '    }',
    '  }',
    callee,
    '  Conn newConn() { return new Conn(); }',
    '  static class Conn { void init(int n) { } }',
    '}',
  ].join('\n');
}

async function atCall(callee: string): Promise<string[]> {
  const res = await analyzeSource(src(callee), 'java', {});
  return res.findings.filter((f) => f.range.start.line + 1 === 11).map((f) => `${f.variable}:${f.severity ?? 'warning'}`);
}

test('java: a same-file callee with no throws clause and no throw statement is an unlikely exception origin', async () => {
  const callee = [
    '  private void acceptOperation(SocketChannel ch) {',
    '    Conn c = newConn();',
    '    c.init(4);',
    '    helper.prepare();',
    '    try { ch.configureBlocking(false); conns.add(ch); } catch (IOException e) { e.printStackTrace(); }',
    '  }',
  ].join('\n');
  // Caught by the catch around it, an unlikely exception is not followed: nothing is reported.
  assert.deepEqual(await atCall(callee), []);
  // The same callee declaring `throws IOException` (it could let one out): a warning at the call.
  assert.deepEqual(await atCall(callee.replace('(SocketChannel ch) {', '(SocketChannel ch) throws IOException {')), ['ch:warning']);
});

test('java: a callee that declares throws, or throws an unchecked exception on purpose, stays a likely origin', async () => {
  const declares = [
    '  private void acceptOperation(SocketChannel ch) throws IOException {',
    '    helper.prepare(); conns.add(ch);',
    '  }',
  ].join('\n');
  assert.deepEqual(await atCall(declares), ['ch:warning']);
  const throwsOnPurpose = [
    '  private void acceptOperation(SocketChannel ch) {',
    '    if (conns.size() > 10) throw new IllegalStateException("full");',
    '    helper.prepare(); conns.add(ch);',
    '  }',
  ].join('\n');
  assert.deepEqual(await atCall(throwsOnPurpose), ['ch:warning']);
  // Through another same-file method that throws on purpose.
  const through = [
    '  private void acceptOperation(SocketChannel ch) { check(); helper.prepare(); conns.add(ch); }',
    '  private void check() { if (conns.size() > 10) throw new IllegalStateException("full"); }',
  ].join('\n');
  assert.deepEqual(await atCall(through), ['ch:warning']);
});
