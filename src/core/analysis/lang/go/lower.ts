import type { Node } from 'web-tree-sitter';
import { NO_GUARD, type Exit, type ExitKind, type FunctionIr, type Guard, type IrNode, type IrNodeKind, type Op, type Ref, type Target } from '../../ir/ir';
import { firstKid } from '../../syntax';
import type { CfgNode, FunctionCfg } from './cfg';
import { packagePath, type ArgumentUse, type Imports, type ResourceKind } from './names';
import { callArgs, callee, exprList, kids, mentions, parameterNames, unparen, varSpecs } from './syntax';

/**
 * Lowers one Go function to the shared IR (../../ir/ir.ts), over the Go CFG (cfg.ts), whose nodes
 * are the IR's by index. Each variable is a location keyed by its name and declaring scope (`err`
 * of the function, `err#3` of a nested block), so shadowing stays apart. What Go adds:
 * - `x, err := acquire()`: `x` gets the resource, `err` the acquisition's status (`err != nil`
 *   means it failed);
 * - `defer x.Close()` (and a deferred call that closes or hands on x) is lowered as a release where
 *   the defer runs: deferred calls run at every exit after that point, panics included, which is
 *   all the leak analysis needs;
 * - `go f(x)` hands x to a goroutine: released when f closes or hands it on on every path (its
 *   engine summary), handed over when f's code is not in the file, and otherwise lent: still open,
 *   so still leaking, but no release at an exit may be proposed (the goroutine may still use it);
 * - `tc := tls.Client(conn, cfg)` makes `tc` another name of `conn`'s resource: closing, returning
 *   or storing `tc` does that to `conn`, and an exit that leaves both open leaks it (a failed
 *   handshake does not close `conn`);
 * - other wrappers (`tls.Client(conn)` not kept in a local), stores into fields, slices, maps,
 *   composite literals, sends on channels, and configured ownership transfers hand the resource
 *   over; a return hands it to the caller.
 */

export interface GoLowerContext {
  readonly imports: Imports;
  acquisition(call: Node): ResourceKind | null;
  /** What a call does with the resources passed to it (see GoFileContext.argumentUse). */
  argumentUse(call: Node): ArgumentUse | 'unknown' | 'cleanup';
  /** The name under which the engine finds the summary of a call's same-file candidates, or null. */
  summaryName(call: Node): string | null;
  /** Same-file functions a call may run (or the called function literal), or null. */
  targets(call: Node): Node[] | null;
  /** Does `fn` close or hand on parameter `index` (or the captured variable) on every path? */
  consumes(fn: Node, index: number, captured?: string | null): boolean;
  /** Is the call a standard wrapper whose result holds and closes its first argument (`tls.Client(conn, cfg)`)? */
  aliasesFirstArgument(call: Node): boolean;
}

/** One acquisition of the function, by the offset of its call (the engine's token site). */
export interface GoAcquisition {
  readonly call: Node;
  /** The statement that acquires it (short_var_declaration, assignment or var_spec). */
  readonly stmt: Node;
  readonly key: string;
  readonly name: string;
  readonly errVar: string | null;
  readonly kind: ResourceKind;
  /** Acquired inside a loop body of this function. */
  readonly inLoop: boolean;
  /** Assigned to `_`: lost right after the statement (no fix can name it). */
  readonly discarded: boolean;
}

/** A goroutine body that receives the resource (as parameter `param`) without closing it. */
export interface Handler {
  readonly fn: Node;
  readonly param: string | null;
  /** The location handed to it. */
  readonly key: string;
}

export interface LoweredFunction {
  readonly ir: FunctionIr;
  readonly cfg: FunctionCfg;
  readonly acquisitions: ReadonlyMap<number, GoAcquisition>;
  /** Goroutine bodies that receive a resource without closing it, by the offset of the `go` statement (a `lent` marker's `at`). */
  readonly handlers: ReadonlyMap<number, readonly Handler[]>;
}

const NONE: Guard = NO_GUARD;
const NO_REF: Ref = { key: null, prefix: null };
const MAX_WALK = 20000;
const MAX_GUARD_DEPTH = 200;

/** The variable name of a location key (`err#3` is `err`). */
export function variableOf(key: string): string {
  const i = key.indexOf('#');
  return i < 0 ? key : key.slice(0, i);
}

export class GoLowering {
  private readonly acquisitions = new Map<number, GoAcquisition>();
  private readonly handlers = new Map<number, Handler[]>();
  /** The keys that an acquisition assigns, and the parameters: what a function literal may capture. */
  private readonly acquiredKeys = new Set<string>();
  /**
   * Error variables declared outside the function (captured by a literal, or package-level) that an acquisition's
   * error is assigned to (`resp, err = ctx.RoundTrip(req)` in a literal, `err` the enclosing function's): within
   * this function they are locations like its own locals, so `if err != nil` right after still tells whether the
   * call failed. Nothing else of this goroutine runs between the call and a test that follows it; a closure
   * called in between could write it, as it could a captured local of this function, which is read the same way.
   */
  private readonly outerStatus = new Set<string>();
  /** The keys that an HTTP response is acquired into. */
  private readonly responseKeys = new Set<string>();
  /** Releases registered by top-level defer statements, with the offset where each defer ends. */
  private readonly deferredReleases: { at: number; refs: Ref[] }[] = [];
  /** The call of the statement being lowered whose hand-over waits for its success edge (cfg.gated), by offset. */
  private gatedCall = -1;
  /** Aliasing wrapper calls of the statement being lowered, by offset (see aliasing): their argument is not handed over. */
  private aliasCalls = new Set<number>();

  constructor(private readonly cfg: FunctionCfg, private readonly ctx: GoLowerContext, private readonly captured: string | null) {}

