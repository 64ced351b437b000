import type { Pred } from '../builder';

/**
 * A statement that a `break` leaves or a `continue` repeats (a loop, a switch, a labelled
 * statement), as the per-language CFG builders keep them on a stack, innermost last.
 */
export interface JumpFrame {
  /** The statement's label (`outer:`), or null. */
  readonly label: string | null;
  /** A `continue` may target it: a loop (or a C switch inside one, which passes `continue` on to that loop). */
  readonly loop: boolean;
  /** An unlabelled `break` may target it: loops and switches, not a labelled block. */
  readonly breakable: boolean;
  /** The open edges of the `break`s that leave it: they join the statement's exits. */
  readonly breaks: Pred[];
  /** The node a `continue` goes to (-1: none). */
  readonly continueTo: number;
}

/**
 * The frame a `break` (`isBreak`) or `continue`, with its `label` or none, goes to: the innermost one
 * that takes it. `asJump` gives a stack entry's jump frame (null for entries that are no jump target,
 * such as exception handlers). Returns its index in `frames`, or -1 (a jump with no target: malformed code).
 */
export function findJumpTarget<F>(frames: readonly F[], isBreak: boolean, label: string | null, asJump: (f: F) => JumpFrame | null): number {
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = asJump(frames[i]!);
    if (!f) continue;
    const takes = label !== null ? f.label === label && (isBreak || f.loop) : isBreak ? f.breakable : f.loop;
    if (takes) return i;
  }
  return -1;
}

/**
 * A statement that breaks leave and that is not a loop: a labelled block (Java's `found: { … break
 * found; … }`, whose frame takes only a `break` naming its label), or a switch or select whose arms
 * `body` builds (Go). Its frame is on the stack `frames` while `body` builds the statement. Returns
 * the statement's ends, then its breaks.
 */
export function breakableStatement<F>(frames: F[], frame: F & JumpFrame, body: () => Pred[]): Pred[] {
  frames.push(frame);
  const out = body();
  frames.pop();
  return [...out, ...frame.breaks];
}

/**
 * A `break` (`isBreak`) or `continue` arriving at its frame from `preds` (past whatever it had to leave
 * on the way: dying variables, finally copies): a break joins the statement's exits, a continue goes
 * to the frame's continue target.
 */
export function arriveAt(frame: JumpFrame, isBreak: boolean, preds: readonly Pred[], connect: (preds: readonly Pred[], to: number) => void): void {
  if (isBreak) frame.breaks.push(...preds);
  else connect(preds, frame.continueTo);
}
