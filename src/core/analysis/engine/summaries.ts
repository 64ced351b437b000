import { createHash } from 'crypto';
import { FunctionAnalysis, type ReleaseSplit, type Summary, type SummaryProvider } from './analysis';
import type { FunctionIr } from '../ir/ir';

/**
 * Function summaries across a workspace (the C/C++ front end's workspace index and file overlay feed it): what a function does with each parameter (releases it
 * on every path, releases it exactly when it fails, hands it to an owner) and whether it returns a
 * resource it acquired. A function's summary is computed by the one engine (FunctionAnalysis in
 * 'summary' mode) over its IR, asking this resolver for its callees' summaries, so summaries compose
 * across files. Recursion is iterated to a fixed point (at most MAX_ROUNDS rounds; a cycle that does
 * not settle has no summary, and a call to it is then a hand-off). Each summary is cached with the
 * summaries of the callees it used: after an edit anywhere, a cached summary is re-checked against
 * its callees' current summaries and recomputed only when one of them changed.
 */

/** A function (or a macro standing for one) the resolver can summarise. */
export interface FunctionUnit {
  /** Simple name (`Curl_closesocket`, `method` of `A::method`). */
  readonly name: string;
  /** The file defining it (a workspace path, or any stable key). */
  readonly file: string;
  /** Callable from other files: not `static`, or defined in a header. */
  readonly visible: boolean;
  /** The lowered body, for a function. */
  readonly ir?: FunctionIr;
  /**
   * For a function: an IR with at least the ops `returnSources` reads, the same as `ir`'s (a cheaper
   * lowering where `ir` is not lowered yet: most units are lowered only for `mayReturn`). Absent: `ir`.
   */
  readonly returnIr?: FunctionIr;
  /**
   * For a function: the names it calls, and whether it calls an acquiring library function itself.
   * A function that does neither (directly or through its callees) cannot return a new resource,
   * which is known without analysing anything (`mayAcquire`).
   */
  readonly calls?: readonly string[];
  readonly acquires?: boolean;
  /**
   * The names its lowering may give its calls besides `calls` (a callee the file scan leaves unnamed):
   * with `calls`, every name whose summary its own can depend on (`mayRelease`). A function unit
   * without `calls` may release anything.
   */
  readonly lowered?: readonly string[];
  /**
   * A macro that calls another function (`#define sclose(x) close(x)`, `#define ngx_socket socket`):
   * `target`'s summary, with the macro's parameter k in the target's argument positions `args[j] === k`.
   */
  readonly macro?: { readonly target: string; readonly args: readonly (number | null)[] };
}

/** Where the units come from: a workspace index, possibly with one file's current text laid over it. */
export interface UnitSource {
  /** Changes whenever any unit changes (a cached summary checked at this version is still right). */
  readonly version: string;
  /**
   * The units a call of `name` from `file` may reach: the file's own definition alone when it has one,
   * else every visible definition in other files.
   */
  candidates(name: string, file: string): readonly FunctionUnit[];
  /** The summary of a library function the language's tables know (a macro's target, a call that acquires), if any. */
  tableSummary?(name: string): Summary | undefined;
}

/**
 * Marks a dependency on `mayReturn`'s answer (no function name starts with it) among the names a summary or a
 * cached result depends on: MAY_RETURN + name stands for "a call of name returns no new resource".
 */
export const MAY_RETURN = '?';

/** Rounds a recursive function is re-analysed before its summary is given up. */
const MAX_ROUNDS = 6;
/** Function analyses one query may run (deeply recursive call graphs): past it, no summary. */
const MAX_WORK = 20_000;
/** Callers open at once (each an analysis waiting for a callee): deeper callees get no summary (a hand-off). */
const MAX_DEPTH = 40;
/** Definitions of one name in different files that are compared before giving up (no summary). */
const MAX_CANDIDATES = 8;


interface Cached {
  readonly summary: Summary | undefined;
  /** The callee names this summary used, with the fingerprint of the summary each had. */
  readonly deps: readonly (readonly [string, string])[];
  checked: string;
}

