import type { Node } from 'web-tree-sitter';
import { firstKid } from '../../syntax';
import { solveForward } from '../../engine/dataflow';
import type { CfgNode, ExitSite, FunctionCfg } from './cfg';
import {
  ACCEPTING_TYPES, CHANNELS_VIEW_METHODS, CLOSE_HELPERS, HANDOFF_CONSTRUCTORS, HANDOFF_METHODS, NEW_ACQUIRE, OPEN_ACQUIRE,
  QUIET_CONSTRUCTORS, QUIET_METHODS, REGISTER_METHOD, STORE_METHODS, THROWING_WRAPPERS, VIEW_METHODS, acceptedKind, isWrapperType,
  type ResourceKind,
} from './names';
import {
  NULL, UNSET, cloneState, emptyState, escapedAt, heldElsewhere, joinStates, releasedAt, statesEqual, tokensOf,
  type State, type ValueSet,
} from './state';
import { callArgs, isFunction, simpleTypeName, strip } from './syntax';

/** What a same-file method or constructor does with its parameters. */
export interface Summary {
  /** Parameter i is closed on every path that returns normally. */
  readonly releases: readonly boolean[];
  /** Parameter i is stored in a field, returned or handed to another thread on some path. */
  readonly escapes: readonly boolean[];
  /** An exception can leave it. */
  readonly mayThrow: boolean;
}

export interface TokenInfo {
  readonly id: string;
  /** The acquiring expression (for a parameter: the function). */
  readonly call: Node;
  readonly kind: ResourceKind | 'param';
  /** The variable that first held it. */
  readonly origin: string;
  /** The declarator or assignment that stored it in `origin` (null for parameters and captured variables). */
  readonly bind: Node | null;
  readonly paramIndex: number;
  /** Set when the token was captured from an enclosing function by a handler lambda. */
  readonly captured: boolean;
}

/** What the engine needs from the file around the function. */
export interface FileContext {
  methodSummary(name: string, arity: number): Summary | undefined;
  constructorSummary(type: string, arity: number): Summary | undefined;
  fieldType(name: string): string | undefined;
  readonly ownershipTransfers: ReadonlySet<string>;
  /** A handler lambda/run() method takes over `token`, held by captured variable `name`. */
  handOver(fn: Node, name: string, token: TokenInfo): void;
}

export interface LeakRecord {
  readonly exit: ExitSite;
  /** For exceptional exits: the call or `throw` the exception comes from; else null. */
  readonly site: Node | null;
  readonly variable: string;
  readonly tokens: Set<string>;
  /** What the variable may hold where it leaks. */
  readonly value: ValueSet;
}

type Value =
  | { readonly kind: 'acquire'; readonly call: Node; readonly rk: ResourceKind }
  | { readonly kind: 'copy'; readonly set: ValueSet | undefined }
  | { readonly kind: 'null' }
  | { readonly kind: 'other' };

type Target = { readonly kind: 'local'; readonly key: string } | { readonly kind: 'escape' } | { readonly kind: 'ignore' };

interface NullFacts {
  readonly isNull: Set<string>;
  readonly nonNull: Set<string>;
}

const MAX_EXPRESSION_NODES = 100000;
const SKIPPED_IN_EFFECTS = new Set(['lambda_expression', 'class_body', 'switch_block', 'line_comment', 'block_comment', 'string_literal']);

/**
 * Runs the leak dataflow over one function's CFG. 'report' mode records leaks; 'summary' mode
 * seeds each parameter with a token and records whether the function closes or keeps it.
 */
export class FunctionAnalysis {
  readonly tokens = new Map<string, TokenInfo>();
  readonly leaks = new Map<string, LeakRecord>();
  /** Calls and throw statements by offset (exception origins). */
  readonly sites = new Map<number, Node>();
  /** Tokens handed over (returned, stored, given to a thread) somewhere, with the places. */
  readonly escaped = new Map<string, Node[]>();
  /** Every variable that held each token (aliases: streams, wrappers, copies). */
  readonly holders = new Map<string, Set<string>>();
  complete = true;
  private readonly paramReleased: boolean[] = [];
  private readonly paramEscaped: boolean[] = [];
  private readonly paramLive: boolean[] = [];
  private recording = false;
  private excOut: State | undefined;

