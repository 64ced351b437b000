import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processLabel } from './processLabel';

test('an interpreter is named with its script', () => {
  assert.equal(processLabel({ name: 'MainThread', cmdline: '/usr/bin/node /srv/app/demo/leaky-server.js --port 0' }), 'node leaky-server.js');
  assert.equal(processLabel({ name: 'python3', cmdline: 'python3 -u client.py' }), 'python3 client.py');
  assert.equal(processLabel({ name: 'java', cmdline: 'java' }), 'java');
});

test('a program is named by its executable, a kernel thread by its kernel name', () => {
  assert.equal(processLabel({ name: 'sshd', cmdline: '/usr/sbin/sshd -D' }), 'sshd');
  assert.equal(processLabel({ name: 'kworker/0:1', cmdline: '' }), 'kworker/0:1');
  assert.equal(processLabel({ name: 'nginx', cmdline: 'nginx: worker process' }), 'nginx: worker process');
  assert.equal(processLabel({ name: '', cmdline: '' }), '?');
});

test('a name with control characters comes out as one escaped line', () => {
  assert.equal(processLabel({ name: '\x1b]0;pwned\x07', cmdline: '' }), '\\x1b]0;pwned\\x07');
  assert.equal(processLabel({ name: 'x', cmdline: 'python3 evil\u202e.py' }), 'python3 evil\\u202e.py');
});
