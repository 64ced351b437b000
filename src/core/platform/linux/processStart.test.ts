import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import { bootTimeSec, parseBootTime, startedAtMs } from './processStart';
import { parseStat } from './procFiles';

test('parseBootTime: the btime line of /proc/stat', () => {
  assert.equal(parseBootTime('cpu  1 2 3\nintr 5 0\nctxt 77\nbtime 1764990000\nprocesses 12\n'), 1764990000);
  assert.equal(parseBootTime('cpu  1 2 3\nctxt 77\n'), undefined);
  assert.equal(parseBootTime('btime soon\n'), undefined);
});

test('startedAtMs: clock ticks after boot, as wall-clock milliseconds', () => {
  assert.equal(startedAtMs(0, 1000), 1_000_000);
  assert.equal(startedAtMs(250, 1000), 1_002_500); // 2.5 s at 100 ticks per second
  assert.equal(startedAtMs(3, 1000, 1000), 1_000_003);
});

test('this process started a moment ago, by its own /proc entries', { skip: process.platform !== 'linux' }, () => {
  const stat = parseStat(fs.readFileSync(`/proc/${process.pid}/stat`, 'utf8')).items[0];
  const boot = bootTimeSec();
  assert.ok(stat && boot !== undefined);
  const started = startedAtMs(stat.startTime, boot);
  const age = Date.now() - process.uptime() * 1000;
  // btime is whole seconds and the clock may have been adjusted since boot: within a few seconds.
  assert.ok(Math.abs(started - age) < 5000, `started ${new Date(started).toISOString()}, node says ${new Date(age).toISOString()}`);
});
