import type { Node } from 'web-tree-sitter';
import type { FunctionAnalysis, LeakRecord } from '../../engine/analysis';
import { proveDeferredRelease, proveRelease } from '../../engine/safety';
import type { Token, ValueSet } from '../../engine/values';
import { LineIndex } from '../../edits';
import { everyExit } from '../../fix/exits';
import { lineIndent } from '../../fix/indent';
import { Placement } from '../../fix/placement';
import { StatementPlacer, type StatementSyntax } from '../../fix/statements';
import { exitWhere } from '../../fix/titles';
import type { Fix, TextEdit } from '../../types';
import { variableOf, type GoAcquisition, type Handler, type LoweredFunction } from './lower';
import type { ResourceKind } from './names';
import { mentions, statementsOf, unparen } from './syntax';

/**
 * Quick fixes for Go leaks. Whether a close may be inserted is the engine's proof
 * (engine/safety.ts); this file only decides where the text goes. The preferred (all-paths) fix is
 * `defer x.Close()` right after the error check that follows the acquisition, offered only when the
 * engine proves the release safe at that point and the resource is never handed over on any path
 * (returned, stored, sent, given away); for a resource acquired in a loop body (a defer would pile
 * up until the function returns), or one the defer cannot cover, it is a close before every leaking
 * exit, each proven; for a resource handed to a goroutine that never closes it, a `defer p.Close()`
 * at the top of that goroutine's function. Every edit inserts whole lines indented with tabs, so
 * the result stays gofmt-clean.
 */
const GO_STATEMENTS: StatementSyntax = { bracelessParents: new Set(), directives: [], lineComments: ['//'], inline: false };

export class GoFixer {
  private readonly place: Placement;
  private readonly statements: StatementPlacer;

  constructor(text: string, private readonly position: (offset: number) => number) {
    this.place = new Placement(text, new LineIndex(text));
    this.statements = new StatementPlacer(this.place, GO_STATEMENTS);
  }

  static closeCall(name: string, kind: ResourceKind): string {
    return kind === 'response' ? `${name}.Body.Close()` : `${name}.Close()`;
  }

  /** `x.Close()` (or `defer x.Close()`), behind a nil check when the variable may hold no resource there. */
  private closeLines(name: string, kind: ResourceKind, guarded: boolean, useDefer: boolean): string[] {
    const stmt = `${useDefer ? 'defer ' : ''}${GoFixer.closeCall(name, kind)}`;
    return guarded ? [`if ${name} != nil {`, `\t${stmt}`, '}'] : [stmt];
  }

  /** Edits that close the resource at this one exit, or null where the engine proves nothing or no clean edit exists. */
  exitEdits(fn: LoweredFunction, analysis: FunctionAnalysis, rec: LeakRecord, kind: ResourceKind): TextEdit[] | null {
    const exit = fn.cfg.nodes[rec.node]?.exit;
    if (!exit) return null;
    const proof = proveRelease(analysis, rec.node, rec.variable, rec.value, this.position);
    if (!proof.safe) return null;
    const name = variableOf(rec.variable);
    const lines = this.closeLines(name, kind, proof.guarded, exit.kind === 'return' && proof.readBy !== null);
    switch (exit.kind) {
      case 'return':
      case 'break':
      case 'continue':
        // A return that still reads the resource gets a defer: it runs after the result is computed.
        return this.statements.before(exit.node, lines);
      case 'end':
      case 'block':
        return exit.report.type === '}' && exit.report.endIndex === exit.node.endIndex ? this.statements.beforeBrace(exit.node, lines, '\t') : null;
      case 'case': {
        const stmts = statementsOf(exit.node);
        const last = stmts[stmts.length - 1];
        return last ? this.statements.after(last, lines, lineIndent(this.place, last.startIndex)) : null;
      }
      default:
        return null;
    }
  }

  exitFix(fn: LoweredFunction, analysis: FunctionAnalysis, rec: LeakRecord, display: string, kind: ResourceKind): Fix | null {
    const edits = this.exitEdits(fn, analysis, rec, kind);
    if (!edits) return null;
    const exit = fn.cfg.nodes[rec.node]?.exit;
    return { title: `Close \`${display}\` ${exitWhere(exit?.kind)}`, scope: 'exit', isPreferred: false, edits };
  }