  constructor(
    readonly cfg: FunctionCfg,
    readonly fn: Node,
    private readonly ctx: FileContext,
    private readonly mode: 'report' | 'summary',
    private readonly seeds: ReadonlyMap<string, TokenInfo> = new Map(),
    private readonly deadline?: number,
  ) {}

  mayThrow = false;

  run(): void {
    const init = emptyState();
    if (this.mode === 'summary') {
      this.cfg.params.forEach((p, i) => {
        const id = `P${i}`;
        this.tokens.set(id, { id, call: this.fn, kind: 'param', origin: p, bind: null, paramIndex: i, captured: false });
        init.vars.set(p, new Set([id]));
      });
    } else {
      for (const [name, info] of this.seeds) {
        this.tokens.set(info.id, info);
        init.vars.set(name, new Set([info.id]));
        this.holder(info.id, name);
      }
    }
    const solution = solveForward(
      { succ: this.cfg.nodes.map((n) => (n.exc >= 0 ? [...n.succ, n.exc] : n.succ)), entry: this.cfg.entry },
      init,
      { join: joinStates, equals: statesEqual },
      (id, s) => this.transfer(id, s),
      { deadline: this.deadline },
    );
    this.complete = solution.complete;
    this.mayThrow = this.cfg.throwExit >= 0 && solution.input[this.cfg.throwExit] !== undefined;
    this.recording = true;
    solution.input.forEach((s, id) => {
      if (s) this.transfer(id, s);
    });
    this.recording = false;
  }

  summary(): Summary {
    return {
      releases: this.cfg.params.map((_p, i) => !!this.paramReleased[i] && !this.paramLive[i]),
      escapes: this.cfg.params.map((_p, i) => !!this.paramEscaped[i]),
      mayThrow: this.mayThrow,
    };
  }

  // ---------------------------------------------------------------- transfer

  private transfer(id: number, input: State): (State | undefined)[] {
    const node = this.cfg.nodes[id]!;
    const s = cloneState(input);
    this.excOut = undefined;
    const outs = (normal: State | undefined): (State | undefined)[] => {
      const r: (State | undefined)[] = node.succ.map(() => normal);
      if (node.exc >= 0) r.push(this.excOut);
      return r;
    };
    switch (node.kind) {
      case 'entry':
      case 'noop':
        return outs(s);
      case 'catch':
        s.exc = new Set();
        return outs(s);
      case 'effect':
        if (!node.ast) return outs(s);
        if (node.ast.type === 'throw_statement') {
          const e = firstKid(node.ast);
          if (e) this.effects(e, s);
          this.snapshot(s, node.ast);
          return outs(undefined);
        }
        this.effects(node.ast, s);
        return outs(s);
      case 'cond':
        return this.condition(node, s);
      case 'return': {
        const expr = firstKid(node.ast ?? null);
        if (expr) {
          this.effects(expr, s);
          this.escapeValue(s, this.valueOf(expr, s), node.ast!);
        }
        return outs(s);
      }
      case 'release':
        for (const v of node.vars) this.drop(s, tokensOf(s.vars.get(v)), node.ast ?? this.fn, 'release');
        return outs(s);
      case 'rethrow':
        this.excOut = s;
        return outs(undefined);
      case 'scope': {
        const dying = new Set(node.vars);
        this.leakCheck(s, dying, node.exit!);
        for (const k of dying) s.vars.delete(k);
        return outs(s);
      }
      case 'exit':
        this.leakCheck(s, null, node.exit!);
        return [];
    }
  }

  private condition(node: CfgNode, s: State): (State | undefined)[] {
    const ast = node.ast;
    const exc = (): State | undefined => this.excOut;
    if (!ast) return node.exc >= 0 ? [s, s, exc()] : [s, s];
    this.effects(ast, s);
    const e = strip(ast);
    let t: State | undefined = s;
    let f: State | undefined = cloneState(s);
    if (e?.type === 'true') f = undefined;
    else if (e?.type === 'false') t = undefined;
    else {
      t = cloneState(s);
      this.refine(t, ast, true);
      this.refine(f, ast, false);
    }
    return node.exc >= 0 ? [t, f, exc()] : [t, f];
  }

