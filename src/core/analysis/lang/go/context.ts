import type { Node } from 'web-tree-sitter';
import { FunctionAnalysis, NO_SUMMARY, type Summary, type SummaryProvider } from '../../engine/analysis';
import { joinCandidates } from '../../engine/candidates';
import { NestingLimit } from '../../ir/builder';
import { firstKid } from '../../syntax';
import { buildCfg, type FunctionCfg } from './cfg';
import { GoLowering, type GoLowerContext, type LoweredFunction } from './lower';
import { aliasesFirstArgument, borrowsByName, isCleanupRegistrar, isNoReturn, methodAcquisitionKind, methodUse, packageFunctionUse, packageAcquisitionKind, resourceKindOf, type ArgumentUse, type Imports, type ResourceKind } from './names';
import { answersHead } from './headRequest';
import type { GoTypes, ResultType } from './types';
import { callArgs, callee, unparen } from './syntax';

const MAX_SUMMARY_DEPTH = 16;

/** Builtin functions: none keeps what it is given (`append` is followed as a value). */
const BUILTINS: ReadonlySet<string> = new Set(['append', 'cap', 'clear', 'close', 'complex', 'copy', 'delete', 'imag', 'len', 'make', 'max', 'min', 'new', 'panic', 'print', 'println', 'real', 'recover']);

/**
 * What all functions of one Go file share: imports, the same-file functions and methods (a call to
 * one is analysed through its engine summary), the configured ownership transfers, caches and the
 * time budget.
 */
export class GoFileContext implements GoLowerContext, SummaryProvider {
  private readonly functions = new Map<string, Node[]>();
  private readonly methods = new Map<string, Node[]>();
  private readonly cfgs = new Map<number, FunctionCfg>();
  private readonly lowered = new Map<string, LoweredFunction>();
  private readonly summaries = new Map<string, Summary | 'busy'>();
  private readonly consumedMemo = new Map<string, boolean | 'busy'>();
  /** Summaries nest through calls: past a few levels, assume nothing. */
  private readonly nesting = new NestingLimit(MAX_SUMMARY_DEPTH);
  timedOut = false;

  constructor(
    readonly types: GoTypes,
    readonly imports: Imports,
    readonly transfers: ReadonlySet<string>,
    functions: readonly Node[],
    readonly deadline: number | undefined,
  ) {
    for (const fn of functions) {
      const name = fn.childForFieldName('name')?.text;
      if (!name) continue;
      const map = fn.type === 'method_declaration' ? this.methods : fn.type === 'function_declaration' ? this.functions : null;
      if (!map) continue;
      const list = map.get(name) ?? [];
      list.push(fn);
      map.set(name, list);
    }
  }

  cfg(fn: Node): FunctionCfg {
    let c = this.cfgs.get(fn.id);
    if (!c) this.cfgs.set(fn.id, (c = buildCfg(fn, (stmt) => this.isNoReturnStatement(stmt))));
    return c;
  }

  /**
   * The function lowered to the IR, once per file. With `captured`, that variable of an enclosing
   * function (used by a function literal) is an extra last parameter, for the literal's summary.
   */
  lower(fn: Node, captured: string | null = null): LoweredFunction {
    const key = `${fn.id}:${captured ?? ''}`;
    let l = this.lowered.get(key);
    if (!l) this.lowered.set(key, (l = new GoLowering(this.cfg(fn), this, captured).lower()));
    return l;
  }

  isNoReturnStatement(stmt: Node): boolean {
    const call = unparen(firstKid(stmt));
    if (!call || call.type !== 'call_expression') return false;
    const c = callee(call, this.imports);
    if (!c.name) return false;
    return isNoReturn(c.pkg, c.operand !== null && c.pkg === undefined, c.name);
  }

