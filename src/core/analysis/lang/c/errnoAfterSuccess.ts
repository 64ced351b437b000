import type { Node } from 'web-tree-sitter';
import { callArgs, calleeName, EXPECT_HINTS, strip } from './syntax';

/**
 * A `return` reached only when `errno` is set although every call since it was cleared succeeded:
 *
 *     errno = 0;
 *     fp = fopen(path, "rb");
 *     if (fp == NULL) return ERR;               (the failure leaves: fp is not open past it)
 *     if (errno == EISDIR) return ERR;          (leaks fp, but only if the successful fopen set errno)
 *
 * `errno` is 0 after `errno = 0;`, and a library call sets it when it fails; on the path past the validity
 * test the acquisition succeeded, so the test of `errno` holds only if a call that succeeded still left
 * `errno` set (C allows it, implementations practically never do it for the calls that open a descriptor or a
 * stream, and a project's wrapper that reports failure by its result keeps to it as well). A leak there is
 * real only in the pedantic sense and is reported below warning severity, as the `dup2` onto a standard
 * descriptor of standardDup.ts.
 *
 * The shape is read from the syntax, narrowly, so that nothing else can set `errno` on the way: in one block
 * (through `#if` blocks wrapping the test), right before the `if` whose branch holds the `return` and whose
 * condition having that truth value says `errno` is not 0 (`errno == ENOTDIR || errno == EISDIR`, `errno != 0`,
 * `errno`): any number of `if`s without `else` whose condition calls nothing and whose branch always leaves
 * (`return`, `goto`, `break`, `continue`), then one statement that assigns the result of a call (the
 * acquisition), then `errno = 0;`. The branch holding the `return` holds no label (nothing jumps in).
 */

/** Far enough up for any real nesting; past it, the rule stays out. */
const MAX_UP = 64;
const MAX_BACK = 16;

export const ERRNO_SET_AFTER_SUCCESS = 'errno is set though every call since `errno = 0` succeeded';

/** Is this `return` reached only where `errno` was found set after a successful acquisition (see above)? */
export function onlyIfErrnoAfterSuccess(ret: Node, parentOf: ReadonlyMap<number, Node>): boolean {
  let child = ret;
  for (let i = 0; i < MAX_UP; i++) {
    const p = parentOf.get(child.id) ?? child.parent;
    if (!p || p.type === 'function_definition') return false;
    if (p.type === 'if_statement' && child.id === p.childForFieldName('consequence')?.id) {
      if (errnoSetWhen(p.childForFieldName('condition'), true, 0) && !hasLabel(child) && clearedRightBefore(p)) return true;
    } else if (p.type === 'if_statement' && child.id === p.childForFieldName('alternative')?.id) {
      const alt = p.childForFieldName('alternative');
      if (errnoSetWhen(p.childForFieldName('condition'), false, 0) && alt && !hasLabel(alt) && clearedRightBefore(p)) return true;
    }
    child = p;
  }
  return false;
}

function hasLabel(stmt: Node): boolean {
  return stmt.type === 'labeled_statement' || stmt.descendantsOfType('labeled_statement').length > 0;
}

/** Does `cond` having the value `truth` imply `errno != 0`? */
function errnoSetWhen(cond: Node | null, truth: boolean, depth: number): boolean {
  const e = strip(cond);
  if (!e || depth > 32) return false;
  if (e.type === 'identifier') return e.text === 'errno' && truth;
  if (e.type === 'unary_expression' && e.child(0)?.type === '!') return errnoSetWhen(e.childForFieldName('argument'), !truth, depth + 1);
  if (e.type === 'call_expression') {
    const name = calleeName(e);
    return name !== null && EXPECT_HINTS.has(name) && errnoSetWhen(callArgs(e)[0] ?? null, truth, depth + 1);
  }
  if (e.type !== 'binary_expression') return false;
  const op = e.childForFieldName('operator')?.type ?? '';
  const l = e.childForFieldName('left');
  const r = e.childForFieldName('right');
  if (op === '||') return truth ? errnoSetWhen(l, true, depth + 1) && errnoSetWhen(r, true, depth + 1) : errnoSetWhen(l, false, depth + 1) || errnoSetWhen(r, false, depth + 1);
  if (op === '&&') return truth ? errnoSetWhen(l, true, depth + 1) || errnoSetWhen(r, true, depth + 1) : errnoSetWhen(l, false, depth + 1) && errnoSetWhen(r, false, depth + 1);
  if (op !== '==' && op !== '!=') return false;
  const [v, other] = isErrno(l) ? [l, r] : isErrno(r) ? [r, l] : [null, null];
  if (!v || !other) return false;
  const o = strip(other);
  // `errno == EISDIR` (an error-number name) or a non-zero number: true only with errno set; `errno != 0`.
  const nonZero = (o?.type === 'identifier' && /^E[A-Z0-9]+$/.test(o.text)) || (o?.type === 'number_literal' && Number(o.text) !== 0);
  const zero = o?.type === 'number_literal' && Number(o.text) === 0;
  if (op === '==') return (nonZero && truth) || (zero && !truth);
  return zero && truth;
}

