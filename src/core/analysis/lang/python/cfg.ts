import type { Node } from 'web-tree-sitter';
import { NestingLimit, connectPreds, type Pred } from '../../ir/builder';
import { FinallyCopies } from '../../ir/cfg/finally';
import { catchClauses } from '../../ir/cfg/handlers';
import { ifChain, type Branches } from '../../ir/cfg/ifChain';
import { arriveAt, findJumpTarget, type JumpFrame } from '../../ir/cfg/jumps';
import { buildLoop } from '../../ir/cfg/loops';
import { DispatchArms } from '../../ir/cfg/switch';
import { named } from './syntax';

/**
 * Control-flow graph of one Python function (or the module's top level), at statement granularity,
 * with an exceptional edge from every statement that may raise to the innermost handler, `finally`
 * or the function's raise exit. A `finally` block is copied once per way of reaching it (fall
 * through, exception, return, break, continue), so that each copy continues where its entry went.
 */

/** What flows along an edge: the state after the node's effects ('normal', condition outcomes, 'body' of a
 *  `for`), after its effects but leaving by `return` ('ret'), or the state before them ('exc', 'raise'). */
export type EdgeKind = 'normal' | 'true' | 'false' | 'body' | 'ret' | 'exc' | 'raise';
/**
 * `withExit`: leaving a `with` block (its `ast` is the with statement), by falling out, an exception, a return or a jump.
 * `uncaught`: an I/O call's exception reaching handlers that catch only some OSErrors (`except BlockingIOError:`):
 * it goes to them ('normal') or past them ('exc'); its `raiser` is that call and it has no `ast`.
 */
export type NodeKind = 'entry' | 'stmt' | 'cond' | 'for' | 'with' | 'withExit' | 'return' | 'raise' | 'def' | 'caught' | 'uncaught' | 'exit';
export type ExitKind = 'end' | 'return' | 'raise';

export interface PyNode {
  readonly kind: NodeKind;
  /** The statement (or, for 'cond', the condition expression). */
  readonly ast: Node | null;
  /** The expressions evaluated at this node. */
  readonly roots: readonly Node[];
  readonly succ: number[];
  readonly edges: EdgeKind[];
  /** The call (or raise/assert statement) behind the node's exceptional edge. */
  readonly raiser: Node | null;
  readonly exit: ExitKind | null;
  /**
   * A `withExit` copy on an abrupt path: the call or `raise` whose exception, or the `return` whose
   * value, is leaving the block (each gets its own copy, so the exit still knows where it began).
   */
  readonly leaving: Node | null;
}

export interface PyCfg {
  readonly nodes: PyNode[];
  readonly entry: number;
  /** Parts nested deeper than the builder follows were treated as single statements. */
  truncated: boolean;
}

/** Thrown when the graph would exceed MAX_NODES (finally copies multiply with nesting). */
export class CfgTooLarge extends Error {}

type Pending = 'exc' | 'ret' | 'brk' | 'cont';

interface FinallyFrame {
  readonly copies: FinallyCopies<Pending>;
}

/** A `with` block being built: every way out of it passes a `withExit` node. */
interface WithFrame {
  readonly stmt: Node;
}

/** `narrow`: every handler names only strict subclasses of OSError (see ExceptionTypes). */
type Catcher = { readonly handlers: number; readonly narrow: boolean } | { readonly frame: FinallyFrame } | { readonly with: WithFrame };

/** What the builder asks of the exception classes a `try` catches. */
export interface ExceptionTypes {
  /** The first socket or file I/O call in `roots` that may raise an OSError other than the ones named (or null). */
  io(roots: readonly Node[]): Node | null;
  /** Whether an `except` clause catches only some OSErrors (`except BlockingIOError:`, `except (socket.timeout, InterruptedError):`). */
  narrow(handler: Node): boolean;
  /**
   * Whether an expression statement ends the process (`names.processExit`): `ends` (`os._exit(…)`: the path
   * stops there) or not (`sys.exit(…)`, `exit()`, `quit()`: only its SystemExit leaves), with the call.
   */
  processExit?(stmt: Node): { readonly call: Node; readonly ends: boolean } | null;
  /** The call by which an expression statement always raises (`names.alwaysRaises`: `string.join(…)` on Python 3), or null. */
  alwaysRaises?(stmt: Node): Node | null;
}

