/**
 * Fix-safety suite (tests only): a small, independent path walker over a tree-sitter function. It
 * enumerates the paths through the body (both branches of every if, loops run zero or one time,
 * every case of a switch, each catch entered from the start of its try, gotos followed at most
 * twice; at most MAX_PATHS paths) and applies each statement's events (events.ts) to a per-path
 * state of the variables, collecting violations:
 *   double-release         a descriptor released twice (C/C++: close() is not idempotent there)
 *   release-after-handoff  released after it was stored, returned, given to a callback or object
 *   read-after-reset       a variable read after it was set to -1/INVALID_SOCKET/None/nil
 *                          (a guard `if (v valid) release(v)` is no read)
 *   use-after-release      a variable read after it was released
 *   assign-parameter       a parameter assigned a sentinel
 * Each violation is a string naming the variable and the statements involved, so that the
 * violations of a fixed function can be compared with the original's (differential.ts).
 */
import type { Node } from 'web-tree-sitter';
import { eventsOf, returnedVariables, type Event, type EventContext } from './events';
import { assignmentParts, bodyOf, isIdentifier, normalized, parameterNames, SENTINELS, type Family } from './syntax';

export const MAX_PATHS = 256;
const MAX_STEPS = 200000;
const MAX_GOTOS = 2;

interface VarState {
  readonly released?: string;
  readonly handedOff?: string;
  readonly reset?: string;
}

interface PathState {
  readonly vars: ReadonlyMap<string, VarState>;
  /** Go: deferred statements' events, innermost last. */
  readonly defers: readonly { events: Event[]; at: string }[];
  readonly gotos: number;
}

type Cont = (s: PathState) => void;

interface Ctx {
  readonly brk: Cont | null;
  readonly cont: Cont | null;
  /** Leaves the function (return, throw): runs the enclosing with/try-with-resources releases and finally blocks first. */
  readonly exit: Cont;
}

const BLOCKS = new Set(['compound_statement', 'block', 'statement_list', 'constructor_body', 'switch_block', 'else_clause', 'finally_clause', 'case_clause']);
const LOOPS = new Set(['while_statement', 'for_statement', 'do_statement', 'for_range_loop', 'enhanced_for_statement', 'for_in_statement']);
const SWITCHES = new Set(['switch_statement', 'switch_expression', 'expression_switch_statement', 'type_switch_statement', 'select_statement', 'match_statement']);
const CASES = new Set(['case_statement', 'switch_block_statement_group', 'switch_rule', 'expression_case', 'default_case', 'type_case', 'communication_case', 'case_clause']);
const CASE_HEADS = new Set(['switch_label', 'expression_list', 'type_list', 'comment', 'case_pattern']);
const SKIP = new Set(['comment', 'preproc_include', 'preproc_def', 'preproc_function_def', 'preproc_call', 'pass_statement', 'empty_statement', ';', 'type_declaration', 'local_class_declaration']);

export interface WalkResult {
  readonly violations: Set<string>;
  readonly paths: number;
  readonly truncated: boolean;
}

export function walkFunction(fn: Node, family: Family): WalkResult {
  return new Walker(fn, family).run();
}

class Walker {
  private readonly violations = new Set<string>();
  private readonly params: Set<string>;
  private readonly ctxEvents: EventContext;
  private readonly labels = new Map<string, Node>();
  private paths = 0;
  private steps = 0;
  private truncated = false;

  constructor(private readonly fn: Node, private readonly family: Family) {
    this.params = parameterNames(fn);
    const locals = new Set(this.params);
    const escaping = new Set([...this.params, 'self', 'this']);
    const scan = (n: Node) => {
      if (n.type === 'return_statement') for (const v of returnedVariables(n)) escaping.add(v);
      const a = assignmentParts(n);
      if (a) for (const t of a.targets) if (isIdentifier(t)) locals.add(t.text);
      if (n.type === 'labeled_statement') {
        const label = n.childForFieldName('label') ?? n.namedChildren[0];
        if (label) this.labels.set(label.text, n);
      }
      if (n.type === 'as_pattern_target' || n.type === 'resource') locals.add((n.childForFieldName('name') ?? n).text);
      for (const c of n.namedChildren) if (c) scan(c);
    };
    scan(fn);
    this.ctxEvents = { family, locals, escaping };
  }

