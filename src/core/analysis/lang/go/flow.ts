import type { Node } from 'web-tree-sitter';
import { solveForward } from '../../engine/dataflow';
import { buildCfg, type CfgNode, type FunctionCfg } from './cfg';
import { acquisitionKind, isNoReturn, NON_OWNING, WRAPPING, type Imports, type ResourceKind } from './names';
import { callArgs, callee, exprList, kids, mentions, parameterNames, unparen } from './syntax';
import { firstKid } from '../../syntax';

/**
 * The resource dataflow of one Go function: each acquisition is a resource whose state is a set of
 * possibilities (a bit mask) at every CFG node. A resource leaks at an exit reached in a live state.
 */

export const NONE = 1;
/** Acquired, error not checked yet: live only if `err == nil`. */
export const MAYBE = 2;
export const OPEN = 4;
/** Handed to a goroutine whose code does not close it. */
export const HANDED = 8;
/** A deferred close is registered. */
export const DEFERRED = 16;
export const LIVE = MAYBE | OPEN | HANDED;

/** A goroutine body that receives the resource (as parameter `param`) without closing it. */
export interface Handler {
  readonly fn: Node;
  readonly param: string | null;
}

export interface Resource {
  readonly id: number;
  /** The variable holding it (`conn`, `resp`). */
  readonly variable: string;
  readonly scope: number;
  readonly kind: ResourceKind;
  readonly errVar: string | null;
  /** CFG node of the acquisition (-1 for a parameter or captured variable given to a summary). */
  readonly node: number;
  readonly call: Node | null;
  /** The statement that acquires it (short_var_declaration, assignment or var_spec). */
  readonly stmt: Node | null;
  /** Acquired inside a loop body of this function. */
  readonly inLoop: boolean;
  readonly handlers: Handler[];
  /** Set when some path hands it on (returns, stores, sends it): a deferred close would be wrong there. */
  escapes: boolean;
}

export interface Leak {
  readonly resource: Resource;
  readonly node: CfgNode;
  readonly mask: number;
}

export interface FunctionResult {
  readonly cfg: FunctionCfg;
  readonly resources: Resource[];
  readonly leaks: Leak[];
  readonly complete: boolean;
}

/** What all functions of one file share: imports, same-file functions, caches and the time budget. */
export class FileContext {
  readonly functions = new Map<string, Node[]>();
  readonly methods = new Map<string, Node[]>();
  private readonly cfgs = new Map<number, FunctionCfg>();
  private readonly consumed = new Map<string, boolean>();
  private readonly inProgress = new Set<string>();
  timedOut = false;

  constructor(
    readonly imports: Imports,
    readonly transfers: ReadonlySet<string>,
    functions: readonly Node[],
    readonly deadline: number | undefined,
  ) {
    for (const fn of functions) {
      const name = fn.childForFieldName('name')?.text;
      if (!name) continue;
      const map = fn.type === 'method_declaration' ? this.methods : fn.type === 'function_declaration' ? this.functions : null;
      if (!map) continue;
      const list = map.get(name) ?? [];
      list.push(fn);
      map.set(name, list);
    }
  }

  cfg(fn: Node): FunctionCfg {
    let c = this.cfgs.get(fn.id);
    if (!c) {
      c = buildCfg(fn, (stmt) => this.isNoReturnStatement(stmt));
      this.cfgs.set(fn.id, c);
    }
    return c;
  }

  isNoReturnStatement(stmt: Node): boolean {
    const call = unparen(firstKid(stmt));
    if (!call || call.type !== 'call_expression') return false;
    const c = callee(call, this.imports);
    if (!c.name) return false;
    return isNoReturn(c.pkg, c.operand !== null && c.pkg === undefined, c.name);
  }

  /** The same-file functions a call may run (all methods of that name for `x.m(...)`), or null. */
  targets(call: Node): Node[] | null {
    const c = callee(call, this.imports);
    const f = unparen(call.childForFieldName('function'));
    if (f?.type === 'func_literal') return [f];
    if (!c.name) return null;
    if (!c.operand) return this.functions.get(c.name) ?? null;
    if (c.pkg !== undefined) return null;
    return this.methods.get(c.name) ?? null;
  }

