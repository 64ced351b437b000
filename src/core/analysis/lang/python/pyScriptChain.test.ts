/**
 * Issue 13 (pyftpdlib census, 9 pedantic rows): an exception that leaves a function only the script's own
 * `if __name__ == "__main__":` chain calls, with nothing on the way that may catch it, ends the process, which
 * closes every descriptor: a resource lost only on such a path is reported at information severity. Anything
 * that may catch, or a function others may call, keeps the warning (./scriptChain).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePython } from './index';

const lines = (...l: string[]) => l.join('\n') + '\n';

async function findings(text: string): Promise<string[]> {
  return (await analyzePython(text, {})).findings.map((f) => `${f.range.start.line + 1} ${f.function} ${f.variable} ${f.severity ?? 'warning'}`);
}

/** A daemonizing program: `_detach` (nested) is called by `start()`, called by `main()`, called from `__main__`. */
function daemon(opts: { shebang?: boolean; mainBlock?: string[]; startCall?: string[]; nested?: string[] } = {}): string {
  return lines(
    ...(opts.shebang === false ? [] : ['#!/usr/bin/env python3']),
    'import os',
    'import sys',
    '',
    'def start(logname, pidname):',
    ...(opts.nested ?? [
      '    def _detach():',
      '        log = open(logname, "a+")',
      '        os.dup2(log.fileno(), sys.stdout.fileno())',
      '        with open(pidname, "w") as p:',
      '            p.write(str(os.getpid()))',
    ]),
    ...(opts.startCall ?? ['    _detach()']),
    '',
    'def main():',
    '    start(sys.argv[1], sys.argv[2])',
    '',
    ...(opts.mainBlock ?? ['if __name__ == "__main__":', '    sys.exit(main())']),
  );
}

const INFO = ['8 _detach log information', '9 _detach log information', '10 _detach log information', '10 _detach log warning'];
/** The same without the rule: the pid file's open and write may fail, so the leaks there are warnings. */
const WARNED = ['8 _detach log information', '9 _detach log warning', '10 _detach log warning', '10 _detach log warning'];

test('python: a nested function only the __main__ chain calls: its exception-only leaks are information', async () => {
  // Line 9 (the pid file's open) and 10 (its write) raise out of _detach, start, main and the __main__ block: the
  // process ends. The dup2 (8) practically never fails. The function's normal end (after 10) still leaks `log` for
  // as long as the program goes on: a warning.
  assert.deepEqual(await findings(daemon()), INFO);
});

test('python: without the __main__ block, or with a try that may catch on the chain, the exception leaks stay warnings', async () => {
  // No `if __name__ == "__main__":` and no `#!` (a module others import).
  assert.deepEqual(await findings(daemon({ shebang: false, mainBlock: ['main()'] })), WARNED.map((r) => r.replace(/^(\d+)/, (n) => String(Number(n) - 1))));
  // The block catches what main() raises.
  assert.deepEqual(await findings(daemon({ mainBlock: ['if __name__ == "__main__":', '    try:', '        main()', '    except Exception:', '        pass'] })), WARNED);
  // start() catches around the call (an `except` of any kind).
  assert.deepEqual(await findings(daemon({ startCall: ['    try:', '        _detach()', '    except OSError:', '        print("no")'] })), WARNED);
  // A `finally` that discards the exception by `return`, and a `with` whose exit may suppress it.
  assert.deepEqual(await findings(daemon({ startCall: ['    try:', '        _detach()', '    finally:', '        return'] })), WARNED);
  assert.deepEqual(await findings(daemon({ startCall: ['    with open(logname) as guard:', '        _detach()'] })), WARNED);
  // The __main__ block's `else` branch, or a comparison other than `==`, is not the script's start.
  assert.deepEqual(await findings(daemon({ mainBlock: ['if __name__ != "__main__":', '    main()'] })), WARNED);
});

test('python: a call in a finally clause, or in the handler of a try without finally, still ends the process', async () => {
  assert.deepEqual(await findings(daemon({ startCall: ['    try:', '        print("stopping")', '    finally:', '        _detach()'] })), INFO);
  assert.deepEqual(await findings(daemon({ startCall: ['    try:', '        print("stopping")', '    except OSError:', '        _detach()'] })), INFO);
});

