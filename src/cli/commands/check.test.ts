import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkCommand, parseCheckArgs, shareFiles } from './check';
import type { FindingJson } from './check';
import type { CliIo } from '../io';
import { execFileSync } from 'child_process';
import { loadCorpus } from '../../core/analysis/corpusFixtures';
import { fillDisk, tmpfsUnavailable, withTmpfs } from '../../core/fsx/testing/tmpfs';

const corpus = new Map(loadCorpus('c').map((c) => [c.name, c]));
function corpusCase(name: string) {
  const c = corpus.get(name);
  if (!c) throw new Error(`corpus file ${name} missing`);
  return c;
}

async function run(args: string[], cwd?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => { out += t; }, err: (t) => { err += t; }, interrupted: new Promise(() => undefined) };
  const before = process.cwd();
  if (cwd) process.chdir(cwd);
  try {
    return { code: await checkCommand(args, io), out, err };
  } finally {
    process.chdir(before);
  }
}

function tempTree(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-check-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

const seed = corpusCase('seed_send_message_fixed.c');
const clean = corpusCase('early_return_clean.c');

test('text format: one gcc-style line per finding and a summary; exit 1', async () => {
  const dir = tempTree({ 'seed.c': seed.text });
  const r = await run(['seed.c'], dir);
  assert.equal(r.code, 1, r.err);
  const lines = r.out.trim().split('\n');
  const findingLines = lines.filter((l) => l.includes(': warning: '));
  assert.deepEqual(findingLines.map((l) => Number(l.split(':')[1])), seed.expected.map((e) => e.line));
  for (const l of findingLines) assert.match(l, /^seed\.c:\d+:\d+: warning: .*sockfd.* \[sockscope\.leak\]$/);
  assert.equal(lines.at(-1), `${seed.expected.length} findings in 1 file (1 file checked)`);
});

test('clean file: exit 0 and a "No leaks found" summary', async () => {
  const dir = tempTree({ 'ok.c': clean.text });
  const r = await run([path.join(dir, 'ok.c')]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'No leaks found (1 file checked)\n');
});

test('json format: 1-based positions, function, variable, acquisition line and rule', async () => {
  const dir = tempTree({ 'src/seed.c': seed.text });
  const r = await run(['--format', 'json', 'src'], dir);
  assert.equal(r.code, 1, r.err);
  const items = JSON.parse(r.out) as FindingJson[];
  assert.equal(items.length, seed.expected.length);
  const lines = seed.text.split('\n');
  for (const [i, item] of items.entries()) {
    assert.equal(item.file, path.join('src', 'seed.c'));
    assert.equal(item.line, seed.expected[i]!.line);
    assert.equal(item.variable, 'sockfd');
    assert.equal(item.function, 'send_message');
    assert.equal(item.ruleId, 'sockscope.leak');
    // The 1-based column points at the `return` keyword on that line.
    assert.equal(lines[item.line - 1]!.slice(item.column - 1, item.column + 5), 'return');
    assert.ok(item.endLine >= item.line && item.endColumn > 0);
    assert.match(lines[item.acquiredLine - 1]!, /socket\(/);
    assert.ok(item.message.length > 0);
  }
});

test('sarif format: a valid-looking SARIF 2.1.0 log with relative URIs and related acquisition', async () => {
  const dir = tempTree({ 'lib/net/seed.c': seed.text });
  const r = await run(['--format=sarif', 'lib'], dir);
  assert.equal(r.code, 1, r.err);
  const log = JSON.parse(r.out);
  assert.equal(log.version, '2.1.0');
  assert.match(log.$schema, /sarif-2\.1\.0/);
  const run0 = log.runs[0];
  assert.equal(run0.tool.driver.name, 'SockScope');
  assert.deepEqual(run0.tool.driver.rules.map((x: { id: string }) => x.id), ['sockscope.leak', 'sockscope.overwrite']);
  assert.equal(run0.results.length, seed.expected.length);
  const res = run0.results[0];
  assert.equal(res.level, 'warning');
  assert.equal(res.locations[0].physicalLocation.artifactLocation.uri, 'lib/net/seed.c');
  assert.equal(res.locations[0].physicalLocation.region.startLine, seed.expected[0]!.line);
  assert.match(seed.text.split('\n')[res.relatedLocations[0].physicalLocation.region.startLine - 1] ?? '', /socket\(/);
});

test('--fix writes the all-paths fixes, reports them, and the file then checks clean', async () => {
  const dir = tempTree({ 'seed.c': seed.text, 'ok.c': clean.text });
  const r = await run(['--fix', '.'], dir);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, new RegExp(`^fixed seed\\.c: ${seed.expected.length} findings \\(\\d+ edits?\\)$`, 'm'));
  assert.equal(fs.readFileSync(path.join(dir, 'ok.c'), 'utf8'), clean.text, 'a clean file must not be rewritten');
  const fixedText = fs.readFileSync(path.join(dir, 'seed.c'), 'utf8');
  assert.notEqual(fixedText, seed.text);
  const again = await run(['seed.c'], dir);
  assert.equal(again.code, 0, again.out);
});

test('--ownership-transfer NAME makes a call take ownership of the descriptor', async () => {
  // The name says it reads: without the option, the call only uses the descriptor.
  const text = [
    '#include <sys/socket.h>', 'int loop_watch_read(int fd);',
    'int f(void) { int s = socket(2, 1, 0); if (s < 0) return -1; loop_watch_read(s); return 0; }', '',
  ].join('\n');
  const dir = tempTree({ 'w.c': text });
  assert.equal((await run([path.join(dir, 'w.c')])).code, 1);
  const r = await run(['--ownership-transfer', 'loop_watch_read', path.join(dir, 'w.c')]);
  assert.equal(r.code, 0, r.out);
});

test('folders: skips node_modules, .git, dist and out, and files of other languages', async () => {
  const dir = tempTree({
    'a.c': seed.text, 'sub/b.cpp': corpusCase('cpp_throw_leak.cpp').text, 'notes.txt': 'close(fd)',
    'node_modules/x/c.c': seed.text, '.git/d.c': seed.text, 'dist/e.c': seed.text, 'out/f.c': seed.text,
  });
  const r = await run(['--format', 'json', '.'], dir);
  const files = [...new Set((JSON.parse(r.out) as FindingJson[]).map((f) => f.file))];
  assert.deepEqual(files, ['a.c', path.join('sub', 'b.cpp')]);
});

test('binary and huge files are skipped with a note; the run goes on', async () => {
  const dir = tempTree({
    'bin.c': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3]),
    'huge.c': 'int x;\n'.repeat(400_000),
    'seed.c': seed.text,
  });
  const r = await run(['.'], dir);
  assert.equal(r.code, 1);
  assert.match(r.err, /bin\.c: skipped: binary file/);
  assert.match(r.err, /huge\.c: skipped: .*larger than/);
  assert.match(r.out, /\(1 file checked, 2 skipped\)\n$/);
});

