import type { Node } from 'web-tree-sitter';
import type { LineIndex } from '../../edits';
import type { EffectSite, FileScan } from './scan';
import type { Fix, TextEdit } from '../../types';
import { combineExitFixes } from '../../edits';
import type { FunctionCfg } from './cfg';
import type { FunctionAnalysis, LeakRecord, OverwriteRecord } from '../../engine/analysis';
import { proveRelease, type ReleaseProof } from '../../engine/safety';
import type { Placement } from '../../fix/placement';
import { importLine } from '../../fix/imports';
import { oneArgumentCloser, projectRelease, type ReleaseCall } from '../../fix/idiom';
import { StatementPlacer, type StatementSyntax } from '../../fix/statements';
import { exitWhere } from '../../fix/titles';
import type { Token, ValueSet } from '../../engine/values';
import { closesByName, isStream, releaseFunction, type ResourceKind } from './names';
import { callArgs, firstExpression, functionDeclarator, strip } from './syntax';
import { cleanupJump, cleanupLabels, type CleanupLabel } from './cleanupLabel';

/**
 * Places the "close it here" and "close it on all paths" fixes for C/C++. Whether a fix is offered
 * at all is the engine's proof (engine/safety.ts): a release is inserted only where the resource
 * is open and owned on every path, and it assigns nothing. Edits are insertions so that fixes for
 * different variables combine (applyEdits drops exact duplicates, such as a shared `#include` or
 * the braces added around a braceless `return`).
 */

const C_STATEMENTS: StatementSyntax = {
  bracelessParents: new Set(['if_statement', 'else_clause', 'while_statement', 'for_statement', 'for_range_loop', 'do_statement']),
  directives: ['preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_call', 'preproc_def'],
  lineComments: ['//', '/*'],
  inline: true,
  loops: new Set(['while_statement', 'for_statement', 'for_range_loop', 'do_statement']),
  nestedFunctions: new Set(['lambda_expression']),
};
const STATEMENTS = new Set(['expression_statement', 'declaration', 'return_statement', 'if_statement', 'while_statement',
  'for_statement', 'for_range_loop', 'do_statement', 'switch_statement', 'break_statement', 'continue_statement',
  'goto_statement', 'throw_statement', 'labeled_statement', 'compound_statement']);
/** Typedef names of integer types whose copy converts exactly as a `return` would. */
const SCALAR_TYPEDEFS = new Set(['ssize_t', 'size_t', 'off_t', 'pid_t', 'int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t', 'uint16_t',
  'uint32_t', 'uint64_t', 'intptr_t', 'uintptr_t', 'socklen_t', 'bool', 'BOOL', 'DWORD']);
const WINSOCK_HEADERS = new Set(['winsock2.h', 'winsock.h', 'windows.h', 'ws2tcpip.h']);

export interface FileFixContext {
  readonly text: string;
  readonly lines: LineIndex;
  readonly place: Placement;
  readonly root: Node;
  readonly language: 'c' | 'cpp';
  readonly scan: FileScan;
}

export class FixPlanner {
  constructor(
    private readonly file: FileFixContext,
    private readonly fn: Node,
    private readonly cfg: FunctionCfg,
    private readonly analysis: FunctionAnalysis,
  ) {
    this.place = file.place;
    this.statements = new StatementPlacer(file.place, C_STATEMENTS, (n) => this.cfg.parentOf.get(n.id) ?? n.parent);
  }

  private readonly place: Placement;
  private readonly statements: StatementPlacer;
  private labels: CleanupLabel[] | undefined;

