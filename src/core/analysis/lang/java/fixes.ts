import type { Node } from 'web-tree-sitter';
import { combineExitFixes, type LineIndex, type OffsetEdit } from '../../edits';
import { everyExit } from '../../fix/exits';
import { DEFAULT_UNIT, indentStep, lineIndent, reindent } from '../../fix/indent';
import { Placement } from '../../fix/placement';
import { freshName } from '../../fix/names';
import { holdersByToken, nodesWithin, regionEnd } from '../../fix/region';
import { splice, statementRemoval } from '../../fix/splice';
import { StatementPlacer, type StatementSyntax } from '../../fix/statements';
import { exitWhere } from '../../fix/titles';
import type { FunctionAnalysis, LeakRecord, OverwriteRecord } from '../../engine/analysis';
import { proveRelease, proveScopedRelease, type ReleaseProof } from '../../engine/safety';
import { UNSET_ONLY, type Token } from '../../engine/values';
import { firstKid, walk } from '../../syntax';
import type { Fix, TextEdit } from '../../types';
import type { FunctionCfg } from './cfg';
import type { LoweredFunction } from './lower';
import { IO_CATCHING, closeThrows, type ResourceKind } from './names';
import { mentions, namedChildren, referencedNames, simpleTypeName } from './syntax';

/**
 * Quick fixes for Java leaks, offered only where the engine proves them safe (engine/safety.ts):
 * a per-exit close where the resource is open and owned on every path reaching it, and the
 * try-with-resources (or the try/catch fallback) only when the resource is open and owned on every
 * edge leaving the wrapped statements (not handed over, not given to an unknown constructor or
 * method that may keep it, not closed elsewhere). Otherwise "close on all paths" combines the exit
 * fixes when every leaking exit has one, or nothing is offered.
 *
 * The preferred all-paths fix turns `Socket s = <acquire>;` and the statements of the same block
 * up to the last use of `s` (or of a stream/wrapper of it, or of a variable declared in between)
 * into `try (Socket s = <acquire>) { … }`, re-indented, dropping a plain `s.close();` that becomes
 * redundant. `s = <acquire>;` (declared earlier) gets `try (Socket sResource = s) { … }` after it.
 * When `s` is reassigned or declared with others, the fallback wraps the same statements in
 * `try { … } catch (Throwable t) { close s, keeping t's suppressed; throw t; }` and closes `s`
 * before each leaking return/break/continue inside them (and after them when it leaks later).
 * A resource handed to a handler lambda that does not close it gets `try (s) { … }` around the
 * lambda body. The per-exit fix inserts a close before the leaking return/break/continue or `}`.
 */

export interface FixContext {
  readonly text: string;
  readonly lines: LineIndex;
  readonly fn: Node;
  readonly cfg: FunctionCfg;
  readonly lowered: LoweredFunction;
  readonly analysis: FunctionAnalysis;
  /** Captured variables a thread hand-off gave this handler lambda or run() method. */
  readonly captured: ReadonlySet<string>;
}

const STATEMENT_LISTS = new Set(['block', 'constructor_body', 'switch_block_statement_group']);
const JAVA_STATEMENTS: StatementSyntax = {
  bracelessParents: new Set(['if_statement', 'while_statement', 'for_statement', 'enhanced_for_statement', 'do_statement', 'labeled_statement']),
  statementLists: new Set([...STATEMENT_LISTS, 'program']),
  directives: [],
  lineComments: ['//', '/*'],
  inline: true,
};

export class JavaFixer {
  private readonly allPathsCache = new Map<string, Fix | null>();
  private readonly place: Placement;
  private readonly statements: StatementPlacer;
  private identifiers: Set<string> | undefined;
  private readonly namesCache = new Map<number, Set<string>>();
  private readonly listCache = new Map<number, Node[]>();
  private factsCache: { assigned: Map<string, Node[]> } | undefined;
  private holdersCache: Map<Token, Set<string>> | undefined;
  /** IR node of each statement that a release can be inserted before (return, break, continue, plain statements), by offset. */
  private readonly nodeOf = new Map<number, number>();

  constructor(private readonly ctx: FixContext) {
    this.place = Placement.of(ctx.text, ctx.lines);
    this.statements = new StatementPlacer(this.place, JAVA_STATEMENTS);
    ctx.cfg.nodes.forEach((n, id) => {
      if (n.ast && (n.kind === 'return' || n.kind === 'noop' || n.kind === 'effect') && !this.nodeOf.has(n.ast.startIndex)) this.nodeOf.set(n.ast.startIndex, id);
    });
  }

