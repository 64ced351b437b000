import type { Node } from 'web-tree-sitter';
import { solveForward } from '../cfg/dataflow';
import type { ExitSite, FunctionCfg } from './cfg';
import { Compiler, type CompileContext, type Guard, type Op, type Program, type Ref, type Rel, type Target, type Value } from './compile';
import { ACQUIRE, type ResourceKind } from './names';
import {
  INVALID, UNSET, cloneState, emptyState, heldElsewhere, joinStates, releasedAt, statesEqual, tokensOf,
  type State, type ValueSet,
} from './state';

/** What a same-file function does with its parameters. */
export interface Summary {
  /** Parameter i is released on every path that returns. */
  readonly releases: readonly boolean[];
  /** Parameter i is stored somewhere that outlives the call, or returned, on some path. */
  readonly escapes: readonly boolean[];
}

export const NO_SUMMARY: Summary = { releases: [], escapes: [] };

/** What the engine needs from the file around the function. */
export interface FileContext extends CompileContext {
  readonly language: 'c' | 'cpp';
  /** Summary of a function defined in this file, or undefined if there is none. */
  summary(name: string): Summary | undefined;
}

export type TokenKind = ResourceKind | 'param';

export interface TokenInfo {
  readonly id: string;
  /** Offsets of the acquiring call (for a parameter token: of the function). */
  readonly start: number;
  readonly end: number;
  readonly callName: string;
  readonly kind: TokenKind;
  /** The location that first held it (`fd`, `fds[1]`). */
  readonly origin: string;
  readonly paramIndex: number;
}

export interface LeakRecord {
  readonly exit: ExitSite;
  readonly variable: string;
  readonly tokens: Set<string>;
  /** What the variable may hold where it leaks (tokens and markers). */
  readonly value: ValueSet;
}

export interface OverwriteRecord {
  /** Offsets of the assignment (or declarator / pipe call) that overwrites the variable. */
  readonly start: number;
  readonly end: number;
  /** The CFG node it is on. */
  readonly node: number;
  readonly variable: string;
  readonly tokens: Set<string>;
  readonly value: ValueSet;
}

const NEGATE: Record<Rel, Rel> = { '<': '>=', '>=': '<', '>': '<=', '<=': '>', '==': '!=', '!=': '==' };

interface Constraint {
  /** Tokens proven invalid (failed acquisitions) on this branch. */
  readonly kill: Set<string>;
  /** Tokens proven valid on this branch. */
  readonly valid: Set<string>;
}

const EMPTY: Constraint = { kill: new Set(), valid: new Set() };

function invalidFor(kind: TokenKind, rel: Rel, c: number): boolean {
  const asFd = (rel === '<' && c <= 0) || (rel === '<=' && c <= 0) || (rel === '==' && c < 0);
  const asPtr = rel === '==' && c === 0;
  switch (kind) {
    case 'fd': case 'socket': return asFd;
    case 'file': case 'popen': return asPtr;
    case 'param': return asFd || asPtr;
  }
}

function validFor(kind: TokenKind, rel: Rel, c: number): boolean {
  const asFd = (rel === '>=' && c >= 0) || (rel === '>' && c >= -1) || (rel === '!=' && c < 0);
  const asPtr = rel === '!=' && c === 0;
  switch (kind) {
    case 'fd': case 'socket': return asFd;
    case 'file': case 'popen': return asPtr;
    case 'param': return asFd || asPtr;
  }
}

/** pipe()/socketpair() return 0 on success and -1 on failure. */
function statusFailed(rel: Rel, c: number): boolean {
  return (rel === '<' && c <= 0) || (rel === '<=' && c < 0) || (rel === '==' && c !== 0) || (rel === '!=' && c === 0);
}

function statusSucceeded(rel: Rel, c: number): boolean {
  return (rel === '==' && c === 0) || (rel === '>=' && c === 0) || (rel === '!=' && c < 0) || (rel === '>' && c < 0);
}

/**
 * Runs the leak dataflow over one function's CFG. In 'report' mode it records leaks and
 * overwrites; in 'summary' mode it seeds each parameter with a token and records what
 * happens to it (for the function's summary).
 */
export class FunctionAnalysis {
  readonly tokens = new Map<string, TokenInfo>();
  /** Statement nodes by offset, for `?R<offset>` markers. */
  readonly sites = new Map<number, Node>();
  readonly leaks = new Map<string, LeakRecord>();
  readonly overwrites = new Map<string, OverwriteRecord>();
  complete = true;
  private readonly programs: Program[];
  private readonly paramReleased: boolean[] = [];
  private readonly paramEscaped: boolean[] = [];
  private readonly paramLive: boolean[] = [];
  private recording = false;
  /** The CFG node whose program is running. */
  private current = 0;