  // ---------------------------------------------------------------- effects

  /** Applies the declarations, assignments and calls in `ast`, in evaluation order (iterative post-order walk). */
  private effects(ast: Node, s: State): void {
    const stack: { n: Node; after: boolean }[] = [{ n: ast, after: false }];
    let budget = MAX_EXPRESSION_NODES;
    while (stack.length) {
      if (--budget < 0) {
        this.complete = false;
        return;
      }
      const { n, after } = stack.pop()!;
      if (after) {
        this.act(n, s);
        continue;
      }
      if (SKIPPED_IN_EFFECTS.has(n.type) || isFunction(n)) continue;
      switch (n.type) {
        case 'variable_declarator':
        case 'resource': {
          const v = n.childForFieldName('value');
          const name = n.childForFieldName('name');
          if (!name) {
            // Java 9 `try (sock)`: nothing to evaluate.
            break;
          }
          stack.push({ n, after: true });
          if (v) stack.push({ n: v, after: false });
          break;
        }
        case 'assignment_expression': {
          stack.push({ n, after: true });
          const r = n.childForFieldName('right');
          if (r) stack.push({ n: r, after: false });
          break;
        }
        case 'method_invocation':
        case 'object_creation_expression': {
          stack.push({ n, after: true });
          const a = n.childForFieldName('arguments');
          if (a) stack.push({ n: a, after: false });
          const o = n.childForFieldName('object');
          if (o) stack.push({ n: o, after: false });
          break;
        }
        default:
          for (let i = n.namedChildCount - 1; i >= 0; i--) {
            const c = n.namedChild(i);
            if (c) stack.push({ n: c, after: false });
          }
      }
    }
  }

  private act(n: Node, s: State): void {
    switch (n.type) {
      case 'variable_declarator':
      case 'resource': {
        const name = n.childForFieldName('name');
        if (!name) return;
        const value = n.childForFieldName('value');
        this.bind(s, { kind: 'local', key: name.text }, value ? this.valueOf(value, s) : { kind: 'other' }, n);
        return;
      }
      case 'assignment_expression': {
        if (n.childForFieldName('operator')?.text !== '=') return;
        const left = n.childForFieldName('left');
        if (left) this.bind(s, this.target(left), this.valueOf(n.childForFieldName('right'), s), n);
        return;
      }
      case 'method_invocation':
        this.call(n, s);
        return;
      case 'object_creation_expression':
        this.construct(n, s);
        return;
    }
  }

  /** The exception a call may throw leaves with the state as it is before the call's own effect. */
  private snapshot(s: State, site: Node): void {
    const x = cloneState(s);
    x.exc = new Set([site.startIndex]);
    this.sites.set(site.startIndex, site);
    this.excOut = this.excOut ? joinStates(this.excOut, x) : x;
  }

  private isLocal(name: string): boolean {
    return this.cfg.locals.has(name);
  }

  private typeOf(name: string): string | undefined {
    return this.isLocal(name) ? this.cfg.types.get(name) : this.ctx.fieldType(name);
  }

  /** Tokens an expression's value holds (a socket, its stream, a wrapper of its stream). */
  private tokensIn(e: Node | null | undefined, s: State): string[] {
    const v = this.valueOf(e ?? null, s);
    return v.kind === 'copy' ? tokensOf(v.set) : [];
  }

