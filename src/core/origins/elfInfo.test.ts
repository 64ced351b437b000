import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { offsetToAddress, readElfInfo, untraceableReason } from './elfInfo';

test('readElfInfo: node is dynamically linked and traceable; a text file is not ELF', async () => {
  const node = await readElfInfo(process.execPath);
  assert.ok(node);
  assert.equal(node.dynamicallyLinked, process.platform === 'linux');
  assert.equal(node.go, false);
  assert.ok(node.loads.length > 0);
  if (process.platform === 'linux') assert.equal(untraceableReason(node), undefined);
  assert.equal(await readElfInfo(__filename), undefined);
});

const goPath = process.platform === 'linux' ? spawnSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' }).stdout.trim() : '';
test('readElfInfo: the go tool is a Go binary, reported as not traceable', { skip: !goPath && 'go not installed' }, async () => {
  const info = await readElfInfo(fs.realpathSync(goPath));
  assert.equal(info?.go, true);
  assert.match(untraceableReason(info) ?? '', /^a Go program makes its socket system calls itself/);
});

test('offsetToAddress: through the load segment that holds the offset', () => {
  const info = { dynamicallyLinked: true, go: false, loads: [{ offset: 0n, vaddr: 0x400000n, fileSize: 0x1000n }, { offset: 0x1000n, vaddr: 0x401000n, fileSize: 0x2000n }] };
  assert.equal(offsetToAddress(info, 0x1234n), 0x401234n);
  assert.equal(offsetToAddress(info, 0x10n), 0x400010n);
});
