import type { Node } from 'web-tree-sitter';
import { firstKid, walk } from '../../syntax';
import { GraphBuilder, NestingLimit, type Pred } from '../../ir/builder';
import { ExceptionRoutes, type JumpTargetFrame } from '../../ir/cfg/exceptions';
import { ifStatementChain } from '../../ir/cfg/ifChain';
import { arriveAt, breakableStatement } from '../../ir/cfg/jumps';
import { declaredFrom, endOfBlock, inScope } from '../../ir/cfg/scopes';
import { buildLoop, doWhileLoop, whileLoop } from '../../ir/cfg/loops';
import { fallthroughSwitch } from '../../ir/cfg/switch';
import { catchesUnchecked } from './names';
import { namedChildren, parameterNames, simpleTypeName } from './syntax';

/**
 * Exception-aware control-flow graph of one Java method, constructor or lambda, at statement
 * granularity. Every statement that contains a call gets an exceptional edge (`exc`) to the
 * innermost enclosing catch or finally, or out of the function; `finally` blocks (and the implicit
 * close of try-with-resources) are copied onto every path that leaves their try: the normal exit,
 * each return/break/continue passing through, and the exceptional path (which rethrows after it).
 * The routing itself is ir/cfg/exceptions.ts's; this file maps Java's syntax to it.
 */

export type ExitKind = 'return' | 'end' | 'block' | 'break' | 'continue' | 'throw';

/** Where a leak is reported: the jump statement, the closing `}` of `node` ('end'/'block'), or (for 'throw') the throwing call. */
export interface ExitSite {
  readonly kind: ExitKind;
  readonly node: Node;
}

export type CfgKind = 'entry' | 'effect' | 'cond' | 'return' | 'release' | 'scope' | 'exit' | 'catch' | 'rethrow' | 'noop' | 'uraise';

/**
 * The unchecked exceptions a call throws in practice (names.ts's table, or a same-file method that lets
 * one escape); `typeOf` gives the declared type of a local or field.
 */
export type UncheckedOf = (call: Node, typeOf: (name: string) => string | undefined) => readonly string[];

export interface CfgNode {
  readonly kind: CfgKind;
  /**
   * effect: a statement or expression; cond: the condition (null: unknown); return: the statement;
   * release: the resource; noop: a break/continue, or null; rethrow: the try statement or resource;
   * uraise: a call whose unchecked exception no catch around it catches (it raises before its statement).
   */
  readonly ast: Node | null;
  /** Normal successors; for 'cond' [0] is the true edge and [1] the false edge (-1: none). */
  readonly succ: number[];
  /** The exceptional successor (-1: none). */
  exc: number;
  /** scope: the variables that die here; release: the resources closed here. */
  vars: string[];
  readonly exit: ExitSite | null;
}

export interface FunctionCfg {
  readonly nodes: CfgNode[];
  readonly entry: number;
  /** Parameters and locals declared anywhere in the function. */
  readonly locals: Set<string>;
  /** Declared simple type of each local (`var` when inferred). */
  readonly types: Map<string, string>;
  readonly params: string[];
  /** The exit for exceptions leaving the function (-1 when nothing can throw out of it). */
  throwExit: number;
  /** Set when nesting or size limits made parts of the function opaque. */
  truncated: boolean;
  /** The unchecked exceptions (of the table) that calls in the function let escape from it. */
  readonly uncheckedEscapes: Set<string>;
}

interface Scope {
  readonly vars: string[];
}

/** A handler keeps the simple type names of each of its catch clauses. */
type CatchTypes = readonly (readonly string[])[];

const MAX_DEPTH = 250;
const MAX_NODES = 60000;

class Builder extends GraphBuilder<CfgNode, CfgKind, ExitSite> {
  private readonly scopes: Scope[] = [];
  private readonly reached = new Set<number>();
  private readonly routes = new ExceptionRoutes<CatchTypes>({
    connect: (preds, to) => this.connect(preds, to),
    join: () => this.add('noop', null),
    dying: (depth) => declaredFrom(this.scopes, depth),
    dyingNode: (vars) => {
      const s = this.add('scope', null, { kind: 'throw', node: this.fn });
      this.nodes[s]!.vars = vars;
      return s;
    },
    throwExit: () => this.add('exit', null, { kind: 'throw', node: this.fn }),
    reached: (id) => this.reached.has(id),
  });
  private readonly nesting = new NestingLimit(MAX_DEPTH);
  readonly cfg: FunctionCfg;

