import type { AcquireSite, ExceptionOrigin, Exit, FactProgram, FactTest, FunctionIr, Guard, IrNode, Op, Ref, Rel, Target, Validity, Value } from '../ir/ir';
import { solveForward } from './dataflow';
import { NO_FACTS, assume, dropFacts, joinFacts, setFact, shiftFact, testKeys, type Facts } from './facts';
import { cloneState, emptyState, heldElsewhere, joinStates, liveTokens, setsEqual, statesEqual, widenStates, type State } from './state';
export type { State } from './state';
import { FOREIGN, FOREIGN_ONLY, INVALID, INVALID_ONLY, UNSET, ValueTable, hasToken, paramSite, tokensOf, type AbstractValue, type Token, type ValueSet } from './values';

/**
 * The must-close dataflow, one for every language: over a function's IR, which locations may hold
 * which resources at each point; a resource that is live where the last location holding it goes
 * away (an exit, a scope end, an overwrite) leaks. In 'summary' mode each parameter gets a token
 * and the analysis records what the function does with it, for its callers.
 */

/** What a function does with its parameters. */
export interface Summary {
  /** Parameter i is released on every path that returns. */
  readonly releases: readonly boolean[];
  /** Parameter i is stored somewhere that outlives the call, or returned, on some path. */
  readonly escapes: readonly boolean[];
  /** An exception can leave the function (its throw exit is reached). */
  readonly mayThrow?: boolean;
  /**
   * The function returns a resource it acquired itself (or got from a callee that does), on some
   * path: a call to it acquires one (`anetCreateSocket`, `ngx_socket`). What kind, as its own
   * acquisition says; `alwaysValid` is never set (a wrapper may fail and return the invalid value).
   */
  readonly returns?: { readonly resource: string; readonly validity: Validity; readonly call: string } | null;
  /**
   * Parameter i is released on every path that returns a failure constant (negative, e.g. `return
   * ANET_ERR;`) and on no path that returns anything else (`anetListen` closes the socket when it
   * fails): the call's result is then the status of that argument for the caller.
   */
  readonly releasesOnFailure?: readonly boolean[];
  /** Parameter i is released on some path that returns and still open on another (e.g. only on success). */
  readonly releasesSometimes?: readonly boolean[];
  /**
   * For a parameter released on some paths only (`releasesSometimes`, never handed over), when every
   * normal return returns an integer constant and those of the paths that release it (`released`) are
   * none of those of the paths that keep it (`kept`): `net__socket_nonblock(&s)` closes `*sock` and
   * returns MOSQ_ERR_ERRNO, else returns MOSQ_ERR_SUCCESS. A caller's test of the call's result then
   * says on which branch the descriptor was released. Else null: the caller cannot tell, and stays
   * silent about that descriptor after the call.
   */
  readonly releaseSplit?: readonly (ReleaseSplit | null)[];
}

/** The constants a function returns on the paths that release a parameter and on those that keep it (sorted, disjoint). */
export interface ReleaseSplit {
  readonly released: readonly number[];
  readonly kept: readonly number[];
}

export const NO_SUMMARY: Summary = { releases: [], escapes: [] };

export interface SummaryProvider {
  /** Summary of a function the analysis can see, or undefined if there is none. */
  summary(name: string): Summary | undefined;
  /**
   * False when a call of `name` surely returns no new resource (its summary, if any, has no `returns`):
   * where only that matters, the summary is not asked for. Absent: always ask.
   */
  mayReturn?(name: string): boolean;
}

export interface LeakRecord {
  /** The IR node where it leaks (an exit or a scope end). */
  readonly node: number;
  readonly exit: Exit;
  /** On an exceptional path: where the exception that leaks it comes from (reported there); else null. */
  readonly origin: ExceptionOrigin | null;
  readonly variable: string;
  readonly tokens: Set<Token>;
  /** What the variable may hold where it leaks. */
  readonly value: Set<AbstractValue>;
}

export interface OverwriteRecord {
  /** Offsets of the assignment that overwrites the variable. */
  readonly start: number;
  readonly end: number;
  /** The IR node it is on. */
  readonly node: number;
  readonly variable: string;
  readonly tokens: Set<Token>;
  readonly value: Set<AbstractValue>;
}

const NEGATE: Record<Rel, Rel> = { '<': '>=', '>=': '<', '>': '<=', '<=': '>', '==': '!=', '!=': '==' };

interface Constraint {
  /** Tokens proven invalid (failed acquisitions) on this branch. */
  readonly kill: Set<Token>;
  /** Tokens proven valid on this branch. */
  readonly valid: Set<Token>;
  /** Tokens that a location (and its aliases) is proven not to hold on this branch, by location. */
  readonly detach: Map<number, Set<Token>>;
}

const EMPTY: Constraint = { kill: new Set(), valid: new Set(), detach: new Map() };

/** The largest value `x rel c` allows (`x != c` allows any). */
function highest(rel: Rel, c: number): number {
  switch (rel) {
    case '<': return c - 1;
    case '<=': case '==': return c;
    default: return Infinity;
  }
}

/**
 * The branch proves the handle holds no resource. A descriptor (`int`) is invalid only when negative
 * (`fd < 0`, `fd == -1`): 0 is a valid descriptor, so `fd <= 0` and `!fd` say "invalid or 0" (see
 * `standardFor`). A parameter (`any`) keeps the looser reading, its caller's convention being unknown
 * (`if (fd <= 0) return;` on a descriptor or a pointer it was given).
 */
function invalidFor(t: Token, rel: Rel, c: number): boolean {
  const asPtr = rel === '==' && c === 0;
  switch (t.site.validity) {
    case 'int': return highest(rel, c) < 0;
    case 'pointer': return asPtr;
    case 'any': return (rel === '<' && c <= 0) || (rel === '<=' && c <= 0) || (rel === '==' && c < 0) || asPtr;
  }
}

/**
 * The branch proves a descriptor the function acquired is 0, 1 or 2, or invalid (`fd == 0`, `!fd`,
 * `fd <= 0`, the false side of `fd > 0`, `fd <= 2`): a fresh descriptor takes the lowest free number,
 * so it is 0-2 only where a standard stream was closed, and it then fills that stream, kept for the
 * process on purpose (`open("/dev/null")` in a daemon). Either way it is not the function's to close.
 */
function standardFor(t: Token, rel: Rel, c: number): boolean {
  return t.site.validity === 'int' && t.param < 0 && highest(rel, c) <= 2;
}

function validFor(t: Token, rel: Rel, c: number): boolean {
  const asInt = (rel === '>=' && c >= 0) || (rel === '>' && c >= -1) || (rel === '!=' && c < 0);
  const asPtr = rel === '!=' && c === 0;
  switch (t.site.validity) {
    case 'int': return asInt;
    case 'pointer': return asPtr;
    case 'any': return asInt || asPtr;
  }
}

/** An acquisition's status: 0 (nil) on success, non-zero (-1, a non-nil error) on failure. */
function statusFailed(rel: Rel, c: number): boolean {
  return (rel === '<' && c <= 0) || (rel === '<=' && c < 0) || (rel === '==' && c !== 0) || (rel === '!=' && c === 0);
}

function statusSucceeded(rel: Rel, c: number): boolean {
  return (rel === '==' && c === 0) || (rel === '>=' && c === 0) || (rel === '!=' && c < 0) || (rel === '>' && c < 0);
}