  run(): WalkResult {
    const body = bodyOf(this.fn);
    if (body) {
      const finish: Cont = (s) => this.finishPath(s);
      this.exec(body, { vars: new Map(), defers: [], gotos: 0 }, finish, { brk: null, cont: null, exit: finish });
    }
    return { violations: this.violations, paths: this.paths, truncated: this.truncated };
  }

  private finishPath(s: PathState): void {
    let st = s;
    for (let i = st.defers.length - 1; i >= 0; i--) st = this.apply(st, st.defers[i]!.events, st.defers[i]!.at);
    this.paths++;
  }

  private exhausted(): boolean {
    if (this.paths >= MAX_PATHS || this.steps > MAX_STEPS) {
      this.truncated = true;
      return true;
    }
    return false;
  }

  private violation(kind: string, variable: string, first: string, second: string): void {
    this.violations.add(`${kind} of \`${variable}\`: \`${first}\` then \`${second}\``);
  }

  /** Applies `events` (of the statement `at`) to a copy of the state. */
  private apply(s: PathState, events: readonly Event[], at: string, guardOf?: string): PathState {
    this.steps++;
    if (!events.length) return s;
    const vars = new Map(s.vars);
    for (const e of events) {
      const v = vars.get(e.variable);
      switch (e.kind) {
        case 'read':
          if (e.variable === guardOf) break;
          if (v?.reset) this.violation('read-after-reset', e.variable, v.reset, at);
          else if (v?.released) this.violation('use-after-release', e.variable, v.released, at);
          break;
        case 'release':
          if (v?.reset) break; // releasing the sentinel: a no-op
          if (v?.handedOff) this.violation('release-after-handoff', e.variable, v.handedOff, at);
          else if (v?.released && this.family === 'c') this.violation('double-release', e.variable, v.released, at);
          vars.set(e.variable, { ...v, released: at });
          break;
        case 'handoff':
          vars.set(e.variable, { ...v, handedOff: at });
          break;
        case 'reset':
          if (this.params.has(e.variable)) this.violation('assign-parameter', e.variable, e.variable, at);
          vars.set(e.variable, { ...v, reset: at });
          break;
        case 'assign':
          vars.delete(e.variable);
          break;
      }
    }
    return { ...s, vars };
  }

  private events(n: Node | null): Event[] {
    return n ? eventsOf(n, this.ctxEvents) : [];
  }

  private seq(list: readonly Node[], i: number, s: PathState, k: Cont, ctx: Ctx): void {
    if (this.exhausted()) return;
    if (i >= list.length) {
      k(s);
      return;
    }
    this.exec(list[i]!, s, (s2) => this.seq(list, i + 1, s2, k, ctx), ctx);
  }

  private statements(n: Node): Node[] {
    return n.namedChildren.filter((c): c is Node => !!c && !SKIP.has(c.type));
  }

  /** Runs both `branches` (null: nothing) from `s`, each continuing with `k`. */
  private branch(branches: readonly (Node | null)[], s: PathState, k: Cont, ctx: Ctx): void {
    for (const b of branches) {
      if (this.exhausted()) return;
      if (b) this.exec(b, s, k, ctx);
      else k(s);
    }
  }

