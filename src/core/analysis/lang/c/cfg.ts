import type { Node } from 'web-tree-sitter';
import { GraphBuilder, NestingLimit, type Pred } from '../../ir/builder';
import { catchClauses } from '../../ir/cfg/handlers';
import { ifStatementChain } from '../../ir/cfg/ifChain';
import { GotoLabels } from '../../ir/cfg/gotos';
import { declaredFrom, endOfBlock, inScope } from '../../ir/cfg/scopes';
import { arriveAt, findJumpTarget, type JumpFrame } from '../../ir/cfg/jumps';
import { buildLoop, doWhileLoop, whileLoop } from '../../ir/cfg/loops';
import { fallthroughSwitch } from '../../ir/cfg/switch';
import { cleanupFunction, constantValue, declaratorName, fieldPath, hasStaticStorage, parameters, strip } from './syntax';

/**
 * Does nothing the analysis sees change the file-scope count `root` (or the field of it that `prefixes`
 * spell, `settings` and `settings.workers`) from the start of `fn` on (FileGlobals.countUnchanged)?
 */
export type CountUnchanged = (fn: Node, root: string, prefixes: ReadonlySet<string>) => boolean;

/** How constants are written in C: capitals, digits and underscores, with a letter (`NSIG`, `MAX_2`). */
const CONSTANT_NAME = /^(?=[A-Z0-9_]*[A-Z])[A-Z_][A-Z0-9_]*$/;

/**
 * Control-flow graph of one C/C++ function body, at statement granularity. Expressions stay as
 * syntax nodes on the graph nodes; the transfer function evaluates them.
 */

export type ExitKind = 'return' | 'end' | 'block' | 'break' | 'continue' | 'goto' | 'throw';

/** Where a leak is reported: the jump statement, or (for 'end'/'block') the closing `}` of `node`. */
export interface ExitSite {
  readonly kind: ExitKind;
  readonly node: Node;
}

export type CfgKind = 'entry' | 'effect' | 'cond' | 'switch' | 'return' | 'throw' | 'end' | 'scope' | 'noop';

export interface CfgNode {
  readonly kind: CfgKind;
  /** effect: a statement or expression; cond/switch: the condition; return/throw: the statement. */
  readonly ast: Node | null;
  /** Successors; for 'cond' [0] is the true edge and [1] the false edge (-1: none). */
  readonly succ: number[];
  /** scope: the variables that go out of scope here. */
  vars: string[];
  readonly exit: ExitSite | null;
  /** The statement this node belongs to (the loop for a loop condition, the if for its condition). */
  owner: Node | null;
  /** 'init', 'cond' and 'update' mark the parts of a loop header; 'stmt' anything else. */
  role: 'stmt' | 'init' | 'cond' | 'update';
}

export interface Declared {
  /** The declarator node (`fd`, `fds[2]`, or the init_declarator `fd = -1`). */
  readonly node: Node;
  readonly type: string;
  readonly isArray: boolean;
  readonly isPointer: boolean;
}

export interface FunctionCfg {
  readonly nodes: CfgNode[];
  readonly entry: number;
  /** Variables with automatic storage: parameters and non-static locals. */
  readonly locals: Set<string>;
  /** Local arrays (not parameters, which are pointers): their elements are local storage too. */
  readonly localArrays: Set<string>;
  /** Locals declared with __attribute__((cleanup(fn))): released on every exit. */
  readonly cleanupVars: Set<string>;
  readonly declarations: Map<string, Declared>;
  /** Parameter names by position (null for an unnamed one). */
  readonly params: (string | null)[];
  /** The syntactic parent of each statement the builder visited (Node.parent is O(depth) in tree-sitter). */
  readonly parentOf: Map<number, Node>;
  /** Set when nesting was too deep and parts were treated as opaque. */
  truncated: boolean;
}

interface Scope {
  readonly id: number;
  readonly vars: string[];
}

/** A loop or switch: `continueTo` is -1 for a switch outside any loop (a switch only takes break). */
interface JumpTarget extends JumpFrame {
  readonly scopeDepth: number;
}

/** C has no labelled break or continue: every loop and switch takes `break`, and those with a `continue` target take `continue`. */
function jumpTarget(continueTo: number, scopeDepth: number): JumpTarget {
  return { label: null, loop: continueTo >= 0, breakable: true, breaks: [], continueTo, scopeDepth };
}

