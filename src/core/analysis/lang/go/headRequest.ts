import type { Node } from 'web-tree-sitter';
import type { GoType, Imports } from './names';
import { packagePath } from './names';
import { callArgs, callee, exprList, unparen } from './syntax';
import type { GoTypes } from './types';

/**
 * A response to a HEAD request has no body to close: net/http's client transports give it `http.NoBody`
 * (HTTP/1: `noResponseBodyExpected("HEAD")` in the transfer reader, and the persistent connection goes
 * back to the pool at once; HTTP/2: `cs.isHead`), whatever the headers say. So `http.Head(url)`,
 * `client.Head(url)`, and `client.Do(req)` / `transport.RoundTrip(req)` (on an `*http.Client` or an
 * `*http.Transport`) of a request the function made with `http.NewRequest("HEAD", …)`,
 * `http.NewRequestWithContext(ctx, http.MethodHead, …)` acquire nothing. Only when the method is a constant
 * that is HEAD (the literal or `http.MethodHead`; methods are case-sensitive: "head" is another method), and
 * only when nothing can change the request's method before it is sent: the request variable is never
 * assigned again, nor any field of it, nor its address taken, nor passed to anything but that call (a use as
 * the operand of a selector, `req.Header.Set(…)`, reads or changes other fields: no method of
 * `*http.Request` changes `Method`). A user RoundTripper behind an interface is not covered (no such promise).
 * `recv` is null for a package function (`pkg` its import path), else the receiver's type.
 */
export function answersHead(call: Node, pkg: string | undefined, recv: GoType | null, name: string, types: GoTypes, imports: Imports): boolean {
  if (recv === null) return pkg === 'net/http' && name === 'Head';
  if (recv.pkg !== 'net/http') return false;
  if (recv.name === 'Client' && name === 'Head') return true;
  if (!((recv.name === 'Client' && name === 'Do') || (recv.name === 'Transport' && name === 'RoundTrip'))) return false;
  const args = callArgs(call);
  const req = args.length === 1 ? unparen(args[0]!) : null;
  return req?.type === 'identifier' && isHeadRequest(req, call, types, imports);
}

const REQUEST_MAKERS: ReadonlyMap<string, number> = new Map([['NewRequest', 0], ['NewRequestWithContext', 1]]);
const FUNCTIONS = new Set(['func_literal', 'function_declaration', 'method_declaration']);

function isHeadRequest(req: Node, call: Node, types: GoTypes, imports: Imports): boolean {
  const d = types.declaration(req.text, call);
  const made = d && d.index === 0 && d.type === null ? unparen(d.value) : null;
  if (made?.type !== 'call_expression') return false;
  const c = callee(made, imports);
  const methodIndex = c.name !== null ? REQUEST_MAKERS.get(c.name) : undefined;
  if (methodIndex === undefined || c.pkg !== 'net/http' || c.operand?.type !== 'identifier' || !types.isPackage(c.operand)) return false;
  const method = unparen(callArgs(made)[methodIndex] ?? null);
  if (!method || !isHeadConstant(method, types, imports)) return false;
  // The declaring statement, and the function it is in: every use of the name there must leave the method alone.
  let stmt: Node | null = made.parent;
  while (stmt && stmt.type !== 'short_var_declaration' && stmt.type !== 'var_spec') stmt = stmt.parent;
  let fn: Node | null = stmt?.parent ?? null;
  while (fn && !FUNCTIONS.has(fn.type)) fn = fn.parent;
  if (!stmt || !fn) return false;
  const declared = stmt.type === 'var_spec' ? stmt.childrenForFieldName('name') : exprList(stmt.childForFieldName('left'));
  const own = new Set(declared.filter((x): x is Node => !!x).map((x) => x.id));
  const argument = unparen(callArgs(call)[0] ?? null);
  for (const id of fn.descendantsOfType('identifier')) {
    if (!id || id.text !== req.text || own.has(id.id) || id.id === argument?.id) continue;
    if (!leavesMethodAlone(id)) return false;
  }
  return true;
}

/** `"HEAD"`, `` `HEAD` `` or `http.MethodHead`. */
function isHeadConstant(x: Node, types: GoTypes, imports: Imports): boolean {
  if (x.type === 'interpreted_string_literal' || x.type === 'raw_string_literal') return x.text.slice(1, -1) === 'HEAD';
  if (x.type !== 'selector_expression') return false;
  const operand = x.childForFieldName('operand');
  return operand?.type === 'identifier' && x.childForFieldName('field')?.text === 'MethodHead' &&
    types.isPackage(operand) && packagePath(imports, operand.text) === 'net/http';
}

/**
 * A use of the request that cannot change its method: the operand of a selector chain (`req.Header.Set(…)`,
 * `req.Method`) that is not assigned to, incremented, nor has its address taken.
 */
function leavesMethodAlone(id: Node): boolean {
  let top = id;
  while (top.parent?.type === 'selector_expression' && top.parent.childForFieldName('operand')?.id === top.id) top = top.parent;
  if (top.id === id.id) return false; // the bare name: assigned, passed on, compared, aliased, its address taken
  const p = top.parent;
  if (!p) return false;
  if (p.type === 'unary_expression' && p.childForFieldName('operator')?.text === '&') return false;
  if (p.type === 'inc_dec_statement') return false;
  if (p.type === 'expression_list' && (p.parent?.type === 'assignment_statement' || p.parent?.type === 'short_var_declaration') &&
    p.parent.childForFieldName('left')?.id === p.id) return false;
  if ((p.type === 'assignment_statement' || p.type === 'short_var_declaration') && p.childForFieldName('left')?.id === top.id) return false;
  return true;
}
