import type { Node } from 'web-tree-sitter';
import { callArgs, firstKid, keyText, lastKid, mentionsIdentifier, namedKids } from '../../syntax';
import { memberCallee } from './memberCalls';
import { ACQUIRE, ACQUIRE_PAIR, ADOPT_FIRST_ARG, RELEASE } from './names';

/** Small, allocation-light helpers over the tree-sitter C/C++ syntax tree; the language-neutral ones come from ../syntax. */
export { callArgs } from '../../syntax';

/** Removes parentheses, casts and C++ condition wrappers around an expression. */
/** A field path as written, without blanks or parentheses (`settings.workers`, `(*g)->n`). */
export function fieldPath(n: Node): string {
  let out = '';
  for (const c of n.text) if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r' && c !== '(' && c !== ')') out += c;
  return out;
}

export function strip(node: Node | null): Node | null {
  let n = node;
  while (n) {
    switch (n.type) {
      case 'parenthesized_expression':
        n = lastKid(n);
        break;
      case 'cast_expression':
        n = n.childForFieldName('value');
        break;
      case 'condition_clause': {
        const v = n.childForFieldName('value');
        if (!v) return n;
        n = v;
        break;
      }
      case 'comma_expression':
        n = n.childForFieldName('right');
        break;
      default:
        return n;
    }
  }
  return n;
}

/**
 * The called function's simple name: `close`, `::close` and `std::fclose` give the last part; methods give null.
 * A C++ member that a library function's name would hide gives its qualified name (`Conn::open`; see memberCallee).
 */
export function calleeName(call: Node): string | null {
  const name = plainCalleeName(call);
  return name !== null && LIBRARY.has(name) ? (memberCallee(call, name) ?? name) : name;
}

/**
 * The name the lowering gives a call the file scan named `scanned` (null: not a plain identifier), when
 * it can differ from it: a parenthesized, qualified or template callee the scan leaves unnamed, or a
 * C++ member a library name would hide. Undefined when the lowering uses the scan's name as it is.
 */
export function otherCalleeName(call: Node, scanned: string | null): string | null | undefined {
  return scanned === null || LIBRARY.has(scanned) ? calleeName(call) : undefined;
}

/** The names the library tables give a meaning: a C++ member call must not be read as one of them. */
const LIBRARY: ReadonlySet<string> = new Set([...ACQUIRE.keys(), ...ACQUIRE_PAIR.keys(), ...RELEASE, ...ADOPT_FIRST_ARG]);

function plainCalleeName(call: Node): string | null {
  let f = call.childForFieldName('function');
  while (f) {
    if (f.type === 'identifier') return f.text;
    if (f.type === 'qualified_identifier') f = f.childForFieldName('name');
    else if (f.type === 'template_function') f = f.childForFieldName('name');
    else if (f.type === 'parenthesized_expression') f = firstKid(f);
    else return null;
  }
  return null;
}

/**
 * The storage an lvalue expression names, as a key: `fd`, `fds[0]`, `c->fd`, `*out`.
 * Null for anything else (calls, arithmetic, ...).
 */
export function lvalueKey(node: Node | null): string | null {
  const n = strip(node);
  if (!n) return null;
  switch (n.type) {
    case 'identifier':
      return n.text;
    case 'subscript_expression':
    case 'field_expression':
      return keyText(n);
    case 'pointer_expression': {
      const op = n.child(0)?.type;
      if (op !== '*') return null;
      const inner = lvalueKey(n.childForFieldName('argument'));
      return inner === null ? null : `*${inner}`;
    }
    default:
      return null;
  }
}

/** For `a[i]`: the base identifier and whether the index is a literal number. */
export function subscriptParts(node: Node): { base: string | null; literalIndex: boolean } {
  const arg = strip(node.childForFieldName('argument'));
  const idx = strip(node.childForFieldName('index') ?? node.childForFieldName('indices'));
  const base = arg && arg.type === 'identifier' ? arg.text : null;
  let literalIndex = false;
  if (idx) literalIndex = idx.type === 'number_literal';
  else {
    // tree-sitter-cpp wraps the index in a subscript_argument_list.
    const list = namedKids(node)[1] ?? null;
    const kids = namedKids(list);
    literalIndex = kids.length === 1 && kids[0]!.type === 'number_literal';
  }
  return { base, literalIndex };
}

