import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { identityOf } from './fileIdentity';
import { replaceFile, ReplaceFileError } from './replaceFile';
import type { ReplaceFileOps } from './replaceFile';
import { fillDisk, tmpfsUnavailable, withTmpfs } from './testing/tmpfs';

const posix = process.platform !== 'win32';
const temp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-replace-'));

function fileWith(dir: string, content: string, mode = 0o644): string {
  const file = path.join(dir, 'a.c');
  fs.writeFileSync(file, content);
  fs.chmodSync(file, mode);
  return file;
}

const realOps: ReplaceFileOps = {
  writeSync: (fd, data, offset, length) => fs.writeSync(fd, data, offset, length),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  renameSync: (from, to) => fs.renameSync(from, to),
};

test('replaces the content, keeps the mode and leaves no temporary file', { skip: !posix }, () => {
  const dir = temp();
  const file = fileWith(dir, 'old\n', 0o640);
  replaceFile(file, Buffer.from('new text\n'), identityOf(fs.statSync(file)));
  assert.equal(fs.readFileSync(file, 'utf8'), 'new text\n');
  assert.equal(fs.statSync(file).mode & 0o7777, 0o640);
  assert.deepEqual(fs.readdirSync(dir), ['a.c']);
});

test('a write that fails half-way (injected ENOSPC) leaves the original untouched and no temporary file', () => {
  const dir = temp();
  const file = fileWith(dir, 'original text\n');
  const id = identityOf(fs.statSync(file));
  let calls = 0;
  const full: ReplaceFileOps = {
    ...realOps,
    writeSync: (fd, data, offset, length) => {
      if (calls++ > 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return fs.writeSync(fd, data, offset, Math.min(length, 3));
    },
  };
  assert.throws(() => replaceFile(file, Buffer.from('a much longer new text\n'), id, full),
    (e: unknown) => e instanceof ReplaceFileError && e.code === 'ENOSPC' && /cannot write \(no space left on the device\); the file is unchanged/.test(e.message));
  assert.ok(calls >= 2, 'the injected failure was reached');
  assert.equal(fs.readFileSync(file, 'utf8'), 'original text\n');
  assert.deepEqual(fs.readdirSync(dir), ['a.c']);
});

test('an fsync or rename error leaves the original untouched', () => {
  for (const broken of ['fsyncSync', 'renameSync'] as const) {
    const dir = temp();
    const file = fileWith(dir, 'original\n');
    const ops: ReplaceFileOps = { ...realOps, [broken]: () => { throw Object.assign(new Error('EIO'), { code: 'EIO' }); } };
    assert.throws(() => replaceFile(file, Buffer.from('new\n'), identityOf(fs.statSync(file)), ops), /cannot write \(EIO\)/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'original\n');
    assert.deepEqual(fs.readdirSync(dir), ['a.c'], broken);
  }
});

test('a really full disk (a 64 KiB tmpfs filled up): the original stays whole', { skip: tmpfsUnavailable }, async () => {
  await withTmpfs(64, (dir) => {
    const original = 'int x;\n'.repeat(1000);
    const file = fileWith(dir, original);
    const id = identityOf(fs.statSync(file));
    fillDisk(dir);
    assert.throws(() => replaceFile(file, Buffer.from(original + 'int y;\n'), id), { code: 'ENOSPC' });
    assert.equal(fs.readFileSync(file, 'utf8'), original);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['a.c', 'filler']);
  });
});

test('a file that changed, was replaced, or became a symbolic link since it was read is not written', { skip: !posix }, () => {
  const dir = temp();
  const file = fileWith(dir, 'one\n');
  const id = identityOf(fs.statSync(file));
  fs.writeFileSync(file, 'two, longer\n');
  assert.throws(() => replaceFile(file, Buffer.from('fixed\n'), id), /changed since it was read/);
  assert.equal(fs.readFileSync(file, 'utf8'), 'two, longer\n');

  const other = path.join(dir, 'elsewhere.c');
  fs.writeFileSync(other, 'outside\n');
  const id2 = identityOf(fs.statSync(file));
  fs.unlinkSync(file);
  fs.symlinkSync(other, file);
  assert.throws(() => replaceFile(file, Buffer.from('fixed\n'), id2), /symbolic link/);
  assert.equal(fs.readFileSync(other, 'utf8'), 'outside\n');
  assert.ok(fs.lstatSync(file).isSymbolicLink());
});

test('a read-only file is not replaced (even by root, who could rename over it)', { skip: !posix }, () => {
  const dir = temp();
  const file = fileWith(dir, 'keep me\n', 0o444);
  assert.throws(() => replaceFile(file, Buffer.from('x\n'), identityOf(fs.statSync(file))), /: the file is read-only$/);
  assert.equal(fs.readFileSync(file, 'utf8'), 'keep me\n');
  assert.deepEqual(fs.readdirSync(dir), ['a.c']);
});