  /** Does `fn` close (or otherwise hand off) `name` on every path, given it holds an open `kind` on entry? */
  consumes(fn: Node, name: string, kind: ResourceKind): boolean {
    const key = `${fn.id}:${name}:${kind}`;
    const known = this.consumed.get(key);
    if (known !== undefined) return known;
    if (this.inProgress.has(key) || this.inProgress.size > 16) return false;
    this.inProgress.add(key);
    let result = false;
    try {
      const r = analyzeFunction(this, fn, { name, kind });
      result = r.complete && !r.leaks.some((l) => l.resource.node === -1);
    } finally {
      this.inProgress.delete(key);
    }
    this.consumed.set(key, result);
    return result;
  }

  /** Classifies `x, err := <call>`; null when the call returns no resource. */
  acquisition(call: Node): ResourceKind | null {
    const c = callee(call, this.imports);
    if (!c.name || !c.operand) return null;
    return acquisitionKind(c.pkg, c.name, callArgs(call).length, c.operand.text);
  }
}

interface Seed {
  readonly name: string;
  readonly kind: ResourceKind;
}

type State = number[];

function setLive(state: State, ids: readonly number[], to: number): void {
  for (const id of ids) {
    const m = state[id]!;
    if (m & LIVE) state[id] = (m & ~LIVE) | to;
  }
}

class FunctionAnalysis {
  readonly resources: Resource[] = [];
  /** CFG node -> resources acquired there. */
  private readonly acquiredAt = new Map<number, number[]>();

  constructor(readonly ctx: FileContext, readonly cfg: FunctionCfg, private readonly seed: Seed | null) {
    if (seed) {
      this.resources.push({ id: 0, variable: seed.name, scope: 0, kind: seed.kind, errVar: null, node: -1, call: null, stmt: null, inLoop: false, handlers: [], escapes: false });
    }
    cfg.nodes.forEach((n, i) => {
      if (n.kind === 'effect' && n.ast) this.findAcquisitions(i, n);
    });
  }

  /** The scope that declares `name` as seen from `scope`, or -1 (package level or unknown). */
  resolve(name: string, scope: number): number {
    for (let s = scope; s >= 0; s = this.cfg.scopeParent[s] ?? -1) {
      if (this.cfg.declared[s]?.has(name)) return s;
    }
    return this.seed && this.seed.name === name ? 0 : -1;
  }

  private resourcesFor(name: string, scope: number, response?: boolean): number[] {
    const s = this.resolve(name, scope);
    if (s < 0) return [];
    const out: number[] = [];
    for (const r of this.resources) {
      if (r.variable === name && r.scope === s && (response === undefined || (r.kind === 'response') === response)) out.push(r.id);
    }
    return out;
  }

  private findAcquisitions(index: number, n: CfgNode): void {
    const stmt = n.ast!;
    const forms: { left: Node[]; right: Node[]; declares: boolean; stmt: Node }[] = [];
    if (stmt.type === 'short_var_declaration' || (stmt.type === 'assignment_statement' && stmt.childForFieldName('operator')?.text === '=')) {
      forms.push({ left: exprList(stmt.childForFieldName('left')), right: exprList(stmt.childForFieldName('right')), declares: stmt.type === 'short_var_declaration', stmt });
    } else if (stmt.type === 'var_declaration') {
      const stack = kids(stmt);
      while (stack.length) {
        const s = stack.pop()!;
        if (s.type === 'var_spec_list') stack.push(...kids(s));
        else if (s.type === 'var_spec') forms.push({ left: s.childrenForFieldName('name').filter((x): x is Node => !!x), right: exprList(s.childForFieldName('value')), declares: true, stmt: s });
      }
    }
    for (const f of forms) {
      const call = unparen(f.right[0] ?? null);
      if (f.right.length !== 1 || !call || call.type !== 'call_expression' || f.left.length > 2) continue;
      const kind = this.ctx.acquisition(call);
      const target = f.left[0];
      if (!kind || !target || target.type !== 'identifier' || target.text === '_') continue;
      const scope = f.declares ? n.scope : this.resolve(target.text, n.scope);
      if (scope < 0) continue; // assigned to a package-level variable: stored
      const errNode = f.left[1];
      const errVar = errNode && errNode.type === 'identifier' && errNode.text !== '_' ? errNode.text : null;
      const id = this.resources.length;
      this.resources.push({ id, variable: target.text, scope, kind, errVar, node: index, call, stmt: f.stmt, inLoop: this.inLoop(f.stmt), handlers: [], escapes: false });
      const list = this.acquiredAt.get(index) ?? [];
      list.push(id);
      this.acquiredAt.set(index, list);
    }
  }

