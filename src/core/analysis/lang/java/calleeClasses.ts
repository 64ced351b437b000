import type { Node } from 'web-tree-sitter';
import { CLOSE_HELPERS, isWrapperType, STORE_METHODS, STORE_PREFIX, VIEW_METHODS } from './names';
import type { JavaFileFacts } from './projectClasses';
import { arityOf, bodyNames, callArgs, fieldNamed, NAMING_NODES, NodesByType, ownNodes, paramNames, simpleTypeName, strip } from './syntax';

/**
 * Methods of other files' classes that keep what they are given (java-handoff, issue 13). A call
 * `sess.setSocket(s)`, `channel.setInputStream(in)` or `connection.tcp.accept(selector, ch)` whose
 * callee is declared in another file of the project stores the argument in the callee's object: the
 * object refers to the socket from then on, as a field the function itself assigned would
 * (`this.sock = s` is a hand-off in the Java rules, and so is `sock.register(selector, …)`). After
 * such a call the caller is no longer its only owner; the lowering hands it over there (an exception
 * from the call itself still leaves it the caller's: the callee may throw before storing it).
 *
 * A method keeps parameter k when, as javac would resolve the call by its receiver's declared type
 * (`Session sess`, a field `tcp` of `Connection`), every method of that name and arity in the class
 * and its superclasses (any of them may be the one called) does one of these with the parameter as it
 * is (not reassigned anywhere in the body):
 * - assigns it to a field of the object (`this.socket = socket`, `socketChannel = ch`), also through
 *   `Objects.requireNonNull(p, …)` / Guava's `checkNotNull(p, …)`, which return their argument as it is;
 * - adds it to a collection held in a field (`sessions.add(s)`: the JDK collection methods of `STORE_METHODS`);
 * - gives it, as it is, to a method of a field (`io.setInputStream(in)`) or of the object itself
 *   (`setInputStream(in, false)`, `super.set(s)`) that keeps it, recursively.
 * A method overridden in a subclass the receiver may hold at run time is not followed (the declared
 * type's method is the one read, as for the file's own summaries). Interfaces and abstract methods
 * have no body: their calls stay unknown (the socket stays the caller's).
 *
 * `quietCtors` is for constructions that take a resource over (`new MonitorSocketWrapper(socket, m)` of
 * a class extending `Socket`): the arities whose every constructor can let out only an unchecked
 * exception nobody throws on purpose. Such a constructor declares no `throws` (javac then lets no
 * checked exception out of it, the implicit `super()` included), has no `throw` statement, no
 * `this(…)`/`super(…)` call, and calls no method of its own class unqualified or on `this`
 * (`requireNonNull`/`checkNotNull` aside: they throw only for a null argument, a caller's bug).
 */

/** A parameter given, as it is, to a call on a field or on the object itself. */
interface Pass {
  readonly param: number;
  /** The field the call is made on; null for an unqualified call or one on `this` / `super`. */
  readonly field: string | null;
  readonly sup: boolean;
  /** `name/arity` of the method called (`<init>/arity` for `super(…)`/`this(…)`), and the argument's index. */
  readonly call: string;
  readonly arg: number;
}

export interface CalleeBody {
  /** Parameters stored as they are in a field of the object (or in a collection a field holds). */
  readonly stores: readonly number[];
  readonly passes: readonly Pass[];
  /** Only an unchecked exception nobody throws on purpose can leave it (see the module comment). */
  readonly uncheckedOnly: boolean;
  /** Parameters returned as they are, or built into the value returned (`return new Conn(p)`, `return p.getInputStream()`). */
  readonly returns: readonly number[];
  /** Parameters closed on every path that returns (`closedParams`, java-handoff2). */
  readonly closes: readonly number[];
  /** Parameters only borrowed: every use is as the receiver of a call that gives no view of it (`borrowedParams`). */
  readonly borrows: readonly number[];
}

/** The facts of one class or interface of a file (its own members only). */
export interface CalleeClassFacts {
  readonly name: string;
  readonly superName?: string;
  /** Field names and their declared simple types. */
  readonly fields: ReadonlyMap<string, string>;
  /** Methods with a body, by `name/arity` (every overload of it). */
  readonly methods: ReadonlyMap<string, readonly CalleeBody[]>;
  /** Constructors by arity (every one of it). */
  readonly ctors: ReadonlyMap<number, readonly CalleeBody[]>;
  /** Methods without a body (an interface's, abstract ones) by `name/arity`, with their declared return type. */
  readonly abstracts: ReadonlyMap<string, string>;
  /** The `name/arity` of methods without a body of which some declaration has a `throws` clause. */
  readonly abstractThrows: ReadonlySet<string>;
}

/** A call with arguments on a variable, a field of `this` or a field of a variable: `sess.m(…)`, `this.f.m(…)`, `c.tcp.m(…)`. */
interface ReceiverCall {
  /** The variable (or, with `self`, the field of `this`) the receiver starts from. */
  readonly name: string;
  readonly self: boolean;
  /** The field of the variable's object the call is made on (`connection.tcp`), if any. */
  readonly field?: string;
  /** `name/arity` of the method. */
  readonly key: string;
  /** `Helper.m(s)`: the receiver is a class's name (a static method), not a variable. */
  readonly static?: boolean;
}

