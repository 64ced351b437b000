import type { Node } from 'web-tree-sitter';
import { solveForward } from '../cfg/dataflow';
import type { CfgNode, ExitSite, FunctionCfg } from './cfg';
import { ACQUIRE, ACQUIRE_PAIR, ADOPT_FIRST_ARG, RELEASE, type ResourceKind } from './names';
import {
  INVALID, UNSET, cloneState, emptyState, heldElsewhere, isToken, joinStates, releasedAt, statesEqual, tokensOf,
  type State, type ValueSet,
} from './state';
import { callArgs, calleeName, constantValue, declaratorName, lvalueKey, strip, subscriptParts } from './syntax';

/** What a same-file function does with its parameters. */
export interface Summary {
  /** Parameter i is released on every path that returns. */
  readonly releases: readonly boolean[];
  /** Parameter i is stored somewhere that outlives the call, or returned, on some path. */
  readonly escapes: readonly boolean[];
}

export const NO_SUMMARY: Summary = { releases: [], escapes: [] };

/** What the engine needs from the file around the function. */
export interface FileContext {
  isNoReturn(name: string): boolean;
  /** Summary of a function defined in this file, or undefined if there is none. */
  summary(name: string): Summary | undefined;
  readonly ownershipTransfers: ReadonlySet<string>;
}

export type TokenKind = ResourceKind | 'param';

export interface TokenInfo {
  readonly id: string;
  /** The acquiring call (for a parameter token: the parameter's function). */
  readonly call: Node;
  readonly callName: string;
  readonly kind: TokenKind;
  /** The location that first held it (`fd`, `fds[1]`). */
  readonly origin: string;
  readonly paramIndex: number;
}

export interface LeakRecord {
  readonly exit: ExitSite;
  readonly variable: string;
  readonly tokens: Set<string>;
  /** What the variable may hold where it leaks (tokens and markers). */
  readonly value: ValueSet;
}

export interface OverwriteRecord {
  /** The assignment (or declaration / pipe call) that overwrites the variable. */
  readonly site: Node;
  readonly variable: string;
  readonly tokens: Set<string>;
  readonly value: ValueSet;
}

type Value =
  | { readonly kind: 'acquire'; readonly call: Node; readonly name: string }
  | { readonly kind: 'status'; readonly call: Node }
  | { readonly kind: 'var'; readonly key: string }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'aggregate'; readonly node: Node }
  | { readonly kind: 'other' };

type Target = { readonly kind: 'local'; readonly key: string } | { readonly kind: 'escape' } | { readonly kind: 'ignore' };

type Rel = '<' | '<=' | '>' | '>=' | '==' | '!=';
const NEGATE: Record<Rel, Rel> = { '<': '>=', '>=': '<', '>': '<=', '<=': '>', '==': '!=', '!=': '==' };
const MIRROR: Record<Rel, Rel> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '==': '==', '!=': '!=' };

interface Constraint {
  /** Tokens proven invalid (failed acquisitions) on this branch. */
  readonly kill: Set<string>;
  /** Tokens proven valid on this branch. */
  readonly valid: Set<string>;
}

const MAX_EXPRESSION_NODES = 200000;

function isRel(op: string): op is Rel {
  return op === '<' || op === '<=' || op === '>' || op === '>=' || op === '==' || op === '!=';
}

function invalidFor(kind: TokenKind, rel: Rel, c: number): boolean {
  const asFd = (rel === '<' && c <= 0) || (rel === '<=' && c <= 0) || (rel === '==' && c < 0);
  const asPtr = rel === '==' && c === 0;
  switch (kind) {
    case 'fd': case 'socket': return asFd;
    case 'file': case 'popen': return asPtr;
    case 'param': return asFd || asPtr;
  }
}

function validFor(kind: TokenKind, rel: Rel, c: number): boolean {
  const asFd = (rel === '>=' && c >= 0) || (rel === '>' && c >= -1) || (rel === '!=' && c < 0);
  const asPtr = rel === '!=' && c === 0;
  switch (kind) {
    case 'fd': case 'socket': return asFd;
    case 'file': case 'popen': return asPtr;
    case 'param': return asFd || asPtr;
  }
}

/** pipe()/socketpair() return 0 on success and -1 on failure. */
function statusFailed(rel: Rel, c: number): boolean {
  return (rel === '<' && c <= 0) || (rel === '<=' && c < 0) || (rel === '==' && c !== 0) || (rel === '!=' && c === 0);
}

