import type { Node } from 'web-tree-sitter';
import { lastAtOrBefore } from '../../edits';
import type { EffectSite } from './scan';
import type { CfgNode, FunctionCfg } from './cfg';
import { NO_FACT, factPrograms } from '../../engine/facts';
import {
  NO_GUARD, isRel, MIRROR, type AcquireSite, type Exit, type FactProgram, type FactTest, type FunctionIr, type Guard, type IrNode, type IrNodeKind, type Op, type Program, type Ref,
  type Rel, type Subject, type Target, type Value,
} from '../../ir/ir';
import { ACQUIRE, ACQUIRE_PAIR, ADOPT_FIRST_ARG, BORROW, DUP_ONTO, RELEASE, STANDARD_FDS, STANDARD_STREAMS, borrowsByName, closesByName, validityOf } from './names';
import type { FileMacros } from './macros';
import type { FileGlobals } from './globals';
import { fillsStandardSlots } from './standardSlots';
import { onlyAfterUnlikelyFailure, UNLIKELY_FAILING } from './standardDup';
import { defensiveNullReturns } from './defensiveReturn';
import { outParamArgument, surelyDereferenced } from './derefFacts';
import { clearsErrno, ERRNO_SET_AFTER_SUCCESS, onlyIfErrnoAfterSuccess } from './errnoAfterSuccess';
import type { ValidityTest } from './validityTests';
import { callArgs, calleeName, constantValue, declaratorName, fieldPath, firstExpression, lvalueKey, strip, subscriptParts } from './syntax';

/**
 * Lowers one C/C++ function to the shared IR: the syntax on each CFG node is translated, once,
 * into plain operations and guards, so that the dataflow iterations never touch tree-sitter nodes
 * (marshalling them out of wasm is what costs). Only the nodes that matter are looked at: the
 * assignments, initialised declarators and calls that the file scan's query found. The IR's
 * nodes are the CFG's, by index, so the fixes can map a finding back to the syntax.
 */

export interface CompileContext {
  isNoReturn(name: string): boolean;
  /** Does this call never return by what it is given (a macro that exits with these arguments, processExit.ts)? */
  isNoReturnCall?(call: Node): boolean;
  /** Does the file define a function of this name (so it may have a summary)? */
  isDefined(name: string): boolean;
  readonly ownershipTransfers: ReadonlySet<string>;
  /** The file's own macros (invalid-descriptor constants). */
  readonly macros: FileMacros;
  /** The file's globals a function may follow like its locals (absent: none). */
  readonly globals?: FileGlobals;
  /** The validity test of a parameter a call of `name` is (validityTests.ts), if any. */
  validityTest?(name: string): ValidityTest | undefined;
}

/** Where a returned call's result is held for the `returned` op (no variable of the source has this name). */
const RETURNED = { kind: 'local', key: '<return>' } as const;
const NONE: Guard = NO_GUARD;
const MAX_GUARD_DEPTH = 200;


/** A condition's build (see Lowering.shape). */
type Shape =
  | { readonly s: 'not' | 'hint'; readonly arg: Node }
  | { readonly s: '&&' | '||'; readonly l: Node; readonly r: Node }
  | { readonly s: 'rel'; readonly op: Rel; readonly l: Node; readonly r: Node; readonly lc: number | null; readonly rc: number | null }
  /** A call of a validity test (validityTests.ts): `arg rel value`, or `arg rel name` with a constant of unknown value. */
  | { readonly s: 'test'; readonly arg: Node; readonly rel: Rel; readonly value: number | null; readonly name: string | null; readonly int?: number }
  | { readonly s: 'value' };

/** A CFG node's syntax range (see Lowering.ownerOf); `stmt`: an effect node of an expression statement. */
interface Owner {
  readonly start: number;
  readonly end: number;
  readonly id: number;
  readonly stmt: boolean;
}

export class Lowering {
  /**
   * C struct values declared in the function (`ngx_file_t file;`, not pointers, arrays or
   * parameters) with a field assigned (`file.fd = fd`), and those fields' keys: the struct is the
   * function's own storage, so its fields are tracked as its locals (`file.fd`). Passing the
   * struct (`&file`, `file`) passes every field; copying or returning it hands them over.
   */
  private readonly structFields = new Map<string, Set<string>>();
  private callsDup2 = false;
  /** Whether the function clears `errno` (`errno = 0;`): only then may a return be behind an `errno` test after a success. */
  private clearsErrno = false;
  /** The `return`s of the function's leading NULL tests of pointer parameters (defensiveReturn.ts), by offset. */
  private defensive: ReadonlyMap<number, string> = new Map();

  constructor(private readonly cfg: FunctionCfg, private readonly ctx: CompileContext) {}

  /**
   * Lowers the function, given its effect sites from the file scan. `returnsOnly`: only what
   * `returnSources` (engine/summaries.ts) reads, the ops of the effects and of the `return`s, each the
   * very op the whole lowering makes; no guards, constants, facts, out-parameter escapes or unlikely
   * exits (most callees are lowered only to learn where their returned values come from).
   */
  lower(fn: Node, sites: readonly EffectSite[], returnsOnly = false): FunctionIr {
    this.findStructFields(fn, sites);
    // Only a function that calls dup2 (setenv, …) can have a return behind its failure (and the walk up from each
    // return costs a parent lookup per level: a long else-if chain without such a call must not pay for it).
    this.callsDup2 = sites.some((s) => s.kind === 'call' && s.callee !== null && UNLIKELY_FAILING.has(s.callee));
    this.clearsErrno = sites.some((s) => s.kind === 'assign' && clearsErrno(s.node));
    const nodes = this.cfg.nodes;
    const ops: Op[][] = nodes.map(() => []);
    const noReturn: boolean[] = nodes.map(() => false);
    const reads: string[][] = nodes.map(() => []);
    this.effects(sites, ops, noReturn, reads);
    if (returnsOnly) return this.returnsIr(fn, ops);
    this.defensive = defensiveNullReturns(fn);
    nodes.forEach((node, id) => {
      if (node.kind === 'cond' && node.owner?.type === 'if_statement') this.optionalOut(node.owner, ops[id]!);
    });
    const facts = this.factPrograms(fn, sites);
    const irNodes = nodes.map((node, id): IrNode => {
      const ast = node.ast;
      let guard: Guard = NONE;
      let constant: number | null = null;
      const list = ops[id]!;
      if (ast && node.kind === 'cond') {
        constant = this.constant(ast);
        if (constant === null) guard = this.guard(ast, 0);
      } else if (ast && node.kind === 'return') {
        const expr = this.returnOps(ast, list);
        if (expr) reads[id]!.push(...identifiersIn(expr));
      }
      const fp = facts?.[id];
      const program: Program = { ops: list, guard, constant, noReturn: node.kind === 'effect' && noReturn[id]!, ...(fp ? { facts: fp } : {}) };
      const dying = this.structFields.size && node.vars.some((v) => this.structFields.has(v))
        ? [...node.vars, ...node.vars.flatMap((v) => [...(this.structFields.get(v) ?? [])])] : node.vars;
      return { kind: irKind(node), succ: node.succ, program, exit: this.exitOf(node), dying, anchor: ast ? ast.startIndex : -1, reads: reads[id]! };
    });
    return { nodes: irNodes, entry: this.cfg.entry, params: this.cfg.params, start: fn.startIndex, end: fn.endIndex, autoReleased: this.cfg.cleanupVars, nameAfterRelease: true };
  }

  /** The ops of a `return` statement (added to `list`), and its expression. */
  private returnOps(ast: Node, list: Op[]): Node | null {
    const expr = firstExpression(ast);
    if (!expr) return null;
    // `return open(...)`, `return wrapper(...)`: the call's result is what the caller gets.
    const call = strip(expr)?.type === 'call_expression' ? this.valueOf(expr, RETURNED) : null;
    if (call && call.kind !== 'other') list.push({ op: 'bind', target: RETURNED, value: call, start: ast.startIndex, end: ast.endIndex });
    list.push({ op: 'returned', refs: call && call.kind !== 'other' ? [{ key: RETURNED.key, prefix: null }] : this.returnedRefs(expr), constant: this.constant(expr), value: this.intValue(expr) });
    return expr;
  }

