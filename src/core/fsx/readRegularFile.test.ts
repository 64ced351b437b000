import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readRegularFile, readRegularFileSync } from './readRegularFile';

const posix = process.platform !== 'win32';
const temp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-read-'));

test('reads a regular file whole, with its identity', async () => {
  const dir = temp();
  const file = path.join(dir, 'a.c');
  fs.writeFileSync(file, Buffer.from([0x69, 0x6e, 0x74, 0xe9, 0x0a]));
  fs.chmodSync(file, 0o640);
  for (const r of [readRegularFileSync(file, 100), await readRegularFile(file, 100)]) {
    assert.ok(r.ok);
    assert.deepEqual([...r.bytes], [0x69, 0x6e, 0x74, 0xe9, 0x0a]);
    assert.equal(r.identity.size, 5);
    assert.equal(r.identity.mode, 0o640);
    assert.equal(r.identity.ino, fs.statSync(file).ino);
  }
  const empty = path.join(dir, 'e.c');
  fs.writeFileSync(empty, '');
  const e = await readRegularFile(empty, 100);
  assert.ok(e.ok && e.bytes.length === 0);
});

test('a FIFO is refused at once instead of waiting for a writer', { skip: !posix, timeout: 5000 }, async () => {
  const fifo = path.join(temp(), 'pipe.c');
  execFileSync('mkfifo', [fifo]);
  assert.deepEqual(readRegularFileSync(fifo, 100), { ok: false, reason: 'not-regular', size: 0 });
  assert.equal((await readRegularFile(fifo, 100)).ok, false);
});

test('a symbolic link to /dev/zero is refused without reading it', { skip: !fs.existsSync('/dev/zero'), timeout: 5000 }, async () => {
  const link = path.join(temp(), 'zero.c');
  fs.symlinkSync('/dev/zero', link);
  const r = await readRegularFile(link, 1024);
  assert.ok(!r.ok && r.reason === 'not-regular');
});

test('too big by fstat: refused before reading', async () => {
  const file = path.join(temp(), 'big.c');
  fs.writeFileSync(file, 'x'.repeat(5000));
  assert.deepEqual(readRegularFileSync(file, 4999), { ok: false, reason: 'too-big', size: 5000 });
  assert.deepEqual(await readRegularFile(file, 5000).then((r) => r.ok), true);
});

test('a file longer than fstat says (a /proc file) is read up to the limit + 1 byte only', { skip: process.platform !== 'linux' }, async () => {
  // /proc/self/maps reports size 0 but has several KiB: reading stops at the limit.
  const link = path.join(temp(), 'maps.c');
  fs.symlinkSync('/proc/self/maps', link);
  assert.equal(fs.statSync(link).size, 0);
  assert.deepEqual(readRegularFileSync(link, 100), { ok: false, reason: 'too-big', size: 101 });
  assert.deepEqual(await readRegularFile(link, 100), { ok: false, reason: 'too-big', size: 101 });
  const whole = readRegularFileSync(link, 1 << 20);
  assert.ok(whole.ok && whole.bytes.length > 101 && whole.bytes.toString('latin1').includes('[stack]'));
});

test('a missing file throws ENOENT', async () => {
  assert.throws(() => readRegularFileSync(path.join(temp(), 'gone.c'), 10), { code: 'ENOENT' });
  await assert.rejects(readRegularFile(path.join(temp(), 'gone.c'), 10), { code: 'ENOENT' });
});
