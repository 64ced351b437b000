import type { Node, Tree } from 'web-tree-sitter';
import type { ResourceKind } from './names';
import { jdkSocketKind } from './socketClass';
import { arityOf, bodyNames, callArgs, fieldNamed, importedClasses, NAMING_NODES, NodesByType, ownNodes, paramNames, simpleTypeName, strip } from './syntax';
import { createdTypes, initializerNodes, quietArities, quietCode } from './quietConstructors';
import { CALLEE_FILE_NODES, calleeFileFacts, type CalleeFileFacts } from './calleeClasses';

/**
 * Resource classes of other files of the project (issue 13): a class declared in another file whose
 * every constructor opens a socket (or channel) that it keeps in a field its `close()` closes is a
 * resource itself: `new GridFTPClient(host, port)` opens a connection the caller must close, as
 * `new Socket(host, port)` does. What "opens" means, per constructor or method body:
 * - it assigns a field `f = new Socket(…)` (a JDK socket or channel class, or `SocketChannel.open()`);
 * - or it assigns `f = new K(…)` where K is such a resource class of the project;
 * - or it assigns `f = new K(…)` and calls `f.m()` where K's method `m` opens a socket into a field of
 *   K that K's `close()` closes (JGlobus: `controlChannel = new GridFTPControlChannel(h, p);
 *   controlChannel.open();`).
 * A constructor may open through `this(…)` or `super(…)` (by arity). A class with a constructor that
 * opens nothing, with no constructor declared, or whose `close()` does not close the field, is not one
 * (a class that merely implements `Closeable`, or that wraps a channel it was given, stays unknown).
 * `close()` is the class's own or the nearest superclass's; `close()` may call another `close(…)`
 * overload or `super.close()`. Classes are found as javac finds them: declared in the file, imported
 * by name (`import org.globus.ftp.GridFTPClient;`) from a source root of the project, or in the same
 * package folder. Anything else (wildcard imports, libraries, the JDK) stays unknown.
 *
 * This module holds the per-file facts (taken from a tree) and their derivation; reading the files
 * is the caller's (javaProject.ts).
 */

type Created = { readonly jdk: ResourceKind } | { readonly type: string };

interface BodyFacts {
  /** Fields assigned a new resource (or a new object of a project class). */
  readonly opens: readonly { readonly field: string; readonly created: Created }[];
  /** `name/arity` of the methods called on each field. */
  readonly calls: ReadonlyMap<string, ReadonlySet<string>>;
  /** Fields whose `close()` the body calls. */
  readonly closes: ReadonlySet<string>;
  /** Arity of a `this(…)` or `super(…)` call (a constructor), and of `close(…)` overloads called (close). */
  readonly thisArgs?: number;
  readonly superArgs?: number;
  readonly closeOverloads: readonly number[];
  readonly superClose: boolean;
  /** Fields assigned a parameter as it is (`this.data = data`), with the parameter's index. */
  readonly stores: readonly { readonly field: string; readonly param: number }[];
  /**
   * Every `return` of a `static` method returns `new T(…)` of a class without body: its type and, for each
   * argument, the index of the parameter it passes as it is (null for anything else). Undefined when a
   * `return` returns anything else, or for a method that is not static or has no `return`.
   */
  readonly returnsNew?: readonly { readonly type: string; readonly args: readonly (number | null)[] }[];
  /**
   * Whether only an unchecked exception nobody throws on purpose can leave the body: it declares no `throws`,
   * has no `throw` statement, no `this(…)`/`super(…)` call and calls no method of its class unqualified (or on `this`).
   */
  readonly uncheckedOnly: boolean;
  /** Declares no `throws`, and its body throws nothing on purpose and calls no method of its class (./quietConstructors). */
  readonly quiet?: boolean;
  /** The classes it builds with `new` (simple name, arity). */
  readonly creates?: readonly { readonly type: string; readonly arity: number }[];
}