  /** The IR of `lower(fn, sites, true)`: each node with its effects' ops and its `return`'s, and nothing else. */
  private returnsIr(fn: Node, ops: Op[][]): FunctionIr {
    const irNodes = this.cfg.nodes.map((node, id): IrNode => {
      const list = ops[id]!;
      if (node.ast && node.kind === 'return') this.returnOps(node.ast, list);
      return { kind: irKind(node), succ: node.succ, program: { ops: list, guard: NONE, constant: null, noReturn: false }, exit: null, dying: [], anchor: node.ast ? node.ast.startIndex : -1, reads: [] };
    });
    return { nodes: irNodes, entry: this.cfg.entry, params: this.cfg.params, start: fn.startIndex, end: fn.endIndex, autoReleased: this.cfg.cleanupVars, nameAfterRelease: true };
  }

  /**
   * The node's exit; a `return` reached only when a call that practically never fails failed (`dup2` onto a
   * standard descriptor, `setenv`) is unlikely (standardDup.ts), and so are the `return` of a defensive NULL
   * test of a pointer parameter at the function's start (defensiveReturn.ts) and one reached only when a
   * successful call left `errno` set (errnoAfterSuccess.ts).
   */
  private exitOf(node: CfgNode): Exit | null {
    const exit = exitOf(node);
    if (!exit || node.kind !== 'return' || !node.ast) return exit;
    const tested = this.defensive.get(node.ast.startIndex);
    if (tested !== undefined) return { ...exit, unlikely: true, defensive: tested };
    // A return behind a test of `errno` right after a successful acquisition, `errno` cleared before it (errnoAfterSuccess.ts).
    if (this.clearsErrno && onlyIfErrnoAfterSuccess(node.ast, this.cfg.parentOf)) return { ...exit, unlikely: true, unlikelyBecause: ERRNO_SET_AFTER_SUCCESS };
    if (!this.callsDup2) return exit;
    const failed = onlyAfterUnlikelyFailure(node.ast, this.cfg.parentOf, this.ctx.macros.hints);
    return failed === null ? exit : { ...exit, unlikely: true, unlikelyBecause: failed };
  }

  /**
   * Takes the assignments, initialised declarators and calls of the function (found by the file
   * scan's query) in evaluation order (post-order: by end offset, inner before outer), each
   * to the CFG node whose syntax encloses it.
   */
  private effects(sites: readonly EffectSite[], ops: Op[][], noReturn: boolean[], reads: string[][]): void {
    // Sites of nested functions were given to those functions by the scan. Each site is classified
    // once, and its offsets read once (endIndex is a call into the parser's wasm).
    const events: { e: EffectSite; start: number; end: number; relevant: boolean; noRet: boolean }[] = [];
    for (const e of sites) {
      const relevant = e.kind !== 'call' || e.callee === null || this.relevantCall(e.callee) || this.givesLocal(e.node, e.callee);
      const noRet = e.kind === 'call' && e.callee !== null && (this.ctx.isNoReturn(e.callee) || !!this.ctx.isNoReturnCall?.(e.node));
      if (relevant || noRet) events.push({ e, start: e.node.startIndex, end: e.node.endIndex, relevant, noRet });
    }
    events.sort((a, b) => a.end - b.end || b.start - a.start);
    for (const { e, start, end, relevant, noRet } of events) {
      const owner = this.ownerOf(start, end);
      if (!owner) continue;
      const list = ops[owner.id]!;
      if (e.kind === 'assign') this.assignment(e.node, list, reads[owner.id]!);
      else if (e.kind === 'init') this.initDeclarator(e.node, list, reads[owner.id]!);
      else {
        if (noRet && owner.stmt && owner.start === start) noReturn[owner.id] = true;
        if (relevant) this.call(e.node, list);
      }
    }
  }

  /** See `structFields` (C only: a C++ class value may close its fields in its destructor). */
  private findStructFields(fn: Node, sites: readonly EffectSite[]): void {
    if (fn.tree.language.name !== 'c') return;
    for (const e of sites) {
      if (e.kind !== 'assign') continue;
      const left = strip(e.node.childForFieldName('left'));
      const base = left ? this.structOf(left) : null;
      const key = base ? lvalueKey(left) : null;
      if (!base || !key) continue;
      let set = this.structFields.get(base);
      if (!set) this.structFields.set(base, (set = new Set()));
      set.add(key);
    }
  }

  /** `s` of a field `s.f` of a struct value the function declares (not a pointer, array or parameter), else null. */
  private structOf(n: Node): string | null {
    if (n.type !== 'field_expression' || n.childForFieldName('operator')?.type !== '.') return null;
    const arg = strip(n.childForFieldName('argument'));
    if (arg?.type !== 'identifier') return null;
    const d = this.cfg.declarations.get(arg.text);
    return d && !d.isPointer && !d.isArray && !this.cfg.params.includes(arg.text) ? arg.text : null;
  }

  /** `argRef`, with a tracked struct (`file`, `&file`) standing for all its fields. */
  private ref(arg: Node | undefined): Ref {
    if (this.structFields.size && arg) {
      let n = strip(arg);
      if (n?.type === 'pointer_expression' && n.child(0)?.type === '&') n = strip(n.childForFieldName('argument'));
      if (n?.type === 'identifier' && this.structFields.has(n.text)) return { key: null, prefix: `${n.text}.` };
    }
    return argRef(arg);
  }

  private relevantCall(name: string): boolean {
    return RELEASE.has(name) || ADOPT_FIRST_ARG.has(name) || ACQUIRE_PAIR.has(name) || this.ctx.ownershipTransfers.has(name) ||
      closesByName(name) || COPY_INTO.has(name);
  }

  /** A call that may get a summary (from the file or the workspace): it gives a local (or its address) to the callee. */
  private givesLocal(call: Node, name: string): boolean {
    return !ACQUIRE.has(name) && !BORROW.has(name) && callArgs(call).some((a) => this.holdsLocal(a));
  }

  /**
   * A call to a function known neither by table nor by summary that receives a local (or its
   * address). Unless its name says it only uses what it gets (BORROW), such a callee is taken to
   * keep or close it: a hand-off, as for a configured ownership transfer. Reporting the resource
   * as leaked after it was given away is what real code mostly shows to be wrong (the callee
   * registers it in an event loop, stores it in a struct, or closes it on its own).
   */
  private lends(call: Node, name: string): boolean {
    if (borrowsByName(name) || ACQUIRE.has(name) || this.ctx.isNoReturn(name)) return false;
    let format = false;
    for (const a of callArgs(call)) {
      // A format string before it: the callee prints or logs the value (`debug("fd %d", fd)`).
      if (isFormatString(a)) format = true;
      else if (!format && this.holdsLocal(a)) return true;
    }
    return false;
  }

  private holdsLocal(arg: Node): boolean {
    const r = argRef(arg);
    // The variable a key starts from: `fd`, `fds` of `fds[0]`, `c` of `c->fd`, `p` of `*p`.
    const base = /^\**([A-Za-z_]\w*)/.exec(r.key ?? r.prefix ?? '')?.[1];
    return base !== undefined && this.cfg.locals.has(base);
  }

  /**
   * What a hand-off gives away: the arguments before a format string (those after it are printed);
   * a whole local array (`register_pipe(fds)`) gives every element.
   */
  private handedRefs(args: readonly Node[]): Ref[] {
    const refs: Ref[] = [];
    for (const a of args) {
      if (isFormatString(a)) break;
      const r = this.ref(a);
      refs.push(r.key && this.cfg.localArrays.has(r.key) ? { key: null, prefix: `${r.key}[` } : r);
    }
    return refs;
  }

