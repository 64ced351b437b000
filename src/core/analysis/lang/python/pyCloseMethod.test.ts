/**
 * A class's close method owns the socket attributes it closes (./closeMethod): an exception before the
 * close leaves them open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePython } from './index';

const lines = (...l: string[]) => l.join('\n') + '\n';

const rows = async (text: string) =>
  (await analyzePython(text, {})).findings.map((f) => [f.range.start.line + 1, f.function, f.variable, f.severity ?? 'warning']);

test('python: a close method that talks to the peer before closing leaks the socket when that raises', async () => {
  const text = lines(
    'import socket',
    '',
    'class Conn:',
    '    def __init__(self, sock):',
    '        self.sock = sock',
    '',
    '    def read(self):',
    '        return self.sock.recv(10)',
    '',
    '    def _bye(self):',
    '        self.sock.sendall(b"bye")',
    '',
    '    def close(self):',
    '        if self.sock is None:',
    '            return',
    '        self._bye()',
    '        self.sock.shutdown(socket.SHUT_RDWR)',
    '        self.sock.close()',
    '        self.sock = None',
  );
  // The early return (nothing to close) is on purpose; _bye() and shutdown() fail when the peer is gone.
  assert.deepEqual(await rows(text), [[16, 'close', 'self.sock', 'warning'], [17, 'close', 'self.sock', 'warning']]);
  const fixed = text.replace(
    '        self._bye()\n        self.sock.shutdown(socket.SHUT_RDWR)\n        self.sock.close()\n',
    '        try:\n            self._bye()\n            self.sock.shutdown(socket.SHUT_RDWR)\n        finally:\n            self.sock.close()\n',
  );
  assert.deepEqual(await rows(fixed), [], 'closed in a finally');
});

test('python: a close method releases through the class\'s own closing method; a hand-over or an unknown attribute is not reported', async () => {
  const text = lines(
    'import socket',
    '',
    'class Client:',
    '    def connect(self, addr):',
    '        self.sock = socket.create_connection(addr)',
    '',
    '    def _drop(self):',
    '        self.sock.close()',
    '',
    '    def close_connection(self):',
    '        self.sock.sendall(b"quit")',
    '        self._drop()',
    '        self.log("closed")',
    '',
    '    def close(self):',
    '        self.pool.put(self.sock)',
    '        self.sock.sendall(b"parked")',
    '        self._drop()',
    '',
    'class Loop:',
    '    def close(self):',
    '        self.flush()',
    '        self.client.close()',
  );
  // close_connection(): sendall() before _drop(), which closes self.sock; nothing after it. close(): the pool
  // keeps the socket first. Loop.close(): nothing says self.client is a socket or a file.
  assert.deepEqual(await rows(text), [[11, 'close_connection', 'self.sock', 'warning']]);
});

test('python: a socketpair the object made has no peer to lose: a leak in its close method is below warning', async () => {
  const text = lines(
    'import socket',
    '',
    'class Waker:',
    '    def __init__(self):',
    '        self.r, self.w = socket.socketpair()',
    '',
    '    def wake(self):',
    '        self.w.send(b"x")',
    '',
    '    def close(self):',
    '        self.wake()',
    '        self.r.close()',
    '        self.w.close()',
  );
  assert.deepEqual(await rows(text), [[11, 'close', 'self.r', 'information'], [11, 'close', 'self.w', 'information']]);
});