export interface ClassFacts {
  readonly name: string;
  readonly superName?: string;
  /** Simple names of the interfaces it implements. */
  readonly interfaces: readonly string[];
  /** Constructors by arity (several of one arity are all kept). */
  readonly ctors: readonly { readonly arity: number; readonly body: BodyFacts }[];
  /** Methods with a body, by `name/arity` (the first of each). */
  readonly methods: ReadonlyMap<string, BodyFacts>;
  /** Its instance field initializers and initializer blocks are quiet (./quietConstructors), and the classes they build. */
  readonly initQuiet?: boolean;
  readonly initCreates?: readonly { readonly type: string; readonly arity: number }[];
}

export interface JavaFileFacts {
  /** The package's parts (`org.globus.ftp`: org, globus, ftp). */
  readonly pkg: readonly string[];
  /** Classes imported by name, with their package's parts. */
  readonly imports: ReadonlyMap<string, readonly string[]>;
  /** Named classes declared in the file (nested ones too), by simple name (the first of a name). */
  readonly classes: ReadonlyMap<string, ClassFacts>;
  /** Simple names of the types the file creates with `new` that it does not declare itself. */
  readonly created: ReadonlySet<string>;
  /** Capitalised names the file calls static methods on (`Response.newChunkedResponse(…)`) that it does not declare itself. */
  readonly calledOn: ReadonlySet<string>;
  /** What other files' calls need to know of the file's methods (./calleeClasses). */
  readonly callees?: CalleeFileFacts;
}


/** The node types bodyFacts (and quietCode, createdTypes) look at. */
const BODY_FACT_NODES = [...NAMING_NODES, 'throw_statement', 'explicit_constructor_invocation', 'method_invocation', 'return_statement', 'object_creation_expression'];

function bodyFacts(fn: Node): BodyFacts {
  const body = fn.childForFieldName('body');
  const nodes = body ? ownNodes(body, BODY_FACT_NODES) : [];
  const params = paramNames(fn);
  // A parameter assigned or declared again anywhere in the body may no longer hold what the caller passed.
  const { locals, reassigned } = bodyNames(params, nodes);
  /** The field `e` names: `f` (not a local or parameter) or `this.f`. */
  const fieldOf = (e: Node | null): string | undefined => fieldNamed(e, locals);
  const opens: { field: string; created: Created }[] = [];
  const calls = new Map<string, Set<string>>();
  const closes = new Set<string>();
  const closeOverloads: number[] = [];
  let thisArgs: number | undefined;
  let superArgs: number | undefined;
  let superClose = false;
  const stores: { field: string; param: number }[] = [];
  /** A parameter's index when `e` is that parameter as it is (a parameter no body statement assigns: see below). */
  const paramOf = (e: Node | null): number | null => {
    const x = strip(e);
    const i = x?.type === 'identifier' ? params.indexOf(x.text) : -1;
    return i >= 0 ? i : null;
  };
  const isStatic = fn.type === 'method_declaration' && !!fn.namedChildren.find((c) => c?.type === 'modifiers')?.children.some((c) => c?.type === 'static');
  let returnsNew: { type: string; args: (number | null)[] }[] | undefined = isStatic ? [] : undefined;
  let uncheckedOnly = !fn.namedChildren.some((c) => c?.type === 'throws');
  for (const n of nodes) {
    if (n.type === 'throw_statement' || n.type === 'explicit_constructor_invocation') uncheckedOnly = false;
    if (n.type === 'method_invocation' && (!n.childForFieldName('object') || n.childForFieldName('object')?.type === 'this')) uncheckedOnly = false;
    if (n.type === 'return_statement' && returnsNew) {
      const e = strip(n.namedChildren.find((c) => c !== null) ?? null);
      if (e?.type === 'object_creation_expression' && !e.namedChildren.some((c) => c?.type === 'class_body')) {
        returnsNew.push({ type: simpleTypeName(e.childForFieldName('type')), args: callArgs(e).map((a) => paramOf(a)) });
      } else returnsNew = undefined;
    }
    if (n.type === 'assignment_expression' && n.childForFieldName('operator')?.text === '=') {
      const field = fieldOf(n.childForFieldName('left'));
      const right = strip(n.childForFieldName('right'));
      if (!field || !right) continue;
      const param = paramOf(right);
      if (param !== null) stores.push({ field, param });
      if (right.type === 'object_creation_expression' && !right.namedChildren.some((c) => c?.type === 'class_body')) {
        const type = simpleTypeName(right.childForFieldName('type'));
        const jdk = jdkSocketKind(type);
        opens.push({ field, created: jdk ? { jdk } : { type } });
      } else if (right.type === 'method_invocation' && right.childForFieldName('name')?.text === 'open' && callArgs(right).length === 0) {
        const jdk = jdkSocketKind(right.childForFieldName('object')?.text ?? '');
        if (jdk) opens.push({ field, created: { jdk } });
      }
    } else if (n.type === 'method_invocation') {
      const name = n.childForFieldName('name')?.text ?? '';
      const object = n.childForFieldName('object');
      const args = callArgs(n).length;
      if (!object || object.type === 'this') {
        if (name === 'close' && args > 0) closeOverloads.push(args);
        continue;
      }
      if (object.type === 'super') {
        if (name === 'close' && args === 0) superClose = true;
        continue;
      }
      const field = fieldOf(object);
      if (!field) continue;
      if (name === 'close' && args === 0) closes.add(field);
      let set = calls.get(field);
      if (!set) calls.set(field, (set = new Set()));
      set.add(`${name}/${args}`);
    } else if (n.type === 'explicit_constructor_invocation') {
      const target = n.childForFieldName('constructor')?.type;
      const args = n.childForFieldName('arguments')?.namedChildCount ?? 0;
      if (target === 'this') thisArgs = args;
      else if (target === 'super') superArgs = args;
    }
  }
  // A parameter assigned anywhere in the body may no longer hold what the caller passed.
  const given = (i: number | null): number | null => (i !== null && !reassigned.has(params[i]!) ? i : null);
  return {
    opens, calls, closes, thisArgs, superArgs, closeOverloads, superClose, uncheckedOnly,
    quiet: !fn.namedChildren.some((c) => c?.type === 'throws') && quietCode(nodes), creates: createdTypes(nodes),
    stores: stores.filter((s) => given(s.param) !== null),
    ...(returnsNew?.length ? { returnsNew: returnsNew.map((r) => ({ type: r.type, args: r.args.map(given) })) } : {}),
  };
}

