/**
 * Issue 13 (redis-py census, held out, tests/test_connect.py `get_request`): `ctx.wrap_socket(s)` detaches `s`
 * into the SSL socket before anything that may fail at run time (the handshake), and the SSL socket closes itself
 * when that fails (CPython's `SSLSocket._create`: `except (OSError, ValueError): self.close(); raise`). So an
 * exception out of the wrap does not leave `s` open: it was handed over. (The checks before the detach, a
 * `server_hostname` on a server socket or a missing one under `check_hostname`, fail on every run: a programming
 * error, not a path of working code.) `os.fdopen(fd)` is not like that: when it raises, `fd` is still the caller's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePython } from './index';

const lines = (...l: string[]) => l.join('\n') + '\n';

async function rows(text: string): Promise<string[]> {
  return (await analyzePython(text, {})).findings.map((f) => `${f.range.start.line + 1} ${f.function} ${f.variable} ${f.severity ?? 'warning'}`);
}

test('python: an exception out of wrap_socket hands the wrapped socket over (the SSL socket closes it)', async () => {
  const server = lines(
    'import socket',
    'import ssl',
    '',
    'def serve(listener, context):',
    '    newsocket, addr = listener.accept()',
    '    conn = context.wrap_socket(newsocket, server_side=True)',
    '    try:',
    '        conn.sendall(b"hi")',
    '    finally:',
    '        conn.close()',
  );
  assert.deepEqual(await rows(server), []);
  // The module function too.
  assert.deepEqual(await rows(server.replace('context.wrap_socket(newsocket, server_side=True)', 'ssl.wrap_socket(newsocket, server_side=True)')), []);
});

test('python: an exception before the wrap still leaks, and a raising os.fdopen leaves the descriptor with the caller', async () => {
  const before = lines(
    'import socket',
    'import ssl',
    '',
    'def serve(listener, certfile):',
    '    newsocket, addr = listener.accept()',
    '    newsocket.sendall(b"hello")',
    '    conn = ssl.wrap_socket(newsocket, server_side=True, certfile=certfile)',
    '    conn.close()',
  );
  assert.deepEqual(await rows(before), ['6 serve newsocket warning']);
  const fdopen = lines(
    'import os',
    '',
    'def log_to(path):',
    '    fd = os.open(path, os.O_WRONLY | os.O_CREAT)',
    '    f = os.fdopen(fd, "w")',
    '    f.write("x")',
    '    f.close()',
  );
  assert.deepEqual((await rows(fdopen)).filter((r) => r.includes(' fd ')), ['5 log_to fd warning']);
});