/** A summary's identity for cache keys (undefined: no summary). */
export function fingerprint(s: Summary | undefined): string {
  if (!s) return '-';
  const bits = (a: readonly boolean[] | undefined) => (a ?? []).map((b) => (b ? '1' : '0')).join('');
  const r = s.returns ? `${s.returns.resource}/${s.returns.validity}` : '';
  const split = (s.releaseSplit ?? []).map((x) => (x ? `${x.released.join(',')}/${x.kept.join(',')}` : '')).join(';');
  return `${bits(s.releases)}|${bits(s.escapes)}|${bits(s.releasesOnFailure)}|${r}|${s.mayThrow ? 't' : ''}|${bits(s.releasesSometimes)}|${split}`;
}

/** Summaries kept by content (SummaryStore.byContent) at most: the oldest are dropped past it. */
const MAX_BY_CONTENT = 50_000;

/**
 * Summaries cached per unit, shared by every resolver over the same workspace; and the final ones also
 * by what decides them (`contentKey`: the unit's file, name and lowered IR), so that another unit of the
 * same function (the same definition in another build configuration of its file, in the text after
 * macro rewrites, or as the index reads it) starts from that summary. Like a unit's own cached summary,
 * it is used only once the summaries of the callees it used are checked again in the resolver's view.
 */
export class SummaryStore {
  readonly cache = new WeakMap<FunctionUnit, Cached>();
  readonly mayAcquire = new WeakMap<FunctionUnit, { version: string; value: boolean }>();
  readonly mayReturn = new WeakMap<FunctionUnit, { version: string; value: boolean }>();
  readonly mayRelease = new WeakMap<FunctionUnit, { version: string; value: boolean }>();
  readonly returnSources = new WeakMap<FunctionUnit, ReturnSources>();
  private readonly byContent = new Map<string, Cached>();
  private readonly keys = new WeakMap<FunctionUnit, string | null>();

  constructor(private readonly maxByContent = MAX_BY_CONTENT) {}

  /** The final summary of a unit with the same content as `u`, if one was computed. */
  sameContent(u: FunctionUnit): Cached | undefined {
    const key = this.contentKey(u);
    return key === null ? undefined : this.byContent.get(key);
  }

  /** Caches a final summary of `u` (by unit, and by content unless `byContent` is false). */
  set(u: FunctionUnit, cached: Cached, byContent = true): void {
    this.cache.set(u, cached);
    const key = byContent ? this.contentKey(u) : null;
    if (key === null) return;
    this.byContent.delete(key);
    this.byContent.set(key, cached);
    if (this.byContent.size > this.maxByContent) {
      const oldest = this.byContent.keys().next().value;
      if (oldest !== undefined) this.byContent.delete(oldest);
    }
  }

  /** Summaries kept by content (tests). */
  get contentSize(): number {
    return this.byContent.size;
  }

  /**
   * What a function unit's summary is computed from besides its callees' summaries: its file (calls are
   * resolved from there), its name and its IR as lowered, offsets included. Null for a macro, or a unit
   * that cannot be lowered.
   */
  private contentKey(u: FunctionUnit): string | null {
    let key = this.keys.get(u);
    if (key !== undefined) return key;
    key = null;
    if (!u.macro) {
      try {
        const ir = u.ir;
        const text = ir ? irText(ir) : null;
        if (text !== null) key = createHash('sha1').update(u.file).update('\0').update(u.name).update('\0').update(text).digest('base64');
      } catch {
        key = null;
      }
    }
    this.keys.set(u, key);
    return key;
  }
}

/** The IR as text (sets as their members in order); null when it holds anything but plain data. */
function irText(ir: FunctionIr): string | null {
  let plain = true;
  const text = JSON.stringify(ir, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') plain = false;
      return v;
    }
    if (Array.isArray(v)) return v;
    if (v instanceof Set) return { set: [...(v as Set<unknown>)] };
    if (v instanceof Map) return { map: [...(v as Map<unknown, unknown>)] };
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) plain = false;
    return v;
  });
  return plain ? text : null;
}

