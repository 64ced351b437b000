import type { Node } from 'web-tree-sitter';
import {
  EMPTY_PROGRAM, NO_GUARD, type AcquireSite, type Exit, type ExitKind, type FunctionIr, type Guard, type IrNode, type IrNodeKind, type Op, type Value,
} from '../../ir/ir';
import type { EdgeKind, PyCfg, PyNode } from './cfg';
import { trackedKey } from './closeMethod';
import { flagFactPrograms } from './flagFacts';
import type { AcquisitionSite, Effects, Event } from './effects';
import { identifiersIn, named, strip, walk } from './syntax';

/**
 * Lowers a Python function's CFG (./cfg) to the shared IR, once, so that the engine's dataflow never
 * touches the syntax tree. A Python node's edges do not all carry the same state: the exceptional
 * edge leaves before the statement's effects (keeping only hand-offs to callees), a `for`'s body
 * edge also binds the loop target. So each node becomes a small IR subgraph: its head (same index
 * as the Python node) splits into the exceptional branch and the effects, and the loop binding gets
 * a node of its own. The three shared exits of the Python CFG become one IR exit per place a leak
 * is reported: each return, each call or `raise` whose exception leaves the function, the
 * `finally` that re-raises or returns, and the end of the function.
 */

export interface PyIr {
  readonly ir: FunctionIr;
  /** For each IR node: the Python CFG node it was lowered from (-1 for exits). */
  readonly origin: readonly number[];
  /** For each Python CFG node: the IR node of its exceptional branch, if it has one. */
  readonly excBranch: ReadonlyMap<number, number>;
}

const MAX_GUARD_DEPTH = 16;
const TUPLE_TARGETS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'expression_list']);

interface MutableNode {
  kind: IrNodeKind;
  succ: number[];
  ops: Op[];
  guard: Guard;
  constant: number | null;
  exit: Exit | null;
  dying: string[];
  anchor: number;
  reads: string[];
}

export class PyLowering {
  private readonly nodes: MutableNode[] = [];
  private readonly origin: number[] = [];
  private readonly exits = new Map<string, number>();
  private readonly excBranch = new Map<number, number>();
  /** Python CFG node → the IR node running its effects; IR cond node → its condition (for ./flagFacts). */
  private readonly mainOf = new Map<number, number>();
  private readonly conditions = new Map<number, Node>();
  private finallyClauses: Node[] | null = null;
  /** Names an acquisition proves truthy (`open(path)` succeeded: `path` is no empty string or None), see `truthyStatus`. */
  private truthy: Set<string> | null = null;
  /** `flag = True` statements (by offset) right after an acquisition: the flag is its status (see `truthyStatus`). */
  private readonly flags = new Map<number, { name: string; acquisition: number }>();

  constructor(
    private readonly cfg: PyCfg,
    private readonly effects: Effects,
    /** The function (or module), its body, and its parameter names. */
    private readonly text: string,
    private readonly scope: Node,
    private readonly body: Node,
    private readonly params: readonly string[],
    /** At a module's top level leaving the module loses nothing: globals live on. */
    private readonly moduleLevel: boolean,
  ) {}

  lower(): PyIr {
    const py = this.cfg.nodes;
    for (let i = 0; i < py.length; i++) this.push('noop', i, py[i]!.ast);
    for (let i = 0; i < py.length; i++) if (py[i]!.kind !== 'exit') this.node(i, py[i]!);
    // Flags tested twice or set and tested (`err = None` … `while not err:`) correlate branches (./flagFacts).
    const facts = this.moduleLevel ? null : flagFactPrograms(this.cfg, this.body, this.nodes.length, { origin: this.origin, main: this.mainOf, conditions: this.conditions });
    const nodes: IrNode[] = this.nodes.map((n, i) => {
      const fp = facts?.[i];
      // A pass-through node that changes what is known of a flag runs it as an effect.
      const kind = fp && n.kind === 'noop' ? 'effect' : n.kind;
      const program = n.ops.length || n.guard !== NO_GUARD || n.constant !== null || fp
        ? { ops: n.ops, guard: n.guard, constant: n.constant, noReturn: false, ...(fp ? { facts: fp } : {}) } : EMPTY_PROGRAM;
      return { kind, succ: n.succ, exit: n.exit, dying: n.dying, anchor: n.anchor, reads: n.reads, program };
    });
    const ir: FunctionIr = { nodes, entry: this.cfg.entry, params: this.params, start: this.scope.startIndex, end: this.scope.endIndex, autoReleased: new Set() };
    return { ir, origin: this.origin, excBranch: this.excBranch };
  }