test('a file with syntax errors is reported on stderr and does not stop the run', async () => {
  // broken.c names socket(): a C file that names nothing that acquires or releases a descriptor gets no note
  // (lang/c/relevance.ts: its broken parts cannot hold code the analysis would read).
  const dir = tempTree({ 'broken.c': 'int f( { int s = socket(2, 1, 0); return }}} ;;; #if\n', 'seed.c': seed.text, 'unrelated.c': 'int g( { return }}} ;;; #if\n' });
  const r = await run(['.'], dir);
  assert.equal(r.code, 1);
  assert.match(r.err, /broken\.c: note: syntax errors/);
  assert.doesNotMatch(r.err, /unrelated\.c/);
  assert.match(r.out, /seed\.c:\d+:\d+: warning:/);
});

test('a file with syntax errors gets one syntax note, the same words in every language', async () => {
  const dir = tempTree({
    'broken.c': 'int f( { int s = socket(2, 1, 0); return }}} ;;; #if\n',
    'broken.py': 'def f(:\n    return )\n',
    'broken.go': 'package p\nfunc f( { return }}}\n',
    'Broken.java': 'class Broken { void f( { return }}} }\n',
  });
  const r = await run(['.'], dir);
  for (const f of ['broken.c', 'broken.py', 'broken.go', 'Broken.java']) {
    const lines = r.err.split('\n').filter((l) => l.includes(`${f}: note:`) && l.includes('syntax'));
    assert.deepEqual(lines, [`sockscope check: ${f}: note: syntax errors; only the parts that parsed were analysed`], `${f}:\n${r.err}`);
  }
});

