/**
 * Issue 13 (py-thread, gyl30-socks' test scripts): an exception that leaves a function run on another thread ends
 * the process only where the script's `__main__` chain is shown to raise it in turn (./scriptChain):
 * - a function a `ThreadPoolExecutor` runs, when the chain reads the result of every future it made (`result()`
 *   raises the function's exception) with nothing catching on the way;
 * - a thread's target that dies before it sets the event its starter waits for with `if not ready.wait(5): raise`.
 * A plain thread target, a stored exception, a result read inside a `try` that swallows it, or an exception after
 * the event is set keep their warnings: the process goes on with the resource open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePython } from './index';

const lines = (...l: string[]) => l.join('\n') + '\n';

async function findings(text: string): Promise<string[]> {
  return (await analyzePython(text, {})).findings.map((f) => `${f.range.start.line + 1} ${f.function} ${f.variable} ${f.severity ?? 'warning'}`);
}

/** A test script whose case starts a server thread and waits for it to be ready. */
function ready(opts: { target?: string[]; start?: string[]; main?: string[] } = {}): string {
  return lines(
    '#!/usr/bin/env python3',
    'import socket',
    'import threading',
    '',
    'def run_case(port):',
    '    ready = threading.Event()',
    '    errors = []',
    '    def serve():',
    ...(opts.target ?? [
      '        server = socket.socket()',
      '        server.bind(("127.0.0.1", port))',
      '        server.listen(1)',
      '        ready.set()',
    ]),
    '        try:',
    '            conn, _ = server.accept()',
    '            conn.close()',
    '        except Exception as exc:',
    '            errors.append(exc)',
    '        finally:',
    '            server.close()',
    ...(opts.start ?? [
      '    thread = threading.Thread(target=serve, daemon=True)',
      '    thread.start()',
      '    if not ready.wait(timeout=5):',
      '        raise RuntimeError("server did not start")',
    ]),
    '    thread.join()',
    '    if errors:',
    '        raise errors[0]',
    '',
    'def main():',
    ...(opts.main ?? ['    run_case(8080)']),
    '',
    'if __name__ == "__main__":',
    '    main()',
  );
}

// Line 10 is the bind (may fail: the port is taken); 11 and 12 practically never fail.
const READY_INFO = ['10 serve server information', '11 serve server information', '12 serve server information'];
const READY_WARNED = ['10 serve server warning', '11 serve server information', '12 serve server information'];

test('python: a server thread that dies before it sets the ready event its starter waits for: information', async () => {
  // The bind raises: the thread ends, the event stays unset, wait() returns False after 5 s and run_case raises
  // through main() out of the __main__ block: the process ends.
  assert.deepEqual(await findings(ready()), READY_INFO);
  // The same with `from threading import Thread, Event` and a positional timeout.
  const imported = ready().replace('import threading', 'from threading import Thread, Event').replace('threading.Event()', 'Event()')
    .replace('threading.Thread(', 'Thread(').replace('ready.wait(timeout=5)', 'ready.wait(5)');
  assert.deepEqual(await findings(imported), READY_INFO);
});

test('python: a thread target keeps its warnings unless the chain is shown to raise when it dies early', async () => {
  // The starter waits and does not raise (it only prints): the process goes on.
  assert.deepEqual(await findings(ready({ start: ['    thread = threading.Thread(target=serve, daemon=True)', '    thread.start()',
    '    if not ready.wait(timeout=5):', '        print("server did not start")'] })), READY_WARNED);
  // A wait with no timeout blocks for ever (the process never ends); the bare wait's result is not looked at.
  assert.deepEqual(await findings(ready({ start: ['    thread = threading.Thread(target=serve, daemon=True)', '    thread.start()',
    '    if not ready.wait():', '        raise RuntimeError("server did not start")'] })), READY_WARNED);
  assert.deepEqual(await findings(ready({ start: ['    thread = threading.Thread(target=serve, daemon=True)', '    thread.start()',
    '    ready.wait(5)'] })), READY_WARNED);
  // Something runs between start() and the wait.
  assert.deepEqual(await findings(ready({ start: ['    thread = threading.Thread(target=serve, daemon=True)', '    thread.start()', '    print("started")',
    '    if not ready.wait(timeout=5):', '        raise RuntimeError("server did not start")'] })), READY_WARNED);
  // The event is set before the bind: the starter goes on while the socket stays open.
  assert.deepEqual(await findings(ready({ target: ['        server = socket.socket()', '        ready.set()', '        server.bind(("127.0.0.1", port))',
    '        server.listen(1)'] })), ['10 serve server information', '11 serve server warning', '12 serve server information']);
  // main() swallows what run_case raises: the process goes on.
  assert.deepEqual(await findings(ready({ main: ['    try:', '        run_case(8080)', '    except Exception:', '        pass'] })), READY_WARNED);
  // The thread is started in a loop: the second thread may die with the event already set.
  assert.deepEqual(await findings(ready({ start: ['    for _ in range(2):', '        thread = threading.Thread(target=serve, daemon=True)', '        thread.start()',
    '        if not ready.wait(timeout=5):', '            raise RuntimeError("server did not start")'] })), READY_WARNED);
});