  private push(kind: IrNodeKind, origin: number, ast: Node | null): number {
    this.nodes.push({ kind, succ: [], ops: [], guard: NO_GUARD, constant: null, exit: null, dying: [], anchor: ast ? ast.startIndex : -1, reads: [] });
    this.origin.push(origin);
    return this.nodes.length - 1;
  }

  private node(id: number, n: PyNode): void {
    const head = this.nodes[id]!;
    const normal: { edge: EdgeKind; to: number }[] = [];
    let exc: { edge: EdgeKind; to: number } | null = null;
    for (let i = 0; i < n.edges.length; i++) {
      const edge = n.edges[i]!;
      const to = n.succ[i] ?? -1;
      if (to < 0) continue;
      if (edge === 'exc' || edge === 'raise') exc = { edge, to };
      else normal.push({ edge, to });
    }
    let main = head;
    let mainId = id;
    if (exc) {
      const { edge, to } = exc;
      const branch = this.push('effect', id, n.ast);
      this.excBranch.set(id, branch);
      const b = this.nodes[branch]!;
      // An exception that reaches handlers of this function (also through an `uncaught` node, ./cfg) is caught there.
      const toKind = this.cfg.nodes[to]?.kind;
      if (edge === 'exc') b.ops.push(...this.ops(this.effects.early(n, toKind === 'caught' || toKind === 'uncaught'), n, false));
      b.succ.push(this.target(n, edge, to));
      if (normal.length) {
        mainId = this.push('noop', id, n.ast);
        main = this.nodes[mainId]!;
        head.succ.push(mainId, branch);
      } else {
        head.succ.push(branch);
        return;
      }
    }
    const targets = normal.map((e) => this.target(n, e.edge, e.to));
    this.mainOf.set(id, mainId);
    switch (n.kind) {
      case 'entry': {
        main.kind = mainId === id ? 'entry' : 'noop';
        const owned = this.effects.ownedAttributes;
        if (!owned) {
          main.succ.push(...targets);
          return;
        }
        // A close method holds the attributes it closes from its entry (./closeMethod): each is bound
        // there to a resource located at the call that closes it.
        const held = this.push('effect', id, null);
        for (const [key, call] of owned.keys) {
          const site: AcquireSite = { start: call.startIndex, end: call.endIndex, call: key, resource: 'socket', validity: 'pointer', alwaysValid: false };
          this.nodes[held]!.ops.push({ op: 'bind', target: { kind: 'local', key }, value: { kind: 'acquire', ...site }, start: call.startIndex, end: call.endIndex });
        }
        this.nodes[held]!.succ.push(...targets);
        main.succ.push(held);
        return;
      }
      case 'cond': {
        const events = this.effects.of(n);
        main.ops.push(...this.ops(events, n, false));
        if (targets.length === 2) {
          main.kind = 'cond';
          main.guard = this.guard(n.ast, events, 0);
          if (n.ast) this.conditions.set(mainId, n.ast);
        } else main.kind = 'effect';
        main.succ.push(...targets);
        return;
      }
      case 'for': {
        const events = this.effects.of(n);
        const withTarget = this.effects.of(n, true);
        main.kind = 'effect';
        main.ops.push(...this.ops(events, n, false));
        const bind = this.push('effect', id, n.ast);
        this.nodes[bind]!.ops.push(...this.ops(withTarget.slice(events.length), n, false));
        for (let i = 0; i < normal.length; i++) {
          if (normal[i]!.edge !== 'body') {
            main.succ.push(targets[i]!);
          } else {
            this.nodes[bind]!.succ.push(targets[i]!);
            main.succ.push(bind);
          }
        }
        return;
      }
      case 'return': {
        main.kind = 'effect';
        main.ops.push(...this.ops(this.effects.of(n), n, true));
        // A release may not go before a return that still reads the resource.
        const value = n.ast ? named(n.ast)[0] : undefined;
        if (value) head.reads = main.reads = [...new Set(identifiersIn(value).map((x) => x.text))];
        main.succ.push(...targets);
        return;
      }
      default: {
        const ast = n.ast;
        if (n.kind === 'stmt' && ast?.type === 'delete_statement') {
          // `del s` drops the name: the resource only it held is lost here (del does not close it).
          main.kind = 'scope';
          main.dying = this.effects.of(n).filter((e) => e.t === 'drop').map((e) => e.v);
          main.exit = { kind: 'block', start: ast.startIndex, end: ast.endIndex, id: `del:${ast.startIndex}` };
          main.succ.push(...targets);
          return;
        }
        main.kind = ast && n.kind !== 'caught' ? 'effect' : 'noop';
        if (ast && n.kind !== 'caught') main.ops.push(...this.ops(this.effects.of(n), n, false));
        main.succ.push(...targets);
      }
    }
  }