test('python: a handler on the chain that re-raises on every path does not catch: information (issue 13, gyl30-socks)', async () => {
  // main() logs and re-raises (bare `raise`, `raise … from`), with cleanup in a `finally` that lets the exception go on.
  const reraise = (handler: string[], fin: string[] = []) => daemon({ startCall: ['    try:', '        _detach()', '    except Exception as exc:', ...handler, ...fin] });
  assert.deepEqual(await findings(reraise(['        print("failed", exc)', '        raise'])), INFO);
  assert.deepEqual(await findings(reraise(['        raise RuntimeError("detach") from exc'])), INFO);
  assert.deepEqual(await findings(reraise(['        if isinstance(exc, OSError):', '            raise', '        else:', '            raise SystemExit(2)'])), INFO);
  // except*: what a handler matches it raises again, the rest of the group goes on by itself.
  assert.deepEqual(await findings(daemon({ startCall: ['    try:', '        _detach()', '    except* OSError:', '        raise'] })), INFO);
  assert.deepEqual(await findings(reraise(['        raise'], ['    finally:', '        for name in ("a", "b"):', '            print(name)'])), INFO);
  // A try with a finally only (no handler) whose clause runs cleanup and lets the exception go on.
  assert.deepEqual(await findings(daemon({ startCall: ['    try:', '        _detach()', '    finally:', '        print("done")'] })), INFO);
});

test('python: a handler on the chain that ends the process (sys.exit, os._exit, exit) does not catch either: information', async () => {
  const exiting = (handler: string[]) => daemon({ mainBlock: ['if __name__ == "__main__":', '    try:', '        main()', '    except Exception as exc:', ...handler] });
  assert.deepEqual(await findings(exiting(['        print(f"test failed {exc}", file=sys.stderr)', '        sys.exit(1)'])), INFO);
  assert.deepEqual(await findings(exiting(['        os._exit(1)'])), INFO);
  assert.deepEqual(await findings(exiting(['        exit(1)'])), INFO);
  // Several handlers: each passes it on.
  assert.deepEqual(await findings(daemon({ mainBlock: ['if __name__ == "__main__":', '    try:', '        main()', '    except OSError:', '        sys.exit(2)', '    except Exception:', '        raise'] })), INFO);
});

test('python: a handler that swallows, re-raises on one path only, or lets a loop go on keeps the warnings', async () => {
  const handled = (handler: string[]) => daemon({ mainBlock: ['if __name__ == "__main__":', '    try:', '        main()', '    except Exception as exc:', ...handler] });
  // Swallows (logs and falls off its end).
  assert.deepEqual(await findings(handled(['        print(f"test failed {exc}")'])), WARNED);
  // Re-raises on one path only (no `else`, or one branch that goes on).
  assert.deepEqual(await findings(handled(['        if isinstance(exc, OSError):', '            raise'])), WARNED);
  assert.deepEqual(await findings(handled(['        if isinstance(exc, OSError):', '            raise', '        else:', '            print(exc)'])), WARNED);
  // Leaves the handler before its raise (a return in a nested function does not count, one of the handler does).
  assert.deepEqual(await findings(daemon({ startCall: ['    try:', '        _detach()', '    except Exception:', '        if logname:', '            return', '        raise'] })), WARNED);
  // The raise is inside a with or a try of the handler, which may suppress or catch it.
  assert.deepEqual(await findings(handled(['        try:', '            raise', '        except Exception:', '            pass'])), WARNED);
  // `exit` defined by the file is not the builtin.
  assert.deepEqual(await findings(daemon({ mainBlock: ['def exit(code):', '    print(code)', '', 'if __name__ == "__main__":', '    try:', '        main()', '    except Exception:', '        exit(1)'] })), WARNED);
  // A __main__ block that serves in a loop and goes on after a failure (continue, or the handler's end).
  const loop = (handler: string[]) => daemon({ mainBlock: ['if __name__ == "__main__":', '    while True:', '        try:', '            main()', '        except Exception as exc:', ...handler] });
  assert.deepEqual(await findings(loop(['            print("retrying", exc)', '            continue'])), WARNED);
  assert.deepEqual(await findings(loop(['            print("retrying", exc)'])), WARNED);
  // A handler that re-raises, under a finally that breaks out of the loop (which discards the exception) or may loop for ever.
  assert.deepEqual(await findings(daemon({ mainBlock: ['if __name__ == "__main__":', '    while True:', '        try:', '            main()', '        except Exception:', '            raise', '        finally:', '            break'] })), WARNED);
  assert.deepEqual(await findings(daemon({ startCall: ['    try:', '        _detach()', '    except Exception:', '        raise', '    finally:', '        while logname:', '            print(logname)'] })), WARNED);
  // An except* handler that swallows its part of the group.
  assert.deepEqual(await findings(daemon({ startCall: ['    try:', '        _detach()', '    except* OSError:', '        pass'] })), WARNED);
});

