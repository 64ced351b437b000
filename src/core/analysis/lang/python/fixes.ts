import type { Node } from 'web-tree-sitter';
import type { LineIndex } from '../../edits';
import type { FunctionAnalysis, LeakRecord } from '../../engine/analysis';
import { proveHeldThroughout, proveRelease } from '../../engine/safety';
import type { Token } from '../../engine/values';
import { fileIndentUnit } from '../../fix/indent';
import { continuationLines, RegionLines, statementHolding } from '../../fix/lines';
import { enclosingRun, type StatementRun } from '../../fix/region';
import { Placement } from '../../fix/placement';
import { StatementPlacer, type StatementSyntax } from '../../fix/statements';
import { exitWhere } from '../../fix/titles';
import type { Fix } from '../../types';
import type { PyCfg } from './cfg';
import type { AcquisitionSite } from './effects';
import type { PyIr } from './lower';
import { acquireShape, isDescriptorClose, type Imports } from './names';
import { PyReleases } from './release';
import { DEFERRED, identifiersIn, named, strip, targetNames, walk } from './syntax';

/**
 * Quick fixes for Python leaks, offered only where the engine proves them safe (../../engine/safety).
 * Each all-paths fix is a single replacement of whole lines around the acquisition (so fixes of
 * nested resources clash and `fixAllPaths` applies them in separate rounds rather than mixing indents):
 *  - `with <acquisition> as v:` (or `with v:` after a tuple acquisition) around the statements up to the
 *    last use, when the resource does not escape and is a socket or file;
 *  - otherwise `try:` ... `finally: v.close()` (`os.close(fd)` for descriptors);
 *  - when the resource escapes on some path (returned, stored): `try:` ... `except BaseException:
 *    v.close(); raise`, plus `v.close()` before each leaking `return`.
 * A region-wrapping fix releases the resource wherever control leaves the region, so it is offered
 * only when, on every path through the region, the variable holds this function's own resource,
 * still open and owned (never handed over or given to a caller-owned name), or a known `None` where
 * the release is guarded. The exit fix (`v.close()` before one leaking return) needs the engine's
 * release proof at that return.
 */

export interface FixContext {
  readonly text: string;
  readonly index: LineIndex;
  /** The function body (or module) the acquisition is in. */
  readonly scope: Node;
  /** One level of indentation in this file. */
  readonly unit: string;
  /** The identifiers of `scope` by name (computed once per scope: many findings ask). */
  readonly identifiers: () => ReadonlyMap<string, readonly Node[]>;
  /** The statements of a block (cached per block for the same reason). */
  readonly statements: (block: Node) => readonly Node[];
}

/** Groups `identifiersIn(scope)` by name. */
export function identifierIndex(scope: Node): Map<string, Node[]> {
  const out = new Map<string, Node[]>();
  for (const id of identifiersIn(scope)) {
    const list = out.get(id.text);
    if (list) list.push(id);
    else out.set(id.text, [id]);
  }
  return out;
}

const BLOCKS = new Set(['block', 'module']);

/** The file's indentation unit, from the first indented block (4 spaces when there is none). */
export function indentUnit(root: Node, text: string, index: LineIndex): string {
  return fileIndentUnit(Placement.of(text, index), root, (n) => n.type === 'block');
}

const PY_STATEMENTS: StatementSyntax = { bracelessParents: new Set(), directives: [], lineComments: ['#'], inline: false };

type Region = StatementRun;

/**
 * The smallest block holding the acquisition and every later use of `v`, and the statements of it that
 * span them. Works from the occurrences of `v` only: a function may hold thousands of statements.
 */