  /** The IR node an edge of `from` goes to: the node itself, or the exit this edge leaves by. */
  private target(from: PyNode, edge: EdgeKind, to: number): number {
    const t = this.cfg.nodes[to]!;
    if (t.kind !== 'exit') return to;
    const ast = from.ast;
    if (t.exit === 'end') {
      const last = this.lastLine();
      return this.exitNode('end', last.start, last.end, 'end');
    }
    const kind: ExitKind = t.exit === 'return' ? 'return' : 'throw';
    // Where the path began to leave: the raising call, the `raise` or `return` (also through `with` blocks).
    const origin = edge === 'exc' ? from.raiser : edge === 'raise' || edge === 'ret' ? ast : from.leaving;
    if (origin) {
      const unlikely = kind === 'throw' && this.effects.unlikely(origin);
      return this.exitNode(kind, origin.startIndex, origin.endIndex, `${kind === 'return' ? 'ret' : 'throw'}:${origin.startIndex}`, unlikely);
    }
    // Left a `finally` block that re-raises or completes a return.
    const fin = ast ? this.finallyAround(ast) : null;
    if (fin) {
      const kw = fin.child(0) ?? fin;
      return this.exitNode(kind, kw.startIndex, kw.endIndex, `${kind}:finally:${fin.startIndex}`);
    }
    const last = this.lastLine();
    return this.exitNode(kind, last.start, last.end, `${kind}:end`);
  }

  private exitAt(kind: ExitKind, start: number, end: number, id: string, unlikely: boolean): Exit | null {
    return this.moduleLevel ? null : { kind, start, end, id, ...(unlikely ? { unlikely } : {}) };
  }

  private exitNode(kind: ExitKind, start: number, end: number, id: string, unlikely = false): number {
    let n = this.exits.get(id);
    if (n === undefined) {
      n = this.push('exit', -1, null);
      const node = this.nodes[n]!;
      node.exit = this.exitAt(kind, start, end, id, unlikely);
      node.anchor = start;
      this.exits.set(id, n);
    }
    return n;
  }

  /** The body's last line, from its first non-blank character: where "the end of the function" is reported. */
  private lastLine(): { start: number; end: number } {
    const end = this.body.endIndex;
    let start = end;
    while (start > 0 && this.text[start - 1] !== '\n' && this.text[start - 1] !== '\r') start--;
    while (start < end && (this.text[start] === ' ' || this.text[start] === '\t')) start++;
    return { start, end };
  }

  /** The innermost `finally` clause holding `n`. */
  private finallyAround(n: Node): Node | null {
    this.finallyClauses ??= this.body.descendantsOfType('finally_clause').filter((x): x is Node => !!x);
    let best: Node | null = null;
    for (const f of this.finallyClauses) {
      if (f.startIndex <= n.startIndex && n.endIndex <= f.endIndex && (!best || f.startIndex >= best.startIndex)) best = f;
    }
    return best;
  }

  /** The operations of a node's events, in evaluation order. */
  private ops(events: readonly Event[], n: PyNode, returning: boolean): Op[] {
    const out: Op[] = [];
    for (const e of events) {
      const ref = { key: e.v, prefix: null };
      switch (e.t) {
        case 'release':
          out.push({ op: 'release', ref });
          break;
        case 'escape':
          out.push(returning && !e.early ? { op: 'returned', refs: [ref] } : { op: 'escape', ref });
          break;
        case 'acquire': {
          out.push({ op: 'bind', target: { kind: 'local', key: e.v }, value: { kind: 'acquire', ...acquireSite(e.site) }, ...span(e.site.statement ?? e.site.call) });
          const path = this.effects.truthyWhenAcquired(e.site);
          if (path !== null && this.truthyStatus().has(path)) {
            out.push({ op: 'bind', target: { kind: 'local', key: path }, value: { kind: 'status', start: acquireSite(e.site).start }, ...span(e.site.call) });
          }
          break;
        }
        case 'hold':
          out.push({ op: 'bind', target: { kind: 'local', key: e.holder }, value: { kind: 'var', key: e.v }, ...span(n.ast ?? this.body) });
          break;
        case 'alias':
          out.push({ op: 'bind', target: { kind: 'local', key: e.v }, value: { kind: 'var', key: e.from }, ...span(e.at) });
          break;
        case 'derive':
          out.push({ op: 'bind', target: { kind: 'local', key: e.v }, value: { kind: 'join', keys: e.from, invalid: false }, ...span(e.at) });
          break;
        case 'drop': {
          // A `for` target is bound at the target; other statements bind where they are.
          const at = n.kind === 'for' ? (n.ast?.childForFieldName('left') ?? e.at) : e.at;
          this.truthyStatus();
          const flag = this.flags.get(e.at.startIndex);
          const value: Value = flag && flag.name === e.v ? { kind: 'status', start: flag.acquisition } : { kind: 'other' };
          out.push({ op: 'bind', target: { kind: 'local', key: e.v }, value, ...span(at) });
          break;
        }
      }
    }
    return out;
  }

