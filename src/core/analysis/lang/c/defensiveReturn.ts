import type { Node } from 'web-tree-sitter';
import { calleeName, callArgs, declaratorName, parameters, strip } from './syntax';

/**
 * Guard clauses at a function's very start that test a pointer parameter for NULL and return:
 *
 *     static void on_accept(struct evconnlistener *l, evutil_socket_t fd, ..., void *arg) {
 *       UNUSED_ARG(l);
 *       server_t *server = (server_t *)arg;
 *       if (!server) return;
 *       ...
 *
 * The test is defensive: the function has done nothing yet, and the pointer comes from its caller (a
 * parameter, or a value read from one without a call: a cast, a field `p->srv`), whose contract is
 * usually that it is never NULL (a callback's `arg` is what was registered with it). A leak whose only
 * path is such a `return` (a descriptor parameter the function otherwise closes or hands over) is no
 * proof of a real leak: it is reported below warning severity. A pointer returned by a call
 * (`srv = lookup(arg); if (!srv) return;`) is an error result, not a defensive test: it stays a warning.
 *
 * Returns, per `return` statement of such a clause (by its start offset), the tested name(s).
 */
export function defensiveNullReturns(fn: Node): ReadonlyMap<number, string> {
  const out = new Map<number, string>();
  const body = fn.childForFieldName('body');
  if (body?.type !== 'compound_statement') return out;
  const pointers = new Set(parameters(fn).filter((p) => p.name && p.isPointer).map((p) => p.name!));
  if (!pointers.size) return out;
  for (const st of body.namedChildren) {
    if (!st || st.type === 'comment') continue;
    if (st.type === 'declaration') {
      // A declaration that calls nothing: its pointers read from a parameter count as parameters.
      if (st.descendantsOfType('call_expression').length) break;
      for (const d of st.childrenForFieldName('declarator')) {
        if (d?.type !== 'init_declarator') continue;
        const info = declaratorName(d.childForFieldName('declarator'));
        if (info && readFromParameter(d.childForFieldName('value'), info.isPointer, pointers)) pointers.add(info.name);
        else if (info) pointers.delete(info.name);
      }
      continue;
    }
    if (st.type === 'expression_statement' && marksUnused(st)) continue;
    if (st.type !== 'if_statement' || st.childForFieldName('alternative')) break;
    const tested = nullTested(st.childForFieldName('condition'), pointers, 0);
    const ret = onlyReturn(st.childForFieldName('consequence'));
    if (!tested || !ret) break;
    out.set(ret.startIndex, tested);
  }
  return out;
}

/** A value that is the pointer parameter itself (through casts and parentheses), or, for a pointer local, a field of one (`p->srv`). */
function readFromParameter(value: Node | null, isPointer: boolean, pointers: ReadonlySet<string>): boolean {
  let v = strip(value);
  while (v?.type === 'cast_expression') v = strip(v.childForFieldName('value'));
  if (v?.type === 'identifier') return pointers.has(v.text);
  if (!isPointer || v?.type !== 'field_expression' || v.childForFieldName('operator')?.type !== '->') return false;
  const base = strip(v.childForFieldName('argument'));
  return base?.type === 'identifier' && pointers.has(base.text);
}

/** `(void)x;` (strip reads through the cast) or `UNUSED(x);`-style markers (a callee named for it, given plain names): they do nothing. */
function marksUnused(st: Node): boolean {
  const e = strip(st.firstNamedChild);
  if (!e) return false;
  if (e.type === 'identifier') return true;
  if (e.type !== 'call_expression' || !/unused/i.test(calleeName(e) ?? '')) return false;
  return callArgs(e).every((a) => strip(a)?.type === 'identifier');
}

/** `!p`, `p == NULL`, `NULL == p`, `p == 0`, `p == nullptr`, or an `||` of such, over the pointers: their names, else null. */
function nullTested(cond: Node | null, pointers: ReadonlySet<string>, depth: number): string | null {
  const e = strip(cond);
  if (!e || depth > 8) return null;
  if (e.type === 'unary_expression' && e.child(0)?.type === '!') {
    const a = strip(e.childForFieldName('argument'));
    return a?.type === 'identifier' && pointers.has(a.text) ? a.text : null;
  }
  if (e.type !== 'binary_expression') return null;
  const op = e.childForFieldName('operator')?.type;
  const l = strip(e.childForFieldName('left'));
  const r = strip(e.childForFieldName('right'));
  if (!l || !r) return null;
  if (op === '||') {
    const a = nullTested(l, pointers, depth + 1);
    const b = a && nullTested(r, pointers, depth + 1);
    return a && b ? `${a}, ${b}` : null;
  }
  if (op !== '==') return null;
  if (l.type === 'identifier' && pointers.has(l.text) && isNull(r)) return l.text;
  if (r.type === 'identifier' && pointers.has(r.text) && isNull(l)) return r.text;
  return null;
}

function isNull(n: Node): boolean {
  return n.text === 'NULL' || n.text === 'nullptr' || (n.type === 'number_literal' && n.text === '0');
}

/** The `return` that is the whole branch (braceless, or alone in its block), returning nothing computed by a call. */
function onlyReturn(branch: Node | null): Node | null {
  let st = branch;
  if (st?.type === 'compound_statement') {
    const stmts = st.namedChildren.filter((c) => c && c.type !== 'comment');
    if (stmts.length !== 1) return null;
    st = stmts[0]!;
  }
  if (st?.type !== 'return_statement') return null;
  return st.descendantsOfType('call_expression').length ? null : st;
}
