import type { Node } from 'web-tree-sitter';
import type { LineIndex } from '../../edits';
import type { FileScan } from './scan';
import type { Fix, TextEdit } from '../../types';
import { combineExitFixes } from '../../edits';
import type { ExitSite, FunctionCfg } from './cfg';
import type { FunctionAnalysis, LeakRecord, OverwriteRecord } from '../../engine/analysis';
import { proveRelease, type ReleaseProof } from '../../engine/safety';
import type { Placement } from '../../fix/placement';
import type { Token, ValueSet } from '../../engine/values';
import { closesByName, isStream, releaseFunction, type ResourceKind } from './names';
import { callArgs, firstExpression, functionDeclarator, strip } from './syntax';

/**
 * Places the "close it here" and "close it on all paths" fixes for C/C++. Whether a fix is offered
 * at all is the engine's proof (engine/safety.ts): a release is inserted only where the resource
 * is open and owned on every path, and it assigns nothing. Edits are insertions so that fixes for
 * different variables combine (applyEdits drops exact duplicates, such as a shared `#include` or
 * the braces added around a braceless `return`).
 */

const BRACELESS_PARENTS = new Set(['if_statement', 'else_clause', 'while_statement', 'for_statement', 'for_range_loop', 'do_statement']);
const STATEMENTS = new Set(['expression_statement', 'declaration', 'return_statement', 'if_statement', 'while_statement',
  'for_statement', 'for_range_loop', 'do_statement', 'switch_statement', 'break_statement', 'continue_statement',
  'goto_statement', 'throw_statement', 'labeled_statement', 'compound_statement']);