  /**
   * Local names (not parameters, never holding a resource) that a successful `open(name)` proves truthy:
   * after it, `name` is bound as the acquisition's status, so that `while not name:` / `if not name:`
   * tell whether the file was opened (`while files and not current: current = files.pop(0); f = open(current)`).
   * A status is zero on success: guards on these names are lowered with the comparison reversed.
   */
  private truthyStatus(): Set<string> {
    if (this.truthy) return this.truthy;
    const paths = new Set<string>();
    const resources = new Set<string>();
    for (const n of this.cfg.nodes) {
      for (const e of [...this.effects.of(n), ...(n.kind === 'for' ? this.effects.of(n, true) : [])]) {
        if (e.t === 'acquire') {
          resources.add(e.v);
          const p = this.effects.truthyWhenAcquired(e.site);
          if (p !== null) paths.add(p);
        } else if (e.t === 'alias' || e.t === 'derive' || e.t === 'hold') resources.add(e.v);
      }
    }
    const flags = this.flagStatements(resources);
    for (const f of flags.values()) paths.add(f.name);
    const truthy = new Set([...paths].filter((p) => !resources.has(p) && !this.params.includes(p)));
    for (const [at, f] of flags) if (truthy.has(f.name)) this.flags.set(at, f);
    return (this.truthy = truthy);
  }

  /**
   * `f = open(p)` followed by `close = True`, where every other assignment of `close` in the function is
   * `False`, `None` or `0`: `close` is true exactly where the acquisition ran (`if close: f.close()`).
   */
  private flagStatements(resources: ReadonlySet<string>): Map<number, { name: string; acquisition: number }> {
    const out = new Map<number, { name: string; acquisition: number }>();
    const candidates = new Map<string, { stmt: Node; acquisition: number } | null>();
    for (const n of this.cfg.nodes) {
      for (const e of this.effects.of(n)) {
        if (e.t !== 'acquire' || !e.site.statement || !e.site.simple) continue;
        let next = e.site.statement.nextNamedSibling;
        while (next?.type === 'comment') next = next.nextNamedSibling;
        const a = next?.type === 'expression_statement' ? named(next)[0] : undefined;
        const left = a?.type === 'assignment' ? strip(a.childForFieldName('left')) : null;
        if (!next || left?.type !== 'identifier' || strip(a!.childForFieldName('right'))?.type !== 'true') continue;
        // Two acquisitions setting the same flag: it tells neither apart.
        candidates.set(left.text, candidates.has(left.text) ? null : { stmt: next, acquisition: acquireSite(e.site).start });
      }
    }
    if (!candidates.size) return out;
    const others = new Map<string, boolean>();
    walk(this.body, (x) => {
      if (x.type === 'lambda' || x.type === 'function_definition' || x.type === 'class_definition') return false;
      if (x.type !== 'assignment' && x.type !== 'augmented_assignment' && x.type !== 'named_expression') return true;
      const left = strip(x.childForFieldName(x.type === 'named_expression' ? 'name' : 'left'));
      const names = left?.type === 'identifier' ? [left.text] : identifiersIn(left ?? x).map((i) => i.text);
      for (const v of names) {
        const c = candidates.get(v);
        if (!c || x.parent?.id === c.stmt.id) continue;
        const right = strip(x.childForFieldName(x.type === 'named_expression' ? 'value' : 'right'));
        const falsy = x.type === 'assignment' && left?.type === 'identifier' &&
          (right?.type === 'false' || right?.type === 'none' || (right?.type === 'integer' && right.text === '0'));
        if (!falsy) others.set(v, true);
      }
      return true;
    });
    for (const [name, c] of candidates) {
      if (c && !others.get(name) && !resources.has(name)) out.set(c.stmt.startIndex, { name, acquisition: c.acquisition });
    }
    return out;
  }