export interface CalleeFileFacts {
  /** Classes and interfaces declared in the file (nested ones too), by simple name (the first of a name). */
  readonly classes: ReadonlyMap<string, CalleeClassFacts>;
  /** The declared simple types of the file's variables and fields, by name (every declaration of a name). */
  readonly varTypes: ReadonlyMap<string, readonly string[]>;
  /** The calls with arguments whose receiver's class may be another file's (what the lowering may ask). */
  readonly calls: readonly ReceiverCall[];
  /** `new T(…)` with arguments of a type the file does not declare, with their arity. */
  readonly built: readonly { readonly type: string; readonly arity: number }[];
  /**
   * `setSocket(s)`, `this.register(s)`, `super.attach(s)` in a top-level class of the file that declares no method of that
   * name (nor does any class of the file): the method is inherited, from the class's superclass (java-handoff2).
   */
  readonly inherited?: readonly { readonly cls: string; readonly superName: string; readonly key: string }[];
}

/** The name under which the lowering asks for what a class's inherited methods do (`inheritedKey('Handler')`). */
export const inheritedKey = (cls: string): string => `super:${cls}`;

/** What the lowering is told about a class of another file, by the simple name the checked file uses. */
export interface CalleeClass {
  /** Methods (`name/arity`, own and inherited) that keep parameters, with those parameters' indices. */
  readonly keeps: ReadonlyMap<string, readonly number[]>;
  /** Constructor arities whose every constructor can let out only unchecked exceptions nobody throws on purpose. */
  readonly quietCtors: ReadonlySet<number>;
  /** Fields (own and inherited) whose declared type is such a class, for receivers like `connection.tcp`. */
  readonly fields: ReadonlyMap<string, CalleeClass>;
  /**
   * Builder methods (`name/arity`) that can let out only an unchecked exception (`quietBuilder` below): a call of one
   * is an unlikely exception origin.
   */
  readonly quietBuilders?: ReadonlySet<string>;
  /** Methods (`name/arity`) that close parameters on every path that returns, with those parameters (java-handoff2). */
  readonly releases?: ReadonlyMap<string, readonly number[]>;
  /** Methods (`name/arity`) that return parameters, or objects built on them (java-handoff2). */
  readonly returns?: ReadonlyMap<string, readonly number[]>;
  /** Static methods (`name/arity`, called on the class's name) that only borrow parameters (java-handoff2). */
  readonly borrows?: ReadonlyMap<string, readonly number[]>;
  /** What the constructors of an arity do with their parameters, when every one of them is read (java-handoff2). */
  readonly ctors?: ReadonlyMap<number, CtorFacts>;
}

/** Parameters every constructor of an arity keeps, closes on every path that returns, or only borrows. */
export interface CtorFacts {
  readonly keeps: readonly number[];
  readonly releases: readonly number[];
  readonly borrows: readonly number[];
}

/** `Objects.requireNonNull(p, …)`, Guava's `checkNotNull(p, …)`: return their first argument as it is (or throw NPE for null). */
const NON_NULL_RETURNING = new Set(['requireNonNull', 'checkNotNull']);
const MAX_DEPTH = 6;
/** A method name that says it makes a new object (`newSession`, `createHandler`). */
const BUILDER_NAME = /^(?:new|create)[A-Z]/;



/** The node types bodyOf looks at. */
const BODY_NODES = [...NAMING_NODES, 'throw_statement', 'explicit_constructor_invocation', 'method_invocation', 'return_statement'];

/**
 * A call on a parameter whose result is (or may be) a view of it or an object built on it: `getInputStream()`,
 * `getChannel()`, `socket()`, and any name ending like a resource's (`getReader`, `newSession`, `openConnection`).
 */
const VIEW_NAME = /(?:Stream|Channel|Reader|Writer|Socket|Session|Connection|Sink|Source)$/;

/**
 * The parameters a value is built on, as they are: `p`, `new BufferedReader(new InputStreamReader(p.getInputStream()))`,
 * `p.getOutputStream()`, `Objects.requireNonNull(p)` (a stream wrapper's construction or a view keeps what it is made
 * from). Another class's construction (`new Response(status, p)`) is not read here: its constructor may keep nothing.
 */
function builtOn(e: Node | null, paramOf: (e: Node | null) => number, depth = 0): number[] {
  const x = strip(e);
  if (!x || depth > 8) return [];
  const p = paramOf(x);
  if (p >= 0) return [p];
  if (x.type === 'object_creation_expression' && isWrapperType(simpleTypeName(x.childForFieldName('type'))) && !x.namedChildren.some((c) => c?.type === 'class_body')) {
    return callArgs(x).flatMap((a) => builtOn(a, paramOf, depth + 1));
  }
  if (x.type === 'method_invocation' && VIEW_METHODS.has(x.childForFieldName('name')?.text ?? '') && !callArgs(x).length) {
    return builtOn(x.childForFieldName('object'), paramOf, depth + 1);
  }
  return [];
}