export class FunctionAnalysis {
  readonly values = new ValueTable();
  readonly leaks = new Map<string, LeakRecord>();
  readonly overwrites = new Map<string, OverwriteRecord>();
  /**
   * The function's own resources that are handed over (stored, returned, transferred) on some path,
   * with the offset of the first statement found doing it: a release registered to run at every
   * later exit (a deferred close) would then close what another owner holds.
   */
  readonly handedOff = new Map<Token, number>();
  complete = true;
  /** The stable state on entry to each node, once `run()` is done (undefined: unreachable). */
  input: readonly (State | undefined)[] = [];
  /** The location table: every key the function's operations can name (`fd`, `fds[0]`, `*p`). */
  private readonly keys: string[] = [];
  private readonly index = new Map<string, number>();
  /** For each location, its base variable (`fds` for `fds[0]`), for scope ends. */
  private readonly baseOf: string[] = [];
  private readonly paramReleased: boolean[] = [];
  private readonly paramEscaped: boolean[] = [];
  private readonly paramLive: boolean[] = [];
  /** Summary mode: the normal exits at which a parameter's own value is still held (not released, not handed over). */
  readonly paramExits: { readonly param: number; readonly node: number; readonly exit: Exit; readonly variable: string; readonly token: Token }[] = [];
  /** Summary mode: parameter i is released on some path (`close(fd)`), and handed over on some path (stored, given to an owner). */
  paramDisposal(i: number): { released: boolean; escaped: boolean } {
    return { released: !!this.paramReleased[i], escaped: !!this.paramEscaped[i] };
  }
  /** Summary mode: per parameter, was it live / not live at an exit returning a failure constant / anything else. */
  private readonly paramAtFailure: { live: boolean; gone: boolean }[] = [];
  private readonly paramAtSuccess: { live: boolean; gone: boolean }[] = [];
  /** Summary mode: per parameter, the constants returned where it is gone / still held; `unknown`: some normal exit returns no known constant. */
  private readonly paramValues: { released: Set<number>; kept: Set<number>; unknown: boolean }[] = [];
  /**
   * The status a call (by offset) gives of a token it releases on some paths only (its callee's
   * `releaseSplit`): a token of its own, found only in status sets, standing for "the call at that offset
   * released `target` exactly when its result is one of `split.released`".
   */
  private readonly splitStatus = new Map<Token, { readonly target: Token; readonly split: ReleaseSplit }>();
  private readonly splitTokens = new Map<string, Token>();
  /** Summary mode: an own acquisition returned to the caller (the first one found). */
  private returnedSite: AcquireSite | null = null;
  /** Summary mode: a normal exit returns a constant that is a valid descriptor number (`return 0;` on success). */
  private returnsNumber = false;
  /** The tokens a call (by offset) releases when it fails, as its callee's summary says: the call's result is their status. */
  private readonly callStatus = new Map<number, Token[]>();
  /**
   * The locations that a call closing the resource names on some path (`close(file.fd)`, a callee whose
   * summary releases that argument, or a project function without a summary that takes it over, such as a
   * close macro defined differently per platform): a leak held by several locations is named after one of these.
   */
  private readonly releasedNames = new Set<number>();
  private recording = false;
  /** The node whose program is running. */
  private current = 0;
  /** The state its `raise`/`rethrow` ops send to its exceptional successor. */
  private excOut: State | undefined;
  /** Exception origins by `at`. */
  private readonly origins = new Map<number, ExceptionOrigin>();
  /** For each exception origin, the tokens live where it may raise (from the stable states). */
  private readonly liveAtOrigin = new Map<number, Set<Token>>();
  private collecting = false;
  private mayThrow = false;

  constructor(
    readonly ir: FunctionIr,
    private readonly summaries: SummaryProvider,
    private readonly mode: 'report' | 'summary',
    private readonly deadline?: number,
  ) {
    this.registerKeys();
  }

  /** The location index of a key, if any operation names it. */
  location(key: string): number | undefined {
    return this.index.get(key);
  }

  /** What `key` may hold on entry to node `id` (undefined: unreachable or never assigned). */
  valueAt(id: number, key: string): ValueSet | undefined {
    const k = this.index.get(key);
    return k === undefined ? undefined : this.input[id]?.vars[k];
  }

  /** The keys of the locations that may hold any of `tokens` on entry to node `id`. */
  holdersAt(id: number, tokens: ReadonlySet<Token>): string[] {
    const s = this.input[id];
    if (!s) return [];
    const out: string[] = [];
    for (let k = 0; k < s.vars.length; k++) {
      const set = s.vars[k];
      if (set && tokensOf(set).some((t) => tokens.has(t))) out.push(this.keys[k]!);
    }
    return out;
  }

  /**
   * The states node `id` sends to each of its successors (normal ones first, then the exceptional
   * one), recomputed from its stable input; undefined where nothing flows.
   */
  outputsOf(id: number): (State | undefined)[] {
    const s = this.input[id];
    if (!s) return [];
    const saved = this.recording;
    this.recording = false;
    try {
      return this.transfer(id, s);
    } finally {
      this.recording = saved;
    }
  }

  private key(k: string): number {
    let i = this.index.get(k);
    if (i === undefined) {
      i = this.keys.length;
      this.keys.push(k);
      this.index.set(k, i);
      const b = k.indexOf('[');
      this.baseOf.push(b > 0 ? k.slice(0, b) : k);
    }
    return i;
  }

  private registerKeys(): void {
    const ref = (r: Ref) => {
      if (r.key) this.key(r.key);
    };
    for (const node of this.ir.nodes) {
      for (const op of node.program.ops) {
        switch (op.op) {
          case 'bind':
            if (op.target.kind === 'local') this.key(op.target.key);
            if (op.value.kind === 'var') this.key(op.value.key);
            if (op.value.kind === 'join') op.value.keys.forEach((k) => this.key(k));
            if (op.value.kind === 'aggregate') op.value.keys.forEach((k) => this.key(k));
            break;
          case 'initArray':
            op.invalid.forEach((i) => this.key(`${op.name}[${i}]`));
            break;
          case 'release':
          case 'escape':
            ref(op.ref);
            break;
          case 'pair':
            if (op.base) [0, 1].forEach((i) => this.key(`${op.base}[${i}]`));
            break;
          case 'transfer':
          case 'summary':
          case 'lend':
          case 'returned':
            op.refs.forEach(ref);
            break;
          case 'raise': {
            // Two calls at one offset (`s.getOutputStream().write(b)`): unlikely only if both are.
            const known = this.origins.get(op.origin.at);
            this.origins.set(op.origin.at, known && !known.unlikely && op.origin.unlikely ? { ...op.origin, unlikely: false } : op.origin);
            break;
          }
        }
      }
      registerGuardKeys(node.program.guard, (k) => this.key(k));
      for (const op of node.program.ops) if (op.op === 'raise' && op.when) registerGuardKeys(op.when, (k) => this.key(k));
    }
    if (this.mode === 'summary') {
      for (const p of this.ir.params) {
        if (p === null) continue;
        this.key(p);
        this.key(`*${p}`);
      }
    }
  }

  run(): void {
    const init = emptyState(this.keys.length);
    if (this.mode === 'summary') this.seedParams(init);
    const solution = solveForward(
      { succ: this.ir.nodes.map((n) => (hasExc(n) ? [...n.succ, n.exc] : n.succ)), entry: this.ir.entry },
      init,
      { join: joinStates, equals: statesEqual, widen: widenStates },
      (id, s) => this.transfer(id, s),
      { deadline: this.deadline },
    );
    this.complete = solution.complete;
    this.input = solution.input;
    this.mayThrow = this.ir.nodes.some((n, id) => n.kind === 'exit' && n.exit?.kind === 'throw' && solution.input[id] !== undefined);
    // Which resources are live at each exception origin, then the findings, from the stable states.
    if (this.origins.size) {
      this.collecting = true;
      solution.input.forEach((s, id) => {
        if (s) this.transfer(id, s);
      });
      this.collecting = false;
    }
    this.recording = true;
    solution.input.forEach((s, id) => {
      if (s) this.transfer(id, s);
    });
    this.recording = false;
  }