function initFacts(body: Node): { initQuiet: boolean; initCreates: { type: string; arity: number }[] } {
  const nodes = initializerNodes(body);
  return { initQuiet: quietCode(nodes), initCreates: createdTypes(nodes) };
}

/** The facts of one Java file's tree. */
export function javaFileFacts(tree: Tree): JavaFileFacts {
  const root = tree.rootNode;
  const pkgDecl = root.namedChildren.find((c) => c?.type === 'package_declaration');
  const pkgName = pkgDecl?.namedChildren.find((c) => c?.type === 'scoped_identifier' || c?.type === 'identifier');
  const pkg = pkgName ? pkgName.text.replace(/\s+/g, '').split('.') : [];
  const classes = new Map<string, ClassFacts>();
  // One walk of the file for these facts and the callee facts (CALLEE_FILE_NODES has every type used here).
  const found = new NodesByType(root, CALLEE_FILE_NODES);
  for (const decl of found.of('class_declaration')) {
    const name = decl?.childForFieldName('name')?.text;
    const body = decl?.childForFieldName('body');
    if (!decl || !name || !body || classes.has(name)) continue;
    const superType = decl.childForFieldName('superclass')?.namedChildren.find((c) => c !== null) ?? null;
    const ctors: { arity: number; body: BodyFacts }[] = [];
    const methods = new Map<string, BodyFacts>();
    for (const m of body.namedChildren) {
      if (m?.type === 'constructor_declaration') ctors.push({ arity: arityOf(m), body: bodyFacts(m) });
      else if (m?.type === 'method_declaration' && m.childForFieldName('body')) {
        const key = `${m.childForFieldName('name')?.text ?? ''}/${arityOf(m)}`;
        if (!methods.has(key)) methods.set(key, bodyFacts(m));
      }
    }
    const list = decl.childForFieldName('interfaces')?.namedChildren.find((c) => c?.type === 'type_list');
    const interfaces = (list?.namedChildren ?? []).filter((t): t is Node => t !== null).map((t) => simpleTypeName(t));
    classes.set(name, { name, superName: superType ? simpleTypeName(superType) : undefined, interfaces, ctors, methods, ...initFacts(body) });
  }
  const declared = new Set(found.of('class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration')
    .map((d) => d?.childForFieldName('name')?.text ?? ''));
  const created = new Set<string>();
  for (const n of found.of('object_creation_expression')) {
    const type = n ? simpleTypeName(n.childForFieldName('type')) : '';
    if (type && !declared.has(type) && !jdkSocketKind(type)) created.add(type);
  }
  const calledOn = new Set<string>();
  for (const n of found.of('method_invocation')) {
    const o = n?.childForFieldName('object');
    if (o?.type === 'identifier' && /^[A-Z]/.test(o.text) && !declared.has(o.text) && !jdkSocketKind(o.text)) calledOn.add(o.text);
  }
  return { pkg, imports: importedClasses(root), classes, created, calledOn, callees: calleeFileFacts(root, found) };
}