  private inLoop(stmt: Node): boolean {
    for (let p = stmt.parent; p && p.id !== this.cfg.fn.id; p = p.parent) {
      if (p.type === 'for_statement') return true;
      if (p.type === 'func_literal') return false;
    }
    return false;
  }

  /** The resources leave this function's responsibility (stored, returned, sent, given away). */
  private escape(state: State, ids: readonly number[]): void {
    for (const id of ids) {
      if (state[id]! & LIVE) this.resources[id]!.escapes = true;
    }
    setLive(state, ids, NONE);
  }

  initial(): State {
    const s = this.resources.map(() => NONE);
    if (this.seed) s[0] = OPEN;
    return s;
  }

  // ---------------------------------------------------------------------------------------------
  // Expressions

  /**
   * Resources an expression hands on as a value. Shallow: the expression itself, `&x`, composite
   * literal elements, `append(..., x)`, wrapping calls. Deep (returns, sends, unknown goroutines):
   * also arguments of any call except the standard functions that only read or wrap without owning.
   */
  private carried(expr: Node | null, scope: number, deep: boolean): number[] {
    const out: number[] = [];
    const stack: Node[] = expr ? [expr] : [];
    let budget = 20000;
    while (stack.length && budget-- > 0) {
      const x = unparen(stack.pop()!);
      if (!x) continue;
      switch (x.type) {
        case 'identifier':
          out.push(...this.resourcesFor(x.text, scope));
          break;
        case 'selector_expression': {
          const op = unparen(x.childForFieldName('operand'));
          if (op?.type === 'identifier' && x.childForFieldName('field')?.text === 'Body') out.push(...this.resourcesFor(op.text, scope, true));
          break;
        }
        case 'unary_expression':
          if (x.childForFieldName('operator')?.text === '&') stack.push(x.childForFieldName('operand')!);
          break;
        case 'type_assertion_expression':
          stack.push(x.childForFieldName('operand')!);
          break;
        case 'expression_list':
        case 'composite_literal':
        case 'literal_value':
        case 'literal_element':
        case 'keyed_element':
          stack.push(...kids(x));
          break;
        case 'call_expression': {
          const c = callee(x, this.ctx.imports);
          if (c.text === 'append' || WRAPPING.has(c.text) || (deep && !NON_OWNING.has(c.text))) stack.push(...callArgs(x));
          break;
        }
        default:
          break;
      }
    }
    return out;
  }

  /** Calls, composite literals and `&x` inside a statement or expression (function literals are not entered). */
  private effects(root: Node, scope: number, state: State): void {
    const stack: Node[] = [root];
    let budget = 20000;
    while (stack.length && budget-- > 0) {
      const x = stack.pop()!;
      if (x.type === 'func_literal') continue;
      if (x.type === 'call_expression') this.call(x, scope, state);
      else if (x.type === 'composite_literal' || (x.type === 'unary_expression' && x.childForFieldName('operator')?.text === '&')) {
        this.escape(state, this.carried(x, scope, false));
      }
      for (let i = x.namedChildCount - 1; i >= 0; i--) {
        const c = x.namedChild(i);
        if (c) stack.push(c);
      }
    }
  }