  lower(): LoweredFunction {
    const cfg = this.cfg;
    cfg.nodes.forEach((n) => {
      if (n.kind === 'effect' && n.ast) this.findAcquisitions(n);
    });
    // Parameters (tracked in summary mode) may be captured by a literal too.
    for (const p of [...cfg.params, this.captured]) if (p) this.acquiredKeys.add(p);
    const lowered = cfg.nodes.map((n) => this.node(n));
    // A defer among the function's top-level statements runs at every return after it: what it
    // closes is also closed there, including a resource acquired after the defer statement
    // (`var f *os.File; defer func() { if f != nil { f.Close() } }(); ...; f, err = os.Create(p)`).
    const nodes = lowered.map((node, i) => {
      const c = cfg.nodes[i]!;
      if (c.kind !== 'return' && c.kind !== 'end') return node;
      const at = c.exit?.report.startIndex ?? -1;
      const refs = this.deferredReleases.filter((d) => d.at < at).flatMap((d) => d.refs);
      if (!refs.length) return node;
      return { ...node, program: { ...node.program, ops: [...node.program.ops, ...refs.map((ref) => ({ op: 'release' as const, ref }))] } };
    });
    const params = this.captured !== null ? [...cfg.params, this.captured] : cfg.params;
    const ir: FunctionIr = { nodes, entry: cfg.entry, params, start: cfg.fn.startIndex, end: cfg.fn.endIndex, autoReleased: new Set() };
    return { ir, cfg, acquisitions: this.acquisitions, handlers: this.handlers };
  }

  // ------------------------------------------------------------ names

  /** The scope that declares `name` as seen from `scope`, or -1 (package level or unknown). */
  private resolve(name: string, scope: number): number {
    for (let s = scope; s >= 0; s = this.cfg.scopeParent[s] ?? -1) {
      if (this.cfg.declared[s]?.has(name)) return s;
    }
    return name === this.captured ? 0 : -1;
  }

  /** The location key of a variable seen from `scope`, or null for a package-level (or unknown) one. */
  private key(name: string, scope: number): string | null {
    if (name === '_') return null;
    const s = this.resolve(name, scope);
    if (s < 0) return this.outerStatus.has(name) ? `${name}#outer` : null;
    return s === 0 ? name : `${name}#${s}`;
  }

  // ------------------------------------------------------------ nodes

  private node(n: CfgNode): IrNode {
    const ops: Op[] = [];
    const reads: string[] = [];
    let guard: Guard = NONE;
    const ast = n.ast;
    if (ast) {
      switch (n.kind) {
        case 'effect':
          if (n.success) this.succeeded(ast, n.scope, ops);
          else this.statement(ast, n.scope, ops, reads);
          break;
        case 'noreturn':
        case 'return':
          this.statement(ast, n.scope, ops, reads);
          break;
        case 'cond':
          this.effects(ast, n.scope, ops);
          guard = this.guard(ast, n.scope, 0);
          break;
        default:
          break;
      }
    }
    const dying: string[] = [];
    if (n.kind === 'scope') for (const s of n.scopes) for (const name of this.cfg.declared[s] ?? []) dying.push(s === 0 ? name : `${name}#${s}`);
    if (n.discard) dying.push(discardKey(n.discard));
    return {
      kind: irKind(n), succ: n.succ, program: { ops, guard, constant: null, noReturn: n.kind === 'noreturn' },
      exit: exitOf(n), dying, anchor: ast ? ast.startIndex : -1, reads,
    };
  }

  private statement(ast: Node, scope: number, ops: Op[], reads: string[]): void {
    switch (ast.type) {
      case 'defer_statement':
        this.deferStatement(ast, scope, ops);
        return;
      case 'go_statement':
        this.goStatement(ast, scope, ops);
        return;
      default:
        break;
    }
    this.gatedCall = this.cfg.gated.has(ast.id) ? gatedCallOf(ast) : -1;
    this.aliasCalls = this.aliasCallsOf(ast, scope);
    this.effects(ast, scope, ops);
    this.aliasCalls = new Set();
    // `l, err = wrap(l)` with its error checked: until the success edge, what `l` held is kept in a
    // hidden location (the assignment makes `l` the wrapper), so that an alias still names it on the
    // error edge (`var rw io.ReadWriteCloser = conn; rw, err = wrap(rw); if err != nil { return }`).
    if (this.gatedCall >= 0) for (const g of this.gateKeys(ast, scope)) ops.push({ op: 'bind', target: { kind: 'local', key: g.hidden }, value: { kind: 'var', key: g.key }, start: ast.startIndex, end: ast.endIndex });
    this.gatedCall = -1;
    switch (ast.type) {
      case 'short_var_declaration':
      case 'assignment_statement':
        this.assignment(exprList(ast.childForFieldName('left')), exprList(ast.childForFieldName('right')), scope, ops, ast);
        break;
      case 'var_declaration':
        for (const s of varSpecs(ast)) this.assignment(s.childrenForFieldName('name').filter((x): x is Node => !!x), exprList(s.childForFieldName('value')), scope, ops, s);
        break;
      case 'send_statement':
        this.handOver(this.carried(ast.childForFieldName('value'), scope, true), ops);
        break;
      case 'return_statement': {
        const value = firstKid(ast);
        if (!value) {
          // A bare return returns the named results.
          const named = namedResults(this.cfg.fn).map((r) => this.key(r, scope)).filter((k): k is string => k !== null);
          if (named.length) ops.push({ op: 'returned', refs: named.map((key) => ({ key, prefix: null })) });
          for (const k of named) if (!reads.includes(k)) reads.push(k);
        }
        if (value) {
          ops.push({ op: 'returned', refs: this.carried(value, scope, true) });
          for (const id of value.type === 'identifier' ? [value] : value.descendantsOfType('identifier')) {
            const k = id ? this.key(id.text, scope) : null;
            if (k && !reads.includes(k) && !this.readsOtherField(id!, k)) reads.push(k);
          }
        }
        break;
      }
      default:
        break;
    }
  }