function regionOf(site: AcquisitionSite, ctx: FixContext): Region | null {
  const s0 = site.statement;
  if (!s0 || !s0.parent || !BLOCKS.has(s0.parent.type)) return null;
  const occurrences = (ctx.identifiers().get(site.variable) ?? []).filter((id) => id.startIndex >= s0.endIndex);
  // The resource's life ends where a later statement of the same block binds the name again.
  let stopAt = Infinity;
  const siblings = ctx.statements(s0.parent);
  for (const id of occurrences) {
    const sib = statementHolding(siblings, id);
    const rhs = sib ? rebinding(sib, site.variable) : undefined;
    if (!sib || rhs === undefined) continue;
    stopAt = rhs && identifiersIn(rhs).some((x) => x.text === site.variable) ? sib.endIndex : sib.startIndex;
    break;
  }
  const uses = occurrences.filter((id) => id.endIndex <= stopAt);
  return enclosingRun(s0, uses, ctx.scope, (n) => BLOCKS.has(n.type), ctx.statements);
}

/** Whether `v` is a parameter of the function around `scope`, or occurs in it before `stmt`. */
function boundBefore(v: string, stmt: Node, ctx: FixContext): boolean {
  if ((ctx.identifiers().get(v) ?? []).some((id) => id.startIndex < stmt.startIndex)) return true;
  const fn = ctx.scope.parent;
  const params = fn && (fn.type === 'function_definition' || fn.type === 'lambda') ? fn.childForFieldName('parameters') : null;
  return !!params && identifiersIn(params).some((id) => id.text === v);
}

/**
 * Whether `v` occurs after the end of the block holding `stmt` (where `stmt` may not have run). The body of
 * a `with` over sockets or files has always run when the `with` completes (their exit never swallows an
 * exception), so the block counted is then the one around the `with`.
 */
function occursAfterBlock(v: string, stmt: Node, ctx: FixContext, imports: Imports): boolean {
  let block = stmt.parent;
  while (block?.parent?.type === 'with_statement' && withOverResources(block.parent, imports)) block = block.parent.parent;
  const end = block?.endIndex ?? ctx.scope.endIndex;
  return (ctx.identifiers().get(v) ?? []).some((id) => id.startIndex >= end);
}

/** Whether every item of a `with` statement is a socket or file acquisition (`with socket.create_connection(a) as s:`). */
function withOverResources(w: Node, imports: Imports): boolean {
  const items = w.descendantsOfType('with_item').filter((i) => i?.parent?.parent?.id === w.id);
  return items.length > 0 && items.every((i) => {
    let value = i?.childForFieldName('value') ?? null;
    if (value?.type === 'as_pattern') value = value.namedChild(0);
    const call = strip(value);
    return call?.type === 'call' && acquireShape(call, imports) !== null;
  });
}

/** For `v = value` (a statement binding `v`): the value (null when none); undefined for other statements. */
function rebinding(stmt: Node, v: string): Node | null | undefined {
  const a = stmt.type === 'expression_statement' ? stmt.namedChild(0) : null;
  if (!a || a.type !== 'assignment') return undefined;
  const left = a.childForFieldName('left');
  return left && targetNames(left).includes(v) ? a.childForFieldName('right') : undefined;
}

/** Whether `v` is bound again anywhere in the region after the acquisition statement. */
function rebound(region: Region, site: AcquisitionSite): boolean {
  let found = false;
  const stop = region.last.endIndex;
  let n: Node | null = region.first;
  while (n && !found && n.startIndex <= stop) {
    walk(n, (x) => {
      if (found) return false;
      const targets = x.type === 'assignment' || x.type === 'augmented_assignment' ? [x.childForFieldName('left')]
        : x.type === 'for_statement' ? [x.childForFieldName('left')]
          : x.type === 'as_pattern' ? [x.childForFieldName('alias')]
              : x.type === 'named_expression' ? [x.childForFieldName('name')] : [];
      for (const t of targets) {
        if (t && x.startIndex !== site.statement?.namedChild(0)?.startIndex && targetNames(t).includes(site.variable)) found = true;
      }
      return true;
    });
    n = n.nextNamedSibling;
  }
  return found;
}