  constructor(
    readonly cfg: FunctionCfg,
    readonly fn: Node,
    private readonly ctx: FileContext,
    private readonly mode: 'report' | 'summary',
    private readonly deadline?: number,
  ) {
    this.programs = new Compiler(cfg, ctx, ctx.language).compileAll(fn);
  }

  run(): void {
    const init = emptyState();
    if (this.mode === 'summary') this.seedParams(init);
    const solution = solveForward(
      { succ: this.cfg.nodes.map((n) => n.succ), entry: this.cfg.entry },
      init,
      { join: joinStates, equals: statesEqual },
      (id, s) => this.transfer(id, s),
      { deadline: this.deadline },
    );
    this.complete = solution.complete;
    // Record findings from the stable states, once per node.
    this.recording = true;
    solution.input.forEach((s, id) => {
      if (s) this.transfer(id, s);
    });
    this.recording = false;
  }

  summary(): Summary {
    const releases: boolean[] = [];
    const escapes: boolean[] = [];
    this.cfg.params.forEach((_p, i) => {
      releases.push(!!this.paramReleased[i] && !this.paramLive[i]);
      escapes.push(!!this.paramEscaped[i]);
    });
    return { releases, escapes };
  }

  private seedParams(s: State): void {
    this.cfg.params.forEach((p, i) => {
      if (p === null) return;
      const id = `P${i}`;
      this.tokens.set(id, { id, start: this.fn.startIndex, end: this.fn.endIndex, callName: '', kind: 'param', origin: p, paramIndex: i });
      s.vars.set(p, new Set([id]));
      s.vars.set(`*${p}`, new Set([id]));
    });
  }

  // ---------------------------------------------------------------- transfer

  private transfer(id: number, input: State): (State | undefined)[] {
    const node = this.cfg.nodes[id]!;
    const prog = this.programs[id]!;
    this.current = id;
    const s = node.kind === 'noop' || node.kind === 'entry' ? input : cloneState(input);
    for (const op of prog.ops) this.apply(op, s);
    switch (node.kind) {
      case 'entry':
      case 'noop':
      case 'switch':
        return node.succ.map(() => s);
      case 'effect':
        return prog.noReturn ? [] : node.succ.map(() => s);
      case 'cond': {
        if (prog.constant !== null) return prog.constant !== 0 ? [s, undefined] : [undefined, s];
        if (prog.guard.g === 'none') return [s, s];
        const t = cloneState(s);
        this.refine(t, prog.guard, true);
        this.refine(s, prog.guard, false);
        return [t, s];
      }
      case 'return':
      case 'throw':
      case 'end':
        this.leakCheck(s, null, node.exit!);
        return [];
      case 'scope':
        if (node.vars.length) {
          const dying = this.keysOf(s, node.vars);
          this.leakCheck(s, dying, node.exit!);
          for (const k of dying) {
            s.vars.delete(k);
            s.status.delete(k);
          }
        }
        return node.succ.map(() => s);
    }
  }

  /** The keys for `vars` and their elements (`fds` also covers `fds[0]`, `fds[1]`). */
  private keysOf(s: State, vars: readonly string[]): Set<string> {
    const out = new Set<string>(vars);
    for (const k of s.vars.keys()) {
      const b = k.indexOf('[');
      if (b > 0 && out.has(k.slice(0, b))) out.add(k);
    }
    return out;
  }

  private apply(op: Op, s: State): void {
    switch (op.op) {
      case 'bind':
        this.bind(s, op.target, op.value, op.start, op.end);
        return;
      case 'initArray':
        for (const k of this.keysOf(s, [op.name])) {
          s.vars.delete(k);
          s.status.delete(k);
        }
        for (const i of op.invalid) s.vars.set(`${op.name}[${i}]`, new Set([INVALID]));
        return;
      case 'release':
      case 'escape':
        this.dropRef(s, op.ref, op.op);
        return;
      case 'pair':
        if (op.base) this.acquirePair(s, op.base, op.name, op.start, op.end);
        return;
      case 'transfer':
        for (const r of op.refs) this.dropRef(s, r, 'escape');
        return;
      case 'summary': {
        if (!op.refs.some((r) => this.refHolds(s, r))) return;
        const summary = this.ctx.summary(op.name);
        if (!summary) return;
        op.refs.forEach((r, i) => {
          if (summary.releases[i]) this.dropRef(s, r, 'release');
          else if (summary.escapes[i]) this.dropRef(s, r, 'escape');
        });
        return;
      }
      case 'returned':
        for (const r of op.refs) this.dropRef(s, r, 'escape');
        return;
    }
  }

