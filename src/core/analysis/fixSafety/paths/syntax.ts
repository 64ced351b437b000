/**
 * Fix-safety suite (tests only), independent path walker: the little the walker needs to know about
 * each grammar — function nodes, what is nested code (not run here), calls, assignments and release
 * names. Written for this check alone: it shares nothing with the analysis engine under test.
 */
import type { Node } from 'web-tree-sitter';
import type { LanguageId } from '../../types';

export type Family = 'c' | 'python' | 'go' | 'java';

export function familyOf(language: LanguageId): Family {
  return language === 'cpp' ? 'c' : language;
}

/** Nodes whose body the walker enumerates. */
export const FUNCTIONS: Readonly<Record<Family, ReadonlySet<string>>> = {
  c: new Set(['function_definition']),
  python: new Set(['function_definition']),
  go: new Set(['function_declaration', 'method_declaration']),
  java: new Set(['method_declaration', 'constructor_declaration']),
};

/** Code that does not run where it is written (lambdas, nested functions and classes). */
export const NESTED = new Set([
  'lambda_expression', 'lambda', 'func_literal', 'function_definition', 'class_definition', 'class_declaration',
  'class_body', 'function_declaration', 'method_declaration', 'decorated_definition',
]);

/** Values that mean "no descriptor": an assignment of one resets the variable. */
export const SENTINELS = new Set(['-1', '(-1)', 'INVALID_SOCKET', 'CURL_SOCKET_BAD', 'NULL', 'nullptr', 'None', 'nil', 'null']);

export function normalized(n: Node): string {
  return n.text.replace(/\s+/g, ' ').trim();
}

export function isSentinel(n: Node | null): boolean {
  return !!n && SENTINELS.has(normalized(n));
}

/** Release functions and methods, by name: close, closesocket, Close, fclose, Curl_closesocket, evutil_closesocket, … */
export function isReleaseName(name: string): boolean {
  return /close(socket)?$/i.test(name) && !/^(is|set|get)/i.test(name);
}

export function isIdentifier(n: Node | null | undefined): boolean {
  return !!n && n.type === 'identifier';
}

export interface CallParts {
  /** The called name (the last component of the callee). */
  readonly name: string;
  /** `r` of `r.m(...)` / `r->m(...)` when it is a plain identifier. */
  readonly receiver: Node | null;
  /** The callee is a member (`r.m`, `r->cb`, `pkg.F`). */
  readonly member: boolean;
  readonly args: Node[];
  /** A constructor: `new T(...)`, a Python call of a capitalised name. */
  readonly constructs: boolean;
}

function argsOf(list: Node | null): Node[] {
  if (!list) return [];
  return list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
}

/** The parts of a call node, or null when `n` is no call. */
export function callParts(n: Node): CallParts | null {
  switch (n.type) {
    case 'call_expression':
    case 'call': {
      const fn = n.childForFieldName('function');
      if (!fn) return null;
      const args = argsOf(n.childForFieldName('arguments'));
      if (fn.type === 'identifier') return { name: fn.text, receiver: null, member: false, args, constructs: n.type === 'call' && /^[A-Z]/.test(fn.text) };
      const object = fn.childForFieldName('argument') ?? fn.childForFieldName('object') ?? fn.childForFieldName('operand');
      const field = fn.childForFieldName('field') ?? fn.childForFieldName('attribute');
      if (!field) return null;
      return { name: field.text, receiver: isIdentifier(object) ? object : null, member: true, args, constructs: n.type === 'call' && /^[A-Z]/.test(field.text) };
    }
    case 'method_invocation': {
      const name = n.childForFieldName('name');
      const object = n.childForFieldName('object');
      if (!name) return null;
      return { name: name.text, receiver: isIdentifier(object) ? object : null, member: !!object, args: argsOf(n.childForFieldName('arguments')), constructs: false };
    }
    case 'object_creation_expression':
      return { name: n.childForFieldName('type')?.text ?? '', receiver: null, member: false, args: argsOf(n.childForFieldName('arguments')), constructs: true };
    default:
      return null;
  }
}

export interface AssignmentParts {
  readonly targets: Node[];
  readonly values: (Node | null)[];
}

/** `a = b`, `int a = b`, `a, b := x, y`, `T a = b` (Java): targets and values, pairwise. */
export function assignmentParts(n: Node): AssignmentParts | null {
  switch (n.type) {
    case 'assignment_expression':
    case 'assignment': {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (!left) return null;
      if (left.type === 'pattern_list' || left.type === 'tuple_pattern') return { targets: left.namedChildren.filter((c): c is Node => !!c), values: [] };
      return { targets: [left], values: [right] };
    }
    case 'init_declarator':
      return { targets: [n.childForFieldName('declarator')!].filter(Boolean), values: [n.childForFieldName('value')] };
    case 'variable_declarator':
      return { targets: [n.childForFieldName('name')!].filter(Boolean), values: [n.childForFieldName('value')] };
    case 'assignment_statement':
    case 'short_var_declaration': {
      const left = n.childForFieldName('left')?.namedChildren.filter((c): c is Node => !!c) ?? [];
      const right = n.childForFieldName('right')?.namedChildren.filter((c): c is Node => !!c) ?? [];
      return { targets: left, values: left.length === right.length ? right : [] };
    }
    default:
      return null;
  }
}

/** A place that outlives the function: a field, an element, what a pointer points to. */
export function isStorePlace(n: Node): boolean {
  return ['field_expression', 'subscript_expression', 'pointer_expression', 'attribute', 'subscript', 'selector_expression',
    'index_expression', 'field_access', 'array_access'].includes(n.type);
}

/** Names of a function's parameters. */
export function parameterNames(fn: Node): Set<string> {
  const names = new Set<string>();
  const params = fn.childForFieldName('parameters') ?? fn.childForFieldName('declarator')?.childForFieldName('parameters') ?? null;
  const visit = (n: Node) => {
    if (n.type === 'identifier' && n.parent && n.parent.type !== 'type_identifier') {
      const field = n.parent.childForFieldName('declarator')?.id === n.id || n.parent.childForFieldName('name')?.id === n.id;
      const plain = ['parameters', 'parameter_declaration', 'typed_parameter', 'list_splat_pattern', 'dictionary_splat_pattern'].includes(n.parent.type);
      if (field || plain) names.add(n.text);
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  if (params) visit(params);
  return names;
}

/** The function's body (the statements the walker runs). */
export function bodyOf(fn: Node): Node | null {
  return fn.childForFieldName('body');
}

/** A readable name for the function (for messages). */
export function functionName(fn: Node): string {
  const direct = fn.childForFieldName('name');
  if (direct) return direct.text;
  let d = fn.childForFieldName('declarator');
  while (d && d.childForFieldName('declarator')) d = d.childForFieldName('declarator');
  return d?.text ?? '<anonymous>';
}