export class SummaryResolver {
  private readonly stack: FunctionUnit[] = [];
  private readonly onStack = new Map<FunctionUnit, number>();
  /** Current approximation of each function being iterated (a recursive call sees this). */
  private readonly approx = new Map<FunctionUnit, Summary | undefined>();
  /** Lowest stack depth the running computation used an approximation from. */
  private low = Infinity;
  /**
   * Summaries computed in the current round of an open recursion (they used the approximation of a
   * function still on the stack, the one at depth `low`): reused for the rest of that round instead of
   * being recomputed from every caller (which is exponential in the depth of the cycle), dropped when
   * that function starts another round, and made final when it settles.
   */
  private readonly tentative = new Map<FunctionUnit, { readonly summary: Summary | undefined; readonly deps: readonly (readonly [string, string])[]; readonly low: number }>();
  private work = 0;
  /** Cached summaries being re-checked and functions being analysed, nested (bounds the JavaScript stack). */
  private nesting = 0;
  /** Analyses run by this resolver (tests, benchmarks). */
  analyses = 0;

  constructor(
    private readonly source: UnitSource,
    private readonly store = new SummaryStore(),
    private readonly deadline?: number,
  ) {}

  /** The provider the engine asks while analysing a function of `file`. */
  forFile(file: string): SummaryProvider {
    return { summary: (name) => this.resolve(name, file) };
  }

  /** The summary of a call of `name` from `file`, or undefined (no definition, or definitions that disagree). */
  resolve(name: string, file: string): Summary | undefined {
    if (this.stack.length === 0) {
      this.work = 0;
      this.tentative.clear();
    }
    return this.resolveInner(name, file);
  }

  /**
   * Can a call of `name` from `file` return a new resource? False only when no function it may reach
   * calls an acquiring library function (or a macro standing for one): its summary then has no
   * `returns`, and it need not be computed to know that.
   */
  mayAcquire(name: string, file: string): boolean {
    return this.reaches(name, file, this.store.mayAcquire, false, (u) => {
      if (u.macro) return [u.macro.target];
      return u.acquires ? true : u.calls ?? [];
    });
  }

  /**
   * Can a call of `name` from `file` return a new resource, as its summary's `returns` would say? False
   * when `mayAcquire` says no, or when in every definition it may reach no value that is returned comes
   * from an acquisition (`returnSources`): the summary then has no `returns`, and it need not be computed.
   */
  mayReturn(name: string, file: string): boolean {
    return this.mayAcquire(name, file) && this.reaches(name, file, this.store.mayReturn, true, (u) => this.returnEdges(u));
  }

  /**
   * Can a call of `name` from `file` release one of its arguments, as its summary's `releases` would say?
   * A parameter is released only by a call of a releasing library function or of a function whose summary
   * releases that argument, or by a call without a summary that the language releases by its name
   * (`releasesByName`, one predicate per resolver: it is remembered per unit). False when no function
   * the call may reach calls any of them: its summary then releases nothing, and need not be computed.
   */
  mayRelease(name: string, file: string, releasesByName: (name: string) => boolean): boolean {
    return this.reaches(name, file, this.store.mayRelease, true, (u) => this.releaseEdges(u),
      (n) => releasesByName(n) || !!this.source.tableSummary?.(n)?.releases.some((r) => r));
  }

  /** True when the unit may release a parameter whatever its callees' summaries, else the names whose summaries decide. */
  private releaseEdges(u: FunctionUnit): true | readonly string[] {
    if (u.macro) {
      // As macroSummary: the table's function, else the target's summary (none for a macro of itself).
      const t = this.source.tableSummary?.(u.macro.target);
      if (t) return t.releases.some((r) => r) ? true : [];
      return u.macro.target !== u.name ? [u.macro.target] : [];
    }
    if (!u.calls) return true;
    return u.lowered?.length ? [...u.calls, ...u.lowered] : u.calls;
  }

