import type { Node } from 'web-tree-sitter';
import { GraphBuilder, NestingLimit, type Pred } from '../../ir/builder';
import { ifStatementChain } from '../../ir/cfg/ifChain';
import { arriveAt, breakableStatement, findJumpTarget, type JumpFrame } from '../../ir/cfg/jumps';
import { buildLoop } from '../../ir/cfg/loops';
import { endOfTreeScope, ScopeTree } from '../../ir/cfg/scopes';
import { DispatchArms } from '../../ir/cfg/switch';
import { exprList, kids, lastLeaf, parameterNames, statementsOf } from './syntax';

/**
 * Control-flow graph of one Go function body at statement granularity, with lexical scopes: a
 * variable declared in a block is checked where the block ends (or where a break/continue leaves it).
 */

/**
 * Where a leak is reported and how a close can be inserted there:
 * - 'return' / 'break' / 'continue' / 'goto': the jump statement (insert before it);
 * - 'end' / 'block': the closing `}` of `node` (a function body or block; insert before the brace);
 * - 'case': the end of a switch/select case clause `node` (insert after its last statement);
 * - 'if': the end of an if/for/switch statement whose initializer declared the variable (no exit fix).
 */
export type ExitKind = 'return' | 'end' | 'block' | 'case' | 'if' | 'break' | 'continue' | 'goto';

export interface ExitSite {
  readonly kind: ExitKind;
  readonly node: Node;
  /** The node the finding points at. */
  readonly report: Node;
}

export type CfgKind = 'entry' | 'effect' | 'cond' | 'branch' | 'return' | 'noreturn' | 'scope' | 'end';

export interface CfgNode {
  readonly kind: CfgKind;
  /** effect: a statement; cond: the condition expression; return: the statement. */
  readonly ast: Node | null;
  /** Successors; for 'cond' [0] is the true edge and [1] the false edge (-1: none). */
  readonly succ: number[];
  /** Innermost scope when the node was created (resolves names used by `ast`). */
  readonly scope: number;
  /** 'scope' nodes: the scopes that end here. */
  scopes: number[];
  readonly exit: ExitSite | null;
  /**
   * An 'effect' node on the success edge of `if err != nil` right after the statement `ast` that
   * set `err`: what that statement's call takes over only when it succeeds happens here.
   */
  success?: boolean;
  /** A 'scope' node right after a statement that discards its first result (`_, err := f()`): that statement. */
  discard?: Node;
}

export interface FunctionCfg {
  readonly fn: Node;
  readonly nodes: CfgNode[];
  readonly entry: number;
  /** Parent of each scope (-1 for the function scope 0). */
  readonly scopeParent: number[];
  /** Names declared in each scope. */
  readonly declared: Set<string>[];
  readonly params: (string | null)[];
  /** Set when nesting was too deep and parts were treated as opaque. */
  truncated: boolean;
  /** Statements whose error result is checked right after them (`x, err := f(); if err != nil`), by node id. */
  readonly gated: Set<number>;
}

/** A for, switch or select statement (`continueTo` -1 for switch/select). */
interface JumpTarget extends JumpFrame {
  /** Number of open scopes outside the construct (a jump leaves the ones above). */
  readonly scopeDepth: number;
}

const MAX_DEPTH = 250;

class Builder extends GraphBuilder<CfgNode, CfgKind, ExitSite> {
  private readonly tree = new ScopeTree();
  private readonly jumps: JumpTarget[] = [];
  private readonly arms = new DispatchArms();
  private pendingLabel: string | null = null;
  /** The `if err != nil` statement about to be built and the statement whose error it checks. */
  private gate: { ifStmt: Node; stmt: Node } | null = null;
  private readonly nesting = new NestingLimit(MAX_DEPTH);
  readonly cfg: FunctionCfg;

  constructor(fn: Node, private readonly isNoReturnStatement: (stmt: Node) => boolean) {
    super();
    this.cfg = { fn, nodes: this.nodes, entry: 0, scopeParent: this.tree.parent, declared: this.tree.declared, params: parameterNames(fn), truncated: false, gated: new Set() };
  }

  private get scope(): number {
    return this.tree.current;
  }

  protected add(kind: CfgKind, ast: Node | null, exit: ExitSite | null = null): number {
    this.nodes.push({ kind, ast, succ: kind === 'cond' ? [-1, -1] : [], scope: this.scope, scopes: [], exit });
    return this.nodes.length - 1;
  }