  private exec(n: Node, s: PathState, k: Cont, ctx: Ctx): void {
    if (this.exhausted()) return;
    const t = n.type;
    if (SKIP.has(t)) return k(s);
    if (BLOCKS.has(t) || t === 'expression_statement' && n.namedChildCount === 1 && BLOCKS.has(n.namedChildren[0]!.type)) {
      const stmts = t === 'case_clause' ? this.statements(n.childForFieldName('consequence') ?? n) : this.statements(n);
      return this.seq(stmts, 0, s, k, ctx);
    }
    if (t === 'if_statement') return this.ifStatement(n, s, k, ctx);
    if (t === 'elif_clause') return this.ifStatement(n, s, k, ctx);
    if (t.startsWith('preproc_if') || t === 'preproc_else' || t === 'preproc_elif' || t === 'preproc_elifdef') {
      const alt = n.childForFieldName('alternative');
      const own = this.statements(n).filter((c) => c.id !== alt?.id && c.id !== n.childForFieldName('condition')?.id && c.id !== n.childForFieldName('name')?.id);
      const fake: Cont = (st) => this.seq(own, 0, st, k, ctx);
      fake(s);
      if (alt) this.exec(alt, s, k, ctx);
      else k(s);
      return;
    }
    if (LOOPS.has(t)) return this.loop(n, s, k, ctx);
    if (SWITCHES.has(t)) return this.switchStatement(n, s, k, ctx);
    if (t === 'labeled_statement') {
      const inner = this.statements(n).filter((c) => c.type !== 'statement_identifier' && c.type !== 'label_name' && c.id !== n.childForFieldName('label')?.id);
      return this.seq(inner, 0, s, k, ctx);
    }
    if (t === 'goto_statement') {
      const label = this.labels.get(n.childForFieldName('label')?.text ?? '');
      if (!label || s.gotos >= MAX_GOTOS) return; // an endless or unknown jump: the path ends here, unchecked
      return this.seq(this.restFrom(label), 0, { ...s, gotos: s.gotos + 1 }, ctx.exit, ctx);
    }
    if (t === 'break_statement') return (ctx.brk ?? k)(s);
    if (t === 'continue_statement') return (ctx.cont ?? k)(s);
    if (t === 'return_statement') {
      const at = normalized(n);
      let st = this.apply(s, this.events(n), at);
      st = this.apply(st, returnedVariables(n).map((v) => ({ kind: 'handoff' as const, variable: v })), at);
      return ctx.exit(st);
    }
    if (t === 'throw_statement' || t === 'raise_statement') return ctx.exit(this.apply(s, this.events(n), normalized(n)));
    if (t === 'defer_statement') {
      const call = n.namedChildren[0] ?? null;
      return k({ ...s, defers: [...s.defers, { events: this.events(call), at: normalized(n) }] });
    }
    if (t === 'go_statement') {
      const at = normalized(n);
      const evs = this.events(n).map((e) => (e.kind === 'read' ? { kind: 'handoff' as const, variable: e.variable } : e));
      return k(this.apply(s, evs, at));
    }
    if (t === 'try_statement' || t === 'try_with_resources_statement') return this.tryStatement(n, s, k, ctx);
    if (t === 'with_statement') return this.withStatement(n, s, k, ctx);
    return k(this.apply(s, this.events(n), normalized(n)));
  }

  /** The statements from a label to the end of the function (its block's rest, then each enclosing block's rest). */
  private restFrom(label: Node): Node[] {
    const rest: Node[] = [];
    const body = bodyOf(this.fn);
    for (let n: Node | null = label; n && n.id !== body?.id; n = n.parent) {
      const parent = n.parent;
      if (!parent) break;
      if (!BLOCKS.has(parent.type)) continue;
      const siblings = this.statements(parent);
      const i = siblings.findIndex((c) => c.id === n!.id);
      rest.push(...siblings.slice(i < 0 ? siblings.length : n.id === label.id ? i : i + 1));
    }
    return rest;
  }