/** A class and the file it is declared in (the file's path is only an identity here). */
export interface FoundClass {
  readonly file: string;
  readonly facts: JavaFileFacts;
  readonly cls: ClassFacts;
}

/**
 * Finds the class a simple name means in a file: declared in it, imported by name, or in its package.
 * Returns undefined when it is none of those or cannot be read (then it stays unknown).
 */
export type ClassFinder = (name: string, from: { readonly file: string; readonly facts: JavaFileFacts }) => Promise<FoundClass | undefined>;

interface Derived {
  /** Fields `close()` closes (the class's own `close()`, or the nearest superclass's). */
  readonly closed: ReadonlySet<string>;
  /** What each constructor arity opens (null: opens nothing known); undefined when there is none of that arity. */
  readonly ctorKinds: ReadonlyMap<number, ResourceKind | null>;
  /** What a class's (or inherited) method `name/arity` opens into a field that `close()` closes. */
  readonly methodKinds: ReadonlyMap<string, ResourceKind>;
  /** What `new C(…)` opens, whichever constructor: every declared constructor opens it. */
  readonly kind?: ResourceKind;
  /** Known to implement `java.io.Closeable` (itself or a superclass), or a JDK socket class: its close() throws at most IOException. */
  readonly closeable: boolean;
  /** Extends a JDK socket or channel class (directly or through classes of the project). */
  readonly subclass: boolean;
  /** The static factories that keep what they are given (see `ProjectClass.keeps`). */
  readonly keeps: ReadonlyMap<string, Keeping>;
  /** The constructor arities that can let out only an unchecked exception nobody throws on purpose (./quietConstructors). */
  readonly quietCtors: ReadonlySet<number>;
}

/**
 * A class of another file that is a resource (`kind`: what it holds, and whether the fixes may use it in
 * try-with-resources), or whose static factories keep a resource they are given (`keeps`), or both.
 */
export interface ProjectClass {
  readonly kind?: ResourceKind;
  readonly closeable: boolean;
  /** Extends a JDK socket or channel class, as the file's own socket classes do (socketClass.ts). */
  readonly subclass: boolean;
  /**
   * Static methods (`name/arity`) that keep arguments they are given, with those arguments' indices: every
   * `return` of the method is `new C(…)` of the class itself, passing the parameter as it is to a constructor
   * that stores it in a field the class's `close()` closes (nanohttpd's `Response.newChunkedResponse(status,
   * mime, data)` returns `new Response(status, mime, data, -1)`, whose constructor keeps `this.data = data`
   * and whose `close()` closes `data`). The object returned owns the resource, as one built by `new` does.
   */
  readonly keeps?: ReadonlyMap<string, Keeping>;
  /** Constructor arities whose `new` is an unlikely exception origin (`Derived.quietCtors`; a class with no `kind` only). */
  readonly quietCtors?: ReadonlySet<number>;
}

/**
 * What a keeping factory keeps (`params`), and whether it and the constructor it calls can let out only an
 * unchecked exception nobody throws on purpose (`BodyFacts.uncheckedOnly` of both): then a call of it is an
 * unlikely exception origin, as a same-file function of that kind is (lang/java/index.ts `uncheckedOnly`).
 */
export interface Keeping {
  readonly params: readonly number[];
  readonly uncheckedOnly: boolean;
}