  /**
   * Does a call of `name` from `file` reach, along `edges` (a unit's own "yes", or the names it leads
   * to, looked up from its file), a unit that says yes or a library function that returns a resource?
   * A search of that graph, so recursion is no "maybe": a summary gets `returns` only from a real
   * acquisition at the end of such a chain. A "no" holds for every unit the search visited (each is
   * reachable from the query) and is remembered in `memo` for this version of the units; a "yes" holds
   * for the unit that says yes and for every unit on the search's way to it, and is remembered too
   * (a large workspace asks about many callers of the same acquiring chain).
   * `likeResolve`: a name with no definition or too many has no summary (as resolveInner).
   */
  private reaches(
    name: string, file: string, memo: WeakMap<FunctionUnit, { version: string; value: boolean }>, likeResolve: boolean,
    edges: (u: FunctionUnit) => true | readonly string[],
    says: (name: string) => boolean = (n) => !!this.source.tableSummary?.(n)?.returns,
  ): boolean {
    const version = this.source.version;
    const visited = new Set<FunctionUnit>();
    // The unit whose edge led the search to each visited unit (none: the query's own candidates).
    const from = new Map<FunctionUnit, FunctionUnit | undefined>();
    const work: [string, string, FunctionUnit | undefined][] = [[name, file, undefined]];
    // Where a "yes" was found: this unit and every unit the search went through to reach it say yes too.
    let yes: FunctionUnit | undefined;
    let found = false;
    while (work.length && !found) {
      const [n, f, by] = work.pop()!;
      if (says(n)) {
        found = true;
        yes = by;
        break;
      }
      const units = this.candidates(n, f);
      if (likeResolve && units.length > MAX_CANDIDATES) continue;
      for (const u of units) {
        if (visited.has(u)) continue;
        const known = memo.get(u);
        if (known?.version === version) {
          if (known.value) {
            found = true;
            yes = by;
          }
          if (found) break;
          continue;
        }
        visited.add(u);
        from.set(u, by);
        const next = edges(u);
        if (next === true) {
          found = true;
          yes = u;
          break;
        }
        for (const c of next) work.push([c, u.file, u]);
      }
    }
    if (!found) for (const u of visited) memo.set(u, { version, value: false });
    for (let u = yes; u; u = from.get(u)) memo.set(u, { version, value: true });
    return found;
  }

  /** True when the unit returns an acquisition itself, else the names whose results it may return. */
  private returnEdges(u: FunctionUnit): true | readonly string[] {
    if (u.macro) {
      // As macroSummary: the table's function, else the target's summary (none for a macro of itself).
      const t = this.source.tableSummary?.(u.macro.target);
      if (t) return t.returns ? true : [];
      return u.macro.target !== u.name ? [u.macro.target] : [];
    }
    let sources = this.store.returnSources.get(u);
    if (!sources) {
      let ir: FunctionIr | undefined;
      try {
        ir = u.returnIr ?? u.ir;
      } catch {
        return []; // not lowered: no summary
      }
      if (!ir) return [];
      this.store.returnSources.set(u, (sources = returnSources(ir)));
    }
    return sources.direct ? true : sources.results;
  }

  /**
   * The definitions a call of `name` from `file` may reach. Where a function-like macro of that name
   * is one of them, only the macros: the preprocessor replaces the call before a function could be
   * called, so a function of the same name is another build's (`#define ngx_open_file(…) open(…)`
   * for Unix, a function `ngx_open_file` for Windows).
   */
  private candidates(name: string, file: string): readonly FunctionUnit[] {
    const units = this.source.candidates(name, file);
    if (units.length < 2 || !units.some((u) => u.macro)) return units;
    return units.filter((u) => u.macro);
  }