  summary(): Summary {
    const releases: boolean[] = [];
    const escapes: boolean[] = [];
    const onFailure: boolean[] = [];
    this.ir.params.forEach((_p, i) => {
      releases.push(!!this.paramReleased[i] && !this.paramLive[i]);
      escapes.push(!!this.paramEscaped[i]);
      const f = this.paramAtFailure[i];
      const ok = this.paramAtSuccess[i];
      // Released exactly where it fails: gone at every failing return, live at every other one.
      onFailure.push(!releases[i] && !escapes[i] && !!this.paramReleased[i] && !!f && f.gone && !f.live && !!ok && ok.live && !ok.gone);
    });
    // A function that returns a descriptor on some paths and a constant descriptor number (`return 0;`,
    // a status) on others returns a descriptor only for some arguments (`mktemp_internal(path, mode)`
    // opens a file for one mode, makes a directory for another): its result is not surely a new
    // descriptor, and the caller cannot tell which; prefer silence.
    const site = this.returnedSite && !(this.returnedSite.validity === 'int' && this.returnsNumber) ? this.returnedSite : null;
    const sometimes = this.ir.params.map((_p, i) => !releases[i] && !!this.paramReleased[i] && !!this.paramLive[i]);
    const split = this.ir.params.map((_p, i) => (sometimes[i] && !escapes[i] ? this.splitOf(i) : null));
    return {
      releases, escapes, mayThrow: this.mayThrow,
      ...(sometimes.some((x) => x) ? { releasesSometimes: sometimes } : {}),
      ...(split.some((x) => x) ? { releaseSplit: split } : {}),
      ...(site ? { returns: { resource: site.resource, validity: site.validity, call: site.call } } : {}),
      ...(onFailure.some((x) => x) ? { releasesOnFailure: onFailure } : {}),
    };
  }

  /** Parameter i's returned constants where it is released and where it is kept, when every exit returns one and they differ. */
  private splitOf(i: number): ReleaseSplit | null {
    const v = this.paramValues[i];
    if (!v || v.unknown || !v.released.size || !v.kept.size) return null;
    for (const x of v.released) if (v.kept.has(x)) return null;
    return { released: [...v.released].sort((a, b) => a - b), kept: [...v.kept].sort((a, b) => a - b) };
  }

  private seedParams(s: State): void {
    this.ir.params.forEach((p, i) => {
      if (p === null) return;
      const t = this.values.token(`P${i}`, paramSite(this.ir.start, this.ir.end), p, i);
      s.vars[this.key(p)] = new Set([t]);
      s.vars[this.key(`*${p}`)] = new Set([t]);
    });
  }

  // ---------------------------------------------------------------- transfer

  private transfer(id: number, input: State): (State | undefined)[] {
    const node = this.ir.nodes[id]!;
    if (!hasExc(node)) return this.transferNormal(id, node, input);
    this.excOut = undefined;
    const outs = this.transferNormal(id, node, input);
    const normal: (State | undefined)[] = node.succ.map((_s, i) => outs[i]);
    normal.push(this.excOut);
    this.excOut = undefined;
    return normal;
  }

  private transferNormal(id: number, node: IrNode, input: State): (State | undefined)[] {
    const prog = node.program;
    this.current = id;
    switch (node.kind) {
      case 'entry':
      case 'noop':
        return node.succ.map(() => input);
      case 'exit': {
        // Nothing flows on from an exit: only the final recording pass needs to look at it.
        if (!this.recording) return [];
        const s = prog.ops.length ? cloneState(input) : input;
        for (const op of prog.ops) this.apply(op, s);
        this.leakCheck(s, null, node);
        return [];
      }
      case 'cond': {
        // States are copy-on-write: only a node that changes the state copies it.
        const fp = prog.facts;
        const s = prog.ops.length || changesFacts(fp) ? cloneState(input) : input;
        if (fp) this.factsBefore(s, fp);
        for (const op of prog.ops) this.apply(op, s);
        if (fp) this.factsAfter(s, fp);
        if (prog.constant !== null) return prog.constant !== 0 ? [s, undefined] : [undefined, s];
        const test = fp?.test;
        if (test && prog.ops.length) this.shortCircuitFacts(s, input, prog.guard, test);
        const edge = (branch: boolean): State | undefined => {
          if (this.never(prog.guard, branch, s)) return undefined;
          const r = this.refine(s, prog.guard, branch, test);
          return test ? this.assumeFacts(r, test, branch) : r;
        };
        return [edge(true), edge(false)];
      }
      case 'scope': {
        const s = cloneState(input);
        if (node.dying.length) {
          const dying = this.keysOf(node.dying);
          this.leakCheck(s, dying, node);
          for (const k of dying) {
            s.vars[k] = undefined;
            s.status[k] = undefined;
          }
        }
        return node.succ.map(() => s);
      }
      case 'effect':
      case 'switch': {
        const fp = prog.facts;
        const s = prog.ops.length || changesFacts(fp) ? cloneState(input) : input;
        if (fp) this.factsBefore(s, fp);
        for (const op of prog.ops) this.apply(op, s);
        if (fp) this.factsAfter(s, fp);
        if (prog.noReturn) return [];
        return node.succ.map(() => s);
      }
    }
  }

  // ---------------------------------------------------------------- facts (engine/facts.ts)

  /** Forgets what the node may change, on the path and for every resource. */
  private factsBefore(s: State, fp: FactProgram): void {
    if (!fp.drops?.length) return;
    s.facts = dropFacts(s.facts, fp.drops);
    if (!s.tf) return;
    const tf = new Map<Token, Facts>();
    const live = liveTokens(s);
    for (const [t, f] of s.tf) {
      if (!live.has(t)) continue;
      const d = dropFacts(f, fp.drops);
      if (d.size) tf.set(t, d);
    }
    s.tf = tf.size ? tf : undefined;
  }

  /** Records the node's steps (`n--`) and assignments of constants, on the path and for every live resource. */
  private factsAfter(s: State, fp: FactProgram): void {
    if (fp.shifts?.length) {
      for (const { key, by } of fp.shifts) s.facts = shiftFact(s.facts, key, by);
      if (s.tf) {
        const tf = new Map<Token, Facts>();
        for (const [t, f0] of s.tf) {
          let f = f0;
          for (const { key, by } of fp.shifts) f = shiftFact(f, key, by);
          tf.set(t, f);
        }
        s.tf = tf;
      }
    }
    if (fp.nonNull?.length) this.factsNonNull(s, fp.nonNull);
    if (!fp.sets?.length) return;
    for (const { key, c } of fp.sets) s.facts = setFact(s.facts, key, c);
    const tf = new Map<Token, Facts>();
    for (const t of liveTokens(s)) {
      if (t.param >= 0) continue;
      let f = s.tf?.get(t) ?? NO_FACTS;
      for (const { key, c } of fp.sets) f = setFact(f, key, c);
      tf.set(t, f);
    }
    s.tf = tf.size ? tf : undefined;
  }