interface Plan {
  readonly title: string;
  readonly build: (lines: RegionLines) => string[];
}

/** Lines holding just `os.close(v)` in the region: dropped, or `pass` when the block has nothing else. */
function explicitCloses(region: Region, site: AcquisitionSite, place: Placement, imports: Imports): Map<number, string | null> {
  const out = new Map<number, string | null>();
  let n: Node | null = region.first;
  while (n && n.startIndex <= region.last.startIndex) {
    walk(n, (x) => {
      if (x.type !== 'expression_statement') return !DEFERRED.has(x.type);
      const call = strip(x.namedChild(0));
      const indent = place.ownLineIndent(x.startIndex);
      const at = place.line(x.startIndex);
      if (call?.type === 'call' && isDescriptorClose(call, site.variable, imports) && indent !== null &&
        at === place.line(x.endIndex) && place.lastOnLine(x.endIndex, PY_STATEMENTS.lineComments)) {
        const alone = x.parent !== null && named(x.parent).length === 1;
        out.set(at, alone ? `${indent}pass` : null);
      }
      return false;
    });
    n = n.nextNamedSibling;
  }
  return out;
}

/** The result of checking a region-wrapping fix against the dataflow. */
type RegionProof = { readonly ok: true; readonly guarded: boolean } | { readonly ok: false };

/** Plans and proves the fixes of one function's findings. */
export class PyFixPlanner {
  private readonly regionFixes = new Map<string, Fix | null>();
  private readonly place: Placement;
  private readonly statements: StatementPlacer;
  private readonly releases: PyReleases;

  constructor(
    private readonly ctx: FixContext,
    private readonly analysis: FunctionAnalysis,
    private readonly lowered: PyIr,
    private readonly cfg: PyCfg,
    /** The acquisition behind each token, by the token's site offset. */
    private readonly sites: ReadonlyMap<number, AcquisitionSite>,
    /** Variables returned, stored, transferred or aliased somewhere in the function. */
    private readonly escaping: ReadonlySet<string>,
  ) {
    this.place = Placement.of(ctx.text, ctx.index);
    this.statements = new StatementPlacer(this.place, PY_STATEMENTS);
    this.releases = PyReleases.of(ctx.scope.tree.rootNode, ctx.index);
  }

  /** The all-paths fix for the acquisition of `token` (one object per acquisition, shared by its findings). */
  regionFix(token: Token): Fix | null {
    let fix = this.regionFixes.get(token.key);
    if (fix === undefined) {
      const site = this.sites.get(token.site.start);
      fix = site ? this.allPathsFix(site, token) : null;
      this.regionFixes.set(token.key, fix);
    }
    return fix;
  }

  /** `v.close()` before the leaking return of `rec`, when the engine proves the release safe there. */
  exitFix(rec: LeakRecord): Fix | null {
    const exit = rec.exit;
    if (exit.kind !== 'return' || !exit.id.startsWith('ret:')) return null;
    const release = this.releaseBeforeReturn(rec.variable, exit.start);
    const edits = release && this.statements.before(release.ret, release.text);
    if (!edits) return null;
    return { title: `Close \`${rec.variable}\` ${exitWhere('return')}`, scope: 'exit', isPreferred: false, edits };
  }

  /** The Python CFG nodes of the `return` statement at `start` (a return in a `finally` has copies). */
  private returnNodes(start: number): number[] {
    const out: number[] = [];
    this.cfg.nodes.forEach((n, id) => {
      if (n.kind === 'return' && n.ast?.startIndex === start) out.push(id);
    });
    return out;
  }