  /**
   * `defer x.Close()` after the error check that follows the acquisition, where the engine proves a
   * deferred release safe: at the node the defer would run before (the error check's success
   * edge, or the statement after the acquisition).
   */
  private deferEdits(fn: LoweredFunction, analysis: FunctionAnalysis, acq: GoAcquisition): TextEdit[] | null {
    let stmt = acq.stmt;
    if (stmt.type === 'var_spec') {
      if (stmt.parent?.type !== 'var_declaration') return null;
      stmt = stmt.parent;
    }
    const parent = stmt.parent;
    const close = `defer ${GoFixer.closeCall(acq.name, acq.kind)}`;
    const prove = (node: number | undefined) => node === undefined || node < 0 ? null
      : proveDeferredRelease(analysis, node, acq.key, analysis.valueAt(node, acq.key) ?? new Set(), this.position);
    if (parent?.type === 'if_statement' && parent.childForFieldName('initializer')?.id === stmt.id) {
      // if x, err := acq(); err == nil { <here> } / if ...; err != nil { ... } else { <here> }
      const cond = parent.childForFieldName('condition');
      const check = acq.errVar ? errCheck(cond, acq.errVar) : null;
      const block = check === 'nil' ? parent.childForFieldName('consequence') : check === 'not-nil' ? parent.childForFieldName('alternative') : null;
      if (!block || block.type !== 'block') return null;
      const proof = prove(condSuccessor(fn, cond, check === 'nil' ? 0 : 1));
      if (!proof?.safe || proof.guarded) return null;
      return this.statements.atBlockStart(block, close, parent, '\t');
    }
    if (parent?.type !== 'statement_list' || !this.place.firstOnLine(stmt.startIndex)) return null;
    const indent = this.place.indentAt(stmt.startIndex);
    let anchor: Node = stmt;
    let node = effectSuccessor(fn, stmt);
    if (acq.errVar) {
      for (let s = stmt.nextNamedSibling; s; s = s.nextNamedSibling) {
        if (s.type === 'comment') continue;
        if (s.type === 'if_statement' && !s.childForFieldName('initializer') && errCheck(s.childForFieldName('condition'), acq.errVar) === 'not-nil') {
          anchor = s;
          node = condSuccessor(fn, s.childForFieldName('condition'), 1);
          break;
        }
        if (mentions(s, acq.errVar) || mentions(s, acq.name)) break;
      }
    }
    if (!this.place.lastOnLine(anchor.endIndex, GO_STATEMENTS.lineComments)) return null;
    const proof = prove(node);
    if (!proof?.safe) return null;
    const body = proof.guarded ? [`if ${acq.name} != nil {`, `\t${close}`, '}'] : [close];
    return this.statements.after(anchor, body, indent);
  }

  /** `defer p.Close()` at the top of each goroutine function that receives the resource and never closes it. */
  private handlerEdits(handlers: readonly Handler[], kind: ResourceKind): TextEdit[] | null {
    const edits: TextEdit[] = [];
    for (const h of handlers) {
      const body = h.fn.childForFieldName('body');
      const e = h.param && body ? this.statements.atBlockStart(body, `defer ${GoFixer.closeCall(h.param, kind)}`, h.fn, '\t') : null;
      if (!e) return null;
      edits.push(...e);
    }
    return edits.length ? edits : null;
  }