  /**
   * `key != 0` after a node that dereferenced the pointer `key` (a NULL dereference faults: the paths going on
   * have it non-NULL), on the path and for every live resource (its paths all went through the node). A key the
   * facts already say is 0 is left as it is (no path goes on there; nothing to record).
   */
  private factsNonNull(s: State, keys: readonly string[]): void {
    const test = (key: string): FactTest => ({ f: 'cmp', key, rel: '!=', c: 0 });
    const narrow = (f0: Facts): Facts => {
      let f = f0;
      for (const k of keys) f = assume(f, test(k), true) ?? f;
      return f;
    };
    s.facts = narrow(s.facts);
    const tf = new Map<Token, Facts>();
    for (const t of liveTokens(s)) {
      if (t.param >= 0) continue;
      tf.set(t, narrow(s.tf?.get(t) ?? NO_FACTS));
    }
    s.tf = tf.size ? tf : undefined;
  }

  /** A resource acquired here is live on the paths reaching here: it gets the path's facts. */
  private factsAcquired(s: State, t: Token, k: number): void {
    if (!s.facts.size && !s.tf) return;
    const known = s.tf?.get(t);
    // Still held from an earlier round of a loop: what holds on either path.
    const f = known && heldElsewhere(s, t, new Set([k])) ? joinFacts(known, s.facts) : s.facts;
    const tf = new Map(s.tf ?? []);
    if (f.size) tf.set(t, f);
    else tf.delete(t);
    s.tf = tf.size ? tf : undefined;
  }

  /**
   * A resource acquired in the right operand of `a && b` (`a || b`) exists only where `a` was true
   * (false): `b` runs on no other path. Its facts say so, so that a later test of the same unchanged
   * value correlates (`if (err && pipe(errfds) < 0) …` then `if (err) close(errfds[0]);`: where `err`
   * is false no pipe was made). Only a resource this node made anew: one still held from an earlier
   * round of a loop was made where `a` may have changed since.
   */
  private shortCircuitFacts(s: State, input: State, g: Guard, t: FactTest): void {
    switch (g.g) {
      case 'not':
        if (t.f === 'not') this.shortCircuitFacts(s, input, g.a, t.a);
        return;
      case 'and':
      case 'or': {
        if (t.f !== g.g) return;
        if (g.bAcquires.length && t.a.f !== 'none') {
          const before = liveTokens(input);
          const now = liveTokens(s);
          let tf: Map<Token, Facts> | undefined;
          for (const tok of this.acquiredAt(g.bAcquires)) {
            if (before.has(tok) || !now.has(tok)) continue;
            const f = assume(s.tf?.get(tok) ?? NO_FACTS, t.a, g.g === 'and');
            if (!f?.size) continue;
            tf ??= new Map(s.tf ?? []);
            tf.set(tok, f);
          }
          if (tf) s.tf = tf;
        }
        this.shortCircuitFacts(s, input, g.a, t.a);
        this.shortCircuitFacts(s, input, g.b, t.b);
        return;
      }
      default:
        return;
    }
  }

  /**
   * The state on one edge of a condition over followed values: nothing flows where the path's
   * facts contradict it; a resource whose facts contradict it is not held on that edge (the paths
   * on which it is live do not go this way).
   */
  private assumeFacts(input: State | undefined, test: FactTest, branch: boolean): State | undefined {
    if (!input) return input;
    const facts = assume(input.facts, test, branch);
    if (!facts) return undefined;
    const s = cloneState(input);
    s.facts = facts;
    const own = this.ownValueFacts(input, test);
    if (!input.tf && !own) {
      this.standardByFacts(s, test);
      return s;
    }
    const tf = new Map<Token, Facts>();
    const gone = new Set<Token>();
    // Only resources still held keep facts: released ones would make every branch cost more.
    const live = liveTokens(input);
    const tokenFacts = new Map<Token, Facts>(input.tf ?? []);
    for (const [t, f] of own ?? []) tokenFacts.set(t, f);
    for (const [t, f] of tokenFacts) {
      if (!live.has(t)) continue;
      const a = assume(f, test, branch);
      if (a === null) gone.add(t);
      else if (a.size) tf.set(t, a);
    }
    s.tf = tf.size ? tf : undefined;
    this.standardByFacts(s, test);
    if (!gone.size) return s;
    const goneList = [...gone];
    for (let i = 0; i < s.vars.length; i++) {
      const set = s.vars[i];
      if (!set || !goneList.some((t) => set.has(t))) continue;
      const next = new Set(set);
      for (const t of gone) next.delete(t);
      if (!next.size) next.add(INVALID);
      s.vars[i] = next;
    }
    return s;
  }

  /**
   * A resource is held only where its variable holds a valid handle: where the descriptor `fd` is held
   * in `fd`, `fd >= 0` (a pointer: `p != 0`), whatever the tests so far said of it. A test over several
   * values (`if (cur < 0 || new < 0)`) then says, per resource, on which of its paths the resource is
   * still held: on the true edge, `new` is held only where `cur < 0` (where `cur >= 0`, `new < 0` held and
   * `new` holds nothing), so that a later `if (cur >= 0) close(cur); else if (new >= 0) close(new);`
   * is known to close whichever is open. Only for a key that is the variable itself, holding the
   * resource on the paths that reach here, and only when no other variable holds it (an alias may
   * keep it where this variable was set to -1). Null when no tested key qualifies, or the test is of one value.
   */
  private ownValueFacts(s: State, test: FactTest): Map<Token, Facts> | null {
    const keys = testKeys(test);
    // A test of one value says nothing per resource that the path's facts and the validity guards do
    // not say already; keeping its facts per resource would only make every later state heavier.
    if (keys.size < 2) return null;
    let out: Map<Token, Facts> | null = null;
    for (const key of keys) {
      const k = this.index.get(key);
      if (k === undefined) continue;
      for (const t of tokensOf(s.vars[k])) {
        if (t.param >= 0 || t.site.validity === 'any' || heldElsewhere(s, t, new Set([k]))) continue;
        const f = out?.get(t) ?? s.tf?.get(t) ?? NO_FACTS;
        const own = assume(f, { f: 'cmp', key, rel: t.site.validity === 'int' ? '>=' : '!=', c: 0 }, true);
        if (!own) continue;
        (out ??= new Map()).set(t, own);
      }
    }
    return out;
  }

  /**
   * A descriptor the branch proves to be 0, 1 or 2 (on every path on which it is held, its variable's
   * range is within 0..2: `if (fd > 2 && close_fd) close(fd);` on its false edge, where `close_fd` is
   * known set) is a standard stream now, kept on purpose: it is not held as the function's own.
   */
  private standardByFacts(s: State, test: FactTest): void {
    const keys = testKeys(test);
    for (const key of keys) {
      const k = this.index.get(key);
      if (k === undefined) continue;
      const set = s.vars[k];
      if (!set) continue;
      const standard = new Set<Token>();
      for (const t of tokensOf(set)) {
        if (t.param >= 0 || t.site.validity !== 'int') continue;
        const r = s.tf?.get(t)?.get(key) ?? s.facts.get(key);
        if (r && r.lo >= 0 && r.hi <= 2) standard.add(t);
      }
      if (standard.size) this.detach(s, set, standard);
    }
  }

  /** The locations of the named variables and of their elements (`fds` also covers `fds[0]`). */
  private keysOf(vars: readonly string[]): Set<number> {
    const names = new Set(vars);
    const out = new Set<number>();
    for (let i = 0; i < this.keys.length; i++) if (names.has(this.baseOf[i]!) || names.has(this.keys[i]!)) out.add(i);
    return out;
  }