  leakFix(rec: LeakRecord): Fix | null {
    const exit = this.cfg.nodes[rec.node]?.exit;
    if (!exit || this.statements.crossesDirective(exit.node)) return null;
    const proof = this.proof(rec.node, rec.variable, rec.value);
    if (!proof.safe) return null;
    // The function's own cleanup label (`goto fail;`) when jumping there does what the release would.
    const jump = exit.kind === 'return' && proof.readBy === null && this.file.language === 'c'
      ? cleanupJump(this.labels ??= cleanupLabels(this.fn), exit.node, rec.variable, proof.guarded) : null;
    if (jump) {
      const range = this.file.lines.range(exit.node.startIndex, exit.node.endIndex);
      return { title: `Close \`${rec.variable}\` through the cleanup label \`${jump}\``, scope: 'exit', isPreferred: false, edits: [{ range, newText: `goto ${jump};` }] };
    }
    const kind = this.kindOf(rec.tokens);
    const release = this.releaseText(rec.variable, kind, proof.guarded);
    let main: TextEdit[] | null;
    if (exit.kind === 'end' || exit.kind === 'block') main = exit.node.type === 'compound_statement' ? this.beforeBrace(exit.node, release) : null;
    else if (proof.readBy !== null) main = exit.kind === 'return' ? this.returnThroughTemporary(exit.node, release) : null;
    else main = this.before(exit.node, release);
    if (!main) return null;
    const edits = [...main, ...this.supporting(kind)];
    return { title: `Close \`${rec.variable}\` ${exitWhere(exit.kind)}`, scope: 'exit', isPreferred: false, edits };
  }

  overwriteFix(rec: OverwriteRecord): Fix | null {
    const place = this.overwritePlace(rec.node);
    if (!place || this.statements.crossesDirective(place.node)) return null;
    const proof = this.proof(rec.node, rec.variable, rec.value);
    if (!proof.safe || proof.readBy !== null) return null;
    const kind = this.kindOf(rec.tokens);
    const release = this.releaseText(rec.variable, kind, proof.guarded);
    let main: TextEdit[] | null;
    let title: string;
    if (place.kind === 'before') {
      main = this.before(place.node, release);
      title = `Close \`${rec.variable}\` before it is overwritten`;
    } else {
      main = this.statements.atEndOfIteration(place.node, release);
      title = `Close \`${rec.variable}\` at the end of each iteration`;
    }
    if (!main) return null;
    const edits = [...main, ...this.supporting(kind)];
    return { title, scope: 'exit', isPreferred: false, edits };
  }

  /** The engine's proof that a release before node `id` is safe. */
  private proof(id: number, variable: string, value: ValueSet): ReleaseProof {
    return proveRelease(this.analysis, id, variable, value, (offset) => this.file.lines.position(offset).line);
  }

  /**
   * `return send(fd, …);` becomes `{ T sockscope_ret = send(fd, …); close(fd); return sockscope_ret; }`:
   * the value is computed before the release. Only in C, for a scalar return type written out
   * (no `void`, pointer, struct, `auto`, or braced value), where the copy converts exactly as the
   * return would.
   */
  private returnThroughTemporary(ret: Node, release: string): TextEdit[] | null {
    const expr = firstExpression(ret);
    if (!expr || expr.type === 'initializer_list' || this.file.language !== 'c' || this.fn.type !== 'function_definition') return null;
    const type = this.fn.childForFieldName('type');
    const { decl } = functionDeclarator(this.fn);
    const declarator = this.fn.childForFieldName('declarator');
    // Pointer or other wrapped declarators, and `int (*f(void))(int)`, which returns a function pointer.
    if (!type || !decl || !declarator || declarator.id !== decl.id || decl.childForFieldName('declarator')?.type !== 'identifier') return null;
    if (type.type !== 'primitive_type' && !(type.type === 'sized_type_spec') && !(type.type === 'type_identifier' && SCALAR_TYPEDEFS.has(type.text))) return null;
    if (type.text === 'void') return null;
    const p = this.file.lines.range(ret.startIndex, ret.endIndex);
    return [{ range: p, newText: `{ ${type.text} sockscope_ret = ${expr.text}; ${release} return sockscope_ret; }` }];
  }

  /** The preferred fix for a variable: every exit fix of it combined. */
  static allPaths(variable: string, fixes: readonly Fix[]): Fix | null {
    return combineExitFixes(variable, fixes);
  }

  // ------------------------------------------------------------ texts

