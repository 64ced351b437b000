import { FunctionAnalysis, type Summary, type SummaryProvider } from '../../engine/analysis';
import type { FunctionIr } from '../../ir/ir';
import { ACQUIRE, ADOPT_FIRST_ARG, RELEASE } from './names';

/**
 * Function summaries across a C/C++ workspace: what a function does with each parameter (releases it
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
   * For a function: the names it calls, and whether it calls an acquiring library function itself.
   * A function that does neither (directly or through its callees) cannot return a new resource,
   * which is known without analysing anything (`mayAcquire`).
   */
  readonly calls?: readonly string[];
  readonly acquires?: boolean;
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
  /** The summary of a library function the language's tables know (a macro's target), if any. */
  tableSummary?(name: string): Summary | undefined;
}

/** Rounds a recursive function is re-analysed before its summary is given up. */
const MAX_ROUNDS = 6;
/** Function analyses one query may run (deeply recursive call graphs): past it, no summary. */
const MAX_WORK = 20_000;
/** Callers open at once (each an analysis waiting for a callee): deeper callees get no summary (a hand-off). */
const MAX_DEPTH = 40;
/** Definitions of one name in different files that are compared before giving up (no summary). */
const MAX_CANDIDATES = 8;

/** Call-graph depth `mayAcquire` follows (past it: maybe). */
const MAX_ACQUIRE_DEPTH = 64;

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
  return `${bits(s.releases)}|${bits(s.escapes)}|${bits(s.releasesOnFailure)}|${r}|${s.mayThrow ? 't' : ''}`;
}

/** Summaries cached per unit, shared by every resolver over the same workspace. */
export class SummaryStore {
  readonly cache = new WeakMap<FunctionUnit, Cached>();
  readonly mayAcquire = new WeakMap<FunctionUnit, { version: string; value: boolean | 'busy' }>();
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
  mayAcquire(name: string, file: string, depth = 0): boolean {
    if (tableSummary(name)?.returns) return true;
    if (depth > MAX_ACQUIRE_DEPTH) return true;
    const version = this.source.version;
    for (const u of this.source.candidates(name, file)) {
      const memo = this.store.mayAcquire.get(u);
      if (memo?.version === version) {
        // A recursive call back into a unit being looked at: maybe (its summary will tell).
        if (memo.value) return true;
        continue;
      }
      this.store.mayAcquire.set(u, { version, value: 'busy' });
      const value = u.macro ? this.mayAcquire(u.macro.target, u.file, depth + 1)
        : !!u.acquires || (u.calls ?? []).some((c) => c !== name && this.mayAcquire(c, u.file, depth + 1));
      this.store.mayAcquire.set(u, { version, value });
      if (value) return true;
    }
    return false;
  }

  private resolveInner(name: string, file: string): Summary | undefined {
    const units = this.source.candidates(name, file);
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
    if (low >= depth) this.store.cache.set(u, { summary: result, deps, checked: version });
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
      if (final) this.store.cache.set(u, { summary: t.summary, deps: t.deps, checked: version });
    }
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
      if (this.onStack.size && this.source.candidates(name, u.file).some((c) => this.onStack.has(c))) return false;
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
    args.forEach((k, j) => {
      if (k === null) return;
      releases[k] ||= !!t.releases[j];
      escapes[k] ||= !!t.escapes[j];
      onFailure[k] ||= !!t.releasesOnFailure?.[j];
    });
    return {
      releases, escapes, mayThrow: t.mayThrow,
      ...(t.returns ? { returns: t.returns } : {}),
      ...(onFailure.some((x) => x) ? { releasesOnFailure: onFailure } : {}),
    };
  }
}

/** What a library function of the C tables does, as a summary (for macros that call one). */
export function tableSummary(name: string): Summary | undefined {
  if (RELEASE.has(name)) return { releases: [true], escapes: [false] };
  const kind = ACQUIRE.get(name);
  if (kind) {
    const validity = kind === 'file' || kind === 'popen' ? 'pointer' : 'int';
    return { releases: [], escapes: ADOPT_FIRST_ARG.has(name) ? [true] : [], returns: { resource: kind, validity, call: name } };
  }
  return undefined;
}