test('usage and I/O errors exit 2', async () => {
  const dir = tempTree({ 'seed.c': seed.text });
  const missing = await run(['nope.c', 'seed.c'], dir);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nope\.c: no such file or folder/);
  assert.match(missing.out, /seed\.c:\d+/, 'the other paths are still checked');
  for (const args of [['--format', 'xml', 'seed.c'], ['--format'], ['--bogus', 'seed.c'], [], ['--ownership-transfer']]) {
    const r = await run(args, dir);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, /Usage: sockscope check/);
  }
});

test('parseCheckArgs accepts repeated and inline options', () => {
  assert.deepEqual(parseCheckArgs(['a', '--ownership-transfer', 'x', '--ownership-transfer=y', '--format=json', 'b', '--fix', '--workspace', 'w']),
    { paths: ['a', 'b'], format: 'json', fix: true, ownershipTransfers: ['x', 'y'], workspace: ['w'] });
  assert.match(parseCheckArgs(['a', '--workspace']) as string, /--workspace needs a folder/);
  assert.equal((parseCheckArgs(['a', '--fix=true']) as { fix: boolean }).fix, true);
  assert.equal((parseCheckArgs(['a', '--fix', '--fix=false']) as { fix: boolean }).fix, false);
  assert.match(parseCheckArgs(['a', '--fix=yes-please']) as string, /--fix takes no value, or true or false/);
  assert.equal(parseCheckArgs(['--help']), 'help');
});

// --- `check --fix` never damages a file ---------------------------------------------------------

const posix = process.platform !== 'win32';
/** A C function with two leaking exits; its fix inserts lines and wraps a braceless `if`. */
const leakyC = (eol: string) => ['int f(void) {', '  int fd = socket(2, 1, 0);', '  if (fd < 0) return -1;', '  if (connect(fd, 0, 0) < 0) return -1;', '  return 0;', '}', ''].join(eol);
const errLines = (err: string, file: string) => err.split('\n').filter((l) => l.includes(file));

test('--fix on a full disk (a 64 KiB tmpfs, really full): the original stays whole, the error is one line, exit 2', { skip: tmpfsUnavailable }, async () => {
  await withTmpfs(64, async (dir) => {
    // Exactly one 4 KiB page, so that the fixed text needs a second page the disk does not have.
    const head = leakyC('\n') + '/* ';
    const original = head + 'x'.repeat(4096 - head.length - 4) + ' */\n';
    assert.equal(Buffer.byteLength(original), 4096);
    fs.writeFileSync(path.join(dir, 'seed.c'), original);
    fillDisk(dir);
    const r = await run(['--fix', 'seed.c'], dir);
    assert.equal(r.code, 2, r.out + r.err);
    assert.equal(fs.readFileSync(path.join(dir, 'seed.c'), 'utf8'), original);
    assert.deepEqual(errLines(r.err, 'seed.c'), ['sockscope check: seed.c: fix not written: cannot write (no space left on the device); the file is unchanged']);
    assert.match(r.out, /seed\.c:4:\d+: warning: /);
    assert.match(r.out, /2 findings in 1 file \(1 file checked\)\n$/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['filler', 'seed.c'], 'no temporary file left');
  });
});

