import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { hasGcc, tempDir } from './testing/build';
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

// Without a Go toolchain: an ELF file that carries the note the Go linker writes into every Linux
// binary it links (.note.go.buildid) is told apart the same way; one without it is not.
test('readElfInfo: a Go build-id note marks a Go binary (not traceable); the same program without it is traceable', { skip: !hasGcc && 'needs Linux and gcc' }, async () => {
  const dir = tempDir('sockscope-elf-');
  try {
    const source = path.join(dir, 'main.c');
    fs.writeFileSync(source, [
      '#ifdef GO_NOTE',
      '__attribute__((section(".note.go.buildid"), used)) static const char note[] = "Go build id";',
      '#endif',
      'int main(void) { return 0; }',
      '',
    ].join('\n'));
    const build = (out: string, flags: string[]) => {
      spawnSync('gcc', [...flags, '-o', path.join(dir, out), source], { stdio: 'inherit' });
      return path.join(dir, out);
    };
    const marked = await readElfInfo(build('marked', ['-DGO_NOTE']));
    assert.deepEqual([marked?.go, marked?.dynamicallyLinked], [true, true]);
    assert.match(untraceableReason(marked) ?? '', /^a Go program makes its socket system calls itself, past the C library/);
    const plain = await readElfInfo(build('plain', []));
    assert.deepEqual([plain?.go, untraceableReason(plain)], [false, undefined]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('offsetToAddress: through the load segment that holds the offset', () => {
  const info = { dynamicallyLinked: true, go: false, loads: [{ offset: 0n, vaddr: 0x400000n, fileSize: 0x1000n }, { offset: 0x1000n, vaddr: 0x401000n, fileSize: 0x2000n }] };
  assert.equal(offsetToAddress(info, 0x1234n), 0x401234n);
  assert.equal(offsetToAddress(info, 0x10n), 0x400010n);
});