  constructor(readonly fn: Node, extraLocals: readonly string[], private readonly unchecked?: UncheckedOf, private readonly fieldType?: (name: string) => string | undefined) {
    super();
    this.cfg = {
      nodes: this.nodes, entry: 0, locals: new Set(extraLocals), types: new Map(), params: [], throwExit: -1, truncated: false, uncheckedEscapes: new Set(),
    };
  }

  protected add(kind: CfgKind, ast: Node | null, exit: ExitSite | null = null): number {
    this.nodes.push({ kind, ast, succ: kind === 'cond' ? [-1, -1] : [], exc: -1, vars: [], exit });
    return this.nodes.length - 1;
  }

  /** Also records `to` as reached. */
  protected override connect(preds: readonly Pred[], to: number): void {
    super.connect(preds, to);
    if (preds.length) this.reached.add(to);
  }

  /** A node that evaluates `ast` and may throw. */
  private effect(preds: readonly Pred[], ast: Node, kind: CfgKind = 'effect'): number {
    preds = this.uncheckedRaises(preds, ast);
    const id = this.add(kind, ast);
    this.connect(preds, id);
    this.nodes[id]!.exc = this.excTarget();
    this.reached.add(this.nodes[id]!.exc);
    return id;
  }

  /**
   * Before a statement or condition: for each call in it whose unchecked exception (the table's) goes
   * elsewhere than its other exceptions (past catches that do not catch it), a node where it raises
   * and goes there.
   */
  private uncheckedRaises(preds: readonly Pred[], ast: Node): readonly Pred[] {
    if (!this.unchecked || !preds.length) return preds;
    const typeOf = (name: string): string | undefined => (this.cfg.locals.has(name) ? this.cfg.types.get(name) : this.fieldType?.(name));
    const calls: Node[] = [];
    walk(ast, (n) => {
      if (n.type === 'lambda_expression' || n.type === 'class_body' || n.type === 'method_reference') return false;
      if (n.type === 'method_invocation' || n.type === 'object_creation_expression') calls.push(n);
      return true;
    });
    // In evaluation order: an inner call (an argument) ends before the call it is given to.
    calls.sort((a, b) => a.endIndex - b.endIndex);
    let cur = preds;
    for (const call of calls) {
      const types = this.unchecked(call, typeOf);
      if (!types.length) continue;
      const target = this.uncheckedTarget(types);
      if (target === this.excTarget()) continue;
      const id = this.add('uraise', call);
      this.connect(cur, id);
      this.nodes[id]!.exc = target;
      this.reached.add(target);
      cur = [{ from: id, slot: -1 }];
    }
    return cur;
  }

  /**
   * Where an unchecked exception of `types` goes: to the innermost finally, or handler with a catch
   * that catches one of them, else out of the function. It escapes the function unless such a
   * handler is around it (a finally runs and lets it go on).
   */
  private uncheckedTarget(types: readonly string[]): number {
    const { target, escapes } = this.routes.routeSome((catches) => catches.some((c) => catchesUnchecked(c, types)));
    if (escapes) for (const t of types) this.cfg.uncheckedEscapes.add(t);
    return target;
  }

  /** Where an exception thrown here goes (see ExceptionRoutes.excTarget). */
  private excTarget(ownExit = false): number {
    return this.routes.excTarget(ownExit);
  }

  build(): FunctionCfg {
    const entry = this.add('entry', null);
    for (const p of parameterNames(this.fn)) {
      this.cfg.params.push(p.name);
      this.cfg.locals.add(p.name);
      this.cfg.types.set(p.name, p.type);
    }
    const body = this.fn.childForFieldName('body');
    let preds: Pred[] = [{ from: entry, slot: -1 }];
    if (body && (body.type === 'block' || body.type === 'constructor_body')) {
      this.scopes.push({ vars: [] });
      preds = this.statements(body, preds);
      this.scopes.pop();
    } else if (body) {
      preds = [{ from: this.effect(preds, body), slot: -1 }];
    }
    if (body) this.chain(preds, 'exit', null, { kind: 'end', node: body });
    this.cfg.throwExit = this.routes.throwExit;
    return this.cfg;
  }

  private statements(block: Node, preds: Pred[]): Pred[] {
    let cur = preds;
    for (let i = 0; i < block.namedChildCount; i++) {
      const c = block.namedChild(i);
      if (c) cur = this.statement(c, cur);
    }
    return cur;
  }

  private statement(n: Node, preds: Pred[], label: string | null = null): Pred[] {
    const opaque = (): Pred[] => {
      this.cfg.truncated = true;
      return [{ from: this.effect(preds, n), slot: -1 }];
    };
    if (this.nodes.length > MAX_NODES) return opaque();
    return this.nesting.nest(() => this.statementInner(n, preds, label), opaque);
  }