function statusSucceeded(rel: Rel, c: number): boolean {
  return (rel === '==' && c === 0) || (rel === '>=' && c === 0) || (rel === '!=' && c < 0) || (rel === '>' && c < 0);
}

/**
 * Runs the leak dataflow over one function's CFG. In 'report' mode it records leaks and
 * overwrites; in 'summary' mode it seeds each parameter with a token and records what
 * happens to it (for the function's summary).
 */
export class FunctionAnalysis {
  readonly tokens = new Map<string, TokenInfo>();
  /** Statement nodes by offset, for `?R<offset>` markers. */
  readonly sites = new Map<number, Node>();
  readonly leaks = new Map<string, LeakRecord>();
  readonly overwrites = new Map<string, OverwriteRecord>();
  complete = true;
  // summary mode
  private readonly paramReleased: boolean[] = [];
  private readonly paramEscaped: boolean[] = [];
  private readonly paramLive: boolean[] = [];
  private recording = false;

  constructor(
    readonly cfg: FunctionCfg,
    readonly fn: Node,
    private readonly ctx: FileContext,
    private readonly mode: 'report' | 'summary',
    private readonly deadline?: number,
  ) {}

  run(): void {
    const init = emptyState();
    if (this.mode === 'summary') this.seedParams(init);
    const solution = solveForward(
      { succ: this.cfg.nodes.map((n) => n.succ), entry: this.cfg.entry },
      init,
      { join: joinStates, equals: statesEqual },
      (id, s) => this.transfer(id, s),
      { deadline: this.deadline },
    );
    this.complete = solution.complete;
    // Record findings from the stable states, once per node.
    this.recording = true;
    solution.input.forEach((s, id) => {
      if (s) this.transfer(id, s);
    });
    this.recording = false;
  }

  summary(): Summary {
    const releases: boolean[] = [];
    const escapes: boolean[] = [];
    this.cfg.params.forEach((_p, i) => {
      releases.push(!!this.paramReleased[i] && !this.paramLive[i]);
      escapes.push(!!this.paramEscaped[i]);
    });
    return { releases, escapes };
  }

  private seedParams(s: State): void {
    let i = 0;
    for (const p of this.cfg.params) {
      if (p !== null) {
        const id = `P${i}`;
        this.tokens.set(id, { id, call: this.fn, callName: '', kind: 'param', origin: p, paramIndex: i });
        s.vars.set(p, new Set([id]));
        s.vars.set(`*${p}`, new Set([id]));
      }
      i++;
    }
  }

  // ---------------------------------------------------------------- transfer

  private transfer(id: number, input: State): (State | undefined)[] {
    const node = this.cfg.nodes[id]!;
    const s = cloneState(input);
    switch (node.kind) {
      case 'entry':
      case 'noop':
        return node.succ.map(() => s);
      case 'effect':
        if (node.ast) {
          this.effects(node.ast, s);
          if (this.neverReturns(node.ast)) return [];
        }
        return node.succ.map(() => s);
      case 'switch':
        if (node.ast) this.effects(node.ast, s);
        return node.succ.map(() => s);
      case 'cond':
        return this.condition(node, s);
      case 'return': {
        const expr = node.ast ? firstExpression(node.ast) : null;
        if (expr) {
          this.effects(expr, s);
          this.escapeReturned(expr, s, node.ast!);
        }
        this.leakCheck(s, null, node.exit!);
        return [];
      }
      case 'throw':
        if (node.ast) this.effects(node.ast, s);
        this.leakCheck(s, null, node.exit!);
        return [];
      case 'end':
        this.leakCheck(s, null, node.exit!);
        return [];
      case 'scope':
        if (node.vars.length) {
          const dying = this.keysOf(s, node.vars);
          this.leakCheck(s, dying, node.exit!);
          for (const k of dying) {
            s.vars.delete(k);
            s.status.delete(k);
          }
        }
        return node.succ.map(() => s);
    }
  }

  private condition(node: CfgNode, s: State): (State | undefined)[] {
    const ast = node.ast;
    if (!ast) return [s, s];
    this.effects(ast, s);
    const constant = constantValue(strip(ast));
    if (constant !== null) return constant !== 0 ? [s, undefined] : [undefined, s];
    const t = cloneState(s);
    this.refine(t, ast, true);
    this.refine(s, ast, false);
    return [t, s];
  }