  private apply(op: Op, s: State): void {
    switch (op.op) {
      case 'bind':
        this.bind(s, op.target, op.value, op.start, op.end);
        return;
      case 'initArray':
        for (const k of this.keysOf([op.name])) {
          s.vars[k] = undefined;
          s.status[k] = undefined;
        }
        for (const i of op.invalid) s.vars[this.key(`${op.name}[${i}]`)] = INVALID_ONLY;
        return;
      case 'release':
      case 'escape':
        if (op.op === 'release') this.noteDisposal(s, op.ref);
        this.dropRef(s, op.ref, op.op);
        return;
      case 'pair':
        if (op.base) this.acquirePair(s, op.base, op);
        return;
      case 'returned':
        if (this.mode === 'summary' && this.recording && op.constant !== undefined && op.constant !== null && op.constant >= 0) this.returnsNumber = true;
        if (this.mode === 'summary' && this.recording && !this.returnedSite) {
          for (const r of op.refs) for (const k of this.refKeys(r)) for (const t of tokensOf(s.vars[k])) if (t.param < 0 && !this.returnedSite) this.returnedSite = t.site;
        }
        for (const r of op.refs) this.dropRef(s, r, 'escape');
        return;
      case 'transfer':
        for (const r of op.refs) this.dropRef(s, r, 'escape');
        return;
      case 'lend':
        for (const r of op.refs) for (const k of this.refKeys(r)) this.lendKey(s, k);
        return;
      case 'raise': {
        // With `when`, it raises only where the guard holds (what is live there is what it can leak).
        const x = op.when ? cloneState(this.refine(s, op.when, true)) : cloneState(s);
        if (this.collecting) {
          let live = this.liveAtOrigin.get(op.origin.at);
          if (!live) this.liveAtOrigin.set(op.origin.at, (live = new Set()));
          for (const set of x.vars) for (const t of tokensOf(set)) live.add(t);
        }
        x.exc = new Set([op.origin.at]);
        this.throwTo(x);
        return;
      }
      case 'rethrow':
        this.throwTo(cloneState(s));
        return;
      case 'catch':
        s.exc = undefined;
        return;
      case 'summary': {
        if (!op.refs.some((r) => this.refHolds(s, r))) return;
        const summary = this.summaries.summary(op.name);
        if (!summary) {
          if (op.otherwise === 'handoff' || op.otherwise === 'release') for (const r of op.refs) {
            this.noteDisposal(s, r);
            this.dropRef(s, r, op.otherwise === 'release' ? 'release' : 'escape');
          }
          return;
        }
        op.refs.forEach((r, i) => {
          // An argument the summary has no parameter for (the `...` of a variadic function): what
          // the callee does with it is unknown, so a hand-off stays a hand-off.
          if (i >= summary.escapes.length && op.otherwise === 'handoff') this.dropRef(s, r, 'escape');
          else if (summary.releases[i]) {
            this.noteDisposal(s, r);
            this.dropRef(s, r, 'release');
          }
          else if (summary.escapes[i]) this.dropRef(s, r, 'escape');
          else if (summary.releasesOnFailure?.[i] && op.at !== undefined) {
            const tokens = this.refKeys(r).flatMap((k) => tokensOf(s.vars[k]));
            if (tokens.length) this.callStatus.set(op.at, [...new Set([...(this.callStatus.get(op.at) ?? []), ...tokens])]);
          } else if (summary.releaseSplit?.[i] && op.at !== undefined) {
            // Released or not as the call's result says: its test decides (see `status`).
            const split = summary.releaseSplit[i]!;
            const tokens = this.refKeys(r).flatMap((k) => tokensOf(s.vars[k])).map((t) => this.splitToken(op.at!, t, split));
            if (tokens.length) this.callStatus.set(op.at, [...new Set([...(this.callStatus.get(op.at) ?? []), ...tokens])]);
          } else if (summary.releasesSometimes?.[i]) {
            // Released on some of the callee's paths, and its result does not tell which: the caller
            // can neither know it open nor closed after the call. Silence (as a hand-off).
            this.noteDisposal(s, r);
            this.dropRef(s, r, 'escape');
          }
        });
        return;
      }
    }
  }

  /** The status token of `target` for the call at `at` whose callee releases it as `split` says. */
  private splitToken(at: number, target: Token, split: ReleaseSplit): Token {
    const key = `S${at}:${target.key}`;
    let t = this.splitTokens.get(key);
    if (!t) {
      t = { kind: 'token', key, site: target.site, origin: target.origin, param: target.param };
      this.splitTokens.set(key, t);
      this.splitStatus.set(t, { target, split });
    }
    return t;
  }

  /** An exception leaves with state `x`: it joins what the node sends to its exceptional successor. */
  private throwTo(x: State): void {
    this.excOut = this.excOut ? joinStates(this.excOut, x) : x;
  }

  /** What a call of `name` returns when it returns a new resource (its summary's `returns`). */
  private returnsOf(name: string): Summary['returns'] {
    if (this.summaries.mayReturn?.(name) === false) return undefined;
    return this.summaries.summary(name)?.returns;
  }

  private bind(s: State, target: Target, value: Value, start: number, end: number): void {
    if (target.kind === 'ignore') return;
    if (target.kind === 'escape') {
      if (value.kind === 'result' && this.returnsOf(value.name)) {
        // `conn->fd = anetCreateSocket(...)`: stored where another owner keeps it.
        return;
      }
      if (value.kind === 'var') this.dropKey(s, this.key(value.key), 'escape');
      else if (value.kind === 'aggregate' || value.kind === 'join') for (const k of value.keys) this.dropKey(s, this.key(k), 'escape');
      return;
    }
    const k = this.key(target.key);
    const auto = this.ir.autoReleased.has(target.key);
    switch (value.kind) {
      case 'acquire': {
        this.overwrite(s, k, start, end);
        s.status[k] = undefined;
        const token = this.values.token(`T${value.start}`, value, target.key);
        s.vars[k] = auto ? undefined : new Set<AbstractValue>(value.alwaysValid ? [token] : [token, INVALID]);
        if (!auto) this.factsAcquired(s, token, k);
        return;
      }
      case 'join': {
        const joined = new Set<AbstractValue>();
        for (const x of value.keys) for (const v of s.vars[this.key(x)] ?? [UNSET]) joined.add(v);
        if (value.invalid) joined.add(INVALID);
        this.overwrite(s, k, start, end, joined);
        s.vars[k] = joined.size === 1 && joined.has(UNSET) ? undefined : joined;
        s.status[k] = undefined;
        return;
      }
      case 'status': {
        this.overwrite(s, k, start, end);
        s.vars[k] = undefined;
        const produced = this.statusTokens(value.start);
        s.status[k] = produced.length ? new Set(produced) : undefined;
        return;
      }
      case 'var': {
        const src = this.key(value.key);
        if (src === k) return;
        if (auto) {
          this.dropKey(s, src, 'escape');
          return;
        }
        this.overwrite(s, k, start, end);
        s.vars[k] = s.vars[src];
        s.status[k] = s.status[src];
        return;
      }
      case 'invalid':
        this.overwrite(s, k, start, end);
        s.vars[k] = INVALID_ONLY;
        s.status[k] = undefined;
        return;
      case 'aggregate':
        this.overwrite(s, k, start, end);
        for (const x of value.keys) this.dropKey(s, this.key(x), 'escape');
        s.vars[k] = undefined;
        s.status[k] = undefined;
        return;
      case 'result': {
        const returns = this.returnsOf(value.name);
        if (returns) {
          const site: AcquireSite = { start: value.start, end: value.end, call: value.name, resource: returns.resource, validity: returns.validity, wrapper: true };
          this.bind(s, target, { kind: 'acquire', ...site }, start, end);
          return;
        }
        const status = this.callStatus.get(value.start);
        if (status?.length && !auto) {
          // `rc = anetListen(err, s, ...)`: rc says whether the callee released `s`.
          this.overwrite(s, k, start, end);
          s.vars[k] = FOREIGN_ONLY;
          s.status[k] = new Set(status);
          return;
        }
        this.overwrite(s, k, start, end);
        s.vars[k] = FOREIGN_ONLY;
        s.status[k] = undefined;
        return;
      }
      case 'errorFlag': {
        this.overwrite(s, k, start, end);
        const live = new Set<Token>();
        for (const set of s.vars) for (const t of tokensOf(set)) if (t.param < 0) live.add(t);
        s.vars[k] = FOREIGN_ONLY;
        s.status[k] = live.size ? live : undefined;
        return;
      }
      case 'other':
        // A value the function did not acquire: not "uninitialised" (a validity test cannot make it ours).
        this.overwrite(s, k, start, end);
        s.vars[k] = FOREIGN_ONLY;
        s.status[k] = undefined;
        return;
    }
  }