test('python: a long-running server thread, or one whose stored exception the chain re-raises after join(), keeps its warnings', async () => {
  // A plain thread target: its exception ends that thread only, and the process serves on.
  const server = lines(
    '#!/usr/bin/env python3',
    'import socket',
    'import threading',
    '',
    'def serve(port):',
    '    server = socket.socket()',
    '    server.bind(("0.0.0.0", port))',
    '    server.listen(5)',
    '    while True:',
    '        conn, _ = server.accept()',
    '        conn.close()',
    '',
    'def main():',
    '    threading.Thread(target=serve, args=(8080,)).start()',
    '    while True:',
    '        pass',
    '',
    'if __name__ == "__main__":',
    '    main()',
  );
  assert.deepEqual(await findings(server), ['7 serve server warning', '8 serve server information', '10 serve server warning']);
  // The thread stores its exception and the chain raises it after join(): until then the process goes on with the
  // socket open (showing that every path reaches the join needs the stored value followed: not done).
  const stored = lines(
    '#!/usr/bin/env python3',
    'import socket',
    'import threading',
    '',
    'def run_case(port):',
    '    errors = []',
    '    def serve():',
    '        try:',
    '            server = socket.socket()',
    '            server.bind(("127.0.0.1", port))',
    '            server.listen(1)',
    '            server.close()',
    '        except Exception as exc:',
    '            errors.append(exc)',
    '    thread = threading.Thread(target=serve)',
    '    thread.start()',
    '    thread.join()',
    '    if errors:',
    '        raise errors[0]',
    '',
    'def main():',
    '    run_case(8080)',
    '',
    'if __name__ == "__main__":',
    '    main()',
  );
  assert.deepEqual(await findings(stored), ['14 serve server warning']);
  // The same where the stored exception is never raised again.
  assert.deepEqual(await findings(stored.replace('        raise errors[0]', '        print(errors[0])')), ['14 serve server warning']);
});

/** A test script that runs its cases on a thread pool through a helper. */
function pool(opts: { run?: string[]; main?: string[] } = {}): string {
  return lines(
    '#!/usr/bin/env python3',
    'import socket',
    'from concurrent.futures import ThreadPoolExecutor',
    '',
    'def connect(port):',
    '    sock = socket.create_connection(("example.com", port))',
    '    sock.sendall(b"hello")',
    '    return sock',
    '',
    'def case(i):',
    '    sock = connect(8000 + i)',
    '    try:',
    '        sock.recv(1)',
    '    finally:',
    '        sock.close()',
    '',
    'def run_parallel(total, fn):',
    ...(opts.run ?? [
      '    with ThreadPoolExecutor(max_workers=4) as executor:',
      '        futures = [executor.submit(fn, i) for i in range(total)]',
      '        for future in futures:',
      '            future.result()',
    ]),
    '',
    'def main():',
    ...(opts.main ?? ['    run_parallel(8, lambda i: case(i))']),
    '',
    'if __name__ == "__main__":',
    '    main()',
  );
}

test('python: a function a thread pool runs, whose every result() the __main__ chain reads: information', async () => {
  // sendall (7) raises in a worker; result() raises it again in run_parallel, which main() lets out of the block.
  assert.deepEqual(await findings(pool()), ['7 connect sock information']);
  // The function's name passed instead of a lambda, and a direct submit whose result is read at once.
  assert.deepEqual(await findings(pool({ main: ['    run_parallel(8, case)'] })), ['7 connect sock information']);
  assert.deepEqual(await findings(pool({
    run: ['    with ThreadPoolExecutor(max_workers=4) as executor:', '        future = executor.submit(case, total)', '        return future.result()'],
    main: ['    run_parallel(8, None)'],
  })), ['7 connect sock information']);
});

test('python: a pool whose results are not all read, or read in a try that swallows, keeps the warnings', async () => {
  const WARNED = ['7 connect sock warning'];
  // result() inside a try that swallows what it raises.
  assert.deepEqual(await findings(pool({ run: ['    with ThreadPoolExecutor(max_workers=4) as executor:',
    '        futures = [executor.submit(fn, i) for i in range(total)]', '        for future in futures:',
    '            try:', '                future.result()', '            except Exception:', '                pass'] })), WARNED);
  // The loop may stop before the failed future.
  assert.deepEqual(await findings(pool({ run: ['    with ThreadPoolExecutor(max_workers=4) as executor:',
    '        futures = [executor.submit(fn, i) for i in range(total)]', '        for future in futures:',
    '            if future.result():', '                break', '            future.result()'] })), WARNED);
  // No result read at all (the pool's exit waits, and the exception stays in the future).
  assert.deepEqual(await findings(pool({ run: ['    with ThreadPoolExecutor(max_workers=4) as executor:',
    '        futures = [executor.submit(fn, i) for i in range(total)]', '        print(len(futures))'] })), WARNED);
  // The chain catches around the helper.
  assert.deepEqual(await findings(pool({ main: ['    try:', '        run_parallel(8, lambda i: case(i))', '    except RuntimeError:', '        pass'] })), WARNED);
  // A pool that is not concurrent.futures' ThreadPoolExecutor.
  assert.deepEqual(await findings(pool().replace('from concurrent.futures import ThreadPoolExecutor', 'from mypool import ThreadPoolExecutor')), WARNED);
});
