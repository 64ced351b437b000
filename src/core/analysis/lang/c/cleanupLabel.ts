import type { Node } from 'web-tree-sitter';
import { RELEASE, closesByName } from './names';
import { callArgs, calleeName, firstExpression, strip } from './syntax';

/**
 * The function's own cleanup label as the fix of a leaking `return` (C only): when the function
 * already ends in
 *
 *     fail:
 *         if (fd >= 0) close(fd);
 *         return -1;
 *
 * the leaking `return -1;` becomes `goto fail;` (cleanupJump gives the label), the project's idiom, instead of a second copy of
 * the release. It is offered only where the jump does exactly what `close(fd); return -1;` would:
 * - the label is a statement of the function's body (never inside a nested block), and what follows
 *   it up to its `return` is only one release of the variable (bare, or guarded by a validity test
 *   of that variable alone); anything else there (another release, an assignment) would run too;
 * - the label's `return` returns the same expression as the leaking one, and that expression cannot
 *   change across the release: a literal or a variable (not `errno`), possibly negated or cast;
 * - a bare release at the label only when the variable is surely valid at the leaking return.
 * C++ is left out: a jump past an initialised declaration does not compile there.
 */
export function cleanupJump(labels: readonly CleanupLabel[], ret: Node, variable: string, mayBeInvalid: boolean): string | null {
  const expr = firstExpression(ret);
  for (const l of labels) {
    if (ret.startIndex >= l.start && ret.endIndex <= l.end) continue;
    const release = releaseOf(l.statement, variable);
    if (!release || (mayBeInvalid && !release.guarded)) continue;
    // A project's own closer may touch more than the descriptor: then only a literal is surely unchanged.
    if (expr && !stable(expr, variable, release.standard)) continue;
    if ((expr?.text ?? null) !== (firstExpression(l.ret)?.text ?? null)) continue;
    return l.name;
  }
  return null;
}

/** A label of the function's body followed by one statement and a `return` (the shape cleanupJump can use). */
export interface CleanupLabel {
  readonly name: string;
  readonly statement: Node;
  readonly ret: Node;
  /** From the label to the end of its `return`. */
  readonly start: number;
  readonly end: number;
}

/** The function's cleanup labels, found once per function (a function may have thousands of exits). */
export function cleanupLabels(fn: Node): CleanupLabel[] {
  const body = fn.childForFieldName('body');
  if (!body || body.type !== 'compound_statement') return [];
  const kids = body.namedChildren.filter((k): k is Node => !!k && k.type !== 'comment');
  const labels: CleanupLabel[] = [];
  for (let i = 0; i + 1 < kids.length; i++) {
    const labelled = kids[i]!;
    if (labelled.type !== 'labeled_statement') continue;
    const name = labelled.childForFieldName('label')?.text;
    const statement = labelled.namedChildren.filter((k): k is Node => !!k && k.type !== 'comment' && k.type !== 'statement_identifier').at(-1);
    const ret = kids[i + 1]!;
    if (!name || !statement || ret.type !== 'return_statement') continue;
    labels.push({ name, statement, ret, start: labelled.startIndex, end: ret.endIndex });
  }
  return labels;
}

/** Is `stmt` one release of `v`: `close(v);`, or `if (<validity test of v>) close(v);` (braced or not)? */
function releaseOf(stmt: Node, v: string): { guarded: boolean; standard: boolean } | null {
  if (stmt.type === 'expression_statement') {
    const call = releaseCall(stmt, v);
    return call ? { guarded: false, standard: call === 'standard' } : null;
  }
  if (stmt.type !== 'if_statement' || stmt.childForFieldName('alternative')) return null;
  if (!validityTest(strip(stmt.childForFieldName('condition')), v)) return null;
  let then = stmt.childForFieldName('consequence');
  if (then?.type === 'compound_statement') {
    const inner = then.namedChildren.filter((k): k is Node => !!k && k.type !== 'comment');
    then = inner.length === 1 ? inner[0]! : null;
  }
  const call = then?.type === 'expression_statement' ? releaseCall(then, v) : null;
  return call ? { guarded: true, standard: call === 'standard' } : null;
}

/** A call releasing `v`: of the C library ('standard') or of the project (`Curl_closesocket(conn, v)`). */
function releaseCall(stmt: Node, v: string): 'standard' | 'project' | null {
  const call = strip(firstExpression(stmt));
  if (call?.type !== 'call_expression') return null;
  const name = calleeName(call);
  if (!name || !(RELEASE.has(name) || closesByName(name))) return null;
  if (!callArgs(call).some((a) => (strip(a)?.text ?? a.text) === v)) return null;
  return RELEASE.has(name) ? 'standard' : 'project';
}

/** `v >= 0`, `v > 0`, `v != -1`, `v != INVALID_SOCKET`, `v != NULL`, `v` (and the mirrored forms). */
function validityTest(cond: Node | null, v: string): boolean {
  if (!cond) return false;
  if (cond.text === v) return true;
  if (cond.type !== 'binary_expression') return false;
  const op = cond.childForFieldName('operator')?.text;
  const left = strip(cond.childForFieldName('left'));
  const right = strip(cond.childForFieldName('right'));
  if (!left || !right || !op) return false;
  const [other, flipped] = left.text === v ? [right, false] : right.text === v ? [left, true] : [null, false];
  if (!other || !constant(other)) return false;
  const ops = flipped ? ['<=', '<', '!='] : ['>=', '>', '!='];
  return ops.includes(op);
}

function constant(n: Node): boolean {
  if (n.type === 'number_literal' || n.type === 'null') return true;
  if (n.type === 'unary_expression') return n.childForFieldName('operator')?.text === '-' && strip(n.childForFieldName('argument'))?.type === 'number_literal';
  return n.type === 'identifier' && /^[A-Z][A-Z0-9_]*$/.test(n.text);
}

/** A returned value a release cannot change: a literal, or (`variables`) a variable other than `errno` and the released one. */
function stable(expr: Node, released: string, variables: boolean): boolean {
  const e = strip(expr);
  if (!e) return false;
  switch (e.type) {
    case 'number_literal': case 'true': case 'false': case 'null': case 'string_literal': case 'char_literal':
      return true;
    case 'identifier':
      return (variables || /^[A-Z][A-Z0-9_]*$/.test(e.text)) && e.text !== 'errno' && e.text !== released;
    case 'unary_expression':
      return ['-', '!', '~'].includes(e.childForFieldName('operator')?.text ?? '') && stable(e.childForFieldName('argument')!, released, variables);
    default:
      return false;
  }
}