  /** The release of `v` to put before the return at `start` (which must start its line), if proven safe on every copy. */
  private releaseBeforeReturn(v: string, start: number): { ret: Node; text: string } | null {
    const ids = this.returnNodes(start);
    const ret = ids.length ? this.cfg.nodes[ids[0]!]!.ast : null;
    if (!ret) return null;
    let guarded = false;
    let kind: string | null = null;
    for (const id of ids) {
      const value = this.analysis.valueAt(id, v);
      if (!value || !this.analysis.input[id]) continue;
      const proof = proveRelease(this.analysis, id, v, value, (o) => this.place.line(o));
      if (!proof.safe || proof.readBy !== null) return null;
      guarded ||= proof.guarded;
      for (const x of value) if (x.kind === 'token') kind ??= x.site.resource;
    }
    if (!kind) return null;
    if (!this.place.firstOnLine(ret.startIndex)) return null;
    const release = this.releases.release(kind as AcquisitionSite['kind'], v);
    if (!release) return null;
    return { ret, text: guarded ? `if ${v} is not None: ${release}` : release };
  }

  /**
   * Whether releasing `v` wherever control leaves the region is safe: on every path reaching a
   * node of the region (from `from` on; `excOnly`: the exceptional branches only), `v` holds this
   * function's resource, still open and owned, or (guarded) `None`; a descriptor may only have been
   * closed by an explicit close the fix removes.
   */
  private proveRegion(v: string, from: number, to: number, direct: boolean, excOnly: boolean, removed: ReadonlySet<number>, fd: boolean): RegionProof {
    const { origin } = this.lowered;
    const excNodes = excOnly ? new Set(this.lowered.excBranch.values()) : null;
    const nodes: number[] = [];
    for (let id = 0; id < origin.length; id++) {
      const o = origin[id]!;
      if (o < 0 || !this.analysis.input[id] || (excNodes && !excNodes.has(id))) continue;
      const ast = this.cfg.nodes[o]!.ast;
      if (ast && ast.startIndex >= from && ast.endIndex <= to) nodes.push(id);
    }
    // Closing a socket or file object twice does nothing; a descriptor only where the fix removes the close.
    const proof = proveHeldThroughout(this.analysis, nodes, v, (o) => this.place.line(o), !direct, (at) => !fd || removed.has(this.place.line(at)));
    return proof.safe ? { ok: true, guarded: proof.guarded } : { ok: false };
  }

  /** The leaking returns of `token` inside [from, to]: where the escape plan closes before returning. */
  private leakingReturns(token: Token, from: number, to: number): number[] {
    const out = new Set<number>();
    for (const rec of this.analysis.leaks.values()) {
      if (rec.exit.kind !== 'return' || !rec.tokens.has(token)) continue;
      if (!rec.exit.id.startsWith('ret:')) return [-1];
      if (rec.exit.start >= from && rec.exit.end <= to) out.add(rec.exit.start);
    }
    return [...out];
  }