  /** `resp.StatusCode` reads a field of an HTTP response, not the body that is closed. */
  private readsOtherField(id: Node, key: string): boolean {
    const p = id.parent;
    return this.responseKeys.has(key) && p?.type === 'selector_expression' && p.childForFieldName('operand')?.id === id.id &&
      p.childForFieldName('field')?.text !== 'Body';
  }

  // ------------------------------------------------------------ acquisitions and assignments

  private findAcquisitions(n: CfgNode): void {
    const stmt = n.ast!;
    const forms: { left: Node[]; right: Node[]; stmt: Node }[] = [];
    if (stmt.type === 'short_var_declaration' || (stmt.type === 'assignment_statement' && stmt.childForFieldName('operator')?.text === '=')) {
      forms.push({ left: exprList(stmt.childForFieldName('left')), right: exprList(stmt.childForFieldName('right')), stmt });
    } else if (stmt.type === 'var_declaration') {
      for (const s of varSpecs(stmt)) forms.push({ left: s.childrenForFieldName('name').filter((x): x is Node => !!x), right: exprList(s.childForFieldName('value')), stmt: s });
    }
    for (const f of forms) {
      // A local given an aliasing wrapper of a tracked variable names that resource too (a literal may close it).
      if (f.left.length === f.right.length) {
        f.left.forEach((l, i) => {
          const a = this.aliasing(l, f.right[i]!, n.scope);
          if (a) this.acquiredKeys.add(a.target);
        });
      }
      const call = unparen(f.right[0] ?? null);
      if (f.right.length !== 1 || !call || call.type !== 'call_expression' || f.left.length > 2) continue;
      const kind = this.ctx.acquisition(call);
      const target = f.left[0];
      if (!kind || !target || target.type !== 'identifier') continue;
      if (acceptsAfterClose(call, f.stmt)) continue;
      const discarded = target.text === '_' && f.stmt.type !== 'var_spec';
      const key = discarded ? discardKey(f.stmt) : this.key(target.text, n.scope);
      if (!key) continue; // a package-level variable: stored
      const errNode = f.left[1];
      const errVar = errNode && errNode.type === 'identifier' && errNode.text !== '_' ? errNode.text : null;
      if (errVar && f.stmt.type === 'assignment_statement' && this.resolve(errVar, n.scope) < 0) this.outerStatus.add(errVar);
      // A test that requires the call to fail and discards the result, or reads it only where it reports that
      // the call succeeded: its passing run acquires nothing.
      if (errVar && [...this.ctx.imports.values()].includes('testing') && expectsFailure(f.stmt, errVar) &&
        (discarded || (f.stmt.type === 'short_var_declaration' && onlyWhereFailing(f.stmt, target.text, errVar)))) continue;
      this.acquiredKeys.add(key);
      if (kind === 'response') this.responseKeys.add(key);
      this.acquisitions.set(call.startIndex, { call, stmt: f.stmt, key, name: target.text, errVar, kind, inLoop: this.inLoop(f.stmt), discarded });
    }
  }

  private inLoop(stmt: Node): boolean {
    for (let p = stmt.parent; p && p.id !== this.cfg.fn.id; p = p.parent) {
      if (p.type === 'for_statement') return true;
      if (p.type === 'func_literal') return false;
    }
    return false;
  }

  private assignment(left: readonly Node[], right: readonly Node[], scope: number, ops: Op[], stmt: Node): void {
    const start = stmt.startIndex;
    const end = stmt.endIndex;
    const call = right.length === 1 ? unparen(right[0]!) : null;
    const acq = call?.type === 'call_expression' ? this.acquisitions.get(call.startIndex) : undefined;
    if (call && acq && left[0]?.type === 'identifier') {
      const site = { start: call.startIndex, end: call.endIndex, call: callee(call, this.ctx.imports).text, resource: acq.kind, validity: 'pointer' as const };
      ops.push({ op: 'bind', target: { kind: 'local', key: acq.key }, value: { kind: 'acquire', ...site }, start, end });
      const err = acq.errVar ? this.key(acq.errVar, scope) : null;
      if (err) ops.push({ op: 'bind', target: { kind: 'local', key: err }, value: { kind: 'status', start: call.startIndex }, start, end });
      return;
    }
    if (left.length !== right.length) {
      // `a, b := f(x)`: the results are nothing tracked; what the call keeps was handled as a call.
      for (const r of right) this.handOver(this.carried(r, scope, false), ops);
      for (const l of left) {
        const t = this.target(l, scope);
        if (t.kind === 'local') ops.push({ op: 'bind', target: t, value: { kind: 'other' }, start, end });
      }
      return;
    }
    left.forEach((l, i) => this.bind(l, right[i]!, scope, ops, start, end));
  }

  private bind(l: Node, r: Node, scope: number, ops: Op[], start: number, end: number): void {
    const target = this.target(l, scope);
    if (target.kind === 'ignore') return; // `_ = conn` hands nothing on
    const v = unparen(r);
    const alias = this.aliasing(l, r, scope);
    if (alias) {
      if (alias.source !== alias.target) ops.push({ op: 'bind', target, value: { kind: 'var', key: alias.source }, start, end });
      return;
    }
    if (target.kind === 'local' && v?.type === 'identifier') {
      const k = this.key(v.text, scope);
      ops.push({ op: 'bind', target, value: k ? { kind: 'var', key: k } : { kind: 'other' }, start, end });
      return;
    }
    if (target.kind === 'local' && v?.type === 'nil') {
      ops.push({ op: 'bind', target, value: { kind: 'invalid' }, start, end });
      return;
    }
    // Fields, slice and map elements, package variables, and locals given a wrapped value take it;
    // a field or package variable also takes what a wrapper it is given keeps (`s.r = bufio.NewReader(conn)`).
    this.handOver(this.carried(r, scope, false, target.kind === 'escape'), ops);
    if (target.kind === 'local') ops.push({ op: 'bind', target, value: { kind: 'other' }, start, end });
  }