  /** Resources `x.Close()` releases: `conn.Close()`, `resp.Body.Close()`. */
  private closed(call: Node, scope: number): number[] {
    const c = callee(call, this.ctx.imports);
    if (c.name !== 'Close' || !c.operand || c.pkg !== undefined || callArgs(call).length !== 0) return [];
    const op = unparen(c.operand);
    if (op?.type === 'identifier') return this.resourcesFor(op.text, scope, false);
    if (op?.type === 'selector_expression' && op.childForFieldName('field')?.text === 'Body') {
      const base = unparen(op.childForFieldName('operand'));
      if (base?.type === 'identifier') return this.resourcesFor(base.text, scope, true);
    }
    return [];
  }

  private isTransfer(call: Node): boolean {
    const c = callee(call, this.ctx.imports);
    return this.ctx.transfers.has(c.text) || (c.name !== null && this.ctx.transfers.has(c.name));
  }

  /** For each argument carrying a resource: the parameter of `fn` it lands in. */
  private argumentParams(call: Node, fn: Node, scope: number): { ids: number[]; param: string | null; index: number }[] {
    const params = parameterNames(fn);
    return callArgs(call).map((a, index) => ({ ids: this.carried(a, scope, false), param: params[index] ?? null, index })).filter((x) => x.ids.length > 0);
  }

  /** Does every same-file candidate of `call` consume argument `index` (of resource `id`)? */
  private consumedBy(fns: readonly Node[], index: number, id: number): boolean {
    const kind = this.resources[id]!.kind;
    return fns.length > 0 && fns.every((fn) => {
      const p = parameterNames(fn)[index];
      return p ? this.ctx.consumes(fn, p, kind) : false;
    });
  }

  private call(call: Node, scope: number, state: State): void {
    setLive(state, this.closed(call, scope), NONE);
    const c = callee(call, this.ctx.imports);
    if (this.isTransfer(call) || WRAPPING.has(c.text)) {
      for (const a of callArgs(call)) this.escape(state, this.carried(a, scope, false));
      return;
    }
    const fns = this.ctx.targets(call);
    if (!fns || fns[0]?.type === 'func_literal') return;
    for (const { ids, index } of this.argumentParams(call, fns[0]!, scope)) {
      for (const id of ids) if (this.consumedBy(fns, index, id)) setLive(state, [id], NONE);
    }
  }

  /** `defer x.Close()`, `defer func() { x.Close() }()`, `defer closeIt(x)`: the resources protected. */
  private deferred(stmt: Node, scope: number): number[] {
    const call = unparen(firstKid(stmt));
    if (!call || call.type !== 'call_expression') return [];
    const out = [...this.closed(call, scope)];
    if (this.isTransfer(call)) for (const a of callArgs(call)) out.push(...this.carried(a, scope, false));
    for (const h of this.handOff(call, scope)) if (h.consumed) out.push(h.id);
    return out;
  }

  /** Resources a deferred or `go` call hands to a function body, and whether that body consumes them. */
  private handOff(call: Node, scope: number): { id: number; consumed: boolean; handler: Handler }[] {
    const fns = this.ctx.targets(call);
    if (!fns) return [];
    const out: { id: number; consumed: boolean; handler: Handler }[] = [];
    const fn = fns[0]!;
    for (const { ids, param, index } of this.argumentParams(call, fn, scope)) {
      for (const id of ids) out.push({ id, consumed: this.consumedBy(fns, index, id), handler: { fn, param } });
    }
    if (fn.type === 'func_literal') {
      const params = new Set(parameterNames(fn));
      const body = fn.childForFieldName('body');
      for (const r of this.resources) {
        if (params.has(r.variable) || !body || r.scope !== this.resolve(r.variable, scope) || !mentions(body, r.variable)) continue;
        out.push({ id: r.id, consumed: this.ctx.consumes(fn, r.variable, r.kind), handler: { fn, param: r.variable } });
      }
    }
    return out;
  }