  private valueOf(node: Node | null, s: State, depth = 0): Value {
    const e = strip(node);
    if (!e || depth > 60) return { kind: 'other' };
    switch (e.type) {
      case 'null_literal':
        return { kind: 'null' };
      case 'identifier':
        return this.isLocal(e.text) ? { kind: 'copy', set: s.vars.get(e.text) } : { kind: 'other' };
      case 'assignment_expression':
        return this.valueOf(e.childForFieldName('left'), s, depth + 1);
      case 'ternary_expression': {
        const set = new Set<string>();
        for (const f of ['consequence', 'alternative']) {
          const v = this.valueOf(e.childForFieldName(f), s, depth + 1);
          if (v.kind === 'copy') for (const x of tokensOf(v.set)) set.add(x);
          if (v.kind === 'null') set.add(NULL);
        }
        return set.size ? { kind: 'copy', set } : { kind: 'other' };
      }
      case 'object_creation_expression': {
        const type = simpleTypeName(e.childForFieldName('type'));
        const rk = NEW_ACQUIRE.get(type);
        if (rk && !hasClassBody(e)) return { kind: 'acquire', call: e, rk };
        if (isWrapperType(type)) return this.union(callArgs(e), s, depth);
        return { kind: 'other' };
      }
      case 'method_invocation': {
        const name = e.childForFieldName('name')?.text ?? '';
        const args = callArgs(e);
        const recv = strip(e.childForFieldName('object'));
        if (name === 'open' && recv) {
          const rk = OPEN_ACQUIRE.get(simpleTypeName(recv));
          if (rk) return { kind: 'acquire', call: e, rk };
        }
        if (name === 'accept' && args.length === 0 && recv) {
          const rk = this.acceptKind(recv, s);
          if (rk) return { kind: 'acquire', call: e, rk };
        }
        if (VIEW_METHODS.has(name) && args.length === 0 && recv) {
          // `new Socket(h, p).getInputStream()`: the variable holds the new socket through its stream.
          const inner = this.valueOf(recv, s, depth + 1);
          if (inner.kind === 'acquire') return inner;
          const t = inner.kind === 'copy' ? tokensOf(inner.set) : [];
          return t.length ? { kind: 'copy', set: new Set(t) } : { kind: 'other' };
        }
        if (CHANNELS_VIEW_METHODS.has(name) && recv && simpleTypeName(recv) === 'Channels') return this.union(args.slice(0, 1), s, depth);
        return { kind: 'other' };
      }
      default:
        return { kind: 'other' };
    }
  }

  private union(exprs: Node[], s: State, depth: number): Value {
    const set = new Set<string>();
    for (const a of exprs) {
      const v = this.valueOf(a, s, depth + 1);
      if (v.kind === 'acquire') return v;
      if (v.kind === 'copy') for (const t of tokensOf(v.set)) set.add(t);
    }
    return set.size ? { kind: 'copy', set } : { kind: 'other' };
  }

  /** What `recv.accept()` returns: a connection when `recv` is (or holds) a server socket or channel. */
  private acceptKind(recv: Node, s: State): ResourceKind | null {
    for (const t of this.tokensIn(recv, s)) {
      const k = this.tokens.get(t)?.kind;
      const a = k && k !== 'param' ? acceptedKind(k) : null;
      if (a) return a;
    }
    const name = recv.type === 'identifier' ? recv.text : recv.type === 'field_access' ? recv.childForFieldName('field')?.text : undefined;
    const type = name ? this.typeOf(name) : undefined;
    return type ? ACCEPTING_TYPES.get(type) ?? null : null;
  }

  /** Where an assignment stores: a local, storage that outlives the function (a field, an array), or nothing tracked. */
  private target(lhs: Node): Target {
    const n = strip(lhs);
    if (!n) return { kind: 'ignore' };
    if (n.type === 'identifier') return this.isLocal(n.text) ? { kind: 'local', key: n.text } : { kind: 'escape' };
    if (n.type === 'field_access' || n.type === 'array_access') return { kind: 'escape' };
    return { kind: 'ignore' };
  }

  private bind(s: State, target: Target, value: Value, site: Node): void {
    if (target.kind === 'ignore') return;
    if (target.kind === 'escape') {
      this.escapeValue(s, value, site);
      return;
    }
    const key = target.key;
    if (value.kind === 'copy' && value.set === s.vars.get(key)) return;
    this.overwrite(s, key, site);
    switch (value.kind) {
      case 'acquire': {
        const token = this.token(value.call, value.rk, key, site);
        // A non-blocking ServerSocketChannel.accept() returns null when no connection is pending.
        s.vars.set(key, value.call.type === 'method_invocation' && value.rk === 'channel' ? new Set([token, NULL]) : new Set([token]));
        this.holder(token, key);
        return;
      }
      case 'copy':
        if (value.set) {
          s.vars.set(key, new Set(value.set));
          for (const t of tokensOf(value.set)) this.holder(t, key);
        } else s.vars.delete(key);
        return;
      case 'null':
        s.vars.set(key, new Set([NULL]));
        return;
      case 'other':
        s.vars.delete(key);
        return;
    }
  }

