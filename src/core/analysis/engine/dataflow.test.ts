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