  private resolveInner(name: string, file: string): Summary | undefined {
    const units = this.candidates(name, file);
    if (!units.length || units.length > MAX_CANDIDATES) return undefined;
    let result: Summary | undefined;
    let first = true;
    for (const u of units) {
      const s = this.compute(u);
      if (!s) return undefined;
      if (first) result = s;
      else if (fingerprint(s) !== fingerprint(result)) return undefined;
      first = false;
    }
    return result;
  }

  private compute(u: FunctionUnit): Summary | undefined {
    const version = this.source.version;
    const cached = this.store.cache.get(u);
    // Re-checking a cached summary follows its callees' summaries: past MAX_DEPTH it is taken as it is.
    if (cached && (cached.checked === version || this.nesting >= MAX_DEPTH || this.checked(u, cached))) {
      cached.checked = version;
      return cached.summary;
    }
    // The summary of the same function read elsewhere (another configuration of its file), when the
    // callees it used still have the summaries they had: what analysing this unit would give.
    const same = !cached && this.nesting < MAX_DEPTH && !this.onStack.has(u) && !this.tentative.has(u) ? this.store.sameContent(u) : undefined;
    if (same && this.checked(u, same)) {
      this.store.cache.set(u, { summary: same.summary, deps: same.deps, checked: version });
      return same.summary;
    }
    const at = this.onStack.get(u);
    if (at !== undefined) {
      // A recursive call: the approximation so far (none at first: a hand-off).
      this.low = Math.min(this.low, at);
      return this.approx.get(u);
    }
    const tentative = this.tentative.get(u);
    if (tentative) {
      this.low = Math.min(this.low, tentative.low);
      return tentative.summary;
    }
    if (++this.work > MAX_WORK || this.stack.length >= MAX_DEPTH || this.nesting >= 2 * MAX_DEPTH) return undefined;
    const depth = this.stack.length;
    this.nesting++;
    this.stack.push(u);
    this.onStack.set(u, depth);
    const outerLow = this.low;
    let result: Summary | undefined;
    let deps: (readonly [string, string])[] = [];
    let low = Infinity;
    try {
      for (let round = 0; ; round++) {
        this.low = Infinity;
        ({ summary: result, deps } = this.analyse(u));
        low = this.low;
        if (low !== depth) break; // no recursion through u, or through a caller still open (tentative)
        if (fingerprint(result) === fingerprint(this.approx.get(u)) && this.approx.has(u)) break;
        if (round + 1 >= MAX_ROUNDS) {
          result = undefined; // does not settle: no summary
          this.settle(depth, false);
          break;
        }
        this.settle(depth, false);
        this.approx.set(u, result);
      }
      if (low === depth) this.settle(depth, true);
    } finally {
      this.stack.pop();
      this.nesting--;
      this.onStack.delete(u);
      this.approx.delete(u);
    }
    // Final unless it used the approximation of a function further up the stack (then it is recomputed later).
    if (low >= depth) this.store.set(u, { summary: result, deps, checked: version }, this.inTime());
    else this.tentative.set(u, { summary: result, deps, low });
    this.low = Math.min(outerLow, low < depth ? low : Infinity);
    return result;
  }

  /**
   * The function at `depth` starts another round (its approximation changed, or it gave up): the
   * summaries that used it are dropped; or it settled: they are final.
   */
  private settle(depth: number, final: boolean): void {
    const version = this.source.version;
    for (const [u, t] of this.tentative) {
      if (t.low < depth) continue;
      this.tentative.delete(u);
      if (final) this.store.set(u, { summary: t.summary, deps: t.deps, checked: version }, this.inTime());
    }
  }

  /** The deadline has not passed (a summary computed after it may have been cut short: not shared by content). */
  private inTime(): boolean {
    return this.deadline === undefined || Date.now() <= this.deadline;
  }

  private checked(u: FunctionUnit, cached: Cached): boolean {
    this.nesting++;
    try {
      return this.stillHolds(u, cached);
    } finally {
      this.nesting--;
    }
  }