const MAX_DEPTH = 300;

const STATEMENT_TYPES = new Set([
  'compound_statement', 'expression_statement', 'declaration', 'if_statement', 'while_statement', 'do_statement',
  'for_statement', 'for_range_loop', 'switch_statement', 'return_statement', 'break_statement', 'continue_statement',
  'goto_statement', 'labeled_statement', 'throw_statement', 'try_statement', 'case_statement',
  'preproc_ifdef', 'preproc_if', 'ERROR',
]);

class Builder extends GraphBuilder<CfgNode, CfgKind, ExitSite> {
  private readonly scopes: Scope[] = [];
  private nextScope = 0;
  private readonly jumps: JumpTarget[] = [];
  private readonly labels = new GotoLabels(() => this.add('noop', null), (p, to) => this.connect(p, to));
  private readonly tries: Pred[][] = [];
  private readonly nesting = new NestingLimit(MAX_DEPTH);
  readonly cfg: FunctionCfg;

  constructor(readonly fn: Node, private readonly cleanupMacros: ReadonlySet<string>, private readonly countUnchanged: CountUnchanged) {
    super();
    this.cfg = {
      nodes: this.nodes, entry: 0, locals: new Set(), localArrays: new Set(), cleanupVars: new Set(),
      declarations: new Map(), params: [], parentOf: new Map(), truncated: false,
    };
  }

  protected add(kind: CfgKind, ast: Node | null, exit: ExitSite | null = null, owner: Node | null = null, role: CfgNode['role'] = 'stmt'): number {
    const succ = kind === 'cond' ? [-1, -1] : [];
    this.nodes.push({ kind, ast, succ, vars: [], exit, owner: owner ?? ast, role });
    return this.nodes.length - 1;
  }

  build(): FunctionCfg {
    const entry = this.add('entry', null);
    for (const p of parameters(this.fn)) {
      this.cfg.params.push(p.name);
      if (p.name) this.cfg.locals.add(p.name);
    }
    const body = this.fn.childForFieldName('body');
    let preds: Pred[] = [{ from: entry, slot: -1 }];
    if (body && body.type === 'compound_statement') {
      this.scopes.push({ id: this.nextScope++, vars: [] });
      preds = this.statements(body, preds);
      this.scopes.pop();
      this.chain(preds, 'end', null, { kind: 'end', node: body });
    } else if (body) {
      // An expression-bodied lambda is not valid C++; treat any other body as one statement.
      preds = this.statement(body, preds, this.fn);
      this.chain(preds, 'end', null, { kind: 'end', node: body });
    }
    this.labels.resolve((node, vars) => {
      this.nodes[node]!.vars = vars;
    });
    return this.cfg;
  }

  private statements(block: Node, preds: Pred[]): Pred[] {
    let cur = preds;
    for (let i = 0; i < block.namedChildCount; i++) {
      const c = block.namedChild(i);
      if (c) cur = this.statement(c, cur, block);
    }
    return cur;
  }

  private statement(n: Node, preds: Pred[], parent: Node): Pred[] {
    this.cfg.parentOf.set(n.id, parent);
    return this.nesting.nest(() => this.statementInner(n, preds), () => {
      this.cfg.truncated = true;
      return this.chain(preds, 'effect', n);
    });
  }