const LOOPS = new Set(['while_statement', 'for_statement', 'for_range_loop', 'do_statement']);
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
  }

  private readonly place: Placement;

  leakFix(rec: LeakRecord): Fix | null {
    const exit = this.cfg.nodes[rec.node]?.exit;
    if (!exit || this.crossesPreprocessor(exit.node)) return null;
    const proof = this.proof(rec.node, rec.variable, rec.value);
    if (!proof.safe) return null;
    const kind = this.kindOf(rec.tokens);
    const release = this.releaseText(rec.variable, kind, proof.guarded);
    let main: TextEdit[] | null;
    if (exit.kind === 'end' || exit.kind === 'block') main = exit.node.type === 'compound_statement' ? this.beforeBrace(exit.node, release) : null;
    else if (proof.readBy !== null) main = exit.kind === 'return' ? this.returnThroughTemporary(exit.node, release) : null;
    else main = this.before(exit.node, release);
    if (!main) return null;
    const edits = [...main, ...this.supporting(kind)];
    return { title: `Close \`${rec.variable}\` ${where(exit)}`, scope: 'exit', isPreferred: false, edits };
  }

  overwriteFix(rec: OverwriteRecord): Fix | null {
    const place = this.overwritePlace(rec.node);
    if (!place || this.crossesPreprocessor(place.node)) return null;
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
      main = this.atEndOfIteration(place.node, release);
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

  /**
   * A statement whose enclosing braceless body or condition is split by preprocessor lines
   * (`if (a)\n#ifdef X\n || b\n#endif\n return;`): braces added around it would not guard what
   * they seem to, so no fix is placed there.
   */
  private crossesPreprocessor(stmt: Node): boolean {
    const parent = this.parent(stmt);
    if (!parent || !BRACELESS_PARENTS.has(parent.type)) return false;
    const owner = parent.type === 'else_clause' ? (this.parent(parent) ?? parent) : parent;
    return owner.descendantsOfType(['preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_call', 'preproc_def']).length > 0;
  }

  /**
   * For an assignment in a loop's condition or update (`while ((c = accept(...)) >= 0)`), the
   * old value is lost on the way round: release it at the end of the body and before each
   * `continue` of that loop.
   */
  private atEndOfIteration(loop: Node, release: string): TextEdit[] | null {
    const body = loop.childForFieldName('body');
    if (!body || body.type !== 'compound_statement') return null;
    const edits = this.beforeBrace(body, release);
    if (!edits) return null;
    const stack: Node[] = [body];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === 'continue_statement') {
        const e = this.before(n, release);
        if (!e) return null;
        edits.push(...e);
        continue;
      }
      if (n.id !== body.id && LOOPS.has(n.type)) continue;
      if (n.type === 'lambda_expression') continue;
      for (let i = 0; i < n.namedChildCount; i++) {
        const c = n.namedChild(i);
        if (c) stack.push(c);
      }
    }
    return edits;
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
    for (const e of this.file.scan.effects.get(this.fn.id) ?? []) {
      if (e.kind !== 'call' || !e.callee || !closesByName(e.callee)) continue;
      const args = callArgs(e.node);
      if (args.length === 1) return `${e.callee}(${v})`;
      const k = args.findIndex((a) => a.type === 'identifier' && !params.has(a.text));
      if (k < 0 || !args.every((a, i) => i === k || (a.type === 'identifier' && params.has(a.text)))) continue;
      return `${e.callee}(${args.map((a, i) => (i === k ? v : strip(a)?.text ?? a.text)).join(', ')})`;
    }
    const name = projectCloser(this.file);
    return name ? `${name}(${v})` : null;
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
    const needsNewline = includeEnd > 0 && this.file.text[includeEnd - 1] !== '\n';
    return this.insert(includeEnd, `${needsNewline ? '\n' : ''}#include <${header}>\n`);
  }

  // ------------------------------------------------------------ placement

  private insert(offset: number, newText: string): TextEdit {
    return this.place.insert(offset, newText);
  }

  private lineStart(offset: number): number {
    return this.place.lineStart(offset);
  }

  private indentAt(offset: number): string {
    return this.place.indentAt(offset);
  }

  private firstOnLine(offset: number): boolean {
    return this.place.firstOnLine(offset);
  }

  /** The token a braceless body follows: `if (...)`, `else`, `while (...)`, `for (...)`, `do`. */
  private opener(stmt: Node): Node | null {
    const parent = this.parent(stmt);
    if (!parent) return null;
    let found: Node | null = null;
    for (let i = 0; i < parent.childCount; i++) {
      const c = parent.child(i);
      if (!c || c.startIndex >= stmt.startIndex) break;
      if (c.type !== 'comment') found = c;
    }
    return found;
  }

  /** The statement's parent, from the CFG builder when it visited it (Node.parent costs O(depth)). */
  private parent(stmt: Node): Node | null {
    return this.cfg.parentOf.get(stmt.id) ?? stmt.parent;
  }

  private isBraceless(stmt: Node): boolean {
    const parent = this.parent(stmt);
    return !!parent && BRACELESS_PARENTS.has(parent.type);
  }

  /** Inserts `text` as a statement before `stmt`, adding braces when `stmt` is a braceless body. */
  private before(stmt: Node, text: string): TextEdit[] | null {
    const own = this.firstOnLine(stmt.startIndex);
    if (!this.isBraceless(stmt)) {
      return [this.insert(stmt.startIndex, own ? `${text}\n${this.indentAt(stmt.startIndex)}` : `${text} `)];
    }
    const op = this.opener(stmt);
    if (!op) return null;
    if (own) {
      return [
        this.insert(op.endIndex, ' {'),
        this.insert(stmt.startIndex, `${text}\n${this.indentAt(stmt.startIndex)}`),
        this.insert(stmt.endIndex, `\n${this.indentAt(op.startIndex)}}`),
      ];
    }
    return [this.insert(op.endIndex, ' {'), this.insert(stmt.startIndex, `${text} `), this.insert(stmt.endIndex, ' }')];
  }

  /** Before a block's closing brace, indented like the block's statements. */
  private beforeBrace(block: Node, text: string): TextEdit[] | null {
    const brace = block.endIndex - 1;
    if (this.file.text[brace] !== '}') return null;
    if (!this.firstOnLine(brace)) return [this.insert(brace, `${text} `)];
    let inner: string | null = null;
    for (let i = block.namedChildCount - 1; i >= 0 && inner === null; i--) {
      const c = block.namedChild(i);
      if (c && this.firstOnLine(c.startIndex) && this.lineStart(c.startIndex) !== this.lineStart(brace)) inner = this.indentAt(c.startIndex);
    }
    const braceIndent = this.indentAt(brace);
    inner ??= braceIndent + (braceIndent.includes('\t') ? '\t' : '    ');
    return [this.insert(this.lineStart(brace), `${inner}${text}\n`)];
  }

  /**
   * Where an overwritten variable can be released: before the statement holding the assignment,
   * or, for a loop condition or update, at the end of each iteration of that loop.
   */
  private overwritePlace(cfgNode: number): { kind: 'before' | 'iteration'; node: Node } | null {
    const node = this.cfg.nodes[cfgNode];
    const owner = node?.owner;
    if (!node || !owner) return null;
    if (LOOPS.has(owner.type)) {
      if (node.role === 'init') return { kind: 'before', node: owner };
      if (node.role === 'cond' || node.role === 'update') return { kind: 'iteration', node: owner };
    }
    return STATEMENTS.has(owner.type) ? { kind: 'before', node: owner } : null;
  }
}

function where(exit: ExitSite): string {
  switch (exit.kind) {
    case 'return': return 'before this return';
    case 'break': return 'before this break';
    case 'continue': return 'before this continue';
    case 'goto': return 'before this goto';
    case 'throw': return 'before this throw';
    case 'end': return 'at the end of the function';
    case 'block': return 'at the end of this block';
  }
}

const fileClosers = new WeakMap<FileFixContext, string | null>();

/** The file's one-argument closing function (`evutil_closesocket(fd)`), looked up once per file. */
export function projectCloser(file: FileFixContext): string | null {
  let name = fileClosers.get(file);
  if (name === undefined) {
    name = null;
    search: for (const sites of file.scan.effects.values()) {
      for (const e of sites) {
        if (e.kind === 'call' && e.callee && closesByName(e.callee) && callArgs(e.node).length === 1) {
          name = e.callee;
          break search;
        }
      }
    }
    fileClosers.set(file, name);
  }
  return name;
}