  /** A cached summary is still right when every callee it used still has the summary it had then. */
  private stillHolds(u: FunctionUnit, cached: Cached): boolean {
    for (const [name, fp] of cached.deps) {
      if (name.startsWith(MAY_RETURN)) {
        if (this.mayReturn(name.slice(MAY_RETURN.length), u.file)) return false;
        continue;
      }
      if (this.onStack.size && this.candidates(name, u.file).some((c) => this.onStack.has(c))) return false;
      if (fingerprint(this.resolveInner(name, u.file)) !== fp) return false;
    }
    return true;
  }

  private analyse(u: FunctionUnit): { summary: Summary | undefined; deps: (readonly [string, string])[] } {
    const deps = new Map<string, string>();
    const provider: SummaryProvider = {
      summary: (name) => {
        const s = this.resolveInner(name, u.file);
        deps.set(name, fingerprint(s));
        return s;
      },
      mayReturn: (name) => {
        const may = this.mayReturn(name, u.file);
        if (!may) deps.set(MAY_RETURN + name, 'no');
        return may;
      },
    };
    if (u.macro) return { summary: this.macroSummary(u, provider), deps: [...deps] };
    let ir: FunctionIr | undefined;
    try {
      ir = u.ir; // lowered on first use (see CFileContext): a function the lowering cannot take has no summary
    } catch {
      return { summary: undefined, deps: [] };
    }
    if (!ir) return { summary: undefined, deps: [] };
    this.analyses++;
    try {
      const analysis = new FunctionAnalysis(ir, provider, 'summary', this.deadline);
      analysis.run();
      return { summary: analysis.complete ? analysis.summary() : undefined, deps: [...deps] };
    } catch {
      return { summary: undefined, deps: [...deps] };
    }
  }

  /** A macro's summary: its target's, with the target's argument positions mapped back to the macro's parameters. */
  private macroSummary(u: FunctionUnit, provider: SummaryProvider): Summary | undefined {
    const { target, args } = u.macro!;
    const t = this.source.tableSummary?.(target) ?? (target === u.name ? undefined : provider.summary(target));
    if (!t) return undefined;
    const n = Math.max(0, ...args.map((a) => (a ?? -1) + 1));
    const releases = new Array<boolean>(n).fill(false);
    const escapes = new Array<boolean>(n).fill(false);
    const onFailure = new Array<boolean>(n).fill(false);
    const sometimes = new Array<boolean>(n).fill(false);
    const split = new Array<ReleaseSplit | null>(n).fill(null);
    args.forEach((k, j) => {
      if (k === null) return;
      releases[k] ||= !!t.releases[j];
      escapes[k] ||= !!t.escapes[j];
      onFailure[k] ||= !!t.releasesOnFailure?.[j];
      sometimes[k] ||= !!t.releasesSometimes?.[j];
      split[k] ??= t.releaseSplit?.[j] ?? null;
    });
    // A macro parameter given to two parameters of the target: its split is not one parameter's.
    args.forEach((k, j) => {
      if (k !== null && args.indexOf(k) !== j) split[k] = null;
    });
    return {
      releases, escapes, mayThrow: t.mayThrow,
      ...(sometimes.some((x) => x) ? { releasesSometimes: sometimes } : {}),
      ...(split.some((x) => x) ? { releaseSplit: split } : {}),
      ...(t.returns ? { returns: t.returns } : {}),
      ...(onFailure.some((x) => x) ? { releasesOnFailure: onFailure } : {}),
    };
  }
}

/**
 * Where the values a function returns may come from, by its IR: `direct` when an acquisition (or a
 * pair of them) may reach a returned location; `results`, the functions whose call results may, each
 * of which makes it return a resource only when its own summary does. The engine gives a summary
 * `returns` only for a token of an acquisition (an `acquire` or `result` bind, a `pair`) held at a
 * `returned` op, and tokens move only by `var` and `join` binds, key to key: followed backwards here
 * from the returned locations, without regard to order or paths (so this may say yes when the summary
 * says no, never the reverse).
 */
export interface ReturnSources {
  readonly direct: boolean;
  readonly results: readonly string[];
}