  private holder(token: string, key: string): void {
    let set = this.holders.get(token);
    if (!set) this.holders.set(token, (set = new Set()));
    set.add(key);
  }

  private token(call: Node, rk: ResourceKind, origin: string, bind: Node): string {
    const id = `T${call.startIndex}`;
    if (!this.tokens.has(id)) this.tokens.set(id, { id, call, kind: rk, origin, bind, paramIndex: -1, captured: false });
    return id;
  }

  /** Assigning over `key`: an open resource that no other variable holds is lost. */
  private overwrite(s: State, key: string, site: Node): void {
    const set = s.vars.get(key);
    if (!set) return;
    const self = new Set([key]);
    const lost = tokensOf(set).filter((t) => !heldElsewhere(s, t, self) && (this.tokens.get(t)?.paramIndex ?? -1) < 0);
    if (!lost.length || !this.recording || this.mode !== 'report') return;
    const id = `overwrite:${site.startIndex}:${key}`;
    const rec = this.leaks.get(id);
    if (rec) for (const t of lost) rec.tokens.add(t);
    else this.leaks.set(id, { exit: { kind: 'overwrite', node: site }, site: null, variable: key, tokens: new Set(lost), value: new Set(set) });
  }

  // ---------------------------------------------------------------- calls

  private call(call: Node, s: State): void {
    const name = call.childForFieldName('name')?.text ?? '';
    const args = callArgs(call);
    const recvNode = call.childForFieldName('object');
    const recv = strip(recvNode);
    if (name === 'close' && args.length === 0) {
      if (recv) this.drop(s, this.tokensIn(recv, s), call, 'release');
      return;
    }
    if (CLOSE_HELPERS.has(name) && args.length === 1) {
      this.drop(s, this.tokensIn(args[0], s), call, 'release');
      return;
    }
    if (this.ctx.ownershipTransfers.has(name) || (recvNode && this.ctx.ownershipTransfers.has(`${recvNode.text}.${name}`))) {
      for (const a of args) this.drop(s, this.tokensIn(a, s), call, 'escape');
      return;
    }
    if (HANDOFF_METHODS.has(name) && args.length > 0) {
      this.handOff(s, args, call);
      return;
    }
    if (name === REGISTER_METHOD && recv) {
      // The selector's key set refers to the channel now; the event loop closes it.
      this.drop(s, this.tokensIn(recv, s), call, 'escape');
    }
    if (STORE_METHODS.has(name) && recv && args.some((a) => this.tokensIn(a, s).length)) {
      const stored = args.flatMap((a) => this.tokensIn(a, s));
      if (recv.type === 'identifier' && this.isLocal(recv.text)) {
        // A local collection holds them now (and leaks them if it is dropped).
        const set = s.vars.get(recv.text) ?? new Set<string>();
        for (const t of stored) {
          set.add(t);
          this.holder(t, recv.text);
        }
        s.vars.set(recv.text, set);
      } else {
        this.drop(s, stored, call, 'escape');
      }
      return;
    }
    const summary = !recv || recv.type === 'this' ? this.ctx.methodSummary(name, args.length) : undefined;
    if (summary) {
      this.applySummary(s, summary, args, call);
      return;
    }
    if (name === REGISTER_METHOD || QUIET_METHODS.has(name)) return;
    this.snapshot(s, call);
  }