  private assignment(n: Node, ops: Op[], reads: string[]): void {
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    const slot = this.tableSlotIndex(left, false) ?? this.tableSlotIndex(right, true);
    if (slot !== null) ops.push({ op: 'escape', ref: { key: slot, prefix: null } });
    if (n.childForFieldName('operator')?.text !== '=') return;
    if (!left) return;
    const target = this.target(left);
    if (target.kind === 'local' && right) reads.push(...identifiersIn(right));
    if (target.kind === 'local' && isSelfDup(right, target.key)) {
      // `fd = dup(fd)` in a loop reserves descriptor numbers on purpose (the old one stays open,
      // kept): neither is the function's to close.
      ops.push({ op: 'escape', ref: { key: target.key, prefix: null } });
      ops.push({ op: 'bind', target, value: { kind: 'other' }, start: n.startIndex, end: n.endIndex });
      return;
    }
    ops.push({ op: 'bind', target, value: this.valueOf(right, target), start: n.startIndex, end: n.endIndex });
  }

  private initDeclarator(n: Node, ops: Op[], reads: string[]): void {
    const info = declaratorName(n);
    if (!info) return;
    const value = n.childForFieldName('value');
    if (value?.type === 'initializer_list' && info.isArray) {
      const invalid: number[] = [];
      let idx = 0;
      for (let i = 0; i < value.namedChildCount; i++) {
        const e = value.namedChild(i);
        if (!e || e.type === 'comment') continue;
        const c = this.constant(e);
        if (c !== null && c <= 0) invalid.push(idx);
        idx++;
      }
      ops.push({ op: 'initArray', name: info.name, invalid });
      return;
    }
    const slot = this.tableSlotIndex(value, true);
    if (slot !== null) ops.push({ op: 'escape', ref: { key: slot, prefix: null } });
    const target: Target = this.cfg.locals.has(info.name) ? { kind: 'local', key: info.name } : { kind: 'escape' };
    if (target.kind === 'local' && value) reads.push(...identifiersIn(value));
    // A C++ direct-initialisation `T x(args)` is not a copy of the arguments.
    const v: Value = value?.type === 'argument_list' ? { kind: 'other' } : this.valueOf(value, target);
    ops.push({ op: 'bind', target, value: v, start: n.startIndex, end: n.endIndex });
  }

  private valueOf(node: Node | null, target: Target): Value {
    const r = strip(node);
    if (!r) return { kind: 'other' };
    if (r.type === 'assignment_expression') {
      const key = lvalueKey(r.childForFieldName('left'));
      return key ? { kind: 'var', key } : { kind: 'other' };
    }
    if (r.type === 'call_expression') {
      const name = calleeName(r);
      if (name && ACQUIRE.has(name) && fillsStandardSlots(r)) return { kind: 'other' };
      if (name === 'signalfd') {
        // signalfd(2): a new descriptor only for the first argument -1; else the result is that same descriptor (its mask updated).
        const first = strip(callArgs(r)[0] ?? null);
        if (!first || this.constant(first) !== -1) {
          if (!first || (first.type === 'identifier' && !this.cfg.locals.has(first.text))) return { kind: 'other' };
          const key = lvalueKey(first);
          return key ? { kind: 'var', key } : { kind: 'other' };
        }
      }
      if (name && ACQUIRE.has(name)) return { kind: 'acquire', ...this.site(r, name, target.kind === 'local' ? target.key : null) };
      if (name && ACQUIRE_PAIR.has(name)) return { kind: 'status', start: r.startIndex };
      // A project function may be an acquiring wrapper: its summary says (else this is `other`).
      if (name && !RELEASE.has(name) && !BORROW.has(name)) return { kind: 'result', name, start: r.startIndex, end: r.endIndex };
      return { kind: 'other' };
    }
    if (r.type === 'initializer_list' || r.type === 'compound_literal_expression') return { kind: 'aggregate', keys: aggregateKeys(r) };
    const c = this.constant(r);
    if (c !== null) return c <= 0 ? { kind: 'invalid' } : { kind: 'other' };
    // A global, a parameter's copy or a macro (`STDIN_FILENO`): a value the function does not own.
    if (r.type === 'identifier' && !this.cfg.locals.has(r.text)) return { kind: 'other' };
    // A copy of a tracked struct (`*out = file`) takes its fields.
    const fields = r.type === 'identifier' ? this.structFields.get(r.text) : undefined;
    if (fields) return { kind: 'aggregate', keys: [...fields] };
    const key = lvalueKey(r);
    return key ? { kind: 'var', key } : { kind: 'other' };
  }

  /** Where an assignment stores: a tracked local, storage that outlives the function, or something untracked. */
  private target(lhs: Node): Target {
    const n = strip(lhs);
    if (!n) return { kind: 'ignore' };
    switch (n.type) {
      case 'identifier':
        return this.cfg.locals.has(n.text) ? { kind: 'local', key: n.text } : { kind: 'escape' };
      case 'subscript_expression': {
        const { base, literalIndex } = subscriptParts(n);
        if (base && this.cfg.localArrays.has(base)) {
          const key = lvalueKey(n);
          if (literalIndex && key) return { kind: 'local', key };
          // `socks[num_socks++] = sock`: the array keeps it (collected to be used or closed after
          // the loop), which the analysis does not follow element by element: handed over.
          return { kind: 'escape' };
        }
        return { kind: 'escape' };
      }
      case 'field_expression': {
        const base = this.structFields.size ? this.structOf(n) : null;
        const key = base && this.structFields.has(base) ? lvalueKey(n) : null;
        return key ? { kind: 'local', key } : { kind: 'escape' };
      }
      case 'pointer_expression':
        return { kind: 'escape' };
      default:
        return { kind: 'ignore' };
    }
  }

  private call(call: Node, ops: Op[]): void {
    const name = calleeName(call);
    const args = callArgs(call);
    if (!name) {
      // Through a function pointer or a method (`lev->cb(lev, fd, …)`): a callback owns what it is given.
      if (args.some((a) => this.holdsLocal(a))) ops.push({ op: 'transfer', refs: this.handedRefs(args) });
      return;
    }
    if (COPY_INTO.has(name)) {
      // `memcpy(l->socks, socks, n)`: the descriptors are now held where the function keeps them, as `l->socks[0] = socks[0]` would be.
      if (args[0] && args[1] && this.outlives(args[0])) {
        const r = this.ref(args[1]);
        ops.push({ op: 'escape', ref: r.key && this.cfg.localArrays.has(r.key) ? { key: null, prefix: `${r.key}[` } : r });
      }
      return;
    }
    if (RELEASE.has(name)) ops.push({ op: 'release', ref: argRef(args[0]) });
    else if (ADOPT_FIRST_ARG.has(name)) ops.push({ op: 'escape', ref: this.ref(args[0]) });
    else if (ACQUIRE_PAIR.has(name)) {
      // Descriptors that fill the standard slots on purpose are not acquired for the function.
      if (fillsStandardSlots(call)) return;
      const a = strip(args[ACQUIRE_PAIR.get(name)!] ?? null);
      const base = a && a.type === 'identifier' && this.cfg.localArrays.has(a.text) ? a.text : null;
      ops.push({ op: 'pair', ...this.site(call, name, null), base });
    } else if (this.ctx.ownershipTransfers.has(name)) ops.push({ op: 'transfer', refs: args.map((a) => this.ref(a)) });
    else if (!ACQUIRE.has(name) && !DUP_ONTO.has(name)) {
      // The callee's summary (same file or workspace) decides; without one, its name does.
      const otherwise = closesByName(name) ? 'release' : this.lends(call, name) ? 'handoff' : 'borrow';
      ops.push({ op: 'summary', name, refs: otherwise === 'release' ? args.map((a) => this.ref(a)) : this.handedRefs(args), otherwise, at: call.startIndex });
    }
  }

