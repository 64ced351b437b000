import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { parsePortRange, portRangeSize, readEphemeralPortRange } from './portRange';

test('parses the kernel file and refuses malformed text', () => {
  assert.deepEqual(parsePortRange('32768\t60999\n'), { low: 32768, high: 60999 });
  assert.deepEqual(parsePortRange('1024 65535'), { low: 1024, high: 65535 });
  assert.equal(portRangeSize({ low: 32768, high: 60999 }), 28232);
  for (const bad of ['', '32768', '60999 32768', '0 100', '1 70000', 'a b', '1 2 3']) assert.equal(parsePortRange(bad), undefined, bad);
});

test('reads the range under a proc root; undefined where the file is missing', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'sockscope-proc-'));
  assert.equal(await readEphemeralPortRange(root), undefined);
  mkdirSync(path.join(root, 'sys/net/ipv4'), { recursive: true });
  writeFileSync(path.join(root, 'sys/net/ipv4/ip_local_port_range'), '40000\t49999\n');
  assert.deepEqual(await readEphemeralPortRange(root), { low: 40000, high: 49999 });
});