/** Is the statement `p.close()`, `closeQuietly(p)` or `X.closeQuietly(p)` of parameter `name`? */
function closesName(stmt: Node, name: string): boolean {
  if (stmt.type !== 'expression_statement') return false;
  const call = strip(stmt.namedChildren[0] ?? null);
  if (call?.type !== 'method_invocation') return false;
  const m = call.childForFieldName('name')?.text ?? '';
  const args = callArgs(call);
  const object = strip(call.childForFieldName('object'));
  if (m === 'close' && !args.length) return object?.type === 'identifier' && object.text === name;
  return CLOSE_HELPERS.has(m) && args.length === 1 && strip(args[0]!)?.type === 'identifier' && strip(args[0]!)!.text === name;
}

/**
 * The parameters a body closes on every path that returns (java-handoff2): each of the body's own top-level
 * statements is read in order, up to the first that may return (one with a `return` in it; a `throw` is an
 * exceptional exit, which a caller's `try` answers for, as for the file's own summaries):
 * - `p.close();` / `closeQuietly(p);` as a statement of its own closes `p` for every path that goes on past it;
 * - `try (p) {…}` or `try (T x = p) {…}` closes `p` when the statement ends, however it ends (a `return` in it too);
 * - a `try` whose `finally` block has such a close as one of its own statements closes `p` however the try ends.
 */
function closedParams(body: Node | null, params: readonly string[], reassigned: ReadonlySet<string>): number[] {
  if (!body) return [];
  const out = new Set<number>();
  const live = params.map((p, i) => (p && !reassigned.has(p) ? i : -1)).filter((i) => i >= 0);
  const returns = (n: Node): boolean => ownNodes(n, ['return_statement']).length > 0 || n.type === 'return_statement';
  for (const stmt of body.namedChildren) {
    if (!stmt) continue;
    for (const i of live) {
      const name = params[i]!;
      if (closesName(stmt, name)) out.add(i);
      if (stmt.type === 'try_statement' || stmt.type === 'try_with_resources_statement') {
        const fin = stmt.namedChildren.find((c) => c?.type === 'finally_clause');
        const block = fin?.namedChildren.find((c) => c?.type === 'block');
        if (block?.namedChildren.some((c) => c !== null && closesName(c, name))) out.add(i);
        for (const r of stmt.childForFieldName('resources')?.namedChildren ?? []) {
          if (r?.type !== 'resource') continue;
          const v = strip(r.childForFieldName('value') ?? (r.namedChildren.length === 1 ? r.namedChildren[0] ?? null : null));
          if (v?.type === 'identifier' && v.text === name) out.add(i);
        }
      }
    }
    if (returns(stmt)) break;
  }
  return [...out];
}

/**
 * The parameters a body only borrows (java-handoff2): every mention of one, anywhere in the body (a lambda's or a
 * nested class's too), is as the receiver of a method call whose name gives no view of it or object built on it
 * (`VIEW_NAME`, `register`, `close` aside): `s.getPort()`, `s.setSoTimeout(t)`, `in.read(buf)`. Then the object
 * made or the method called refers to the resource nowhere once it returns: the caller still holds the only
 * reference. A parameter passed on, assigned, stored, returned, captured or compared is not borrowed.
 */
function borrowedParams(body: Node | null, params: readonly string[], reassigned: ReadonlySet<string>): number[] {
  if (!body) return [];
  const uses = new Map<string, Node[]>();
  for (const id of body.descendantsOfType('identifier')) {
    if (id && params.includes(id.text)) uses.set(id.text, [...(uses.get(id.text) ?? []), id]);
  }
  const nested = new Set(['lambda_expression', 'class_body', 'method_declaration', 'constructor_declaration']);
  const inNested = (n: Node): boolean => {
    for (let p = n.parent; p && p.id !== body.id; p = p.parent) if (nested.has(p.type)) return true;
    return false;
  };
  const borrowing = (id: Node): boolean => {
    if (inNested(id)) return false;
    const call = id.parent;
    if (call?.type !== 'method_invocation' || call.childForFieldName('object')?.id !== id.id) return false;
    const m = call.childForFieldName('name')?.text ?? '';
    return !VIEW_METHODS.has(m) && !VIEW_NAME.test(m) && m !== 'register' && m !== 'close';
  };
  return params.map((p, i) => (p && !reassigned.has(p) && (uses.get(p) ?? []).every(borrowing) ? i : -1)).filter((i) => i >= 0);
}

