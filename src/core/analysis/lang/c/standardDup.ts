import type { Node } from 'web-tree-sitter';
import { callArgs, calleeName, constantValue, EXPECT_HINTS, strip } from './syntax';
import { isRel, MIRROR, type Rel } from '../../ir/ir';

/**
 * Returns reached only when a call that practically never fails failed (a short, documented table):
 *
 * - the daemonize idiom: a descriptor (mostly a fresh `/dev/null`) is `dup2`ed onto the standard
 *   descriptors 0, 1 and 2, and the function returns an error when that fails:
 *   `if (dup2(fd, STDIN_FILENO) == -1) { log(...); return ERROR; }`. `dup2` onto 0-2 of a
 *   descriptor the process holds practically never fails (`EINTR`, `EBUSY` at most), and the
 *   caller then exits;
 * - `setenv(NAME, value, overwrite)` and `unsetenv(NAME)` with `NAME` a string literal that is a
 *   valid name (not empty, no `=`): they fail only when memory runs out (`ENOMEM`). Returns 0, or -1.
 *
 * A leak at a `return` that only such a failure reaches is real only in the pedantic sense: it is
 * reported below warning severity.
 */

const STANDARD_NUMBERS: ReadonlyMap<string, number> = new Map([['STDIN_FILENO', 0], ['STDOUT_FILENO', 1], ['STDERR_FILENO', 2]]);
/** Far enough up for any real nesting; past it, the rule stays out. */
const MAX_UP = 64;

/** The calls of the table above: a function calling none of them has no such return. */
export const UNLIKELY_FAILING: ReadonlySet<string> = new Set(['dup2', 'setenv', 'unsetenv']);

/**
 * Is this `return` statement reached only where a call of the table failed? It must lie in the
 * branch of an `if` that its condition (having that truth value) says the call failed on, and that
 * branch must hold no label (a `goto` from elsewhere could enter it), inside the same function.
 * Returns what failed, for the message (`dup2() onto a standard descriptor`, `setenv()`), else null.
 * `parentOf` holds the syntactic parents the CFG builder recorded (cheaper than `Node.parent`).
 */
export function onlyAfterUnlikelyFailure(ret: Node, parentOf: ReadonlyMap<number, Node>, hints: ReadonlySet<string> = EXPECT_HINTS): string | null {
  let child = ret;
  for (let i = 0; i < MAX_UP; i++) {
    const p = parentOf.get(child.id) ?? child.parent;
    if (!p) return null;
    if (p.type === 'function_definition' || p.type === 'lambda_expression') return null;
    if (p.type === 'if_statement') {
      const truth = branchOf(p, child);
      const failed = truth === null ? null : failedWhen(p.childForFieldName('condition'), truth, 0, hints);
      if (failed !== null) return hasLabel(child) ? null : failed;
    }
    child = p;
  }
  return null;
}

const DUP2_FAILED = 'dup2() onto a standard descriptor';

/** Does the statement hold a label (a `goto` target; `case` labels are reached through the statement)? */
function hasLabel(stmt: Node): boolean {
  return stmt.type === 'labeled_statement' || stmt.descendantsOfType('labeled_statement').length > 0;
}

/** Which branch of `ifNode` holds `child`: true for the consequence, false for the else, null for the condition. */
function branchOf(ifNode: Node, child: Node): boolean | null {
  if (child.id === ifNode.childForFieldName('consequence')?.id) return true;
  if (child.id === ifNode.childForFieldName('alternative')?.id) return false;
  return null;
}