  /** `if (v valid) release(v);`: the guard's variable, or null when `n` is another if. */
  private guardedRelease(n: Node): string | null {
    const cond = n.childForFieldName('condition');
    const cons = n.childForFieldName('consequence');
    if (!cond || !cons || n.childForFieldName('alternative')) return null;
    const names = new Set<string>();
    const ids = (x: Node) => {
      if (x.type === 'identifier' && !SENTINELS.has(x.text) && !/^[A-Z][A-Z0-9_]*$/.test(x.text)) names.add(x.text);
      for (const c of x.namedChildren) if (c) ids(c);
    };
    ids(cond);
    if (names.size !== 1) return null;
    const [v] = [...names];
    let stmt: Node = cons;
    while (BLOCKS.has(stmt.type) && this.statements(stmt).length === 1) stmt = this.statements(stmt)[0]!;
    const evs = this.events(stmt).filter((e) => !(e.kind === 'read' && e.variable === v));
    return evs.length === 1 && evs[0]!.kind === 'release' && evs[0]!.variable === v ? v! : null;
  }

  private ifStatement(n: Node, s: PathState, k: Cont, ctx: Ctx): void {
    const cond = n.childForFieldName('condition');
    const guard = n.type === 'if_statement' ? this.guardedRelease(n) : null;
    const init = n.childForFieldName('initializer');
    let st = init ? this.apply(s, this.events(init), normalized(init)) : s;
    st = this.apply(st, this.events(cond), cond ? normalized(cond) : 'if', guard ?? undefined);
    const cons = n.childForFieldName('consequence');
    const alts = n.childrenForFieldName('alternative').filter((c): c is Node => !!c);
    if (guard && st.vars.get(guard)?.reset) return k(st); // the guard is false on this path
    // Python: `elif` clauses chain; the else clause ends the chain.
    const alternative = alts.length <= 1 ? alts[0] ?? null : null;
    if (alts.length > 1) {
      this.branch([cons], st, k, ctx);
      const chain = (i: number, s2: PathState): void => {
        if (i >= alts.length) return k(s2);
        const a = alts[i]!;
        if (a.type === 'elif_clause') {
          const c = a.childForFieldName('condition');
          const s3 = this.apply(s2, this.events(c), c ? normalized(c) : 'elif');
          this.branch([a.childForFieldName('consequence')], s3, k, ctx);
          chain(i + 1, s3);
        } else {
          this.exec(a, s2, k, ctx);
        }
      };
      return chain(0, st);
    }
    this.branch([cons, alternative], st, k, ctx);
  }

  private loop(n: Node, s: PathState, k: Cont, ctx: Ctx): void {
    const head = ['condition', 'initializer', 'update', 'right', 'value', 'left'].map((f) => n.childForFieldName(f)).filter((c): c is Node => !!c);
    let st = s;
    for (const h of head) {
      const evs = this.events(h);
      st = this.apply(st, h.type === 'identifier' && n.type === 'for_statement' ? [{ kind: 'assign', variable: h.text }] : evs, normalized(h));
    }
    const body = n.childForFieldName('body') ?? this.statements(n).find((c) => BLOCKS.has(c.type)) ?? null;
    const inner: Ctx = { brk: k, cont: k, exit: ctx.exit };
    if (n.type !== 'do_statement') k(st);
    if (body && !this.exhausted()) this.exec(body, st, k, inner);
  }

  private switchStatement(n: Node, s: PathState, k: Cont, ctx: Ctx): void {
    const value = n.childForFieldName('condition') ?? n.childForFieldName('value') ?? n.childForFieldName('subject');
    const st = this.apply(s, this.events(value), value ? normalized(value) : 'switch');
    const body = n.childForFieldName('body') ?? n;
    const cases: Node[] = [];
    const collect = (x: Node) => {
      for (const c of x.namedChildren) {
        if (!c) continue;
        if (CASES.has(c.type)) cases.push(c);
        else if (c.type === 'block' || c.type === 'compound_statement' || c.type === 'switch_block') collect(c);
      }
    };
    collect(body);
    const inner: Ctx = { brk: k, cont: ctx.cont, exit: ctx.exit };
    k(st);
    for (const c of cases) {
      if (this.exhausted()) return;
      const stmts = c.type === 'case_clause'
        ? this.statements(c.childForFieldName('consequence') ?? c)
        : this.statements(c).filter((x) => !CASE_HEADS.has(x.type) && !['value', 'type', 'communication', 'pattern'].some((f) => c.childForFieldName(f)?.id === x.id));
      this.seq(stmts, 0, st, k, inner);
    }
  }