function bodyOf(fn: Node): CalleeBody {
  const params = paramNames(fn);
  const body = fn.childForFieldName('body');
  const nodes = body ? ownNodes(body, BODY_NODES) : [];
  const { locals, reassigned } = bodyNames(params, nodes);
  const fieldOf = (e: Node | null): string | undefined => fieldNamed(e, locals);
  /** The parameter `e` is as it is (through requireNonNull/checkNotNull), or -1. */
  const paramOf = (e: Node | null): number => {
    let x = strip(e);
    if (x?.type === 'method_invocation' && NON_NULL_RETURNING.has(x.childForFieldName('name')?.text ?? '')) x = strip(callArgs(x)[0] ?? null);
    const i = x?.type === 'identifier' ? params.indexOf(x.text) : -1;
    return i >= 0 && !reassigned.has(params[i]!) ? i : -1;
  };
  const stores = new Set<number>();
  const returns = new Set<number>();
  const passes: Pass[] = [];
  let uncheckedOnly = !fn.namedChildren.some((c) => c?.type === 'throws');
  for (const n of nodes) {
    if (n.type === 'throw_statement') uncheckedOnly = false;
    if (n.type === 'explicit_constructor_invocation') {
      uncheckedOnly = false;
      // `super(socket)`, `this(socket, 0)`: the constructor called keeps what it keeps.
      const sup = (n.childForFieldName('constructor')?.text ?? n.namedChildren[0]?.text ?? '') === 'super';
      const args = callArgs(n);
      args.forEach((a, i) => {
        const p = paramOf(a);
        if (p >= 0) passes.push({ param: p, field: null, sup, call: `<init>/${args.length}`, arg: i });
      });
    } else if (n.type === 'return_statement') {
      for (const p of builtOn(n.namedChildren[0] ?? null, paramOf)) returns.add(p);
    } else if (n.type === 'assignment_expression' && n.childForFieldName('operator')?.text === '=') {
      // `this.socket = socket`, `this.in = new DataInputStream(socket.getInputStream())`: the object keeps it.
      if (fieldOf(n.childForFieldName('left'))) for (const p of builtOn(n.childForFieldName('right'), paramOf)) stores.add(p);
    } else if (n.type === 'method_invocation') {
      const name = n.childForFieldName('name')?.text ?? '';
      const object = strip(n.childForFieldName('object'));
      const self = !object || object.type === 'this' || object.type === 'super';
      if (self && !NON_NULL_RETURNING.has(name)) uncheckedOnly = false;
      const field = self ? null : fieldOf(object);
      if (field === undefined) continue;
      const args = callArgs(n);
      args.forEach((a, i) => {
        const p = paramOf(a);
        if (p < 0) return;
        if (field !== null && (STORE_METHODS.has(name) || STORE_PREFIX.test(name))) stores.add(p);
        else if (!(self && NON_NULL_RETURNING.has(name))) passes.push({ param: p, field, sup: object?.type === 'super', call: `${name}/${args.length}`, arg: i });
      });
    }
  }
  return {
    stores: [...stores], passes, uncheckedOnly, returns: [...returns],
    closes: closedParams(body, params, reassigned), borrows: borrowedParams(body, params, reassigned),
  };
}

/** The node types calleeFileFacts looks at across the file (javaFileFacts collects them with its own in one walk). */
export const CALLEE_FILE_NODES: readonly string[] = [
  'class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration', 'local_variable_declaration', 'field_declaration',
  'formal_parameter', 'catch_formal_parameter', 'resource', 'method_invocation', 'object_creation_expression',
];