  private target(l: Node, scope: number): Target {
    const n = unparen(l);
    if (!n) return { kind: 'ignore' };
    if (n.type === 'identifier') {
      if (n.text === '_') return { kind: 'ignore' };
      const k = this.key(n.text, scope);
      return k ? { kind: 'local', key: k } : { kind: 'escape' };
    }
    return { kind: 'escape' };
  }

  /**
   * `tc := tls.Client(conn, cfg)` (or `=` to a local): the local `target` becomes another name of the
   * tracked variable `source` given as the wrapper's first argument. Null for any other assignment.
   */
  private aliasing(l: Node, r: Node, scope: number): { target: string; source: string; call: Node } | null {
    const t = unparen(l);
    const call = unparen(r);
    if (t?.type !== 'identifier' || call?.type !== 'call_expression' || !this.ctx.aliasesFirstArgument(call)) return null;
    const target = this.key(t.text, scope);
    const arg = unparen(callArgs(call)[0] ?? null);
    const source = arg?.type === 'identifier' ? this.key(arg.text, scope) : null;
    return target && source ? { target, source, call } : null;
  }

  /** The aliasing wrapper calls (see aliasing) an assignment or declaration statement makes, by offset. */
  private aliasCallsOf(stmt: Node, scope: number): Set<number> {
    const out = new Set<number>();
    const pairs: [Node[], Node[]][] = [];
    if (stmt.type === 'short_var_declaration' || stmt.type === 'assignment_statement') {
      if (stmt.type === 'short_var_declaration' || stmt.childForFieldName('operator')?.text === '=') pairs.push([exprList(stmt.childForFieldName('left')), exprList(stmt.childForFieldName('right'))]);
    } else if (stmt.type === 'var_declaration') {
      for (const v of varSpecs(stmt)) pairs.push([v.childrenForFieldName('name').filter((x): x is Node => !!x), exprList(v.childForFieldName('value'))]);
    }
    for (const [left, right] of pairs) {
      if (left.length !== right.length) continue;
      left.forEach((l, i) => {
        const a = this.aliasing(l, right[i]!, scope);
        if (a) out.add(a.call.startIndex);
      });
    }
    return out;
  }

  private handOver(refs: readonly Ref[], ops: Op[]): void {
    if (refs.length) ops.push({ op: 'transfer', refs });
  }

  // ------------------------------------------------------------ expressions

  /**
   * The locations an expression hands on as a value. Shallow: the expression itself, `&x`, `x.Body`,
   * composite literal elements, `append(..., x)`, wrapping calls. Deep (returns, sends, goroutines
   * whose code is elsewhere): also arguments of any call except the standard functions that only
   * read or wrap without owning.
   */
  private carried(expr: Node | null, scope: number, deep: boolean, keeping = deep): Ref[] {
    const out: Ref[] = [];
    const stack: Node[] = expr ? [expr] : [];
    let budget = MAX_WALK;
    while (stack.length && budget-- > 0) {
      const x = unparen(stack.pop()!);
      if (!x) continue;
      switch (x.type) {
        case 'identifier': {
          const k = this.key(x.text, scope);
          if (k) out.push({ key: k, prefix: null });
          break;
        }
        case 'selector_expression': {
          const op = unparen(x.childForFieldName('operand'));
          if (op?.type === 'identifier' && x.childForFieldName('field')?.text === 'Body') stack.push(op);
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
          const use = c.text === 'append' ? 'owns' : this.ctx.argumentUse(x);
          if (use === 'owns' || (keeping && use === 'keeps') || (deep && use !== 'reads')) stack.push(...callArgs(x));
          break;
        }
        default:
          break;
      }
    }
    return out;
  }

  /** The location an argument names (`x`, `&x`, `x.Body`), for a call's summary. */
  private argRef(arg: Node, scope: number): Ref {
    let x = unparen(arg);
    if (x?.type === 'unary_expression' && x.childForFieldName('operator')?.text === '&') x = unparen(x.childForFieldName('operand'));
    if (x?.type === 'selector_expression' && x.childForFieldName('field')?.text === 'Body') x = unparen(x.childForFieldName('operand'));
    const k = x?.type === 'identifier' ? this.key(x.text, scope) : null;
    return k ? { key: k, prefix: null } : NO_REF;
  }

  /** Calls, composite literals and `&x` inside a statement or expression (function literals are not entered). */
  private effects(root: Node, scope: number, ops: Op[]): void {
    const stack: Node[] = [root];
    let budget = MAX_WALK;
    while (stack.length && budget-- > 0) {
      const x = stack.pop()!;
      if (x.type === 'func_literal') {
        // A literal kept as a value (stored in a field or variable, returned) that closes or hands
        // on a resource it captures takes it along (`opts.OpenFile = func() (*os.File, error) { return f, nil }`).
        // Called literals and literal arguments are handled with their call.
        const p = x.parent;
        const called = p?.type === 'call_expression' && p.childForFieldName('function')?.id === x.id;
        if (!called && p?.type !== 'argument_list') for (const h of this.capturedBy(x, scope)) if (h.consumed) this.handOver([h.ref], ops);
        continue;
      }
      if (x.type === 'call_expression') this.call(x, scope, ops);
      else if (x.type === 'composite_literal' || (x.type === 'unary_expression' && x.childForFieldName('operator')?.text === '&')) {
        this.handOver(this.carried(x, scope, false), ops);
      }
      for (let i = x.namedChildCount - 1; i >= 0; i--) {
        const c = x.namedChild(i);
        if (c) stack.push(c);
      }
    }
  }