/** A loop (Python has no labels: `break` and `continue` go to the innermost one). */
interface Loop extends JumpFrame {
  /** Number of finally frames open when the loop started. */
  readonly finDepth: number;
}

const MAX_DEPTH = 200;
const MAX_NODES = 20_000;

const TRANSPARENT = new Set(['pass_statement', 'import_statement', 'import_from_statement', 'future_import_statement',
  'global_statement', 'nonlocal_statement', 'comment', 'type_alias_statement']);
const DEFINITIONS = new Set(['function_definition', 'class_definition', 'decorated_definition']);

export class CfgBuilder {
  private readonly nodes: PyNode[] = [];
  private readonly catchers: Catcher[] = [];
  /** The open `finally` and `with` frames, innermost last: what a return or a loop jump passes through. */
  private readonly finallies: (FinallyFrame | WithFrame)[] = [];
  private readonly loops: Loop[] = [];
  private readonly nesting = new NestingLimit(MAX_DEPTH);
  private truncated = false;
  /** Statements of each block, read once (finally copies visit blocks again). */
  private readonly blocks = new Map<number, Node[]>();
  private readonly exits: Record<ExitKind, number>;

  /**
   * `raiser(roots)` gives the first call in `roots` that may raise, or null. Without `types`, every
   * handler is taken to catch whatever the body raises.
   */
  constructor(private readonly raiser: (roots: readonly Node[]) => Node | null, private readonly types: ExceptionTypes | null = null) {
    this.exits = { end: this.addExit('end'), return: this.addExit('return'), raise: this.addExit('raise') };
  }

  private addExit(exit: ExitKind): number {
    this.nodes.push({ kind: 'exit', ast: null, roots: [], succ: [], edges: [], raiser: null, exit, leaving: null });
    return this.nodes.length - 1;
  }

  private add(kind: NodeKind, ast: Node | null, roots: readonly Node[], edges: EdgeKind[], raiser: Node | null = null, leaving: Node | null = null): number {
    if (this.nodes.length >= MAX_NODES) throw new CfgTooLarge('control-flow graph too large');
    this.nodes.push({ kind, ast, roots, succ: edges.map(() => -1), edges, raiser, exit: null, leaving });
    return this.nodes.length - 1;
  }

  /** An appended successor (slot -1) is a 'normal' edge. */
  private connect(preds: readonly Pred[], to: number): void {
    connectPreds(this.nodes, preds, to, (node) => node.edges.push('normal'));
  }

  /**
   * Adds a node reached from `preds` with the given edges, plus an exceptional edge (routed to the
   * innermost catcher) when something evaluated there may raise. Returns the node id.
   */
  private emit(kind: NodeKind, ast: Node | null, roots: readonly Node[], edges: EdgeKind[], preds: readonly Pred[]): number {
    const raiser = this.raiser(roots);
    const id = this.add(kind, ast, roots, raiser ? [...edges, 'exc'] : edges, raiser);
    this.connect(preds, id);
    if (raiser) {
      const narrow = this.types !== null && this.catchers.some((c) => 'handlers' in c && c.narrow);
      this.routeExc([{ from: id, slot: edges.length }], raiser, this.catchers.length, narrow ? this.types!.io(roots) : null);
    }
    return id;
  }

  /** Leaving a `with` block on an abrupt path that began at `leaving`: one `withExit` copy per such path. */
  private leaveWith(frame: WithFrame, pred: Pred, leaving: Node | null): Pred[] {
    const id = this.add('withExit', frame.stmt, [], ['normal'], null, leaving);
    this.connect([pred], id);
    return [{ from: id, slot: 0 }];
  }

  /** Builds the graph of a function body (a block) or of the module's top level. */
  build(body: Node | null): PyCfg {
    const entry = this.add('entry', null, [], ['normal']);
    const out = body ? this.block(body, [{ from: entry, slot: 0 }]) : [{ from: entry, slot: 0 }];
    this.connect(out, this.exits.end);
    return { nodes: this.nodes, entry, truncated: this.truncated };
  }

