import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findMapping, parseMaps } from './procMaps';

test('parseMaps: file-backed mappings, paths with spaces and (deleted); anonymous and pseudo ones left out', () => {
  const maps = parseMaps([
    '55d0c0a00000-55d0c0a01000 r--p 00000000 fe:00 123   /opt/my app/bin/server',
    '55d0c0a01000-55d0c0a02000 r-xp 00001000 fe:00 123   /opt/my app/bin/server',
    '7f0000000000-7f0000021000 rw-p 00000000 00:00 0 ',
    '7f1000000000-7f1000100000 r-xp 00028000 fe:00 456   /tmp/libold.so (deleted)',
    '7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0     [stack]',
  ].join('\n'));
  assert.deepEqual(maps.map((m) => [m.path, m.offset]), [['/opt/my app/bin/server', 0n], ['/opt/my app/bin/server', 0x1000n], ['/tmp/libold.so', 0x28000n]]);
  assert.equal(findMapping(maps, 0x55d0c0a01abcn)?.offset, 0x1000n);
  assert.equal(findMapping(maps, 0x7f0000000010n), undefined);
});