test('--fix edits bytes: Latin-1 bytes outside the edits stay, CRLF files get CRLF lines', async () => {
  const latin1 = (s: string) => Buffer.from(s, 'latin1');
  const original = Buffer.concat([latin1('/* caf\xe9 */\r\n'), latin1(leakyC('\r\n')), latin1('/* \xe9t\xe9 */\r\n')]);
  const dir = tempTree({ 'l.c': original });
  const r = await run(['--fix', 'l.c'], dir);
  assert.equal(r.code, 0, r.out + r.err);
  const fixed = fs.readFileSync(path.join(dir, 'l.c'));
  const text = fixed.toString('latin1');
  assert.notDeepEqual(fixed, original);
  assert.equal(text.split('\xe9').length - 1, 3, 'the three Latin-1 bytes are still there');
  assert.ok(!fixed.includes(Buffer.from([0xef, 0xbf, 0xbd])), 'no U+FFFD written');
  assert.equal(text.split('\n').length, text.split('\r\n').length, 'every line ends in CRLF');
  assert.ok(text.includes('/* caf\xe9 */\r\n') && text.endsWith('}\r\n/* \xe9t\xe9 */\r\n'));
  assert.match(text, /close\(fd\);\r\n {2}return 0;/);
});

test('--fix never writes through a symbolic link (here to a file outside the folder given)', { skip: !posix }, async () => {
  const dir = tempTree({ 'outside/seed.c': leakyC('\n'), 'src/own.c': leakyC('\n') });
  fs.symlinkSync(path.join(dir, 'outside', 'seed.c'), path.join(dir, 'src', 'link.c'));
  const r = await run(['--fix', 'src'], dir);
  assert.equal(r.code, 1, r.out + r.err);
  assert.equal(fs.readFileSync(path.join(dir, 'outside', 'seed.c'), 'utf8'), leakyC('\n'));
  assert.ok(fs.lstatSync(path.join(dir, 'src', 'link.c')).isSymbolicLink());
  assert.match(r.err, /src\/link\.c: note: not fixed: it is a symbolic link/);
  assert.notEqual(fs.readFileSync(path.join(dir, 'src', 'own.c'), 'utf8'), leakyC('\n'), 'the real file is fixed');
  assert.match(r.out, /^src\/link\.c:4:\d+: warning: /m);
});

test('--fix leaves a file with several hard links alone (replacing it would split them)', { skip: !posix }, async () => {
  const dir = tempTree({ 'a.c': leakyC('\n') });
  fs.linkSync(path.join(dir, 'a.c'), path.join(dir, 'b.c'));
  const r = await run(['--fix', 'a.c'], dir);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.err, /a\.c: note: not fixed: it has 2 hard links/);
  assert.equal(fs.readFileSync(path.join(dir, 'b.c'), 'utf8'), leakyC('\n'));
});