  /** Assigning over location `k` (the new value may keep some of its tokens): a live token that no other location holds is lost. */
  private overwrite(s: State, k: number, start: number, end: number, kept?: ValueSet): void {
    const set = s.vars[k];
    if (!set || !this.recording || this.mode !== 'report' || !hasToken(set)) return;
    const lost = new Set<Token>();
    const self = new Set([k]);
    for (const t of tokensOf(set)) if (!heldElsewhere(s, t, self) && !kept?.has(t)) lost.add(t);
    if (!lost.size) return;
    const variable = this.keys[k]!;
    const id = `${start}:${variable}`;
    const rec = this.overwrites.get(id);
    if (rec) {
      for (const t of lost) rec.tokens.add(t);
      for (const v of set) rec.value.add(v);
    } else {
      this.overwrites.set(id, { start, end, node: this.current, variable, tokens: lost, value: new Set(set) });
    }
  }

  private acquirePair(s: State, base: string, site: Extract<Op, { op: 'pair' }>): void {
    for (const i of [0, 1]) {
      const key = `${base}[${i}]`;
      const k = this.key(key);
      this.overwrite(s, k, site.start, site.end);
      const token = this.values.token(`T${site.start}:${i}`, site, key);
      s.vars[k] = new Set<AbstractValue>([token, INVALID]);
      s.status[k] = undefined;
      this.factsAcquired(s, token, k);
    }
  }

  /** The locations a reference names: its key, or every element for `fds[i]`. */
  private refKeys(r: Ref): number[] {
    if (r.key) return [this.key(r.key)];
    const out: number[] = [];
    if (r.prefix) for (let i = 0; i < this.keys.length; i++) if (this.keys[i]!.startsWith(r.prefix)) out.push(i);
    return out;
  }

  /** `r`'s locations that hold a resource here are named by a call that closes it or takes it over (see releasedNames). */
  private noteDisposal(s: State, r: Ref): void {
    if (r.key) {
      const k = this.key(r.key);
      if (hasToken(s.vars[k])) this.releasedNames.add(k);
    }
  }

  private refHolds(s: State, r: Ref): boolean {
    return this.refKeys(r).some((k) => hasToken(s.vars[k]));
  }

  private dropRef(s: State, r: Ref, how: 'release' | 'escape'): void {
    for (const k of this.refKeys(r)) this.dropKey(s, k, how);
  }

  /** The resource(s) in location `k` are released or handed over: every location holding them lets go. */
  private dropKey(s: State, k: number, how: 'release' | 'escape'): void {
    const dropped = tokensOf(s.vars[k]);
    if (!dropped.length) return;
    const at = this.ir.nodes[this.current]!.anchor;
    const marker = how === 'release' ? this.values.releasedAt(at) : this.values.escapedAt(at);
    for (let i = 0; i < s.vars.length; i++) {
      const set = s.vars[i];
      if (!set || !dropped.some((t) => set.has(t))) continue;
      const next = new Set(set);
      for (const t of dropped) next.delete(t);
      next.add(marker);
      s.vars[i] = next;
    }
    for (const t of dropped) {
      if (t.param < 0) {
        if (how === 'escape' && this.recording && !this.handedOff.has(t)) this.handedOff.set(t, at);
        continue;
      }
      if (how === 'release') this.paramReleased[t.param] = true;
      else this.paramEscaped[t.param] = true;
    }
  }

  /** The resource(s) in location `k` went to an unknown function: still possibly open, but not provably. */
  private lendKey(s: State, k: number): void {
    const lent = tokensOf(s.vars[k]);
    if (!lent.length) return;
    const at = this.ir.nodes[this.current]!.anchor;
    // A function that may keep it is a possible new owner: a release registered for later (Go's
    // defer) could close what that owner holds.
    if (this.recording) for (const t of lent) if (!this.handedOff.has(t)) this.handedOff.set(t, at);
    const marker = this.values.lentAt(at);
    for (let i = 0; i < s.vars.length; i++) {
      const set = s.vars[i];
      if (!set || set.has(marker) || !lent.some((t) => set.has(t))) continue;
      const next = new Set(set);
      next.add(marker);
      s.vars[i] = next;
    }
  }

  // ---------------------------------------------------------------- guards

  /**
   * The edge is never taken: on it a null test (`s != null`) holds of a location that can only
   * hold the invalid value (null on every path reaching the test).
   */
  private never(g: Guard, branch: boolean, s: State): boolean {
    switch (g.g) {
      case 'not':
        return this.never(g.a, !branch, s);
      case 'and':
      case 'or':
        // Where both sides hold, either one impossible makes the edge impossible; else both must be.
        return (g.g === 'and') === branch ? this.never(g.a, branch, s) || this.never(g.b, branch, s) : this.never(g.a, branch, s) && this.never(g.b, branch, s);
      case 'cmp': {
        if (!g.nullTest || g.subject.kind !== 'key' || (branch ? g.rel : NEGATE[g.rel]) !== '!=') return false;
        const k = this.index.get(g.subject.key);
        if (k === undefined || s.status[k]) return false;
        const set = s.vars[k];
        if (!set || !set.size) return false;
        for (const v of set) if (v.kind !== 'invalid') return false;
        return true;
      }
      default:
        return false;
    }
  }

  /** The state on one edge of a condition (the input itself when the condition proves nothing). */
  private refine(input: State, guard: Guard, branch: boolean, test?: FactTest): State {
    if (guard.g === 'none') return input;
    const c = this.constraint(guard, branch, input, test);
    if (!c.kill.size && !c.valid.size && !c.detach.size) return input;
    const s = cloneState(input);
    for (let i = 0; i < s.vars.length; i++) {
      const set = s.vars[i];
      if (!set) continue;
      let killed = false;
      for (const t of c.kill) if (set.has(t)) killed = true;
      let valid = false;
      for (const t of c.valid) if (set.has(t)) valid = true;
      if (!killed && !valid) continue;
      const next = new Set(set);
      if (killed) {
        for (const t of c.kill) next.delete(t);
        next.add(INVALID);
      }
      if (valid) {
        next.delete(INVALID);
        for (const v of next) if (v.kind === 'unset') next.delete(v);
      }
      s.vars[i] = next.size ? next : undefined;
    }
    for (const [k, tokens] of c.detach) this.detach(s, input.vars[k], tokens);
    return s;
  }

  /**
   * Removes `tokens` from the locations whose value is `value` (the compared variable and its
   * aliases, which hold the very same set), leaving them known to hold something not owned here.
   */
  private detach(s: State, value: ValueSet | undefined, tokens: ReadonlySet<Token>): void {
    if (!value) return;
    for (let i = 0; i < s.vars.length; i++) {
      const set = s.vars[i];
      if (!set || !setsEqual(set, value)) continue;
      const next = new Set(set);
      for (const t of tokens) next.delete(t);
      next.add(FOREIGN);
      s.vars[i] = next;
    }
  }

