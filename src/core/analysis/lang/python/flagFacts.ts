import type { Node } from 'web-tree-sitter';
import { factPrograms } from '../../engine/facts';
import { isRel, MIRROR, type FactProgram, type FactTest } from '../../ir/ir';
import type { PyCfg } from './cfg';
import { DEFERRED, named, strip, targetNames, walk } from './syntax';

/**
 * Facts about a function's flags (engine/facts.ts), so that two branches on one flag are correlated:
 * `err = None` then `while not err:` enters the loop, `done = True` then `if not done:` is not taken.
 * A name is followed through three keys: `t:name`, its truth (0 false, 1 true), `n:name`, whether it is
 * None (0 None, 1 anything else), and `v:name`, its value when an integer literal gave it: `x = None`,
 * `x = True`/`False`, `x = 0`/`1`/`-1` assign them, and `x`, `not x`, `x is None`, `x is not None`
 * (`==`/`!=` too), `x == 0`, `x != 0`, `x < 2`… (an integer literal on either side), `and`/`or` test them.
 * A status code set before a `try` and reset at its end (`rc = 1` … `rc = 0`) is read again after it by
 * `if rc != 0:` (issue 13, mosquitto's test scripts). Anything else that binds
 * the name forgets both (an assignment of another value, a loop target, `with … as x`, `except … as x`,
 * a walrus, `del`); a name that code elsewhere may rebind (`global`, `nonlocal` here or in a nested
 * function, an import, a match capture) is never followed.
 */

/** What the lowering tells about each IR node (see ./lower). */
export interface FactNodes {
  /** Per IR node: the Python CFG node it was lowered from (-1 for none). */
  readonly origin: readonly number[];
  /** Python CFG node → the IR node that runs its effects (where an assignment surely happened). */
  readonly main: ReadonlyMap<number, number>;
  /** IR node → the condition it branches on (cond nodes). */
  readonly conditions: ReadonlyMap<number, Node>;
}

const truth = (v: string) => `t:${v}`;
const noneness = (v: string) => `n:${v}`;
const valueKey = (v: string) => `v:${v}`;

/** The value of an integer literal (`3`, `0x10`, `-1`, `1_000`), or null. */
function integerValue(e: Node | null): number | null {
  const x = strip(e);
  if (x?.type === 'integer') {
    // Python 3's forms (`10`, `0x1f`, `0o17`, `0b1`, `1_000`) read as JavaScript reads them; `10L` (Python 2)
    // and `1j` are not integers here.
    const text = x.text.replace(/_/g, '');
    if (/^0\d/.test(text)) return null; // `010`: octal in Python 2, an error in Python 3
    const v = Number(text);
    return Number.isSafeInteger(v) ? v : null;
  }
  if (x?.type === 'unary_operator') {
    const op = x.childForFieldName('operator')?.text;
    const v = integerValue(x.childForFieldName('argument'));
    return v === null ? null : op === '-' ? -v : op === '+' ? v : null;
  }
  return null;
}

/** The fact test of a condition over plain names, or null when it tests nothing followed. */
function test(cond: Node | null, ids: Map<string, string[]>, depth = 0): FactTest | null {
  const c = strip(cond);
  if (!c || depth > 16) return null;
  switch (c.type) {
    case 'identifier':
      ids.set(truth(c.text), [c.text]);
      return { f: 'cmp', key: truth(c.text), rel: '!=', c: 0 };
    case 'not_operator': {
      const a = test(c.childForFieldName('argument'), ids, depth + 1);
      return a ? { f: 'not', a } : null;
    }
    case 'boolean_operator': {
      const op = c.childForFieldName('operator')?.type;
      if (op !== 'and' && op !== 'or') return null;
      const a = test(c.childForFieldName('left'), ids, depth + 1) ?? { f: 'none' as const };
      const b = test(c.childForFieldName('right'), ids, depth + 1) ?? { f: 'none' as const };
      return a.f === 'none' && b.f === 'none' ? null : { f: op, a, b };
    }
    case 'comparison_operator': {
      const parts = named(c);
      if (parts.length !== 2) return null;
      const op = c.childrenForFieldName('operators').map((o) => o?.text.replace(/\s+/g, ' '))[0];
      const [l, r] = [strip(parts[0]!), strip(parts[1]!)];
      // `rc != 0`, `0 < n`: a name against an integer literal (`v:name`, assigned only by integer literals).
      const rel = op !== undefined && isRel(op) ? op : undefined;
      if (rel && l?.type === 'identifier' && integerValue(r) !== null) {
        ids.set(valueKey(l.text), [l.text]);
        return { f: 'cmp', key: valueKey(l.text), rel, c: integerValue(r)! };
      }
      if (rel && r?.type === 'identifier' && integerValue(l) !== null) {
        ids.set(valueKey(r.text), [r.text]);
        return { f: 'cmp', key: valueKey(r.text), rel: MIRROR[rel], c: integerValue(l)! };
      }
      const subject = l?.type === 'identifier' && r?.type === 'none' ? l : r?.type === 'identifier' && l?.type === 'none' ? r : null;
      if (!subject) return null;
      ids.set(noneness(subject.text), [subject.text]);
      if (op === 'is' || op === '==') return { f: 'cmp', key: noneness(subject.text), rel: '==', c: 0 };
      if (op === 'is not' || op === '!=') return { f: 'cmp', key: noneness(subject.text), rel: '!=', c: 0 };
      return null;
    }
    default:
      return null;
  }
}