  private bind(s: State, target: Target, value: Value, start: number, end: number): void {
    if (target.kind === 'ignore') return;
    if (target.kind === 'escape') {
      if (value.kind === 'var') this.dropKey(s, value.key, 'escape');
      else if (value.kind === 'aggregate') for (const k of value.keys) this.dropKey(s, k, 'escape');
      return;
    }
    const key = target.key;
    const cleanup = this.cfg.cleanupVars.has(key);
    switch (value.kind) {
      case 'acquire': {
        this.overwrite(s, key, start, end);
        s.status.delete(key);
        if (cleanup) {
          s.vars.delete(key);
          return;
        }
        s.vars.set(key, new Set([this.token(`T${value.start}`, value.start, value.end, value.name, key), INVALID]));
        return;
      }
      case 'status': {
        this.overwrite(s, key, start, end);
        s.vars.delete(key);
        const pair = [`T${value.start}:0`, `T${value.start}:1`].filter((t) => this.tokens.has(t));
        if (pair.length) s.status.set(key, new Set(pair));
        else s.status.delete(key);
        return;
      }
      case 'var': {
        if (value.key === key) return;
        if (cleanup) {
          this.dropKey(s, value.key, 'escape');
          return;
        }
        this.overwrite(s, key, start, end);
        const src = s.vars.get(value.key);
        if (src) s.vars.set(key, new Set(src));
        else s.vars.delete(key);
        const st = s.status.get(value.key);
        if (st) s.status.set(key, new Set(st));
        else s.status.delete(key);
        return;
      }
      case 'invalid':
        this.overwrite(s, key, start, end);
        s.vars.set(key, new Set([INVALID]));
        s.status.delete(key);
        return;
      case 'aggregate':
        this.overwrite(s, key, start, end);
        for (const k of value.keys) this.dropKey(s, k, 'escape');
        s.vars.delete(key);
        s.status.delete(key);
        return;
      case 'other':
        this.overwrite(s, key, start, end);
        s.vars.delete(key);
        s.status.delete(key);
        return;
    }
  }