  leakFixes(rec: LeakRecord, token: Token): Fix[] {
    const out: Fix[] = [];
    const exit = this.exitFix(rec);
    if (exit) out.push(exit);
    const all = this.allPaths(token);
    if (all) out.push(all);
    return out;
  }

  overwriteFixes(rec: OverwriteRecord): Fix[] {
    const fix = this.overwriteFix(rec);
    return fix ? [fix] : [];
  }

  private allPaths(token: Token): Fix | null {
    const key = token.key;
    let all = this.allPathsCache.get(key);
    if (all === undefined) {
      try {
        all = (this.ctx.captured.has(token.origin) ? this.lambdaFix(token) : this.tryFix(token)) ?? this.combined(token);
      } catch {
        all = null;
      }
      this.allPathsCache.set(key, all);
    }
    return all;
  }

  /** Every leaking exit of the token closed where it leaks, when each of them has a proven exit fix. */
  private combined(token: Token): Fix | null {
    if ([...this.ctx.analysis.overwrites.values()].some((r) => r.tokens.has(token))) return null;
    const leaks = [...this.ctx.analysis.leaks.values()].filter((r) => r.tokens.has(token));
    const fixes = everyExit(leaks, (r) => this.exitFix(r));
    return fixes && leaks.length ? combineExitFixes(leaks[0]!.variable, fixes) : null;
  }

  private position = (offset: number): number => this.ctx.lines.position(offset).line;

  /** The engine's proof that closing `v` just before IR node `id` is safe. */
  private proof(id: number, v: string): ReleaseProof {
    return proveRelease(this.ctx.analysis, id, v, this.ctx.analysis.valueAt(id, v) ?? UNSET_ONLY, this.position);
  }

  // ---------------------------------------------------------------- helpers

  /** A replacement in the text (`\n` in `newText` becomes the file's line ending). */
  private edit(start: number, end: number, newText: string): TextEdit {
    return this.place.replace(start, end, newText);
  }

  /** Names each statement mentions, computed once per statement. */
  private mentionsAny(stmt: Node, names: ReadonlySet<string>): boolean {
    let set = this.namesCache.get(stmt.id);
    if (!set) this.namesCache.set(stmt.id, (set = referencedNames(stmt)));
    for (const n of names) if (set.has(n)) return true;
    return false;
  }

  /** One walk over the function: variables assigned (with the assignments) and those declared without a value. */
  private facts(): { assigned: Map<string, Node[]> } {
    if (this.factsCache) return this.factsCache;
    const assigned = new Map<string, Node[]>();
    walk(this.ctx.fn, (n) => {
      if (n.type === 'assignment_expression' || n.type === 'update_expression') {
        const l = n.type === 'assignment_expression' ? n.childForFieldName('left') : firstKid(n);
        if (l?.type === 'identifier') {
          const list = assigned.get(l.text);
          if (list) list.push(n); else assigned.set(l.text, [n]);
        }
      }
    });
    return (this.factsCache = { assigned });
  }

  private fresh(base: string): string {
    return freshName(base, (this.identifiers ??= referencedNames(this.ctx.fn)));
  }

  /** The indentation step used around `stmt` (its indentation minus its block's). */
  private unit(stmt: Node, container: Node): string {
    return indentStep(this.place, stmt.startIndex, container.startIndex);
  }

  /** Is an IOException thrown at `node` caught by a try around it or declared by the function? */
  private ioHandled(node: Node): boolean {
    let child: Node = node;
    for (let p = node.parent; p; child = p, p = p.parent) {
      if ((p.type === 'try_statement' || p.type === 'try_with_resources_statement') && p.childForFieldName('body')?.id === child.id) {
        for (const c of namedChildren(p)) {
          if (c.type !== 'catch_clause') continue;
          const types = c.namedChildren.find((x) => x?.type === 'catch_formal_parameter')?.namedChildren.find((x) => x?.type === 'catch_type');
          if (types && namedChildren(types).some((t) => IO_CATCHING.has(simpleTypeName(t)))) return true;
        }
      }
      if (p.id === this.ctx.fn.id) {
        const throwsClause = namedChildren(p).find((c) => c.type === 'throws');
        return !!throwsClause && namedChildren(throwsClause).some((t) => IO_CATCHING.has(simpleTypeName(t)));
      }
    }
    return false;
  }

