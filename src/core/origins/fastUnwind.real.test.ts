// The native recorder's stack reader (native/fast-unwind.c) against glibc's backtrace(), on a real
// program: test/fixtures/origins/unwind.c creates sockets from plain, deep, alloca/VLA-sized and
// realigned frames, from inside qsort, a signal handler on the alternate stack, a makecontext coroutine,
// a forked child, two threads at once and a dlopen'd library (closed and opened again), built at several
// optimisation levels. With SOCKSCOPE_ORIGINS_CHECK_UNWIND=1 the
// recorder reads every stack both ways; the record file's header counts the stacks read by the cached
// rules, and how many of them differ from backtrace()'s. None may differ.
// test/fixtures/origins/unwind_internals.c is built with the recorder's sources and checks what a
// program cannot show deterministically: the rules computed for unusual call-frame information, the
// rule table under a capture that began before a dlclose, a fork while a stack is half-written, and
// which dlclose calls make the recorder forget its rules.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildRecorder, fixtureSource, hasGcc, tempDir } from './testing/build';
import { repoRoot } from '../platform/linux/testSupport';
import { parseOriginRecord } from './recordFile';

const skip = (!hasGcc || process.arch !== 'x64') && 'needs Linux on x86-64 and gcc (elsewhere the recorder uses backtrace() only)';
let work: string;
let library: string;
let module: string;

before(() => {
  if (skip) return;
  work = tempDir('sockscope-fast-unwind-');
  library = buildRecorder(work);
  module = path.join(work, 'libunwindtest.so');
  execFileSync('gcc', ['-O2', '-g', '-fPIC', '-shared', '-o', module, fixtureSource('unwind_lib')]);
});
after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function runChecked(flags: string[], env: NodeJS.ProcessEnv = {}) {
  const name = `unwind${flags.join('').replace(/[^A-Za-z0-9]/g, '')}`;
  const program = path.join(work, name);
  execFileSync('gcc', [...flags, '-g', '-pthread', '-o', program, fixtureSource('unwind'), '-ldl']);
  const records = fs.mkdtempSync(path.join(work, 'records-'));
  const out = execFileSync(program, [module, '4'], {
    env: { ...process.env, LD_PRELOAD: library, SOCKSCOPE_ORIGINS_DIR: records, SOCKSCOPE_ORIGINS_CHECK_UNWIND: '1', ...env },
    encoding: 'utf8',
    timeout: 60000,
  });
  const pid = (JSON.parse(out.trim().split('\n').pop()!) as { pid: number }).pid;
  return parseOriginRecord(fs.readFileSync(path.join(records, `${pid}.origins`)));
}

for (const flags of [['-O0'], ['-O2'], ['-O2', '-fno-omit-frame-pointer'], ['-O3', '-fomit-frame-pointer']]) {
  test(`cached unwind rules read the same stacks as backtrace() (${flags.join(' ')})`, { skip, timeout: 120000 }, () => {
    const record = runChecked(flags);
    assert.ok(record.unwind, 'the native record has unwind counters');
    // 4 rounds on two threads of ~21 sockets, 12 through the library: ~180 stacks read both ways.
    assert.ok(record.unwind.checked >= 150, `stacks read by the cached rules: ${record.unwind.checked}`);
    assert.equal(record.unwind.mismatch, 0, `${record.unwind.mismatch} of ${record.unwind.checked} stacks differ from backtrace()`);
    // The signal handler's sockets (one per round and thread) go through the signal frame: backtrace().
    assert.ok(record.unwind.slow >= 8, `stacks left to backtrace(): ${record.unwind.slow}`);
    assert.ok(record.stacks.size > 10, `distinct stacks: ${record.stacks.size}`);
  });
}

test('SOCKSCOPE_ORIGINS_NO_FAST_UNWIND=1: every stack is read by backtrace()', { skip, timeout: 120000 }, () => {
  const slow = runChecked(['-O2'], { SOCKSCOPE_ORIGINS_NO_FAST_UNWIND: '1' });
  assert.equal(slow.unwind?.checked, 0);
  assert.ok((slow.unwind?.slow ?? 0) >= 150, `stacks read by backtrace(): ${slow.unwind?.slow}`);
  assert.ok(slow.stacks.size > 10, `distinct stacks: ${slow.stacks.size}`);
});

test('recorder internals: libgcc rule shapes, the rule table across a dlclose, a fork mid-write, dlclose of a module that stays', { skip, timeout: 60000 }, () => {
  const program = path.join(work, 'unwind_internals');
  const native = path.join(repoRoot(), 'src', 'core', 'origins', 'native');
  execFileSync('gcc', ['-O2', '-std=gnu11', '-pthread', '-fno-omit-frame-pointer', '-I', native, '-o', program, fixtureSource('unwind_internals'), '-ldl']);
  const records = fs.mkdtempSync(path.join(work, 'records-'));
  const out = execFileSync(program, [], { env: { ...process.env, SOCKSCOPE_ORIGINS_DIR: records }, encoding: 'utf8', timeout: 30000 });
  const checks = out.trim().split('\n').map((l) => JSON.parse(l) as { check: string; ok: boolean });
  assert.deepEqual(checks.map((c) => c.check), ['rules', 'race', 'fork', 'dlclose']);
  for (const c of checks) assert.ok(c.ok, JSON.stringify(c));
});