  /** The keys for `vars` and their elements (`fds` also covers `fds[0]`, `fds[1]`). */
  private keysOf(s: State, vars: readonly string[]): Set<string> {
    const out = new Set<string>(vars);
    for (const k of s.vars.keys()) {
      const b = k.indexOf('[');
      if (b > 0 && out.has(k.slice(0, b))) out.add(k);
    }
    return out;
  }

  private neverReturns(stmt: Node): boolean {
    if (stmt.type !== 'expression_statement') return false;
    const e = strip(stmt.namedChild(0));
    if (!e || e.type !== 'call_expression') return false;
    const name = calleeName(e);
    return name !== null && this.ctx.isNoReturn(name);
  }

  // ---------------------------------------------------------------- effects

  /** Applies the assignments and calls in `ast`, in evaluation order (iterative post-order walk). */
  private effects(ast: Node, s: State): void {
    // phase 0: visit, 1: act after children, 2: declare without initializer
    const stack: { n: Node; phase: 0 | 1 | 2 }[] = [{ n: ast, phase: 0 }];
    let budget = MAX_EXPRESSION_NODES;
    while (stack.length) {
      if (--budget < 0) {
        this.complete = false;
        return;
      }
      const { n, phase } = stack.pop()!;
      if (phase === 1) {
        this.act(n, s);
        continue;
      }
      if (phase === 2) {
        const info = declaratorName(n);
        if (info) this.forget(s, info.name);
        continue;
      }
      switch (n.type) {
        case 'lambda_expression':
        case 'comment':
        case 'string_literal':
        case 'char_literal':
        case 'number_literal':
          break;
        case 'assignment_expression': {
          stack.push({ n, phase: 1 });
          const r = n.childForFieldName('right');
          if (r) stack.push({ n: r, phase: 0 });
          break;
        }
        case 'call_expression': {
          stack.push({ n, phase: 1 });
          const a = n.childForFieldName('arguments');
          if (a) stack.push({ n: a, phase: 0 });
          break;
        }
        case 'init_declarator': {
          stack.push({ n, phase: 1 });
          const v = n.childForFieldName('value');
          if (v) stack.push({ n: v, phase: 0 });
          break;
        }
        case 'declaration': {
          const ds = n.childrenForFieldName('declarator');
          for (let i = ds.length - 1; i >= 0; i--) {
            const d = ds[i];
            if (!d || d.type === 'function_declarator') continue;
            stack.push(d.type === 'init_declarator' ? { n: d, phase: 0 } : { n: d, phase: 2 });
          }
          break;
        }
        default:
          for (let i = n.namedChildCount - 1; i >= 0; i--) {
            const c = n.namedChild(i);
            if (c) stack.push({ n: c, phase: 0 });
          }
      }
    }
  }

  private act(n: Node, s: State): void {
    switch (n.type) {
      case 'assignment_expression': {
        if (n.childForFieldName('operator')?.text !== '=') return;
        const left = n.childForFieldName('left');
        if (left) this.bind(s, this.target(left), this.valueOf(n.childForFieldName('right')), n);
        return;
      }
      case 'init_declarator': {
        const info = declaratorName(n.childForFieldName('declarator'));
        if (!info) return;
        const value = n.childForFieldName('value');
        if (value?.type === 'initializer_list' && info.isArray) {
          this.forget(s, info.name);
          this.initArray(s, info.name, value);
          return;
        }
        const target: Target = this.cfg.locals.has(info.name) ? { kind: 'local', key: info.name } : { kind: 'escape' };
        // A C++ direct-initialisation `T x(args)` is not a copy of the arguments.
        const v = value?.type === 'argument_list' ? { kind: 'other' } as const : this.valueOf(value);
        this.bind(s, target, v, n);
        return;
      }
      case 'call_expression':
        this.call(n, s);
        return;
    }
  }