  /**
   * What the guard having the value `branch` proves of the tokens. `test` is the same condition's
   * fact test (engine/facts.ts), read alongside while its shape matches the guard's.
   */
  private constraint(g: Guard, branch: boolean, s: State, test?: FactTest): Constraint {
    switch (g.g) {
      case 'none':
        return EMPTY;
      case 'not':
        return this.constraint(g.a, !branch, s, test?.f === 'not' ? test.a : undefined);
      case 'and':
      case 'or': {
        const ft = test?.f === g.g ? test : undefined;
        // Both sides hold on the true edge of &&, and on the false edge of ||.
        const both = (g.g === 'and') === branch;
        const a = this.constraint(g.a, branch, s, ft?.a);
        const b = this.constraint(g.b, branch, s, ft?.b);
        if (both) return union(a, b);
        // Otherwise either `a` decided alone (and `b`, with its acquisitions, never ran) or `b` decided.
        const skipped = this.acquiredAt(g.bAcquires);
        const aAlone = skipped.size ? union(a, { kill: skipped, valid: new Set(), detach: new Map() }) : a;
        if (!ft || !s.tf) return intersect(aAlone, b);
        // A resource whose facts rule one way out (`if (locked && fd >= 0) close(fd);` with `fd` held
        // only where `locked` is 1: `locked` false is no path of it) is decided by the other way alone.
        const aWay: Constraint = { kill: new Set(aAlone.kill), valid: aAlone.valid, detach: aAlone.detach };
        const bWay: Constraint = { kill: new Set(b.kill), valid: b.valid, detach: b.detach };
        const live = liveTokens(s);
        for (const [t, f] of s.tf) {
          if (!live.has(t)) continue;
          if (assume(f, ft.a, branch) === null) aWay.kill.add(t);
          const other = assume(f, ft.a, !branch);
          if (other === null || assume(other, ft.b, branch) === null) bWay.kill.add(t);
        }
        return intersect(aWay, bWay);
      }
      case 'cmp': {
        const rel = branch ? g.rel : NEGATE[g.rel];
        if (g.subject.kind === 'pair') {
          return this.status(this.statusTokens(g.subject.start), rel, g.c);
        }
        if (g.subject.kind === 'elements') {
          // Only the invalid side says something of every element (each one is closed or invalid).
          const out: Constraint = { kill: new Set(), valid: new Set(), detach: new Map() };
          for (const k of this.refKeys({ key: null, prefix: g.subject.prefix })) {
            for (const t of tokensOf(s.vars[k])) if (invalidFor(t, rel, g.c) || standardFor(t, rel, g.c)) out.kill.add(t);
          }
          return out;
        }
        const k = this.index.get(g.subject.key);
        if (k === undefined) return EMPTY;
        const status = s.status[k];
        if (status) return this.status([...status], rel, g.c);
        const out: Constraint = { kill: new Set(), valid: new Set(), detach: new Map() };
        const standard = new Set<Token>();
        for (const t of tokensOf(s.vars[k])) {
          if (invalidFor(t, rel, g.c)) out.kill.add(t);
          else if (standardFor(t, rel, g.c)) standard.add(t);
          else if (validFor(t, rel, g.c)) out.valid.add(t);
        }
        if (standard.size) out.detach.set(k, standard);
        return out;
      }
      case 'same': {
        // `rc == MOSQ_ERR_SUCCESS` with `rc` a call's status: a comparison with the constant's value.
        const statusKey = g.value === undefined ? undefined : this.index.get(g.constant === 'b' ? g.a : g.b);
        const status = statusKey === undefined ? undefined : s.status[statusKey];
        if (status && g.value !== undefined) return this.status([...status], branch ? g.rel : NEGATE[g.rel], g.value);
        if ((g.rel === '==') !== branch) return EMPTY;
        const detach = new Map<number, Set<Token>>();
        this.notHeld(s, g.a, g.b, g.standard === 'b', detach);
        this.notHeld(s, g.b, g.a, g.standard === 'a', detach);
        // A wrapper's result equal to a constant the analysis cannot read (`s == ANET_ERR` without the
        // header): its failure value, most likely; not a resource to report on that branch.
        const kill = new Set<Token>();
        const wrapped = g.constant === 'b' ? g.a : g.constant === 'a' ? g.b : null;
        const w = wrapped === null ? undefined : this.index.get(wrapped);
        if (w !== undefined && g.standard === null) for (const t of tokensOf(s.vars[w])) if (t.site.wrapper) kill.add(t);
        return detach.size || kill.size ? { kill, valid: new Set(), detach } : EMPTY;
      }
    }
  }

  /**
   * Where `key == other` holds, `key` does not hold a resource the function acquired itself
   * (and `other` does not hold too): a pointer handle equal to a standard stream or another
   * variable, a descriptor equal to a standard descriptor or to a variable holding another
   * acquired one. (A descriptor equal to any int variable proves nothing: `if (i == listen_fd)` in a
   * loop over descriptor numbers.) Parameters' tokens are left alone: their identity is the caller's.
   */
  private notHeld(s: State, key: string, other: string, otherIsStandard: boolean, out: Map<number, Set<Token>>): void {
    const k = this.index.get(key);
    if (k === undefined) return;
    const o = this.index.get(other);
    const otherValue = o === undefined ? undefined : s.vars[o];
    const otherHolds = hasToken(otherValue);
    const tokens = new Set<Token>();
    for (const t of tokensOf(s.vars[k])) {
      if (otherValue?.has(t) || t.param >= 0) continue;
      if (t.site.validity === 'pointer' || otherIsStandard || otherHolds) tokens.add(t);
    }
    if (tokens.size) out.set(k, tokens);
  }

  /** The tokens of the acquisitions at these offsets (a pair acquisition has two). */
  private acquiredAt(starts: readonly number[]): Set<Token> {
    const out = new Set<Token>();
    if (!starts.length) return out;
    const at = new Set(starts);
    for (const t of this.values.tokens.values()) if (t.param < 0 && at.has(t.site.start)) out.add(t);
    return out;
  }

  /** The resources the acquisition at `start` produced, which its status reports on: a single one or a pair. */
  private statusTokens(start: number): Token[] {
    const own = [`T${start}`, `T${start}:0`, `T${start}:1`].map((t) => this.values.tokens.get(t)).filter((t): t is Token => !!t);
    const released = this.callStatus.get(start);
    return released ? [...own, ...released] : own;
  }

  private status(all: Token[], rel: Rel, c: number): Constraint {
    const tokens = all.filter((t) => !this.splitStatus.has(t));
    const out: Constraint = statusFailed(rel, c) ? { kill: new Set(tokens), valid: new Set(), detach: new Map() }
      : statusSucceeded(rel, c) ? { kill: new Set(), valid: new Set(tokens), detach: new Map() } : { kill: new Set(), valid: new Set(), detach: new Map() };
    for (const t of all) {
      const s = this.splitStatus.get(t);
      // The result is one of the values of the paths that release it (no path that keeps it returns a
      // value that passes this edge): the callee closed it. Otherwise nothing is proven.
      if (!s || s.split.kept.some((v) => holds(v, rel, c))) continue;
      out.kill.add(s.target);
      if (s.target.param >= 0) this.paramReleased[s.target.param] = true;
    }
    return out.kill.size || out.valid.size ? out : EMPTY;
  }