  /**
   * Routes an exception raised at `origin` (a call, `raise` or `assert`) from the catchers below `level` outwards.
   * `io`: an I/O call of the raising statement (ExceptionTypes.io): handlers that catch only some OSErrors
   * may let its exception through, so it reaches them through an `uncaught` node that also goes past them.
   */
  private routeExc(preds: readonly Pred[], origin: Node | null, level = this.catchers.length, io: Node | null = null): void {
    const top = this.catchers[level - 1];
    if (!top) this.connect(preds, this.exits.raise);
    else if ('handlers' in top && io && top.narrow) {
      const split = this.add('uncaught', null, [], ['normal', 'exc'], io);
      this.connect(preds, split);
      this.connect([{ from: split, slot: 0 }], top.handlers);
      this.routeExc([{ from: split, slot: 1 }], io, level - 1, io);
    } else if ('handlers' in top) this.connect(preds, top.handlers);
    else if ('frame' in top) top.frame.copies.pend('exc', preds);
    else for (const p of preds) this.routeExc(this.leaveWith(top.with, p, origin), origin, level - 1, io);
  }

  /** Routes the `return` statement `ret` outwards from the frames below `level`. */
  private routeReturn(preds: readonly Pred[], ret: Node | null, level = this.finallies.length): void {
    const top = this.finallies[level - 1];
    if (!top) this.connect(preds, this.exits.return);
    else if ('copies' in top) top.copies.pend('ret', preds);
    else for (const p of preds) this.routeReturn(this.leaveWith(top, p, ret), ret, level - 1);
  }

  private routeLoopJump(preds: readonly Pred[], kind: 'brk' | 'cont', level = this.finallies.length): void {
    const loop = this.loops[findJumpTarget(this.loops, kind === 'brk', null, (l) => l)];
    if (!loop) return; // `break` outside a loop: a syntax error; the path just ends
    const top = level > loop.finDepth ? this.finallies[level - 1]! : null;
    if (top && 'copies' in top) top.copies.pend(kind, preds);
    else if (top) for (const p of preds) this.routeLoopJump(this.leaveWith(top, p, null), kind, level - 1);
    else arriveAt(loop, kind === 'brk', preds, (p, to) => this.connect(p, to));
  }

  /** The statements of a block, read once per builder (the fixes read them through this too). */
  statements(block: Node): Node[] {
    let stmts = this.blocks.get(block.id);
    if (!stmts) this.blocks.set(block.id, (stmts = named(block)));
    return stmts;
  }

  private block(block: Node, preds: Pred[]): Pred[] {
    const stmts = this.statements(block);
    let cur = preds;
    for (const s of stmts) cur = this.statement(s, cur);
    return cur;
  }

  private statement(n: Node, preds: Pred[]): Pred[] {
    if (TRANSPARENT.has(n.type)) return preds;
    return this.nesting.nest(() => this.statementInner(n, preds), () => {
      this.truncated = true;
      return [{ from: this.emit('stmt', n, [n], ['normal'], preds), slot: 0 }];
    });
  }

  private statementInner(n: Node, preds: Pred[]): Pred[] {
    switch (n.type) {
      case 'block':
        return this.block(n, preds);
      case 'return_statement': {
        const id = this.emit('return', n, [n], ['ret'], preds);
        this.routeReturn([{ from: id, slot: 0 }], n);
        return [];
      }
      case 'raise_statement': {
        const id = this.add('raise', n, [], ['raise'], n);
        this.connect(preds, id);
        this.routeExc([{ from: id, slot: 0 }], n);
        return [];
      }
      case 'assert_statement': {
        const id = this.add('stmt', n, [n], ['normal', 'raise'], n);
        this.connect(preds, id);
        this.routeExc([{ from: id, slot: 1 }], n);
        return [{ from: id, slot: 0 }];
      }
      case 'break_statement':
        this.routeLoopJump(preds, 'brk');
        return [];
      case 'continue_statement':
        this.routeLoopJump(preds, 'cont');
        return [];
      case 'if_statement':
        return this.ifStatement(n, preds);
      case 'while_statement':
        return this.whileStatement(n, preds);
      case 'for_statement':
        return this.forStatement(n, preds);
      case 'with_statement':
        return this.withStatement(n, preds);
      case 'try_statement':
        return this.tryStatement(n, preds);
      case 'match_statement':
        return this.matchStatement(n, preds);
      case 'expression_statement': {
        const end = this.types?.processExit?.(n);
        if (end) return this.noNormalExit(n, end.call, end.ends, preds);
        const raises = this.types?.alwaysRaises?.(n);
        if (raises) return this.noNormalExit(n, raises, false, preds);
        return [{ from: this.emit('stmt', n, [n], ['normal'], preds), slot: 0 }];
      }
      default:
        if (DEFINITIONS.has(n.type)) return [{ from: this.emit('def', n, [], ['normal'], preds), slot: 0 }];
        return [{ from: this.emit('stmt', n, [n], ['normal'], preds), slot: 0 }];
    }
  }

