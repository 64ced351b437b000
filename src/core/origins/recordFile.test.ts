import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOriginRecord, RecordFormatError } from './recordFile';
import { startTicksOf } from './processOrigins';

test('parseOriginRecord: refuses what is not a record, another version, or a truncated file', () => {
  assert.throws(() => parseOriginRecord(Buffer.alloc(8192)), RecordFormatError);
  const header = Buffer.alloc(4096);
  header.write('SSORIG01', 0, 'latin1');
  header.writeUInt32LE(2, 8);
  assert.throws(() => parseOriginRecord(header), /version 2/);
  header.writeUInt32LE(1, 8);
  header.writeUInt32LE(1024, 24);
  header.writeUInt32LE(4096, 28);
  header.writeUInt32LE(16, 32);
  assert.throws(() => parseOriginRecord(header), /truncated/);
});

test('startTicksOf: field 22 of /proc/<pid>/stat, whatever the command name holds', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
  fields[19] = '987654';
  assert.equal(startTicksOf(`42 (a) b (c) ${fields.join(' ')}`), 987654n);
  assert.equal(startTicksOf('garbage'), undefined);
});