  private valueOf(node: Node | null): Value {
    const r = strip(node);
    if (!r) return { kind: 'other' };
    if (r.type === 'assignment_expression') {
      const key = lvalueKey(r.childForFieldName('left'));
      return key ? { kind: 'var', key } : { kind: 'other' };
    }
    if (r.type === 'call_expression') {
      const name = calleeName(r);
      if (name && ACQUIRE.has(name)) return { kind: 'acquire', call: r, name };
      if (name && ACQUIRE_PAIR.has(name)) return { kind: 'status', call: r };
      return { kind: 'other' };
    }
    if (r.type === 'initializer_list' || r.type === 'compound_literal_expression') return { kind: 'aggregate', node: r };
    const c = constantValue(r);
    if (c !== null) return c <= 0 ? { kind: 'invalid' } : { kind: 'other' };
    const key = lvalueKey(r);
    return key ? { kind: 'var', key } : { kind: 'other' };
  }

  /** Where an assignment stores: a tracked local, storage that outlives the function, or something untracked. */
  private target(lhs: Node): Target {
    const n = strip(lhs);
    if (!n) return { kind: 'ignore' };
    switch (n.type) {
      case 'identifier':
        return this.cfg.locals.has(n.text) ? { kind: 'local', key: n.text } : { kind: 'escape' };
      case 'subscript_expression': {
        const { base, literalIndex } = subscriptParts(n);
        if (base && this.cfg.localArrays.has(base)) {
          const key = lvalueKey(n);
          return literalIndex && key ? { kind: 'local', key } : { kind: 'ignore' };
        }
        return { kind: 'escape' };
      }
      case 'field_expression':
      case 'pointer_expression':
        return { kind: 'escape' };
      default:
        return { kind: 'ignore' };
    }
  }

  private bind(s: State, target: Target, value: Value, site: Node): void {
    if (target.kind === 'ignore') return;
    if (target.kind === 'escape') {
      if (value.kind === 'var') this.dropKey(s, value.key, site, 'escape');
      else if (value.kind === 'aggregate') this.escapeAggregate(s, value.node, site);
      return;
    }
    const key = target.key;
    const cleanup = this.cfg.cleanupVars.has(key);
    switch (value.kind) {
      case 'acquire': {
        this.overwrite(s, key, site);
        s.status.delete(key);
        if (cleanup) {
          s.vars.delete(key);
          return;
        }
        const token = this.token(value.call, value.name, key, 0, false);
        s.vars.set(key, new Set([token, INVALID]));
        return;
      }
      case 'status': {
        this.overwrite(s, key, site);
        s.vars.delete(key);
        const pair = [`${tokenBase(value.call)}:0`, `${tokenBase(value.call)}:1`].filter((t) => this.tokens.has(t));
        if (pair.length) s.status.set(key, new Set(pair));
        else s.status.delete(key);
        return;
      }
      case 'var': {
        if (value.key === key) return;
        if (cleanup) {
          this.dropKey(s, value.key, site, 'escape');
          return;
        }
        this.overwrite(s, key, site);
        const src = s.vars.get(value.key);
        if (src) s.vars.set(key, new Set(src));
        else s.vars.delete(key);
        const st = s.status.get(value.key);
        if (st) s.status.set(key, new Set(st));
        else s.status.delete(key);
        return;
      }
      case 'invalid':
        this.overwrite(s, key, site);
        s.vars.set(key, new Set([INVALID]));
        s.status.delete(key);
        return;
      case 'aggregate':
        this.overwrite(s, key, site);
        this.escapeAggregate(s, value.node, site);
        s.vars.delete(key);
        s.status.delete(key);
        return;
      case 'other':
        this.overwrite(s, key, site);
        s.vars.delete(key);
        s.status.delete(key);
        return;
    }
  }

  /** `int fds[2] = {-1, -1};` marks the elements invalid. */
  private initArray(s: State, name: string, list: Node): void {
    let idx = 0;
    for (let i = 0; i < list.namedChildCount; i++) {
      const e = list.namedChild(i);
      if (!e || e.type === 'comment') continue;
      const c = constantValue(e);
      if (c !== null && c <= 0) s.vars.set(`${name}[${idx}]`, new Set([INVALID]));
      idx++;
    }
  }

  private escapeAggregate(s: State, list: Node, site: Node): void {
    const stack: Node[] = [list];
    let budget = 10000;
    while (stack.length && budget-- > 0) {
      const n = stack.pop()!;
      const key = n.type === 'initializer_list' || n.type === 'initializer_pair' || n.type === 'compound_literal_expression' ? null : lvalueKey(n);
      if (key) {
        this.dropKey(s, key, site, 'escape');
        continue;
      }
      if (n.type === 'initializer_pair') {
        const v = n.childForFieldName('value');
        if (v) stack.push(v);
        continue;
      }
      if (n.type === 'initializer_list' || n.type === 'compound_literal_expression') {
        for (let i = 0; i < n.namedChildCount; i++) {
          const c = n.namedChild(i);
          if (c) stack.push(c);
        }
      }
    }
  }