/** `x = None` / `True` / `False` / an integer: the values of x's keys afterwards (`v` only for an integer), else null. */
function constantAssignment(stmt: Node | null): { name: string; t: number; n: number; v?: number } | null {
  if (stmt?.type !== 'expression_statement') return null;
  const inner = named(stmt);
  const a = inner.length === 1 ? inner[0]! : null;
  if (a?.type !== 'assignment') return null;
  const left = strip(a.childForFieldName('left'));
  const right = strip(a.childForFieldName('right'));
  if (left?.type !== 'identifier' || !right) return null;
  switch (right.type) {
    case 'none': return { name: left.text, t: 0, n: 0 };
    case 'true': return { name: left.text, t: 1, n: 1 };
    case 'false': return { name: left.text, t: 0, n: 1 };
    case 'integer':
    case 'unary_operator': {
      const v = integerValue(right);
      if (v === null) return null;
      return { name: left.text, t: v === 0 ? 0 : 1, n: 1, v };
    }
    default: return null;
  }
}

/** Every name a piece of code may bind (targets of every kind), outside nested functions and classes. */
function boundNames(roots: readonly Node[], out: Set<string>): void {
  for (const root of roots) {
    walk(root, (n) => {
      if (DEFERRED.has(n.type)) return false;
      switch (n.type) {
        case 'assignment':
        case 'augmented_assignment':
          for (const v of targetNames(n.childForFieldName('left'))) out.add(v);
          return true;
        case 'named_expression': {
          const name = n.childForFieldName('name');
          if (name) out.add(name.text);
          return true;
        }
        case 'as_pattern_target':
        case 'delete_statement':
        case 'for_in_clause':
          for (const v of targetNames(n)) out.add(v);
          for (const id of n.descendantsOfType('identifier')) if (id) out.add(id.text);
          return true;
        default:
          return true;
      }
    });
  }
}

/** Names that may change where no node of the function says: declared global or nonlocal (here or in a nested function), imported, captured by a match. */
function volatileNames(body: Node): Set<string> {
  const out = new Set<string>();
  for (const n of body.descendantsOfType(['global_statement', 'nonlocal_statement', 'import_statement', 'import_from_statement', 'case_pattern', 'except_clause'])) {
    if (!n) continue;
    if (n.type === 'except_clause') {
      // `except E as e:` binds e at the handler (and unbinds it after).
      for (const c of named(n)) {
        if (c.type === 'as_pattern') for (const id of c.descendantsOfType('identifier')) if (id) out.add(id.text);
      }
      const alias = n.childForFieldName('alias');
      if (alias) for (const id of alias.descendantsOfType('identifier')) if (id) out.add(id.text);
      if (alias?.type === 'identifier') out.add(alias.text);
      continue;
    }
    for (const id of n.descendantsOfType(['identifier', 'dotted_name'])) if (id) out.add(id.text.split('.')[0]!);
  }
  return out;
}

/** The fact programs of a function's IR nodes (see the top of this file), or null when no flag is followed. */
export function flagFactPrograms(cfg: PyCfg, body: Node, irSize: number, nodes: FactNodes): (FactProgram | undefined)[] | null {
  const ids = new Map<string, string[]>();
  const tests: (FactTest | null)[] = Array.from({ length: irSize }, () => null);
  for (const [id, cond] of nodes.conditions) tests[id] = test(cond, ids);
  if (!ids.size) return null;
  const perCfg = new Map<number, Set<string>>();
  const writesOf = (i: number): Set<string> => {
    let w = perCfg.get(i);
    if (w) return w;
    w = new Set<string>();
    const n = cfg.nodes[i]!;
    if (n.ast) {
      if (n.kind === 'for') {
        boundNames(n.roots, w);
        for (const v of targetNames(n.ast.childForFieldName('left'))) w.add(v);
      } else if (n.kind === 'def') {
        const def = n.ast.type === 'decorated_definition' ? n.ast.childForFieldName('definition') : n.ast;
        const name = def?.childForFieldName('name');
        if (name) w.add(name.text);
      } else if (n.kind === 'stmt' && n.ast.type === 'delete_statement') {
        for (const v of targetNames(named(n.ast)[0] ?? null)) w.add(v);
      } else if (n.kind !== 'withExit' && n.kind !== 'caught') {
        boundNames(n.roots, w);
      }
    }
    perCfg.set(i, w);
    return w;
  };
  const writes = nodes.origin.map((o) => (o >= 0 ? writesOf(o) : new Set<string>()));
  const sets: { key: string; c: number }[][] = nodes.origin.map(() => []);
  for (const [cfgId, irId] of nodes.main) {
    const n = cfg.nodes[cfgId]!;
    const c = n.kind === 'stmt' ? constantAssignment(n.ast) : null;
    if (c) sets[irId]!.push({ key: truth(c.name), c: c.t }, { key: noneness(c.name), c: c.n });
    if (c?.v !== undefined) sets[irId]!.push({ key: valueKey(c.name), c: c.v });
  }
  return factPrograms({ tests, ids, volatile: volatileNames(body), writes, sets, shifts: nodes.origin.map(() => []) });
}
