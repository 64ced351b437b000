import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import { bootTimeMs, parseBootTime, parseUptime, startedAtMs } from './processStart';
import { parseStat } from './procFiles';

test('parseBootTime: the btime line of /proc/stat', () => {
  assert.equal(parseBootTime('cpu  1 2 3\nintr 5 0\nctxt 77\nbtime 1764990000\nprocesses 12\n'), 1764990000);
  assert.equal(parseBootTime('cpu  1 2 3\nctxt 77\n'), undefined);
  assert.equal(parseBootTime('btime soon\n'), undefined);
});

test('startedAtMs: clock ticks after boot, as wall-clock milliseconds', () => {
  assert.equal(startedAtMs(0, 1_000_000), 1_000_000);
  assert.equal(startedAtMs(250, 1_000_000), 1_002_500); // 2.5 s at 100 ticks per second
  assert.equal(startedAtMs(3, 1_000_000, 1000), 1_000_003);
});

test('parseUptime: seconds since boot, to the hundredth', () => {
  assert.equal(parseUptime('35412.39 69130.75\n'), 35412.39);
  assert.equal(parseUptime('17 3\n'), 17);
  assert.equal(parseUptime('soon 3\n'), undefined);
  assert.equal(parseUptime(''), undefined);
});

test('bootTimeMs: now minus the uptime, to the tick (btime is whole seconds, up to 1 s early); btime without /proc/uptime', () => {
  const files = (uptime: string | null, stat: string | null) => (f: string): string => {
    const t = f === '/proc/uptime' ? uptime : f === '/proc/stat' ? stat : null;
    if (t === null) throw new Error(`ENOENT: ${f}`);
    return t;
  };
  // Booted at 1,764,990,000.73 s: btime says ...000, the uptime gives the fraction.
  assert.equal(bootTimeMs(1_764_990_100_730, files('100.00 5.00\n', 'btime 1764990000\n')), 1_764_990_000_730);
  assert.equal(bootTimeMs(1_764_990_100_730, files(null, 'btime 1764990000\n')), 1_764_990_000_000);
  assert.equal(bootTimeMs(1_764_990_100_730, files('garbled', 'btime 1764990000\n')), 1_764_990_000_000);
  assert.equal(bootTimeMs(1_764_990_100_730, files(null, null)), undefined);
});

test('this process started a moment ago, by its own /proc entries', { skip: process.platform !== 'linux' }, () => {
  const stat = parseStat(fs.readFileSync(`/proc/${process.pid}/stat`, 'utf8')).items[0];
  const boot = bootTimeMs();
  assert.ok(stat && boot !== undefined);
  const started = startedAtMs(stat.startTime, boot);
  const age = Date.now() - process.uptime() * 1000;
  // Node's uptime starts a little after the exec the kernel's start time counts from.
  assert.ok(started <= age + 20 && age - started < 3000, `started ${new Date(started).toISOString()}, node says ${new Date(age).toISOString()}`);
});