  private statementInner(n: Node, preds: Pred[]): Pred[] {
    switch (n.type) {
      case 'comment':
      case 'preproc_include':
      case 'preproc_def':
      case 'preproc_function_def':
      case 'preproc_call':
      case 'type_definition':
      case 'function_definition':
        return preds;
      case 'compound_statement':
        return this.block(n, preds);
      case 'declaration':
        this.declare(n);
        return this.chain(preds, 'effect', n);
      case 'expression_statement':
        if (n.namedChildCount === 0) return preds;
        return this.chain(preds, 'effect', n);
      case 'if_statement':
        return this.ifStatement(n, preds);
      case 'while_statement':
        return this.whileStatement(n, preds);
      case 'do_statement':
        return this.doStatement(n, preds);
      case 'for_statement':
        return this.forStatement(n, preds);
      case 'for_range_loop':
        return this.rangeFor(n, preds);
      case 'switch_statement':
        return this.switchStatement(n, preds);
      case 'return_statement': {
        const id = this.add('return', n, { kind: 'return', node: n });
        this.connect(preds, id);
        return [];
      }
      case 'throw_statement': {
        const handlers = this.tries[this.tries.length - 1];
        if (handlers) {
          handlers.push(...this.chain(preds, 'effect', n));
          return [];
        }
        const id = this.add('throw', n, { kind: 'throw', node: n });
        this.connect(preds, id);
        return [];
      }
      case 'break_statement':
      case 'continue_statement':
        return this.jump(n, preds);
      case 'goto_statement':
        return this.gotoStatement(n, preds);
      case 'labeled_statement':
        return this.labeled(n, preds);
      case 'try_statement':
        return this.tryStatement(n, preds);
      case 'preproc_ifdef':
      case 'preproc_if':
      case 'preproc_elif':
      case 'preproc_elifdef':
      case 'preproc_else':
        return this.preprocessor(n, preds);
      case 'ERROR':
        return this.statements(n, preds);
      case 'case_statement':
        // Outside a switch body (malformed code): just its statements.
        return this.caseBody(n, preds);
      default:
        return this.chain(preds, 'effect', n);
    }
  }

  private block(n: Node, preds: Pred[]): Pred[] {
    const scope: Scope = { id: this.nextScope++, vars: [] };
    return this.endScope(scope, inScope(this.scopes, scope, () => this.statements(n, preds)), n);
  }

  /** Where a block (or a for statement's header) ends, the variables it declared die. */
  private endScope(scope: Scope, out: Pred[], n: Node): Pred[] {
    return endOfBlock(this.nodes, scope, out, (o) => this.chain(o, 'scope', null, { kind: 'block', node: n }));
  }

  private declare(decl: Node): void {
    const isStatic = hasStaticStorage(decl);
    const cleanup = cleanupFunction(decl) ?? (isCleanupQualifier(decl.childForFieldName('type'), this.cleanupMacros) ? '' : null);
    const type = decl.childForFieldName('type')?.text ?? '';
    for (const d of decl.childrenForFieldName('declarator')) {
      if (!d) continue;
      const info = declaratorName(d);
      if (!info) continue;
      if (d.type === 'function_declarator') continue;
      const scope = this.scopes[this.scopes.length - 1];
      if (isStatic) {
        this.cfg.locals.delete(info.name);
        continue;
      }
      scope?.vars.push(info.name);
      this.cfg.locals.add(info.name);
      if (info.isArray) this.cfg.localArrays.add(info.name);
      if (cleanup !== null) this.cfg.cleanupVars.add(info.name);
      this.cfg.declarations.set(info.name, { node: d, type, isArray: info.isArray, isPointer: info.isPointer });
    }
  }

  private ifStatement(first: Node, preds: Pred[]): Pred[] {
    return ifStatementChain(first, preds, {
      condition: (n, cur) => {
        const condNode = n.childForFieldName('condition');
        this.declareCondition(condNode);
        const c = this.add('cond', condNode, null, n, 'cond');
        this.connect(cur, c);
        return { t: [{ from: c, slot: 0 }], f: [{ from: c, slot: 1 }] };
      },
      statement: (stmt, p, owner) => this.statement(stmt, p, owner),
      elseIfArms: true,
    });
  }

  /** C++ `if (int fd = open(...))` / `if (init; cond)` declare variables in the condition. */
  private declareCondition(cond: Node | null): void {
    if (!cond || cond.type !== 'condition_clause') return;
    for (let i = 0; i < cond.namedChildCount; i++) {
      const c = cond.namedChild(i);
      if (c && c.type === 'declaration') this.declare(c);
    }
  }

  private readonly link = (preds: readonly Pred[], to: number): void => this.connect(preds, to);

  /** The frame of a loop whose `continue` goes to `continueTo`. */
  private loopFrame(continueTo: number): JumpTarget {
    return jumpTarget(continueTo, this.scopes.length);
  }

  /** Builds the body of `loop` from the given edges. */
  private loopBody(loop: Node): (preds: Pred[]) => Pred[] {
    const body = loop.childForFieldName('body');
    return (preds) => (body ? this.statement(body, preds, loop) : preds);
  }