test('python: the call that makes a with statement\'s first context manager is outside that with', async () => {
  // No `__enter__` has run when it raises, so no `__exit__` sees the exception (gyl30-socks `with socks5_connect(…) as sock:`).
  assert.deepEqual(await findings(daemon({ startCall: ['    with _detach() as d:', '        print(d)'] })), INFO);
  assert.deepEqual(await findings(daemon({ startCall: ['    with _detach():', '        pass'] })), INFO);
  // The second item's call runs after the first item's __enter__, whose __exit__ may suppress; a call in the body likewise.
  assert.deepEqual(await findings(daemon({ startCall: ['    with open(logname) as f, _detach() as d:', '        pass'] })), WARNED);
  assert.deepEqual(await findings(daemon({ startCall: ['    with open(logname) as f:', '        _detach()'] })), WARNED);
});

test('python: a nested function others may reach, or that runs elsewhere, keeps its warnings', async () => {
  // Passed as a callback (a thread runs it: its exception ends only that thread).
  assert.deepEqual(await findings(daemon({ startCall: ['    import threading', '    threading.Thread(target=_detach).start()'] })), WARNED);
  // Called from a lambda.
  assert.deepEqual(await findings(daemon({ startCall: ['    run = lambda: _detach()', '    run()'] })), WARNED);
  // A generator's body runs where it is iterated.
  const generator = [
    '    def _detach():',
    '        log = open(logname, "a+")',
    '        os.dup2(log.fileno(), sys.stdout.fileno())',
    '        with open(pidname, "w") as p:',
    '            yield p.write(str(os.getpid()))',
  ];
  assert.deepEqual(await findings(daemon({ nested: generator, startCall: ['    _detach()'] })), WARNED);
});

test('python: a module-level function is only part of the chain when the file is a program or the function private', async () => {
  const text = (shebang: boolean, name: string) => lines(
    ...(shebang ? ['#!/usr/bin/python3'] : []),
    'import socket',
    '',
    `def ${name}(host):`,
    '    s = socket.socket()',
    '    s.connect((host, 53))',
    '    s.sendall(b"x")',
    '    s.close()',
    '',
    'if __name__ == "__main__":',
    `    ${name}("localhost")`,
  );
  // A public function of a library module (no `#!`): an importer may call it inside a try.
  assert.deepEqual(await findings(text(false, 'probe')), ['5 probe s warning', '6 probe s warning']);
  // Private to the file, or in a program (one line further down): only the __main__ block calls it.
  assert.deepEqual(await findings(text(false, '_probe')), ['5 _probe s information', '6 _probe s information']);
  assert.deepEqual(await findings(text(true, 'probe')), ['6 probe s information', '7 probe s information']);
});

test('python: a program (#!) calling the function from its module-level code, outside any try or with: information', async () => {
  // mosquitto's test scripts: `do_test()` at the top level of a `#!` file, no `__main__` block.
  assert.deepEqual(await findings(daemon({ mainBlock: ['main()'] })), INFO);
  assert.deepEqual(await findings(daemon({ mainBlock: ['for i in range(2):', '    main()'] })), INFO);
  // A module-level try that may catch, or a with, keeps the warnings.
  assert.deepEqual(await findings(daemon({ mainBlock: ['try:', '    main()', 'except Exception:', '    pass'] })), WARNED);
  assert.deepEqual(await findings(daemon({ mainBlock: ['with open("x") as f:', '    main()'] })), WARNED);
  // main passed as a value (a callback) is not only called.
  assert.deepEqual(await findings(daemon({ mainBlock: ['import atexit', 'atexit.register(main)'] })), WARNED);
});

