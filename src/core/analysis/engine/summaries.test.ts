import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileOverlay, SummaryResolver, SummaryStore, UnitTable, lazyUnit, type FunctionUnit } from './summaries';
import type { Summary } from './analysis';

const unit = (name: string, file: string, visible = true): FunctionUnit => ({ name, file, visible });

test('a unit table gives a call its own file\'s definition, else the visible ones; replacing a file\'s units forgets the old ones', () => {
  const t = new UnitTable();
  const aOpen = unit('open_conn', 'a.c');
  const bOpen = unit('open_conn', 'b.c');
  const cOpen = unit('open_conn', 'c.c', false);
  t.replace([], [aOpen, bOpen, cOpen]);
  assert.deepEqual(t.candidates('open_conn', 'a.c'), [aOpen]);
  assert.deepEqual(t.candidates('open_conn', 'd.c'), [aOpen, bOpen]);
  assert.equal(t.unitIn('c.c', 'open_conn'), cOpen);
  const bNew = unit('open_conn', 'b.c');
  t.replace([bOpen], [bNew]);
  assert.deepEqual(t.candidates('open_conn', 'd.c'), [aOpen, bNew]);
  t.replace([aOpen, bNew, cOpen], []);
  assert.deepEqual(t.candidates('open_conn', 'd.c'), []);
});

test('a file overlay puts the file\'s own units over the workspace\'s and asks the table where the workspace has none', () => {
  const t = new UnitTable();
  const oldMine = unit('helper', 'mine.c');
  const other = unit('helper', 'other.c');
  t.replace([], [oldMine, other]);
  const base = { version: 'w1', candidates: (name: string, file: string) => t.candidates(name, file) };
  const current = unit('helper', 'mine.c');
  const closes: Summary = { releases: [true], escapes: [false] };
  const overlay = new FileOverlay(base, 'mine.c', (name) => (name === 'helper' ? current : undefined), (name) => (name === 'close' ? closes : undefined));
  assert.deepEqual(overlay.candidates('helper', 'mine.c'), [current]);
  // From another file: the other file's visible definition and the overlay's current one, not the stale one.
  assert.deepEqual(overlay.candidates('helper', 'third.c'), [other, current]);
  assert.equal(overlay.tableSummary('close'), closes);
  assert.equal(overlay.tableSummary('helper'), undefined);
  assert.notEqual(new FileOverlay(base, 'mine.c', () => undefined, () => undefined).version, overlay.version);
});

test('a lazy unit lowers once, and one whose lowering fails throws the same failure again without lowering again', () => {
  let calls = 0;
  const failing = lazyUnit('f', 'a.c', true, { calls: [], acquires: false }, () => {
    calls++;
    throw new Error('cannot lower');
  });
  assert.throws(() => failing.ir, /cannot lower/);
  assert.throws(() => failing.ir, /cannot lower/);
  assert.equal(calls, 1);
  const ir = { nodes: [], entry: 0, params: [], start: 0, end: 0, autoReleased: [] } as unknown as NonNullable<FunctionUnit['ir']>;
  let lowered = 0;
  const ok = lazyUnit('g', 'a.c', false, { calls: ['h'], acquires: true }, () => {
    lowered++;
    return ir;
  });
  assert.equal(ok.ir, ir);
  assert.equal(ok.ir, ir);
  assert.equal(lowered, 1);
  assert.deepEqual([ok.calls, ok.acquires, ok.visible], [['h'], true, false]);
});

test('mayAcquire remembers "yes" for every unit on the way to the acquisition, and "no" for every unit of a search that found none', () => {
  const t = new UnitTable();
  const calls = (name: string, callees: string[], acquires = false): FunctionUnit => ({ name, file: 'a.c', visible: true, calls: callees, acquires });
  // top → middle → opener (calls socket); middle also calls a pure helper; side → pure.
  const top = calls('top', ['middle']);
  const middle = calls('middle', ['pure', 'opener']);
  const opener = calls('opener', [], true);
  const pure = calls('pure', []);
  const side = calls('side', ['pure']);
  t.replace([], [top, middle, opener, pure, side]);
  const store = new SummaryStore();
  const resolver = new SummaryResolver({ version: 'w1', candidates: (name, file) => t.candidates(name, file) }, store);
  assert.equal(resolver.mayAcquire('top', 'a.c'), true);
  // The chain to the acquisition says yes (the next query from any of them stops at once).
  for (const u of [top, middle, opener]) assert.deepEqual(store.mayAcquire.get(u), { version: 'w1', value: true }, u.name);
  assert.equal(resolver.mayAcquire('side', 'a.c'), false);
  for (const u of [side, pure]) assert.deepEqual(store.mayAcquire.get(u), { version: 'w1', value: false }, u.name);
  // Answers from memory are the same as fresh ones.
  const fresh = new SummaryResolver({ version: 'w1', candidates: (name, file) => t.candidates(name, file) });
  for (const name of ['top', 'middle', 'opener', 'pure', 'side']) assert.equal(resolver.mayAcquire(name, 'a.c'), fresh.mayAcquire(name, 'a.c'), name);
});