const MAX_DEPTH = 8;

/**
 * The static factories of a class that keep a parameter (`ProjectClass.keeps`): every `return` is `new C(…)`
 * of the class itself, and each passes the parameter, as it is, where the constructor of that arity (the
 * only one of it) stores it in a field that `close()` closes. A constructor that delegates (`this(…)`) or
 * copies the argument stores nothing here, and the factory keeps nothing.
 */
function keepingFactories(cls: ClassFacts, closed: ReadonlySet<string>): Map<string, Keeping> {
  const out = new Map<string, Keeping>();
  if (!closed.size) return out;
  /** The parameters a constructor of this arity stores in a closed field (none when several share the arity). */
  const kept = (arity: number): ReadonlySet<number> => {
    const ctors = cls.ctors.filter((c) => c.arity === arity);
    if (ctors.length !== 1) return new Set();
    return new Set(ctors[0]!.body.stores.filter((s) => closed.has(s.field)).map((s) => s.param));
  };
  for (const [key, m] of cls.methods) {
    if (!m.returnsNew?.length || !m.returnsNew.every((r) => r.type === cls.name)) continue;
    const arity = Number(key.slice(key.lastIndexOf('/') + 1));
    const params: number[] = [];
    for (let p = 0; p < arity; p++) {
      if (m.returnsNew.every((r) => r.args.some((a, i) => a === p && kept(r.args.length).has(i)))) params.push(p);
    }
    const quiet = m.uncheckedOnly && m.returnsNew.every((r) => cls.ctors.find((c) => c.arity === r.args.length)?.body.uncheckedOnly === true);
    if (params.length) out.set(key, { params, uncheckedOnly: quiet });
  }
  return out;
}

/** Derives the facts of project classes, memoised per class. */
export class ProjectClasses {
  private readonly memo = new Map<string, Derived | undefined>();
  /** Classes whose derivation is under way: met again, they are part of a cycle (unknown). */
  private readonly busy = new Set<string>();

  constructor(private readonly find: ClassFinder) {}

  /** The resource classes a file creates with `new`, by simple name, with what each holds. */
  async resourceClasses(file: string, facts: JavaFileFacts): Promise<Map<string, ProjectClass>> {
    const out = new Map<string, ProjectClass>();
    for (const name of new Set([...facts.created, ...facts.calledOn])) {
      const found = await this.find(name, { file, facts });
      const d = found ? await this.derive(found, 0) : undefined;
      const kind = facts.created.has(name) ? d?.kind : undefined;
      const quietCtors = facts.created.has(name) && !kind && d?.quietCtors.size ? d.quietCtors : undefined;
      if (!d || (!kind && !d.keeps.size && !quietCtors)) continue;
      out.set(name, { ...(kind ? { kind } : {}), closeable: d.closeable, subclass: d.subclass, ...(d.keeps.size ? { keeps: d.keeps } : {}), ...(quietCtors ? { quietCtors } : {}) });
    }
    return out;
  }

  /** One derivation at a time (callers await each): a class met while its own derivation is under way is unknown. */
  private async derive(c: FoundClass, depth: number): Promise<Derived | undefined> {
    if (depth > MAX_DEPTH) return undefined;
    const key = `${c.file}#${c.cls.name}`;
    if (this.memo.has(key)) return this.memo.get(key);
    if (this.busy.has(key)) return undefined;
    this.busy.add(key);
    let result: Derived | undefined;
    try {
      result = await this.compute(c, depth);
    } finally {
      this.busy.delete(key);
    }
    this.memo.set(key, result);
    return result;
  }