/** A probe script: `main()` connects and returns a status that `sys.exit` reads (coturn's probe scripts). */
function probe(opts: { call?: string[]; body?: string[]; after?: string[]; header?: string[] } = {}): string {
  return lines(
    'import socket',
    'import sys',
    ...(opts.header ?? []),
    '',
    'def main():',
    ...(opts.body ?? [
      '    s = socket.create_connection(("localhost", 3478))',
      '    s.sendall(b"ping")',
      '    return 0',
    ]),
    '',
    'if __name__ == "__main__":',
    ...(opts.call ?? ['    sys.exit(main())']),
    ...(opts.after ?? []),
  );
}

test('python: a leak at the normal return of a function whose return ends the process is information, saying why', async () => {
  // `s` leaks where main returns (line 7) and where sendall raises (line 6): sys.exit(main()) ends the process either way.
  assert.deepEqual(await findings(probe()), ['6 main s information', '7 main s information']);
  const r = await analyzePython(probe(), {});
  assert.match(r.findings.find((f) => f.range.start.line === 6)!.message, /the program exits as soon as main\(\) returns/);
  // The last statement of the __main__ block, which is the module's last statement, ends the process as well.
  assert.deepEqual(await findings(probe({ call: ['    main()'] })), ['6 main s information', '7 main s information']);
  // os._exit and the builtin exit read the same way.
  assert.deepEqual(await findings(probe({ call: ['    exit(main())'] })), ['6 main s information', '7 main s information']);
});

test('python: `return helper()` from such a function passes the process end on to the helper', async () => {
  const text = probe({
    body: ['    return _wire("localhost", 3478)', '', 'def _wire(host, port):', '    s = socket.create_connection((host, port))', '    s.sendall(b"ping")', '    return 0'],
  });
  assert.deepEqual(await findings(text), ['9 _wire s information', '10 _wire s information']);
  // Returned from inside a `with` of main: the with's exit runs after _wire returns, the process goes on.
  const inWith = probe({
    body: ['    with open("/dev/null") as f:', '        return _wire("localhost", 3478)', '', 'def _wire(host, port):', '    s = socket.create_connection((host, port))', '    s.sendall(b"ping")', '    return 0'],
  });
  // (and the with may catch what _wire raises: both stay warnings)
  assert.deepEqual(await findings(inWith), ['10 _wire s warning', '11 _wire s warning']);
});

test('python: the normal-return leak stays a warning when the process may go on after the function returns', async () => {
  // Another statement follows main() in the __main__ block.
  assert.deepEqual(await findings(probe({ call: ['    main()', '    print("done")'] })), ['6 main s information', '7 main s warning']);
  // Module-level code follows the __main__ block.
  assert.deepEqual(await findings(probe({ call: ['    main()'], after: ['print("done")'] })), ['6 main s information', '7 main s warning']);
  // The call's value is kept, not given to exit.
  assert.deepEqual(await findings(probe({ call: ['    rc = main()', '    sys.exit(rc)'] })), ['6 main s information', '7 main s warning']);
  // `exit` is the file's own function, not the builtin.
  assert.deepEqual(await findings(probe({ header: ['', 'def exit(code):', '    print(code)'], call: ['    exit(main())'] })).then((r) => r.map((x) => x.replace(/^\d+ /, ''))),
    ['main s information', 'main s warning']);
  // Inside a try that may catch, the exit is not part of the chain (a module-level `main`'s exception leaks are
  // information anyway: index.ts isScriptMain).
  assert.deepEqual(await findings(probe({ call: ['    try:', '        sys.exit(main())', '    except OSError:', '        pass'] })), ['6 main s information', '7 main s warning']);
});