  private whileStatement(n: Node, preds: Pred[]): Pred[] {
    const condNode = n.childForFieldName('condition');
    this.declareCondition(condNode);
    const c = this.add('cond', condNode, null, n, 'cond');
    this.connect(preds, c);
    return whileLoop(this.jumps, this.loopFrame(c), this.link, c, this.loopBody(n));
  }

  private doStatement(n: Node, preds: Pred[]): Pred[] {
    const start = this.add('noop', null);
    this.connect(preds, start);
    const c = this.add('cond', n.childForFieldName('condition'), null, n, 'cond');
    return doWhileLoop(this.jumps, this.loopFrame(c), this.link, start, this.loopBody(n));
  }

  private forStatement(n: Node, preds: Pred[]): Pred[] {
    const scope: Scope = { id: this.nextScope++, vars: [] };
    this.scopes.push(scope);
    let cur = preds;
    const init = n.childForFieldName('initializer');
    if (init) {
      if (init.type === 'declaration') this.declare(init);
      const id = this.add('effect', init, null, n, 'init');
      this.connect(cur, id);
      cur = [{ from: id, slot: -1 }];
    }
    const condNode = n.childForFieldName('condition');
    const c = this.add('cond', condNode, null, n, 'cond');
    const update = this.add('effect', n.childForFieldName('update'), null, n, 'update');
    this.connect([{ from: update, slot: -1 }], c);
    let out: Pred[];
    if (this.entersOnce(n)) {
      // The first test is taken as holding: the body runs from the initialiser, then as a while loop.
      const start = this.add('noop', null);
      this.connect(cur, start);
      this.connect([{ from: c, slot: 0 }], start);
      out = buildLoop(this.jumps, this.loopFrame(update), this.link, () => this.loopBody(n)([{ from: start, slot: -1 }]), () => (condNode ? [{ from: c, slot: 1 }] : []));
    } else if (!condNode) {
      // `for (;;)`: no test, so no way out but `break`, `return`, `goto` and calls that do not return (dropbear's
      // accept loop: the code after it, up to the function's end, is never reached).
      this.connect(cur, c);
      out = buildLoop(this.jumps, this.loopFrame(update), this.link, () => this.loopBody(n)([{ from: c, slot: 0 }]), () => []);
    } else {
      this.connect(cur, c);
      out = whileLoop(this.jumps, this.loopFrame(update), this.link, c, this.loopBody(n));
    }
    this.scopes.pop();
    return this.endScope(scope, out, n);
  }

  /**
   * A counted loop that runs its body at least once as far as the function can tell: the cursor is
   * set to a constant and compared with a count that is a file-scope variable of a C file, or a field
   * of one (`for (c = 0; c < settings.num_threads; c++)`), that neither the function nor the functions
   * of the file it calls change (FileGlobals.countUnchanged). The function neither computes that count
   * nor is given it, and code that walks it (one descriptor per worker thread) is written for it to be
   * at least one: a path that skips the body is not reported. The first test must hold for every count
   * of at least one: start 0 with `<` or `!=`, start 0 or 1 with `<=` (`for (fd = 3; fd < maxfd; …)`
   * may skip its body). A count the function computes or receives (a local, a parameter, a field of
   * one) may be 0, and a constant bound is left to the facts (engine/facts.ts), which know it.
   */
  private entersOnce(n: Node): boolean {
    const init = n.childForFieldName('initializer');
    let cursor: string | null = null;
    let start: number | null = null;
    if (init?.type === 'declaration') {
      const decls = init.childrenForFieldName('declarator');
      const d = decls.length === 1 ? decls[0] : null;
      const name = d?.type === 'init_declarator' ? d.childForFieldName('declarator') : null;
      start = name?.type === 'identifier' ? constantValue(d!.childForFieldName('value')) : null;
      if (start !== null) cursor = name!.text;
    } else if (init?.type === 'assignment_expression' && init.childForFieldName('operator')?.text === '=') {
      const left = strip(init.childForFieldName('left'));
      start = left?.type === 'identifier' ? constantValue(init.childForFieldName('right')) : null;
      if (start !== null) cursor = left!.text;
    }
    const cond = strip(n.childForFieldName('condition'));
    if (!cursor || start === null || cond?.type !== 'binary_expression') return false;
    const op = cond.childForFieldName('operator')?.type ?? '';
    const left = strip(cond.childForFieldName('left'));
    const right = strip(cond.childForFieldName('right'));
    // The cursor's side, the operator as read from the cursor (`n > c` is `c < n`), the count's side.
    let less: string | null = null;
    let bound: Node | null = null;
    if (left?.type === 'identifier' && left.text === cursor) [less, bound] = [op, cond.childForFieldName('right')];
    else if (right?.type === 'identifier' && right.text === cursor) [less, bound] = [op === '>' ? '<' : op === '>=' ? '<=' : op, cond.childForFieldName('left')];
    const holds = ((less === '<' || less === '!=') && start === 0) || (less === '<=' && (start === 0 || start === 1));
    return holds && this.outsideCount(bound);
  }

