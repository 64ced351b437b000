import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { detectRuntime, parseShebang, runtimeOfName } from './runtime';

test('runtimeOfName: node, python and java by file name; anything else is not a runtime', () => {
  assert.deepEqual(['node', 'nodejs', '/usr/bin/node22', 'python', 'python3', 'python3.12', '/opt/py/bin/python3.11d', 'pypy3', 'java'].map(runtimeOfName),
    ['node', 'node', 'node', 'python', 'python', 'python', 'python', 'python', 'java']);
  assert.deepEqual(['nodemon', 'python-config', 'javac', 'sh', 'server'].map(runtimeOfName), [undefined, undefined, undefined, undefined, undefined]);
});

test('parseShebang: interpreter and first argument; none without #!', () => {
  assert.deepEqual(parseShebang('#!/usr/bin/env python3\nprint(1)\n'), { interpreter: '/usr/bin/env', arg: 'python3' });
  assert.deepEqual(parseShebang('#! /usr/bin/node --max-old-space-size=64\n'), { interpreter: '/usr/bin/node', arg: '--max-old-space-size=64' });
  assert.equal(parseShebang('\x7fELF'), undefined);
});

test('detectRuntime: through PATH, symlinks and #! lines (also /usr/bin/env); ELF files are native', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-runtime-'));
  try {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const script = (name: string, text: string) => { fs.writeFileSync(path.join(bin, name), text, { mode: 0o755 }); };
    fs.symlinkSync(process.execPath, path.join(bin, 'mynode'));
    script('server.js', '#!/usr/bin/env node\n');
    script('tool', '#!/usr/bin/env -S node --inspect\n');
    script('app.py', `#!${path.join(bin, 'python3')} -u\n`);
    script('python3', '#!/bin/sh\nexec true\n'); // a shim: the name decides
    script('run.sh', '#!/bin/sh\n');
    const env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
    const rt = (cmd: string) => detectRuntime(cmd, env, dir).runtime;
    assert.equal(rt('mynode'), 'node'); // symlink to node
    assert.equal(rt('server.js'), 'node');
    assert.equal(rt('./bin/app.py'), 'python');
    assert.equal(rt('python3'), 'python');
    assert.equal(rt('run.sh'), 'native');
    assert.equal(rt('tool'), 'native'); // env -S: not followed, stays native (LD_PRELOAD still works)
    assert.equal(rt('no-such-command'), 'native');
    assert.equal(detectRuntime('run.sh', env, dir).binary, fs.realpathSync('/bin/sh'));
    assert.equal(detectRuntime('server.js', env, dir).executable, path.join(bin, 'server.js'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