  /** Closes the innermost scope; reachable paths go through a 'scope' node that checks its variables. */
  private popScope(preds: Pred[], exit: ExitSite): Pred[] {
    return endOfTreeScope(this.tree, this.nodes, preds, (o) => this.chain(o, 'scope', null, exit));
  }

  /** Declares `names` in the innermost scope (`_` declares nothing). */
  private declare(names: readonly string[]): void {
    this.tree.declare(names.filter((n) => n !== '_'));
  }

  build(): FunctionCfg {
    this.tree.push();
    for (const p of this.cfg.params) if (p) this.cfg.declared[0]!.add(p);
    // Named results are locals of the function scope too.
    const result = this.cfg.fn.childForFieldName('result');
    if (result?.type === 'parameter_list') {
      for (const d of kids(result)) for (const nm of d.childrenForFieldName('name')) if (nm) this.cfg.declared[0]!.add(nm.text);
    }
    const entry = this.add('entry', null);
    const body = this.cfg.fn.childForFieldName('body');
    let preds: Pred[] = [{ from: entry, slot: -1 }];
    if (body) {
      preds = this.statements(statementsOf(body), preds);
      this.chain(preds, 'end', null, { kind: 'end', node: body, report: lastLeaf(body) });
    }
    this.tree.pop();
    return this.cfg;
  }

  private statements(list: readonly Node[], preds: Pred[]): Pred[] {
    let cur = preds;
    let prev: Node | null = null;
    for (const s of list) {
      if (s.type === 'comment') continue;
      if (s.type === 'if_statement' && prev && !s.childForFieldName('initializer') && checksError(s, prev)) this.gate = { ifStmt: s, stmt: prev };
      cur = this.statement(s, cur);
      prev = s;
    }
    return cur;
  }

  private statement(n: Node, preds: Pred[]): Pred[] {
    return this.nesting.nest(() => this.statementInner(n, preds), () => {
      this.cfg.truncated = true;
      return this.chain(preds, 'effect', n);
    });
  }

  private statementInner(n: Node, preds: Pred[]): Pred[] {
    const label = this.pendingLabel;
    this.pendingLabel = null;
    switch (n.type) {
      case 'comment':
      case 'empty_statement':
      case 'const_declaration':
      case 'type_declaration':
        return preds;
      case 'block': {
        this.tree.push();
        const out = this.statements(statementsOf(n), preds);
        return this.popScope(out, { kind: 'block', node: n, report: lastLeaf(n) });
      }
      case 'short_var_declaration':
        this.declare(exprList(n.childForFieldName('left')).filter((x) => x.type === 'identifier').map((x) => x.text));
        return this.discarding(n, this.chain(preds, 'effect', n));
      case 'assignment_statement':
        return this.discarding(n, this.chain(preds, 'effect', n));
      case 'var_declaration':
        this.declareVars(n);
        return this.chain(preds, 'effect', n);
      case 'expression_statement':
        return this.chain(preds, this.isNoReturnStatement(n) ? 'noreturn' : 'effect', n);
      case 'return_statement': {
        this.chain(preds, 'return', n, { kind: 'return', node: n, report: n });
        return [];
      }
      case 'if_statement':
        return this.withInit(n, preds, (p) => this.ifStatement(n, p));
      case 'for_statement':
        return this.withInit(n, preds, (p) => this.forStatement(n, p, label));
      case 'expression_switch_statement':
      case 'type_switch_statement':
        return this.withInit(n, preds, (p) => this.switchStatement(n, p, label));
      case 'select_statement':
        return this.selectStatement(n, preds, label);
      case 'labeled_statement': {
        const inner = kids(n).find((c) => c.type !== 'label_name');
        if (!inner) return preds;
        this.pendingLabel = n.childForFieldName('label')?.text ?? null;
        const out = this.statement(inner, preds);
        this.pendingLabel = null;
        return out;
      }
      case 'break_statement':
      case 'continue_statement':
        return this.jump(n, preds, n.type === 'break_statement');
      case 'goto_statement':
        // Not followed: the path ends here without a report (goto is rare in Go and mostly jumps to cleanup).
        this.chain(preds, 'noreturn', n);
        return [];
      case 'fallthrough_statement': {
        this.arms.fallthrough(preds);
        return [];
      }
      default:
        // send, inc/dec, assignment, go, defer, ERROR and anything unknown: one effect.
        return this.chain(preds, 'effect', n);
    }
  }

  private declareVars(n: Node): void {
    const stack = kids(n);
    while (stack.length) {
      const s = stack.pop()!;
      if (s.type === 'var_spec_list') stack.push(...kids(s));
      else if (s.type === 'var_spec') this.declare(s.childrenForFieldName('name').filter((x): x is Node => !!x).map((x) => x.text));
    }
  }