  private construct(n: Node, s: State): void {
    const type = simpleTypeName(n.childForFieldName('type'));
    const args = callArgs(n);
    if (NEW_ACQUIRE.has(type)) {
      this.snapshot(s, n);
      return;
    }
    if (HANDOFF_CONSTRUCTORS.has(type)) {
      this.handOff(s, args, n);
      return;
    }
    if (isWrapperType(type)) {
      if (THROWING_WRAPPERS.has(type)) this.snapshot(s, n);
      return;
    }
    const summary = this.ctx.constructorSummary(type, args.length);
    if (summary) {
      this.applySummary(s, summary, args, n);
      return;
    }
    if (QUIET_CONSTRUCTORS.has(type) || hasClassBody(n)) return;
    this.snapshot(s, n);
  }

  private applySummary(s: State, summary: Summary, args: Node[], site: Node): void {
    if (summary.mayThrow) this.snapshot(s, site);
    args.forEach((a, i) => {
      if (summary.releases[i]) this.drop(s, this.tokensIn(a, s), site, 'release');
      else if (summary.escapes[i]) this.drop(s, this.tokensIn(a, s), site, 'escape');
    });
  }

  /**
   * `new Thread(...)`, `executor.submit(...)`: every variable the arguments mention (directly, or
   * captured by a lambda or an anonymous class) now belongs to the other thread. The lambdas and
   * run()/call() methods among the arguments are analysed with those resources as their own.
   */
  private handOff(s: State, args: Node[], site: Node): void {
    const handlers: Node[] = [];
    const mentioned = new Set<string>();
    const stack: Node[] = [...args];
    let budget = 100000;
    while (stack.length && budget-- > 0) {
      const n = stack.pop()!;
      if (n.type === 'identifier' && this.isLocal(n.text)) mentioned.add(n.text);
      if (n.type === 'lambda_expression') handlers.push(n);
      if (n.type === 'method_declaration' && ['run', 'call'].includes(n.childForFieldName('name')?.text ?? '')) handlers.push(n);
      for (let i = 0; i < n.namedChildCount; i++) {
        const c = n.namedChild(i);
        if (c) stack.push(c);
      }
    }
    for (const name of mentioned) {
      const tokens = tokensOf(s.vars.get(name));
      if (this.recording && this.mode === 'report') {
        for (const h of handlers) {
          if (!mentionsFree(h, name)) continue;
          for (const t of tokens) {
            const info = this.tokens.get(t);
            if (info && info.paramIndex < 0) this.ctx.handOver(h, name, info);
          }
        }
      }
      this.drop(s, tokens, site, 'escape');
    }
  }

  /** The resources in `tokens` are closed or handed over: every variable holding them lets go. */
  private drop(s: State, tokens: string[], site: Node, how: 'release' | 'escape'): void {
    if (!tokens.length) return;
    const marker = how === 'release' ? releasedAt(site.startIndex) : escapedAt(site.startIndex);
    for (const [, set] of s.vars) {
      let hit = false;
      for (const t of tokens) if (set.delete(t)) hit = true;
      if (hit) set.add(marker);
    }
    for (const t of tokens) {
      if (how === 'escape' && this.recording) {
        const list = this.escaped.get(t) ?? [];
        if (!list.includes(site)) list.push(site);
        this.escaped.set(t, list);
      }
      const info = this.tokens.get(t);
      if (info && info.paramIndex >= 0) {
        if (how === 'release') this.paramReleased[info.paramIndex] = true;
        else this.paramEscaped[info.paramIndex] = true;
      }
    }
  }

  private escapeValue(s: State, value: Value, site: Node): void {
    if (value.kind === 'copy') this.drop(s, tokensOf(value.set), site, 'escape');
  }

  // ---------------------------------------------------------------- null checks

  private refine(s: State, cond: Node, branch: boolean): void {
    const facts = this.nullFacts(cond, branch, 0);
    for (const name of facts.isNull) {
      const killed = tokensOf(s.vars.get(name));
      for (const [, set] of s.vars) {
        let hit = false;
        for (const t of killed) if (set.delete(t)) hit = true;
        if (hit) set.add(NULL);
      }
      s.vars.set(name, new Set([NULL]));
    }
    for (const name of facts.nonNull) {
      const set = s.vars.get(name);
      if (!set) continue;
      set.delete(NULL);
      set.delete(UNSET);
      if (!set.size) s.vars.delete(name);
    }
  }