  private statementInner(n: Node, preds: Pred[], label: string | null): Pred[] {
    switch (n.type) {
      case 'line_comment':
      case 'block_comment':
      case ';':
      case 'class_declaration':
      case 'interface_declaration':
      case 'enum_declaration':
      case 'record_declaration':
        return preds;
      case 'block':
        return this.block(n, preds);
      case 'local_variable_declaration':
        this.declare(n);
        return [{ from: this.effect(preds, n), slot: -1 }];
      case 'if_statement':
        return this.ifStatement(n, preds);
      case 'while_statement':
        return this.whileStatement(n, preds, label);
      case 'do_statement':
        return this.doStatement(n, preds, label);
      case 'for_statement':
        return this.forStatement(n, preds, label);
      case 'enhanced_for_statement':
        return this.enhancedFor(n, preds, label);
      case 'labeled_statement':
        return this.labeled(n, preds);
      case 'switch_expression':
        return this.switchStatement(n, preds);
      case 'return_statement':
        return this.returnStatement(n, preds);
      case 'break_statement':
      case 'continue_statement':
        return this.jump(n, preds);
      case 'throw_statement': {
        this.effect(preds, n);
        return [];
      }
      case 'try_statement':
      case 'try_with_resources_statement':
        return this.tryStatement(n, preds);
      case 'synchronized_statement': {
        let cur = preds;
        const lock = namedChildren(n).find((c) => c.type === 'parenthesized_expression') ?? null;
        if (lock) cur = [{ from: this.effect(cur, lock), slot: -1 }];
        const body = n.childForFieldName('body');
        return body ? this.statement(body, cur) : cur;
      }
      case 'ERROR':
        return this.statements(n, preds);
      default:
        return [{ from: this.effect(preds, n), slot: -1 }];
    }
  }

  private block(n: Node, preds: Pred[]): Pred[] {
    const scope: Scope = { vars: [] };
    return this.endScope(scope, inScope(this.scopes, scope, () => this.statements(n, preds)), n);
  }

  private endScope(scope: Scope, out: Pred[], n: Node): Pred[] {
    return endOfBlock(this.nodes, scope, out, (o) => this.chain(o, 'scope', null, { kind: 'block', node: n }));
  }

  private declareName(name: string, type: string): void {
    this.scopes[this.scopes.length - 1]?.vars.push(name);
    this.cfg.locals.add(name);
    this.cfg.types.set(name, type);
  }

  private declare(decl: Node): void {
    const type = simpleTypeName(decl.childForFieldName('type'));
    for (const d of decl.childrenForFieldName('declarator')) {
      const name = d?.childForFieldName('name');
      if (name) this.declareName(name.text, type);
    }
  }

  private ifStatement(first: Node, preds: Pred[]): Pred[] {
    return ifStatementChain(first, preds, {
      condition: (n, cur) => {
        const c = this.effect(cur, n.childForFieldName('condition') ?? n, 'cond');
        return { t: [{ from: c, slot: 0 }], f: [{ from: c, slot: 1 }] };
      },
      statement: (s, p) => this.statement(s, p),
      elseIfArms: true,
    });
  }

  private readonly link = (preds: readonly Pred[], to: number): void => this.connect(preds, to);

  /** The frame of a loop labelled `label` (or not) whose `continue` goes to `continueTo`. */
  private loopFrame(label: string | null, continueTo: number): JumpTargetFrame {
    return { kind: 'jump', label, loop: true, breakable: true, breaks: [], continueTo, scopeDepth: this.scopes.length };
  }

  /** Builds the body of `loop` from the given edges. */
  private loopBody(loop: Node): (preds: Pred[]) => Pred[] {
    const body = loop.childForFieldName('body');
    return (preds) => (body ? this.statement(body, preds) : preds);
  }

  private whileStatement(n: Node, preds: Pred[], label: string | null): Pred[] {
    const c = this.effect(preds, n.childForFieldName('condition') ?? n, 'cond');
    return whileLoop(this.routes.frames, this.loopFrame(label, c), this.link, c, this.loopBody(n));
  }

  private doStatement(n: Node, preds: Pred[], label: string | null): Pred[] {
    const start = this.add('noop', null);
    this.connect(preds, start);
    const c = this.add('cond', n.childForFieldName('condition'));
    this.nodes[c]!.exc = this.excTarget();
    return doWhileLoop(this.routes.frames, this.loopFrame(label, c), this.link, start, this.loopBody(n));
  }

