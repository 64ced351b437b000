/**
 * The shared control-flow builders (ir/cfg) on a hand-made graph, without a parser: each language's
 * cfg.ts maps its syntax to them, so their edges and edge order are what every language gets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectPreds, type Pred } from '../builder';
import { ExceptionRoutes, type JumpTargetFrame } from './exceptions';
import { FinallyCopies, throughFinallies } from './finally';
import { GotoLabels } from './gotos';
import { catchClauses } from './handlers';
import { ifChain } from './ifChain';
import { arriveAt, findJumpTarget, breakableStatement, type JumpFrame } from './jumps';
import { buildLoop, doWhileLoop, whileLoop } from './loops';
import { declaredFrom, endOfBlock, endOfTreeScope, inScope, ScopeTree } from './scopes';
import { DispatchArms, fallthroughSwitch, type SwitchPart } from './switch';

/** A graph of named nodes; `cond` nodes have a true (0) and a false (1) slot. */
class Graph {
  readonly nodes: { name: string; succ: number[]; cond: boolean; vars: string[] }[] = [];

  add(name: string, cond = false): number {
    this.nodes.push({ name, succ: cond ? [-1, -1] : [], cond, vars: [] });
    return this.nodes.length - 1;
  }

  connect = (preds: readonly Pred[], to: number): void => connectPreds(this.nodes, preds, to);

  /** A node reached from `preds`; returns its open edge. */
  chain(preds: readonly Pred[], name: string): Pred[] {
    const id = this.add(name);
    this.connect(preds, id);
    return [{ from: id, slot: -1 }];
  }

  edges(): string[] {
    return this.nodes.flatMap((n) => n.succ.map((s, i) => `${n.name}${n.cond ? `.${i}` : ''}->${s < 0 ? '?' : this.nodes[s]!.name}`));
  }

  names(preds: readonly Pred[]): string[] {
    return preds.map((p) => `${this.nodes[p.from]!.name}${p.slot >= 0 ? `.${p.slot}` : ''}`);
  }
}

const frame = (label: string | null, loop: boolean, breakable = true, continueTo = -1): JumpFrame => ({ label, loop, breakable, breaks: [], continueTo });

test('ifChain: each arm is tried where the previous condition fails; without an else the last false edge leaves', () => {
  const arms = ['a', 'b', 'c'];
  const build = (withElse: boolean) => {
    const g = new Graph();
    const entry = g.add('entry');
    const out = ifChain<number, string>(0, [{ from: entry, slot: -1 }], {
      condition: (i, preds) => {
        const c = g.add(`if${arms[i]}`, true);
        g.connect(preds, c);
        return { t: [{ from: c, slot: 0 }], f: [{ from: c, slot: 1 }] };
      },
      consequence: (i, t) => g.chain(t, `then${arms[i]}`),
      next: (i) => (i + 1 < arms.length ? { arm: i + 1 } : withElse ? { otherwise: 'else' } : null),
      otherwise: (name, f) => g.chain(f, name),
    });
    return { g, out };
  };
  const plain = build(false);
  assert.deepEqual(plain.g.names(plain.out), ['thena', 'thenb', 'thenc', 'ifc.1']);
  assert.deepEqual(plain.g.edges(), ['entry->ifa', 'ifa.0->thena', 'ifa.1->ifb', 'ifb.0->thenb', 'ifb.1->ifc', 'ifc.0->thenc', 'ifc.1->?']);
  const withElse = build(true);
  assert.deepEqual(withElse.g.names(withElse.out), ['thena', 'thenb', 'thenc', 'else']);
  assert.ok(withElse.g.edges().includes('ifc.1->else'));
});

test('findJumpTarget: unlabelled break takes the innermost breakable frame, continue the innermost loop, a label its own frame', () => {
  const frames = [frame('outer', true), frame(null, false), frame('blk', false, false), { handler: true }];
  const asJump = (f: JumpFrame | { handler: boolean }): JumpFrame | null => ('handler' in f ? null : f);
  assert.equal(findJumpTarget(frames, true, null, asJump), 1);
  assert.equal(findJumpTarget(frames, false, null, asJump), 0);
  assert.equal(findJumpTarget(frames, true, 'blk', asJump), 2);
  assert.equal(findJumpTarget(frames, false, 'blk', asJump), -1, 'continue needs a loop label');
  assert.equal(findJumpTarget(frames, false, 'outer', asJump), 0);
  assert.equal(findJumpTarget(frames, true, 'missing', asJump), -1);
  assert.equal(findJumpTarget([], true, null, asJump), -1);
});