/** The callee facts of one Java file's tree (`found`: its nodes of CALLEE_FILE_NODES' types). */
export function calleeFileFacts(root: Node, found: NodesByType = new NodesByType(root, CALLEE_FILE_NODES)): CalleeFileFacts {
  const classes = new Map<string, CalleeClassFacts>();
  for (const decl of found.of('class_declaration', 'interface_declaration')) {
    const name = decl?.childForFieldName('name')?.text;
    const body = decl?.childForFieldName('body');
    if (!decl || !name || !body || classes.has(name)) continue;
    const superType = decl.type === 'class_declaration' ? decl.childForFieldName('superclass')?.namedChildren.find((c) => c !== null) ?? null : null;
    const fields = new Map<string, string>();
    const methods = new Map<string, CalleeBody[]>();
    const ctors = new Map<number, CalleeBody[]>();
    const abstracts = new Map<string, string>();
    const abstractThrows = new Set<string>();
    for (const m of body.namedChildren) {
      if (m?.type === 'method_declaration' && !m.childForFieldName('body')) {
        const key = `${m.childForFieldName('name')?.text ?? ''}/${arityOf(m)}`;
        if (!abstracts.has(key)) abstracts.set(key, simpleTypeName(m.childForFieldName('type')));
        if (m.namedChildren.some((c) => c?.type === 'throws')) abstractThrows.add(key);
        continue;
      }
      if (m?.type === 'field_declaration') {
        const type = simpleTypeName(m.childForFieldName('type'));
        for (const d of m.childrenForFieldName('declarator')) {
          const f = d?.childForFieldName('name')?.text;
          if (f && type) fields.set(f, type);
        }
      } else if (m?.type === 'constructor_declaration') {
        const a = arityOf(m);
        ctors.set(a, [...(ctors.get(a) ?? []), bodyOf(m)]);
      } else if (m?.type === 'method_declaration' && m.childForFieldName('body')) {
        const key = `${m.childForFieldName('name')?.text ?? ''}/${arityOf(m)}`;
        methods.set(key, [...(methods.get(key) ?? []), bodyOf(m)]);
      }
    }
    classes.set(name, { name, ...(superType ? { superName: simpleTypeName(superType) } : {}), fields, methods, ctors, abstracts, abstractThrows });
  }
  const declared = new Set(found.of('class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration')
    .map((d) => d?.childForFieldName('name')?.text ?? ''));
  const varTypes = new Map<string, string[]>();
  const declare = (name: string | undefined, typeNode: Node | null): void => {
    const type = simpleTypeName(typeNode);
    if (!name || !/^[A-Z]/.test(type) || declared.has(type)) return;
    const list = varTypes.get(name);
    if (!list) varTypes.set(name, [type]);
    else if (!list.includes(type)) list.push(type);
  };
  for (const d of found.of('local_variable_declaration', 'field_declaration', 'formal_parameter', 'catch_formal_parameter', 'resource')) {
    if (!d) continue;
    const typeNode = d.childForFieldName('type');
    if (d.type === 'local_variable_declaration' || d.type === 'field_declaration') {
      for (const v of d.childrenForFieldName('declarator')) declare(v?.childForFieldName('name')?.text, typeNode);
    } else declare(d.childForFieldName('name')?.text, typeNode);
  }
  const calls: ReceiverCall[] = [];
  const seenCalls = new Set<string>();
  for (const n of found.of('method_invocation')) {
    const arity = n ? callArgs(n).length : 0;
    const object = n ? strip(n.childForFieldName('object')) : null;
    // Only a variable can hold the function's resource: a call given none keeps nothing the lowering tracks.
    if (!n || !arity || !object || !callArgs(n).some((a) => strip(a)?.type === 'identifier')) continue;
    const key = `${n.childForFieldName('name')?.text ?? ''}/${arity}`;
    let call: ReceiverCall | undefined;
    if (object.type === 'identifier') call = { name: object.text, self: false, key };
    else if (object.type === 'field_access') {
      const inner = strip(object.childForFieldName('object'));
      const field = object.childForFieldName('field')?.text;
      if (field && inner?.type === 'this') call = { name: field, self: true, key };
      else if (field && inner?.type === 'identifier') call = { name: inner.text, self: false, field, key };
    }
    // `Helper.m(s)`: a class's name (capitalised, no variable or field of the file is so named) calls a static method.
    if (call && !call.self && !call.field && !varTypes.has(call.name) && /^[A-Z]/.test(call.name) && !declared.has(call.name)) call = { ...call, static: true };
    const id = call ? `${call.name}/${call.self}/${call.field ?? ''}/${key}` : '';
    if (call && (varTypes.has(call.name) || call.static) && !seenCalls.has(id)) {
      seenCalls.add(id);
      calls.push(call);
    }
  }
  const methodNames = new Set([...classes.values()].flatMap((c) => [...c.methods.keys(), ...c.abstracts.keys()].map((k) => k.slice(0, k.lastIndexOf('/')))));
  const inherited: { cls: string; superName: string; key: string }[] = [];
  for (const n of found.of('method_invocation')) {
    const object = n ? strip(n.childForFieldName('object')) : null;
    const name = n?.childForFieldName('name')?.text ?? '';
    const args = n ? callArgs(n) : [];
    if (!n || (object && object.type !== 'this' && object.type !== 'super') || !args.length || methodNames.has(name)) continue;
    if (!args.some((a) => strip(a)?.type === 'identifier')) continue;
    // The class whose body the call is in, directly (not in an anonymous class's, a lambda's is fine), at the file's top level.
    let decl: Node | null = n.parent;
    while (decl && decl.type !== 'class_body') decl = decl.parent;
    decl = decl?.parent ?? null;
    if (decl?.type !== 'class_declaration' || decl.parent?.type !== 'program') continue;
    const cls = decl.childForFieldName('name')?.text ?? '';
    const superName = classes.get(cls)?.superName;
    const key = `${name}/${args.length}`;
    if (superName && !inherited.some((i) => i.cls === cls && i.key === key)) inherited.push({ cls, superName, key });
  }
  const built: { type: string; arity: number }[] = [];
  for (const n of found.of('object_creation_expression')) {
    const type = n ? simpleTypeName(n.childForFieldName('type')) : '';
    const arity = n ? callArgs(n).length : 0;
    if (arity && type && !declared.has(type) && !built.some((b) => b.type === type && b.arity === arity)) built.push({ type, arity });
  }
  return { classes, varTypes, calls, built, inherited };
}

/** A class or interface found, with the file it is declared in (the file's path is only an identity here). */
export interface CalleeFound {
  readonly file: string;
  readonly facts: JavaFileFacts;
  readonly cls: CalleeClassFacts;
}
type Found = CalleeFound;

/**
 * Finds the class or interface a simple name means in a file (as javac does: declared in it, imported by name
 * from a source root of the project, or in its package folder), with its callee facts; undefined when unknown.
 */
export type CalleeFinder = (name: string, from: { readonly file: string; readonly facts: JavaFileFacts }) => Promise<CalleeFound | undefined>;