  private kindOf(tokens: ReadonlySet<Token>): ResourceKind {
    for (const t of tokens) if (t.param < 0) return t.site.resource as ResourceKind;
    return 'fd';
  }

  private releaseText(v: string, kind: ResourceKind, guarded: boolean): string {
    const call = `${this.projectRelease(v, kind) ?? `${releaseFunction(kind)}(${v})`};`;
    if (!guarded) return call;
    if (isStream(kind)) return `if (${v}) ${call}`;
    if (kind === 'socket') return `if (${v} != INVALID_SOCKET) ${call}`;
    return `if (${v} >= 0) ${call}`;
  }

  /**
   * The project's own release idiom for a descriptor, when this function (or, for a one-argument
   * call, the file) already closes descriptors with one: `evutil_closesocket(v)`, or
   * `Curl_closesocket(conn, v)` when its other arguments are parameters of this function.
   */
  private projectRelease(v: string, kind: ResourceKind): string | null {
    if (isStream(kind)) return null;
    const params = new Set(this.cfg.params.filter((p): p is string => p !== null));
    return projectRelease(v, releaseCalls(this.file.scan.effects.get(this.fn.id) ?? []), params, () => projectCloser(this.file));
  }

  /** Edits a release needs besides itself: the header that declares it. Nothing that changes a value. */
  private supporting(kind: ResourceKind): TextEdit[] {
    const include = this.includeEdit(kind);
    return include ? [include] : [];
  }

  private includeEdit(kind: ResourceKind): TextEdit | null {
    if (kind === 'socket') return null;
    const { headers, includeEnd } = this.file.scan;
    for (const h of headers) if (WINSOCK_HEADERS.has(h)) return null;
    const header = kind === 'fd' ? 'unistd.h' : 'stdio.h';
    if (headers.has(header) || (header === 'stdio.h' && headers.has('cstdio'))) return null;
    return importLine(this.place, includeEnd, `#include <${header}>`);
  }

  /** Inserts `text` as a statement before `stmt`, adding braces when `stmt` is a braceless body. */
  private before(stmt: Node, text: string): TextEdit[] | null {
    return this.statements.before(stmt, text);
  }

  /** Before a block's closing brace, indented like the block's statements. */
  private beforeBrace(block: Node, text: string): TextEdit[] | null {
    return this.statements.beforeBrace(block, text);
  }

  /**
   * Where an overwritten variable can be released: before the statement holding the assignment,
   * or, for a loop condition or update, at the end of each iteration of that loop.
   */
  private overwritePlace(cfgNode: number): { kind: 'before' | 'iteration'; node: Node } | null {
    const node = this.cfg.nodes[cfgNode];
    const owner = node?.owner;
    if (!node || !owner) return null;
    if (C_STATEMENTS.loops!.has(owner.type)) {
      if (node.role === 'init') return { kind: 'before', node: owner };
      if (node.role === 'cond' || node.role === 'update') return { kind: 'iteration', node: owner };
    }
    return STATEMENTS.has(owner.type) ? { kind: 'before', node: owner } : null;
  }
}

const fileClosers = new WeakMap<FileFixContext, string | null>();

/** The function's calls of a closing function (by name: names.ts), as written. */
function* releaseCalls(effects: Iterable<EffectSite>): Iterable<ReleaseCall> {
  for (const e of effects) {
    if (e.kind !== 'call' || !e.callee || !closesByName(e.callee)) continue;
    yield { callee: e.callee, args: callArgs(e.node).map((a) => ({ text: strip(a)?.text ?? a.text, identifier: a.type === 'identifier' })) };
  }
}

/** The file's one-argument closing function (`evutil_closesocket(fd)`), looked up once per file. */
export function projectCloser(file: FileFixContext): string | null {
  let name = fileClosers.get(file);
  if (name === undefined) {
    name = oneArgumentCloser((function* () {
      for (const sites of file.scan.effects.values()) yield* releaseCalls(sites);
    })());
    fileClosers.set(file, name);
  }
  return name;
}