export function returnSources(ir: FunctionIr): ReturnSources {
  const keys = new Set<string>();
  const prefixes: string[] = [];
  const moves: { readonly target: string; readonly from: readonly string[] }[] = [];
  for (const node of ir.nodes) {
    for (const op of node.program.ops) {
      if (op.op === 'returned') {
        for (const r of op.refs) {
          if (r.key !== null) keys.add(r.key);
          else if (r.prefix !== null) prefixes.push(r.prefix);
        }
      } else if (op.op === 'bind' && op.target.kind === 'local') {
        if (op.value.kind === 'var') moves.push({ target: op.target.key, from: [op.value.key] });
        else if (op.value.kind === 'join') moves.push({ target: op.target.key, from: op.value.keys });
      }
    }
  }
  if (!keys.size && !prefixes.length) return { direct: false, results: [] };
  const reaches = (k: string): boolean => keys.has(k) || prefixes.some((p) => k.startsWith(p));
  // Backwards to a fixed point: a location copied into one that reaches a return reaches it too.
  for (let changed = true; changed;) {
    changed = false;
    for (const m of moves) {
      if (!reaches(m.target)) continue;
      for (const f of m.from) {
        if (!keys.has(f)) {
          keys.add(f);
          changed = true;
        }
      }
    }
  }
  const results = new Set<string>();
  for (const node of ir.nodes) {
    for (const op of node.program.ops) {
      if (op.op === 'pair' && op.base !== null && (reaches(`${op.base}[0]`) || reaches(`${op.base}[1]`))) return { direct: true, results: [] };
      if (op.op !== 'bind' || op.target.kind !== 'local' || !reaches(op.target.key)) continue;
      if (op.value.kind === 'acquire') return { direct: true, results: [] };
      if (op.value.kind === 'result') results.add(op.value.name);
    }
  }
  return { direct: false, results: [...results] };
}

/**
 * The function units of a workspace by name, for a UnitSource: a call reaches its own file's
 * definition when there is one, else every visible definition.
 */
export class UnitTable {
  private readonly byName = new Map<string, FunctionUnit[]>();

  /** Takes out the units `old` (a file's previous ones) and adds `units`. */
  replace(old: readonly FunctionUnit[], units: readonly FunctionUnit[]): void {
    for (const u of old) {
      const list = this.byName.get(u.name);
      if (!list) continue;
      const kept = list.filter((x) => x !== u);
      if (kept.length) this.byName.set(u.name, kept);
      else this.byName.delete(u.name);
    }
    for (const u of units) {
      const list = this.byName.get(u.name);
      if (list) list.push(u);
      else this.byName.set(u.name, [u]);
    }
  }

  candidates(name: string, file: string): readonly FunctionUnit[] {
    const all = this.byName.get(name);
    if (!all) return [];
    const own = all.find((u) => u.file === file);
    return own ? [own] : all.filter((u) => u.visible);
  }

  /** The unit of `name` defined in `file`. */
  unitIn(file: string, name: string): FunctionUnit | undefined {
    return this.byName.get(name)?.find((u) => u.file === file);
  }
}

/**
 * A function unit whose IR is lowered (`lower`) when the resolver first asks for it: most units are only
 * looked at for `mayReturn` (their calls). One the lowering cannot take throws then, every time (the
 * resolver gives it no summary: a call to it is a hand-off). `lowerReturns`: the cheaper lowering of
 * `returnIr`, used while `ir` is not lowered; where it fails, `ir` is lowered (and fails or not as it would).
 */
