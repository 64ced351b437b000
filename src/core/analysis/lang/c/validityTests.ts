import type { Node } from 'web-tree-sitter';
import { isRel, MIRROR, type Rel } from '../../ir/ir';
import { constantValue, parameters, strip } from './syntax';

/**
 * Functions that are a test of one parameter against a constant: a body of one statement, `return p REL K;`
 * (or its negation, `return !(p == K);`), with `p` a parameter and `K` a number, `NULL` or a constant's name
 * (`static inline int socket_defined(socket_descriptor_t sd) { return sd != SOCKET_UNDEFINED; }`). The
 * parameter is a copy of the argument that nothing changes before the test, so a call of such a function in a
 * condition has the truth value of the test written on the argument (`if (socket_defined(fd))` is
 * `if (fd != SOCKET_UNDEFINED)`): the lowering reads it so (lower.ts). Not a parameter of a type the call
 * converts the argument to differently from the comparison (`bool`, a floating type), nor a cast parameter.
 */
export interface ValidityTest {
  /** The tested parameter's position. */
  readonly param: number;
  /** `param rel value` (or `param rel name`) is the function's result as a truth value. */
  readonly rel: Rel;
  /** The constant's value when written as a number (`-1`, `NULL`), else null. */
  readonly value: number | null;
  /** The constant's name when written as one (`SOCKET_UNDEFINED`), its value read where the call is. */
  readonly name: string | null;
}

const NEGATE: Readonly<Record<Rel, Rel>> = { '<': '>=', '>=': '<', '>': '<=', '<=': '>', '==': '!=', '!=': '==' };
const CONSTANT_NAME = /^(?=[A-Z0-9_]*[A-Z])[A-Z_][A-Z0-9_]*$/;
const CONVERTING_TYPE = /\b(bool|_Bool|float|double)\b/;
const MAX_DEPTH = 8;

/** The validity test `def` (a function definition) is, or null. */
export function validityTestOf(def: Node): ValidityTest | null {
  if (def.type !== 'function_definition') return null;
  const body = def.childForFieldName('body');
  if (body?.type !== 'compound_statement') return null;
  let only: Node | null = null;
  for (let i = 0; i < body.namedChildCount; i++) {
    const c = body.namedChild(i);
    if (!c || c.type === 'comment') continue;
    if (only) return null;
    only = c;
  }
  if (only?.type !== 'return_statement' || only.hasError) return null;
  const params = parameters(def);
  const t = testOf(only.namedChild(0), params.map((p) => (p.name && !p.isArray && !CONVERTING_TYPE.test(p.type) ? p.name : null)), 0);
  // The constant's name is no parameter's (one left out above included).
  return t && (t.name === null || !params.some((p) => p.name === t.name)) ? t : null;
}

function testOf(node: Node | null, params: readonly (string | null)[], depth: number): ValidityTest | null {
  const e = unparen(node);
  if (!e || depth > MAX_DEPTH) return null;
  if (e.type === 'unary_expression' && e.child(0)?.type === '!') {
    const inner = testOf(e.childForFieldName('argument'), params, depth + 1);
    return inner && { ...inner, rel: NEGATE[inner.rel] };
  }
  if (e.type !== 'binary_expression') return null;
  const op = e.childForFieldName('operator')?.type ?? '';
  if (!isRel(op)) return null;
  const l = e.childForFieldName('left');
  const r = e.childForFieldName('right');
  const li = paramIndex(l, params);
  const ri = paramIndex(r, params);
  if (li >= 0 && ri < 0) return constantSide(li, op, r, params);
  if (ri >= 0 && li < 0) return constantSide(ri, MIRROR[op], l, params);
  return null;
}

/** `param rel k` with `k` a constant: a number (`-1`, `NULL`) or a name that is no parameter (`SOCKET_UNDEFINED`). */
function constantSide(param: number, rel: Rel, k: Node | null, params: readonly (string | null)[]): ValidityTest | null {
  const value = constantValue(k);
  if (value !== null) return { param, rel, value, name: null };
  const s = strip(k);
  if (s?.type === 'identifier' && CONSTANT_NAME.test(s.text) && !params.includes(s.text)) return { param, rel, value: null, name: s.text };
  return null;
}

/** The position of the parameter `n` is (up to parentheses, not a cast), or -1. */
function paramIndex(n: Node | null, params: readonly (string | null)[]): number {
  const e = unparen(n);
  return e?.type === 'identifier' ? params.indexOf(e.text) : -1;
}

function unparen(n: Node | null): Node | null {
  let e = n;
  while (e?.type === 'parenthesized_expression' && e.namedChildCount === 1) e = e.namedChild(0);
  return e;
}

/** A test as a cache-key fragment. */
export function validityKey(t: ValidityTest | undefined): string {
  return t ? `?${t.param}${t.rel}${t.value ?? t.name}` : '';
}

/** The validity tests among a file's definitions, by name. */
export function fileValidityTests(definitions: ReadonlyMap<string, Node>): Map<string, ValidityTest> {
  const out = new Map<string, ValidityTest>();
  for (const [name, def] of definitions) {
    const t = validityTestOf(def);
    if (t) out.set(name, t);
  }
  return out;
}