  /** The location `x.Close()` releases: `conn.Close()`, `resp.Body.Close()`. */
  private closed(call: Node, scope: number): Ref | null {
    const c = callee(call, this.ctx.imports);
    if (c.name !== 'Close' || !c.operand || c.pkg !== undefined || callArgs(call).length !== 0) return null;
    const r = this.argRef(c.operand, scope);
    return r.key ? r : null;
  }

  private call(call: Node, scope: number, ops: Op[]): void {
    const closed = this.closed(call, scope);
    if (closed) ops.push({ op: 'release', ref: closed });
    const f = unparen(call.childForFieldName('function'));
    if (f?.type === 'func_literal') {
      // `func() { defer x.Close(); ... }()`: the literal runs here.
      for (const h of this.handOff(call, scope)) if (h.consumed) ops.push({ op: 'release', ref: h.ref });
      return;
    }
    const use = this.ctx.argumentUse(call);
    const args = callArgs(call);
    // A function literal given to a call is run by it (now, or later as a callback): what the literal
    // closes or hands on is the callee's to close (`t.Cleanup(func() { x.Close() })` releases it).
    for (const a of args) {
      const lit = unparen(a);
      if (lit?.type !== 'func_literal') continue;
      for (const h of this.capturedBy(lit, scope)) if (h.consumed) ops.push(use === 'cleanup' ? { op: 'release', ref: h.ref } : { op: 'transfer', refs: [h.ref] });
    }
    if (use === 'owns') {
      // An aliasing wrapper kept in a local: its first argument stays the function's, under both names.
      const kept = this.aliasCalls.has(call.startIndex) ? args.slice(1) : args;
      for (const a of kept) this.handOver(this.carried(a, scope, false), ops);
      return;
    }
    if (use === 'unknown') {
      // No summary and no table entry: the callee may keep what it is given. When the statement's
      // error is checked right after (`x, err := wrap(conn); if err != nil`), only on success.
      // On the error edge the callee may still have closed it: still reported, but no close is offered.
      const refs = args.map((a) => this.argRef(a, scope)).filter((r) => r.key);
      if (call.startIndex !== this.gatedCall) this.handOver(refs, ops);
      else if (refs.length) ops.push({ op: 'lend', refs });
      return;
    }
    const name = this.ctx.summaryName(call);
    if (name && args.length) ops.push({ op: 'summary', name, refs: args.map((a) => this.argRef(a, scope)) });
  }

  /** The success edge of a gated statement: its call takes over what it was given. */
  private succeeded(stmt: Node, scope: number, ops: Op[]): void {
    const at = gatedCallOf(stmt);
    const call = stmt.descendantsOfType('call_expression').find((c) => c?.startIndex === at);
    if (!call || this.ctx.argumentUse(call) !== 'unknown') return;
    const hidden = this.gateKeys(stmt, scope).map((g): Ref => ({ key: g.hidden, prefix: null }));
    this.handOver([...callArgs(call).map((a) => this.argRef(a, scope)).filter((r) => r.key), ...hidden], ops);
  }

  /**
   * For a gated `l, err = wrap(l)` whose callee may keep its arguments: each argument variable the
   * statement assigns over, and the hidden location that keeps its old value until the success edge.
   */
  private gateKeys(stmt: Node, scope: number): { key: string; hidden: string }[] {
    if (!assignsArgument(stmt)) return [];
    const at = gatedCallOf(stmt);
    const call = stmt.descendantsOfType('call_expression').find((c) => c?.startIndex === at);
    if (!call || this.ctx.argumentUse(call) !== 'unknown') return [];
    const names = new Set(exprList(stmt.childForFieldName('left')).filter((l) => l.type === 'identifier').map((l) => l.text));
    const out: { key: string; hidden: string }[] = [];
    for (const a of callArgs(call)) {
      const x = unparen(a);
      const key = x?.type === 'identifier' && names.has(x.text) ? this.key(x.text, scope) : null;
      if (key && !out.some((g) => g.key === key)) out.push({ key, hidden: gateKey(key, at) });
    }
    return out;
  }

  /** `defer x.Close()`, `defer func() { x.Close() }()`, `defer closeIt(x)`: released where the defer runs (see the header). */
  private deferStatement(stmt: Node, scope: number, ops: Op[]): void {
    const call = unparen(firstKid(stmt));
    if (!call || call.type !== 'call_expression') return;
    const closed = this.closed(call, scope);
    if (closed) ops.push({ op: 'release', ref: closed });
    const use = this.ctx.argumentUse(call);
    if (use === 'owns' || use === 'unknown') for (const a of callArgs(call)) this.handOver(this.carried(a, scope, false), ops);
    // A deferred literal that closes the variable on some path (`defer func() { if !keep { c.Close() } }()`)
    // closes it unless a flag says the function handed it on: what it does is the function's own decision.
    const lit = unparen(call.childForFieldName('function'));
    const released: Ref[] = closed ? [closed] : [];
    for (const h of this.handOff(call, scope)) {
      if (h.consumed || (lit?.type === 'func_literal' && h.handler.param !== null && closesSomewhere(lit, h.handler.param))) {
        ops.push({ op: 'release', ref: h.ref });
        released.push(h.ref);
      }
    }
    const body = this.cfg.fn.childForFieldName('body');
    if (released.length && stmt.parent?.type === 'statement_list' && stmt.parent.parent?.id === body?.id) this.deferredReleases.push({ at: stmt.endIndex, refs: released });
  }