  /**
   * The local `fd` of a slot `T[fd]` of a table that outlives the function (`outlives`: reached through a
   * pointer, a field or a variable of the file; not a local array), when the expression writes that slot
   * (`T[fd] = …`, `T[fd].state = …`, `T[fd]->flags = …`: `addressed` false, `e` an assignment's left side) or
   * takes its address (`&T[fd]`, `&T[fd].conn`: `addressed` true, an assigned or initialising value); else null.
   *
   * A table indexed by descriptor number is how event-driven C code keeps its connections (lwan's
   * `conns[fd]`, redis's `eventLoop->events[fd]`, poll and select loops' per-fd state): the slot is the
   * record of the descriptor, and the program finds it again by its number (`fd = conn - conns`) to serve
   * and to close it. A function that fills in, or hands out the address of, its descriptor's slot in such a
   * table has registered the descriptor there: from then on it is the table's, as if stored in a field.
   * Only reading the slot (`if (conns[fd].busy)`) registers nothing, and neither does a slot of a local array
   * (it dies with the function).
   */
  private tableSlotIndex(e: Node | null, addressed: boolean): string | null {
    let n = strip(e);
    if (addressed) {
      if (n?.type !== 'pointer_expression' || n.child(0)?.type !== '&') return null;
      n = strip(n.childForFieldName('argument'));
    }
    for (let depth = 0; n?.type === 'field_expression' && depth < 16; depth++) n = strip(n.childForFieldName('argument'));
    if (n?.type !== 'subscript_expression') return null;
    const idx = strip(n.childForFieldName('index'));
    if (idx?.type !== 'identifier' || !this.cfg.locals.has(idx.text)) return null;
    return this.outlives(n) ? idx.text : null;
  }

  /**
   * Is `dst` (a copy's destination, `&` aside) storage that outlives the function: reached through a pointer
   * (`l->socks`, `*out`, `p[i]` of a pointer) or a variable of the file or a static one, not an automatic value (`msg.fds`, `buf`)?
   */
  private outlives(dst: Node): boolean {
    let n = strip(dst);
    if (n?.type === 'pointer_expression' && n.child(0)?.type === '&') n = strip(n.childForFieldName('argument'));
    for (let depth = 0; n && depth < 16; depth++) {
      // Not an automatic variable: a variable of the file or a static one.
      if (n.type === 'identifier') return !this.cfg.locals.has(n.text);
      if (n.type === 'pointer_expression') return n.child(0)?.type === '*';
      // A pointer a call returns (`sblist_item_from_index(l, pos)`): it can point into this function's own
      // storage only if the call was given that storage (`&buf`, a local array, `buf.items`): else it is storage the callee reaches.
      if (n.type === 'call_expression') return callArgs(n).every((a) => !this.ownStorage(a));
      if (n.type === 'field_expression') {
        if (n.childForFieldName('operator')?.type === '->') return true;
        n = strip(n.childForFieldName('argument'));
      } else if (n.type === 'subscript_expression') {
        const base = strip(n.childForFieldName('argument'));
        if (base?.type === 'identifier' && this.cfg.locals.has(base.text) && !this.cfg.localArrays.has(base.text)) return true;
        n = base;
      } else return false;
    }
    return false;
  }

  /** Does the argument give away this function's own automatic storage: `&x` or `x.f` of a local, a local array? */
  private ownStorage(arg: Node): boolean {
    let n = strip(arg);
    if (n?.type === 'pointer_expression' && n.child(0)?.type === '&') n = strip(n.childForFieldName('argument'));
    else if (!(n?.type === 'identifier' && this.cfg.localArrays.has(n.text))) {
      // Any other value (a pointer, a number) is not the address of automatic storage, unless it names a local's member array.
      if (n?.type !== 'field_expression' || n.childForFieldName('operator')?.type !== '.') return false;
    }
    for (let depth = 0; n && depth < 16; depth++) {
      if (n.type === 'identifier') return this.cfg.locals.has(n.text) && !this.cfg.params.includes(n.text);
      if (n.type === 'field_expression') {
        if (n.childForFieldName('operator')?.type === '->') return false;
        n = strip(n.childForFieldName('argument'));
      } else if (n.type === 'subscript_expression') n = strip(n.childForFieldName('argument'));
      else return false;
    }
    return false;
  }

