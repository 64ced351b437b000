/**
 * The engine's exceptional edges on hand-built IR (no parser): a `raise` sends the state of that
 * moment to the node's exceptional successor, a leak there is reported at the origin the resource
 * was live at, `catch` ends the pending exception, `rethrow` carries it on, summaries say whether
 * a function may throw, and a scoped release is refused when the resource is used after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_PROGRAM, type AcquireSite, type Exit, type FunctionIr, type IrNode, type Op } from '../ir/ir';
import { FunctionAnalysis, type SummaryProvider } from './analysis';
import { proveScopedRelease } from './safety';

const NONE: SummaryProvider = { summary: () => undefined };
const site = (start: number): AcquireSite => ({ start, end: start + 5, call: 'open', resource: 'socket', validity: 'pointer', alwaysValid: true });
const exit = (kind: Exit['kind'], start: number): Exit => ({ kind, start, end: start + 1, id: `${kind}:${start}` });

function node(kind: IrNode['kind'], succ: number[], ops: Op[] = [], extra: Partial<IrNode> = {}, noReturn = false): IrNode {
  return { kind, succ, program: { ...EMPTY_PROGRAM, ops, noReturn }, exit: null, dying: [], anchor: -1, reads: [], ...extra };
}

function fn(nodes: IrNode[], params: string[] = []): FunctionIr {
  return { nodes, entry: 0, params, start: 0, end: 1000, autoReleased: new Set() };
}

const bindS = (at: number): Op => ({ op: 'bind', target: { kind: 'local', key: 's' }, value: { kind: 'acquire', ...site(at) }, start: at, end: at + 5 });
const raise = (at: number): Op => ({ op: 'raise', origin: { at, start: at, end: at + 3 } });

test('a leak on an exceptional path is reported at the call the exception comes from', () => {
  // 0 entry -> 1 { s = open(); raise@20 } -exc-> 4 (throw exit); 1 -> 2 { raise@30; release s } -> 3 end exit; 2 -exc-> 4
  const ir = fn([
    node('entry', [1]),
    node('effect', [2], [bindS(10), raise(20)], { exc: 4, anchor: 10 }),
    node('effect', [3], [raise(30), { op: 'release', ref: { key: 's', prefix: null } }], { exc: 4, anchor: 30 }),
    node('exit', [], [], { exit: exit('end', 99) }),
    node('exit', [], [], { exit: exit('throw', 0) }),
  ]);
  const a = new FunctionAnalysis(ir, NONE, 'report');
  a.run();
  const leaks = [...a.leaks.values()];
  // `s` is bound before the call at 20 runs, so that exception is the first that leaks it.
  assert.deepEqual(leaks.map((r) => [r.variable, r.exit.kind, r.origin?.at]), [['s', 'throw', 20]]);
});

test('a resource not yet live at an origin is reported at the first origin where it is', () => {
  // { raise@20; s = open()@25 } then { raise@30 } : the exception at 20 cannot leak s.
  const ir = fn([
    node('entry', [1]),
    node('effect', [2], [raise(20), bindS(25)], { exc: 3, anchor: 20 }),
    node('effect', [4], [raise(30), { op: 'release', ref: { key: 's', prefix: null } }], { exc: 3, anchor: 30 }),
    node('exit', [], [], { exit: exit('throw', 0) }),
    node('exit', [], [], { exit: exit('end', 99) }),
  ]);
  const a = new FunctionAnalysis(ir, NONE, 'report');
  a.run();
  assert.deepEqual([...a.leaks.values()].map((r) => [r.variable, r.origin?.at]), [['s', 30]]);
});

test('catch ends the pending exception and rethrow carries it on', () => {
  // 1 { s = open(); raise@20 } -exc-> 2 catch { catch } -> 3 { rethrow } -exc-> 4 throw exit ; 1 -> 5 end (s closed)
  const ir = fn([
    node('entry', [1]),
    node('effect', [5], [bindS(10), raise(20)], { exc: 2, anchor: 10 }),
    node('effect', [3], [{ op: 'catch' }], { anchor: 40 }),
    node('effect', [], [{ op: 'rethrow' }], { exc: 4, anchor: 50 }, true),
    node('exit', [], [], { exit: exit('throw', 0) }),
    node('effect', [6], [{ op: 'release', ref: { key: 's', prefix: null } }], { anchor: 60 }),
    node('exit', [], [], { exit: exit('end', 99) }),
  ]);
  const a = new FunctionAnalysis(ir, NONE, 'report');
  a.run();
  // The catch cleared the origin: the leak at the throw exit has none (reported at the exit).
  assert.deepEqual([...a.leaks.values()].map((r) => [r.variable, r.exit.kind, r.origin]), [['s', 'throw', null]]);
  assert.equal(a.input[3]?.exc, undefined);
  assert.equal(a.input[4]?.exc, undefined);
});

test('summaries: mayThrow, and a parameter released on every normal path despite an exceptional one', () => {
  // f(p): { raise@20 } -exc-> throw exit; -> { release p } -> end
  const ir = fn([
    node('entry', [1]),
    node('effect', [2], [raise(20)], { exc: 3, anchor: 20 }),
    node('effect', [4], [{ op: 'release', ref: { key: 'p', prefix: null } }], { anchor: 30 }),
    node('exit', [], [], { exit: exit('throw', 0) }),
    node('exit', [], [], { exit: exit('end', 99) }),
  ], ['p']);
  const a = new FunctionAnalysis(ir, NONE, 'summary');
  a.run();
  assert.deepEqual(a.summary(), { releases: [true], escapes: [false], mayThrow: true });
});

test('a scoped release is refused when the resource is used after the region, proven when it is not', () => {
  // 1 { s = open() } (region) -> 2 { uses s } -> 3 end
  const build = (uses: string[]): FunctionIr => fn([
    node('entry', [1]),
    node('effect', [2], [bindS(10)], { anchor: 10 }),
    node('effect', [3], [], { anchor: 20, uses }),
    node('exit', [], [], { exit: exit('end', 99) }),
  ]);
  const used = new FunctionAnalysis(build(['s']), NONE, 'report');
  used.run();
  const refused = proveScopedRelease(used, [1], 1, 's', new Set(), () => 0);
  assert.equal(refused.safe, false);
  const unused = new FunctionAnalysis(build([]), NONE, 'report');
  unused.run();
  assert.equal(proveScopedRelease(unused, [1], 1, 's', new Set(), () => 0).safe, true);
});