  private token(id: string, start: number, end: number, name: string, origin: string): string {
    if (!this.tokens.has(id)) {
      let kind: TokenKind = ACQUIRE.get(name) ?? 'fd';
      const base = origin.replace(/\[.*$/, '');
      if (kind === 'fd' && /\bSOCKET\b/.test(this.cfg.declarations.get(base)?.type ?? '')) kind = 'socket';
      this.tokens.set(id, { id, start, end, callName: name, kind, origin, paramIndex: -1 });
    }
    return id;
  }

  /** Assigning over `key`: a live token that no other location holds is lost. */
  private overwrite(s: State, key: string, start: number, end: number): void {
    const set = s.vars.get(key);
    if (!set || !this.recording || this.mode !== 'report') return;
    const lost = new Set<string>();
    const self = new Set([key]);
    for (const t of tokensOf(set)) if (!heldElsewhere(s, t, self)) lost.add(t);
    if (!lost.size) return;
    const id = `${start}:${key}`;
    const rec = this.overwrites.get(id);
    if (rec) {
      for (const t of lost) rec.tokens.add(t);
      for (const v of set) rec.value.add(v);
    } else {
      this.overwrites.set(id, { start, end, node: this.current, variable: key, tokens: lost, value: new Set(set) });
    }
  }

  private acquirePair(s: State, base: string, name: string, start: number, end: number): void {
    for (const i of [0, 1]) {
      const key = `${base}[${i}]`;
      this.overwrite(s, key, start, end);
      s.vars.set(key, new Set([this.token(`T${start}:${i}`, start, end, name, key), INVALID]));
      s.status.delete(key);
    }
  }

  private refHolds(s: State, r: Ref): boolean {
    if (r.key) return tokensOf(s.vars.get(r.key)).length > 0;
    if (r.prefix) for (const [k, v] of s.vars) if (k.startsWith(r.prefix) && tokensOf(v).length) return true;
    return false;
  }

  private dropRef(s: State, r: Ref, how: 'release' | 'escape'): void {
    if (r.key) this.dropKey(s, r.key, how);
    else if (r.prefix) for (const k of [...s.vars.keys()]) if (k.startsWith(r.prefix)) this.dropKey(s, k, how);
  }

  /** The resource(s) in `key` are released or handed over: every location holding them lets go. */
  private dropKey(s: State, key: string, how: 'release' | 'escape'): void {
    const dropped = tokensOf(s.vars.get(key));
    if (!dropped.length) return;
    const stmt = this.cfg.nodes[this.current]!.ast;
    const offset = stmt ? stmt.startIndex : -1;
    if (stmt && !this.sites.has(offset)) this.sites.set(offset, stmt);
    const marker = releasedAt(offset);
    for (const set of s.vars.values()) {
      let hit = false;
      for (const t of dropped) if (set.delete(t)) hit = true;
      if (hit) set.add(marker);
    }
    for (const t of dropped) {
      const info = this.tokens.get(t);
      if (info && info.paramIndex >= 0) {
        if (how === 'release') this.paramReleased[info.paramIndex] = true;
        else this.paramEscaped[info.paramIndex] = true;
      }
    }
  }

  // ---------------------------------------------------------------- guards

  private refine(s: State, guard: Guard, branch: boolean): void {
    const c = this.constraint(guard, branch, s);
    if (!c.kill.size && !c.valid.size) return;
    for (const [k, set] of s.vars) {
      let killed = false;
      for (const t of c.kill) if (set.delete(t)) killed = true;
      if (killed) set.add(INVALID);
      let valid = false;
      for (const t of c.valid) if (set.has(t)) valid = true;
      if (valid) {
        set.delete(INVALID);
        set.delete(UNSET);
      }
      if (set.size === 0) s.vars.delete(k);
    }
  }

  private constraint(g: Guard, branch: boolean, s: State): Constraint {
    switch (g.g) {
      case 'none':
        return EMPTY;
      case 'not':
        return this.constraint(g.a, !branch, s);
      case 'and':
      case 'or': {
        // Both sides hold on the true edge of &&, and on the false edge of ||.
        const both = (g.g === 'and') === branch;
        const a = this.constraint(g.a, branch, s);
        const b = this.constraint(g.b, branch, s);
        return both ? union(a, b) : intersect(a, b);
      }
      case 'cmp': {
        const rel = branch ? g.rel : NEGATE[g.rel];
        if (g.subject.kind === 'pair') {
          const start = g.subject.start;
          return this.status([`T${start}:0`, `T${start}:1`].filter((t) => this.tokens.has(t)), rel, g.c);
        }
        const key = g.subject.key;
        const status = s.status.get(key);
        if (status) return this.status([...status], rel, g.c);
        const out: Constraint = { kill: new Set(), valid: new Set() };
        for (const t of tokensOf(s.vars.get(key))) {
          const kind = this.tokens.get(t)?.kind ?? 'fd';
          if (invalidFor(kind, rel, g.c)) out.kill.add(t);
          else if (validFor(kind, rel, g.c)) out.valid.add(t);
        }
        return out;
      }
    }
  }

  private status(tokens: string[], rel: Rel, c: number): Constraint {
    if (statusFailed(rel, c)) return { kill: new Set(tokens), valid: new Set() };
    if (statusSucceeded(rel, c)) return { kill: new Set(), valid: new Set(tokens) };
    return EMPTY;
  }

  // ---------------------------------------------------------------- exits

  /**
   * At an exit, every live token that only `dying` holds (all locations when null) leaks.
   * One record per exit and variable.
   */
  private leakCheck(s: State, dying: Set<string> | null, exit: ExitSite): void {
    if (!this.recording) return;
    const keys = dying ?? new Set(s.vars.keys());
    const found = new Map<string, Set<string>>();
    for (const k of keys) {
      for (const t of tokensOf(s.vars.get(k))) {
        if (dying && heldElsewhere(s, t, dying)) continue;
        const info = this.tokens.get(t);
        if (!info) continue;
        if (info.paramIndex >= 0) {
          this.paramLive[info.paramIndex] = true;
          continue;
        }
        const origin = keys.has(info.origin) && s.vars.get(info.origin)?.has(t) ? info.origin : k;
        let set = found.get(origin);
        if (!set) found.set(origin, (set = new Set()));
        set.add(t);
      }
    }
    if (this.mode !== 'report') return;
    for (const [variable, tokens] of found) {
      const id = `${exit.kind}:${exit.node.startIndex}:${exit.node.endIndex}:${variable}`;
      const rec = this.leaks.get(id);
      const value = s.vars.get(variable) ?? new Set<string>();
      if (rec) {
        for (const t of tokens) rec.tokens.add(t);
        for (const v of value) rec.value.add(v);
      } else this.leaks.set(id, { exit, variable, tokens, value: new Set(value) });
    }
  }
}

function union(a: Constraint, b: Constraint): Constraint {
  return { kill: new Set([...a.kill, ...b.kill]), valid: new Set([...a.valid, ...b.valid]) };
}

function intersect(a: Constraint, b: Constraint): Constraint {
  return { kill: new Set([...a.kill].filter((t) => b.kill.has(t))), valid: new Set([...a.valid].filter((t) => b.valid.has(t))) };
}