  /** What an acquiring call produces: a Winsock SOCKET when the variable is declared so. */
  private site(call: Node, name: string, key: string | null): AcquireSite {
    let resource: string = ACQUIRE.get(name) ?? 'fd';
    const base = key?.replace(/\[.*$/, '');
    if (resource === 'fd' && base && /\bSOCKET\b/.test(this.cfg.declarations.get(base)?.type ?? '')) resource = 'socket';
    return { start: call.startIndex, end: call.endIndex, call: name, resource, validity: validityOf(resource) };
  }

  private returnedRefs(expr: Node): Ref[] {
    const refs: Ref[] = [];
    const stack: Node[] = [expr];
    while (stack.length) {
      const n = strip(stack.pop()!);
      if (!n) continue;
      if (n.type === 'conditional_expression') {
        for (const f of ['consequence', 'alternative']) {
          const c = n.childForFieldName(f);
          if (c) stack.push(c);
        }
        continue;
      }
      if (n.type === 'initializer_list' || n.type === 'compound_literal_expression') {
        for (const key of aggregateKeys(n)) refs.push({ key, prefix: null });
        continue;
      }
      // C++ `return std::move(fd);`
      if (n.type === 'call_expression' && calleeName(n) === 'move') {
        const a = callArgs(n)[0];
        if (a) stack.push(a);
        continue;
      }
      if (n.type === 'identifier' && this.structFields.has(n.text)) {
        refs.push({ key: null, prefix: `${n.text}.` });
        continue;
      }
      const key = lvalueKey(n);
      if (key) refs.push({ key, prefix: null });
    }
    return refs;
  }

  /**
   * `if (out != NULL) *out = f;` with `out` a parameter: an optional out-parameter. A caller that
   * passes NULL declines the resource (it asked for no capture); one that passes a pointer gets it.
   * Either way the function hands it over when it reaches the test.
   */
  private optionalOut(ifNode: Node, ops: Op[]): void {
    const cond = strip(ifNode.childForFieldName('condition'));
    if (!cond) return;
    let param: string | null = null;
    if (cond.type === 'identifier') param = cond.text;
    else if (cond.type === 'binary_expression' && cond.childForFieldName('operator')?.type === '!=') {
      const l = strip(cond.childForFieldName('left'));
      const r = strip(cond.childForFieldName('right'));
      if (l?.type === 'identifier' && r && this.constant(r) === 0) param = l.text;
      else if (r?.type === 'identifier' && l && this.constant(l) === 0) param = r.text;
    }
    if (!param || !this.cfg.params.includes(param)) return;
    const body = ifNode.childForFieldName('consequence');
    if (!body) return;
    const stmts = body.type === 'compound_statement' ? body.namedChildren : [body];
    for (const st of stmts) {
      if (st?.type !== 'expression_statement') continue;
      const a = strip(st.firstNamedChild);
      if (a?.type !== 'assignment_expression' || a.childForFieldName('operator')?.text !== '=') continue;
      const left = strip(a.childForFieldName('left'));
      const target = left?.type === 'pointer_expression' && left.child(0)?.type === '*' ? strip(left.childForFieldName('argument')) : null;
      const value = strip(a.childForFieldName('right'));
      if (target?.type === 'identifier' && target.text === param && value?.type === 'identifier' && this.cfg.locals.has(value.text) && !this.cfg.params.includes(value.text)) {
        ops.push({ op: 'escape', ref: { key: value.text, prefix: null } });
      }
    }
  }

  // ------------------------------------------------------------ facts (engine/facts.ts)

  /**
   * What each node does to the plain values that correlate branches: a local never address-taken
   * (`good`, `ai`), or a pure call over such locals (`strcmp(path, "-")`), kept only when the
   * function tests it twice or assigns it a constant and tests it. Null when there is none.
   */
  private factPrograms(fn: Node, sites: readonly EffectSite[]): (FactProgram | undefined)[] | null {
    const nodes = this.cfg.nodes;
    const ids = new Map<string, readonly string[]>();
    const tests = nodes.map((n) => (n.kind === 'cond' && n.ast ? this.factTest(n.ast, 0, ids) : null));
    if (!ids.size) return null;
    const volatile = new Set<string>();
    const writes: Set<string>[] = nodes.map(() => new Set());
    const sets: { key: string; c: number }[][] = nodes.map(() => []);
    const shifts: { key: string; by: number }[][] = nodes.map(() => []);
    // A followed field (`V.f`) is changed by a change of `V.f` or of `V` (a field of another name is other storage).
    const fields = [...ids.keys()].some((k) => /^[A-Za-z_]\w*\.[A-Za-z_]\w*$/.test(k));
    const write = (name: string | undefined, at: Node) => {
      if (!name || !(this.followed(name) || (fields && this.ctx.globals?.isVariable(name.split('.')[0]!)))) return;
      const o = this.ownerOf(at.startIndex, at.endIndex);
      if (o === null) volatile.add(name);
      else writes[o.id]!.add(name);
    };
    for (const n of fn.descendantsOfType(fields ? ['pointer_expression', 'update_expression', 'assignment_expression'] : ['pointer_expression', 'update_expression'])) {
      if (!n) continue;
      const arg = strip(n.childForFieldName(n.type === 'assignment_expression' ? 'left' : 'argument'));
      if (fields && arg && this.fileRooted(arg)) {
        // `V.f = …`, `V.f |= …`, `V.f++`, `&V`, `&V.f` (given to a function the file does not define, else V.f is not followed): a change of what it names.
        if (n.type !== 'pointer_expression' || n.child(0)?.type === '&') write(shortFieldPath(arg), n);
        continue;
      }
      if (n.type === 'assignment_expression' || arg?.type !== 'identifier') continue;
      if (n.type === 'update_expression') {
        write(arg.text, n);
        // `n--;` as its node's whole statement: the value moves by one (a known range moves with it).
        const o = this.ownerOf(n.startIndex, n.endIndex);
        if (o && this.wholeEffect(o, n.startIndex) && this.followed(arg.text)) shifts[o.id]!.push({ key: arg.text, by: n.text.includes('++') ? 1 : -1 });
      } else if (n.child(0)?.type === '&') {
        // `&x` given to a standard function that writes it during the call only (`getaddrinfo(…, &res)`):
        // a change at that call (derefFacts.ts); any other address taken may change it anywhere.
        if (outParamArgument(n)) write(arg.text, n);
        else volatile.add(arg.text);
      }
    }
    // Any assignment changes its variable (`x |= …` too), and a call changes the globals its callee may assign.
    for (const w of this.ctx.globals ? this.fnWrites(fn) : []) write(w.text, w);
    for (const e of sites) {
      if (e.kind === 'assign') {
        const left = strip(e.node.childForFieldName('left'));
        const field = fields && left?.type === 'field_expression' ? this.followedField(left) : null;
        if (field !== null) {
          // `V.f = 0;` as its node's whole statement: the value is known from there.
          const c = this.constant(e.node.childForFieldName('right') ?? e.node);
          const o = c === null ? null : this.ownerOf(e.node.startIndex, e.node.endIndex);
          if (o && c !== null && this.wholeEffect(o, e.node.startIndex)) sets[o.id]!.push({ key: field, c });
          continue;
        }
        if (left?.type !== 'identifier') continue;
        write(left.text, e.node);
        const c = e.node.childForFieldName('operator')?.text === '=' ? this.constant(e.node.childForFieldName('right') ?? e.node) : null;
        const sym = c === null && e.node.childForFieldName('operator')?.text === '=' ? this.symbol(e.node.childForFieldName('right')) : null;
        const o = c === null && sym === null ? null : this.ownerOf(e.node.startIndex, e.node.endIndex);
        // Only an assignment that is its node's whole statement surely ran when the node did.
        if (o && this.wholeEffect(o, e.node.startIndex)) sets[o.id]!.push(c !== null ? { key: left.text, c } : { key: symbolKey(left.text, sym!), c: 1 });
      } else if (e.kind === 'call' && this.ctx.globals) {
        for (const g of this.ctx.globals.writtenBy(e.callee)) if (!this.cfg.locals.has(g)) write(g, e.node);
        if (fields) for (const g of this.ctx.globals.fieldsChangedBy(e.callee)) if (!this.cfg.locals.has(g.split('.')[0]!)) write(g, e.node);
      }
      if (e.kind === 'call' && !(e.callee && (PURE_CALLS.has(e.callee) || ACQUIRE.has(e.callee) || DUP_ONTO.has(e.callee) || RELEASE.has(e.callee)))) {
        // A call may change what it is given (a macro, an out-parameter); not what follows a format
        // string, nor what opening or closing a resource is given (a path, a descriptor).
        for (const a of callArgs(e.node)) {
          if (isFormatString(a)) break;
          const r = strip(a);
          if (r?.type === 'identifier') write(r.text, e.node);
          else if (fields && r && this.fileRooted(r)) write(shortFieldPath(r), e.node);
        }
      }
    }
    nodes.forEach((n, id) => {
      if (n.ast?.type !== 'declaration' || n.kind === 'scope') return;
      for (const d of n.ast.childrenForFieldName('declarator')) {
        const name = declaratorName(d)?.name;
        if (!d || !name) continue;
        writes[id]!.add(name);
        const c = d.type === 'init_declarator' ? this.constant(d.childForFieldName('value') ?? d) : null;
        const sym = d.type === 'init_declarator' && c === null ? this.symbol(d.childForFieldName('value')) : null;
        if (c !== null && n.kind === 'effect') sets[id]!.push({ key: name, c });
        else if (sym !== null && n.kind === 'effect') sets[id]!.push({ key: symbolKey(name, sym), c: 1 });
      }
    });
    // The pointers each node surely dereferences: not NULL after it (derefFacts.ts).
    const derefs = nodes.map((n) => ((n.kind === 'cond' || n.kind === 'effect') && n.ast ? surelyDereferenced(n.ast).filter((x) => this.followed(x)) : []));
    return factPrograms({ tests, ids, volatile, writes, sets, shifts, derefs });
  }

  /**
   * The CFG node whose syntax encloses the range (not a scope or end node), or null. The nodes' ranges
   * do not overlap; they are read once per function (each offset is a call into the parser's wasm).
   */
  private ownerOf(start: number, end: number): Owner | null {
    if (!this.owners) {
      const owners = this.cfg.nodes
        .map((n, id) => ({ n, id }))
        .filter(({ n }) => n.ast && n.kind !== 'scope' && n.kind !== 'end')
        .map(({ n, id }): Owner => ({ start: n.ast!.startIndex, end: n.ast!.endIndex, id, stmt: n.kind === 'effect' && n.ast!.type === 'expression_statement' }))
        .sort((a, b) => a.start - b.start);
      this.owners = { owners, starts: owners.map((o) => o.start) };
    }
    const o = this.owners.owners[lastAtOrBefore(this.owners.starts, start)];
    return o && end <= o.end ? o : null;
  }

  private owners: { readonly owners: readonly Owner[]; readonly starts: readonly number[] } | undefined;

  /**
   * Is the syntax starting at `start` the whole statement of the effect node `o` (so it surely ran when
   * the node did): the node's syntax itself, or the expression of its expression statement?
   */
  private wholeEffect(o: Owner, start: number): boolean {
    const node = this.cfg.nodes[o.id]!;
    return node.kind === 'effect' && (o.start === start || (o.stmt && strip(node.ast!.firstNamedChild)?.startIndex === start));
  }

  /** A condition over followable values (`ids` gets each key's variables). */
  private factTest(cond: Node, depth: number, ids: Map<string, readonly string[]>): FactTest {
    const e = strip(cond);
    if (!e || depth > MAX_GUARD_DEPTH) return NO_FACT;
    const c = this.shape(e);
    switch (c?.s) {
      // `flags & MASK` tested as a value (see maskCmp).
      case undefined: return e.type === 'binary_expression' && e.childForFieldName('operator')?.type === '&' ? this.factCmp(e, '!=', 0, ids) : NO_FACT;
      case 'not': return { f: 'not', a: this.factTest(c.arg, depth + 1, ids) };
      case 'hint': return this.factTest(c.arg, depth + 1, ids);
      case '&&': case '||': return { f: c.s === '&&' ? 'and' : 'or', a: this.factTest(c.l, depth + 1, ids), b: this.factTest(c.r, depth + 1, ids) };
      case 'rel':
        if (c.rc !== null && c.lc === null) return this.factCmp(c.l, c.op, c.rc, ids);
        if (c.lc !== null && c.rc === null) return this.factCmp(c.r, MIRROR[c.op], c.lc, ids);
        if (c.lc === null && c.rc === null && (c.op === '==' || c.op === '!=')) return this.symbolCmp(c.l, c.r, c.op, ids) ?? this.symbolCmp(c.r, c.l, c.op, ids) ?? NO_FACT;
        return NO_FACT;
      case 'test':
        if (c.value !== null) return this.factCmp(c.arg, c.rel, c.value, ids);
        return c.rel === '==' || c.rel === '!=' ? this.namedSymbolCmp(c.arg, c.name!, c.rel, ids) ?? NO_FACT : NO_FACT;
      case 'value': return this.factCmp(e, '!=', 0, ids);
    }
  }

  /**
   * How a condition (stripped of parentheses) is built, as the guard and the fact test both read it:
   * `!a`; a branch-prediction hint (`unlikely(fd == -1)`, `__builtin_expect(!!(fd < 0), 0)`), whose
   * first argument is the condition; `a && b`, `a || b`; a comparison, with the constant value of each
   * side; else a value tested against 0. Null when it says nothing (a missing operand, another operator).
   */
  private shape(e: Node): Shape | null {
    if (e.type === 'unary_expression' && e.child(0)?.type === '!') {
      const arg = e.childForFieldName('argument');
      return arg ? { s: 'not', arg } : null;
    }
    if (e.type === 'call_expression' && this.ctx.macros.hints.has(calleeName(e) ?? '')) {
      const arg = callArgs(e)[0];
      return arg ? { s: 'hint', arg } : null;
    }
    if (e.type === 'call_expression') {
      const test = this.validityCall(e);
      if (test) return test;
    }
    if (e.type !== 'binary_expression') return { s: 'value' };
    const op = e.childForFieldName('operator')?.type ?? '';
    const l = e.childForFieldName('left');
    const r = e.childForFieldName('right');
    if (!l || !r) return null;
    if (op === '&&' || op === '||') return { s: op, l, r };
    if (!isRel(op)) return null;
    return { s: 'rel', op, l, r, lc: this.constant(l), rc: this.constant(r) };
  }


  private factCmp(subject: Node, rel: Rel, c: number, ids: Map<string, readonly string[]>): FactTest {
    let n = strip(subject);
    let assigned = false;
    if (n?.type === 'assignment_expression' && n.childForFieldName('operator')?.text === '=') {
      n = strip(n.childForFieldName('left'));
      assigned = true;
    }
    if (!n) return NO_FACT;
    let key: string | null = null;
    let names: string[] = [];
    const field = n.type === 'field_expression' ? this.followedField(n) : null;
    if (n.type === 'identifier' && this.followed(n.text)) {
      key = n.text;
      names = [n.text];
    } else if (field !== null) {
      key = field;
      names = [field, field.split('.')[0]!];
    } else if (n.type === 'call_expression' && !assigned && PURE_CALLS.has(calleeName(n) ?? '')) {
      // `strcmp(path, "-")`: over locals and literals only.
      const args = callArgs(n).map((a) => strip(a));
      if (!args.length || !args.every((a) => a && (a.type === 'string_literal' || a.type === 'number_literal' || (a.type === 'identifier' && this.followed(a.text))))) return NO_FACT;
      names = args.filter((a) => a!.type === 'identifier').map((a) => a!.text);
      key = `${calleeName(n)}(${args.map((a) => a!.text).join(',')})`;
    } else if (!assigned && n.type === 'binary_expression' && n.childForFieldName('operator')?.type === '&') {
      return this.maskCmp(n, rel, c, ids);
    }
    if (key === null) return NO_FACT;
    ids.set(key, names);
    return { f: 'cmp', key, rel, c, ...(assigned ? { assigned } : {}) };
  }

  /**
   * `flags & MASK` compared with 0 (or tested as a value): a fact on the key `flags&MASK`, with
   * `flags` a followed variable and `MASK` a constant (a number or a constant's name), so that
   * `if (flags & JOB_PTY) … else socketpair(…)` and a later `if (flags & JOB_PTY)` take the same
   * side while `flags` is not assigned in between. `~flags & MASK` is `(flags & MASK) == 0` only for
   * a mask of one bit, so it is followed only when the mask's value is known to be a power of two.
   * Other comparisons (`(flags & 3) == 2`) are not followed.
   */
  private maskCmp(n: Node, rel: Rel, c: number, ids: Map<string, readonly string[]>): FactTest {
    if (c !== 0 || (rel !== '==' && rel !== '!=')) return NO_FACT;
    for (const [x, m] of [[n.childForFieldName('left'), n.childForFieldName('right')], [n.childForFieldName('right'), n.childForFieldName('left')]]) {
      let v = strip(x ?? null);
      const mask = strip(m ?? null);
      if (!v || !mask) continue;
      let inverted = false;
      if (v.type === 'unary_expression' && v.child(0)?.type === '~') {
        v = strip(v.childForFieldName('argument'));
        inverted = true;
      }
      if (v?.type !== 'identifier' || !this.followed(v.text)) continue;
      const value = this.constant(mask) ?? (mask.type === 'identifier' ? this.ctx.macros.constants.get(`&${mask.text}`) ?? null : null);
      const name = mask.type === 'identifier' ? this.symbol(mask) : value === null ? null : String(value);
      if (name === null) continue;
      if (inverted && (value === null || value <= 0 || (value & (value - 1)) !== 0)) return NO_FACT;
      const key = `${v.text}&${name}`;
      ids.set(key, [v.text]);
      // `~x & M` (one bit) is non-zero exactly when `x & M` is zero.
      return { f: 'cmp', key, rel: inverted ? (rel === '==' ? '!=' : '==') : rel, c: 0 };
    }
    return NO_FACT;
  }

  /**
   * `x == NAME` / `x != NAME` with `NAME` a constant whose value the analysis does not know (a macro
   * of a system header, an enumerator): a fact on the key `x==NAME`, 1 where it holds. Two such
   * names may have one value, so knowing one says nothing of another.
   */
  private symbolCmp(subject: Node, other: Node, op: '==' | '!=', ids: Map<string, readonly string[]>): FactTest | null {
    const x = strip(subject);
    const sym = this.symbol(other);
    if (x?.type !== 'identifier' || sym === null || !this.followed(x.text)) return null;
    const key = symbolKey(x.text, sym);
    ids.set(key, [x.text]);
    return { f: 'cmp', key, rel: op === '==' ? '!=' : '==', c: 0 };
  }

  /**
   * A call of a function that is a validity test of a parameter (validityTests.ts: `socket_defined(fd)`,
   * whose body is `return sd != SOCKET_UNDEFINED;`), as that test written on its argument: its constant's
   * value where this file or the workspace defines it, else its name (no variable here). Null otherwise.
   */
  private validityCall(e: Node): Shape | null {
    const name = calleeName(e);
    const t = name ? this.ctx.validityTest?.(name) : undefined;
    if (!t) return null;
    const arg = callArgs(e)[t.param];
    if (!arg) return null;
    if (t.value !== null) return { s: 'test', arg, rel: t.rel, value: t.value, name: null };
    const n = t.name!;
    if (this.cfg.locals.has(n) || this.ctx.globals?.isVariable(n)) return null;
    // As the test written out reads the name (`guard`'s `rel` case): an invalid-descriptor constant's value, else the name.
    const value = this.ctx.macros.constants.get(n) ?? null;
    if (value !== null) return { s: 'test', arg, rel: t.rel, value, name: null };
    const int = this.ctx.macros.constants.get(`=${n}`);
    return { s: 'test', arg, rel: t.rel, value: null, name: n, ...(int !== undefined ? { int } : {}) };
  }

  /** `symbolCmp` of `x` against a constant's name (a validity test's): a fact on `x==NAME`. */
  private namedSymbolCmp(subject: Node, name: string, op: '==' | '!=', ids: Map<string, readonly string[]>): FactTest | null {
    const x = strip(subject);
    if (x?.type !== 'identifier' || !this.followed(x.text)) return null;
    const key = symbolKey(x.text, name);
    ids.set(key, [x.text]);
    return { f: 'cmp', key, rel: op === '==' ? '!=' : '==', c: 0 };
  }

  /** A name that stands for a constant of unknown value: written as constants are (`AF_UNIX`), and no variable here. */
  private symbol(n: Node | null): string | null {
    const s = strip(n);
    if (s?.type !== 'identifier' || this.cfg.locals.has(s.text) || this.ctx.globals?.isVariable(s.text) || this.ctx.macros.constants.has(s.text)) return null;
    return CONSTANT_NAME.test(s.text) ? s.text : null;
  }

  /** A variable whose value a fact may follow: a local, or a global the file lets the function follow (globals.ts). */
  private followed(name: string): boolean {
    return this.cfg.locals.has(name) || !!this.ctx.globals?.followable(name);
  }

  /**
   * `V.f` (read with `.`) of a file-scope struct variable `V` the function does not declare, whose
   * field the file lets it follow (FileGlobals.fieldFollowable): its key `V.f`, else null.
   */
  private followedField(n: Node): string | null {
    if (n.childForFieldName('operator')?.text !== '.') return null;
    const root = strip(n.childForFieldName('argument'));
    const field = n.childForFieldName('field');
    if (root?.type !== 'identifier' || field?.type !== 'field_identifier' || this.cfg.locals.has(root.text)) return null;
    return this.ctx.globals?.fieldFollowable(root.text, field.text) ? `${root.text}.${field.text}` : null;
  }

  /** Is `n` a variable of the file, or a path into one (`V.f`, `V.f.g[i]`), that the function does not declare? */
  private fileRooted(n: Node): boolean {
    let r: Node | null = n;
    while (r && (r.type === 'field_expression' || r.type === 'subscript_expression')) r = strip(r.childForFieldName('argument'));
    return r?.type === 'identifier' && !this.cfg.locals.has(r.text) && !!this.ctx.globals?.isVariable(r.text);
  }

  /** The variables the function assigns (any operator) or steps, as the file scan found them. */
  private fnWrites(fn: Node): readonly Node[] {
    return this.ctx.globals?.writesOf(fn) ?? [];
  }

  // ------------------------------------------------------------ guards

  private guard(cond: Node, depth: number): Guard {
    if (depth > MAX_GUARD_DEPTH) return NONE;
    const e = strip(cond);
    if (!e) return NONE;
    if (e.type === 'declaration') {
      // C++ `if (FILE *f = fopen(...))`: the declared variable's truthiness.
      const info = declaratorName(e.childForFieldName('declarator'));
      return info ? { g: 'cmp', subject: { kind: 'key', key: info.name }, rel: '!=', c: 0 } : NONE;
    }
    const c = this.shape(e);
    switch (c?.s) {
      case undefined: return NONE;
      case 'not': return { g: 'not', a: this.guard(c.arg, depth + 1) };
      case 'hint': return this.guard(c.arg, depth + 1);
      case '&&': case '||': return { g: c.s === '&&' ? 'and' : 'or', a: this.guard(c.l, depth + 1), b: this.guard(c.r, depth + 1), bAcquires: acquisitionsIn(c.r) };
      case 'rel': {
        const { l, op, r, lc, rc } = c;
        const std = this.standardTest(l, op, r, lc, rc);
        if (std) return std;
        if (rc !== null && lc === null) return this.compare(l, op, rc);
        if (lc !== null && rc === null) return this.compare(r, MIRROR[op], lc);
        if (lc !== null || rc !== null) return NONE;
        // A call's result against a constant the workspace defines (`f(&s) != MOSQ_ERR_SUCCESS`): its status, if it is one.
        const lv = this.intValue(l);
        const rv = this.intValue(r);
        if (rv !== null && lv === null && strip(l)?.type === 'call_expression') return this.compare(l, op, rv);
        if (lv !== null && rv === null && strip(r)?.type === 'call_expression') return this.compare(r, MIRROR[op], lv);
        if (op !== '==' && op !== '!=') return NONE;
        const same = this.same(l, r, op);
        if (same.g !== 'same') return same;
        const value = same.constant === 'b' ? rv : same.constant === 'a' ? lv : null;
        return value === null ? same : { ...same, value };
      }
      case 'test': {
        if (c.value !== null) return this.standardOf(c.arg, c.rel, c.value) ?? this.compare(c.arg, c.rel, c.value);
        if (c.rel !== '==' && c.rel !== '!=') return NONE;
        const a = variableKey(c.arg);
        const b = c.name!;
        return a && a !== b ? { g: 'same', a, b, rel: c.rel, standard: isStandard(b) ? 'b' : null, constant: 'b', ...(c.int !== undefined ? { value: c.int } : {}) } : NONE;
      }
      case 'value': return this.compare(e, '!=', 0);
    }
  }


  /**
   * `fd > 2`, `fd > STDERR_FILENO`, `fd >= 3` (and their negations `fd <= 2`, `fd < 3`): code that
   * keeps descriptors 0-2 on purpose as the standard streams (`open("/dev/null")` then `dup2` onto
   * them, closing the descriptor only when it is not one of them). Where the test says the
   * descriptor is 0, 1 or 2, it is a standard stream now, not one the function must close: the
   * guard is lowered as `fd == STDERR_FILENO` (a standard descriptor), true on that side.
   */
  private standardTest(l: Node, op: Rel, r: Node, lc: number | null, rc: number | null): Guard | null {
    let subject: Node = l;
    let rel: Rel = op;
    let c = rc ?? (isStandardFdName(r) ? 2 : null);
    if (c === null) {
      subject = r;
      rel = MIRROR[op];
      c = lc ?? (isStandardFdName(l) ? 2 : null);
    }
    if (c === null) return null;
    return this.standardOf(subject, rel, c);
  }

  /** `standardTest` of `subject rel c`, the constant's value known. */
  private standardOf(subject: Node, rel: Rel, c: number): Guard | null {
    // The descriptor is above the standard ones on the true side (`>`) or on the false side (`<=`).
    const above = (rel === '>' && c === 2) || (rel === '>=' && c === 3) ? true : (rel === '<=' && c === 2) || (rel === '<' && c === 3) ? false : null;
    if (above === null) return null;
    const key = variableKey(subject);
    if (!key) return null;
    const isStd: Guard = { g: 'same', a: key, b: 'STDERR_FILENO', rel: '==', standard: 'b' };
    return above ? { g: 'not', a: isStd } : isStd;
  }

  /** A constant, also one of the file's own macros (`#define BAD_SOCKET -1`), or a cast one (`(ngx_socket_t) -1`). */
  private constant(n: Node): number | null {
    const c = constantValue(n);
    if (c !== null) return c;
    const s = strip(n);
    // `(T) -1` with T a type the grammar does not know reads as `(T) - 1`: T is no variable here.
    if (s?.type === 'binary_expression' && s.childForFieldName('operator')?.type === '-') {
      const l = s.childForFieldName('left');
      const inner = l?.type === 'parenthesized_expression' ? strip(l) : null;
      const v = constantValue(s.childForFieldName('right'));
      if (inner?.type === 'identifier' && !this.cfg.locals.has(inner.text) && v !== null && s.childForFieldName('right')?.type === 'number_literal') return -v;
    }
    if (s?.type === 'identifier') return this.ctx.macros.constants.get(s.text) ?? null;
    if (s?.type === 'unary_expression' && s.child(0)?.type === '-') {
      const a = strip(s.childForFieldName('argument'));
      const v = a?.type === 'identifier' ? this.ctx.macros.constants.get(a.text) : undefined;
      return v === undefined ? null : -v;
    }
    return null;
  }

  /**
   * An integer constant of any sign: as `constant` reads one, or a macro or enumerator of the file or
   * the workspace (`MOSQ_ERR_SUCCESS`, `-ERR_IO`) that is no variable here; else null.
   */
  private intValue(n: Node): number | null {
    const c = this.constant(n);
    if (c !== null) return c;
    let s = strip(n);
    let sign = 1;
    if (s?.type === 'unary_expression' && s.child(0)?.type === '-') {
      s = strip(s.childForFieldName('argument'));
      sign = -1;
    }
    if (s?.type !== 'identifier' || this.cfg.locals.has(s.text) || this.ctx.globals?.isVariable(s.text)) return null;
    const v = this.ctx.macros.constants.get(`=${s.text}`);
    return v === undefined ? null : sign * v;
  }

  private same(l: Node, r: Node, rel: '==' | '!='): Guard {
    // `(s = wrapper(...)) == ANET_ERR` compares what was assigned.
    const assigned = (n: Node) => (strip(n)?.type === 'assignment_expression' ? strip(n)!.childForFieldName('left') ?? n : n);
    const a = variableKey(assigned(l));
    const b = variableKey(assigned(r));
    if (!a || !b || a === b) return NONE;
    const standard = isStandard(b) ? 'b' : isStandard(a) ? 'a' : null;
    const constant = !this.cfg.locals.has(b) && !b.includes('[') ? 'b' : !this.cfg.locals.has(a) && !a.includes('[') ? 'a' : null;
    return { g: 'same', a, b, rel, standard, constant };
  }

  private compare(subjectNode: Node, rel: Rel, c: number): Guard {
    const subject = this.subject(strip(subjectNode));
    return subject ? { g: 'cmp', subject, rel, c } : NONE;
  }

  private subject(e: Node | null): Subject | null {
    if (!e) return null;
    if (e.type === 'assignment_expression') {
      const right = strip(e.childForFieldName('right'));
      if (right?.type === 'call_expression' && ACQUIRE_PAIR.has(calleeName(right) ?? '')) return { kind: 'pair', start: right.startIndex };
      const key = lvalueKey(e.childForFieldName('left'));
      return key ? { kind: 'key', key } : null;
    }
    if (e.type === 'call_expression') {
      // A pair acquisition's status, or a project call whose summary makes its result a status (`anetListen(...) == ANET_ERR`).
      const name = calleeName(e);
      return name && (ACQUIRE_PAIR.has(name) || (!ACQUIRE.has(name) && !RELEASE.has(name))) ? { kind: 'pair', start: e.startIndex } : null;
    }
    if (e.type === 'subscript_expression') {
      const { base, literalIndex } = subscriptParts(e);
      if (base && !literalIndex && this.cfg.localArrays.has(base) && insideLoop(e)) return { kind: 'elements', prefix: `${base}[` };
    }
    const key = lvalueKey(e);
    return key ? { kind: 'key', key } : null;
  }
}

/** Is the expression inside a loop of its function? */
function insideLoop(n: Node): boolean {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'for_statement' || p.type === 'while_statement' || p.type === 'do_statement') return true;
    if (p.type === 'function_definition' || p.type === 'lambda_expression') return false;
  }
  return false;
}

