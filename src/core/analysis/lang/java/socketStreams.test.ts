/**
 * jsch census (issue 13, held out, `PortWatcher.run`): the streams of a socket just accepted, or made connected by
 * `new Socket(host, port)`, are refused only once the socket was closed or shut down; a leak only through
 * `getInputStream()`/`getOutputStream()` of such a socket is pedantic (information). A `URLConnection`'s
 * `getInputStream()` connects and reads: still a warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { javaRows } from '../../testing/javaKit';

const cls = (...body: string[]) => ['import java.io.*;', 'import java.net.*;', 'class T {', ...body, '}'].join('\n');
const rows = javaRows;

const accepted = (stream: string, decl = 'Socket socket = ss.accept();') => cls(
  '  void run(ServerSocket ss, Pump pump) throws IOException {',
  `    ${decl}`,
  '    socket.setTcpNoDelay(true);',
  `    InputStream in = ${stream};`,
  '    this.conn = socket; this.in = in;',
  '  }',
);

// One finding per resource, at its first likely exit, else at its first unlikely one (here setTcpNoDelay, line 6):
// without the rule the stream's exit at line 7 is a likely one and the finding a warning there.
test('java: the streams of an accepted or connected socket practically never throw', async () => {
  assert.deepEqual(await rows(accepted('socket.getInputStream()')), ['6 run socket information']);
  assert.deepEqual(await rows(accepted('socket.getOutputStream() == null ? null : System.in')), ['6 run socket information']);
  assert.deepEqual(await rows(accepted('socket.getInputStream()', 'Socket socket = new Socket("localhost", 80);')), ['6 run socket information']);
});

test('java: other streams stay warnings: an unconnected socket, another value, after a shutdown', async () => {
  // `new Socket()` is not connected: its getInputStream() throws.
  assert.deepEqual(await rows(accepted('socket.getInputStream()', 'Socket socket = new Socket();')), ['7 run socket warning']);
  // The variable may hold a socket the function was given.
  const given = cls(
    '  void run(ServerSocket ss, Socket other, boolean b, Pump pump) throws IOException {',
    '    Socket socket = ss.accept();',
    '    if (b) { socket.close(); socket = other; }',
    '    InputStream in = socket.getInputStream();',
    '    this.conn = socket; this.in = in;',
    '  }',
  );
  assert.deepEqual((await rows(given)).map((r) => r.split(' ').pop()), ['warning']);
  // Shut down before: the stream is refused.
  const shut = cls(
    '  void run(ServerSocket ss, Pump pump) throws IOException {',
    '    Socket socket = ss.accept();',
    '    try { socket.shutdownOutput(); } catch (IOException e) { }',
    '    InputStream in = socket.getInputStream();',
    '    this.conn = socket; this.in = in;',
    '  }',
  );
  assert.deepEqual(await rows(shut), ['7 run socket warning']);
});