  private forStatement(n: Node, preds: Pred[], label: string | null): Pred[] {
    const scope: Scope = { vars: [] };
    this.scopes.push(scope);
    let cur = preds;
    for (const init of n.childrenForFieldName('init')) {
      if (!init) continue;
      if (init.type === 'local_variable_declaration') this.declare(init);
      cur = [{ from: this.effect(cur, init), slot: -1 }];
    }
    const condNode = n.childForFieldName('condition');
    // `for (;;)` has no condition: the loop is left only by a jump.
    const head = condNode ? this.effect(cur, condNode, 'cond') : this.add('noop', null);
    if (!condNode) this.connect(cur, head);
    const updateStart = this.add('noop', null);
    let upd: Pred[] = [{ from: updateStart, slot: -1 }];
    for (const u of n.childrenForFieldName('update')) if (u) upd = [{ from: this.effect(upd, u), slot: -1 }];
    this.connect(upd, head);
    const bodyPreds: Pred[] = [{ from: head, slot: condNode ? 0 : -1 }];
    const exits = (): Pred[] => (condNode ? [{ from: head, slot: 1 }] : []);
    const out = buildLoop(this.routes.frames, this.loopFrame(label, updateStart), this.link, () => this.loopBody(n)(bodyPreds), exits);
    this.scopes.pop();
    return this.endScope(scope, out, n);
  }

  private enhancedFor(n: Node, preds: Pred[], label: string | null): Pred[] {
    const value = n.childForFieldName('value');
    const cur = value ? [{ from: this.effect(preds, value), slot: -1 }] : preds;
    const head = this.add('cond', null);
    this.connect(cur, head);
    const scope: Scope = { vars: [] };
    this.scopes.push(scope);
    const name = n.childForFieldName('name');
    if (name) this.declareName(name.text, simpleTypeName(n.childForFieldName('type')));
    const body = this.loopBody(n);
    return whileLoop(this.routes.frames, this.loopFrame(label, head), this.link, head, (p) => {
      const out = body(p);
      this.scopes.pop();
      // The element variable dies at the end of each iteration.
      return this.endScope(scope, out, n);
    });
  }

  private labeled(n: Node, preds: Pred[]): Pred[] {
    const label = n.namedChildren.find((c) => c?.type === 'identifier')?.text ?? null;
    const stmt = n.namedChildren.find((c) => c && c.type !== 'identifier' && !c.type.endsWith('comment')) ?? null;
    if (!stmt) return preds;
    if (['while_statement', 'do_statement', 'for_statement', 'enhanced_for_statement'].includes(stmt.type)) return this.statement(stmt, preds, label);
    const frame: JumpTargetFrame = { kind: 'jump', label, loop: false, breakable: false, breaks: [], continueTo: -1, scopeDepth: this.scopes.length };
    return breakableStatement(this.routes.frames, frame, () => this.statement(stmt, preds));
  }

  private switchStatement(n: Node, preds: Pred[]): Pred[] {
    const sw = this.effect(preds, n.childForFieldName('condition') ?? n);
    const body = n.childForFieldName('body');
    let hasDefault = false;
    const scope: Scope = { vars: [] };
    this.scopes.push(scope);
    const frame: JumpTargetFrame = { kind: 'jump', label: null, loop: false, breakable: true, breaks: [], continueTo: -1, scopeDepth: this.scopes.length - 1 };
    this.routes.frames.push(frame);
    const out = fallthroughSwitch(sw, body ? namedChildren(body) : [], frame.breaks, {
      connect: (p, to) => this.connect(p, to),
      join: () => this.add('noop', null),
      part: (c) => (c.type === 'switch_block_statement_group' ? 'case' : c.type === 'switch_rule' ? 'rule' : 'skip'),
      body: (c, p) => {
        let cur = p;
        for (const s of namedChildren(c)) {
          if (s.type === 'switch_label') {
            if (/^default\b/.test(s.text) || /\bdefault$/.test(s.text)) hasDefault = true;
            continue;
          }
          cur = this.statement(s, cur);
        }
        return cur;
      },
      hasDefault: () => hasDefault,
    });
    this.routes.frames.pop();
    this.scopes.pop();
    return this.endScope(scope, out, n);
  }

  private returnStatement(n: Node, preds: Pred[]): Pred[] {
    const r = this.effect(preds, n, 'return');
    const cur = this.routes.throughFinally([{ from: r, slot: -1 }], -1);
    this.chain(cur, 'exit', null, { kind: 'return', node: n });
    return [];
  }