  /** Opens the implicit scope of an if/for/switch statement that has an initializer. */
  private withInit(n: Node, preds: Pred[], body: (p: Pred[]) => Pred[]): Pred[] {
    const init = n.type === 'for_statement' ? null : n.childForFieldName('initializer');
    const clause = n.type === 'for_statement' ? kids(n).find((c) => c.type === 'for_clause' || c.type === 'range_clause') : null;
    const alias = n.type === 'type_switch_statement' ? n.childForFieldName('alias') : null;
    if (!init && !clause && !alias) return body(preds);
    this.tree.push();
    let p = preds;
    if (init) p = this.statement(init, p);
    if (alias) this.declare(exprList(alias).map((x) => x.text));
    const out = body(p);
    return this.popScope(out, { kind: 'if', node: n, report: lastLeaf(n) });
  }

  /** After a statement that discards its first result, a scope node where a discarded resource is lost. */
  private discarding(n: Node, preds: Pred[]): Pred[] {
    const left = exprList(n.childForFieldName('left'));
    const right = exprList(n.childForFieldName('right'));
    if (left[0]?.text !== '_' || right.length !== 1 || right[0]!.type !== 'call_expression' || !preds.length) return preds;
    const out = this.chain(preds, 'scope', null, { kind: 'block', node: n, report: n });
    this.nodes[out[0]!.from]!.discard = n;
    return out;
  }

  private ifStatement(n: Node, preds: Pred[]): Pred[] {
    return ifStatementChain(n, preds, {
      condition: (arm, cur) => {
        const init = arm.childForFieldName('initializer');
        const gated = this.gate?.ifStmt.id === arm.id ? this.gate.stmt : init && checksError(arm, init) ? init : null;
        this.gate = null;
        const cond = this.add('cond', arm.childForFieldName('condition'));
        this.connect(cur, cond);
        let success: Pred[] = [{ from: cond, slot: 1 }];
        if (gated) {
          this.cfg.gated.add(gated.id);
          success = this.chain(success, 'effect', gated);
          this.nodes[success[0]!.from]!.success = true;
        }
        return { t: [{ from: cond, slot: 0 }], f: success };
      },
      statement: (s, p) => this.statement(s, p),
      // An `else if` is a statement of its own here: it may open the scope of an initializer.
      elseIfArms: false,
    });
  }

  private forStatement(n: Node, preds: Pred[], label: string | null): Pred[] {
    const clause = kids(n).find((c) => c.type === 'for_clause' || c.type === 'range_clause');
    const body = n.childForFieldName('body');
    let head: number;
    let afterBody: number; // where the body's end and `continue` go
    let exits: Pred[] = [];
    if (clause?.type === 'range_clause') {
      if (clause.text.includes(':=')) this.declare(exprList(clause.childForFieldName('left')).map((x) => x.text));
      head = this.add('branch', clause);
      this.connect(preds, head);
      afterBody = head;
      // A range over a ticker's channel ends only by break or return: it is never closed.
      exits = rangesOverTicker(clause.childForFieldName('right')) ? [] : [{ from: head, slot: -1 }];
    } else {
      let p = preds;
      const init = clause?.childForFieldName('initializer');
      if (init) p = this.statement(init, p);
      const condExpr = clause ? clause.childForFieldName('condition') : kids(n).find((c) => c.id !== body?.id && c.type !== 'for_clause');
      head = condExpr ? this.add('cond', condExpr) : this.add('branch', null);
      this.connect(p, head);
      const update = clause?.childForFieldName('update');
      afterBody = update ? this.add('effect', update) : head;
      if (update) this.connect([{ from: afterBody, slot: -1 }], head);
      if (condExpr) exits = [{ from: head, slot: 1 }];
    }
    const frame: JumpTarget = { label, loop: true, breakable: true, breaks: [], continueTo: afterBody, scopeDepth: this.tree.depth };
    const bodyStart: Pred[] = [{ from: head, slot: this.nodes[head]!.kind === 'cond' ? 0 : -1 }];
    return buildLoop(this.jumps, frame, (p, to) => this.connect(p, to), () => (body ? this.statement(body, bodyStart) : bodyStart), () => exits);
  }

  private switchStatement(n: Node, preds: Pred[], label: string | null): Pred[] {
    let p = preds;
    const value = n.childForFieldName('value');
    if (value) p = this.chain(p, 'effect', value);
    const dispatch = this.add('branch', null);
    this.connect(p, dispatch);
    const cases = kids(n).filter((c) => c.type === 'expression_case' || c.type === 'type_case' || c.type === 'default_case');
    return this.cases(n, dispatch, cases, label, cases.some((c) => c.type === 'default_case'), false);
  }