  /**
   * A statement with no normal successor. `os._exit(…)` (`ends`) ends the process at once: the OS closes
   * every descriptor, so nothing is lost there (as C's `exit`); only a call in its arguments may raise.
   * `sys.exit(…)` raises SystemExit, which a handler here or a caller may catch: it leaves by that exception
   * (./effects `likely` takes it to practically never fail, so a leak there is below warning). A statement that
   * always raises (`alwaysRaises`, `string.join(…)` on Python 3) leaves by that call's exception (which `likely`
   * takes to fail for real: a leak there is a warning).
   */
  private noNormalExit(n: Node, call: Node, ends: boolean, preds: Pred[]): Pred[] {
    let raiser = this.raiser([n]);
    if (ends && raiser?.id === call.id) raiser = null;
    if (!ends) raiser ??= call;
    const id = this.add('stmt', n, [n], raiser ? ['exc'] : [], raiser);
    this.connect(preds, id);
    if (raiser) {
      const narrow = this.types !== null && this.catchers.some((c) => 'handlers' in c && c.narrow);
      this.routeExc([{ from: id, slot: 0 }], raiser, this.catchers.length, narrow ? this.types!.io([n]) : null);
    }
    return [];
  }

  private condition(cond: Node | null, owner: Node, preds: Pred[], alwaysTrue = false): Branches {
    const roots = cond ? [cond] : [];
    const id = this.emit('cond', cond ?? owner, roots, alwaysTrue ? ['true'] : ['true', 'false'], preds);
    return { t: [{ from: id, slot: 0 }], f: alwaysTrue ? [] : [{ from: id, slot: 1 }] };
  }

  /** `if` / `elif` / `else`: an arm is the if statement or one of its elif clauses, by index among the alternatives (-1: the if). */
  private ifStatement(n: Node, preds: Pred[]): Pred[] {
    const alts = n.childrenForFieldName('alternative');
    const armNode = (i: number): Node => (i < 0 ? n : alts[i]!);
    return ifChain<number, Node | null>(-1, preds, {
      condition: (i, cur) => this.condition(armNode(i).childForFieldName('condition'), armNode(i), cur),
      consequence: (i, t) => {
        const cons = armNode(i).childForFieldName('consequence');
        return cons ? this.block(cons, t) : t;
      },
      next: (i) => {
        let j = i + 1;
        while (j < alts.length && !alts[j]) j++;
        const alt = alts[j];
        if (!alt) return null;
        return alt.type === 'elif_clause' ? { arm: j } : { otherwise: alt.childForFieldName('body') };
      },
      otherwise: (body, f) => (body ? this.block(body, f) : f),
    });
  }

  private loop(continueTo: number, body: () => Pred[], exits: () => Pred[]): Pred[] {
    const loop: Loop = { label: null, loop: true, breakable: true, breaks: [], continueTo, finDepth: this.finallies.length };
    return buildLoop(this.loops, loop, (p, to) => this.connect(p, to), body, exits);
  }

  private whileStatement(n: Node, preds: Pred[]): Pred[] {
    const cond = n.childForFieldName('condition');
    const forever = cond !== null && (cond.type === 'true' || (cond.type === 'integer' && cond.text !== '0'));
    // A join node as the loop head, so that `continue` and the back edge have one target.
    const head = this.add('stmt', null, [], ['normal']);
    this.connect(preds, head);
    const { t, f } = this.condition(cond, n, [{ from: head, slot: 0 }], forever);
    const body = n.childForFieldName('body');
    const alt = n.childForFieldName('alternative')?.childForFieldName('body');
    return this.loop(head, () => (body ? this.block(body, t) : t), () => (alt ? this.block(alt, f) : f));
  }