/** Copies of memory from the second argument into the first (`memcpy(dst, src, n)`). */
const COPY_INTO: ReadonlySet<string> = new Set(['memcpy', 'memmove']);

/** Calls that change nothing and whose result depends only on their arguments' values. */
const PURE_CALLS: ReadonlySet<string> = new Set(['strcmp', 'strncmp', 'strcasecmp', 'strncasecmp', 'memcmp', 'strlen', 'strchr', 'strrchr', 'strstr']);

/** How constants are written in C: capitals, digits and underscores, with a letter (`AF_UNIX`, `MODE_2`). */
const CONSTANT_NAME = /^(?=[A-Z0-9_]*[A-Z])[A-Z_][A-Z0-9_]*$/;

/** The fact key of `x == NAME` (no variable has such a name). */
function symbolKey(x: string, name: string): string {
  return `${x}==${name}`;
}

/** `dup(key)` (the value assigned to `key` duplicates `key` itself). */
function isSelfDup(right: Node | null, key: string): boolean {
  const r = strip(right);
  return r?.type === 'call_expression' && calleeName(r) === 'dup' && lvalueKey(callArgs(r)[0] ?? null) === key;
}

/** The key of a plain variable or literal-index element (`out`, `stdout`, `fds[1]`), or null. */
function variableKey(node: Node): string | null {
  const n = strip(node);
  if (!n) return null;
  if (n.type === 'identifier') return n.text;
  return n.type === 'subscript_expression' && subscriptParts(n).literalIndex ? lvalueKey(n) : null;
}