/** A `CalleeClass` being derived. */
interface Building extends CalleeClass {
  readonly keeps: Map<string, readonly number[]>;
  readonly quietCtors: Set<number>;
  readonly fields: Map<string, Building>;
  readonly quietBuilders: Set<string>;
  readonly releases: Map<string, readonly number[]>;
  readonly returns: Map<string, readonly number[]>;
  readonly borrows: Map<string, readonly number[]>;
  readonly ctors: Map<number, CtorFacts>;
}

const building = (): Building => ({
  keeps: new Map(), quietCtors: new Set(), fields: new Map(), quietBuilders: new Set(), releases: new Map(), returns: new Map(), borrows: new Map(), ctors: new Map(),
});

/** The sorted indices of a set, or undefined when it is empty. */
const sorted = (set: ReadonlySet<number> | undefined): number[] | undefined => (set?.size ? [...set].sort((x, y) => x - y) : undefined);
/** The parameters in every one of the lists (undefined for no list at all). */
function everyOf(lists: readonly (readonly number[])[]): Set<number> | undefined {
  if (!lists.length) return undefined;
  return new Set(lists[0]!.filter((p) => lists.every((l) => l.includes(p))));
}

/** Derives `CalleeClass` facts for the types a file mentions, memoised per class (one instance per file checked). */
export class CalleeClasses {
  private readonly keepMemo = new Map<string, ReadonlySet<number>>();
  private readonly busy = new Set<string>();

  /** Lookups by the file asking and the name (a file's calls name the same few types again and again). */
  private readonly lookups = new Map<string, Promise<CalleeFound | undefined>>();

  constructor(private readonly finder: CalleeFinder) {}

  private find(name: string, from: { readonly file: string; readonly facts: JavaFileFacts }): Promise<CalleeFound | undefined> {
    const id = `${from.file}\0${name}`;
    let p = this.lookups.get(id);
    if (!p) this.lookups.set(id, (p = this.finder(name, from)));
    return p;
  }

  /**
   * What the lowering of the file may ask of other files' classes, by the simple name the file uses: for each call
   * with arguments on a variable or field of such a class (or on a field of one), the parameters that method keeps;
   * for each `new T(…)` with arguments, whether T's constructors of that arity are quiet. Uninformative ones are left out.
   */
  async classesOf(file: string, facts: JavaFileFacts): Promise<Map<string, CalleeClass>> {
    const own = facts.callees;
    const out = new Map<string, Building>();
    const entry = (type: string): Building => {
      let e = out.get(type);
      if (!e) out.set(type, (e = building()));
      return e;
    };
    const from = { file, facts };
    for (const call of own?.calls ?? []) {
      for (const type of call.static ? [call.name] : own?.varTypes.get(call.name) ?? []) {
        const c = await this.find(type, from);
        if (!c) continue;
        const target = call.field ? await this.fieldClass(c, call.field) : c;
        const kept = target ? await this.keepsOf(target, call.key, 0) : new Set<number>();
        const quiet = target ? await this.quietBuilder(target, call.key) : false;
        const bodies = target ? await this.bodiesOf(target, call.key) : [];
        // A static method is the one its class declares (no override); an instance method's bodies are those of the chain.
        const statics = call.static && target?.cls.methods.has(call.key) ? target.cls.methods.get(call.key)! : [];
        const releases = sorted(everyOf(bodies.map((b) => b.closes)));
        const returns = sorted(everyOf(bodies.map((b) => b.returns)));
        const borrows = sorted(new Set([...everyOf(statics.map((b) => b.borrows)) ?? []].filter((p) => !kept.has(p))));
        const ps = sorted(kept);
        if (!ps && !quiet && !releases && !returns && !borrows) continue;
        let e: Building;
        if (!call.field) e = entry(type);
        else {
          const fields = entry(type).fields;
          e = fields.get(call.field) ?? building();
          fields.set(call.field, e);
        }
        if (ps) e.keeps.set(call.key, ps);
        if (quiet) e.quietBuilders.add(call.key);
        if (releases) e.releases.set(call.key, releases);
        if (returns) e.returns.set(call.key, returns);
        if (borrows) e.borrows.set(call.key, borrows);
      }
    }
    for (const i of own?.inherited ?? []) {
      const c = await this.find(i.superName, from);
      if (!c || c.file === file) continue;
      const kept = sorted(await this.keepsOf(c, i.key, 0));
      const bodies = await this.bodiesOf(c, i.key);
      const releases = sorted(everyOf(bodies.map((b) => b.closes)));
      const returns = sorted(everyOf(bodies.map((b) => b.returns)));
      if (!kept && !releases && !returns) continue;
      const e = entry(inheritedKey(i.cls));
      if (kept) e.keeps.set(i.key, kept);
      if (releases) e.releases.set(i.key, releases);
      if (returns) e.returns.set(i.key, returns);
    }
    for (const b of own?.built ?? []) {
      const c = await this.find(b.type, from);
      const bodies = c?.cls.ctors.get(b.arity);
      if (!c || !bodies?.length) continue;
      if (bodies.every((x) => x.uncheckedOnly)) entry(b.type).quietCtors.add(b.arity);
      const keeps = await this.ctorKeeps(c, b.arity, 0);
      const releases = everyOf(bodies.map((x) => x.closes)) ?? new Set<number>();
      const borrows = [...everyOf(bodies.map((x) => x.borrows)) ?? []].filter((p) => !keeps.has(p) && !releases.has(p));
      if (keeps.size || releases.size || borrows.length) {
        entry(b.type).ctors.set(b.arity, { keeps: sorted(keeps) ?? [], releases: sorted(releases) ?? [], borrows: borrows.sort((x, y) => x - y) });
      }
    }
    return new Map(out);
  }