  private forStatement(n: Node, preds: Pred[]): Pred[] {
    const right = n.childForFieldName('right');
    const id = this.emit('for', n, right ? [right] : [], ['body', 'normal'], preds);
    const body = n.childForFieldName('body');
    const done: Pred[] = [{ from: id, slot: 1 }];
    const alt = n.childForFieldName('alternative')?.childForFieldName('body');
    return this.loop(id, () => (body ? this.block(body, [{ from: id, slot: 0 }]) : [{ from: id, slot: 0 }]), () => (alt ? this.block(alt, done) : done));
  }

  private matchStatement(n: Node, preds: Pred[]): Pred[] {
    const subject = n.childForFieldName('subject');
    // Fall through when no case matches (slot 0); each case is appended.
    const id = this.emit('stmt', n, subject ? [subject] : [], ['normal'], preds);
    const body = n.childForFieldName('body');
    const cases = body ? body.childrenForFieldName('alternative') : [];
    return [{ from: id, slot: 0 }, ...new DispatchArms().build(id, cases, (c, entry) => {
      const cons = c?.childForFieldName('consequence');
      return cons ? this.block(cons, entry) : [];
    })];
  }

  /** `with x:` holds `x` on entry and releases it wherever control leaves the body (./effects). */
  private withStatement(n: Node, preds: Pred[]): Pred[] {
    const clause = named(n).find((c) => c.type === 'with_clause');
    const id = this.emit('with', n, clause ? [clause] : [], ['normal'], preds);
    const body = n.childForFieldName('body');
    const frame: WithFrame = { stmt: n };
    this.catchers.push({ with: frame });
    this.finallies.push(frame);
    let out: Pred[];
    try {
      out = body ? this.block(body, [{ from: id, slot: 0 }]) : [{ from: id, slot: 0 }];
    } finally {
      this.catchers.pop();
      this.finallies.pop();
    }
    if (out.length === 0) return [];
    const exit = this.add('withExit', n, [], ['normal']);
    this.connect(out, exit);
    return [{ from: exit, slot: 0 }];
  }

  private tryStatement(n: Node, preds: Pred[]): Pred[] {
    const parts = named(n);
    const handlers = parts.filter((c) => c.type === 'except_clause' || c.type === 'except_group_clause');
    const elseBody = parts.find((c) => c.type === 'else_clause')?.childForFieldName('body') ?? null;
    const finBlock = parts.find((c) => c.type === 'finally_clause')?.namedChildren.find((c) => c?.type === 'block') ?? null;
    let frame: FinallyFrame | null = null;
    if (finBlock) {
      frame = { copies: new FinallyCopies() };
      this.finallies.push(frame);
      this.catchers.push({ frame });
    }
    // Every handler is taken to catch what the body raises, except that an I/O call's OSError goes past
    // handlers that all name only some OSErrors (`except BlockingIOError:`): see routeExc.
    const dispatch = handlers.length > 0 ? this.add('caught', n, [], []) : -1;
    const narrow = this.types !== null && handlers.length > 0 && handlers.every((h) => this.types!.narrow(h));
    if (dispatch >= 0) this.catchers.push({ handlers: dispatch, narrow });
    const body = n.childForFieldName('body');
    let out = body ? this.block(body, preds) : preds;
    if (dispatch >= 0) this.catchers.pop();
    if (elseBody) out = this.block(elseBody, out);
    out = out.concat(catchClauses(dispatch, handlers, (h, entry) => {
      const blk = h.namedChildren.find((c) => c?.type === 'block');
      return blk ? this.block(blk, entry) : entry;
    }));
    if (!frame || !finBlock) return out;
    this.finallies.pop();
    this.catchers.pop();
    const result = out.length > 0 ? this.block(finBlock, out) : [];
    frame.copies.replay((ps) => this.block(finBlock, ps), (kind, after) => {
      if (kind === 'exc') this.routeExc(after, null);
      else if (kind === 'ret') this.routeReturn(after, null);
      else this.routeLoopJump(after, kind);
    });
    return result;
  }
}