  /**
   * A count read as it is from a file-scope variable or a field of one with `.` (`nworkers`,
   * `settings.workers`; not `g->n`, which any pointer to it may change, nor a comma expression,
   * whose left side may change it), that the function does not own and nothing it runs changes.
   */
  private outsideCount(bound: Node | null): boolean {
    let b = bound;
    while (b?.type === 'parenthesized_expression' || b?.type === 'cast_expression') {
      b = b.type === 'cast_expression' ? b.childForFieldName('value') : b.namedChild(0);
    }
    const prefixes = new Set<string>();
    let n = b;
    for (; n?.type === 'field_expression' && n.childForFieldName('operator')?.text === '.'; n = n.childForFieldName('argument')) prefixes.add(fieldPath(n));
    if (!b || n?.type !== 'identifier' || this.cfg.locals.has(n.text) || CONSTANT_NAME.test(n.text)) return false;
    prefixes.add(n.text);
    return this.countUnchanged(this.fn, n.text, prefixes);
  }

  private rangeFor(n: Node, preds: Pred[]): Pred[] {
    const cur = this.chain(preds, 'effect', n.childForFieldName('right'));
    const c = this.add('cond', null);
    this.connect(cur, c);
    return whileLoop(this.jumps, this.loopFrame(c), this.link, c, this.loopBody(n));
  }

  private switchStatement(n: Node, preds: Pred[]): Pred[] {
    const sw = this.add('switch', n.childForFieldName('condition'), null, n, 'cond');
    this.connect(preds, sw);
    const body = n.childForFieldName('body');
    let hasDefault = false;
    const scope: Scope = { id: this.nextScope++, vars: [] };
    this.scopes.push(scope);
    const frame = jumpTarget(this.innermostContinue(), this.scopes.length - 1);
    this.jumps.push(frame);
    const out = fallthroughSwitch(sw, body ? body.namedChildren : [], frame.breaks, {
      connect: (p, to) => this.connect(p, to),
      join: () => this.add('noop', null),
      part: (c) => (!c ? 'skip' : c.type === 'case_statement' ? 'case' : 'statement'),
      body: (c, p) => {
        if (c!.type !== 'case_statement') return this.statement(c!, p, body!);
        if (!c!.childForFieldName('value')) hasDefault = true;
        return this.caseBody(c!, p);
      },
      hasDefault: () => hasDefault,
    });
    this.jumps.pop();
    this.scopes.pop();
    return out;
  }

  private innermostContinue(): number {
    for (let i = this.jumps.length - 1; i >= 0; i--) {
      const j = this.jumps[i]!;
      if (j.continueTo >= 0) return j.continueTo;
    }
    return -1;
  }

  private caseBody(c: Node, preds: Pred[]): Pred[] {
    let cur = preds;
    const value = c.childForFieldName('value');
    for (let i = 0; i < c.namedChildCount; i++) {
      const s = c.namedChild(i);
      if (!s || (value && s.id === value.id)) continue;
      if (!STATEMENT_TYPES.has(s.type) && s.type !== 'comment' && !s.type.endsWith('_statement')) continue;
      cur = this.statement(s, cur, c);
    }
    return cur;
  }