/** Does `cond` having the value `truth` imply that some call of the table in it failed? What failed, else null. */
function failedWhen(cond: Node | null, truth: boolean, depth: number, hints: ReadonlySet<string>): string | null {
  const e = strip(cond);
  if (!e || depth > 32) return null;
  if (e.type === 'unary_expression' && e.child(0)?.type === '!') return failedWhen(e.childForFieldName('argument'), !truth, depth + 1, hints);
  if (e.type === 'call_expression') {
    const name = calleeName(e);
    // A branch-prediction hint passes its first argument's value on.
    if (name !== null && hints.has(name)) return failedWhen(callArgs(e)[0] ?? null, truth, depth + 1, hints);
    // A bare `if (dup2(fd, n))` tests the result against 0.
    return failsWith(e, '!=', 0, truth);
  }
  if (e.type === 'assignment_expression' && e.childForFieldName('operator')?.text === '=') {
    return failedWhen(e.childForFieldName('right'), truth, depth + 1, hints);
  }
  if (e.type !== 'binary_expression') return null;
  const op = e.childForFieldName('operator')?.type ?? '';
  const l = e.childForFieldName('left');
  const r = e.childForFieldName('right');
  if (!l || !r) return null;
  // `a || b` true: both may be what holds, so both must say failure; false: either being false is enough. `&&` the other way round.
  const both = (a: string | null, b: string | null) => (a !== null && b !== null ? a : null);
  const either = (a: string | null, b: string | null) => a ?? b;
  if (op === '||') return truth ? both(failedWhen(l, true, depth + 1, hints), failedWhen(r, true, depth + 1, hints)) : either(failedWhen(l, false, depth + 1, hints), failedWhen(r, false, depth + 1, hints));
  if (op === '&&') return truth ? either(failedWhen(l, true, depth + 1, hints), failedWhen(r, true, depth + 1, hints)) : both(failedWhen(l, false, depth + 1, hints), failedWhen(r, false, depth + 1, hints));
  if (!isRel(op)) return null;
  const rc = standardOrConstant(r);
  const lCall = assignedCall(l);
  if (rc !== null && lCall) return failsWith(lCall, op, rc, truth);
  const lc = standardOrConstant(l);
  const rCall = assignedCall(r);
  if (lc !== null && rCall) return failsWith(rCall, MIRROR[op], lc, truth);
  return null;
}

/**
 * A call of the table returns its success value n (`dup2(x, n)`: n; `setenv`: 0) or -1. `result REL c`
 * having the value `truth` implies failure when n does not give it that value.
 */
function failsWith(call: Node, rel: Rel, c: number, truth: boolean): string | null {
  const ok = successValue(call);
  return ok !== null && compare(ok.value, rel, c) !== truth ? ok.failed : null;
}

/** What a call of the table returns on success, and what its failure is called; null for any other call. */
function successValue(call: Node): { value: number; failed: string } | null {
  const name = calleeName(call);
  if (name === 'dup2') {
    const n = standardTarget(call);
    return n === null ? null : { value: n, failed: DUP2_FAILED };
  }
  if (name === 'setenv' || name === 'unsetenv') {
    const args = callArgs(call);
    const first = strip(args[0] ?? null);
    if (args.length !== (name === 'setenv' ? 3 : 1) || first?.type !== 'string_literal') return null;
    const text = first.text.slice(1, -1);
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) ? { value: 0, failed: `${name}()` } : null;
  }
  return null;
}

/** The standard descriptor (0, 1, 2) a `dup2` call targets, else null (also for any other call). */
function standardTarget(call: Node): number | null {
  if (calleeName(call) !== 'dup2') return null;
  const args = callArgs(call);
  if (args.length !== 2) return null;
  const n = standardOrConstant(args[1]!);
  return n !== null && n >= 0 && n <= 2 ? n : null;
}

/** The call of `dup2(...)` or `(r = dup2(...))`, else null. */
function assignedCall(n: Node): Node | null {
  let e = strip(n);
  if (e?.type === 'assignment_expression' && e.childForFieldName('operator')?.text === '=') e = strip(e.childForFieldName('right'));
  return e?.type === 'call_expression' ? e : null;
}

function standardOrConstant(n: Node): number | null {
  const s = strip(n);
  if (s?.type === 'identifier' && STANDARD_NUMBERS.has(s.text)) return STANDARD_NUMBERS.get(s.text)!;
  return s?.type === 'number_literal' || s?.type === 'unary_expression' ? constantValue(s) : null;
}

function compare(a: number, rel: Rel, b: number): boolean {
  switch (rel) {
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '==': return a === b;
    case '!=': return a !== b;
  }
}