  /** The preferred fix, the same for every finding of the variable (`leaks` are all its leak records). */
  allPathsFix(fn: LoweredFunction, analysis: FunctionAnalysis, leaks: readonly LeakRecord[], display: string, kind: ResourceKind): Fix | null {
    const exitsAll = (list: readonly LeakRecord[]) => everyExit(list, (l) => this.exitEdits(fn, analysis, l, kind))?.flat() ?? null;
    const handed = (l: LeakRecord) => lentAt(l.value);
    if (leaks.some((l) => handed(l).length)) {
      const handlers: Handler[] = [];
      for (const l of leaks) for (const at of handed(l)) for (const h of receivers(fn, analysis, at, l.tokens)) if (!handlers.includes(h)) handlers.push(h);
      const inGoroutine = this.handlerEdits(handlers, kind);
      const others = exitsAll(leaks.filter((l) => !handed(l).length));
      if (!inGoroutine || !others) return null;
      const params = [...new Set(handlers.map((h) => h.param))].join('`, `');
      return { title: `Defer \`${params}.Close()\` in the goroutine that receives \`${display}\``, scope: 'all-paths', isPreferred: true, edits: [...inGoroutine, ...others] };
    }
    const acq = singleAcquisition(fn, leaks);
    if (acq?.discarded) return null; // `_` names nothing to close
    const deferred = acq && !acq.inLoop ? this.deferEdits(fn, analysis, acq) : null;
    if (deferred && acq) return { title: `Defer \`${GoFixer.closeCall(acq.name, acq.kind)}\``, scope: 'all-paths', isPreferred: true, edits: deferred };
    const edits = exitsAll(leaks);
    return edits && edits.length ? { title: `Close \`${display}\` on all paths`, scope: 'all-paths', isPreferred: true, edits } : null;
  }
}

/** The goroutine hand-offs (`go` statement offsets) a leaking value went through. */
function lentAt(value: ValueSet): number[] {
  const out: number[] = [];
  for (const v of value) if (v.kind === 'lent') out.push(v.at);
  return out;
}

/** The goroutine bodies the `go` statement at `at` hands one of `tokens` to. */
function receivers(fn: LoweredFunction, analysis: FunctionAnalysis, at: number, tokens: ReadonlySet<Token>): Handler[] {
  const node = fn.ir.nodes.findIndex((n) => n.anchor === at);
  if (node < 0) return [];
  const holders = new Set(analysis.holdersAt(node, tokens));
  return (fn.handlers.get(at) ?? []).filter((h) => holders.has(h.key));
}

/** The one acquisition every leak of the variable comes from, or null when several reach it. */
function singleAcquisition(fn: LoweredFunction, leaks: readonly LeakRecord[]): GoAcquisition | null {
  const tokens = new Set<Token>();
  for (const l of leaks) for (const t of l.tokens) if (t.param < 0) tokens.add(t);
  if (tokens.size !== 1) return null;
  const [t] = [...tokens];
  return fn.acquisitions.get(t!.site.start) ?? null;
}

/** The node the `edge` successor (0 true, 1 false) of the CFG condition `cond` leads to. */
function condSuccessor(fn: LoweredFunction, cond: Node | null, edge: 0 | 1): number | undefined {
  if (!cond) return undefined;
  const id = fn.cfg.nodes.findIndex((n) => n.kind === 'cond' && n.ast?.id === cond.id);
  return id < 0 ? undefined : fn.cfg.nodes[id]!.succ[edge];
}

/** The node after the effect node of statement `stmt`. */
function effectSuccessor(fn: LoweredFunction, stmt: Node): number | undefined {
  const id = fn.cfg.nodes.findIndex((n) => n.kind === 'effect' && n.ast?.id === stmt.id);
  return id < 0 ? undefined : fn.cfg.nodes[id]!.succ[0];
}

/** 'not-nil' for `err != nil` (alone or first in an `||`), 'nil' for `err == nil` (alone or first in an `&&`). */
function errCheck(cond: Node | null, errVar: string): 'nil' | 'not-nil' | null {
  const c = unparen(cond);
  if (!c || c.type !== 'binary_expression') return null;
  const op = c.childForFieldName('operator')?.text;
  if (op === '||' || op === '&&') {
    const first = errCheck(c.childForFieldName('left'), errVar);
    return (op === '||' && first === 'not-nil') || (op === '&&' && first === 'nil') ? first : null;
  }
  const sides = [unparen(c.childForFieldName('left')), unparen(c.childForFieldName('right'))];
  if (!sides.some((s) => s?.type === 'nil') || !sides.some((s) => s?.type === 'identifier' && s.text === errVar)) return null;
  return op === '!=' ? 'not-nil' : op === '==' ? 'nil' : null;
}
