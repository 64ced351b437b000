/**
 * Handlers that catch only some OSErrors (`except BlockingIOError:`): a socket or file I/O call in the
 * `try` body may raise another OSError (FileNotFoundError, ConnectionRefusedError), which goes past them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from '../../edits';
import { analyzePython } from './index';

const lines = (...l: string[]) => l.join('\n') + '\n';

/** A connect whose handler closes and re-raises: only an exception going past the handler leaks. */
function connectWith(handler: string, call = 's.connect(path)', imports: string[] = []): string {
  return lines(
    'import socket',
    'import ssl',
    ...imports,
    '',
    'def connect(path):',
    '    s = socket.socket(socket.AF_UNIX)',
    '    try:',
    `        ${call}`,
    `    ${handler}`,
    '        s.close()',
    '        raise',
    '    return s',
  );
}

const found = async (text: string) =>
  (await analyzePython(text, {})).findings.map((f) => [f.range.start.line + 1, f.variable, f.severity ?? 'warning']);

test('python: an I/O call\'s OSError goes past handlers naming only some OSErrors, at warning severity', async () => {
  assert.deepEqual(await found(connectWith('except BlockingIOError:')), [[7, 's', 'warning']]);
  assert.deepEqual(await found(connectWith('except (BlockingIOError, InterruptedError, socket.timeout) as e:')), [[7, 's', 'warning']]);
  assert.deepEqual(await found(connectWith('except ssl.SSLWantReadError:')), [[7, 's', 'warning']]);
  assert.deepEqual(await found(connectWith('except SSLWantWriteError:', 's.connect(path)', ['from ssl import SSLWantWriteError'])), [[8, 's', 'warning']]);
  assert.deepEqual(await found(connectWith('except socket.ConnectionRefusedError:', 's.sendall(b"x")')), [[7, 's', 'warning']]);
});

test('python: the fix for an OSError past a narrow handler closes s on every path (closing it twice is harmless)', async () => {
  const text = connectWith('except BlockingIOError:');
  const [f] = (await analyzePython(text, {})).findings;
  const fix = f?.fixes.find((x) => x.isPreferred);
  assert.ok(fix, 'a preferred fix');
  const fixed = applyEdits(text, fix.edits);
  assert.match(fixed, /except BaseException:\n\s+s\.close\(\)\n\s+raise/);
  assert.deepEqual((await analyzePython(fixed, {})).findings, []);
});

test('python: handlers that catch every OSError (or may) still catch what an I/O call raises', async () => {
  for (const h of ['except OSError:', 'except socket.error:', 'except IOError:', 'except EnvironmentError:', 'except Exception:',
    'except BaseException:', 'except:', 'except (BlockingIOError, OSError):', 'except ProjectError:', 'except ValueError:']) {
    assert.deepEqual(await found(connectWith(h)), [], h);
  }
  // A call that is no socket or file I/O is taken to raise only what the handler catches.
  assert.deepEqual(await found(connectWith('except BlockingIOError:', 'helper(path)')), []);
  // Nor one that practically never raises (a loopback bind to port 0).
  assert.deepEqual(await found(connectWith('except BlockingIOError:', 's.bind(("127.0.0.1", 0))')), []);
});

test('python: past a narrow handler the exception reaches the enclosing handler or finally', async () => {
  const caughtOutside = lines(
    'import socket',
    '',
    'def connect(path):',
    '    s = socket.socket(socket.AF_UNIX)',
    '    try:',
    '        try:',
    '            s.connect(path)',
    '        except BlockingIOError:',
    '            pass',
    '    except OSError:',
    '        s.close()',
    '        raise',
    '    return s',
  );
  assert.deepEqual(await found(caughtOutside), []);
  const inFinally = caughtOutside.replace('    except OSError:\n        s.close()\n        raise\n', '    finally:\n        print("tried")\n');
  // The finally runs, then the exception leaves the function with s open (reported at the finally).
  assert.deepEqual(await found(inFinally), [[10, 's', 'warning']]);
});

test('python: the non-blocking unix connect loop (anyio connect_unix) leaks s when connect fails otherwise', async () => {
  const text = lines(
    'import asyncio',
    'import socket',
    '',
    'async def connect_unix(path):',
    '    loop = asyncio.get_running_loop()',
    '    raw_socket = socket.socket(socket.AF_UNIX)',
    '    raw_socket.setblocking(False)',
    '    while True:',
    '        try:',
    '            raw_socket.connect(path)',
    '        except BlockingIOError:',
    '            f = asyncio.Future()',
    '            loop.add_writer(raw_socket, f.set_result, None)',
    '            f.add_done_callback(lambda _: loop.remove_writer(raw_socket))',
    '            await f',
    '        else:',
    '            return UNIXSocketStream(raw_socket)',
  );
  const warnings = (await found(text)).filter((f) => f[2] === 'warning');
  assert.deepEqual(warnings, [[10, 'raw_socket', 'warning']]);
});
