import type { Pred } from '../builder';
import { throughFinallies } from './finally';
import { catchClauses } from './handlers';
import { findJumpTarget, type JumpFrame } from './jumps';

/**
 * Exception routing for a language with try / catch / finally (Java; any language whose handlers and
 * clean-ups nest lexically): the frames a statement is built inside, innermost last, and where an
 * exception raised there goes. A statement that may throw gets an exceptional edge to the innermost
 * catch or finally around it (through a node where the variables of the scopes it leaves die), or
 * out of the function; a `finally` (or an implicit close, such as a try-with-resources resource's)
 * is copied onto every path that leaves its try: the normal exit, each jump passing through it
 * (`throughFinally`), and the exceptional path, which rethrows after its copy.
 */

/** What a catch or finally frame has in common: its entry (a join node) and where its scopes start. */
interface RoutedFrame {
  readonly entry: number;
  /** How many scopes were open outside the try: the ones above die on the way to `entry`. */
  readonly scopeDepth: number;
  /** The node where a set of dying variables dies on the way to `entry`, by their names joined: one node per set. */
  readonly cache: Map<string, number>;
}

/** The catch clauses of a try statement; `H` is what the language keeps of them (the types they name). */
export interface HandlerFrame<H> extends RoutedFrame {
  readonly kind: 'handler';
  readonly catches: H;
}

/** A finally block or implicit close: `build` adds one copy of it after the given edges and returns the copy's ends. */
export interface FinallyFrame extends RoutedFrame {
  readonly kind: 'finally';
  readonly build: (preds: Pred[]) => Pred[];
}

/** A loop, switch or labelled statement: a jump target, with the scopes open outside it. */
export type JumpTargetFrame = JumpFrame & { readonly kind: 'jump'; readonly scopeDepth: number };

export type TryFrame<H> = JumpTargetFrame | HandlerFrame<H> | FinallyFrame;

/** What the routing asks of the language's graph builder. */
export interface ExceptionHost {
  readonly connect: (preds: readonly Pred[], to: number) => void;
  /** Adds a join node (no edges yet): the entry of a catch or finally frame. */
  readonly join: () => number;
  /** The variables declared so far in the open scopes from `depth` inward. */
  readonly dying: (depth: number) => string[];
  /** Adds a node where `vars` die on the way of an exception (no edges yet). */
  readonly dyingNode: (vars: string[]) => number;
  /** Adds an exit of the function for exceptions (no edges yet). */
  readonly throwExit: () => number;
  /** Whether some edge reaches node `id` (a finally's entry: whether its exceptional copy is needed). */
  readonly reached: (id: number) => boolean;
}

export class ExceptionRoutes<H> {
  /** The open frames, innermost last. Loops and switches push their jump frames here too. */
  frames: TryFrame<H>[] = [];
  /** The function's shared exit for exceptions (-1: none yet). */
  throwExit = -1;

  constructor(private readonly host: ExceptionHost) {}

  /**
   * Where an exception raised here goes: to the innermost catch or finally, or out of the function.
   * With `ownExit`, one leaving the function gets an exit of its own rather than the shared one (the
   * end of a finally run on the exceptional path: what that finally closed is not joined at one exit
   * with what an exception raised elsewhere leaves open).
   */
  excTarget(ownExit = false): number {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      if (this.frames[i]!.kind !== 'jump') return this.frameTarget(i);
    }
    return this.frameTarget(-1, ownExit);
  }

  /**
   * Where an exception goes that only the handlers `takes` accepts (an unchecked exception past catches
   * that do not name it): the innermost finally or accepting handler, else out of the function.
   * `escapes` tells whether no accepting handler is around it (a finally runs and lets it go on).
   */
  routeSome(takes: (catches: H) => boolean): { readonly target: number; readonly escapes: boolean } {
    let target = -1;
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i]!;
      if (f.kind === 'jump') continue;
      if (f.kind === 'handler' && !takes(f.catches)) continue;
      if (target < 0) target = this.frameTarget(i);
      if (f.kind === 'handler') return { target, escapes: false };
    }
    return { target: target >= 0 ? target : this.frameTarget(-1), escapes: true };
  }

  /** The entry of frame `i` (a catch or finally) through a node where the scopes inside it die; -1: out of the function. */
  frameTarget(i: number, ownExit = false): number {
    const f = this.frames[i];
    if (f && f.kind !== 'jump') {
      const dying = this.host.dying(f.scopeDepth);
      if (!dying.length) return f.entry;
      const key = dying.join(',');
      const cached = f.cache.get(key);
      if (cached !== undefined) return cached;
      const s = this.host.dyingNode(dying);
      this.host.connect([{ from: s, slot: -1 }], f.entry);
      f.cache.set(key, s);
      return s;
    }
    if (ownExit) return this.host.throwExit();
    if (this.throwExit < 0) this.throwExit = this.host.throwExit();
    return this.throwExit;
  }

  /** The index of the frame a `break` (`isBreak`) or `continue` with `label` (or none) goes to; -1: none. */
  jumpTarget(isBreak: boolean, label: string | null): number {
    return findJumpTarget(this.frames, isBreak, label, (f) => (f.kind === 'jump' ? f : null));
  }

  /** Runs the finally copies of the frames above `target` (innermost first) on the path `preds`. */
  throughFinally(preds: Pred[], target: number): Pred[] {
    const stack = { get: () => this.frames, set: (frames: TryFrame<H>[]) => { this.frames = frames; } };
    return throughFinallies(stack, target, preds, (f) => (f.kind === 'finally' ? f.build : null));
  }

  /**
   * A block guarded by the clean-up `build` (a finally block, an implicit close): `body` is built with
   * its frame open; the normal exit then runs a copy, and, where an exception reached the frame, an
   * exceptional copy runs whose end `rethrow` sends on outward (`rethrow` adds the node that does, and
   * asks `excTarget(true)` where it goes). `scopeDepth`: the scopes open outside the guarded block.
   * Returns the normal copy's ends.
   */
  guarded(build: (preds: Pred[]) => Pred[], scopeDepth: number, body: () => Pred[], rethrow: (out: Pred[]) => void): Pred[] {
    const frame: FinallyFrame = { kind: 'finally', build, entry: this.host.join(), scopeDepth, cache: new Map() };
    this.frames.push(frame);
    const out = body();
    this.frames.pop();
    const normal = out.length ? build(out) : [];
    if (this.host.reached(frame.entry)) {
      const exceptional = build([{ from: frame.entry, slot: -1 }]);
      if (exceptional.length) rethrow(exceptional);
    }
    return normal;
  }

  /**
   * A try body with catch clauses: the body's exceptions go to the handler (`catches`: what the
   * language keeps of its clauses), whose every clause is entered from the handler's entry (`clause`
   * builds one, with the frames outside the try still open). Returns the body's ends, then the clauses'.
   */
  handled<C>(catches: H, clauses: readonly C[], scopeDepth: number, body: () => Pred[], clause: (c: C, preds: Pred[]) => Pred[]): Pred[] {
    const frame: HandlerFrame<H> = { kind: 'handler', entry: this.host.join(), scopeDepth, cache: new Map(), catches };
    this.frames.push(frame);
    const out = body();
    this.frames.pop();
    out.push(...catchClauses(frame.entry, clauses, clause));
    return out;
  }
}