  private allPathsFix(site: AcquisitionSite, token: Token): Fix | null {
    const ctx = this.ctx;
    const region = regionOf(site, ctx);
    const s0 = site.statement;
    if (!region || !s0) return null;
    const escapes = this.escaping.has(site.variable);
    const { text, unit } = ctx;
    const place = this.place;
    const comments = PY_STATEMENTS.lineComments;
    const indent = place.ownLineIndent(region.first.startIndex);
    if (indent === null) return null;
    const startLine = place.line(region.first.startIndex);
    const s0Last = place.line(s0.endIndex);
    const endLine = place.line(region.last.endIndex);
    if (!place.lastOnLine(region.last.endIndex, comments)) return null;
    // `s = socket.socket(); s.connect(x)`: the acquisition shares its line, so no block can start there.
    if (!place.lastOnLine(s0.endIndex, comments)) return null;
    const startOffset = place.lineStart(region.first.startIndex);
    const endOffset = place.lineEnd(region.last.endIndex);
    const strings = continuationLines(place, region.first, region.last.startIndex, (n) => n.type === 'string' || n.type === 'concatenated_string');
    const lines = new RegionLines(place, startOffset, endOffset, strings, unit);
    const v = site.variable;
    const release = this.releases.release(site.kind, v);
    if (!release) return null;
    const bodyFrom = region.direct ? s0Last + 1 : startLine;
    const hasBody = bodyFrom <= endLine;
    const keep = (a: number, b: number) => lines.keep(a, b);
    // Where the fix's release covers: after the acquisition (direct), or the whole region.
    const from = region.direct ? s0.endIndex : region.first.startIndex;
    const to = region.last.endIndex;

    let plan: Plan;
    if (!escapes && region.direct && site.kind !== 'fd' && !rebound(region, site)) {
      // `with` holds the object, whatever the name is rebound to or compared with inside.
      if (!this.proveRegion(v, from, to, true, false, new Set(), false).ok) return null;
      const body = () => (hasBody ? lines.indented(bodyFrom, endLine) : [indent + unit + 'pass']);
      const assign = s0.namedChild(0);
      const rhs = assign?.type === 'assignment' ? strip(assign.childForFieldName('right')) : null;
      if (site.simple && rhs && rhs.id === site.call.id) {
        // `v = socket.socket(...)` → `with socket.socket(...) as v:`
        const head = text.slice(startOffset, s0.startIndex) + `with ${site.call.text} as ${v}:` + text.slice(s0.endIndex, place.lineEnd(s0.endIndex));
        plan = { title: `Use \`with\` for \`${v}\``, build: () => [...head.split(/\r?\n|\r/), ...body()] };
      } else {
        plan = { title: `Use \`with\` for \`${v}\``, build: () => [...keep(startLine, s0Last), `${indent}with ${v}:`, ...body()] };
      }
    } else {
      // Close before each leaking return inside the region when the resource escapes elsewhere.
      const before = new Map<number, string>();
      if (escapes) {
        for (const start of this.leakingReturns(token, region.first.startIndex, region.last.endIndex)) {
          const release = start < 0 ? null : this.releaseBeforeReturn(v, start);
          if (!release) return null;
          before.set(place.line(release.ret.startIndex), place.indentAt(release.ret.startIndex) + release.text);
        }
      }
      // A descriptor closed twice may close someone else's: the finally replaces the explicit closes.
      const replace = escapes || site.kind !== 'fd' ? undefined : explicitCloses(region, site, place, this.releases.imports);
      const proof = this.proveRegion(v, from, to, region.direct, escapes, new Set(replace?.keys() ?? []), site.kind === 'fd');
      if (!proof.ok) return null;
      const guarded = region.direct && !proof.guarded ? [indent + unit + release] : [`${indent}${unit}if ${v} is not None:`, indent + unit + unit + release];
      const handler = escapes ? [`${indent}except BaseException:`, ...guarded, `${indent}${unit}raise`] : [`${indent}finally:`, ...guarded];
      const title = `Close \`${v}\` on all paths`;
      if (region.direct && !hasBody) {
        plan = { title, build: () => [...keep(startLine, s0Last), indent + release] };
      } else if (region.direct) {
        plan = { title, build: () => [...keep(startLine, s0Last), `${indent}try:`, ...lines.indented(bodyFrom, endLine, before, replace), ...handler] };
      } else {
        // `v = None` before the region would discard a value `v` already has: a parameter (the caller's
        // socket) or an earlier assignment that a path may still read.
        if (boundBefore(v, region.first, ctx)) return null;
        // It would also give a value to a path that reads `v` where no acquisition bound it (a loop that ran
        // no time, a branch not taken): the original raises UnboundLocalError there, the fixed code would go on.
        if (occursAfterBlock(v, s0, ctx, this.releases.imports)) return null;
        plan = { title, build: () => [`${indent}${v} = None`, `${indent}try:`, ...lines.indented(startLine, endLine, before, replace), ...handler] };
      }
    }
    return { title: plan.title, scope: 'all-paths', isPreferred: true, edits: [place.replace(startOffset, endOffset, plan.build(lines).join('\n'))] };
  }
}