  private goStatement(stmt: Node, scope: number, state: State): void {
    const call = unparen(firstKid(stmt));
    if (!call || call.type !== 'call_expression') return;
    for (const a of callArgs(call)) this.effects(a, scope, state);
    if (!this.ctx.targets(call)) {
      // A goroutine running code we cannot see: assume it owns what it is given.
      for (const a of callArgs(call)) this.escape(state, this.carried(a, scope, true));
      return;
    }
    for (const h of this.handOff(call, scope)) {
      if (!(state[h.id]! & LIVE)) continue;
      if (h.consumed) setLive(state, [h.id], NONE);
      else {
        setLive(state, [h.id], HANDED);
        const r = this.resources[h.id]!;
        if (!r.handlers.some((x) => x.fn.id === h.handler.fn.id && x.param === h.handler.param)) r.handlers.push(h.handler);
      }
    }
  }

  /** Assigning to the error variable of an unchecked acquisition loses the check: assume it succeeded. */
  private errOverwritten(names: readonly string[], except: readonly number[], state: State): void {
    for (const r of this.resources) {
      if (r.errVar && names.includes(r.errVar) && !except.includes(r.id) && state[r.id]! & MAYBE) state[r.id] = (state[r.id]! & ~MAYBE) | OPEN;
    }
  }

  private assignment(index: number, left: readonly Node[], right: readonly Node[], scope: number, state: State): void {
    const acquired = this.acquiredAt.get(index) ?? [];
    const names = left.filter((l) => l.type === 'identifier').map((l) => l.text);
    this.errOverwritten(names, acquired, state);
    const acquiredHere = acquired.filter((id) => names.includes(this.resources[id]!.variable));
    if (acquiredHere.length === 0) {
      // `_ = conn` hands nothing on; other targets (locals, fields, map and slice elements) take the value.
      right.forEach((r, i) => {
        if (left.length !== right.length || left[i]?.text !== '_') this.escape(state, this.carried(r, scope, false));
      });
    }
    // Overwriting a variable drops what it held (reported by nothing here; overwrites are rare in Go).
    for (const name of names) {
      for (const id of this.resourcesFor(name, scope)) if (!acquiredHere.includes(id)) state[id] = NONE;
    }
    for (const id of acquiredHere) state[id] = this.resources[id]!.errVar ? MAYBE : OPEN;
  }

  /** The state after the statement or expression of an effect or return node. */
  apply(index: number, node: CfgNode, input: State): State {
    const state = input.slice();
    const ast = node.ast;
    if (!ast) return state;
    const scope = node.scope;
    switch (ast.type) {
      case 'defer_statement':
        setLive(state, this.deferred(ast, scope), DEFERRED);
        return state;
      case 'go_statement':
        this.goStatement(ast, scope, state);
        return state;
      default:
        break;
    }
    this.effects(ast, scope, state);
    switch (ast.type) {
      case 'short_var_declaration':
      case 'assignment_statement':
        this.assignment(index, exprList(ast.childForFieldName('left')), exprList(ast.childForFieldName('right')), scope, state);
        break;
      case 'var_declaration': {
        const stack = kids(ast);
        while (stack.length) {
          const s = stack.pop()!;
          if (s.type === 'var_spec_list') stack.push(...kids(s));
          else if (s.type === 'var_spec') this.assignment(index, s.childrenForFieldName('name').filter((x): x is Node => !!x), exprList(s.childForFieldName('value')), scope, state);
        }
        break;
      }
      case 'send_statement':
        this.escape(state, this.carried(ast.childForFieldName('value'), scope, true));
        break;
      case 'return_statement':
        this.escape(state, this.carried(firstKid(ast), scope, true));
        break;
      default:
        break;
    }
    return state;
  }

  // ---------------------------------------------------------------------------------------------
  // Conditions