  private closeStatement(v: string, nullable: boolean, at: Node, kind: string): string {
    const close = nullable ? `if (${v} != null) ${v}.close();` : `${v}.close();`;
    if (kind === 'param' || !closeThrows(kind as ResourceKind) || this.ioHandled(at)) return close;
    const e = this.fresh('closeError');
    return `try { ${close} } catch (java.io.IOException ${e}) { /* ignored */ }`;
  }

  // ---------------------------------------------------------------- per-exit fix

  private kindOf(tokens: ReadonlySet<Token>): string {
    for (const t of tokens) return t.site.resource;
    return 'socket';
  }

  private exitFix(rec: LeakRecord): Fix | null {
    const v = rec.variable;
    if (!/^[A-Za-z_$][\w$]*$/.test(v)) return null;
    const exitNode = this.ctx.cfg.nodes[rec.node]?.exit?.node;
    if (!exitNode) return null;
    const kind = this.kindOf(rec.tokens);
    let edits: OffsetEdit[] | null;
    let proof: ReleaseProof;
    switch (rec.exit.kind) {
      case 'return':
      case 'break':
      case 'continue': {
        // Before the statement itself (a finally between it and the exit would run after the close).
        const id = this.nodeOf.get(exitNode.startIndex);
        if (id === undefined) return null;
        proof = this.proof(id, v);
        if (!proof.safe || proof.readBy !== null || mentions(exitNode, new Set([v]))) return null;
        edits = this.statements.beforeAt(exitNode, this.closeStatement(v, proof.guarded, exitNode, kind));
        break;
      }
      case 'block':
      case 'end': {
        if (exitNode.type !== 'block' && exitNode.type !== 'constructor_body') return null;
        proof = this.proof(rec.node, v);
        if (!proof.safe) return null;
        const last = exitNode.namedChildren.filter((c) => c && !c.type.endsWith('comment')).pop() ?? null;
        const unit = last ? this.unit(last, exitNode) : '    ';
        edits = this.statements.beforeBraceAt(exitNode, this.closeStatement(v, proof.guarded, last ?? exitNode, kind), unit);
        break;
      }
      default:
        return null;
    }
    if (!edits) return null;
    return { title: `Close \`${v}\` ${exitWhere(rec.exit.kind)}`, scope: 'exit', isPreferred: false, edits: edits.map((e) => this.edit(e.start, e.end, e.newText)) };
  }

  /** `s = new Socket(...)` while `s` holds an open socket: close the old one first. */
  private overwriteFix(rec: OverwriteRecord): Fix | null {
    const v = rec.variable;
    const stmt = this.ctx.cfg.nodes[rec.node]?.ast;
    if (!stmt || stmt.type !== 'expression_statement') return null;
    const proof = this.proof(rec.node, v);
    if (!proof.safe || proof.readBy !== null) return null;
    const edits = this.statements.beforeAt(stmt, this.closeStatement(v, proof.guarded, stmt, this.kindOf(rec.tokens)));
    if (!edits) return null;
    return { title: `Close \`${v}\` before reassigning it`, scope: 'exit', isPreferred: true, edits: edits.map((e) => this.edit(e.start, e.end, e.newText)) };
  }

  // ---------------------------------------------------------------- all-paths fix

