/**
 * Java: the exceptional copy of a `finally` (issue 13, tomcat's connectToServerRecursive after its fix):
 * a null test of a variable that is null on every path reaching it takes one branch only, and what the
 * `finally` closes is not blamed on an exception raised inside its try.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeJava } from './index';

const file = (...body: string[]) => ['import java.io.*;', 'import java.net.*;', 'import java.nio.channels.*;', 'class T {', ...body, '}'].join('\n');
const summary = async (text: string) =>
  (await analyzeJava(text, {})).findings.map((f) => [f.range.start.line + 1, f.variable, f.severity ?? 'warning']);

test('java: `w != null` in a finally is false where w was only ever null', async () => {
  const text = file(
    '  void quiet() { }',
    '  Object a(boolean p) throws Exception {',
    '    SocketChannel ch = SocketChannel.open();',
    '    ChannelWrapper w = null;',
    '    try {',
    '      if (p) w = new ChannelWrapper(ch);',
    '      quiet();',
    '      return w;',
    '    } finally {',
    '      if (w != null) w.close(); else ch.close();',
    '    }',
    '  }',
  );
  // The only exception comes from `new ChannelWrapper(ch)`, where w is still null: the finally closes ch.
  assert.deepEqual(await summary(text), []);
});

test('java: a finally that closes on the exceptional path does not take the blame for an earlier pedantic leak', async () => {
  const text = file(
    '  Object a(SocketAddress sa) throws Exception {',
    '    SocketChannel ch = SocketChannel.open();',
    '    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(getSize());',
    '    boolean ok = false;',
    '    try {',
    '      ch.connect(sa);',
    '      ok = true;',
    '      return ch;',
    '    } catch (IOException e) {',
    '      throw new IllegalStateException(e);',
    '    } finally {',
    '      if (!ok) ch.close();',
    '    }',
    '  }',
  );
  // Only allocate() (a call that practically never throws) leaks ch: below warning, at its line.
  assert.deepEqual(await summary(text), [[7, 'ch', 'information']]);
});