  private selectStatement(n: Node, preds: Pred[], label: string | null): Pred[] {
    const dispatch = this.add('branch', null);
    this.connect(preds, dispatch);
    const cases = kids(n).filter((c) => c.type === 'communication_case' || c.type === 'default_case');
    // A select always runs exactly one of its cases (`select {}` blocks forever): no edge around them.
    return this.cases(n, dispatch, cases, label, true, true);
  }

  private cases(n: Node, dispatch: number, cases: Node[], label: string | null, exhaustive: boolean, isSelect: boolean): Pred[] {
    const frame: JumpTarget = { label, loop: false, breakable: true, breaks: [], continueTo: -1, scopeDepth: this.tree.depth };
    const exits: Pred[] = exhaustive ? [] : [{ from: dispatch, slot: -1 }];
    return breakableStatement(this.jumps, frame, () => [...this.arms.build(dispatch, cases, (c, entry) => {
      this.tree.push();
      let p = entry;
      const comm = isSelect ? c.childForFieldName('communication') : null;
      if (comm) {
        if (comm.type === 'receive_statement' && comm.text.includes(':=')) this.declare(exprList(comm.childForFieldName('left')).map((x) => x.text));
        p = this.chain(p, 'effect', comm);
      }
      const out = this.statements(statementsOf(c), p);
      return this.popScope(out, { kind: 'case', node: c, report: lastLeaf(n) });
    }), ...exits]);
  }

  private jump(n: Node, preds: Pred[], isBreak: boolean): Pred[] {
    const label = kids(n).find((c) => c.type === 'label_name')?.text ?? null;
    const target = this.jumps[findJumpTarget(this.jumps, isBreak, label, (j) => j)];
    if (!target) {
      this.chain(preds, 'noreturn', n);
      return [];
    }
    const left = this.tree.declaringFrom(target.scopeDepth);
    let p = preds;
    if (left.length) {
      p = this.chain(p, 'scope', null, { kind: isBreak ? 'break' : 'continue', node: n, report: n });
      this.nodes[p[0]!.from]!.scopes = left;
    }
    arriveAt(target, isBreak, p, (q, to) => this.connect(q, to));
    return [];
  }
}

/** `time.Tick(d)` or `time.NewTicker(d).C`: a channel the runtime never closes. */
function rangesOverTicker(expr: Node | null): boolean {
  const isTimeCall = (n: Node | null, name: string) => {
    const f = n?.type === 'call_expression' ? n.childForFieldName('function') : null;
    return f?.type === 'selector_expression' && f.childForFieldName('operand')?.text === 'time' && f.childForFieldName('field')?.text === name;
  };
  if (isTimeCall(expr, 'Tick')) return true;
  return expr?.type === 'selector_expression' && expr.childForFieldName('field')?.text === 'C' && isTimeCall(expr.childForFieldName('operand'), 'NewTicker');
}

/**
 * Does `ifStmt`'s condition test `err != nil` for the last variable that `stmt` (an assignment or
 * short variable declaration from one call) sets?
 */
function checksError(ifStmt: Node, stmt: Node): boolean {
  if (stmt.type !== 'short_var_declaration' && stmt.type !== 'assignment_statement') return false;
  const left = exprList(stmt.childForFieldName('left'));
  const right = exprList(stmt.childForFieldName('right'));
  const err = left[left.length - 1];
  if ((left.length < 2 && !/err/i.test(err?.text ?? '')) || right.length !== 1 || right[0]!.type !== 'call_expression' || err?.type !== 'identifier' || err.text === '_') return false;
  let c = ifStmt.childForFieldName('condition');
  while (c?.type === 'parenthesized_expression') c = kids(c)[0] ?? null;
  if (c?.type !== 'binary_expression' || c.childForFieldName('operator')?.text !== '!=') return false;
  const l = c.childForFieldName('left');
  const r = c.childForFieldName('right');
  return (l?.text === err.text && r?.type === 'nil') || (r?.text === err.text && l?.type === 'nil');
}

/** `isNoReturnStatement` marks expression statements that end the path (`panic(...)`, `os.Exit(1)`, `log.Fatal(...)`). */
export function buildCfg(fn: Node, isNoReturnStatement: (stmt: Node) => boolean): FunctionCfg {
  return new Builder(fn, isNoReturnStatement).build();
}
