import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressBytes, formatIpv6, isUnspecified, parseHexEndpoint } from './address';

/** Bytes of an address given as eight 16-bit groups. */
function bytesOf(groups: number[]): number[] {
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

test('IPv4 words are read in little-endian byte order by default', () => {
  assert.deepEqual(parseHexEndpoint('0100007F:1F90'), { address: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseHexEndpoint('0A00020F:C350'), { address: '15.2.0.10', port: 50000 });
  assert.deepEqual(parseHexEndpoint('00000000:0000'), { address: '0.0.0.0', port: 0 });
});

test('big-endian tables read the word as written', () => {
  assert.deepEqual(parseHexEndpoint('7F000001:0050', { littleEndian: false }), { address: '127.0.0.1', port: 80 });
  assert.equal(parseHexEndpoint('00000000000000000000000000000001:0001', { littleEndian: false })?.address, '::1');
});

test('IPv6 is four little-endian words', () => {
  assert.equal(parseHexEndpoint('00000000000000000000000001000000:A989')?.address, '::1');
  assert.equal(parseHexEndpoint('00000000000000000000000000000000:80A9')?.address, '::');
  // fe80::fc:ff:fe00:1 (as in /proc/net/if_inet6 of this machine), word by word byte-swapped
  assert.equal(parseHexEndpoint('000080FE00000000FF00FC00010000FE:0016')?.address, 'fe80::fc:ff:fe00:1');
  assert.equal(parseHexEndpoint('B80D0120000000000000000001000000:0035')?.address, '2001:db8::1');
});

test('v4-mapped IPv6 renders as ::ffff:a.b.c.d', () => {
  assert.deepEqual(parseHexEndpoint('0000000000000000FFFF00000100007F:961C'), { address: '::ffff:127.0.0.1', port: 0x961c });
  assert.equal(formatIpv6(bytesOf([0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0101])), '::ffff:192.168.1.1');
});

test('RFC 5952: longest zero run compressed, first on a tie, single zero group kept, lower case', () => {
  assert.equal(formatIpv6(bytesOf([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1])), '2001:db8::1:0:0:1');
  assert.equal(formatIpv6(bytesOf([0x2001, 0, 0, 1, 0, 0, 0, 1])), '2001:0:0:1::1');
  assert.equal(formatIpv6(bytesOf([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1])), '2001:db8:0:1:1:1:1:1');
  assert.equal(formatIpv6(bytesOf([1, 0, 0, 0, 0, 0, 0, 0])), '1::');
  assert.equal(formatIpv6(bytesOf([0, 0, 0, 0, 0, 0, 0, 0])), '::');
  assert.equal(formatIpv6(bytesOf([0xABCD, 0x00EF, 0, 0, 0, 0, 0, 0x0001])), 'abcd:ef::1');
});

test('formatIpv6 agrees with the WHATWG URL serializer (also RFC 5952) on many zero-heavy addresses', () => {
  let seed = 12345;
  const rand = (): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed; };
  for (let n = 0; n < 2000; n++) {
    const groups = Array.from({ length: 8 }, () => (rand() % 3 === 0 ? rand() % 0x10000 : 0));
    if (groups.slice(0, 6).join() === '0,0,0,0,0,65535') continue; // URL writes v4-mapped in hex
    const expected = new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]/`).hostname.slice(1, -1);
    assert.equal(formatIpv6(bytesOf(groups)), expected, groups.join(','));
  }
});

test('malformed addresses are rejected, not guessed', () => {
  for (const bad of ['', '0100007F', '0100007F:', '0100007F:12345', '0100007G:0050', '100007F:0050', '0100007F0:0050', '0100007F:00G0', '00000000000000000000000001000000']) {
    assert.equal(parseHexEndpoint(bad), undefined, bad);
  }
  assert.equal(addressBytes('0102'), undefined);
});

test('isUnspecified is true only for the any-address with port 0', () => {
  assert.equal(isUnspecified({ address: '0.0.0.0', port: 0 }), true);
  assert.equal(isUnspecified({ address: '::', port: 0 }), true);
  assert.equal(isUnspecified({ address: '0.0.0.0', port: 80 }), false);
  assert.equal(isUnspecified({ address: '127.0.0.1', port: 0 }), false);
});