  /** The name under which `summary` finds a call's same-file candidates (`f`, or every method `m` for `x.m()`), or null. */
  summaryName(call: Node): string | null {
    const c = callee(call, this.imports);
    if (!c.name || (c.operand && c.pkg !== undefined)) return null;
    const name = c.operand ? `.${c.name}` : c.name;
    if (this.candidates(name)) return name;
    // Another file's function or method: its parameters are kept unless its body only uses them.
    const other = this.types.elsewhere(call);
    if (!other?.borrowed) return null;
    const key = `@${other.key}`;
    const borrowed = other.borrowed;
    if (!this.summaries.has(key)) this.summaries.set(key, { releases: borrowed.map(() => false), escapes: borrowed.map((b) => !b) });
    return key;
  }

  /** The same-file functions (`f`) or methods (`.m`) of a name. */
  definitions(name: string): readonly Node[] {
    return this.candidates(name) ?? [];
  }

  private candidates(name: string): Node[] | null {
    const list = name.startsWith('.') ? this.methods.get(name.slice(1)) : this.functions.get(name);
    return list && list.length ? list : null;
  }

  /** The same-file functions a call may run (all methods of that name for `x.m(...)`, or the literal itself), or null. */
  targets(call: Node): Node[] | null {
    const f = unparen(call.childForFieldName('function'));
    if (f?.type === 'func_literal') return [f];
    const name = this.summaryName(call);
    return name ? this.candidates(name) : null;
  }

  /**
   * The summary of the candidates of a call (engine/candidates.ts), or of another file's function
   * (`@key`, see summaryName).
   */
  summary(name: string): Summary | undefined {
    if (name.startsWith('@')) {
      const s = this.summaries.get(name);
      return s === 'busy' ? NO_SUMMARY : s;
    }
    const fns = this.candidates(name);
    if (!fns) return undefined;
    const memo = this.summaries.get(name);
    if (memo === 'busy') return NO_SUMMARY; // recursion: assume nothing
    if (memo) return memo;
    this.summaries.set(name, 'busy');
    let result: Summary = NO_SUMMARY;
    try {
      // `readBody(resp)` closing the body only when the read succeeds hands it on (see joinCandidates).
      result = joinCandidates(fns.map((fn) => this.paramSummary(fn, null)));
    } finally {
      this.summaries.set(name, result);
    }
    return result;
  }

  private paramSummary(fn: Node, captured: string | null): Summary {
    return this.nesting.nest(() => this.runSummary(fn, captured), () => NO_SUMMARY);
  }

  private runSummary(fn: Node, captured: string | null): Summary {
    const analysis = new FunctionAnalysis(this.lower(fn, captured).ir, this, 'summary', this.deadline);
    analysis.run();
    return analysis.complete ? analysis.summary() : NO_SUMMARY;
  }

  /** Does `fn` close or hand on its parameter `index` (or, with `captured`, that captured variable) on every path? */
  consumes(fn: Node, index: number, captured: string | null = null): boolean {
    const key = `${fn.id}:${index}:${captured ?? ''}`;
    const memo = this.consumedMemo.get(key);
    if (memo !== undefined) return memo === true;
    this.consumedMemo.set(key, 'busy');
    let result = false;
    try {
      const s = this.paramSummary(fn, captured);
      const i = captured !== null ? s.releases.length - 1 : index;
      result = i >= 0 && (!!s.releases[i] || !!s.escapes[i]);
    } finally {
      this.consumedMemo.set(key, result);
    }
    return result;
  }

  /**
   * Classifies `x, err := <call>` by the callee's type, never by its name alone: a standard package
   * function (`net.Dial`, `os.Open`, `http.Get`), a method of a standard type on a receiver whose
   * declared type is known (`ln.Accept()` on a `net.Listener`, `client.Do` on an `*http.Client`),
   * or a function or method of this package, or of a workspace package the file imports, declared to
   * return `(resource, error)` (see GoTypes.declaredResults). Null otherwise, and for a response to a
   * HEAD request, which has no body (see answersHead).
   */
  acquisition(call: Node): ResourceKind | null {
    const c = callee(call, this.imports);
    if (!c.name) return null;
    let known: ResourceKind | null = null;
    if (c.operand && c.pkg !== undefined && c.operand.type === 'identifier' && this.types.isPackage(c.operand)) {
      known = packageAcquisitionKind(c.pkg, c.name);
      if (known && answersHead(call, c.pkg, null, c.name, this.types, this.imports)) return null;
    } else if (c.operand) {
      const recv = this.types.typeOf(c.operand);
      if (recv && recv.pkg !== '') known = methodAcquisitionKind(recv, c.name, callArgs(call).length);
      if (known && answersHead(call, undefined, recv, c.name, this.types, this.imports)) return null;
    }
    return known ?? resourceResult(this.types.declaredResults(call));
  }