  private goStatement(stmt: Node, scope: number, ops: Op[]): void {
    const call = unparen(firstKid(stmt));
    if (!call || call.type !== 'call_expression') return;
    // The function value, like the arguments, is evaluated here, before the goroutine starts: the calls in a
    // method's receiver run in this function (`go newConn(conn, s).serve()`: newConn gets conn now).
    const f = unparen(call.childForFieldName('function'));
    if (f?.type === 'selector_expression') {
      const recv = f.childForFieldName('operand');
      if (recv) this.effects(recv, scope, ops);
    }
    for (const a of callArgs(call)) this.effects(a, scope, ops);
    if (!this.ctx.targets(call)) {
      // A goroutine running code we cannot see: assume it owns what it is given.
      for (const a of callArgs(call)) this.handOver(this.carried(a, scope, true), ops);
      return;
    }
    const lent: Ref[] = [];
    for (const h of this.handOff(call, scope)) {
      if (h.consumed) {
        ops.push({ op: 'release', ref: h.ref });
        continue;
      }
      lent.push(h.ref);
      const list = this.handlers.get(stmt.startIndex) ?? [];
      if (!list.some((x) => x.fn.id === h.handler.fn.id && x.param === h.handler.param && x.key === h.handler.key)) list.push(h.handler);
      this.handlers.set(stmt.startIndex, list);
    }
    if (lent.length) ops.push({ op: 'lend', refs: lent });
  }

  /** The locations a deferred or `go` call hands to a same-file function body, and whether that body consumes them. */
  private handOff(call: Node, scope: number): { ref: Ref; consumed: boolean; handler: Handler }[] {
    const fns = this.ctx.targets(call);
    if (!fns) return [];
    const out: { ref: Ref; consumed: boolean; handler: Handler }[] = [];
    const fn = fns[0]!;
    const params = parameterNames(fn);
    callArgs(call).forEach((a, index) => {
      const refs = this.carried(a, scope, false);
      if (!refs.length) return;
      const consumed = fns.every((f) => parameterNames(f)[index] !== undefined && parameterNames(f)[index] !== null && this.ctx.consumes(f, index));
      for (const ref of refs) if (ref.key) out.push({ ref, consumed, handler: { fn, param: params[index] ?? null, key: ref.key } });
    });
    if (fn.type === 'func_literal') out.push(...this.capturedBy(fn, scope));
    return out;
  }

  /** The function's resources a function literal uses (captures), and whether it closes or hands each on on every path. */
  private capturedBy(fn: Node, scope: number): { ref: Ref; consumed: boolean; handler: Handler }[] {
    const out: { ref: Ref; consumed: boolean; handler: Handler }[] = [];
    const own = new Set(parameterNames(fn));
    const body = fn.childForFieldName('body');
    for (const key of this.acquiredKeys) {
      const name = variableOf(key);
      if (own.has(name) || !body || this.key(name, scope) !== key || !mentions(body, name)) continue;
      out.push({ ref: { key, prefix: null }, consumed: this.ctx.consumes(fn, -1, name), handler: { fn, param: name, key } });
    }
    return out;
  }

  // ------------------------------------------------------------ guards

  /** `x == nil`, `x != nil`, `!`, `&&`, `||`: what the condition says about the variables' values. */
  private guard(cond: Node, scope: number, depth: number): Guard {
    const x = unparen(cond);
    if (!x || depth > MAX_GUARD_DEPTH) return NONE;
    if (x.type === 'unary_expression' && x.childForFieldName('operator')?.text === '!') {
      const a = x.childForFieldName('operand');
      return a ? { g: 'not', a: this.guard(a, scope, depth + 1) } : NONE;
    }
    const nonNil = this.impliesNonNil(x, scope);
    // True only where the error is not nil; false says nothing of it (`and` with nothing on its other side).
    if (nonNil) return { g: 'and', a: { g: 'cmp', subject: { kind: 'key', key: nonNil }, rel: '!=', c: 0 }, b: NONE, bAcquires: [] };
    if (x.type !== 'binary_expression') return NONE;
    const op = x.childForFieldName('operator')?.text;
    const l = x.childForFieldName('left');
    const r = x.childForFieldName('right');
    if (!l || !r) return NONE;
    if (op === '&&' || op === '||') {
      return { g: op === '&&' ? 'and' : 'or', a: this.guard(l, scope, depth + 1), b: this.guard(r, scope, depth + 1), bAcquires: [] };
    }
    if (op !== '==' && op !== '!=') return NONE;
    const lu = unparen(l);
    const ru = unparen(r);
    const other = lu?.type === 'nil' ? ru : ru?.type === 'nil' ? lu : null;
    const key = other?.type === 'identifier' ? this.key(other.text, scope) : null;
    return key ? { g: 'cmp', subject: { kind: 'key', key }, rel: op, c: 0 } : NONE;
  }

  /**
   * The key of the variable a condition that holds only where it is not nil tests:
   * - `ok` of the if statement's own initializer `v, ok := err.(T)` (a type assertion on a nil interface fails);
   * - `errors.As(err, &target)` (false for a nil error);
   * - `errors.Is(err, S)` with `S` a sentinel that is not nil: a package-qualified name (`net.ErrClosed`) or a
   *   package-level variable of the file initialised with something other than `nil` (`errors.Is(nil, S)` is
   *   `nil == S`, false for a non-nil `S`; `errors.Is(err, nil)` is `err == nil`).
   * Their being false proves nothing (`err` may be another error). Null for any other condition.
   */
  private impliesNonNil(x: Node, scope: number): string | null {
    const errKey = (e: Node | null | undefined): string | null => {
      const u = unparen(e ?? null);
      return u?.type === 'identifier' ? this.key(u.text, scope) : null;
    };
    const global = (name: string) => this.resolve(name, scope) < 0 && !this.outerStatus.has(name);
    if (x.type === 'identifier') {
      // `ok` anywhere in the condition of the if whose initializer declares it (not inside a function literal).
      let below: Node = x;
      let p: Node | null = x.parent;
      while (p && p.type !== 'if_statement' && p.type !== 'func_literal' && !p.type.endsWith('_statement')) {
        below = p;
        p = p.parent;
      }
      return p?.type === 'if_statement' && p.childForFieldName('condition')?.id === below.id ? this.assertedIn(p, x, errKey) : null;
    }
    if (x.type !== 'call_expression') return null;
    const f = unparen(x.childForFieldName('function'));
    if (f?.type !== 'selector_expression') return null;
    const pkg = unparen(f.childForFieldName('operand'));
    const name = f.childForFieldName('field')?.text;
    if (pkg?.type !== 'identifier' || !global(pkg.text) || packagePath(this.ctx.imports, pkg.text) !== 'errors') return null;
    const args = callArgs(x);
    if (args.length !== 2) return null;
    if (name === 'As') return errKey(args[0]);
    if (name !== 'Is') return null;
    const target = unparen(args[1]!);
    if (!target) return null;
    if (target.type === 'selector_expression') {
      const q = unparen(target.childForFieldName('operand'));
      return q?.type === 'identifier' && global(q.text) && packagePath(this.ctx.imports, q.text) !== undefined ? errKey(args[0]) : null;
    }
    return target.type === 'identifier' && global(target.text) && packageVarNotNil(x, target.text) ? errKey(args[0]) : null;
  }