/** The numeric value of a constant used in validity checks (-1, 0, NULL, INVALID_SOCKET, ...), or null. */
export function constantValue(node: Node | null): number | null {
  const n = strip(node);
  if (!n) return null;
  switch (n.type) {
    case 'number_literal': {
      const t = n.text.replace(/[uUlL]+$/, '');
      const v = Number(t.startsWith('-0x') ? -Number(t.slice(1)) : t);
      return Number.isFinite(v) ? v : null;
    }
    case 'null':
    case 'nullptr':
      return 0;
    case 'false':
      return 0;
    case 'true':
      return 1;
    case 'identifier':
      switch (n.text) {
        case 'NULL': case 'nullptr': return 0;
        case 'INVALID_SOCKET': case 'SOCKET_ERROR': case 'INVALID_HANDLE_VALUE': return -1;
        default: return invalidDescriptorName(n.text) ? -1 : null;
      }
    case 'unary_expression': {
      const op = n.child(0)?.type;
      const v = constantValue(n.childForFieldName('argument'));
      if (v === null) return null;
      if (op === '-') return -v;
      if (op === '+') return v;
      return null;
    }
    default:
      return null;
  }
}

/**
 * Names projects give their invalid-descriptor constant (`CURL_SOCKET_BAD`, `BAD_SOCKET`,
 * `EV_INVALID_SOCKET`, `INVALID_FD`), defined in a header the analysis does not read.
 */
export function invalidDescriptorName(name: string): boolean {
  return /^([A-Z0-9]+_)*(SOCKET_BAD|BAD_SOCKET|INVALID_SOCKET|SOCKET_INVALID|INVALID_FD|BAD_FD|FD_INVALID|NO_SOCKET|NO_FD)$/.test(name);
}

/** The identifier a declarator declares (`*p`, `fds[2]`, `x = 1` all reduce to the name). */
export function declaratorName(decl: Node | null): { name: string; isArray: boolean; isPointer: boolean } | null {
  let d = decl;
  let isArray = false;
  let isPointer = false;
  for (let guard = 0; d && guard < 64; guard++) {
    switch (d.type) {
      case 'identifier':
      case 'field_identifier':
        return { name: d.text, isArray, isPointer };
      case 'init_declarator': {
        // `MACRO int fd = ...` (a qualifier macro such as `_cleanup_close_`) parses as a declarator
        // `int` followed by an error holding the real name.
        const err = d.namedChildren.find((c) => c?.type === 'ERROR');
        const id = err?.lastNamedChild;
        if (id?.type === 'identifier' && d.childForFieldName('declarator')?.type === 'identifier') {
          return { name: id.text, isArray, isPointer: isPointer || err!.text.includes('*') };
        }
        d = d.childForFieldName('declarator') ?? firstKid(d);
        break;
      }
      case 'attributed_declarator':
      case 'parenthesized_declarator':
        d = d.childForFieldName('declarator') ?? firstKid(d);
        break;
      case 'array_declarator':
        isArray = true;
        d = d.childForFieldName('declarator');
        break;
      case 'pointer_declarator':
      case 'reference_declarator':
        isPointer = isPointer || d.type === 'pointer_declarator';
        d = d.childForFieldName('declarator') ?? lastKid(d);
        break;
      default:
        return null;
    }
  }
  return null;
}

/** The function_declarator inside a function definition's declarator chain, and whether the result is a pointer. */
export function functionDeclarator(def: Node): { decl: Node | null; returnsPointer: boolean } {
  let d = def.childForFieldName('declarator');
  let returnsPointer = false;
  for (let guard = 0; d && guard < 64; guard++) {
    if (d.type === 'function_declarator') return { decl: d, returnsPointer };
    if (d.type === 'pointer_declarator' || d.type === 'reference_declarator') returnsPointer = true;
    d = d.childForFieldName('declarator') ?? lastKid(d);
  }
  return { decl: null, returnsPointer };
}

/** A function definition's name as written (`f`, `Server::start`), or null. */
export function functionName(def: Node): string | null {
  const { decl } = functionDeclarator(def);
  const name = decl?.childForFieldName('declarator');
  if (name) return name.text;
  // A header written by a macro, `URIHANDLER_FUNC(mod_x) { … }` (the macro supplies the return type
  // and the parameters): the grammar reads the macro as the type and `(mod_x)` as the declarator.
  const d = def.childForFieldName('declarator');
  const inner = d?.type === 'parenthesized_declarator' ? d.namedChild(0) : null;
  return !decl && def.childForFieldName('type')?.type === 'type_identifier' && d?.namedChildCount === 1 && inner?.type === 'identifier' ? inner.text : null;
}

