import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeControl, escapeMarkdown } from './escape';

test('escapeControl: C0, DEL, C1 and direction overrides are written as escapes; other text is kept', () => {
  assert.equal(escapeControl('\x1b]0;title\x07'), '\\x1b]0;title\\x07');
  assert.equal(escapeControl('a\nb\tc\r'), 'a\\nb\\tc\\r');
  assert.equal(escapeControl('\x00\x7f\x9b'), '\\x00\\x7f\\x9b');
  assert.equal(escapeControl('abc\u202egpj.exe'), 'abc\\u202egpj.exe');
  assert.equal(escapeControl('node server.js — café 127.0.0.1:80'), 'node server.js — café 127.0.0.1:80');
});

test('escapeMarkdown: links, emphasis, code, HTML, headings, icons and line breaks all stay literal', () => {
  const hostile = '# [click](command:workbench.action.terminal.sendSequence) **bold** `code` <img src=x> $(zap)\n\n- item';
  const md = escapeMarkdown(hostile);
  // Every syntax character is preceded by a backslash, and nothing starts a new line.
  assert.equal(md.includes('\n'), false);
  for (const c of '#[]()*`<>$-:') {
    for (let i = md.indexOf(c); i >= 0; i = md.indexOf(c, i + 1)) assert.equal(md[i - 1], '\\', `${c} at ${i} in ${md}`);
  }
  // Backslash-escapes of ASCII punctuation render as the character itself: removing them gives the text back.
  assert.equal(md.replace(/\\(.)/g, '$1'), hostile.replace(/\n/g, '\\n'));
  assert.equal(escapeMarkdown('a\\b'), 'a\\\\b');
});
