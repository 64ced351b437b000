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
