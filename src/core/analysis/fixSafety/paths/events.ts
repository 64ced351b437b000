/**
 * Fix-safety suite (tests only), independent path walker: what one statement (or condition) does to
 * the variables, in evaluation order — reads, releases (`close(v)`, `v.close()`, `Curl_closesocket(c, v)`),
 * hand-offs (stored in a field or element, passed to a callback through a struct, to a method of
 * another object or a constructor, sent, returned), resets (`v = -1`, `INVALID_SOCKET`, `None`, `nil`)
 * and plain assignments.
 */
import type { Node } from 'web-tree-sitter';
import { assignmentParts, callParts, isIdentifier, isReleaseName, isSentinel, isStorePlace, NESTED, type Family } from './syntax';

export type EventKind = 'read' | 'release' | 'handoff' | 'reset' | 'assign';

export interface Event {
  readonly kind: EventKind;
  readonly variable: string;
}

/** Identifiers under these fields name something (a field, a method, a declared name): they are no reads. */
const NAME_FIELDS = new Set(['name', 'declarator', 'attribute', 'field', 'label', 'type', 'alias']);

export interface EventContext {
  readonly family: Family;
  /** Names assigned or declared in the function, parameters included (a receiver that is none of them is a package, class or field). */
  readonly locals: ReadonlySet<string>;
  /** Objects that outlive the call: parameters, returned variables, `self`/`this`. */
  readonly escaping: ReadonlySet<string>;
}

function identifierArgs(args: readonly Node[]): string[] {
  return args.filter((a) => isIdentifier(a)).map((a) => a.text);
}

/**
 * A call hands its identifier arguments over when it constructs an object, calls a function pointer
 * of a struct (C), or calls a method of an object that outlives the function (a parameter, a
 * returned variable, `self`/`this`, a Java field).
 */
function handsOff(ctx: EventContext, call: NonNullable<ReturnType<typeof callParts>>, calleeIsField: boolean): boolean {
  if (call.constructs) return true;
  if (ctx.family === 'c') return calleeIsField;
  const r = call.receiver;
  if (!r) return false;
  if (ctx.escaping.has(r.text)) return true;
  return ctx.family === 'java' && !ctx.locals.has(r.text) && /^[a-z_]/.test(r.text);
}

export function eventsOf(node: Node, ctx: EventContext, out: Event[] = []): Event[] {
  const visit = (n: Node | null): void => {
    if (!n || NESTED.has(n.type)) return;
    if (n.type === 'identifier') {
      out.push({ kind: 'read', variable: n.text });
      return;
    }
    const assign = assignmentParts(n);
    if (assign) {
      assign.values.forEach((v) => visit(v));
      assign.targets.forEach((t, i) => {
        const value = assign.values[i] ?? null;
        if (isIdentifier(t)) {
          // A declaration's initial value (`int fd = -1;`) changes no value a statement could read before.
          const declares = n.type === 'init_declarator' || n.type === 'variable_declarator' || n.type === 'short_var_declaration';
          out.push({ kind: isSentinel(value) && !declares ? 'reset' : 'assign', variable: t.text });
        } else if (t.type === 'pointer_declarator' || t.type === 'array_declarator') {
          const inner = t.childForFieldName('declarator');
          if (inner && isIdentifier(inner)) out.push({ kind: 'assign', variable: inner.text });
        } else if (isStorePlace(t)) {
          visitChildren(t);
          if (value && isIdentifier(value)) out.push({ kind: 'handoff', variable: value.text });
        }
      });
      return;
    }
    const call = callParts(n);
    if (call) {
      const fn = n.childForFieldName('function');
      const receiverNode = fn && fn.type !== 'identifier'
        ? fn.childForFieldName('argument') ?? fn.childForFieldName('object') ?? fn.childForFieldName('operand')
        : n.childForFieldName('object');
      if (isReleaseName(call.name)) {
        const ids = identifierArgs(call.args);
        const target = ids.length ? ids[ids.length - 1]! : call.receiver?.text ?? null;
        if (receiverNode && receiverNode.text !== target) visit(receiverNode);
        for (const a of call.args) if (!(isIdentifier(a) && a.text === target)) visit(a);
        if (target) out.push({ kind: 'release', variable: target });
        return;
      }
      visit(receiverNode);
      for (const a of call.args) visit(a);
      if (handsOff(ctx, call, fn?.type === 'field_expression')) {
        for (const v of identifierArgs(call.args)) if (v !== call.receiver?.text) out.push({ kind: 'handoff', variable: v });
      }
      return;
    }
    if (n.type === 'literal_value' || n.type === 'send_statement') {
      // Go: `T{l: v}`, `ch <- v`.
      visitChildren(n);
      const values = n.type === 'send_statement' ? [n.childForFieldName('value')]
        : n.namedChildren.map((c) => (c?.type === 'keyed_element' ? c.namedChildren[c.namedChildCount - 1] : c?.type === 'literal_element' ? c.namedChildren[0] : c));
      for (const v of values) {
        const id = v?.type === 'literal_element' ? v.namedChildren[0] : v;
        if (id && isIdentifier(id)) out.push({ kind: 'handoff', variable: id.text });
      }
      return;
    }
    visitChildren(n);
  };
  const visitChildren = (n: Node): void => {
    for (let i = 0; i < n.childCount; i++) {
      const c = n.child(i);
      if (!c || !c.isNamed) continue;
      if (c.type === 'identifier' && NAME_FIELDS.has(n.fieldNameForChild(i) ?? '')) continue;
      if (c.type === 'identifier' && (n.type === 'keyword_argument' && i === 0)) continue;
      visit(c);
    }
  };
  visit(node);
  return out;
}

const CLOSURES = new Set(['lambda_expression', 'lambda', 'func_literal']);

/** Every identifier a closure mentions (what it captures, and more: a conservative over-approximation). */
function captured(n: Node, out: string[] = []): string[] {
  if (n.type === 'identifier') out.push(n.text);
  for (const c of n.namedChildren) if (c) captured(c, out);
  return out;
}

/**
 * What a `return` hands back: the value itself, the identifiers of a returned list, tuple or Go
 * result list, or what a returned closure captures.
 */
export function returnedVariables(ret: Node): string[] {
  const value = ret.namedChildren.find((c) => c && c.type !== 'comment') ?? null;
  if (!value) return [];
  if (isIdentifier(value)) return [value.text];
  if (CLOSURES.has(value.type)) return captured(value);
  if (['expression_list', 'tuple', 'list', 'pattern_list', 'parenthesized_expression'].includes(value.type)) {
    return value.namedChildren.filter((c): c is Node => isIdentifier(c)).map((c) => c.text);
  }
  return [];
}