/** A string literal (or adjacent literals) containing a `%` conversion. */
function isFormatString(arg: Node): boolean {
  const n = strip(arg);
  return !!n && (n.type === 'string_literal' || n.type === 'concatenated_string') && n.text.includes('%');
}

/** `fd`, `&fd`, `(int)fd` name `fd`; `fds[i]` with a non-constant index names every element of `fds`. */
function argRef(arg: Node | undefined): Ref {
  let n = strip(arg ?? null);
  if (n && n.type === 'pointer_expression' && n.child(0)?.type === '&') n = strip(n.childForFieldName('argument'));
  if (!n) return { key: null, prefix: null };
  if (n.type === 'subscript_expression') {
    const { base, literalIndex } = subscriptParts(n);
    if (base && !literalIndex) return { key: null, prefix: `${base}[` };
  }
  return { key: lvalueKey(n), prefix: null };
}

/** The locations stored into an initializer list (`{ .fd = fd }`), which then own them. */
function aggregateKeys(list: Node): string[] {
  const keys: string[] = [];
  const stack: Node[] = [list];
  let budget = 10000;
  while (stack.length && budget-- > 0) {
    const n = stack.pop()!;
    if (n.type === 'initializer_pair') {
      const v = n.childForFieldName('value');
      if (v) stack.push(v);
      continue;
    }
    if (n.type === 'initializer_list' || n.type === 'compound_literal_expression') {
      for (let i = 0; i < n.namedChildCount; i++) {
        const c = n.namedChild(i);
        if (c) stack.push(c);
      }
      continue;
    }
    const key = lvalueKey(n);
    if (key) keys.push(key);
  }
  return keys;
}