  // ---------------------------------------------------------------- exits

  /**
   * At an exit, every live token that only `dying` holds (all locations when null) leaks.
   * One record per exit and variable.
   */
  private leakCheck(s: State, dying: Set<number> | null, node: IrNode): void {
    if (!this.recording) return;
    const found = new Map<number, Set<Token>>();
    if (this.mode === 'summary' && !dying && node.exit && node.exit.kind !== 'throw') this.paramsAtExit(s, node);
    for (let k = 0; k < s.vars.length; k++) {
      if (dying && !dying.has(k)) continue;
      const set = s.vars[k];
      if (!set || !hasToken(set)) continue;
      for (const t of tokensOf(set)) {
        if (dying && heldElsewhere(s, t, dying)) continue;
        if (t.param >= 0) {
          // A summary's "released" is about the paths that return normally.
          if (node.exit?.kind !== 'throw') {
            this.paramLive[t.param] = true;
            if (!dying && node.exit && !this.paramExits.some((e) => e.param === t.param && e.node === this.current)) {
              this.paramExits.push({ param: t.param, node: this.current, exit: node.exit, variable: this.ir.params[t.param] ?? this.keys[k]!, token: t });
            }
          }
          continue;
        }
        const o = this.index.get(t.origin);
        const origin = this.leakName(s, t, o !== undefined && (!dying || dying.has(o)) && s.vars[o]?.has(t) ? o : k, dying);
        let tokens = found.get(origin);
        if (!tokens) found.set(origin, (tokens = new Set()));
        tokens.add(t);
      }
    }
    if (this.mode !== 'report' || !node.exit) return;
    const exit = node.exit;
    for (const [k, all] of found) {
      const variable = this.keys[k]!;
      const value: ValueSet = s.vars[k] ?? new Set<AbstractValue>();
      // On an exceptional path each token is reported where the exception that leaks it comes from.
      for (const [origin, tokens] of this.byOrigin(s, all)) {
        const id = origin ? `${exit.id}:${origin.at}:${variable}` : `${exit.id}:${variable}`;
        const rec = this.leaks.get(id);
        if (rec) {
          for (const t of tokens) rec.tokens.add(t);
          for (const v of value) rec.value.add(v);
        } else this.leaks.set(id, { node: this.current, exit, origin, variable, tokens, value: new Set(value) });
      }
    }
  }

  /**
   * The location a leak of `t` is reported under: `first` (the location that first held it, when it still
   * does), unless the function never releases that one but releases another location that holds it too
   * here (`fd = open(…); file.fd = fd; … close(file.fd)`): the leak is then named after the location the
   * function's own cleanup closes, which is where a fix closes it.
   */
  private leakName(s: State, t: Token, first: number, dying: Set<number> | null): number {
    if (!this.ir.nameAfterRelease || this.releasedNames.has(first)) return first;
    for (let k = 0; k < s.vars.length; k++) {
      if (k === first || (dying && !dying.has(k)) || !this.releasedNames.has(k)) continue;
      if (s.vars[k]?.has(t)) return k;
    }
    return first;
  }

  /** Summary mode: which parameters are still live at this normal exit, by whether it returns a failure constant. */
  private paramsAtExit(s: State, node: IrNode): void {
    let failure = false;
    let value: number | null = null;
    for (const op of node.program.ops) {
      if (op.op !== 'returned') continue;
      if (op.constant !== undefined && op.constant !== null && op.constant < 0) failure = true;
      if (op.value !== undefined && op.value !== null) value = op.value;
    }
    const live = new Set<number>();
    for (const set of s.vars) for (const t of tokensOf(set)) if (t.param >= 0) live.add(t.param);
    const table = failure ? this.paramAtFailure : this.paramAtSuccess;
    this.ir.params.forEach((p, i) => {
      if (p === null) return;
      const e = (table[i] ??= { live: false, gone: false });
      if (live.has(i)) e.live = true;
      else e.gone = true;
      const v = (this.paramValues[i] ??= { released: new Set(), kept: new Set(), unknown: false });
      if (value === null) v.unknown = true;
      else (live.has(i) ? v.kept : v.released).add(value);
    });
  }

  /**
   * Tokens grouped by the exception origin they leak from: the first origin after their acquisition
   * where they are live (else the first after it, else the first one), a likely one before one that
   * practically never raises (`unlikely`), so that a real failure is not reported as a pedantic one.
   */
  private byOrigin(s: State, tokens: Set<Token>): Map<ExceptionOrigin | null, Set<Token>> {
    const out = new Map<ExceptionOrigin | null, Set<Token>>();
    for (const t of tokens) {
      // Ranks: 0 likely and live, 1 unlikely and live, 2 likely after the acquisition, 3 unlikely after it, 4 any.
      let at = -1;
      let rank = 5;
      for (const o of s.exc ?? []) {
        const unlikely = this.origins.get(o)?.unlikely ? 1 : 0;
        const after = o > t.site.start;
        const r = after && this.liveAtOrigin.get(o)?.has(t) ? unlikely : after ? 2 + unlikely : 4;
        if (r < rank || (r === rank && o < at)) {
          rank = r;
          at = o;
        }
      }
      const origin = at >= 0 ? this.origins.get(at) ?? null : null;
      let set = out.get(origin);
      if (!set) out.set(origin, (set = new Set()));
      set.add(t);
    }
    return out;
  }
}

/** `v rel c` of two integers. */
function holds(v: number, rel: Rel, c: number): boolean {
  switch (rel) {
    case '<': return v < c;
    case '<=': return v <= c;
    case '>': return v > c;
    case '>=': return v >= c;
    case '==': return v === c;
    case '!=': return v !== c;
  }
}

function hasExc(n: IrNode): n is IrNode & { readonly exc: number } {
  return n.exc !== undefined && n.exc >= 0;
}

function registerGuardKeys(g: Guard, add: (k: string) => void): void {
  const stack: Guard[] = [g];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.g === 'not') stack.push(x.a);
    else if (x.g === 'and' || x.g === 'or') stack.push(x.a, x.b);
    else if (x.g === 'cmp' && x.subject.kind === 'key') add(x.subject.key);
  }
}

function union(a: Constraint, b: Constraint): Constraint {
  const detach = new Map(a.detach);
  for (const [k, t] of b.detach) detach.set(k, new Set([...(detach.get(k) ?? []), ...t]));
  return { kill: new Set([...a.kill, ...b.kill]), valid: new Set([...a.valid, ...b.valid]), detach };
}

function intersect(a: Constraint, b: Constraint): Constraint {
  const detach = new Map<number, Set<Token>>();
  // A location proven not to hold a token on both sides, or not to hold it on one side while the
  // token is proven invalid on the other (`fd != -1 && fd != STDIN_FILENO` is false): not held here.
  const add = (k: number, t: Token) => {
    const set = detach.get(k);
    if (set) set.add(t);
    else detach.set(k, new Set([t]));
  };
  for (const [k, t] of a.detach) for (const x of t) if (b.detach.get(k)?.has(x) || b.kill.has(x)) add(k, x);
  for (const [k, t] of b.detach) for (const x of t) if (a.kill.has(x)) add(k, x);
  return {
    kill: new Set([...a.kill].filter((t) => b.kill.has(t))), valid: new Set([...a.valid].filter((t) => b.valid.has(t))), detach,
  };
}

/** Whether a node's fact program forgets or records anything (a test alone changes the state only on its edges). */
function changesFacts(fp: FactProgram | undefined): boolean {
  return !!fp && (!!fp.drops?.length || !!fp.sets?.length || !!fp.shifts?.length || !!fp.nonNull?.length);
}