test('arriveAt: a break joins the frame\'s exits, a continue goes to its continue target', () => {
  const g = new Graph();
  const head = g.add('head');
  const b = g.add('break');
  const c = g.add('continue');
  const f = frame(null, true, true, head);
  arriveAt(f, true, [{ from: b, slot: -1 }], g.connect);
  arriveAt(f, false, [{ from: c, slot: -1 }], g.connect);
  assert.deepEqual(g.names(f.breaks), ['break']);
  assert.deepEqual(g.edges(), ['continue->head']);
});

test('breakableStatement: its breaks leave it after the ends of its body', () => {
  const g = new Graph();
  const entry = g.add('entry');
  const frames: JumpFrame[] = [];
  const f = frame('l', false, false);
  const out = breakableStatement(frames, f, () => {
    assert.equal(frames.length, 1);
    f.breaks.push(...g.chain([{ from: entry, slot: -1 }], 'break'));
    return g.chain([{ from: entry, slot: -1 }], 'body');
  });
  assert.equal(frames.length, 0);
  assert.deepEqual(g.names(out), ['body', 'break']);
});

/** A graph `entry -> cond`, `cond` a two-way node. */
function loopHead(): { g: Graph; c: number } {
  const g = new Graph();
  const entry = g.add('entry');
  const c = g.add('cond', true);
  g.connect([{ from: entry, slot: -1 }], c);
  return { g, c };
}

test('buildLoop: the body ends at the continue target; the exits come before the breaks', () => {
  const { g, c } = loopHead();
  const frames: JumpFrame[] = [];
  const f = frame(null, true, true, c);
  let exitsAsked = false;
  const out = buildLoop(frames, f, g.connect, () => {
    assert.deepEqual(frames, [f]);
    const body = g.chain([{ from: c, slot: 0 }], 'body');
    f.breaks.push(...g.chain(body, 'break'));
    return g.chain(body, 'tail');
  }, () => {
    exitsAsked = true;
    assert.deepEqual(g.nodes[g.nodes.length - 1]!.succ, [c], 'exits are built once the body is closed');
    return [{ from: c, slot: 1 }];
  });
  assert.ok(exitsAsked);
  assert.equal(frames.length, 0);
  assert.deepEqual(g.names(out), ['cond.1', 'break']);
  assert.deepEqual(g.edges(), ['entry->cond', 'cond.0->body', 'cond.1->?', 'body->break', 'body->tail', 'tail->cond']);
});

test('whileLoop: the body from the true edge, back to the continue target; the false edge and breaks leave', () => {
  const { g, c } = loopHead();
  const update = g.add('update');
  g.connect([{ from: update, slot: -1 }], c);
  const frames: JumpFrame[] = [];
  const f = frame(null, true, true, update);
  const out = whileLoop(frames, f, g.connect, c, (preds) => {
    const body = g.chain(preds, 'body');
    f.breaks.push(...g.chain(body, 'break'));
    return body;
  });
  assert.deepEqual(g.names(out), ['cond.1', 'break']);
  assert.deepEqual(g.edges(), ['entry->cond', 'cond.0->body', 'cond.1->?', 'update->cond', 'body->break', 'body->update']);
});

test('doWhileLoop: the body runs first from the join node; the true edge goes back to it, continue to the condition', () => {
  const g = new Graph();
  const start = g.add('start');
  const c = g.add('cond', true);
  const frames: JumpFrame[] = [];
  const f = frame(null, true, true, c);
  const out = doWhileLoop(frames, f, g.connect, start, (preds) => {
    assert.deepEqual(g.names(preds), ['start']);
    return g.chain(preds, 'body');
  });
  assert.deepEqual(g.names(out), ['cond.1']);
  assert.deepEqual(g.edges(), ['start->body', 'cond.0->start', 'cond.1->?', 'body->cond']);
});

test('fallthroughSwitch: a case group falls into the next, a rule leaves, no default keeps the dispatch edge', () => {
  const run = (parts: [string, SwitchPart][], hasDefault: boolean) => {
    const g = new Graph();
    const sw = g.add('sw');
    const breaks: Pred[] = [];
    const out = fallthroughSwitch(sw, parts, breaks, {
      connect: g.connect,
      join: () => g.add('join'),
      part: (p) => p[1],
      body: (p, preds) => g.chain(preds, p[0]),
      hasDefault: () => hasDefault,
    });
    return { g, out };
  };
  const a = run([['pre', 'statement'], ['c1', 'case'], ['x', 'skip'], ['c2', 'case']], false);
  // A statement before the first case is reached only by falling into it (from nowhere), and falls into that case.
  assert.deepEqual(a.g.edges(), ['sw->join', 'sw->join', 'pre->join', 'join->c1', 'c1->join', 'join->c2']);
  assert.deepEqual(a.g.names(a.out), ['c2', 'sw']);
  const b = run([['r1', 'rule'], ['r2', 'rule']], true);
  assert.deepEqual(b.g.names(b.out), ['r1', 'r2']);
  assert.deepEqual(b.g.edges(), ['sw->join', 'sw->join', 'join->r1', 'join->r2']);
});

