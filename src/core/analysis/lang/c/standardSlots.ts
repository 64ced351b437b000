import type { Node } from 'web-tree-sitter';
import { ACQUIRE, STANDARD_FDS } from './names';
import { callArgs, calleeName, constantValue, strip } from './syntax';

/** Calls that tell whether a descriptor number is open. */
const PROBES: ReadonlySet<string> = new Set(['fcntl', 'fstat', 'fstat64']);
const LOOPS: ReadonlySet<string> = new Set(['while_statement', 'do_statement', 'for_statement']);

/**
 * An acquisition inside a loop that runs while a standard descriptor is closed
 * (`while (fcntl(STDIN_FILENO, F_GETFD) == -1 || …) pipe(fd);`): its descriptors are meant to take
 * the lowest free numbers, the standard ones, and stay open for the process. They are none of the
 * function's to close.
 */
export function fillsStandardSlots(acquisition: Node): boolean {
  for (let n = acquisition.parent; n; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'lambda_expression') return expectsStandardNumber(acquisition, n);
    if (!LOOPS.has(n.type)) continue;
    const cond = n.childForFieldName('condition');
    return !!cond && probesStandard(cond);
  }
  return false;
}

/**
 * A descriptor the function compares with a standard descriptor number (`if (fd0 != 0)` after
 * `fd0 = open("/dev/null", …)`, "make sure nothing uses fd 0"), in a variable that only ever holds
 * what an acquisition returned (or an invalid constant): a fresh descriptor can only equal 0, 1 or 2
 * when it took that free slot, so the code means it to fill a standard slot and stay open.
 */
function expectsStandardNumber(acquisition: Node, fn: Node): boolean {
  const name = assignedVariable(acquisition);
  return !!name && standardNumberVariables(fn).has(name);
}

/** Per syntax tree and function (by its start), the variables `expectsStandardNumber` accepts: one pass over each function. */
const byFunction = new WeakMap<object, Map<number, ReadonlySet<string>>>();

function standardNumberVariables(fn: Node): ReadonlySet<string> {
  let perTree = byFunction.get(fn.tree);
  if (!perTree) byFunction.set(fn.tree, (perTree = new Map()));
  const known = perTree.get(fn.startIndex);
  if (known) return known;
  const compared = new Set<string>();
  const excluded = new Set<string>();
  for (const n of fn.descendantsOfType(['binary_expression', 'assignment_expression', 'init_declarator', 'pointer_expression', 'update_expression'])) {
    if (!n) continue;
    if (n.type === 'binary_expression') {
      const op = n.childForFieldName('operator')?.type;
      if (op !== '==' && op !== '!=') continue;
      const l = stripAssigned(n.childForFieldName('left'));
      const r = stripAssigned(n.childForFieldName('right'));
      if (l?.type === 'identifier' && isStandardNumber(r)) compared.add(l.text);
      if (r?.type === 'identifier' && isStandardNumber(l)) compared.add(r.text);
    } else if (n.type === 'pointer_expression' || n.type === 'update_expression') {
      // Its address taken (something else may store into it), or stepped.
      const arg = strip(n.childForFieldName('argument'));
      if (arg?.type === 'identifier' && (n.type === 'update_expression' || n.child(0)?.type === '&')) excluded.add(arg.text);
    } else {
      const target = n.type === 'init_declarator' ? n.childForFieldName('declarator') : strip(n.childForFieldName('left'));
      if (target?.type !== 'identifier') continue;
      const value = strip(n.childForFieldName(n.type === 'init_declarator' ? 'value' : 'right'));
      if ((n.type === 'assignment_expression' && n.childForFieldName('operator')?.text !== '=') || !value || !holdsOnlyAcquired(value)) excluded.add(target.text);
    }
  }
  const out = new Set([...compared].filter((v) => !excluded.has(v)));
  perTree.set(fn.startIndex, out);
  return out;
}

/** The variable an acquisition is assigned to or initialises directly (`v = open(…)`, `int v = open(…)`). */
function assignedVariable(acquisition: Node): string | null {
  let n: Node = acquisition;
  while (n.parent?.type === 'parenthesized_expression' || n.parent?.type === 'cast_expression') n = n.parent;
  const p = n.parent;
  if (!p) return null;
  if (p.type === 'assignment_expression' && p.childForFieldName('right')?.startIndex === n.startIndex) {
    const left = strip(p.childForFieldName('left'));
    return left?.type === 'identifier' ? left.text : null;
  }
  if (p.type === 'init_declarator') {
    const d = p.childForFieldName('declarator');
    return d?.type === 'identifier' ? d.text : null;
  }
  return null;
}

function holdsOnlyAcquired(value: Node): boolean {
  if (value.type === 'call_expression') return ACQUIRE.has(calleeName(value) ?? '');
  const c = constantValue(value);
  return c !== null && c < 0;
}

function stripAssigned(n: Node | null): Node | null {
  const s = strip(n);
  return s?.type === 'assignment_expression' ? strip(s.childForFieldName('left')) : s;
}

/** A standard descriptor written as its number (`STDIN_FILENO` is more often a guard for a variable that may hold stdin). */
function isStandardNumber(n: Node | null): boolean {
  return n?.type === 'number_literal' && ['0', '1', '2'].includes(n.text);
}

function probesStandard(cond: Node): boolean {
  for (const call of [...(cond.type === 'call_expression' ? [cond] : []), ...cond.descendantsOfType('call_expression')]) {
    if (!call || !PROBES.has(calleeName(call) ?? '')) continue;
    const first = strip(callArgs(call)[0] ?? null);
    if (!first) continue;
    if (first.type === 'identifier' && STANDARD_FDS.has(first.text)) return true;
    if (first.type === 'number_literal' && ['0', '1', '2'].includes(first.text)) return true;
  }
  return false;
}