  refine(input: State, expr: Node | null, truth: boolean, scope: number): State {
    const x = unparen(expr);
    if (!x) return input;
    if (x.type === 'unary_expression' && x.childForFieldName('operator')?.text === '!') return this.refine(input, x.childForFieldName('operand'), !truth, scope);
    if (x.type !== 'binary_expression') return input;
    const op = x.childForFieldName('operator')?.text;
    const l = x.childForFieldName('left');
    const r = x.childForFieldName('right');
    if (op === '&&' || op === '||') {
      // a && b is true when both are; false when a is false, or a is true and b false (|| mirrors it).
      const both = op === '&&' ? truth : !truth;
      const first = this.refine(input, l, both, scope);
      if (both) return this.refine(first, r, both, scope);
      const viaSecond = this.refine(this.refine(input, l, !both, scope), r, both, scope);
      return first.map((m, i) => m | viaSecond[i]!);
    }
    if (op !== '==' && op !== '!=') return input;
    const lu = unparen(l);
    const ru = unparen(r);
    const other = lu?.type === 'nil' ? ru : ru?.type === 'nil' ? lu : null;
    if (!other || other.type !== 'identifier') return input;
    const notNil = (op === '!=') === truth;
    const state = input.slice();
    for (const res of this.resources) {
      const m = state[res.id]!;
      if (res.errVar === other.text && m & MAYBE) state[res.id] = (m & ~MAYBE) | (notNil ? NONE : OPEN);
    }
    for (const id of this.resourcesFor(other.text, scope)) {
      const m = state[id]!;
      if (!notNil) state[id] = NONE;
      else if (m & MAYBE) state[id] = (m & ~MAYBE) | OPEN;
    }
    return state;
  }

  // ---------------------------------------------------------------------------------------------

  transfer(index: number, state: State): (State | undefined)[] {
    const node = this.cfg.nodes[index]!;
    const n = node.succ.length;
    switch (node.kind) {
      case 'effect': {
        const out = this.apply(index, node, state);
        return new Array<State>(n).fill(out);
      }
      case 'cond': {
        const s = state.slice();
        if (node.ast) this.effects(node.ast, node.scope, s);
        return [this.refine(s, node.ast, true, node.scope), this.refine(s, node.ast, false, node.scope)];
      }
      case 'scope': {
        const out = state.slice();
        for (const r of this.resources) if (node.scopes.includes(r.scope)) out[r.id] = NONE;
        return new Array<State>(n).fill(out);
      }
      case 'return':
      case 'end':
      case 'noreturn':
        return [];
      default:
        return new Array<State>(n).fill(state);
    }
  }

  /** Leaks at the exits, from the solved states. */
  leaks(input: readonly (State | undefined)[]): Leak[] {
    const out: Leak[] = [];
    this.cfg.nodes.forEach((node, i) => {
      const s = input[i];
      if (!s || !node.exit) return;
      const state = node.kind === 'return' ? this.apply(i, node, s) : s;
      for (const r of this.resources) {
        if (node.kind === 'scope' && !node.scopes.includes(r.scope)) continue;
        const m = state[r.id]!;
        if (m & LIVE) out.push({ resource: r, node, mask: m });
      }
    });
    return out;
  }
}

/** Analyses `fn`; with `seed`, its parameter or captured variable `seed.name` starts open (a summary query). */
export function analyzeFunction(ctx: FileContext, fn: Node, seed: Seed | null = null): FunctionResult {
  const cfg = ctx.cfg(fn);
  const a = new FunctionAnalysis(ctx, cfg, seed);
  if (a.resources.length === 0) return { cfg, resources: [], leaks: [], complete: true };
  const solution = solveForward(
    { succ: cfg.nodes.map((n) => n.succ), entry: cfg.entry },
    a.initial(),
    { join: (x, y) => x.map((m, i) => m | y[i]!), equals: (x, y) => x.every((m, i) => m === y[i]) },
    (i, s) => a.transfer(i, s),
    { deadline: ctx.deadline },
  );
  if (!solution.complete && ctx.deadline !== undefined && Date.now() > ctx.deadline) ctx.timedOut = true;
  return { cfg, resources: a.resources, leaks: solution.complete ? a.leaks(solution.input) : [], complete: solution.complete && !cfg.truncated };
}

/** Cheap pre-check: does the body (outside nested function literals) call anything that acquires? */
export function hasAcquisition(ctx: FileContext, fn: Node): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  for (const call of body.descendantsOfType('call_expression')) {
    if (!call || !ctx.acquisition(call)) continue;
    let p = call.parent;
    while (p && p.id !== fn.id && p.type !== 'func_literal') p = p.parent;
    if (p && p.id === fn.id) return true;
  }
  return false;
}