  /**
   * What a call does with the resources given to it as arguments. Configured transfers and the
   * standard owners own them, standard wrappers keep them, other standard functions and methods
   * of standard types leave them alone. Functions of this file are analysed through their
   * summaries ('neutral' here). Any other callee (another package's, another file's, a function
   * value) may keep what it is given ('unknown': handed over) unless its name says it only uses it
   * (`WriteMsg`, `SetDeadline`, `Warnf`). `t.Cleanup(func)` registers a function run at the end
   * of a test ('cleanup').
   */
  argumentUse(call: Node): ArgumentUse | 'unknown' | 'cleanup' {
    if (this.isTransfer(call)) return 'owns';
    const f = unparen(call.childForFieldName('function'));
    if (!f || f.type === 'func_literal') return 'neutral';
    const c = callee(call, this.imports);
    if (!c.name) return 'unknown';
    if (!c.operand) {
      if (this.types.declaration(c.name, f) !== null) return 'unknown'; // a function value
      if (BUILTINS.has(c.name) || this.functions.has(c.name)) return 'neutral';
      return this.unseenUse(call, c.name);
    }
    // A function or method of a package of the module whose body only uses every argument it is given leaves
    // them alone; otherwise what is known of any other package's callee decides (its name, below).
    if (this.types.importedBorrowedBy(call)?.every((b) => b)) return 'neutral';
    if (c.pkg !== undefined && c.operand.type === 'identifier' && this.types.isPackage(c.operand)) {
      return packageFunctionUse(c.pkg, c.name) ?? (borrowsByName(c.name) ? 'neutral' : 'unknown');
    }
    const recv = this.types.typeOf(c.operand);
    if (isCleanupRegistrar(recv, c.name)) return 'cleanup';
    if (recv && recv.pkg !== '') {
      const use = methodUse(recv, c.name);
      if (use) return use;
    }
    if (this.summaryName(call)) return 'neutral';
    return this.unseenUse(call, c.name);
  }

  /**
   * A callee not of this file: another file's function or method does with each argument what its body
   * does, whatever its name; any other one only uses what it is given when its name says so.
   */
  private unseenUse(call: Node, name: string): 'neutral' | 'unknown' {
    const other = this.types.elsewhere(call);
    if (other) return other.borrowed?.some((b) => b) ? 'neutral' : 'unknown';
    return borrowsByName(name) ? 'neutral' : 'unknown';
  }

  /** Is the call a standard wrapper whose result holds and closes its first argument (`tls.Client(conn, cfg)`)? */
  aliasesFirstArgument(call: Node): boolean {
    if (this.isTransfer(call)) return false;
    const c = callee(call, this.imports);
    return !!c.name && c.pkg !== undefined && c.operand?.type === 'identifier' && this.types.isPackage(c.operand) && aliasesFirstArgument(c.pkg, c.name);
  }

  isTransfer(call: Node): boolean {
    const c = callee(call, this.imports);
    return this.transfers.has(c.text) || (c.name !== null && this.transfers.has(c.name));
  }
}

/** The resource kind of declared results `(resource, error)`, or null for any other shape. */
function resourceResult(results: readonly ResultType[] | null): ResourceKind | null {
  return results?.length === 2 && results[1]!.error ? resourceKindOf(results[0]!.type) : null;
}

/** Cheap pre-check: does the body (outside nested function literals) call anything that acquires? */
export function hasAcquisition(ctx: GoFileContext, fn: Node): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  for (const call of body.descendantsOfType('call_expression')) {
    if (!call || !ctx.acquisition(call)) continue;
    let p = call.parent;
    while (p && p.id !== fn.id && p.type !== 'func_literal') p = p.parent;
    if (p && p.id === fn.id) return true;
  }
  return false;
}
