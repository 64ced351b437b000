import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadSource } from '../workspace';
import { FixNotWritten, writeFix } from './writeFix';

const posix = process.platform !== 'win32';

function read(file: string) {
  const loaded = loadSource(file);
  assert.ok(loaded.ok);
  return loaded;
}

test('writes the edits into the file, keeping the BOM and the bytes around them', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-writefix-'));
  const file = path.join(dir, 'a.c');
  fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('int x;\r\n/* \xff */\r\n', 'latin1')]));
  const source = read(file);
  writeFix(file, dir, source, [{ start: 0, end: 0, newText: '#include <unistd.h>\n' }]);
  assert.deepEqual(fs.readFileSync(file), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('#include <unistd.h>\r\nint x;\r\n/* \xff */\r\n', 'latin1')]));
});

test('a file reached through a symbolic link to a folder outside the root is not written', { skip: !posix }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-writefix-'));
  fs.mkdirSync(path.join(dir, 'root'));
  fs.mkdirSync(path.join(dir, 'outside'));
  fs.writeFileSync(path.join(dir, 'outside', 'a.c'), 'int x;\n');
  // Say the folder was swapped for a link after the walk (which never enters linked folders).
  fs.symlinkSync(path.join(dir, 'outside'), path.join(dir, 'root', 'sub'));
  const file = path.join(dir, 'root', 'sub', 'a.c');
  assert.throws(() => writeFix(file, path.join(dir, 'root'), read(file), [{ start: 0, end: 0, newText: 'int y;\n' }]),
    (e: unknown) => e instanceof FixNotWritten && /lies outside/.test(e.message));
  assert.equal(fs.readFileSync(path.join(dir, 'outside', 'a.c'), 'utf8'), 'int x;\n');
  // The same file under a root that really contains it is written.
  writeFix(file, dir, read(file), [{ start: 0, end: 0, newText: 'int y;\n' }]);
  assert.equal(fs.readFileSync(path.join(dir, 'outside', 'a.c'), 'utf8'), 'int y;\nint x;\n');
});