function isStandardFdName(n: Node): boolean {
  const s = strip(n);
  return s?.type === 'identifier' && s.text === 'STDERR_FILENO';
}

function isStandard(name: string): boolean {
  return STANDARD_FDS.has(name) || STANDARD_STREAMS.has(name);
}

function irKind(node: CfgNode): IrNodeKind {
  switch (node.kind) {
    case 'return': case 'throw': case 'end': return 'exit';
    default: return node.kind;
  }
}

function exitOf(node: CfgNode): Exit | null {
  const e = node.exit;
  if (!e) return null;
  const n = e.node;
  const atBrace = e.kind === 'end' || e.kind === 'block';
  return { kind: e.kind, start: atBrace ? n.endIndex - 1 : n.startIndex, end: n.endIndex, id: `${e.kind}:${n.startIndex}:${n.endIndex}` };
}

/** The identifiers an expression reads (one wasm call). */
function identifiersIn(expr: Node): string[] {
  if (expr.type === 'identifier') return [expr.text];
  return [...new Set(expr.descendantsOfType('identifier').map((n) => n.text))];
}

/** Offsets of the acquiring calls inside an expression (one wasm call for the calls). */
function acquisitionsIn(expr: Node): number[] {
  const calls = expr.type === 'call_expression' ? [expr] : expr.descendantsOfType('call_expression');
  const out: number[] = [];
  for (const c of calls) {
    if (!c) continue;
    const name = calleeName(c);
    // Any other named call may be a project's acquiring wrapper: its offset is harmless when it is not.
    if (name && !RELEASE.has(name)) out.push(c.startIndex);
  }
  return out;
}

/** What a change of a path into a variable changes, as followed fields are keyed: `V`, or `V.f` for `V.f`, `V.f.g`, `V.f->g`, `V.f[i]`. */
function shortFieldPath(n: Node): string {
  const p = fieldPath(n);
  const cut = p.search(/->|\[/);
  const head = cut < 0 ? p : p.slice(0, cut);
  const parts = head.split('.');
  return parts.length > 2 ? `${parts[0]}.${parts[1]}` : head;
}
