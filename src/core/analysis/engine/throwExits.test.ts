/** Several throw exits on hand-built IR (no parser): one report per resource, and "only unlikely throws". */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_PROGRAM, type AcquireSite, type Exit, type FunctionIr, type IrNode, type Op } from '../ir/ir';
import { FunctionAnalysis, type SummaryProvider } from './analysis';
import { leaksOnceAtThrowExits, throwsOnlyUnlikely } from './throwExits';

const NONE: SummaryProvider = { summary: () => undefined };
const site = (start: number): AcquireSite => ({ start, end: start + 5, call: 'open', resource: 'socket', validity: 'pointer', alwaysValid: true });
const exit = (kind: Exit['kind'], start: number): Exit => ({ kind, start, end: start + 1, id: `${kind}:${start}` });
const node = (kind: IrNode['kind'], succ: number[], ops: Op[] = [], extra: Partial<IrNode> = {}): IrNode =>
  ({ kind, succ, program: { ...EMPTY_PROGRAM, ops }, exit: null, dying: [], anchor: -1, reads: [], ...extra });
const bindS = (at: number): Op => ({ op: 'bind', target: { kind: 'local', key: 's' }, value: { kind: 'acquire', ...site(at) }, start: at, end: at + 5 });
const raise = (at: number, unlikely = false): Op => ({ op: 'raise', origin: { at, start: at, end: at + 3, ...(unlikely ? { unlikely } : {}) } });
const releaseS: Op = { op: 'release', ref: { key: 's', prefix: null } };

/** s = open(); call@a (may throw, to throw exit 5); call@b (may throw, to throw exit 6); close(s). */
function twoThrowExits(a: Op, b: Op): FunctionAnalysis {
  const ir: FunctionIr = {
    nodes: [
      node('entry', [1]),
      node('effect', [2], [bindS(10), a], { exc: 5, anchor: 10 }),
      node('effect', [3], [b], { exc: 6, anchor: 30 }),
      node('effect', [4], [releaseS]),
      node('exit', [], [], { exit: exit('end', 99) }),
      node('exit', [], [], { exit: exit('throw', 0) }),
      node('exit', [], [], { exit: exit('throw', 1) }),
    ],
    entry: 0, params: [], start: 0, end: 1000, autoReleased: new Set(),
  };
  const fa = new FunctionAnalysis(ir, NONE, 'report');
  fa.run();
  return fa;
}

test('a resource that leaks at two throw exits is reported once, at the earliest likely origin', () => {
  const a = twoThrowExits(raise(20), raise(30));
  assert.equal([...a.leaks.values()].length, 2);
  assert.deepEqual(leaksOnceAtThrowExits(a).map((r) => [r.variable, r.origin?.at]), [['s', 20]]);
});

test('a likely origin is preferred to an earlier unlikely one', () => {
  const a = twoThrowExits(raise(20, true), raise(30));
  assert.deepEqual(leaksOnceAtThrowExits(a).map((r) => [r.variable, r.origin?.at]), [['s', 30]]);
});

test('a function throws only unlikely when every exception reaching its throw exits comes from unlikely origins', () => {
  assert.equal(throwsOnlyUnlikely(twoThrowExits(raise(20, true), raise(30, true))), true);
  assert.equal(throwsOnlyUnlikely(twoThrowExits(raise(20, true), raise(30))), false);
});