  /** Every body of method `key` in `c` and its superclasses (any of them may be the one called). */
  private async bodiesOf(c: Found, key: string): Promise<CalleeBody[]> {
    const out: CalleeBody[] = [];
    for (let cur: Found | undefined = c, d = 0; cur && d < MAX_DEPTH; cur = await this.superOf(cur), d++) out.push(...(cur.cls.methods.get(key) ?? []));
    return out;
  }

  /** The parameters every constructor of `c` of that arity keeps (a constructor is not inherited: `c`'s own only). */
  private ctorKeeps(c: Found, arity: number, depth: number): Promise<ReadonlySet<number>> {
    return this.keptOnce(`${c.file}#${c.cls.name}#<init>/${arity}`, depth, true, async () => {
      let result: Set<number> | undefined;
      for (const body of c.cls.ctors.get(arity) ?? []) {
        const kept = await this.keptBy(body, c, depth);
        result = result ? new Set([...result].filter((p) => kept.has(p))) : kept;
      }
      return result;
    });
  }

  /**
   * `compute` once per `id` (a class's constructor or method): the empty set while it is being computed (a
   * recursion through its own callees) or beyond MAX_DEPTH; remembered when `always`, at depth 0, or when not empty.
   */
  private async keptOnce(id: string, depth: number, always: boolean, compute: () => Promise<Set<number> | undefined>): Promise<ReadonlySet<number>> {
    const memo = this.keepMemo.get(id);
    if (memo) return memo;
    if (this.busy.has(id) || depth > MAX_DEPTH) return new Set();
    this.busy.add(id);
    let result: Set<number> | undefined;
    try {
      result = await compute();
    } finally {
      this.busy.delete(id);
    }
    const out = result ?? new Set<number>();
    if (always || depth === 0 || out.size) this.keepMemo.set(id, out);
    return out;
  }

  /**
   * Is `key` of `c` a builder that can let out only an unchecked exception (issue 13, java-prec8)? An interface's
   * (or abstract) `new…`/`create…` method with no body in the class chain, returning a class or interface of the
   * project (`WebSocketImpl createWebSocket(WebSocketAdapter a, List<Draft> d)`, `Session newSession(Socket s)`),
   * whose declaration has no `throws` clause. Why: the checked exceptions a call can throw are those of the
   * throws clause of its compile-time declaration, the one in the receiver's declared type (JLS 15.12.3, 11.2.1),
   * and no implementation may throw a checked exception that declaration does not list (JLS 8.4.8.3), so every
   * implementation, the users' own included, can let out only an unchecked one: a programming error (a bug, or an
   * argument the implementation rejects as invalid), not a runtime failure. A factory that may fail at run time on
   * I/O or the environment must declare it (`SendChat createSendChat(…) throws IOException` keeps its warnings).
   * The object it builds is made in memory: a leak only through its exception is pedantic (information), as for a
   * same-file callee or a constructor of another file that can let out only unchecked exceptions (./quietConstructors).
   */
  private async quietBuilder(c: Found, key: string): Promise<boolean> {
    if (!BUILDER_NAME.test(key)) return false;
    let abstract: { type: string; owner: Found } | undefined;
    for (let cur: Found | undefined = c, d = 0; cur && d < MAX_DEPTH; cur = await this.superOf(cur), d++) {
      if (cur.cls.methods.has(key)) return false;
      if (cur.cls.abstractThrows.has(key)) return false;
      const type = cur.cls.abstracts.get(key);
      if (type && !abstract) abstract = { type, owner: cur };
    }
    return !!abstract && !!(await this.find(abstract.type, abstract.owner));
  }

  private superOf(c: Found): Promise<Found | undefined> {
    return c.cls.superName ? this.find(c.cls.superName, c) : Promise.resolve(undefined);
  }

  /** The class a field (own or inherited) of `c` is declared as. */
  private async fieldClass(c: Found, field: string): Promise<Found | undefined> {
    let cur: Found | undefined = c;
    for (let d = 0; cur && d < MAX_DEPTH; d++) {
      const type = cur.cls.fields.get(field);
      if (type) return this.find(type, cur);
      cur = await this.superOf(cur);
    }
    return undefined;
  }