  /** `name != 0` (truthy) for a truthy status (see `truthyStatus`) is the acquisition's success: status `== 0`. */
  private truthiness(key: string, rel: '==' | '!='): Guard {
    const statusRel = this.truthyStatus().has(key) ? (rel === '!=' ? '==' : '!=') : rel;
    return { g: 'cmp', subject: { kind: 'key', key }, rel: statusRel, c: 0 };
  }

  // ------------------------------------------------------------ guards

  /** The tracked key of a close method's attribute (`self.sock`, see ./closeMethod), or null. */
  private attributeKey(n: Node): string | null {
    const owned = this.effects.ownedAttributes;
    return owned ? trackedKey(n, owned) : null;
  }

  /** What a condition says about its names: `s`, `not s`, `s is None`, `s is not None`, `and`/`or`. */
  private guard(cond: Node | null, events: readonly Event[], depth: number): Guard {
    const c = strip(cond);
    if (!c || depth > MAX_GUARD_DEPTH) return NO_GUARD;
    const attr = this.attributeKey(c);
    if (attr !== null) return { g: 'cmp', subject: { kind: 'key', key: attr }, rel: '!=', c: 0 };
    switch (c.type) {
      case 'identifier':
        return this.truthiness(c.text, '!=');
      case 'named_expression': {
        const name = c.childForFieldName('name');
        return name ? { g: 'cmp', subject: { kind: 'key', key: name.text }, rel: '!=', c: 0 } : NO_GUARD;
      }
      case 'not_operator':
        return { g: 'not', a: this.guard(c.childForFieldName('argument'), events, depth + 1) };
      case 'boolean_operator': {
        const op = c.childForFieldName('operator')?.type;
        const l = c.childForFieldName('left');
        const r = c.childForFieldName('right');
        if ((op !== 'and' && op !== 'or') || !l || !r) return NO_GUARD;
        const bAcquires = events
          .filter((e): e is Extract<Event, { t: 'acquire' }> => e.t === 'acquire' && e.site.call.startIndex >= r.startIndex && e.site.call.endIndex <= r.endIndex)
          .map((e) => acquireSite(e.site).start);
        return { g: op, a: this.guard(l, events, depth + 1), b: this.guard(r, events, depth + 1), bAcquires };
      }
      case 'comparison_operator': {
        const parts = named(c);
        if (parts.length !== 2) return NO_GUARD;
        const op = c.childrenForFieldName('operators').map((o) => o?.text.replace(/\s+/g, ' '))[0];
        const [l, r] = [strip(parts[0]!), strip(parts[1]!)];
        const isSubject = (x: Node | null) => x?.type === 'identifier' || (x !== null && this.attributeKey(x) !== null);
        const subject = isSubject(l) && r?.type === 'none' ? l : isSubject(r) && l?.type === 'none' ? r : null;
        if (!subject) return NO_GUARD;
        const attr = this.attributeKey(subject);
        if (attr !== null) {
          if (op === 'is' || op === '==') return { g: 'cmp', subject: { kind: 'key', key: attr }, rel: '==', c: 0 };
          if (op === 'is not' || op === '!=') return { g: 'cmp', subject: { kind: 'key', key: attr }, rel: '!=', c: 0 };
          return NO_GUARD;
        }
        if (op === 'is' || op === '==') return this.truthiness(subject.text, '==');
        if (op === 'is not' || op === '!=') return this.truthiness(subject.text, '!=');
        return NO_GUARD;
      }
      default:
        return NO_GUARD;
    }
  }
}

function span(n: Node): { start: number; end: number } {
  return { start: n.startIndex, end: n.endIndex };
}

/**
 * What an acquisition produces. Python acquisitions raise rather than return an invalid handle.
 * The ends of a tuple acquisition (`a, b = socket.socketpair()`) are two resources: each is
 * located at its element of the target.
 */
export function acquireSite(site: AcquisitionSite): AcquireSite {
  const inTuple = site.target.parent !== null && TUPLE_TARGETS.has(site.target.parent.type);
  const at = inTuple ? site.target : site.call;
  const fn = site.call.childForFieldName('function');
  const call = (fn?.text ?? 'call').replace(/\s+/g, '');
  // A call outside the tables may return None (the function then tests it): only the tables' calls always give a resource.
  return { start: at.startIndex, end: at.endIndex, call, resource: site.kind, validity: 'pointer', alwaysValid: !site.inferred };
}