  /** The error `ok` (read in `ifStmt`'s condition) tells is not nil: `v, ok := err.(T)` as the if's initializer. */
  private assertedIn(ifStmt: Node, ok: Node, errKey: (e: Node | null | undefined) => string | null): string | null {
    const init = ifStmt.childForFieldName('initializer');
    if (init?.type !== 'short_var_declaration') return null;
    const left = exprList(init.childForFieldName('left'));
    const right = exprList(init.childForFieldName('right'));
    if (left.length !== 2 || right.length !== 1 || left[1]!.text !== ok.text || left[0]!.text === ok.text) return null;
    const assertion = unparen(right[0]!);
    if (assertion?.type !== 'type_assertion_expression') return null;
    const operand = assertion.childForFieldName('operand');
    // `err, ok := err.(T)` declares another `err`: the condition's `err` is no longer the one asserted on.
    return left.some((l) => l.text === unparen(operand)?.text) ? null : errKey(operand);
  }
}

/** Is `name` a variable of the file's package level initialised with something other than `nil`? */
function packageVarNotNil(at: Node, name: string): boolean {
  for (const decl of at.tree.rootNode.namedChildren) {
    if (decl?.type !== 'var_declaration') continue;
    for (const spec of decl.descendantsOfType('var_spec')) {
      if (!spec) continue;
      const names = spec.childrenForFieldName('name').filter((n): n is Node => !!n).map((n) => n.text);
      const i = names.indexOf(name);
      if (i < 0) continue;
      const value = exprList(spec.childForFieldName('value'))[i];
      const u = value ? unparen(value) : null;
      return !!u && u.type !== 'nil';
    }
  }
  return false;
}

/** `err == nil`, alone or as the first operand of `||` (`err == nil || !strings.Contains(…)`). */
function isNilTest(cond: Node | null, err: string): boolean {
  const x = unparen(cond);
  if (x?.type !== 'binary_expression') return false;
  const op = x.childForFieldName('operator')?.text;
  if (op === '||') return isNilTest(x.childForFieldName('left'), err);
  if (op !== '==') return false;
  const l = unparen(x.childForFieldName('left'));
  const r = unparen(x.childForFieldName('right'));
  return (l?.type === 'identifier' && l.text === err && r?.type === 'nil') || (r?.type === 'identifier' && r.text === err && l?.type === 'nil');
}

const FAILS_TEST = /^(Fatal|Fatalf|Error|Errorf|Fail|FailNow)$/;
const ASSERTS_ERROR = /^(Error|ErrorIs|ErrorAs|ErrorContains|EqualError)f?$/;

/**
 * Does the test require the statement's call to fail: right after it, `if err == nil { t.Fatal(…) }`
 * (or `t.Error…`), or `require.Error(t, err)` / `assert.ErrorIs(t, err, …)`; or it is the initializer
 * of such an if?
 */
function expectsFailure(stmt: Node, err: string): boolean {
  const failsIn = (n: Node | null) => !!n && n.descendantsOfType('call_expression').some((c) => {
    const f = c ? unparen(c.childForFieldName('function')) : null;
    return f?.type === 'selector_expression' && FAILS_TEST.test(f.childForFieldName('field')?.text ?? '');
  });
  const parent = stmt.parent;
  if (parent?.type === 'if_statement' && parent.childForFieldName('initializer')?.id === stmt.id) {
    return isNilTest(parent.childForFieldName('condition'), err) && failsIn(parent.childForFieldName('consequence'));
  }
  const next = stmt.nextNamedSibling;
  if (!next) return false;
  if (next.type === 'if_statement' && !next.childForFieldName('initializer')) {
    return isNilTest(next.childForFieldName('condition'), err) && failsIn(next.childForFieldName('consequence'));
  }
  const call = next.type === 'expression_statement' ? unparen(firstKid(next)) : null;
  if (call?.type !== 'call_expression') return false;
  const f = unparen(call.childForFieldName('function'));
  return f?.type === 'selector_expression' && ASSERTS_ERROR.test(f.childForFieldName('field')?.text ?? '') &&
    callArgs(call).some((a) => unparen(a)?.type === 'identifier' && unparen(a)!.text === err);
}

/**
 * After `resp, err := call()` followed by `if err == nil { t.Errorf(…) }`: is every later use of `resp` in
 * the enclosing block inside that if's consequence (where the test already reports a failure)?
 */
function onlyWhereFailing(stmt: Node, name: string, err: string): boolean {
  const next = stmt.nextNamedSibling;
  const block = stmt.parent;
  if (!block || next?.type !== 'if_statement' || next.childForFieldName('initializer') || !isNilTest(next.childForFieldName('condition'), err)) return false;
  const consequence = next.childForFieldName('consequence');
  if (!consequence) return false;
  return block.descendantsOfType('identifier').every((id) => !id || id.text !== name || id.startIndex < next.startIndex ||
    (id.startIndex >= consequence.startIndex && id.endIndex <= consequence.endIndex));
}