test('--fix=false does not write; --fix=true does; another value is a usage error', async () => {
  const dir = tempTree({ 'a.c': leakyC('\n') });
  const off = await run(['--fix=false', 'a.c'], dir);
  assert.equal(off.code, 1, off.err);
  assert.equal(fs.readFileSync(path.join(dir, 'a.c'), 'utf8'), leakyC('\n'));
  const bad = await run(['--fix=no', 'a.c'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--fix takes no value, or true or false \(got 'no'\)\. Usage/);
  assert.equal(fs.readFileSync(path.join(dir, 'a.c'), 'utf8'), leakyC('\n'));
  const on = await run(['--fix=true', 'a.c'], dir);
  assert.equal(on.code, 0, on.err);
  assert.notEqual(fs.readFileSync(path.join(dir, 'a.c'), 'utf8'), leakyC('\n'));
});

test('--fix does not touch a file with syntax errors (an unterminated comment): note, findings stay', async () => {
  const broken = leakyC('\n').replace('  return 0;', '  /* unterminated\n  return 0;');
  const dir = tempTree({ 'b.c': broken });
  const r = await run(['--fix', 'b.c'], dir);
  assert.equal(r.code, 1, r.out + r.err);
  assert.equal(fs.readFileSync(path.join(dir, 'b.c'), 'utf8'), broken);
  // No fix is offered in a function that did not parse, so there is nothing to refuse: the note says why.
  assert.match(r.err, /b\.c: note: .*syntax errors/);
  assert.match(r.out, /b\.c:\d+:\d+: warning: /);
});

test('--fix on a read-only file: one line, exit 2, nothing lost', { skip: !posix }, async () => {
  const dir = tempTree({ 'ro.c': leakyC('\n') });
  fs.chmodSync(path.join(dir, 'ro.c'), 0o444);
  const r = await run(['--fix', 'ro.c'], dir);
  assert.equal(r.code, 2, r.out + r.err);
  assert.deepEqual(errLines(r.err, 'ro.c'), ['sockscope check: ro.c: fix not written: the file is read-only']);
  assert.equal(fs.readFileSync(path.join(dir, 'ro.c'), 'utf8'), leakyC('\n'));
  assert.equal(fs.statSync(path.join(dir, 'ro.c')).mode & 0o777, 0o444);
  assert.match(r.out, /\(1 file checked\)\n$/);
});

test('--fix twice leaves the file as the first run did (a fix that does not converge is not written at all)', async () => {
  const java = 'import java.net.Socket;\n\nclass B {\n    void f(String h) throws Exception {\n        Socket s = new Socket(h, 1), t = new Socket(h, 2);\n' +
    '        s.getOutputStream().write(1);\n        t.getOutputStream().write(1);\n    }\n}\n';
  const dir = tempTree({ 'B.java': java });
  await run(['--fix', 'B.java'], dir);
  const first = fs.readFileSync(path.join(dir, 'B.java'), 'utf8');
  await run(['--fix', 'B.java'], dir);
  assert.equal(fs.readFileSync(path.join(dir, 'B.java'), 'utf8'), first);
});

test('a FIFO given by name is skipped at once (it used to hang)', { skip: !posix, timeout: 10000 }, async () => {
  const dir = tempTree({ 'a.c': leakyC('\n') });
  execFileSync('mkfifo', [path.join(dir, 'pipe.c')]);
  const r = await run(['--fix', 'pipe.c', 'a.c'], dir);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.err, /pipe\.c: skipped: not a regular file/);
  assert.match(r.out, /^fixed a\.c: /m);
  // The summary counts it as skipped, as it counts a binary file.
  const alone = await run(['pipe.c'], dir);
  assert.match(alone.out, /^No leaks found \(0 files checked, 1 skipped\)$/m);
});

test('C files are checked with the summaries of the other files given and of --workspace folders', async () => {
  const dir = tempTree({
    'lib/net.h': '#define NET_ERR -1\nint net_socket(int domain);\n',
    'lib/net.c': '#include <sys/socket.h>\n#include "net.h"\nint net_socket(int d) {\n  int s = socket(d, 1, 0);\n  if (s < 0) return NET_ERR;\n  return s;\n}\n',
    'app/server.c': '#include "../lib/net.h"\nint setup(int port) {\n  int s = net_socket(2);\n  if (s == NET_ERR) return -1;\n  if (port == 0) return -1;\n  return s;\n}\n',
  });
  const alone = await run(['--format', 'json', 'app'], dir);
  assert.equal(alone.code, 0, 'alone, net_socket is a function it cannot see: nothing is acquired');
  const withLib = await run(['--format', 'json', '--workspace', 'lib', 'app'], dir);
  assert.equal(withLib.code, 1, withLib.err);
  const found = JSON.parse(withLib.out) as FindingJson[];
  assert.deepEqual(found.map((f) => [f.file, f.line, f.variable]), [[path.join('app', 'server.c'), 5, 's']]);
  assert.match(found[0]!.message, /net_socket\(\) on line 3/);
  const both = await run(['--format', 'json', '.'], dir);
  assert.deepEqual((JSON.parse(both.out) as FindingJson[]).map((f) => f.line), [5], 'a folder given is its own workspace');
});

