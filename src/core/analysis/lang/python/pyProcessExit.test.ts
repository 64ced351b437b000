/**
 * Issue 13: a path that ends the process loses nothing the OS does not close. `os._exit(…)` ends the
 * path (as C's `exit`); `sys.exit(…)`, `exit()` and `quit()` raise SystemExit, which a caller may catch,
 * so a resource open there is reported at information severity, never at the function's end after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePython } from './index';

const lines = (...l: string[]) => l.join('\n') + '\n';

async function findings(text: string): Promise<string[]> {
  return (await analyzePython(text, {})).findings.map((f) => `${f.range.start.line + 1} ${f.function} ${f.variable} ${f.severity ?? 'warning'}`);
}

test('python: sys.exit at the end of a program is not a warning (its SystemExit leaves, the function does not end)', async () => {
  const text = lines(
    'import sys',
    '',
    'def run(data):',
    '    f = open("out.log", "w")',
    '    f.write(data)',
    '    sys.exit(23)',
  );
  // The write may fail (a warning where it raises); sys.exit only raises SystemExit: information.
  assert.deepEqual(await findings(text), ['5 run f warning', '6 run f information']);
});

test('python: exit(), quit() and `from sys import exit` are process exits; os._exit ends the path', async () => {
  const text = lines(
    'import os',
    'from sys import exit as leave',
    '',
    'def a():',
    '    f = open("a.log", "w")',
    '    exit(1)',
    '',
    'def b():',
    '    f = open("b.log", "w")',
    '    quit()',
    '',
    'def c():',
    '    f = open("c.log", "w")',
    '    leave(2)',
    '',
    'def d():',
    '    f = open("d.log", "w")',
    '    os._exit(0)',
  );
  assert.deepEqual(await findings(text), ['6 a f information', '10 b f information', '14 c f information']);
});

test('python: a caught SystemExit goes on, and a function of the file named exit is not the builtin', async () => {
  const text = lines(
    'import sys',
    '',
    'def exit(code):',
    '    return code',
    '',
    'def caught():',
    '    f = open("x.log", "w")',
    '    try:',
    '        sys.exit(1)',
    '    except SystemExit:',
    '        pass',
    '    return 0',
    '',
    'def shadowed():',
    '    f = open("y.log", "w")',
    '    exit(1)',
  );
  // `exit(1)` of the file may raise (below warning) and returns: the function's end loses `f`.
  assert.deepEqual(await findings(text), ['12 caught f warning', '16 shadowed f information', '16 shadowed f warning']);
});

test('python: a call of a function Python 3 no longer has (string.join) always raises: the statements after it are not reached', async () => {
  const text = lines(
    'import string',
    '',
    'def dump(path, data):',
    '    f = open(path, "a")',
    '    while data:',
    '        p, data = data[:16], data[16:]',
    '        f.write(string.join(map(lambda x: "%02X" % ord(x), p), " ") + " ")',
    '        for c in p:',
    '            f.write(c)',
    '    f.write("\\n")',
    '    f.close()',
    '',
    'def words(path, string):',
    '    g = open(path)',
    '    n = string.find("x")',
    '    g.read()',
    '    g.close()',
    '    return n',
    '',
    'def maybe(path, old, parts):',
    '    h = open(path, "a")',
    '    h.write(string.join(parts) if old else " ".join(parts))',
    '    h.write(path)',
    '    h.close()',
  );
  // `string` the parameter is a str (its find() practically never raises), and a branch of `if … else` may not run:
  // the writes after those stay reachable (and h.write(path) may write bytes to a text file).
  assert.deepEqual(await findings(text), ['7 dump f warning', '10 dump f information', '15 words g information', '16 words g warning',
    '22 maybe h warning', '23 maybe h warning']);
});

test('python: a module-level definition or assignment of the imported name shadows the module', async () => {
  const text = lines(
    'import string',
    'import itertools',
    '',
    'def dump(path, parts, a, b):',
    '    f = open(path, "a")',
    '    f.write(string.join(parts))',
    '    f.write(itertools.izip(a, b))',
    '    f.write(path)',
    '    f.close()',
    '',
    'class string:',
    '    @staticmethod',
    '    def join(parts):',
    '        return " ".join(parts)',
    '',
    'itertools = None',
  );
  // Neither call is the module's: both writes may raise (data of unknown type), and the statements after them run.
  assert.deepEqual(await findings(text), ['6 dump f warning', '7 dump f warning', '8 dump f warning']);
});

test('python: string.join is not the module\'s where a local of the function binds the name (assignment, for, with-as, def, lambda parameter)', async () => {
  const text = lines(
    'import string',
    '',
    'def assigned(path, parts):',
    '    f = open(path, "a")',
    '    string = " "',
    '    n = string.join(parts)',
    '    f.close()',
    '',
    'def looped(path, seps, parts):',
    '    f = open(path, "a")',
    '    for string in seps:',
    '        n = string.join(parts)',
    '    f.close()',
    '',
    'def opened(path, parts, ctx):',
    '    f = open(path, "a")',
    '    with ctx as string:',
    '        n = string.join(parts)',
    '    f.close()',
    '',
    'def defined(path, parts):',
    '    f = open(path, "a")',
    '    def string(): pass',
    '    n = string.join(parts)',
    '    f.close()',
    '',
    'def through(path, parts):',
    '    f = open(path, "a")',
    '    join = lambda string: string.join(parts)',
    '    n = join(" ")',
    '    f.close()',
    '',
    'def imported(path, parts):',
    '    import strings',
    '    f = open(path, "a")',
    '    n = string.join(parts)',
    '    f.close()',
  );
  // Only `imported` calls the module's string.join (its `import strings` binds another name): that always raises. The
  // others call a method of an object nothing is known of, which practically never fails.
  assert.deepEqual(await findings(text), ['6 assigned f information', '12 looped f information', '18 opened f information',
    '24 defined f information', '30 through f information', '36 imported f warning']);
});

test('python: a module-level comprehension or := variable of the imported name shadows the module', async () => {
  const text = lines(
    'import string',
    'import itertools',
    '',
    'def dump(path, parts, a, b):',
    '    f = open(path, "a")',
    '    f.write(string.join(parts))',
    '    f.write(itertools.izip(a, b))',
    '    f.close()',
    '',
    'names = [string for string in ("a", "b")]',
    'if (itertools := None) is None:',
    '    pass',
  );
  // Neither call is surely the module's: the writes may raise, and the close after them is reached.
  assert.deepEqual(await findings(text), ['6 dump f warning', '7 dump f warning']);
});

test('python: Python 2 code and a branch under a test of the Python version are not read as Python 3', async () => {
  const py2 = lines(
    'import string',
    '',
    'def dump(path, parts):',
    '    f = open(path, "a")',
    '    n = string.join(parts)',
    '    f.close()',
    '    return n',
    '',
    'def show(x):',
    '    print x',
  );
  const branch = lines(
    'import string',
    'import six',
    '',
    'def dump(path, parts):',
    '    f = open(path, "a")',
    '    if six.PY2:',
    '        n = string.join(parts)',
    '    else:',
    '        n = " ".join(parts)',
    '    f.close()',
    '    return n',
    '',
    'def head(path, parts):',
    '    g = open(path)',
    '    n = string.atoi(parts[0])',
    '    g.close()',
    '    return n',
  );
  // Python 2 has string.join: a function of a module, which practically never fails.
  assert.deepEqual(await findings(py2), ['5 dump f information']);
  const py2except = py2.replace('def show(x):\n    print x\n', 'def show(x):\n    try:\n        x()\n    except ValueError, e:\n        pass\n');
  assert.notEqual(py2except, py2);
  assert.deepEqual(await findings(py2except), ['5 dump f information']);
  assert.deepEqual(await findings(py2.replace('    print x\n', '    return 0777\n')), ['5 dump f information']);
  // Under `if six.PY2:` the call is meant for Python 2; outside such a test string.atoi always raises on Python 3.
  assert.deepEqual(await findings(branch), ['7 dump f information', '9 dump f information', '15 head g warning']);
});

test('python: a function of the file is judged by the same rules as inline code (string.join raises; a bind to a fresh mktemp() name does not)', async () => {
  const text = lines(
    'import socket',
    'import string',
    'import tempfile',
    '',
    'def label(parts):',
    '    return string.join(parts)',
    '',
    'def probe():',
    '    t = socket.socket(socket.AF_UNIX)',
    '    t.bind(tempfile.mktemp())',
    '    t.close()',
    '',
    'def probe_in(d):',
    '    t = socket.socket(socket.AF_UNIX)',
    '    t.bind(tempfile.mktemp(dir=d))',
    '    t.close()',
    '',
    'def named(path, parts):',
    '    f = open(path, "a")',
    '    n = label(parts)',
    '    f.close()',
    '    return n',
    '',
    'def probed(path):',
    '    f = open(path, "a")',
    '    probe()',
    '    f.close()',
    '',
    'def probed_in(path, d):',
    '    f = open(path, "a")',
    '    probe_in(d)',
    '    f.close()',
  );
  // label() always raises; probe() fails only by binding a fresh name (practically never); probe_in()'s directory may not exist.
  assert.deepEqual((await findings(text)).filter((f) => / (named|probed|probed_in) /.test(f)),
    ['20 named f warning', '26 probed f information', '31 probed_in f warning']);
});
