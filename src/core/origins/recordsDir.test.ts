import { test } from 'node:test';
import assert from 'node:assert/strict';
import { octalMode, recordsDirProblem } from './recordsDir';

const dir = '/run/user/1000/sockscope';
const facts = (over: Partial<{ isDirectory: boolean; isSymbolicLink: boolean; uid: number; mode: number }>) =>
  ({ isDirectory: true, isSymbolicLink: false, uid: 1000, mode: 0o40700, ...over });

test('recordsDirProblem: a private folder of ours passes; each other kind is named with owner and mode, and what to do', () => {
  assert.equal(recordsDirProblem(dir, facts({}), 1000), undefined);
  assert.equal(recordsDirProblem(dir, facts({ mode: 0o40755 }), 1000),
    `${dir} may be read or written by others (owner uid 1000, mode 0755); run \`chmod 700 ${dir}\`, or set SOCKSCOPE_ORIGINS_DIR to a folder of your own`);
  assert.match(recordsDirProblem(dir, facts({ mode: 0o40701 }), 1000) ?? '', /mode 0701\); run `chmod 700/);
  // Another user's folder: chmod is not ours to run, so it is not suggested.
  assert.equal(recordsDirProblem(dir, facts({ uid: 0 }), 1000),
    `${dir} belongs to another user (owner uid 0, mode 0700; you are uid 1000); set SOCKSCOPE_ORIGINS_DIR to a folder of your own`);
  assert.equal(recordsDirProblem(dir, facts({ isDirectory: false, isSymbolicLink: true, mode: 0o120777 }), 1000),
    `${dir} is a symbolic link (owner uid 1000, mode 0777); set SOCKSCOPE_ORIGINS_DIR to a folder of your own`);
  assert.match(recordsDirProblem(dir, facts({ isDirectory: false, mode: 0o100600 }), 1000) ?? '', /is not a directory \(owner uid 1000, mode 0600\)/);
  assert.equal(octalMode(0o40007), '0007');
});