test('DispatchArms: every arm is entered from the dispatch, and from the fallthrough of the arm before', () => {
  const g = new Graph();
  const d = g.add('dispatch');
  const arms = new DispatchArms();
  const out = arms.build(d, ['a', 'b', 'c'], (name, preds) => {
    const end = g.chain(preds, name);
    if (name === 'a') {
      arms.fallthrough(end);
      return [];
    }
    return end;
  });
  assert.deepEqual(g.names(out), ['b', 'c']);
  assert.deepEqual(g.edges(), ['dispatch->a', 'dispatch->b', 'dispatch->c', 'a->b']);
  arms.fallthrough([{ from: d, slot: -1 }]); // outside any arm: ignored
  assert.deepEqual(g.edges().length, 4);
});

test('catchClauses: every clause is entered from the handler entry; their ends in order', () => {
  const g = new Graph();
  const h = g.add('handler');
  const out = catchClauses(h, ['e1', 'e2', 'none'], (c, preds) => (c === 'none' ? [] : g.chain(preds, c)));
  assert.deepEqual(g.names(out), ['e1', 'e2']);
  assert.deepEqual(g.edges(), ['handler->e1', 'handler->e2']);
});

test('GotoLabels: a goto before or after its label reaches it; it leaves the scopes the label is not in', () => {
  const g = new Graph();
  const labels = new GotoLabels(() => g.add('label'), g.connect);
  const fnScope = { id: 0, vars: ['p'] };
  const inner = { id: 1, vars: ['fd'] };
  const other = { id: 2, vars: ['x', 'y'] };
  const early = g.add('goto1');
  labels.jump(early, 'out', [fnScope, inner]);
  inner.vars.push('late'); // declared after the goto: not left by it
  const start = g.add('start');
  const after = labels.define('out', [{ from: start, slot: -1 }], [fnScope, other]);
  const late = g.add('goto2');
  labels.jump(late, 'out', [fnScope, other]);
  const dying = new Map<string, string[]>();
  labels.resolve((n, vars) => dying.set(g.nodes[n]!.name, vars));
  assert.deepEqual(dying.get('goto1'), ['fd'], 'the function scope never dies; `late` came after the goto');
  assert.deepEqual(dying.get('goto2'), [], 'a goto inside the label\'s scope leaves nothing');
  assert.deepEqual(g.edges(), ['goto1->label', 'start->label', 'goto2->label']);
  assert.deepEqual(g.names(after), ['label']);
});

test('FinallyCopies: one copy per kind of abrupt path, in the order first reached, routed by kind', () => {
  const g = new Graph();
  const a = g.add('a');
  const b = g.add('b');
  const copies = new FinallyCopies<'exc' | 'ret'>();
  copies.pend('ret', [{ from: a, slot: -1 }]);
  copies.pend('exc', [{ from: b, slot: -1 }]);
  copies.pend('ret', [{ from: b, slot: -1 }]);
  const routed: string[] = [];
  copies.replay((preds) => g.chain(preds, 'finally'), (kind, after) => routed.push(`${kind}:${g.names(after).join()}`));
  assert.deepEqual(routed, ['ret:finally', 'exc:finally']);
  assert.deepEqual(g.edges(), ['a->finally', 'b->finally', 'b->finally']);
  assert.equal(g.nodes.filter((n) => n.name === 'finally').length, 2);
});

test('throughFinallies: innermost first, each copy built with only the frames outside it', () => {
  const g = new Graph();
  const start = g.add('jump');
  type F = { name: string; fin: boolean };
  let frames: F[] = [{ name: 'f0', fin: true }, { name: 'loop', fin: false }, { name: 'f2', fin: true }, { name: 'f3', fin: true }];
  const seen: string[] = [];
  const stack = { get: () => frames, set: (f: F[]) => { frames = f; } };
  const out = throughFinallies(stack, 1, [{ from: start, slot: -1 }], (f) => (f.fin ? (preds: Pred[]) => {
    seen.push(`${f.name}@${frames.length}`);
    return g.chain(preds, f.name);
  } : null));
  assert.deepEqual(seen, ['f3@3', 'f2@2'], 'frames at or below the target keep their finally');
  assert.equal(frames.length, 4, 'the stack is restored');
  assert.deepEqual(g.names(out), ['f2']);
  const stop = throughFinallies(stack, -1, [{ from: start, slot: -1 }], (f) => (f.name === 'f3' ? () => [] : f.fin ? (p: Pred[]) => g.chain(p, 'never') : null));
  assert.deepEqual(stop, [], 'a copy that does not complete ends the path');
  assert.equal(g.nodes.some((n) => n.name === 'never'), false);
});