function isErrno(n: Node | null): boolean {
  return strip(n)?.type === 'identifier' && strip(n)!.text === 'errno';
}

/** `errno = 0` (an expression statement or the expression): a function without one has no return `onlyIfErrnoAfterSuccess` accepts. */
export function clearsErrno(n: Node): boolean {
  let e = strip(n);
  if (e?.type === 'expression_statement') e = strip(e.firstNamedChild);
  if (e?.type !== 'assignment_expression' || e.childForFieldName('operator')?.text !== '=') return false;
  const r = strip(e.childForFieldName('right'));
  return isErrno(e.childForFieldName('left')) && r?.type === 'number_literal' && Number(r.text) === 0;
}

/** The statements before `stmt` in its block, nearest first, looking out through `#if` blocks that wrap it; null past a block's start. */
function* before(stmt: Node): Generator<Node> {
  let cur: Node | null = stmt;
  while (cur) {
    for (let s = cur.previousNamedSibling; s; s = s.previousNamedSibling) {
      if (s.type === 'comment') continue;
      yield s;
    }
    const p: Node | null = cur.parent;
    // Out of an `#if`/`#ifdef` block (its name and condition are not statements); stop at the block's `{`.
    if (!p || !/^preproc_(if|ifdef)$/.test(p.type)) return;
    cur = p;
  }
}

/** Right before `ifNode`: leaving `if`s with call-free conditions, one assignment from a call, `errno = 0;`. */
function clearedRightBefore(ifNode: Node): boolean {
  let acquired = false;
  let n = 0;
  for (const s of before(ifNode)) {
    if (++n > MAX_BACK) return false;
    if (s.type === 'identifier' || s.type === 'preproc_arg') continue; // an `#ifdef`'s name and condition
    if (!acquired) {
      if (s.type === 'if_statement' && !s.childForFieldName('alternative') && callFree(s.childForFieldName('condition')) && leaves(s.childForFieldName('consequence'))) continue;
      if (assignsCall(s)) {
        acquired = true;
        continue;
      }
      return false;
    }
    return clearsErrno(s);
  }
  return false;
}

function callFree(cond: Node | null): boolean {
  if (!cond) return false;
  return cond.descendantsOfType('call_expression').every((c) => c && EXPECT_HINTS.has(calleeName(c) ?? ''));
}

/** Does the statement always leave (its last statement a `return`, `goto`, `break` or `continue`)? */
function leaves(stmt: Node | null): boolean {
  const s = strip(stmt);
  if (!s) return false;
  if (s.type === 'compound_statement') {
    const last = s.namedChildren.filter((c) => c && c.type !== 'comment').pop();
    return !!last && leaves(last);
  }
  return s.type === 'return_statement' || s.type === 'goto_statement' || s.type === 'break_statement' || s.type === 'continue_statement';
}

/** `x = f(…);` or `T *x = f(…);`: the statement assigns the result of a call, and does not touch `errno`. */
function assignsCall(s: Node): boolean {
  if (s.descendantsOfType('identifier').some((i) => i?.text === 'errno')) return false;
  if (s.type === 'expression_statement') {
    const e = strip(s.firstNamedChild);
    return e?.type === 'assignment_expression' && e.childForFieldName('operator')?.text === '=' && strip(e.childForFieldName('right'))?.type === 'call_expression';
  }
  if (s.type === 'declaration') {
    const ds = s.childrenForFieldName('declarator');
    return ds.length === 1 && ds[0]?.type === 'init_declarator' && strip(ds[0].childForFieldName('value'))?.type === 'call_expression';
  }
  return false;
}