/** The last identifier of a (possibly qualified) function name: `Server::start` gives `start`. */
export function simpleName(name: string): string {
  const i = name.lastIndexOf('::');
  return i >= 0 ? name.slice(i + 2) : name;
}

/** Parameter declarations of a function definition or lambda, in order. */
export function parameters(fn: Node): { name: string | null; isPointer: boolean; isArray: boolean; type: string; node: Node }[] {
  let list: Node | null = null;
  if (fn.type === 'lambda_expression') list = fn.childForFieldName('declarator')?.childForFieldName('parameters') ?? null;
  else list = functionDeclarator(fn).decl?.childForFieldName('parameters') ?? null;
  const out: { name: string | null; isPointer: boolean; isArray: boolean; type: string; node: Node }[] = [];
  if (!list) return out;
  for (let i = 0; i < list.namedChildCount; i++) {
    const p = list.namedChild(i);
    if (!p || (p.type !== 'parameter_declaration' && p.type !== 'optional_parameter_declaration')) continue;
    const info = declaratorName(p.childForFieldName('declarator'));
    out.push({ name: info?.name ?? null, isPointer: info?.isPointer ?? false, isArray: info?.isArray ?? false, type: p.childForFieldName('type')?.text ?? '', node: p });
  }
  return out;
}

/** True when the node (a declaration or definition) carries `__attribute__((name))`, `[[name]]` or a `name` qualifier. */
export function hasAttribute(node: Node, name: string): boolean {
  for (let i = 0; i < node.namedChildCount; i++) {
    const c = node.namedChild(i);
    if (!c) continue;
    if (c.type === 'attribute_specifier' || c.type === 'attribute_declaration' || c.type === 'type_qualifier'
      || c.type === 'storage_class_specifier' || c.type === 'ms_declspec_modifier') {
      if (identifierIn(c, name)) return true;
    }
  }
  return false;
}

function identifierIn(node: Node, name: string): boolean {
  const stack: Node[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.childCount === 0) {
      if (n.text === name || n.text === `__${name}__`) return true;
      continue;
    }
    for (let i = 0; i < n.childCount; i++) {
      const c = n.child(i);
      if (c) stack.push(c);
    }
  }
  return false;
}

/** `cleanup(fn)` from `__attribute__((cleanup(fn)))` on a declaration, or null. */
export function cleanupFunction(decl: Node): string | null {
  for (let i = 0; i < decl.namedChildCount; i++) {
    const c = decl.namedChild(i);
    if (!c || c.type !== 'attribute_specifier') continue;
    const stack: Node[] = [c];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === 'call_expression' && calleeName(n)?.replace(/^__|__$/g, '') === 'cleanup') {
        const arg = callArgs(n)[0];
        return arg ? arg.text : '';
      }
      for (let j = 0; j < n.namedChildCount; j++) {
        const k = n.namedChild(j);
        if (k) stack.push(k);
      }
    }
  }
  return null;
}

/** True for the storage-class specifiers that make a block-scope variable outlive the call. */
export function hasStaticStorage(decl: Node): boolean {
  for (let i = 0; i < decl.namedChildCount; i++) {
    const c = decl.namedChild(i);
    if (c?.type === 'storage_class_specifier' && (c.text === 'static' || c.text === 'extern' || c.text === 'thread_local' || c.text === '_Thread_local' || c.text === '__thread')) return true;
  }
  return false;
}

/** Does the subtree mention identifier `name`? (iterative; lambdas included) */
export function mentions(node: Node, name: string): boolean {
  return mentionsIdentifier(node, name, 20000);
}

/** The first named child that is not a comment: a return's value, a condition's expression. */
export function firstExpression(stmt: Node): Node | null {
  return firstKid(stmt);
}

/**
 * Branch-prediction hints whose first argument is the condition (`unlikely(fd == -1)`, `__builtin_expect(!!(x), 0)`);
 * a file's and its workspace's macros that are such a hint are added to these (hintMacros.ts).
 */
export const EXPECT_HINTS: ReadonlySet<string> = new Set(['likely', 'unlikely', '__builtin_expect', '__builtin_expect_with_probability', '__predict_true', '__predict_false']);