test('scopes: a jump leaves the variables of the scopes from its depth; a block end kills its own where reached', () => {
  const scopes = [{ vars: ['a'] }, { vars: ['b', 'c'] }, { vars: [] }, { vars: ['d'] }];
  assert.deepEqual(declaredFrom(scopes, 1), ['b', 'c', 'd']);
  assert.deepEqual(declaredFrom(scopes, 4), []);
  const g = new Graph();
  const n = g.add('stmt');
  const chain = (out: Pred[]) => g.chain(out, 'scope');
  assert.deepEqual(endOfBlock(g.nodes, { vars: [] }, [{ from: n, slot: -1 }], chain), [{ from: n, slot: -1 }]);
  assert.deepEqual(endOfBlock(g.nodes, { vars: ['x'] }, [], chain), []);
  assert.equal(g.nodes.length, 1, 'no scope node where nothing dies or the end is not reached');
  assert.deepEqual(g.names(endOfBlock(g.nodes, { vars: ['x'] }, [{ from: n, slot: -1 }], chain)), ['scope']);
  assert.deepEqual(g.nodes[1]!.vars, ['x']);
  const open: { vars: string[] }[] = [{ vars: [] }];
  const inner = { vars: ['y'] };
  assert.equal(inScope(open, inner, () => open.length), 2);
  assert.throws(() => inScope(open, inner, () => {
    throw new Error('deep');
  }));
  assert.equal(open.length, 1, 'the scope is closed however the build ends');
});

/** ExceptionRoutes over the test graph: scope nodes named `dies:<vars>`, join nodes `join`, exits `throw`. */
function routes(g: Graph, open: { vars: string[] }[]): ExceptionRoutes<string[]> {
  return new ExceptionRoutes<string[]>({
    connect: g.connect,
    join: () => g.add('join'),
    dying: (depth) => declaredFrom(open, depth),
    dyingNode: (vars) => g.add(`dies:${vars.join('+')}`),
    throwExit: () => g.add('throw'),
    reached: (id) => g.nodes.some((n) => n.succ.includes(id)),
  });
}

test('ExceptionRoutes: an exception goes to the innermost catch or finally, through one node per set of dying variables, else to one shared exit', () => {
  const g = new Graph();
  const open = [{ vars: ['p'] }];
  const r = routes(g, open);
  assert.equal(r.excTarget(), r.excTarget(), 'one shared exit');
  assert.equal(g.nodes.filter((n) => n.name === 'throw').length, 1);
  const own = r.excTarget(true);
  assert.notEqual(own, r.throwExit, 'an exit of its own');
  const out = r.handled(['IOException'], ['c1', 'c2'], 1, () => {
    open.push({ vars: ['a'] });
    r.frames.push({ kind: 'jump', label: null, loop: true, breakable: true, breaks: [], continueTo: -1, scopeDepth: 2 });
    const t = r.excTarget();
    assert.equal(r.excTarget(), t, 'the dying node is made once per set');
    assert.equal(g.nodes[t]!.name, 'dies:a', 'a jump frame is no handler; the try\'s own scope dies');
    r.frames.pop();
    open.pop();
    return g.chain([{ from: t, slot: -1 }], 'body');
  }, (c, preds) => g.chain(preds, c));
  assert.deepEqual(g.names(out), ['body', 'c1', 'c2']);
  assert.ok(g.edges().includes('dies:a->join') && g.edges().includes('join->c1') && g.edges().includes('join->c2'));
});

test('ExceptionRoutes.routeSome: handlers that do not take the exception are passed; a finally on the way is its first stop', () => {
  const g = new Graph();
  const r = routes(g, []);
  r.frames.push({ kind: 'handler', entry: g.add('outer'), scopeDepth: 0, cache: new Map(), catches: ['NumberFormatException'] });
  r.frames.push({ kind: 'finally', build: (p) => p, entry: g.add('fin'), scopeDepth: 0, cache: new Map() });
  r.frames.push({ kind: 'handler', entry: g.add('inner'), scopeDepth: 0, cache: new Map(), catches: ['IOException'] });
  const nfe = r.routeSome((c) => c.includes('NumberFormatException'));
  assert.deepEqual([g.nodes[nfe.target]!.name, nfe.escapes], ['fin', false]);
  const npe = r.routeSome((c) => c.includes('NullPointerException'));
  assert.deepEqual([g.nodes[npe.target]!.name, npe.escapes], ['fin', true]);
  r.frames.splice(1);
  const none = r.routeSome(() => false);
  assert.deepEqual([g.nodes[none.target]!.name, none.escapes], ['throw', true]);
});

