import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine, quoteCommandLine } from './commandLine';

test('parseCommandLine: words, quotes and escapes as a shell splits them', () => {
  assert.deepEqual(parseCommandLine('  ./client --port 8080 '), { argv: ['./client', '--port', '8080'] });
  assert.deepEqual(parseCommandLine(`python3 'my app.py' "a \\"b\\" \\$HOME" c\\ d x=1#2 ''`), { argv: ['python3', 'my app.py', 'a "b" $HOME', 'c d', 'x=1#2', ''] });
  assert.deepEqual(parseCommandLine('a"b"\'c\''), { argv: ['abc'] });
});

test('parseCommandLine: shell syntax and broken quoting are refused with the reason', () => {
  for (const [text, why] of [['./a | grep x', /'\|' is shell syntax/], ['./a > out', /'>' is shell syntax/], ['echo $HOME', /'\$' is shell syntax/],
    ['./a *.c', /'\*'/], ['a; b', /';'/], ['"abc', /unterminated double quote/], ["'abc", /unterminated single quote/], ['echo "$X"', /needs a shell/], ['   ', /no command/], ['# note', /'#'/]] as const) {
    const r = parseCommandLine(text);
    assert.ok('error' in r, text);
    assert.match(r.error, why);
  }
});

test('quoteCommandLine: reads back as the same words', () => {
  const argv = ['./client', 'my file', "it's", '', '--x=1'];
  const line = quoteCommandLine(argv);
  assert.equal(line, "./client 'my file' 'it'\\''s' '' --x=1");
  assert.deepEqual(parseCommandLine(line), { argv });
});
