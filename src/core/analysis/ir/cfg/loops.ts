import type { Pred } from '../builder';
import type { JumpFrame } from './jumps';

/**
 * A loop (while, for, do-while, range/for-each): `frame` is its jump frame, on the stack `frames`
 * while `body` builds the loop body (from the edges the caller gave it); the end of the body goes to
 * `frame.continueTo` (where `continue` goes too: the condition, the update, or the loop head). Then
 * `exits` gives the edges that leave the loop normally (the condition's false edge, an `else` block
 * run after it); the `break`s join them. Returns the open edges after the loop.
 */
export function buildLoop<F>(
  frames: F[], frame: F & JumpFrame, connect: (preds: readonly Pred[], to: number) => void,
  body: () => Pred[], exits: () => Pred[],
): Pred[] {
  frames.push(frame);
  const out = body();
  frames.pop();
  connect(out, frame.continueTo);
  return [...exits(), ...frame.breaks];
}

/**
 * A loop tested before each iteration by the two-way node `cond` (slot 0: it holds, slot 1: it does
 * not): while, for, a range or for-each loop whose head node says whether another element comes.
 * The body (`body`, from the true edge) ends at `frame.continueTo` (the condition, or a for loop's
 * update, which goes on to the condition); the false edge and the breaks leave the loop.
 */
export function whileLoop<F>(
  frames: F[], frame: F & JumpFrame, connect: (preds: readonly Pred[], to: number) => void, cond: number, body: (preds: Pred[]) => Pred[],
): Pred[] {
  return buildLoop(frames, frame, connect, () => body([{ from: cond, slot: 0 }]), () => [{ from: cond, slot: 1 }]);
}

/**
 * `do body while (cond)`: the body runs first, from the join node `start` that the condition's true
 * edge goes back to; `continue` goes to the condition (`frame.continueTo`, a two-way node), whose
 * false edge and the breaks leave the loop.
 */
export function doWhileLoop<F>(
  frames: F[], frame: F & JumpFrame, connect: (preds: readonly Pred[], to: number) => void, start: number, body: (preds: Pred[]) => Pred[],
): Pred[] {
  const cond = frame.continueTo;
  connect([{ from: cond, slot: 0 }], start);
  return buildLoop(frames, frame, connect, () => body([{ from: start, slot: -1 }]), () => [{ from: cond, slot: 1 }]);
}
