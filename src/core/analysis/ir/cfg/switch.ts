import type { Pred } from '../builder';

/**
 * How a switch body part enters the graph (C and Java `switch`, where control falls from one case
 * group into the next unless it breaks):
 * - 'case': a case label group: a join node entered from the dispatch and from the previous part's end;
 * - 'rule': an arrow rule (`case X -> …`): entered only from the dispatch, its end leaves the switch;
 * - 'statement': a statement of the body outside any case group: reached only by falling into it;
 * - 'skip': not a part of the body's control flow.
 */
export type SwitchPart = 'case' | 'rule' | 'statement' | 'skip';

export interface FallthroughSwitchSpec<P> {
  readonly connect: (preds: readonly Pred[], to: number) => void;
  /** Adds the join node of a case group. */
  readonly join: () => number;
  readonly part: (p: P) => SwitchPart;
  /** Builds a part's statements from `preds`. */
  readonly body: (p: P, preds: Pred[]) => Pred[];
  /** Whether a `default` label was seen (asked once every part is built). */
  readonly hasDefault: () => boolean;
}

/**
 * A switch with implicit fallthrough from node `dispatch`, whose `break`s collect in `breaks`.
 * Returns the open edges after it: the last part's end, the breaks (and the rules' ends), and,
 * without a `default`, the dispatch itself (no case matched).
 */
export function fallthroughSwitch<P>(dispatch: number, parts: Iterable<P>, breaks: Pred[], spec: FallthroughSwitchSpec<P>): Pred[] {
  let fall: Pred[] = [];
  for (const p of parts) {
    const kind = spec.part(p);
    if (kind === 'skip') continue;
    if (kind === 'statement') {
      fall = spec.body(p, fall);
      continue;
    }
    const entry = spec.join();
    spec.connect([{ from: dispatch, slot: -1 }], entry);
    if (kind === 'case') spec.connect(fall, entry);
    const out = spec.body(p, [{ from: entry, slot: -1 }]);
    if (kind === 'rule') breaks.push(...out);
    else fall = out;
  }
  const out = [...fall, ...breaks];
  if (!spec.hasDefault()) out.push({ from: dispatch, slot: -1 });
  return out;
}

/**
 * The arms of a switch or match without implicit fallthrough (Go's `switch`/`select`, Python's
 * `match`): every arm is entered from the dispatch node, and, in Go, from the `fallthrough`
 * statements of the arm before it (`fallthrough` hands them over here).
 */
export class DispatchArms {
  private readonly falls: Pred[][] = [];

  /** A `fallthrough` statement at the end of an arm: its edges enter the next arm. */
  fallthrough(preds: readonly Pred[]): void {
    this.falls[this.falls.length - 1]?.push(...preds);
  }

  /** Builds each arm from `[dispatch, …fallthroughs of the arm before]`; returns the arms' ends in order. */
  build<A>(dispatch: number, arms: Iterable<A>, body: (arm: A, preds: Pred[]) => Pred[]): Pred[] {
    const outs: Pred[] = [];
    let fall: Pred[] = [];
    for (const a of arms) {
      this.falls.push([]);
      const out = body(a, [{ from: dispatch, slot: -1 }, ...fall]);
      fall = this.falls.pop()!;
      outs.push(...out);
    }
    return outs;
  }
}