  private async compute(c: FoundClass, depth: number): Promise<Derived | undefined> {
    // A class of another file extending a JDK socket class is a socket, as one of the file's own is (socketClass.ts).
    const jdkSuper = c.cls.superName ? jdkSocketKind(c.cls.superName) : undefined;
    if (jdkSuper) return { closed: new Set(), ctorKinds: new Map(), methodKinds: new Map(), kind: jdkSuper, closeable: true, subclass: true, keeps: new Map(), quietCtors: new Set() };
    const sup = c.cls.superName ? await this.find(c.cls.superName, c) : undefined;
    const close = c.cls.methods.get('close/0');
    // A close() of its own that does not call super.close() leaves what the superclass opened open: none of it counts.
    const superD = sup && (!close || close.superClose) ? await this.derive(sup, depth + 1) : undefined;
    if (superD?.subclass) return { ...superD, methodKinds: new Map(), keeps: new Map(), quietCtors: new Set() };
    // close(): the class's own (with the close(…) overloads it calls and super.close()), or the superclass's.
    let closed: ReadonlySet<string>;
    if (close) {
      const set = new Set(close.closes);
      for (const n of close.closeOverloads) {
        for (const [k, m] of c.cls.methods) if (k === `close/${n}`) for (const f of m.closes) set.add(f);
      }
      if (close.superClose) for (const f of superD?.closed ?? []) set.add(f);
      closed = set;
    } else closed = superD?.closed ?? new Set();
    // What a body opens into a field that close() closes.
    const opened = async (b: BodyFacts): Promise<ResourceKind | undefined> => {
      for (const o of b.opens) {
        if (!closed.has(o.field)) continue;
        if ('jdk' in o.created) return o.created.jdk;
        const k = await this.find(o.created.type, c);
        const d = k ? await this.derive(k, depth + 1) : undefined;
        if (!d) continue;
        if (d.kind) return d.kind;
        for (const m of b.calls.get(o.field) ?? []) {
          const mk = d.methodKinds.get(m);
          if (mk) return mk;
        }
      }
      return undefined;
    };
    const methodKinds = new Map<string, ResourceKind>();
    for (const [k, kind] of superD?.methodKinds ?? []) if (!c.cls.methods.has(k)) methodKinds.set(k, kind);
    for (const [k, m] of c.cls.methods) {
      const kind = await opened(m);
      if (kind) methodKinds.set(k, kind);
    }
    // Constructors: their own opening, or through this(…) (one level) or super(…) (an implicit super() too).
    const own = new Map<number, ResourceKind | null>();
    const direct = async (b: BodyFacts): Promise<ResourceKind | null> => {
      const k = await opened(b);
      if (k) return k;
      if (b.thisArgs === undefined) return superD?.ctorKinds.get(b.superArgs ?? 0) ?? null;
      return null;
    };
    for (const ctor of c.cls.ctors) {
      const k = await direct(ctor.body);
      const prev = own.get(ctor.arity);
      own.set(ctor.arity, prev === undefined ? k : prev === k ? k : null);
    }
    for (const ctor of c.cls.ctors) {
      if (ctor.body.thisArgs === undefined || own.get(ctor.arity)) continue;
      const target = own.get(ctor.body.thisArgs);
      if (target) own.set(ctor.arity, target);
    }
    const kinds = [...own.values()];
    const kind = kinds.length > 0 && kinds.every((k) => k !== null && k === kinds[0]) ? kinds[0]! : undefined;
    const closeable = c.cls.interfaces.includes('Closeable') || (superD?.closeable ?? false);
    // A superclass of the project must have quiet constructors too; one outside it (the JDK, a library) or none is trusted.
    const superQuiet = sup ? (superD ?? await this.derive(sup, depth + 1))?.quietCtors : undefined;
    // A class of the project it builds must have a quiet constructor of that arity (one in a cycle is unknown: not quiet).
    const buildsQuiet = async (list: readonly { type: string; arity: number }[] | undefined): Promise<boolean> => {
      for (const b of list ?? []) {
        const k = await this.find(b.type, c);
        if (k && !(await this.derive(k, depth + 1))?.quietCtors.has(b.arity)) return false;
      }
      return true;
    };
    const ctors = [];
    for (const k of c.cls.ctors) ctors.push({ arity: k.arity, quiet: k.body.quiet === true, buildsQuiet: await buildsQuiet(k.body.creates), thisArgs: k.body.thisArgs, superArgs: k.body.superArgs });
    const quietCtors = quietArities(ctors, c.cls.initQuiet === true && await buildsQuiet(c.cls.initCreates), (arity) => !sup || (superQuiet?.has(arity) ?? false));
    return { closed, ctorKinds: own, methodKinds, kind, closeable, subclass: false, keeps: keepingFactories(c.cls, closed), quietCtors };
  }
}
