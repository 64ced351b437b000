import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparePickerEntries, isOwnHelper, pidOnAccept } from './processPick';

test('most sockets first, uncounted last, then by name and pid', () => {
  const entries = [
    { pid: 9, label: 'b', sockets: 3 }, { pid: 8, label: 'a', sockets: undefined }, { pid: 7, label: 'z', sockets: 5000 },
    { pid: 6, label: 'a', sockets: 3 }, { pid: 5, label: 'a', sockets: 0 }, { pid: 4, label: 'a', sockets: 3 },
  ];
  assert.deepEqual(entries.sort(comparePickerEntries).map((e) => e.pid), [7, 4, 6, 9, 5, 8]);
});

test('SockScope\'s own helper is recognised by its kernel name or its program file', () => {
  assert.equal(isOwnHelper({ name: 'sockscope-netli', cmdline: '/home/u/.vscode/extensions/sockscope/dist/bin/sockscope-netlink' }), true);
  assert.equal(isOwnHelper({ name: 'sockscope-netlink', cmdline: '' }), true);
  assert.equal(isOwnHelper({ name: 'node', cmdline: 'node server.js sockscope-netlink' }), false);
});

test('Enter: a typed pid wins over the row on top, unless the user moved to another row', () => {
  assert.equal(pidOnAccept(4242, 1, false), 4242, 'the list filled in under the typed pid');
  assert.equal(pidOnAccept(4242, undefined, false), 4242, 'no list yet');
  assert.equal(pidOnAccept(4242, 77, true), 77, 'the user arrowed to another row');
  assert.equal(pidOnAccept(undefined, 77, false), 77);
  assert.equal(pidOnAccept(undefined, undefined, false), undefined);
});