test('ExceptionRoutes.guarded: a normal copy, and an exceptional copy that rethrows only where an exception reached the block', () => {
  const run = (throws: boolean) => {
    const g = new Graph();
    const r = routes(g, []);
    const entry = g.add('entry');
    const rethrown: string[][] = [];
    const out = r.guarded((p) => g.chain(p, 'fin'), 0, () => {
      const s = g.chain([{ from: entry, slot: -1 }], 'stmt');
      if (throws) g.connect([{ from: s[0]!.from, slot: -1 }], r.excTarget());
      return s;
    }, (after) => rethrown.push(g.names(after)));
    return { g, out, rethrown, r };
  };
  const quiet = run(false);
  assert.deepEqual(quiet.g.names(quiet.out), ['fin']);
  assert.deepEqual(quiet.rethrown, [], 'no exception reached the finally: no exceptional copy');
  const loud = run(true);
  assert.deepEqual(loud.rethrown, [['fin']]);
  assert.equal(loud.g.nodes.filter((n) => n.name === 'fin').length, 2);
  assert.equal(loud.r.frames.length, 0, 'the frame is closed');
});

test('ExceptionRoutes.throughFinally: a jump out of a guarded block runs its copy; jumpTarget takes only jump frames', () => {
  const g = new Graph();
  const r = routes(g, []);
  const loop: JumpTargetFrame = { kind: 'jump', label: 'outer', loop: true, breakable: true, breaks: [], continueTo: -1, scopeDepth: 0 };
  r.frames.push(loop);
  r.guarded((p) => g.chain(p, 'fin'), 0, () => {
    const at = r.jumpTarget(true, 'outer');
    assert.equal(at, 0);
    assert.equal(r.jumpTarget(false, 'other'), -1);
    loop.breaks.push(...r.throughFinally(g.chain([], 'break'), at));
    return [];
  }, () => assert.fail('nothing throws'));
  assert.deepEqual(g.names(loop.breaks), ['fin']);
});

test('ScopeTree: scopes get ids in creation order and their parents; a jump leaves the open ones that declared something', () => {
  const tree = new ScopeTree();
  assert.equal(tree.push(), 0);
  tree.declare(['p']);
  assert.equal(tree.push(), 1);
  assert.equal(tree.push(), 2);
  tree.declare(['x', 'x', 'y']);
  assert.deepEqual([tree.current, tree.depth], [2, 3]);
  assert.deepEqual(tree.declaringFrom(1), [2], 'scope 1 declared nothing');
  assert.deepEqual(tree.declaringFrom(0), [0, 2]);
  assert.equal(tree.pop(), 2);
  assert.equal(tree.push(), 3);
  assert.deepEqual(tree.parent, [-1, 0, 1, 1]);
  assert.deepEqual(tree.declared.map((d) => [...d]), [['p'], [], ['x', 'y'], []]);
});

test('endOfTreeScope: a scope node where the scope declared something and its end is reached', () => {
  const g = new Graph();
  const nodes: { scopes: number[] }[] = [];
  const chain = (out: Pred[]): Pred[] => {
    const after = g.chain(out, 'scope');
    nodes[after[0]!.from] = { scopes: [] };
    return after;
  };
  const n = g.add('stmt');
  nodes.push({ scopes: [] });
  const tree = new ScopeTree();
  tree.push();
  tree.push();
  assert.deepEqual(endOfTreeScope(tree, nodes, [{ from: n, slot: -1 }], chain), [{ from: n, slot: -1 }], 'nothing declared');
  tree.push();
  tree.declare(['c']);
  assert.deepEqual(endOfTreeScope(tree, nodes, [], chain), [], 'end not reached');
  assert.equal(g.nodes.length, 1);
  tree.push();
  tree.declare(['d']);
  const out = endOfTreeScope(tree, nodes, [{ from: n, slot: -1 }], chain);
  assert.deepEqual(g.names(out), ['scope']);
  assert.deepEqual(nodes[out[0]!.from]!.scopes, [3]);
  assert.equal(tree.depth, 1, 'every end closed its scope');
});
