import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Addr2lineCache, parseAddr2line } from './addr2line';

test('parseAddr2line: file:line, discriminators, C++ names, and ?? for what is unknown', () => {
  const text = 'send_message\n/src/client.c:17 (discriminator 2)\nns::Pool::open(int) const\n/src/pool.cpp:42\nstripped_fn\n??:0\n??\n??:?\n';
  assert.deepEqual(parseAddr2line(text, 4), [
    { function: 'send_message', file: '/src/client.c', line: 17 },
    { function: 'ns::Pool::open(int) const', file: '/src/pool.cpp', line: 42 },
    { function: 'stripped_fn', file: undefined, line: undefined },
    { function: undefined, file: undefined, line: undefined },
  ]);
});

test('Addr2lineCache: one call per module for the addresses not seen yet', async () => {
  const calls: string[][] = [];
  const cache = new Addr2lineCache(async (module, addresses) => {
    calls.push([module, ...addresses]);
    return addresses.map((a) => `f${a}\n/x.c:${parseInt(a, 16)}\n`).join('');
  });
  const first = await cache.lookup('/bin/a', [0x10n, 0x20n, 0x10n]);
  const second = await cache.lookup('/bin/a', [0x20n, 0x30n]);
  assert.deepEqual(calls, [['/bin/a', '0x10', '0x20'], ['/bin/a', '0x30']]);
  assert.equal(first.get(0x20n)?.line, 32);
  assert.equal(second.get(0x30n)?.function, 'f0x30');
});