  /** Try-with-resources (or the try/catch fallback) around the acquisition and the statements using it. */
  private tryFix(token: Token): Fix | null {
    const bind = this.ctx.lowered.binds.get(token.site.start);
    if (!bind) return null;
    const stmt = bind.type === 'variable_declarator' ? bind.parent : bind.parent?.type === 'expression_statement' ? bind.parent : null;
    const container = stmt?.parent;
    if (!stmt || !container || !STATEMENT_LISTS.has(container.type)) return null;
    let list = this.listCache.get(container.id);
    if (!list) this.listCache.set(container.id, (list = namedChildren(container).filter((c) => !c.type.endsWith('comment') && c.type !== 'switch_label')));
    const i0 = list.findIndex((c) => c.id === stmt.id);
    if (i0 < 0) return null;
    const v = token.origin;
    const names = new Set<string>([v, ...this.holders(token)]);
    const declares = (d: Node) => (d.type === 'local_variable_declaration' ? d.childrenForFieldName('declarator') : [])
      .map((x) => x?.childForFieldName('name')?.text).filter((x): x is string => !!x);
    const last = regionEnd(list, i0, names, (stmt, ns) => this.mentionsAny(stmt, ns), declares);
    const lastStmt = list[last]!;
    const t = this.ctx.text;
    const indent = lineIndent(this.place, stmt.startIndex);
    const unit = this.unit(stmt, container);
    // The statements' nodes (and the binding's): the resource must be open and owned on every edge leaving them.
    const removed = list.slice(i0 + 1, last + 1).filter((s) => this.isPlainClose(s, v));
    const binding = this.nodeOf.get(stmt.startIndex);
    if (binding === undefined) return null;
    const region = nodesWithin(this.ctx.lowered.ir, stmt.startIndex, lastStmt.endIndex);
    const isDecl = stmt.type === 'local_variable_declaration';
    const reassigned = this.assignedElsewhere(v, bind);
    const eol = '\n';
    const scoped = !isDecl || (!reassigned && stmt.childrenForFieldName('declarator').length === 1);
    // Closing a closed socket, stream or channel does nothing (the Closeable contract): the closes
    // among the statements may stay, and the plain ones at their top level are removed.
    const closes = new Set(region.map((id) => this.ctx.lowered.ir.nodes[id]!).filter((n) => n.program.ops.some((o) => o.op === 'release')).map((n) => n.anchor));
    const proof = proveScopedRelease(this.ctx.analysis, region, binding, v, closes, this.position);
    if (scoped && proof.safe) {
      const removals = removed.map((s) => statementRemoval(this.place, s.startIndex, s.endIndex));
      const inner = splice(t, stmt.endIndex, lastStmt.endIndex, removals).trimEnd();
      const body = `${reindent(inner, unit)}${eol}${indent}}`;
      let newText: string;
      if (isDecl) {
        const head = t.slice(stmt.startIndex, stmt.endIndex).replace(/;\s*$/, '');
        newText = `try (${head}) {${body}`;
      } else {
        const declared = this.ctx.cfg.types.get(v);
        const type = declared && declared !== 'var' ? declared : 'var';
        const alias = this.fresh(`${v}Resource`);
        newText = `${t.slice(stmt.startIndex, stmt.endIndex)}${eol}${indent}try (${type} ${alias} = ${v}) {${body}`;
      }
      return {
        title: `Use try-with-resources for \`${v}\``, scope: 'all-paths', isPreferred: true,
        edits: [this.edit(stmt.startIndex, lastStmt.endIndex, newText)],
      };
    }
    // A non-blocking ServerSocketChannel.accept() may return null.
    // The fallback closes where an exception leaves the statements, and before their leaking exits.
    if (!proveScopedRelease(this.ctx.analysis, region, binding, v, new Set(), this.position, true).safe) return null;
    const mayBeNull = reassigned || !isDecl || !token.site.alwaysValid;
    return this.catchFallback(token, stmt, lastStmt, list[last + 1] ?? null, indent, unit, mayBeNull);
  }

  /**
   * `try { … } catch (Throwable t) { close; throw t; }` around the statements, plus a close before
   * each leaking return/break/continue among them and one at their end when the resource leaks later.
   */
  private catchFallback(token: Token, stmt: Node, lastStmt: Node, next: Node | null, indent: string, unit: string, nullable: boolean): Fix | null {
    const v = token.origin;
    const eol = '\n';
    const inserts: OffsetEdit[] = [];
    const closed = new Set<number>();
    let closeAtEnd = false;
    for (const r of this.ctx.analysis.leaks.values()) {
      if (!r.tokens.has(token)) continue;
      const exitNode = this.ctx.cfg.nodes[r.node]?.exit?.node;
      if (!exitNode) return null;
      const at = r.origin ?? { start: exitNode.startIndex, end: exitNode.endIndex };
      const inside = at.start >= stmt.endIndex && at.end <= lastStmt.endIndex;
      const jump = r.exit.kind === 'return' || r.exit.kind === 'break' || r.exit.kind === 'continue';
      if (inside && jump) {
        const id = this.nodeOf.get(exitNode.startIndex);
        const proof = id === undefined ? null : this.proof(id, r.variable);
        if (!proof?.safe || proof.guarded || mentions(exitNode, new Set([r.variable]))) return null;
        if (!closed.has(exitNode.id)) {
          const e = this.statements.beforeAt(exitNode, `${r.variable}.close();`);
          if (!e) return null;
          inserts.push(...e);
          closed.add(exitNode.id);
        }
      } else if (!inside && at.start >= lastStmt.endIndex) {
        // Closed after the statements: proven where the next statement starts.
        const id = next ? this.nodeOf.get(next.startIndex) : undefined;
        if (id === undefined || !this.proof(id, v).safe) return null;
        closeAtEnd = true;
      }
      // Exceptional exits inside the statements are covered by the catch.
    }
    const close = nullable ? `if (${v} != null) ${v}.close();` : `${v}.close();`;
    let inner = splice(this.ctx.text, stmt.endIndex, lastStmt.endIndex, inserts).trimEnd();
    if (closeAtEnd) inner += `${eol}${indent}${close}`;
    const failure = this.fresh('failure');
    const suppressed = this.fresh('suppressed');
    const newText = `${eol}${indent}try {${reindent(inner, unit)}${eol}${indent}} catch (Throwable ${failure}) {`
      + `${eol}${indent}${unit}try { ${close} } catch (Throwable ${suppressed}) { ${failure}.addSuppressed(${suppressed}); }`
      + `${eol}${indent}${unit}throw ${failure};${eol}${indent}}`;
    return {
      title: `Close \`${v}\` on all paths`, scope: 'all-paths', isPreferred: true,
      edits: [this.edit(stmt.endIndex, lastStmt.endIndex, newText)],
    };
  }