  private jump(n: Node, preds: Pred[]): Pred[] {
    const isBreak = n.type === 'break_statement';
    const target = this.jumps[findJumpTarget(this.jumps, isBreak, null, (j) => j)];
    if (!target) return []; // break/continue outside a loop: the path ends (malformed code).
    const s = this.add('scope', null, { kind: isBreak ? 'break' : 'continue', node: n });
    this.nodes[s]!.vars = declaredFrom(this.scopes, target.scopeDepth);
    this.connect(preds, s);
    // (`continue` inside a switch continues the enclosing loop: the switch's frame has that loop's target node.)
    arriveAt(target, isBreak, [{ from: s, slot: -1 }], (p, to) => this.connect(p, to));
    return [];
  }

  private gotoStatement(n: Node, preds: Pred[]): Pred[] {
    const s = this.add('scope', null, { kind: 'goto', node: n });
    this.connect(preds, s);
    this.labels.jump(s, n.childForFieldName('label')?.text ?? '', this.scopes);
    return [];
  }

  private labeled(n: Node, preds: Pred[]): Pred[] {
    let cur = this.labels.define(n.childForFieldName('label')?.text ?? '', preds, this.scopes);
    for (let i = 0; i < n.namedChildCount; i++) {
      const c = n.namedChild(i);
      if (c && c.type !== 'statement_identifier') cur = this.statement(c, cur, n);
    }
    return cur;
  }

  /**
   * try/catch: a handler can be entered before any statement of the try body and after each one
   * (a call may throw anywhere), and from a throw inside it.
   */
  private tryStatement(n: Node, preds: Pred[]): Pred[] {
    const handlers: Pred[] = [];
    const start = this.chain(preds, 'noop', null);
    handlers.push(...start.map((p) => ({ ...p })));
    this.tries.push(handlers);
    const body = n.childForFieldName('body');
    let cur: Pred[] = start;
    if (body) {
      const scope: Scope = { id: this.nextScope++, vars: [] };
      this.scopes.push(scope);
      for (let i = 0; i < body.namedChildCount; i++) {
        const c = body.namedChild(i);
        if (!c) continue;
        cur = this.statement(c, cur, body);
        if (cur.length) {
          cur = this.chain(cur, 'noop', null);
          handlers.push({ from: cur[0]!.from, slot: -1 });
        }
      }
      this.scopes.pop();
    }
    this.tries.pop();
    const handlerEntry = this.add('noop', null);
    this.connect(handlers, handlerEntry);
    const clauses = n.namedChildren.filter((c): c is Node => c?.type === 'catch_clause');
    return [...cur, ...catchClauses(handlerEntry, clauses, (c, p) => {
      const cbody = c.childForFieldName('body');
      return cbody ? this.statement(cbody, p, c) : [];
    })];
  }

  /** `#if`/`#ifdef` blocks: the guarded statements are present; an `#else`/`#elif` part is an alternative. */
  private preprocessor(n: Node, preds: Pred[]): Pred[] {
    const alt = n.childForFieldName('alternative');
    const skip = new Set<number>();
    for (const f of ['name', 'condition', 'alternative']) {
      const c = n.childForFieldName(f);
      if (c) skip.add(c.id);
    }
    let cur = preds;
    for (let i = 0; i < n.namedChildCount; i++) {
      const c = n.namedChild(i);
      if (c && !skip.has(c.id)) cur = this.statement(c, cur, n);
    }
    if (!alt) return cur;
    return [...cur, ...this.statement(alt, preds, n)];
  }
}

/**
 * Builds the CFG of a function_definition or lambda_expression. `cleanupMacros` are the file's
 * macros that expand to `__attribute__((cleanup(...)))`.
 */
export function buildCfg(fn: Node, cleanupMacros: ReadonlySet<string> = new Set(), countUnchanged: CountUnchanged = () => false): FunctionCfg {
  return new Builder(fn, cleanupMacros, countUnchanged).build();
}

/**
 * A declaration qualifier that closes the variable on every exit: a file macro for the cleanup
 * attribute, or systemd's `_cleanup_close_`, `_cleanup_fclose_`, `_cleanup_pclose_` (defined in its
 * headers), which `MACRO type name` makes the declaration's type as parsed.
 */
function isCleanupQualifier(type: Node | null, cleanupMacros: ReadonlySet<string>): boolean {
  if (!type || type.type !== 'type_identifier') return false;
  return cleanupMacros.has(type.text) || /^_cleanup_(close|fclose|pclose|closedir|close_pair)_$/.test(type.text);
}