export function lazyUnit(
  name: string, file: string, visible: boolean, calls: { readonly calls: readonly string[]; readonly acquires: boolean; readonly lowered?: readonly string[] }, lower: () => FunctionIr,
  lowerReturns?: () => FunctionIr,
): FunctionUnit {
  let ir: FunctionIr | undefined;
  let failure: unknown;
  const full = (): FunctionIr => {
    if (failure !== undefined) throw failure;
    if (ir) return ir;
    try {
      return (ir = lower());
    } catch (e) {
      failure = e ?? new Error('lowering failed');
      throw failure;
    }
  };
  return {
    name, file, visible, ...calls,
    get ir(): FunctionIr {
      return full();
    },
    get returnIr(): FunctionIr {
      if (ir || failure !== undefined || !lowerReturns) return full();
      try {
        return lowerReturns();
      } catch {
        return full();
      }
    },
  };
}

/**
 * The summaries one file's analysis asks for, through a resolver. `recording` names those a run asked
 * for, each with its fingerprint then: what a cached result depends on besides its key (engine/reuse.ts
 * checks them again with `key` when it is looked up).
 */
export class FileSummaries implements SummaryProvider {
  private asked: Map<string, string> | undefined;

  constructor(private readonly resolver: SummaryResolver, private readonly file: string) {}

  summary(name: string): Summary | undefined {
    const s = this.resolver.resolve(name, this.file);
    this.asked?.set(name, fingerprint(s));
    return s;
  }

  /** As SummaryResolver.mayReturn; a "no" is recorded as an input (a summary saying so would be). */
  mayReturn(name: string): boolean {
    const may = this.resolver.mayReturn(name, this.file);
    if (!may) this.asked?.set(MAY_RETURN + name, 'no');
    return may;
  }

  /** As mayReturn, not recorded. */
  mayReturnUnrecorded(name: string): boolean {
    return this.resolver.mayReturn(name, this.file);
  }

  /** As SummaryResolver.mayRelease, not recorded (a "no" only spares computing a summary that releases nothing). */
  mayRelease(name: string, releasesByName: (name: string) => boolean): boolean {
    return this.resolver.mayRelease(name, this.file, releasesByName);
  }

  /**
   * What a call of `name` resolves to, for cache keys: changes when its summary does. A name recorded
   * by `mayReturn` (MAY_RETURN and the name): whether it may return a new resource.
   */
  key(name: string): string {
    if (name.startsWith(MAY_RETURN)) return this.resolver.mayReturn(name.slice(MAY_RETURN.length), this.file) ? 'yes' : 'no';
    return fingerprint(this.summary(name));
  }

  /** Runs `run` and names the summaries it asked for, each with its fingerprint then (nested runs add theirs to the outer one). */
  recording<T>(run: () => T): [T, ReadonlyMap<string, string>] {
    const outer = this.asked;
    const asked = new Map<string, string>();
    this.asked = asked;
    try {
      return [run(), asked];
    } finally {
      this.asked = outer;
      if (outer) for (const [k, v] of asked) outer.set(k, v);
    }
  }
}

let views = 0;

/**
 * The units a file's analysis sees: the functions of the file as it is now (an editor's unsaved text,
 * or one build configuration of it) laid over the workspace's units, whose entry for that file may be
 * older. Without a workspace, only the file's own functions; `table` gives the language's library
 * functions where the workspace does not.
 */
export class FileOverlay implements UnitSource {
  readonly version: string;

  constructor(
    private readonly base: UnitSource | null,
    private readonly file: string,
    private readonly own: (name: string) => FunctionUnit | undefined,
    private readonly table: (name: string) => Summary | undefined,
  ) {
    this.version = `${base?.version ?? ''}/${this.file}/${++views}`;
  }

  candidates(name: string, from: string): readonly FunctionUnit[] {
    if (from === this.file) {
      const mine = this.own(name);
      if (mine) return [mine];
      return (this.base?.candidates(name, from) ?? []).filter((u) => u.file !== this.file);
    }
    const others = this.base?.candidates(name, from) ?? [];
    if (others.length === 1 && others[0]!.file === from) return others;
    const out = others.filter((u) => u.file !== this.file);
    const mine = this.own(name);
    if (mine?.visible) out.push(mine);
    return out;
  }

  tableSummary(name: string): Summary | undefined {
    return this.base?.tableSummary?.(name) ?? this.table(name);
  }
}