  /** The parameters every method `key` of `c` or its superclasses keeps (see the module comment). */
  private keepsOf(c: Found, key: string, depth: number): Promise<ReadonlySet<number>> {
    return this.keptOnce(`${c.file}#${c.cls.name}#${key}`, depth, false, async () => {
      let result: Set<number> | undefined;
      let abstract: { type: string; owner: Found } | undefined;
      for (let cur: Found | undefined = c, d = 0; cur && d < MAX_DEPTH; cur = await this.superOf(cur), d++) {
        for (const body of cur.cls.methods.get(key) ?? []) {
          const kept = await this.keptBy(body, cur, depth);
          result = result ? new Set([...result].filter((p) => kept.has(p))) : kept;
        }
        const type = cur.cls.abstracts.get(key);
        if (type && !abstract) abstract = { type, owner: cur };
      }
      // `Session newSession(Socket s)` of an interface (or an abstract method), with no body anywhere in the chain:
      // its name says it makes a new object, of a class or interface of the project, from what it is given. That
      // object is built on the socket, as one made by `new Session(s)` of a class the analysis cannot see is (which
      // keeps it: `construct` in ./lower.ts). Every argument is taken to be kept.
      if (!result && abstract && BUILDER_NAME.test(key) && (await this.find(abstract.type, abstract.owner))) {
        result = new Set([...Array(Number(key.slice(key.lastIndexOf('/') + 1))).keys()]);
      }
      return result;
    });
  }

  private async keptBy(body: CalleeBody, owner: Found, depth: number): Promise<Set<number>> {
    const kept = new Set(body.stores);
    for (const p of body.passes) {
      if (kept.has(p.param)) continue;
      if (p.call.startsWith('<init>/')) {
        // `super(socket)` / `this(socket, 0)`: kept when the constructor called keeps that argument.
        const target = p.sup ? await this.superOf(owner) : owner;
        if (target && (await this.ctorKeeps(target, Number(p.call.slice(7)), depth + 1)).has(p.arg)) kept.add(p.param);
        continue;
      }
      const target = p.field !== null ? await this.fieldClass(owner, p.field) : p.sup ? await this.superOf(owner) : owner;
      if (target && (await this.keepsOf(target, p.call, depth + 1)).has(p.arg)) kept.add(p.param);
    }
    return kept;
  }
}

/** A stable text of what the lowering is told (for the reuse of function results). */
export function calleeClassesKey(classes: ReadonlyMap<string, CalleeClass> | undefined): string {
  if (!classes?.size) return '';
  const one = (c: CalleeClass, depth: number): string => [
    [...c.keeps].map(([m, ps]) => `${m}:${ps.join('+')}`).sort().join(','),
    [...c.quietCtors].sort((a, b) => a - b).join(','),
    [...(c.quietBuilders ?? [])].sort().join(','),
    ...[c.releases, c.returns, c.borrows].map((m) => [...(m ?? [])].map(([k, ps]) => `${k}:${ps.join('+')}`).sort().join(',')),
    [...(c.ctors ?? [])].map(([a, f]) => `${a}:${f.keeps.join('+')}/${f.releases.join('+')}/${f.borrows.join('+')}`).sort().join(','),
    depth < 1 ? [...c.fields].map(([f, fc]) => `${f}{${one(fc, depth + 1)}}`).sort().join(',') : '',
  ].join(';');
  return [...classes].map(([n, c]) => `${n}[${one(c, 0)}]`).sort().join(' ');
}

/**
 * The class of another file a call's receiver is declared as: a local, parameter or field of the file
 * (`typeOf`: its declared simple type; `field` true for `this.f`), or a field of such a class (`connection.tcp`).
 */
export function keptByCallee(
  recv: Node, typeOf: (name: string, field: boolean) => string | undefined, classOf: (type: string) => CalleeClass | undefined,
): CalleeClass | undefined {
  const r = strip(recv);
  if (r?.type === 'identifier') {
    const t = typeOf(r.text, false);
    return t ? classOf(t) : undefined;
  }
  if (r?.type !== 'field_access') return undefined;
  const object = strip(r.childForFieldName('object'));
  const field = r.childForFieldName('field')?.text;
  if (!object || !field) return undefined;
  if (object.type === 'this') {
    const t = typeOf(field, true);
    return t ? classOf(t) : undefined;
  }
  return keptByCallee(object, typeOf, classOf)?.fields.get(field);
}

/**
 * `socket = initializer.init(socket)`, `s = (Socket) Wrapper.wrap(s, m)`: the call's result is assigned to a local
 * that is one of its arguments. The function gives up its only name of that resource in exchange for what
 * the call returns (the same object, configured, or one built on it, as a decorator or initializer does):
 * whoever returned that value answers for the old one from then on, as a callee that closes or keeps what it
 * is given would. The local's name, or undefined for any other call.
 */
export function replacedArgument(site: Node, args: readonly Node[]): string | undefined {
  let child = site;
  let p = site.parent;
  while (p && (p.type === 'parenthesized_expression' || p.type === 'cast_expression')) {
    child = p;
    p = p.parent;
  }
  if (p?.type !== 'assignment_expression' || p.childForFieldName('right')?.id !== child.id || p.childForFieldName('operator')?.text !== '=') return undefined;
  const left = strip(p.childForFieldName('left'));
  if (left?.type !== 'identifier') return undefined;
  return args.some((a) => strip(a)?.type === 'identifier' && strip(a)!.text === left.text) ? left.text : undefined;
}