test('Python files are checked with what the functions of the project modules they import return', async () => {
  const dir = tempTree({
    'pkg/__init__.py': '',
    'pkg/netutil.py': 'import socket\n\ndef listener(path):\n    s = socket.socket(socket.AF_UNIX)\n    s.bind(path)\n    return s\n',
    'pkg/server.py': 'from .netutil import listener\n\ndef serve(path, data):\n    s = listener(path)\n    s.send(data)\n    s.close()\n',
  });
  // Only server.py is checked; netutil.py is read as saved.
  const r = await run(['--format', 'json', path.join('pkg', 'server.py')], dir);
  assert.equal(r.code, 1, r.err);
  assert.deepEqual((JSON.parse(r.out) as FindingJson[]).map((f) => [f.file, f.line, f.variable]), [[path.join('pkg', 'server.py'), 5, 's']]);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('--jobs: a whole number from 1; without it the cores are used', () => {
  assert.equal((parseCheckArgs(['a', '--jobs', '3']) as { jobs?: number }).jobs, 3);
  assert.equal((parseCheckArgs(['a', '-j', '1']) as { jobs?: number }).jobs, 1);
  assert.equal((parseCheckArgs(['a', '--jobs=2']) as { jobs?: number }).jobs, 2);
  assert.equal((parseCheckArgs(['a']) as { jobs?: number }).jobs, undefined);
  for (const bad of ['0', '-1', 'two', '1.5', '']) assert.match(parseCheckArgs(['a', `--jobs=${bad}`]) as string, /--jobs needs a whole number/, bad);
  assert.match(parseCheckArgs(['a', '--jobs']) as string, /--jobs needs a whole number/);
});

test('files are shared among the threads by size, largest first, each share in file order', () => {
  // 50 → first; 30, 20 → second (31, 52); 10 → first (62); 5 → second (58).
  assert.deepEqual(shareFiles([10, 50, 20, 30, 5], 2), [[0, 1], [2, 3, 4]]);
  assert.deepEqual(shareFiles([1, 1, 1], 5), [[0], [1], [2]]);
  const sizes = Array.from({ length: 40 }, (_, i) => (i * 37) % 101);
  const shares = shareFiles(sizes, 3);
  assert.deepEqual(shares.flat().sort((a, b) => a - b), sizes.map((_, i) => i));
  const loads = shares.map((s) => s.reduce((n, i) => n + sizes[i]!, 0));
  assert.ok(Math.max(...loads) - Math.min(...loads) <= Math.max(...sizes), String(loads));
  assert.deepEqual(shareFiles(sizes, 3), shares, 'the same files, the same shares');
});

test('checked in several threads, the output, messages and exit code are those of one thread', async () => {
  const files: Record<string, string | Buffer> = {
    'lib/net.h': '#define NET_ERR -1\nint net_socket(int domain);\n',
    'lib/net.c': '#include <sys/socket.h>\n#include "net.h"\nint net_socket(int d) {\n  int s = socket(d, 1, 0);\n  if (s < 0) return NET_ERR;\n  return s;\n}\n',
    'app/server.c': '#include "../lib/net.h"\nint setup(int port) {\n  int s = net_socket(2);\n  if (s == NET_ERR) return -1;\n  if (port == 0) return -1;\n  return s;\n}\n',
    'app/broken.c': 'int f(int x) {\n  int s = socket(2, 1, 0);\n  if (x) return -1 +;\n  return s;\n}\n',
    'app/blob.c': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]),
    'app/script.py': 'import socket\ndef f():\n    s = socket.socket()\n    s.connect(("h", 1))\n',
  };
  for (const c of loadCorpus('c').slice(0, 40)) files[`corpus/${c.name}`] = c.text;
  const dir = tempTree(files);
  for (const format of ['text', 'json', 'sarif']) {
    const one = await run(['--jobs', '1', '--format', format, '.'], dir);
    assert.equal(one.code, 1, one.err);
    assert.match(one.err, /broken\.c: note: syntax errors/);
    assert.match(one.err, /blob\.c/);
    for (const jobs of ['2', '3']) {
      const many = await run(['--jobs', jobs, '--format', format, '.'], dir);
      assert.deepEqual(many, one, `--jobs ${jobs} --format ${format}`);
    }
  }
});