  private nullFacts(cond: Node, branch: boolean, depth: number): NullFacts {
    const none: NullFacts = { isNull: new Set(), nonNull: new Set() };
    const e = strip(cond);
    if (!e || depth > 100) return none;
    if (e.type === 'unary_expression' && e.childForFieldName('operator')?.type === '!') {
      const arg = e.childForFieldName('operand');
      return arg ? this.nullFacts(arg, !branch, depth + 1) : none;
    }
    if (e.type !== 'binary_expression') return none;
    const op = e.childForFieldName('operator')?.type ?? '';
    const l = strip(e.childForFieldName('left'));
    const r = strip(e.childForFieldName('right'));
    if (!l || !r) return none;
    if (op === '&&' || op === '||') {
      const a = this.nullFacts(l, branch, depth + 1);
      const b = this.nullFacts(r, branch, depth + 1);
      if ((op === '&&') === branch) return { isNull: new Set([...a.isNull, ...b.isNull]), nonNull: new Set([...a.nonNull, ...b.nonNull]) };
      return { isNull: new Set([...a.isNull].filter((x) => b.isNull.has(x))), nonNull: new Set([...a.nonNull].filter((x) => b.nonNull.has(x))) };
    }
    if (op !== '==' && op !== '!=') return none;
    const subject = l.type === 'null_literal' ? r : r.type === 'null_literal' ? l : null;
    if (!subject || subject.type !== 'identifier' || !this.isLocal(subject.text)) return none;
    const saysNull = (op === '==') === branch;
    return saysNull ? { isNull: new Set([subject.text]), nonNull: new Set() } : { isNull: new Set(), nonNull: new Set([subject.text]) };
  }

  // ---------------------------------------------------------------- exits

  /** At an exit, every open resource held only by `dying` (all variables when null) leaks. One record per place and variable. */
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
          if (exit.kind !== 'throw') this.paramLive[info.paramIndex] = true;
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
      for (const t of tokens) {
        const site = exit.kind === 'throw' ? this.excSite(s, t) : null;
        const place = site ? site.startIndex : exit.node.startIndex;
        const id = `${exit.kind}:${place}:${exit.node.endIndex}:${variable}`;
        const rec = this.leaks.get(id);
        const value = s.vars.get(variable) ?? new Set<string>([UNSET]);
        if (rec) {
          rec.tokens.add(t);
          for (const v of value) rec.value.add(v);
        } else this.leaks.set(id, { exit, site, variable, tokens: new Set([t]), value: new Set(value) });
      }
    }
  }

  /** The first call (or throw) after the acquisition that the exception may come from. */
  private excSite(s: State, token: string): Node | null {
    const from = this.tokens.get(token)?.call.startIndex ?? 0;
    let best = -1;
    let first = -1;
    for (const o of s.exc) {
      if (o > from && (best < 0 || o < best)) best = o;
      if (first < 0 || o < first) first = o;
    }
    const at = best >= 0 ? best : first;
    return at >= 0 ? this.sites.get(at) ?? null : null;
  }
}

function hasClassBody(n: Node): boolean {
  return n.namedChildren.some((c) => c?.type === 'class_body');
}

/** Does `fn` use `name` without declaring it (a captured variable)? */
function mentionsFree(fn: Node, name: string): boolean {
  const stack: Node[] = [fn];
  let used = false;
  let budget = 100000;
  while (stack.length && budget-- > 0) {
    const n = stack.pop()!;
    if (n.type === 'identifier' && n.text === name) {
      const p = n.parent;
      if (p && (p.type === 'variable_declarator' || p.type === 'formal_parameter') && p.childForFieldName('name')?.id === n.id) return false;
      if (p && p.type === 'formal_parameters') return false;
      if (p && p.type === 'lambda_expression' && p.childForFieldName('parameters')?.id === n.id) return false;
      if (!(p && p.type === 'method_invocation' && p.childForFieldName('name')?.id === n.id)
        && !(p && p.type === 'field_access' && p.childForFieldName('field')?.id === n.id)) used = true;
    }
    for (let i = 0; i < n.namedChildCount; i++) {
      const c = n.namedChild(i);
      if (c) stack.push(c);
    }
  }
  return used;
}