  private tryStatement(n: Node, s: PathState, k: Cont, ctx: Ctx): void {
    const fin = n.namedChildren.find((c) => c?.type === 'finally_clause') ?? null;
    const afterFinally = (next: Cont): Cont => (fin ? (st) => this.exec(fin, st, next, ctx) : next);
    // try-with-resources: each resource is released when the body ends, normally or not.
    let st = s;
    const released: string[] = [];
    for (const r of n.childForFieldName('resources')?.namedChildren ?? []) {
      if (!r || r.type !== 'resource') continue;
      const name = r.childForFieldName('name');
      const value = r.childForFieldName('value');
      st = this.apply(st, this.events(value), normalized(r));
      if (name) st = this.apply(st, [{ kind: 'assign', variable: name.text }], normalized(r));
      released.push(value && isIdentifier(value) ? value.text : (name ?? r).text);
    }
    const at = normalized(n.childForFieldName('resources') ?? n);
    const release = (x: PathState) => this.apply(x, released.map((v) => ({ kind: 'release' as const, variable: v })), at);
    const exit: Cont = (x) => afterFinally(ctx.exit)(release(x));
    const inner: Ctx = { brk: ctx.brk && ((x) => afterFinally(ctx.brk!)(release(x))), cont: ctx.cont && ((x) => afterFinally(ctx.cont!)(release(x))), exit };
    const body = n.childForFieldName('body');
    const elseClause = n.namedChildren.find((c) => c?.type === 'else_clause') ?? null;
    const done: Cont = (x) => (elseClause ? this.exec(elseClause, release(x), afterFinally(k), ctx) : afterFinally(k)(release(x)));
    if (body) this.exec(body, st, done, inner);
    for (const h of n.namedChildren) {
      if (!h || (h.type !== 'catch_clause' && h.type !== 'except_clause')) continue;
      const hb = h.childForFieldName('body') ?? h.namedChildren.find((c) => c?.type === 'block') ?? null;
      if (hb && !this.exhausted()) this.exec(hb, release(st), afterFinally(k), ctx);
    }
  }

  private withStatement(n: Node, s: PathState, k: Cont, ctx: Ctx): void {
    let st = s;
    const released: string[] = [];
    const items = n.namedChildren.find((c) => c?.type === 'with_clause')?.namedChildren ?? [];
    for (const item of items) {
      if (!item) continue;
      const value = item.childForFieldName('value') ?? item;
      if (value.type === 'as_pattern') {
        const target = value.childForFieldName('alias')?.namedChildren[0] ?? null;
        const expr = value.namedChildren.find((c) => c && c.type !== 'as_pattern_target') ?? null;
        st = this.apply(st, this.events(expr), normalized(item));
        if (target && isIdentifier(target)) {
          st = this.apply(st, [{ kind: 'assign', variable: target.text }], normalized(item));
          released.push(target.text);
        }
      } else {
        st = this.apply(st, this.events(value), normalized(item));
        if (isIdentifier(value)) released.push(value.text);
      }
    }
    const at = normalized(n.namedChildren.find((c) => c?.type === 'with_clause') ?? n);
    const release = (x: PathState) => this.apply(x, released.map((v) => ({ kind: 'release' as const, variable: v })), at);
    const inner: Ctx = { brk: ctx.brk && ((x) => ctx.brk!(release(x))), cont: ctx.cont && ((x) => ctx.cont!(release(x))), exit: (x) => ctx.exit(release(x)) };
    const body = n.childForFieldName('body');
    if (body) this.exec(body, st, (x) => k(release(x)), inner);
    else k(release(st));
  }
}
