/**
 * Calls to a method or function of the file that only borrows the resource passed to it (./summaries
 * `Borrows`): the caller still owns it and must close it. Anything the summary cannot prove keeps the
 * call a hand-off (silence).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePython } from './index';

const lines = (...l: string[]) => l.join('\n') + '\n';

async function findings(text: string): Promise<string[]> {
  // The normal and the exceptional exit after the call are reported on the same line: one entry.
  return [...new Set((await analyzePython(text, {})).findings.map((f) => `${f.range.start.line + 1} ${f.function} ${f.variable} ${f.severity ?? 'warning'}`))];
}

// The shape of Limnoria's i18n loadLocale (written anew): a file opened in either branch of a nested
// try is parsed by a method of the class that only iterates it, and never closed.
const PARSER = lines(
  'class Translations:',
  '    def loadLocale(self, path):',
  '        try:',
  '            try:',
  '                translationFile = open(path, "ru")',
  '            except ValueError:',
  '                translationFile = open(path, "r")',
  '            self._parse(translationFile)',
  '        except IOError:',
  '            pass',
  '',
  '    def _parse(self, translationFile):',
  '        """Parses a .po file."""',
  '        self.translations = {}',
  '        for line in translationFile:',
  '            self.translations[line] = len(line)',
);

test('python: a method of the class that only iterates its parameter borrows it: the caller leaks it', async () => {
  const found = await findings(PARSER);
  assert.ok(found.some((f) => / loadLocale translationFile warning$/.test(f)), found.join('; '));
});

test('python: a method that reads, writes or inspects its parameter with builtins borrows it', async () => {
  const body = ['        data = f.read()', '        f.seek(0)', '        f.write(data)', '        print(len(data), file=f)', '        n = f.fileno()', '        return n'];
  const text = lines('class C:', '    def run(self, p):', '        f = open(p)', '        self._use(f)', '', '    def _use(self, f):', ...body);
  assert.deepEqual(await findings(text), ['4 run f warning']);
  // Keyword argument under the parameter's name: the same.
  assert.deepEqual(await findings(text.replace('self._use(f)', 'self._use(f=f)')), ['4 run f warning']);
});

test('python: the result of a borrowing call does not hold the borrowed resource', async () => {
  const text = lines('def recv_all(sock):', '    data = b""', '    while True:', '        chunk = sock.recv(4096)', '        if not chunk:', '            return data',
    '        data += chunk', '', 'def fetch(addr):', '    s = socket.create_connection(addr)', '    result = recv_all(s)', '    s.close()', '    return result');
  // Closed on the normal path; `result` is bytes, not a second owner of the socket.
  const found = await findings('import socket\n' + text);
  assert.ok(found.every((f) => !/ result /.test(f)), found.join('; '));
  assert.ok(found.some((f) => / fetch s /.test(f)), found.join('; '));
});

test('python: a module function of the file that only borrows its parameter', async () => {
  const text = lines('def dump(out, rows):', '    for r in rows:', '        out.write(r)', '', 'def save(path, rows):', '    f = open(path, "w")', '    dump(f, rows)');
  assert.deepEqual(await findings(text), ['7 save f warning']);
  // A parameter or local of the caller named like the module function may be anything: a hand-off.
  assert.deepEqual(await findings(text.replace('def save(path, rows):', 'def save(path, rows, dump=None):')), []);
  assert.deepEqual(await findings(text.replace('    dump(f, rows)', '    dump = KEEPERS[0]\n    dump(f, rows)')), []);
  // Given where the function keeps its parameter, the file is handed off.
  assert.deepEqual(await findings(text.replace('    for r in rows:', '    KEPT.append(rows)\n    for r in rows:').replace('dump(f, rows)', 'dump(rows, f)')), []);
});

test('python: a method that keeps, ends or passes on its parameter, or cannot be proven, is a hand-off', async () => {
  const base = (uses: string[], call = 'self._use(f)', extra: string[] = []) =>
    lines('class C:', '    def run(self, p):', '        f = open(p)', `        ${call}`, '', '    def _use(self, f):', ...uses.map((u) => `        ${u}`), ...extra);
  // Sanity: the borrowing version warns.
  assert.deepEqual(await findings(base(['f.read()'])), ['4 run f warning']);
  for (const uses of [
    ['self.f = f'], // stored
    ['f.close()'], // closed
    ['with f:', '    pass'], // held by with
    ['return f'], // returned
    ['keep(f)'], // passed to another call
    ['self.files.append(f)'], // put in a container
    ['f.read()', 'yield 1'], // a generator keeps its arguments
    ['f = None'], // rebound
    ['cb = lambda: f.read()', 'self.cb = cb'], // captured
    ['self.lines = (f.readline() for _ in range(3))'], // captured by a generator
    ['x = locals()', 'self.x = x'], // frame access
    ['global g', 'g = f'], // stored in a global
    ['f.detach()'], // not a reading/writing use
    ['return f.fileno()'], // only inspected: no data moves through it (see summaries `dataUse`)
    ['print(f.getsockname(), f.getpeername())'],
  ]) assert.deepEqual(await findings(base(uses)), [], uses.join('; '));
  // A subclass in the file overriding it with something that keeps it: unknown.
  assert.deepEqual(await findings(base(['f.read()'], 'self._use(f)', ['', 'class D(C):', '    def _use(self, f):', '        self.f = f'])), []);
  // Defined in another class of the file only (the caller's class may inherit anything): unknown.
  const other = lines('class B:', '    def _use(self, f):', '        f.read()', '', 'class C(Base):', '    def run(self, p):', '        f = open(p)', '        self._use(f)');
  assert.deepEqual(await findings(other), []);
  // Called on something else than self, with spread arguments, or through *args: unknown.
  assert.deepEqual(await findings(base(['f.read()'], 'other._use(f)')), []);
  assert.deepEqual(await findings(base(['f.read()'], 'self._use(*[f])')), []);
  assert.deepEqual(await findings(lines('class C:', '    def run(self, p):', '        f = open(p)', '        self._use(f)', '', '    def _use(self, *files):', '        for x in files:', '            x.read()')), []);
  // Async and decorated methods are not summarised.
  assert.deepEqual(await findings(base(['f.read()']).replace('    def _use', '    async def _use')), []);
  assert.deepEqual(await findings(base(['f.read()']).replace('    def _use', '    @cached\n    def _use')), []);
});

test('python: the quick fix for a file a borrowing call used holds it in a with around the call', async () => {
  const text = lines('class C:', '    def run(self, p):', '        f = open(p)', '        self._use(f)', '', '    def _use(self, f):', '        f.read()');
  const offered = (await analyzePython(text, {})).findings.flatMap((f) => f.fixes ?? []).flatMap((x) => x.edits.map((e) => e.newText));
  assert.ok(offered.length > 0 && offered.every((t) => t === '        with open(p) as f:\n            self._use(f)'), offered.join(' | '));
  // A callee that closes it is no borrower (no finding, so no fix): see the hand-off cases above.
});
