import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { discoverSources, loadSource, loadSourceAsync } from './workspace';

function tree(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-ws-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

test('discoverSources walks folders, picks languages by extension and skips build/dependency folders', () => {
  const dir = tree({
    'a.c': '', 'b/c.cpp': '', 'b/d.h': '', 'e.py': '', 'f.go': '', 'g/H.java': '', 'readme.md': '',
    'node_modules/m.c': '', '.git/x.c': '', 'dist/y.c': '', 'out/z.go': '', 'b/out/w.c': '',
  });
  const d = discoverSources([dir]);
  assert.deepEqual(d.errors, []);
  assert.deepEqual(d.files.map((f) => [path.relative(dir, f.path), f.language]), [
    ['a.c', 'c'], [path.join('b', 'c.cpp'), 'cpp'], [path.join('b', 'd.h'), 'c'], ['e.py', 'python'], ['f.go', 'go'], [path.join('g', 'H.java'), 'java'],
  ]);
});

test('discoverSources: missing paths are errors, explicit unsupported files are notes, duplicates collapse', () => {
  const dir = tree({ 'a.c': '', 'notes.txt': '' });
  const d = discoverSources([path.join(dir, 'missing.c'), path.join(dir, 'notes.txt'), dir, path.join(dir, 'a.c')]);
  assert.equal(d.files.length, 1);
  assert.match(d.errors.join('\n'), /missing\.c: no such file or folder/);
  assert.match(d.notes.join('\n'), /notes\.txt: skipped: not a C, C\+\+, Python, Go or Java source file/);
});

test('discoverSources follows symlinked files but not symlinked folders (no cycles)', { skip: process.platform === 'win32' }, () => {
  const dir = tree({ 'real/a.c': '' });
  fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'loop'));
  fs.symlinkSync(path.join(dir, 'real', 'a.c'), path.join(dir, 'link.c'));
  fs.symlinkSync(path.join(dir, 'nowhere.c'), path.join(dir, 'broken.c'));
  const d = discoverSources([dir]);
  assert.deepEqual(d.files.map((f) => path.relative(dir, f.path)), ['link.c', path.join('real', 'a.c')]);
  assert.match(d.notes.join('\n'), /broken\.c: skipped: broken symbolic link/);
});

test('loadSource reads UTF-8, drops a BOM and remembers it', () => {
  const dir = tree({ 'bom.c': '\ufeffint x;\n', 'plain.c': 'int é;\n' });
  const bom = loadSource(path.join(dir, 'bom.c'));
  assert.ok(bom.ok);
  assert.deepEqual({ text: bom.text, bom: bom.bom, bytes: bom.bytes.toString('hex') }, { text: 'int x;\n', bom: true, bytes: Buffer.from('\ufeffint x;\n').toString('hex') });
  assert.equal(bom.identity.ino, fs.statSync(path.join(dir, 'bom.c')).ino);
  const plain = loadSource(path.join(dir, 'plain.c'));
  assert.ok(plain.ok && plain.text === 'int é;\n' && !plain.bom);
});

test('loadSource refuses binary and oversized files with a note, and reports read errors', () => {
  const dir = tree({ 'elf.c': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]), 'ctl.c': Buffer.alloc(100, 1), 'big.c': 'x'.repeat(2000) });
  const bin = loadSource(path.join(dir, 'elf.c'));
  assert.deepEqual(bin, { ok: false, skipped: true, note: `${path.join(dir, 'elf.c')}: skipped: binary file` });
  assert.equal(loadSource(path.join(dir, 'ctl.c')).ok, false);
  const big = loadSource(path.join(dir, 'big.c'), 1000);
  assert.ok(!big.ok && big.skipped && /larger than/.test(big.note));
  const missing = loadSource(path.join(dir, 'gone.c'));
  assert.ok(!missing.ok && !missing.skipped && /cannot read \(ENOENT\)/.test(missing.note));
});

test('discoverSources: each file knows the folder it was found under (a file given by name: its own folder)', () => {
  const dir = tree({ 'src/a.c': '', 'b.py': '' });
  const d = discoverSources([path.join(dir, 'src'), path.join(dir, 'b.py')]);
  assert.deepEqual(d.files.map((f) => [path.relative(dir, f.path), path.relative(dir, f.root)]), [['b.py', ''], [path.join('src', 'a.c'), 'src']]);
});

test('a FIFO or a link to /dev/zero given by name is skipped with a note, neither hangs nor is read', { skip: process.platform !== 'linux', timeout: 10000 }, async () => {
  const dir = tree({});
  const fifo = path.join(dir, 'pipe.c');
  execFileSync('mkfifo', [fifo]);
  const zero = path.join(dir, 'zero.c');
  fs.symlinkSync('/dev/zero', zero);
  const d = discoverSources([fifo, zero, dir]);
  assert.deepEqual(d.files, []);
  assert.match(d.notes.join('\n'), /pipe\.c: skipped: not a regular file/);
  assert.match(d.notes.join('\n'), /zero\.c: skipped: not a regular file/);
  // Reading them anyway (a file that became a FIFO after discovery) is refused just the same.
  for (const r of [loadSource(fifo), await loadSourceAsync(fifo), await loadSourceAsync(zero)]) {
    assert.ok(!r.ok && r.skipped && /not a regular file/.test(r.note));
  }
});