  private jump(n: Node, preds: Pred[]): Pred[] {
    const isBreak = n.type === 'break_statement';
    const label = n.namedChildren.find((c) => c?.type === 'identifier')?.text ?? null;
    const index = this.routes.jumpTarget(isBreak, label);
    const target = this.routes.frames[index];
    if (!target || target.kind !== 'jump') return []; // a jump with no target (malformed code): the path ends.
    // The jump's own node: where a release inserted before it would run.
    let cur = this.routes.throughFinally(this.chain(preds, 'noop', n), index);
    const dying = declaredFrom(this.scopes, target.scopeDepth);
    if (dying.length && cur.length) {
      cur = this.chain(cur, 'scope', null, { kind: isBreak ? 'break' : 'continue', node: n });
      this.nodes[cur[0]!.from]!.vars = dying;
    }
    arriveAt(target, isBreak, cur, (p, to) => this.connect(p, to));
    return [];
  }

  /**
   * try / try-with-resources. Frames, outermost first: finally (catch bodies run inside it), the
   * handler (the try body's exceptions go to the catches; any catch is taken to match, so a
   * catch that closes and rethrows protects, except for the unchecked exceptions of names.ts's
   * table, which go past catches that do not name them or a superclass), then each resource's
   * implicit close.
   */
  private tryStatement(n: Node, preds: Pred[]): Pred[] {
    const catches = namedChildren(n).filter((c) => c.type === 'catch_clause');
    const finBlock = namedChildren(n).find((c) => c.type === 'finally_clause')?.namedChildren.find((c) => c?.type === 'block') ?? null;
    const depth = this.scopes.length;
    const body = n.childForFieldName('body');
    const tryBody = (): Pred[] => {
      if (n.type !== 'try_with_resources_statement') return body ? this.block(body, preds) : preds;
      const spec = n.childForFieldName('resources');
      const resources = spec ? namedChildren(spec).filter((c) => c.type === 'resource') : [];
      const scope: Scope = { vars: [] };
      this.scopes.push(scope);
      const out = this.resources(resources, 0, body, preds);
      this.scopes.pop();
      return this.endScope(scope, out, n);
    };
    const handled = (): Pred[] => (catches.length ? this.routes.handled(catches.map(catchTypes), catches, depth, tryBody, (c, p) => {
      const id = this.add('catch', c);
      this.connect(p, id);
      const cbody = c.childForFieldName('body');
      return cbody ? this.block(cbody, [{ from: id, slot: -1 }]) : [{ from: id, slot: -1 }];
    }) : tryBody());
    return finBlock ? this.routes.guarded((p) => this.block(finBlock, p), depth, handled, this.rethrow(n)) : handled();
  }

  /** The end of a finally's exceptional copy (`owner`: the try statement or resource): the exception continues outward. */
  private rethrow(owner: Node): (out: Pred[]) => void {
    return (out) => {
      const r = this.add('rethrow', owner);
      this.connect(out, r);
      this.nodes[r]!.exc = this.excTarget(true);
    };
  }

  /** `try (A a = ...; B b = ...) body` is `try (A a = ...) { try (B b = ...) body }`. */
  private resources(resources: Node[], i: number, body: Node | null, preds: Pred[]): Pred[] {
    const r = resources[i];
    if (!r) return body ? this.block(body, preds) : preds;
    const name = r.childForFieldName('name');
    let cur = preds;
    let closed: string | null = null;
    if (name) {
      this.declareName(name.text, simpleTypeName(r.childForFieldName('type')));
      cur = [{ from: this.effect(cur, r), slot: -1 }];
      closed = name.text;
    } else {
      const v = firstKid(r);
      if (v?.type === 'identifier') closed = v.text;
    }
    const release = (p: Pred[]): Pred[] => {
      if (!closed || !p.length) return p;
      const out = this.chain(p, 'release', r);
      this.nodes[out[0]!.from]!.vars = [closed];
      return out;
    };
    return this.routes.guarded(release, this.scopes.length, () => this.resources(resources, i + 1, body, cur), this.rethrow(r));
  }
}

/** The simple type names a catch clause names (`catch (A | b.B e)`: A, B). */
function catchTypes(c: Node): string[] {
  const types = c.namedChildren.find((x) => x?.type === 'catch_formal_parameter')?.namedChildren.find((x) => x?.type === 'catch_type');
  return types ? namedChildren(types).map((t) => simpleTypeName(t)) : [];
}

/**
 * Builds the CFG of a method, constructor or lambda. `extraLocals`: captured variables tracked as
 * locals; `unchecked`: the unchecked exceptions of a call, modelled apart (see `UncheckedOf`).
 */
export function buildCfg(fn: Node, extraLocals: readonly string[] = [], unchecked?: UncheckedOf, fieldType?: (name: string) => string | undefined): FunctionCfg {
  return new Builder(fn, extraLocals, unchecked, fieldType).build();
}
