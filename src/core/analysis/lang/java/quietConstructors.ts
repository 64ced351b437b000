/**
 * Constructors of other files' classes that can let out only an unchecked exception nobody throws on purpose
 * (issue 13, java-pedantic): the cross-file form of the same-file rule in lang/java/index.ts (`uncheckedOnly`).
 * `new NetworkMonitor()`, `new CommandResponseMessage(v, reply, addr, port)` or `new ServerThread(server, ss)`
 * only store fields and build objects in memory: a leak only through an exception out of one is pedantic
 * (information severity), as for a same-file constructor of that kind.
 *
 * Why it holds: javac lets a checked exception leave a constructor only when the constructor declares it
 * (`throws`), and that covers everything a `new` runs: the field initializers and instance initializer blocks
 * (a checked exception there must be declared by every constructor), `this(…)`/`super(…)` (explicit or the
 * implicit `super()`), and the body. So a constructor declaring no `throws` can let out only an unchecked
 * exception: a bug (a null dereference), running out of memory, or one the code throws on purpose. The last is
 * excluded by reading the code: no `throw` statement in the constructor, in the field initializers or instance
 * initializers, nor in the constructor it delegates to (`this(…)`, or the superclass's when that class is a class
 * of the project: its constructor must be quiet too; a JDK or library superclass is trusted as for any call made
 * on another object), and no call of the class's own methods (unqualified or on `this`, which may throw on
 * purpose: they are not followed). A class of the project that it builds (`new K(…)`) must have a quiet
 * constructor of that arity too (classes that build each other, P's constructor building a Q whose constructor
 * builds a P, never end: not quiet); a JDK or library class built is trusted as a call on another object is. A class with no constructor has the default one (no arguments, an implicit
 * `super()`). Calls on other objects (`server.getMaxConnections()`, `LoggerFactory.getLogger(…)`) are trusted as
 * the same-file rule trusts them: their checked exceptions would need a `throws`, their unchecked ones are bugs.
 */
import type { Node } from 'web-tree-sitter';

/** Does this code (nested functions and class bodies left out) throw nothing on purpose and call no method of its own class? */
export function quietCode(nodes: readonly Node[]): boolean {
  return nodes.every((n) => n.type !== 'throw_statement' &&
    !(n.type === 'method_invocation' && (!n.childForFieldName('object') || n.childForFieldName('object')?.type === 'this')));
}

const NESTED = new Set(['lambda_expression', 'class_body', 'method_declaration', 'constructor_declaration']);

function nodesOf(n: Node, out: Node[]): void {
  for (const c of n.namedChildren) {
    if (!c || NESTED.has(c.type)) continue;
    out.push(c);
    nodesOf(c, out);
  }
}

/** The classes the code builds (`new T(…)`: simple name and arity), nested functions and class bodies left out. */
export function createdTypes(nodes: readonly Node[]): { readonly type: string; readonly arity: number }[] {
  return nodes.filter((n) => n.type === 'object_creation_expression').map((n) => ({
    type: (n.childForFieldName('type')?.text ?? '').replace(/<.*$/s, '').split('.').pop() ?? '',
    arity: n.childForFieldName('arguments')?.namedChildCount ?? 0,
  }));
}

/** The nodes of the instance field initializers and instance initializer blocks of a class body (nested functions and class bodies left out). */
export function initializerNodes(classBody: Node): Node[] {
  const nodes: Node[] = [];
  for (const m of classBody.namedChildren) {
    if (!m) continue;
    const isStatic = m.namedChildren.some((c) => c?.type === 'modifiers' && /\bstatic\b/.test(c.text));
    if (m.type === 'field_declaration' && !isStatic) nodesOf(m, nodes);
    else if (m.type === 'block') nodesOf(m, nodes);
  }
  return nodes;
}

/** What `quietArities` needs of one declared constructor. */
export interface CtorFacts {
  readonly arity: number;
  /** Declares no `throws` and its body is `quietCode`. */
  readonly quiet: boolean;
  /** Every class of the project it builds (and its initializers build) has a quiet constructor of that arity. */
  readonly buildsQuiet: boolean;
  /** Arity of its `this(…)` call, if any; otherwise it calls `super(superArgs ?? 0)`. */
  readonly thisArgs?: number;
  readonly superArgs?: number;
}

/**
 * The arities at which every constructor of a class is quiet (see above). `ctors` are the declared constructors
 * (none: the default one); `initQuiet` says the initializers are `quietCode` and build only quiet classes; `superQuiet(arity)` says whether the
 * superclass's constructors of that arity are quiet (true for no superclass, or one outside the project).
 */
export function quietArities(ctors: readonly CtorFacts[], initQuiet: boolean, superQuiet: (arity: number) => boolean): ReadonlySet<number> {
  const out = new Set<number>();
  if (!initQuiet) return out;
  if (!ctors.length) {
    if (superQuiet(0)) out.add(0);
    return out;
  }
  const memo = new Map<number, boolean>();
  const quietAt = (arity: number, depth: number): boolean => {
    const known = memo.get(arity);
    if (known !== undefined) return known;
    if (depth > 8) return false;
    memo.set(arity, false); // a cycle of this(…) calls does not compile; in progress counts as not quiet
    const list = ctors.filter((c) => c.arity === arity);
    const ok = list.length > 0 && list.every((c) => c.quiet && c.buildsQuiet &&
      (c.thisArgs !== undefined ? quietAt(c.thisArgs, depth + 1) : superQuiet(c.superArgs ?? 0)));
    memo.set(arity, ok);
    return ok;
  };
  for (const c of ctors) if (quietAt(c.arity, 0)) out.add(c.arity);
  return out;
}