  private forget(s: State, name: string): void {
    for (const k of this.keysOf(s, [name])) {
      s.vars.delete(k);
      s.status.delete(k);
    }
  }

  private token(call: Node, name: string, origin: string, index: number, pair: boolean): string {
    const id = pair ? `${tokenBase(call)}:${index}` : tokenBase(call);
    if (!this.tokens.has(id)) {
      let kind: TokenKind = ACQUIRE.get(name) ?? 'fd';
      const base = origin.replace(/\[.*$/, '');
      if (kind === 'fd' && /\bSOCKET\b/.test(this.cfg.declarations.get(base)?.type ?? '')) kind = 'socket';
      this.tokens.set(id, { id, call, callName: name, kind, origin, paramIndex: -1 });
    }
    return id;
  }

  /** Assigning over `key`: a live token that no other location holds is lost. */
  private overwrite(s: State, key: string, site: Node): void {
    const set = s.vars.get(key);
    if (!set) return;
    const lost = new Set<string>();
    const self = new Set([key]);
    for (const t of tokensOf(set)) if (!heldElsewhere(s, t, self)) lost.add(t);
    if (!lost.size || !this.recording || this.mode !== 'report') return;
    const id = `${site.startIndex}:${key}`;
    const rec = this.overwrites.get(id);
    if (rec) {
      for (const t of lost) rec.tokens.add(t);
      for (const v of set) rec.value.add(v);
    } else {
      this.overwrites.set(id, { site, variable: key, tokens: lost, value: new Set(set) });
    }
  }

  // ---------------------------------------------------------------- calls

  private call(call: Node, s: State): void {
    const name = calleeName(call);
    if (!name) return;
    const args = callArgs(call);
    if (RELEASE.has(name)) {
      this.dropArg(s, args[0], call, 'release');
      return;
    }
    if (ADOPT_FIRST_ARG.has(name)) {
      this.dropArg(s, args[0], call, 'escape');
      return;
    }
    const pairArg = ACQUIRE_PAIR.get(name);
    if (pairArg !== undefined) {
      this.acquirePair(s, call, name, args[pairArg]);
      return;
    }
    if (this.ctx.ownershipTransfers.has(name)) {
      for (const a of args) this.dropArg(s, a, call, 'escape');
      return;
    }
    if (!args.some((a) => this.argHolds(s, a))) return;
    const summary = this.ctx.summary(name);
    if (!summary) return;
    args.forEach((a, i) => {
      if (summary.releases[i]) this.dropArg(s, a, call, 'release');
      else if (summary.escapes[i]) this.dropArg(s, a, call, 'escape');
    });
  }

  private argKey(arg: Node | undefined): { key: string | null; prefix: string | null } {
    let n = strip(arg ?? null);
    if (n && n.type === 'pointer_expression' && n.child(0)?.type === '&') n = strip(n.childForFieldName('argument'));
    if (!n) return { key: null, prefix: null };
    if (n.type === 'subscript_expression') {
      const { base, literalIndex } = subscriptParts(n);
      if (base && !literalIndex) return { key: null, prefix: `${base}[` };
    }
    return { key: lvalueKey(n), prefix: null };
  }

  private argHolds(s: State, arg: Node): boolean {
    const { key, prefix } = this.argKey(arg);
    if (key) return tokensOf(s.vars.get(key)).length > 0;
    if (prefix) for (const [k, v] of s.vars) if (k.startsWith(prefix) && tokensOf(v).length) return true;
    return false;
  }

  private dropArg(s: State, arg: Node | undefined, site: Node, how: 'release' | 'escape'): void {
    const { key, prefix } = this.argKey(arg);
    if (key) this.dropKey(s, key, site, how);
    else if (prefix) for (const k of [...s.vars.keys()]) if (k.startsWith(prefix)) this.dropKey(s, k, site, how);
  }

  /** The resource(s) in `key` are released or handed over: every location holding them lets go. */
  private dropKey(s: State, key: string, site: Node, how: 'release' | 'escape'): void {
    const dropped = tokensOf(s.vars.get(key));
    if (!dropped.length) return;
    this.sites.set(site.startIndex, site);
    const marker = releasedAt(site.startIndex);
    for (const [k, set] of s.vars) {
      let hit = false;
      for (const t of dropped) if (set.delete(t)) hit = true;
      if (hit) {
        set.add(marker);
        s.vars.set(k, set);
      }
    }
    for (const t of dropped) {
      const info = this.tokens.get(t);
      if (info && info.paramIndex >= 0) {
        if (how === 'release') this.paramReleased[info.paramIndex] = true;
        else this.paramEscaped[info.paramIndex] = true;
      }
    }
  }

  private acquirePair(s: State, call: Node, name: string, arg: Node | undefined): void {
    const n = strip(arg ?? null);
    if (!n || n.type !== 'identifier' || !this.cfg.localArrays.has(n.text)) return;
    for (const i of [0, 1]) {
      const key = `${n.text}[${i}]`;
      this.overwrite(s, key, call);
      s.vars.set(key, new Set([this.token(call, name, key, i, true), INVALID]));
      s.status.delete(key);
    }
  }

  private escapeReturned(expr: Node, s: State, site: Node): void {
    const stack: Node[] = [expr];
    while (stack.length) {
      const n = strip(stack.pop()!);
      if (!n) continue;
      if (n.type === 'conditional_expression') {
        for (const f of ['consequence', 'alternative']) {
          const c = n.childForFieldName(f);
          if (c) stack.push(c);
        }
        continue;
      }
      if (n.type === 'initializer_list' || n.type === 'compound_literal_expression') {
        this.escapeAggregate(s, n, site);
        continue;
      }
      // C++ `return std::move(fd);`
      if (n.type === 'call_expression' && calleeName(n) === 'move') {
        const a = callArgs(n)[0];
        if (a) stack.push(a);
        continue;
      }
      const key = lvalueKey(n);
      if (key) this.dropKey(s, key, site, 'escape');
    }
  }

  // ---------------------------------------------------------------- guards

  private refine(s: State, cond: Node, branch: boolean): void {
    const c = this.constraint(cond, branch, s, 0);
    if (!c.kill.size && !c.valid.size) return;
    for (const [, set] of s.vars) {
      let killed = false;
      for (const t of c.kill) if (set.delete(t)) killed = true;
      if (killed) set.add(INVALID);
      let valid = false;
      for (const t of c.valid) if (set.has(t)) valid = true;
      if (valid) {
        set.delete(INVALID);
        set.delete(UNSET);
      }
    }
    for (const [k, set] of s.vars) if (set.size === 0) s.vars.delete(k);
    // A location that may have been unset keeps that fact in its set.
  }

  private constraint(cond: Node, branch: boolean, s: State, depth: number): Constraint {
    const none: Constraint = { kill: new Set(), valid: new Set() };
    if (depth > 200) return none;
    let e = strip(cond);
    if (!e) return none;
    if (e.type === 'declaration') {
      // C++ `if (FILE *f = fopen(...))`: the declared variable's truthiness.
      const d = e.childForFieldName('declarator');
      const info = declaratorName(d);
      return info ? this.subject(info.name, branch ? '!=' : '==', 0, s) : none;
    }
    if (e.type === 'unary_expression' && e.child(0)?.type === '!') {
      const arg = e.childForFieldName('argument');
      return arg ? this.constraint(arg, !branch, s, depth + 1) : none;
    }
    if (e.type === 'binary_expression') {
      const op = e.childForFieldName('operator')?.type ?? '';
      const l = e.childForFieldName('left');
      const r = e.childForFieldName('right');
      if (!l || !r) return none;
      if (op === '&&' || op === '||') {
        const both = (op === '&&') === branch;
        const a = this.constraint(l, branch, s, depth + 1);
        const b = this.constraint(r, branch, s, depth + 1);
        return both ? union(a, b) : intersect(a, b);
      }
      if (!isRel(op)) return none;
      const lc = constantValue(l);
      const rc = constantValue(r);
      let rel: Rel = op;
      let subject: Node;
      let c: number;
      if (rc !== null && lc === null) {
        subject = l;
        c = rc;
      } else if (lc !== null && rc === null) {
        subject = r;
        c = lc;
        rel = MIRROR[rel];
      } else return none;
      if (!branch) rel = NEGATE[rel];
      e = strip(subject);
      if (!e) return none;
      return this.subjectNode(e, rel, c, s);
    }
    return this.subjectNode(e, branch ? '!=' : '==', 0, s);
  }

  private subjectNode(e: Node, rel: Rel, c: number, s: State): Constraint {
    if (e.type === 'assignment_expression') {
      const right = strip(e.childForFieldName('right'));
      if (right?.type === 'call_expression' && ACQUIRE_PAIR.has(calleeName(right) ?? '')) return this.status(this.pairTokens(right), rel, c);
      const key = lvalueKey(e.childForFieldName('left'));
      return key ? this.subject(key, rel, c, s) : { kill: new Set(), valid: new Set() };
    }
    if (e.type === 'call_expression') {
      if (ACQUIRE_PAIR.has(calleeName(e) ?? '')) return this.status(this.pairTokens(e), rel, c);
      return { kill: new Set(), valid: new Set() };
    }
    const key = lvalueKey(e);
    return key ? this.subject(key, rel, c, s) : { kill: new Set(), valid: new Set() };
  }

  private pairTokens(call: Node): string[] {
    return [`${tokenBase(call)}:0`, `${tokenBase(call)}:1`].filter((t) => this.tokens.has(t));
  }

  private subject(key: string, rel: Rel, c: number, s: State): Constraint {
    const status = s.status.get(key);
    if (status) return this.status([...status], rel, c);
    const out: Constraint = { kill: new Set(), valid: new Set() };
    for (const t of tokensOf(s.vars.get(key))) {
      const kind = this.tokens.get(t)?.kind ?? 'fd';
      if (invalidFor(kind, rel, c)) out.kill.add(t);
      else if (validFor(kind, rel, c)) out.valid.add(t);
    }
    return out;
  }

  private status(tokens: string[], rel: Rel, c: number): Constraint {
    if (statusFailed(rel, c)) return { kill: new Set(tokens), valid: new Set() };
    if (statusSucceeded(rel, c)) return { kill: new Set(), valid: new Set(tokens) };
    return { kill: new Set(), valid: new Set() };
  }

  // ---------------------------------------------------------------- exits

  /**
   * At an exit, every live token that only `dying` holds (all locations when null) leaks.
   * One record per exit and variable.
   */
  private leakCheck(s: State, dying: Set<string> | null, exit: ExitSite): void {
    if (!this.recording) return;
    const keys = dying ?? new Set(s.vars.keys());
    const found = new Map<string, Set<string>>();
    for (const k of keys) {
      for (const t of tokensOf(s.vars.get(k))) {
        if (dying && heldElsewhere(s, t, dying)) continue;
        const info = this.tokens.get(t);
        if (!info) continue;
        if (info.paramIndex >= 0) {
          this.paramLive[info.paramIndex] = true;
          continue;
        }
        const origin = keys.has(info.origin) && s.vars.get(info.origin)?.has(t) ? info.origin : k;
        let set = found.get(origin);
        if (!set) found.set(origin, (set = new Set()));
        set.add(t);
      }
    }
    if (this.mode !== 'report') return;
    for (const [variable, tokens] of found) {
      const id = `${exit.kind}:${exit.node.startIndex}:${exit.node.endIndex}:${variable}`;
      const rec = this.leaks.get(id);
      const value = s.vars.get(variable) ?? new Set<string>();
      if (rec) {
        for (const t of tokens) rec.tokens.add(t);
        for (const v of value) rec.value.add(v);
      } else this.leaks.set(id, { exit, variable, tokens, value: new Set(value) });
    }
  }
}

function union(a: Constraint, b: Constraint): Constraint {
  return { kill: new Set([...a.kill, ...b.kill]), valid: new Set([...a.valid, ...b.valid]) };
}

function intersect(a: Constraint, b: Constraint): Constraint {
  return { kill: new Set([...a.kill].filter((t) => b.kill.has(t))), valid: new Set([...a.valid].filter((t) => b.valid.has(t))) };
}

export function tokenBase(call: Node): string {
  return `T${call.startIndex}`;
}

function firstExpression(stmt: Node): Node | null {
  for (let i = 0; i < stmt.namedChildCount; i++) {
    const c = stmt.namedChild(i);
    if (c && c.type !== 'comment') return c;
  }
  return null;
}