/**
 * `l.Close()` and then `c, err := l.Accept()` in the same statement list, with no statement between
 * them that uses `l` other than to call its methods (no assignment, no hand-off) nor a label a jump
 * could enter by: Accept on a closed listener fails, so it acquires nothing (a test checking the
 * error it returns).
 */
function acceptsAfterClose(call: Node, stmt: Node): boolean {
  const f = unparen(call.childForFieldName('function'));
  if (f?.type !== 'selector_expression' || !/^Accept/.test(f.childForFieldName('field')?.text ?? '')) return false;
  const recv = unparen(f.childForFieldName('operand'));
  if (recv?.type !== 'identifier') return false;
  let anchor = stmt.type === 'var_spec' ? stmt.parent : stmt;
  if (anchor?.parent?.type === 'if_statement' && anchor.parent.childForFieldName('initializer')?.id === anchor.id) anchor = anchor.parent;
  if (!anchor || anchor.parent?.type !== 'statement_list') return false;
  for (let p = anchor.previousNamedSibling; p; p = p.previousNamedSibling) {
    if (p.type === 'comment') continue;
    if (p.type === 'labeled_statement') return false;
    const x = p.type === 'expression_statement' ? unparen(firstKid(p)) : null;
    const g = x?.type === 'call_expression' ? unparen(x.childForFieldName('function')) : null;
    if (g?.type === 'selector_expression' && g.childForFieldName('field')?.text === 'Close' && callArgs(x!).length === 0) {
      const op = unparen(g.childForFieldName('operand'));
      if (op?.type === 'identifier' && op.text === recv.text) return true;
    }
    if (mentions(p, recv.text) && !onlyCallsMethods(p, recv.text)) return false;
  }
  return false;
}

/** Is every use of `name` in `n` the receiver of a method call (`name.Addr()`)? */
function onlyCallsMethods(n: Node, name: string): boolean {
  return n.descendantsOfType('identifier').every((id) => {
    if (!id || id.text !== name) return true;
    const sel = id.parent;
    return sel?.type === 'selector_expression' && sel.childForFieldName('operand')?.id === id.id &&
      sel.parent?.type === 'call_expression' && sel.parent.childForFieldName('function')?.id === sel.id;
  });
}

/** Does the body of `fn` call `name.Close()` or `name.Body.Close()` anywhere? */
function closesSomewhere(fn: Node, name: string): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  return body.descendantsOfType('call_expression').some((c) => {
    const f = c ? unparen(c.childForFieldName('function')) : null;
    if (f?.type !== 'selector_expression' || f.childForFieldName('field')?.text !== 'Close') return false;
    let op = unparen(f.childForFieldName('operand'));
    if (op?.type === 'selector_expression' && op.childForFieldName('field')?.text === 'Body') op = unparen(op.childForFieldName('operand'));
    return op?.type === 'identifier' && op.text === name;
  });
}

/** The location of a resource assigned to `_` by statement `stmt`. */
function discardKey(stmt: Node): string {
  return `_#d${stmt.startIndex}`;
}

/** The hidden location that keeps what `key` held while the gated call at `at` may still fail (see GoLowering.gateKeys). */
function gateKey(key: string, at: number): string {
  return `${key}#g${at}`;
}

/** Is this a hidden gate location? What only it still holds was lost by `l, err = wrap(l)`: not reported (no name closes it). */
export function isGateKey(key: string): boolean {
  return /#g\d+$/.test(key);
}

/** The offset of the one call on the right of an assignment (the statement a gate waits for), or -1. */
function gatedCallOf(stmt: Node): number {
  const right = exprList(stmt.childForFieldName('right'));
  const call = right.length === 1 ? unparen(right[0]!) : null;
  return call?.type === 'call_expression' ? call.startIndex : -1;
}

/** Does an assignment from one call assign to a variable it passes to that call (`l, err = wrap(l)`)? */
function assignsArgument(stmt: Node): boolean {
  const right = exprList(stmt.childForFieldName('right'));
  const call = right.length === 1 ? unparen(right[0]!) : null;
  if (call?.type !== 'call_expression') return false;
  const names = new Set(exprList(stmt.childForFieldName('left')).filter((l) => l.type === 'identifier').map((l) => l.text));
  return callArgs(call).some((a) => {
    const x = unparen(a);
    return x?.type === 'identifier' && names.has(x.text);
  });
}

/** The names of a function's named results (empty for a literal or unnamed results). */
function namedResults(fn: Node): string[] {
  const r = fn.childForFieldName('result');
  if (r?.type !== 'parameter_list') return [];
  const out: string[] = [];
  for (const d of kids(r)) for (const nm of d.childrenForFieldName('name')) if (nm && nm.text !== '_') out.push(nm.text);
  return out;
}


function irKind(n: CfgNode): IrNodeKind {
  switch (n.kind) {
    case 'entry': return 'entry';
    case 'cond': return 'cond';
    case 'branch': return 'switch';
    case 'return': case 'end': return 'exit';
    case 'scope': return 'scope';
    case 'effect': case 'noreturn': return 'effect';
  }
}

const EXIT_KIND: Record<string, ExitKind> = { return: 'return', end: 'end', block: 'block', case: 'block', if: 'block', break: 'break', continue: 'continue', goto: 'goto' };

function exitOf(n: CfgNode): Exit | null {
  const e = n.exit;
  if (!e) return null;
  const r = e.report;
  return { kind: EXIT_KIND[e.kind] ?? 'block', start: r.startIndex, end: r.endIndex, id: `${e.kind}:${e.node.startIndex}:${r.startIndex}` };
}