  private isPlainClose(s: Node, v: string): boolean {
    if (s.type !== 'expression_statement') return false;
    const e = firstKid(s);
    if (!e || e.type !== 'method_invocation' || e.childForFieldName('name')?.text !== 'close') return false;
    const o = e.childForFieldName('object');
    return !!o && o.type === 'identifier' && o.text === v && (e.childForFieldName('arguments')?.namedChildCount ?? 0) === 0;
  }

  /** Every variable that holds the token somewhere (its streams, wrappers and copies). */
  private holders(token: Token): ReadonlySet<string> {
    return (this.holdersCache ??= holdersByToken(this.ctx.analysis, this.ctx.cfg.params)).get(token) ?? new Set();
  }

  private assignedElsewhere(v: string, bind: Node): boolean {
    return (this.facts().assigned.get(v) ?? []).some((n) => n.id !== bind.id);
  }

  /** A handler lambda or run() method that takes over `v` and does not close it: `try (v) { body }`. */
  private lambdaFix(token: Token): Fix | null {
    const fn = this.ctx.fn;
    const body = fn.childForFieldName('body');
    if (!body) return null;
    const v = token.origin;
    const ir = this.ctx.lowered.ir;
    const proof = proveScopedRelease(this.ctx.analysis, ir.nodes.keys(), ir.entry, v, new Set(), this.position);
    if (!proof.safe) return null;
    const t = this.ctx.text;
    const eol = '\n';
    const handled = !closeThrows(token.site.resource as ResourceKind) || this.ioHandled(body);
    const err = handled ? '' : this.fresh('closeError');
    if (body.type !== 'block') {
      const c = handled ? '' : ` catch (java.io.IOException ${err}) { throw new java.io.UncheckedIOException(${err}); }`;
      return {
        title: `Use try-with-resources for \`${v}\``, scope: 'all-paths', isPreferred: true,
        edits: [this.edit(body.startIndex, body.endIndex, `{ try (${v}) { ${t.slice(body.startIndex, body.endIndex)}; }${c} }`)],
      };
    }
    const closing = body.endIndex - 1;
    const ind0 = lineIndent(this.place, this.place.firstOnLine(closing) ? closing : body.startIndex);
    const first = body.namedChildren.find((c) => c && !c.type.endsWith('comment')) ?? null;
    const unit = first ? indentStep(this.place, first.startIndex, this.place.firstOnLine(closing) ? closing : body.startIndex) : DEFAULT_UNIT;
    const ind1 = ind0 + unit;
    const c = handled ? '' : ` catch (java.io.IOException ${err}) {${eol}${ind1}${unit}throw new java.io.UncheckedIOException(${err});${eol}${ind1}}`;
    const inner = reindent(t.slice(body.startIndex, body.endIndex), unit);
    const newText = `{${eol}${ind1}try (${v}) ${inner}${c}${eol}${ind0}}`;
    return {
      title: `Use try-with-resources for \`${v}\``, scope: 'all-paths', isPreferred: true,
      edits: [this.edit(body.startIndex, body.endIndex, newText)],
    };
  }
}
