import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solveForward, type Lattice } from './dataflow';

const sets: Lattice<ReadonlySet<string>> = {
  join: (a, b) => new Set([...a, ...b]),
  equals: (a, b) => a.size === b.size && [...a].every((x) => b.has(x)),
};

test('propagates facts around a loop to a fixpoint', () => {
  // 0 -> 1 -> 2 -> 1 (loop), 1 -> 3 (exit). Node 2 adds "x".
  const graph = { entry: 0, succ: [[1], [2, 3], [1], []] };
  const sol = solveForward(graph, new Set<string>(), sets, (node, s) => {
    if (node === 2) return [new Set([...s, 'x'])];
    return (graph.succ[node] ?? []).map(() => s);
  });
  assert.equal(sol.complete, true);
  assert.deepEqual([...(sol.input[3] ?? [])], ['x']);
  assert.deepEqual([...(sol.input[2] ?? [])], ['x']);
});

test('an edge with no state is not taken, so its target stays unreached', () => {
  const graph = { entry: 0, succ: [[1, 2], [], []] };
  const sol = solveForward(graph, new Set<string>(), sets, () => [new Set(['a']), undefined]);
  assert.ok(sol.input[1]);
  assert.equal(sol.input[2], undefined);
});

test('stops at the step limit and reports an incomplete solution', () => {
  // A counter that never converges.
  const graph = { entry: 0, succ: [[0]] };
  const lattice: Lattice<number> = { join: (_a, b) => b, equals: (a, b) => a === b };
  const sol = solveForward(graph, 0, lattice, (_n, s) => [s + 1], { maxSteps: 100 });
  assert.equal(sol.complete, false);
});

test('a lattice with widening settles a value that grows round after round', () => {
  // 0 -> 1 -> 1 (loop): the upper bound of an interval grows by one per round without widening.
  const graph = { entry: 0, succ: [[1], [1]] };
  const intervals: Lattice<[number, number]> = {
    join: (a, b) => [Math.min(a[0], b[0]), Math.max(a[1], b[1])],
    equals: (a, b) => a[0] === b[0] && a[1] === b[1],
  };
  const step = (_n: number, s: [number, number]): [number, number][] => [[s[0], s[1] + 1]];
  assert.equal(solveForward(graph, [0, 0], intervals, step, { maxSteps: 1000 }).complete, false);
  const widening: Lattice<[number, number]> = { ...intervals, widen: (old, m) => [m[0], m[1] > old[1] ? Infinity : m[1]] };
  const sol = solveForward(graph, [0, 0], widening, step, { maxSteps: 1000 });
  assert.equal(sol.complete, true);
  assert.deepEqual(sol.input[1], [0, Infinity]);
});
