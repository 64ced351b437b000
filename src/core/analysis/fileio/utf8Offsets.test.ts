import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byteOffsets } from './utf8Offsets';

/** A small deterministic generator (the test must be reproducible). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('ASCII, 2-, 3- and 4-byte characters map to their first byte', () => {
  const bytes = Buffer.from('aé€😀b', 'utf8');
  // units: a=0, é=1, €=2, 😀=3..4, b=5, end=6
  assert.deepEqual(byteOffsets(bytes, [0, 1, 2, 3, 5, 6]), [0, 1, 3, 6, 10, 11]);
  assert.deepEqual(byteOffsets(bytes, [6, 0, 3]), [11, 0, 6], 'any order');
  assert.throws(() => byteOffsets(bytes, [4]), /inside a character/);
  assert.throws(() => byteOffsets(bytes, [7]), /past the end/);
});

test('malformed bytes: each U+FFFD covers what the decoder replaced (Latin-1, truncated and overlong sequences)', () => {
  // 'caf' + Latin-1 é (0xE9, a lone lead byte followed by ASCII) + ' ' + truncated € (E2 82) + 'x' + overlong C0 AF + surrogate ED A0 80
  const bytes = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xe2, 0x82, 0x78, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x21]);
  const text = bytes.toString('utf8');
  assert.equal(text, 'caf\ufffd \ufffdx\ufffd\ufffd\ufffd\ufffd\ufffd!');
  const offsets = [...Array(text.length + 1).keys()];
  assert.deepEqual(byteOffsets(bytes, offsets), [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14]);
});

test('fuzz: every character boundary splits the bytes where the decoded text splits (agrees with Buffer and TextDecoder)', () => {
  const next = rng(12);
  const alphabet = [0x41, 0x0a, 0x0d, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xa0, 0xed, 0x9f, 0xef, 0xf0, 0x90, 0xf4, 0x8f, 0xf5, 0xff, 0xe2, 0x82, 0xac];
  const decoder = new TextDecoder('utf-8');
  for (let round = 0; round < 2000; round++) {
    const bytes = Buffer.from(Array.from({ length: Math.floor(next() * 24) }, () => alphabet[Math.floor(next() * alphabet.length)]!));
    const text = bytes.toString('utf8');
    assert.equal(decoder.decode(bytes), text);
    const boundaries = [...Array(text.length + 1).keys()].filter((u) => !(u > 0 && u < text.length && text.charCodeAt(u) >= 0xdc00 && text.charCodeAt(u) <= 0xdfff && text.charCodeAt(u - 1) >= 0xd800 && text.charCodeAt(u - 1) <= 0xdbff));
    const at = byteOffsets(bytes, boundaries);
    boundaries.forEach((u, i) => {
      assert.equal(bytes.subarray(0, at[i]).toString('utf8'), text.slice(0, u), `${bytes.toString('hex')} @${u}`);
      assert.equal(bytes.subarray(at[i]).toString('utf8'), text.slice(u), `${bytes.toString('hex')} @${u}`);
    });
  }
});
