import type { Node } from 'web-tree-sitter';
import type { PyNode } from './cfg';
import { acquireShape, catchesOnlySomeOsErrors, CONTAINER_METHODS, callee, Imports, isBorrowingCall, isIoCall, isNonRaising, isTransfer, isUnlikelyRaiser, loopbackPortName, plausibleCall, releasedName, removedInPython3, wrappedArgument, type ModuleFacts, type ResourceKind } from './names';
import { attributeEvents, attributesReleased, type OwnedAttributes } from './closeMethod';
import { calleeOf, type Borrows } from './summaries';
import { contains, DEFERRED, enclosingClass, enclosingFunction, escapingNames, identifiersIn, named, nodesOfType, plainString, scopeBindings, strip, targetNames, tupleElements, walk, type NodesOfType } from './syntax';

/** What a CFG node does to the variables that hold resources, in evaluation order. */
export type Event =
  /** Closed or handed to something that closes it (`with`, a wrapper): no longer ours to close. */
  | { readonly t: 'release'; readonly v: string }
  /**
   * Returned, stored or transferred: no longer ours to close either, but not closed. `early`: handed to
   * a callee or a closure, which owns it even if the statement then raises.
   */
  | { readonly t: 'escape'; readonly v: string; readonly early?: boolean }
  /** `v` now holds a new resource (whatever it held before is dropped first). */
  | { readonly t: 'acquire'; readonly v: string; readonly site: AcquisitionSite }
  /** `v = w`: `v` now refers to whatever `w` holds. */
  | { readonly t: 'alias'; readonly v: string; readonly from: string; readonly at: Node }
  /** `v = f(w)`: what `f` returns may keep what `w` holds (`d = self._put(stream)`; `return d` hands it on). */
  | { readonly t: 'derive'; readonly v: string; readonly from: readonly string[]; readonly at: Node }
  /** `with v:` keeps hold of what `v` refers to in a hidden `holder`, released where the block is left. */
  | { readonly t: 'hold'; readonly v: string; readonly holder: string }
  /** `v` is rebound to something else (or deleted): what it held is dropped. */
  | { readonly t: 'drop'; readonly v: string; readonly at: Node; readonly how: 'reassigned' | 'deleted' };

/** File and function facts that make calls practically never raise (see `Effects.quiet`). */
export interface RaiseContext {
  /** Classes of the file whose construction practically never raises (`trivialClasses`). */
  readonly trivialClasses: ReadonlySet<string>;
  /** Sockets the function connects another of its sockets to (`a.connect(srv.getsockname())`). */
  readonly selfConnected: ReadonlySet<string>;
  /**
   * Port names of the function's own listening sockets: `srv, port = bind_port()`, then
   * `c.connect(("127.0.0.1", port))` and `srv.accept()`: that connect is to itself.
   */
  readonly selfPorts?: ReadonlySet<string>;
  /**
   * The function is a method of a class whose `__init__` only stores what it is given and delegates to
   * its base class (`storingClass`): `cls(…)`, the class's own constructor in an alternate constructor,
   * practically never raises.
   */
  readonly ownClassStores?: boolean;
  /** The function is a classmethod of a class of the file whose `__init__` may fail (./summaries `raisingClasses`): `cls(…)` may. */
  readonly ownClassRaises?: boolean;
  /** A close method's attributes, owned from its entry (./closeMethod). */
  readonly owned?: OwnedAttributes | null;
  /** How to read the file as Python 3 (./names `removedInPython3`); absent: as Python 3, nothing rebound. */
  readonly module?: ModuleFacts;
}

const NO_CONTEXT: RaiseContext = { trivialClasses: new Set(), selfConnected: new Set() };
const PYTHON3: ModuleFacts = { rebound: new Set(), python2: false };

/**
 * A class whose `__init__` (one, undecorated, no `__new__`) only stores into attributes of `self` values
 * computed without a call, and calls its base class's `__init__` (`super().__init__(…)`,
 * `Base.__init__(self, …)`) with values computed without a call other than the object's own methods
 * (`self._buildAddr(name).name`).
 */
export function storingClass(cls: Node | null): boolean {
  const body = cls?.type === 'class_definition' ? cls.childForFieldName('body') : null;
  const init = body ? soleInit(body) : undefined;
  return !!init && onlyStoresIntoSelf(init, true);
}

/**
 * The class body's one undecorated `__init__`; null when it has none; undefined when it defines
 * `__new__`, more than one `__init__` or a decorated one.
 */
function soleInit(body: Node): Node | null | undefined {
  let init: Node | null = null;
  for (const st of named(body)) {
    const def = st.type === 'decorated_definition' ? st.childForFieldName('definition') : st;
    if (def?.type !== 'function_definition') continue;
    const n = def.childForFieldName('name')?.text;
    if (n === '__new__') return undefined;
    if (n === '__init__') {
      if (init || st !== def) return undefined;
      init = def;
    }
  }
  return init;
}

/**
 * `__init__`'s statements only store into attributes of `self` values computed without a call (and,
 * with `baseCalls`, call the base class's `__init__`, see `baseInit`).
 */
function onlyStoresIntoSelf(init: Node, baseCalls: boolean): boolean {
  const block = init.childForFieldName('body');
  if (!block) return false;
  return named(block).every((st) => {
    if (st.type === 'pass_statement' || st.type === 'comment') return true;
    if (st.type !== 'expression_statement') return false;
    const e = named(st)[0];
    if (!e) return false;
    if (e.type === 'string') return true;
    if (e.type === 'call') return baseCalls && baseInit(e);
    if (e.type !== 'assignment') return false;
    const left = strip(e.childForFieldName('left'));
    const obj = left?.type === 'attribute' ? strip(left.childForFieldName('object')) : null;
    const right = e.childForFieldName('right');
    return obj?.type === 'identifier' && obj.text === 'self' && right !== null && computedWithout(right, () => false);
  });
}

/** `super().__init__(…)` or `Base.__init__(self, …)` with arguments computed without calls other than `self.m(…)`. */
function baseInit(call: Node): boolean {
  const fn = strip(call.childForFieldName('function'));
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== '__init__') return false;
  const obj = strip(fn.childForFieldName('object'));
  const args = call.childForFieldName('arguments');
  const list = args ? named(args) : [];
  const viaSuper = obj?.type === 'call' && strip(obj.childForFieldName('function'))?.text === 'super';
  const viaBase = (obj?.type === 'identifier' || obj?.type === 'attribute') && strip(list[0] ?? null)?.text === 'self';
  if (!viaSuper && !viaBase) return false;
  const ownMethod = (c: Node): boolean => {
    const f = strip(c.childForFieldName('function'));
    return f?.type === 'attribute' && strip(f.childForFieldName('object'))?.text === 'self';
  };
  return list.every((a) => computedWithout(a, ownMethod));
}

/** An expression without calls (except those `allowed`), subscripts, arithmetic or nested definitions. */
function computedWithout(e: Node, allowed: (call: Node) => boolean): boolean {
  let ok = true;
  walk(e, (n) => {
    if (n.type === 'call' && !allowed(n)) ok = false;
    if (n.type === 'subscript' || n.type === 'binary_operator' || DEFERRED.has(n.type)) ok = false;
    return ok;
  });
  return ok;
}

/**
 * The classes of a file whose construction practically never raises: each definition of the name
 * defines `__init__` (or has no base class and no `__init__`), defines no `__new__`, and its
 * `__init__` only stores into attributes of `self` values computed without a call (`self.mod = mod`).
 */
export function trivialClasses(root: Node, find: NodesOfType = nodesOfType(root)): Set<string> {
  const verdict = new Map<string, boolean>();
  for (const cls of find('class_definition')) {
    const name = cls.childForFieldName('name')?.text;
    if (!name) continue;
    verdict.set(name, (verdict.get(name) ?? true) && trivialClass(cls));
  }
  return new Set([...verdict].filter(([, ok]) => ok).map(([n]) => n));
}

function trivialClass(cls: Node): boolean {
  const body = cls.childForFieldName('body');
  const init = body ? soleInit(body) : undefined;
  if (init === undefined) return false;
  if (init === null) return cls.childForFieldName('superclasses') === null;
  return onlyStoresIntoSelf(init, false);
}

export interface AcquisitionSite {
  /** The acquiring call. */
  readonly call: Node;
  /** The variable's node in the assignment target (for tuples: the element). */
  readonly target: Node;
  readonly variable: string;
  readonly kind: ResourceKind;
  /** The statement holding the acquisition (expression_statement), when it is one. */
  readonly statement: Node | null;
  /** True when the target is a plain name bound to the call itself (`s = socket.socket()`). */
  readonly simple: boolean;
  /**
   * True for a call not in the tables whose result the function itself closes (`f = self.opener()`
   * … `f.close()`): it may return None, which the function then tests.
   */
  readonly inferred?: boolean;
}

/**
 * Computes events for CFG nodes of one function. `locals` filters out globals/nonlocals (stores to
 * those escape). Results are cached per node id, since finally copies share statements.
 */
export class Effects {
  private readonly cache = new Map<string, Event[]>();
  private readonly sites = new Map<string, AcquisitionSite>();
  private readonly raisers = new Map<string, Node | null>();

  constructor(
    private readonly imports: Imports,
    private readonly transfers: ReadonlySet<string>,
    private readonly nonLocal: ReadonlySet<string>,
    /** Local names the function's own code closes with `v.close()` (see `ownedByClosing`). */
    private readonly closedHere: ReadonlySet<string> = new Set(),
    /** Local names the function's own code binds to an acquiring call of the tables. */
    private readonly acquiredHere: ReadonlySet<string> = new Set(),
    /** What else makes a call practically never raise here (see `quiet`). */
    private readonly context: RaiseContext = NO_CONTEXT,
  ) {}

  /**
   * Whether a call practically never raises: `isUnlikelyRaiser`, a constructor of a class of this file
   * whose `__init__` only stores what it is given (`trivialClasses`), `accept()` on a listening socket
   * the function itself connected to (`a.connect(srv.getsockname())` … `srv.accept()`: the connection is queued),
   * `os.chmod`/`os.unlink` of the file the statement before made (`adjustsPathJustMade`), or binding a Unix
   * socket to a fresh `tempfile.mktemp()` name (`bindsFreshTempName`).
   */
  private quiet(call: Node): boolean {
    if (practicallyNeverFails(call, this.imports)) return true;
    // A getter or setter of the file (`self._is_using_tunnel()` returning an attribute): see ./summaries.
    const local = calleeOf(call, this.imports);
    if (local && (local.method ? this.imports.local.quietMethods : this.imports.local.quietFunctions).has(local.name)) return true;
    const c = callee(call, this.imports);
    if (c.raw !== null && !c.raw.includes('.') && this.context.trivialClasses.has(c.raw)) return true;
    if (c.raw === 'cls' && this.context.ownClassStores) return true;
    if (c.name === 'connect' && this.context.selfPorts?.size) {
      const port = loopbackPortName(named(call.childForFieldName('arguments') ?? call)[0] ?? null);
      if (port !== null && this.context.selfPorts.has(port)) return true;
    }
    return c.name === 'accept' && c.receiver !== null && this.context.selfConnected.has(c.receiver);
  }

  /**
   * Whether a call may fail for real (issue 13): not `quiet`, and one that plausibly fails by what it is
   * (`plausibleCall`) or always raises (a function Python 3's module no longer has, ./names `removedInPython3`),
   * a call on a resource the function holds (`other.getpeername()`), a function, method
   * or class of the file whose body may fail (./summaries `raisingMethods`); not a buffered write of a string
   * to a text file the function opened (`bufferedTextWrite`). Any other call (a constructor of a class defined elsewhere, a method of an
   * object the analysis knows nothing about, formatting, ctypes, a getter) is taken to practically never
   * raise: a leak only through it is reported at information severity.
   */
  private likely(call: Node): boolean {
    if (this.quiet(call) || bufferedTextWrite(call, this.imports)) return false;
    // A function Python 3's module no longer has (`string.join`): the call raises every time.
    if (failsByWhatItIs(call, this.imports, this.context.module ?? PYTHON3)) return true;
    const c = callee(call, this.imports);
    if (c.receiver !== null && c.raw !== null && c.raw.split('.').length === 2 && this.acquiredHere.has(c.receiver)) return true;
    const local = calleeOf(call, this.imports);
    const s = this.imports.local;
    if (local && (local.method ? s.raisingMethods : s.raisingFunctions).has(local.name)) return true;
    if (c.raw === 'cls' && this.context.ownClassRaises) return true;
    return c.raw !== null && !c.raw.includes('.') && c.resolved === c.raw && s.raisingClasses.has(c.raw);
  }

  /** The first call in `roots` that may raise (lambda and nested function bodies do not run here). */
  raiser(roots: readonly Node[]): Node | null {
    // Finally copies ask again for the same statements: remember the answers.
    const key = roots.map((r) => r.id).join(',');
    const known = this.raisers.get(key);
    if (known !== undefined) return known;
    const found = this.findRaiser(roots);
    this.raisers.set(key, found);
    return found;
  }

  /**
   * The first socket or file I/O call in `roots` that may raise (`isIoCall`, not one that practically never
   * does): its OSError may go past handlers that catch only some OSErrors (./cfg). Null when there is none.
   */
  ioRaiser(roots: readonly Node[]): Node | null {
    let found: Node | null = null;
    for (const r of roots) {
      walk(r, (n) => {
        if (found || DEFERRED.has(n.type)) return false;
        if (n.type === 'call' && isIoCall(n, this.imports) && !isNonRaising(n, this.imports) && !this.releasesAttribute(n) && !this.quiet(n)) found = n;
        return !found;
      });
      if (found) return found;
    }
    return null;
  }

  /** Whether an `except` clause catches only some OSErrors (`except BlockingIOError:`): see `catchesOnlySomeOsErrors`. */
  narrowHandler(handler: Node): boolean {
    return catchesOnlySomeOsErrors(handler, this.imports);
  }

  /** Whether the raiser found for a statement practically never raises (not `likely`): its exception-only leaks are below warning. */
  unlikely(raiser: Node): boolean {
    if (raiser.type === 'raise_statement') return this.reraisesUnlikely(raiser);
    return raiser.type === 'call' && !this.likely(raiser);
  }

  /**
   * `raise` (or `raise e`, e the handler's exception) in a handler of a `try` whose body calls only what
   * practically never raises (`try: os.dup2(null, i) except OSError as e: … raise`): the exception re-raised
   * is one of those, and as unlikely.
   */
  private reraisesUnlikely(stmt: Node): boolean {
    let handler: Node | null = stmt.parent;
    while (handler && handler.type !== 'except_clause' && !DEFERRED.has(handler.type)) handler = handler.parent;
    const tryStmt = handler?.type === 'except_clause' ? handler.parent : null;
    const body = tryStmt?.type === 'try_statement' ? tryStmt.childForFieldName('body') : null;
    if (!handler || !body) return false;
    const value = strip(named(stmt)[0] ?? null);
    if (value) {
      const alias = handler.childForFieldName('alias') ?? named(handler).find((c) => c.type === 'as_pattern')?.childForFieldName('alias') ?? null;
      const name = alias ? (named(alias)[0] ?? alias) : null;
      if (value.type !== 'identifier' || !name || name.text !== value.text) return false;
    }
    let calls = 0;
    let likely = false;
    walk(body, (n) => {
      if (likely || DEFERRED.has(n.type)) return false;
      if (n.type === 'raise_statement' || n.type === 'assert_statement') likely = true;
      else if (n.type === 'call' && !isNonRaising(n, this.imports)) {
        calls++;
        if (this.likely(n)) likely = true;
      }
      return !likely;
    });
    return !likely && calls > 0;
  }

  /** The first call that may raise, preferring one that may really raise to one that practically never does. */
  private findRaiser(roots: readonly Node[]): Node | null {
    let found: Node | null = null;
    let unlikely: Node | null = null;
    for (const r of roots) {
      walk(r, (n) => {
        if (found) return false;
        if (DEFERRED.has(n.type)) return false;
        if (n.type === 'call' && !isNonRaising(n, this.imports) && !this.releasesAttribute(n)) {
          if (this.likely(n)) {
            found = n;
            return false;
          }
          unlikely ??= n;
        }
        return true;
      });
      if (found) return found;
    }
    return unlikely;
  }

  /** The close method's attributes owned from its entry (./closeMethod), or null. */
  get ownedAttributes(): OwnedAttributes | null {
    return this.context.owned ?? null;
  }

  /** A call that closes an attribute the close method owns (`self.sock.close()`, `self._close_socket()`): a release, which does not raise. */
  private releasesAttribute(call: Node): boolean {
    const owned = this.context.owned;
    return !!owned && attributesReleased(call, owned, this.imports).length > 0;
  }

  /**
   * The name whose value an acquisition proves truthy when it succeeds: the path of `open(path)` /
   * `os.open(path, …)` (an empty or None path raises). Null for other acquisitions.
   */
  truthyWhenAcquired(site: AcquisitionSite): string | null {
    if (site.inferred) return null;
    const c = callee(site.call, this.imports);
    const name = c.resolved ?? c.raw;
    if (name !== 'open' && name !== 'io.open' && name !== 'builtins.open' && name !== 'os.open') return null;
    const args = site.call.childForFieldName('arguments');
    const first = strip(args ? (named(args)[0] ?? null) : null);
    return first?.type === 'identifier' && first.text !== site.variable ? first.text : null;
  }

  /** Events of a node; `edge` selects the `for` target binding, which happens on the 'body' edge only. */
  of(node: PyNode, forBody = false): Event[] {
    const ast = node.ast;
    if (!ast) return [];
    const key = `${ast.id}:${node.kind}:${forBody ? 1 : 0}`;
    let events = this.cache.get(key);
    if (!events) {
      events = this.compute(node, ast, forBody);
      this.cache.set(key, events);
    }
    return events;
  }

  /**
   * The events that hold even when the node raises: hand-offs to callees and closures. With `caught`
   * (the exception goes to a handler of this function), an argument of the raising call itself is not
   * handed off when that call builds an object (`IOStream(s)`, see `keepsOnRaise`): the constructor
   * raised, so no object keeps it, and the handler's path still owns it.
   */
  early(node: PyNode, caught = false): Event[] {
    const kept = caught ? this.keptOnRaise(node) : null;
    const key = `early:${node.ast?.id}:${node.kind}:${kept ? 1 : 0}`;
    let events = this.cache.get(key);
    if (!events) {
      events = this.of(node).filter((e) => e.t === 'escape' && e.early && !kept?.has(e.v));
      this.cache.set(key, events);
    }
    return events;
  }

  /**
   * The names that stay the function's own when the node's raising call raises: the plain-name arguments
   * of a constructor (`IOStream(s, max_buffer_size=n)`) or of a function of the file that returns a new
   * resource, named nowhere else in the node. Null when there are none.
   */
  private keptOnRaise(node: PyNode): Set<string> | null {
    const call = node.raiser;
    if (!call || call.type !== 'call' || !node.ast) return null;
    const shape = acquireShape(call, this.imports);
    const builds = isConstructor(callee(call, this.imports).name) || (shape?.shape === 'single' && shape.local === true);
    if (!builds) return null;
    const args = call.childForFieldName('arguments');
    const direct = new Set<string>();
    for (const a of args ? named(args) : []) {
      const x = strip(a.type === 'keyword_argument' ? a.childForFieldName('value') : a);
      if (x?.type === 'identifier') direct.add(x.text);
    }
    if (!direct.size) return null;
    // A name also used elsewhere in the node (`Wrapper(s, helper(s))`, a lambda) may be handed off there.
    const directIds = new Set<number>();
    for (const a of args ? named(args) : []) {
      const x = strip(a.type === 'keyword_argument' ? a.childForFieldName('value') : a);
      if (x?.type === 'identifier') directIds.add(x.id);
    }
    for (const r of node.roots.length ? node.roots : [node.ast]) {
      for (const id of identifiersIn(r)) if (direct.has(id.text) && !directIds.has(id.id)) direct.delete(id.text);
    }
    return direct.size ? direct : null;
  }

  private compute(node: PyNode, ast: Node, forBody: boolean): Event[] {
    const owned = this.context.owned;
    if (owned && node.kind === 'for' && forBody) {
      // The loop target's binding comes after the `for` node's own events (./lower slices them off).
      const plain = this.computeNames(node, ast, false).length;
      return [...this.of(node), ...this.computeNames(node, ast, true).slice(plain)];
    }
    const events = this.computeNames(node, ast, forBody);
    if (!owned || node.kind === 'withExit') return events;
    const roots = node.kind === 'def' ? [ast] : node.roots;
    return roots.length ? [...events, ...attributeEvents(ast, roots, owned, this.imports)] : events;
  }

  private computeNames(node: PyNode, ast: Node, forBody: boolean): Event[] {
    const out: Event[] = [];
    switch (node.kind) {
      case 'def':
        // A nested function or lambda that mentions a variable keeps it alive (a closure).
        for (const v of definitionNames(ast)) out.push({ t: 'escape', v });
        return this.filter(out);
      case 'for':
        for (const r of node.roots) this.expression(r, out);
        if (forBody) for (const v of targetNames(ast.childForFieldName('left'))) out.push({ t: 'drop', v, at: ast, how: 'reassigned' });
        return this.filter(out);
      case 'with':
        for (const r of node.roots) this.withClause(r, out);
        return this.filter(out);
      case 'withExit':
        for (const item of withItems(ast)) if (item.held) out.push({ t: 'release', v: item.holder });
        return out;
      case 'cond':
        for (const r of node.roots) this.expression(r, out);
        return this.filter(out);
      case 'return': {
        const value = named(ast)[0] ?? null;
        if (value) {
          this.expression(value, out);
          handedOn(value, out);
        }
        return this.filter(out);
      }
      case 'stmt':
        if (ast.type === 'match_statement') {
          for (const r of node.roots) this.expression(r, out);
          return this.filter(out);
        }
        this.simpleStatement(ast, out);
        return this.filter(out);
      default:
        return out;
    }
  }

  /** Events on global or nonlocal names do not concern this function. */
  private filter(events: Event[]): Event[] {
    if (this.nonLocal.size === 0) return events;
    return events.filter((e) => !this.nonLocal.has(e.v));
  }

  private simpleStatement(stmt: Node, out: Event[]): void {
    if (stmt.type === 'delete_statement') {
      for (const v of targetNames(named(stmt)[0] ?? null)) out.push({ t: 'drop', v, at: stmt, how: 'deleted' });
      return;
    }
    const inner = stmt.type === 'expression_statement' ? named(stmt) : [stmt];
    for (const e of inner) {
      if (e.type === 'assignment') this.assignment(e, stmt, out);
      else this.expression(e, out);
    }
  }

  /** `a = b = value`: the targets in order, then the value. */
  private assignment(a: Node, stmt: Node, out: Event[]): void {
    const targets: Node[] = [];
    let value: Node | null = a;
    while (value && value.type === 'assignment') {
      const left = value.childForFieldName('left');
      if (left) targets.push(left);
      value = value.childForFieldName('right');
    }
    if (!value) return;
    this.expression(value, out);
    const rhs = strip(value);
    const shape = rhs?.type === 'call' ? acquireShape(rhs, this.imports) : null;
    // `self.f = f = open(p)`: the object the function keeps in `f` lives on in the attribute too.
    const stored = targets.some((t) => {
      const x = strip(t);
      return x !== null && x.type !== 'identifier' && !tupleElements(x);
    });
    for (const target of targets) {
      const t = strip(target);
      if (!t) continue;
      if (t.type === 'identifier') {
        if (rhs && shape && (shape.shape === 'single' || shape.shape === 'wrap')) {
          // A function of the file may fall off its end (None): its result is tested like an inferred one.
          const local = shape.shape === 'single' && shape.local === true;
          out.push({ t: 'acquire', v: t.text, site: this.site(rhs, t, shape.kind, stmt, targets.length === 1, local) });
          if (stored) out.push({ t: 'escape', v: t.text });
        } else if (rhs?.type === 'call' && !shape && !stored && targets.length === 1 && this.ownedByClosing(rhs, t.text)) {
          out.push({ t: 'acquire', v: t.text, site: this.site(rhs, t, inferredKind(rhs), stmt, true, true) });
        } else if (rhs?.type === 'identifier') {
          out.push({ t: 'alias', v: t.text, from: rhs.text, at: stmt });
        } else if (rhs?.type === 'call' && !shape && this.derivedFrom(rhs).length) {
          out.push({ t: 'derive', v: t.text, from: this.derivedFrom(rhs), at: stmt });
        } else {
          out.push({ t: 'drop', v: t.text, at: stmt, how: 'reassigned' });
        }
        continue;
      }
      const elems = tupleElements(t);
      if (elems) {
        elems.forEach((el, i) => {
          const e = strip(el);
          const acquires = rhs && shape && ((shape.shape === 'accept' && i === 0) || (shape.shape === 'pair' && i < 2));
          if (e?.type === 'identifier' && acquires) out.push({ t: 'acquire', v: e.text, site: this.site(rhs, e, 'socket', stmt, false) });
          else for (const v of targetNames(el)) out.push({ t: 'drop', v, at: stmt, how: 'reassigned' });
        });
        continue;
      }
      // `self.sock = s`, `conns[k] = conn`, `self.conn = Wrapper(s)`: the object now lives there.
      handedOn(value, out);
    }
  }

  /**
   * `v = call(…)` with a call not in the tables whose name says it opens something: the result is the
   * function's own resource when the function's code closes `v` itself (`f = self.opener()` … `f.close()`, `fObj = path.open("w")` …
   * `fObj.close()`): closing it there is the function saying it owns it. Not when the call is given a
   * name the function closes or acquires (`w = wrap(sock)`: what `w` holds may be `sock`, see 'derive').
   */
  private ownedByClosing(call: Node, v: string): boolean {
    if (!this.closedHere.has(v) || this.nonLocal.has(v)) return false;
    // Only calls that say they open something (`open`, `opener`, `urlopen`, `open_file`): a function that
    // closes what any call gave it (`stream = IOStream(…)`, `loop = IOLoop()`) often does so for tidiness
    // only, and the paths where an await or a test assertion raises are not leaks anyone fixes.
    const name = callee(call, this.imports).name;
    if (name === null || !/open/i.test(name) || /^_*is_?open/i.test(name)) return false;
    return escapingNames(call, true).every((w) => !this.closedHere.has(w) && !this.acquiredHere.has(w)) && identifiersIn(call).every((w) => w.text !== v);
  }

  private site(call: Node, target: Node, kind: ResourceKind, stmt: Node, simple: boolean, inferred = false): AcquisitionSite {
    const key = `${call.id}:${target.id}`;
    let s = this.sites.get(key);
    if (!s) {
      s = { call, target, variable: target.text, kind, statement: stmt.type === 'expression_statement' ? stmt : null, simple, ...(inferred ? { inferred } : {}) };
      this.sites.set(key, s);
    }
    return s;
  }

  /** Releases, escapes and walrus acquisitions inside an expression, innermost calls first. */
  private expression(root: Node, out: Event[]): void {
    const calls: Node[] = [];
    walk(root, (n) => {
      if (n.type === 'lambda') {
        for (const v of capturedOwners(n)) out.push({ t: 'escape', v, early: true });
        return false;
      }
      if (n.type === 'call') calls.push(n);
      if (n.type === 'yield') for (const v of escapingNames(n)) out.push({ t: 'escape', v });
      if (n.type === 'named_expression') {
        const name = n.childForFieldName('name');
        const value = strip(n.childForFieldName('value'));
        const shape = value?.type === 'call' ? acquireShape(value, this.imports) : null;
        if (name && value && shape && (shape.shape === 'single' || shape.shape === 'wrap')) {
          this.expression(value, out);
          out.push({ t: 'acquire', v: name.text, site: this.site(value, name, shape.kind, n, false) });
          return false;
        }
      }
      return true;
    });
    for (let i = calls.length - 1; i >= 0; i--) this.call(calls[i]!, out);
  }

  private call(call: Node, out: Event[]): void {
    const released = releasedName(call, this.imports);
    if (released) out.push({ t: 'release', v: released });
    const shape = acquireShape(call, this.imports);
    const c = callee(call, this.imports);
    if (shape?.shape === 'wrap') {
      // The wrapper owns the wrapped socket/descriptor from now on.
      const w = strip(wrappedArgument(call));
      if (w?.type === 'identifier') {
        out.push({ t: 'release', v: w.text });
        // `wrap_socket` detaches the socket into the SSL socket before the handshake, which may fail, and the
        // SSL socket closes itself when it does: an exception out of the wrap leaves nothing of ours open
        // (the checks before the detach fail on every run). `os.fdopen` raising leaves the descriptor ours.
        if (c.name === 'wrap_socket') out.push({ t: 'escape', v: w.text, early: true });
      }
    }
    const args = call.childForFieldName('arguments');
    const stores = c.name !== null && CONTAINER_METHODS.has(c.name) && c.raw !== null && c.raw.includes('.');
    // `IOStream(s)`, `Thread(target=f, args=(conn,))`: the object built keeps what it is given; a call
    // not known to only borrow its arguments (`log.startLogging(f)`, `self._put(f)`, `pool.submit(h, conn)`)
    // is taken to keep them too, from the call on, even if it then raises.
    // A function of the file returning a new resource may also keep what it is given (not summarised).
    const local = shape?.shape === 'single' && shape.local === true;
    const kept = stores || isConstructor(c.name) || isTransfer(call, this.imports, this.transfers);
    if (kept || (released === null && (shape === null || local) && !isBorrowingCall(call, this.imports))) {
      // A function or method of the file that only borrows some parameters (./summaries) keeps only the others.
      const borrows = kept || shape !== null ? null : this.borrows(call);
      if (!borrows || !args) for (const v of escapingNames(args)) out.push({ t: 'escape', v, early: true });
      else for (const a of keptArguments(args, borrows)) for (const v of escapingNames(a)) out.push({ t: 'escape', v, early: true });
    }
    // `self.addCleanup(s.close)`, `stack.callback(s.close)`, `atexit.register(f.close)`: the callee closes it later.
    for (const v of closeReferences(args)) out.push({ t: 'escape', v, early: true });
  }

  /**
   * The names whose objects the result of a call not in the tables may hold (`w = wrap(sock)`): its
   * arguments, except those a function of the file only borrows (it never returns or stores them, and
   * what it does with them gives bytes, strings or numbers).
   */
  private derivedFrom(call: Node): string[] {
    const args = call.childForFieldName('arguments');
    const borrows = isTransfer(call, this.imports, this.transfers) ? null : this.borrows(call);
    if (!borrows || !args) return escapingNames(call, true);
    return keptArguments(args, borrows).flatMap((a) => escapingNames(a, true));
  }

  /**
   * What a call to a function or method of the file only borrows (./summaries `Borrows`): a method is
   * called on `self` from a method of a class that defines it (not one it may inherit); a call that
   * spreads arguments (`*a`, `**kw`) borrows nothing.
   */
  private borrows(call: Node): Borrows | null {
    const local = calleeOf(call, this.imports);
    if (!local) return null;
    const summaries = this.imports.local;
    const b = (local.method ? summaries.borrowingMethods : summaries.borrowingFunctions).get(local.name);
    if (!b) return null;
    const args = call.childForFieldName('arguments');
    if (args?.type !== 'argument_list' || named(args).some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return null;
    if (!local.method) return shadowed(call, local.name) ? null : b;
    const fn = strip(call.childForFieldName('function'));
    if (strip(fn?.childForFieldName('object') ?? null)?.text !== 'self') return null;
    const cls = callerClass(call);
    return cls !== null && b.classes.has(cls) ? b : null;
  }

  /**
   * `with x:` holds x until the block is left ('withExit' releases it); `with closing(x):` and
   * `with ctx.wrap_socket(x) as y:` hand x over at once; `with open(p) as f:` is managed.
   */
  private withClause(clause: Node, out: Event[]): void {
    for (const item of withItems(clause)) {
      if (!item.value) continue;
      this.expression(item.value, out);
      if (item.held) out.push({ t: 'hold', v: item.held, holder: item.holder });
      for (const name of targetNames(item.alias)) out.push({ t: 'drop', v: name, at: item.node, how: 'reassigned' });
    }
  }
}

/**
 * `return value` / `self.x = value`: the names in `value` are handed on. One passed to a call there
 * (`return cls(s)`, `self.conn = Conn(s)`) is the callee's from the call on, even if the call raises.
 */
function handedOn(value: Node, out: Event[]): void {
  const direct = new Set(escapingNames(value));
  for (const v of direct) out.push({ t: 'escape', v });
  for (const v of escapingNames(value, true)) if (!direct.has(v)) out.push({ t: 'escape', v, early: true });
}

/** Whether argument `a` (at `index` among the positional arguments) is a plain name given to a borrowed parameter. */
function borrowedArgument(a: Node, borrows: Borrows, index: number): boolean {
  if (a.type === 'keyword_argument') {
    return borrows.names.has(a.childForFieldName('name')?.text ?? '') && strip(a.childForFieldName('value'))?.type === 'identifier';
  }
  return borrows.positions.has(index) && strip(a)?.type === 'identifier';
}

/** The arguments of a call (comments left out) that are not given to a parameter the callee only borrows. */
function keptArguments(args: Node, borrows: Borrows): Node[] {
  const out: Node[] = [];
  let position = 0;
  for (const a of named(args)) {
    if (a.type === 'comment') continue;
    const borrowed = borrowedArgument(a, borrows, position);
    if (a.type !== 'keyword_argument') position++;
    if (!borrowed) out.push(a);
  }
  return out;
}

/**
 * Whether the function holding the call may mean something else than the module's function by `name`:
 * a parameter, local or nested definition of that name, or any mention of it other than as a callee.
 */
function shadowed(call: Node, name: string): boolean {
  let n = call.parent;
  while (n && n.type !== 'function_definition' && n.type !== 'lambda') n = n.parent;
  if (!n) return false;
  return n.descendantsOfType('identifier').some((id) => {
    if (!id || id.text !== name) return false;
    const p = id.parent;
    return !(p?.type === 'call' && p.childForFieldName('function')?.id === id.id);
  });
}

/** The name of the class whose method holds the call (the innermost enclosing definition), or null. */
function callerClass(call: Node): string | null {
  let n = call.parent;
  while (n && n.type !== 'function_definition' && n.type !== 'lambda' && n.type !== 'class_definition') n = n.parent;
  return n?.type === 'function_definition' ? (enclosingClass(n)?.childForFieldName('name')?.text ?? null) : null;
}

/** The kind of an inferred acquisition: a socket when the callee says so (`self._new_conn()`, `make_socket()`), else a file object. */
function inferredKind(call: Node): ResourceKind {
  const fn = call.childForFieldName('function');
  const name = (fn?.type === 'attribute' ? fn.childForFieldName('attribute') : fn)?.text ?? '';
  return /sock|conn/i.test(name) ? 'socket' : 'file';
}

/**
 * A class by the naming convention (`IOStream`, `SSLIOStream`, `FileMessage`): a capitalised name that
 * is not all capitals (a constant) and not an exception or warning (`raise ValueError(s)` keeps nothing).
 */
function isConstructor(name: string | null): boolean {
  if (name === null || !/^_*[A-Z]/.test(name) || !/[a-z]/.test(name)) return false;
  return !/(?:Error|Exception|Warning|Exit)$/.test(name);
}

/** The variables whose bound `close` method is an argument (`addCleanup(s.close)`, `callback=f.close`). */
function closeReferences(args: Node | null): string[] {
  const out: string[] = [];
  for (const a of args ? named(args) : []) {
    const v = strip(a.type === 'keyword_argument' ? a.childForFieldName('value') : a);
    if (v?.type !== 'attribute' || v.childForFieldName('attribute')?.text !== 'close') continue;
    const o = strip(v.childForFieldName('object'));
    if (o?.type === 'identifier') out.push(o.text);
  }
  return out;
}

interface WithItem {
  readonly node: Node;
  readonly value: Node | null;
  readonly alias: Node | null;
  /** The variable the item holds (`with x:`, `with x as y:`), or null. */
  readonly held: string | null;
  /** The hidden location holding it for the block (not a Python name). */
  readonly holder: string;
}

/** The items of a `with` statement (or of its clause). */
function withItems(root: Node): WithItem[] {
  const out: WithItem[] = [];
  walk(root, (n) => {
    if (n.type === 'block') return false;
    if (n.type !== 'with_item') return true;
    let value = n.childForFieldName('value');
    let alias: Node | null = null;
    if (value?.type === 'as_pattern') {
      alias = value.childForFieldName('alias');
      value = named(value)[0] ?? null;
    }
    const v = strip(value);
    out.push({ node: n, value, alias, held: v?.type === 'identifier' ? v.text : null, holder: `with@${n.startIndex}` });
    return false;
  });
  return out;
}

/** Methods that end what their receiver holds: a closure calling them owns it. */
const ENDING_METHODS: ReadonlySet<string> = new Set(['close', 'detach', 'shutdown', 'release', '__exit__']);

/**
 * The names a lambda or nested definition keeps (a closure): every name it mentions, except one it
 * only calls methods on that do not end it (`lambda: sock.connect(addr)`, `def check(): s.getsockname()`):
 * such a closure borrows it, like a call on it where the closure is written.
 */
function capturedOwners(def: Node): string[] {
  const owners = new Set<string>();
  for (const id of identifiersIn(def)) {
    const attr = id.parent;
    const method = attr?.type === 'attribute' && attr.childForFieldName('object')?.id === id.id ? attr.childForFieldName('attribute')?.text : undefined;
    const called = method !== undefined && attr!.parent?.type === 'call' && attr!.parent.childForFieldName('function')?.id === attr!.id;
    if (!called || ENDING_METHODS.has(method!)) owners.add(id.text);
  }
  return [...owners];
}

/**
 * The names a definition keeps (`capturedOwners`), remembered by its text, start column and whether it parsed
 * cleanly (module-level code meets every definition of the file on every analysis).
 */
const DEFINITION_NAMES = new Map<string, readonly string[]>();
const MAX_DEFINITION_NAMES = 4000;

function definitionNames(def: Node): readonly string[] {
  const text = `${def.startPosition.column}:${def.hasError ? 'E' : ''}:${def.text}`;
  let names = DEFINITION_NAMES.get(text);
  if (names) return names;
  names = capturedOwners(def);
  DEFINITION_NAMES.set(text, names);
  if (DEFINITION_NAMES.size > MAX_DEFINITION_NAMES) DEFINITION_NAMES.delete(DEFINITION_NAMES.keys().next().value!);
  return names;
}

/**
 * A call that practically never fails whatever the function around it (issue 13): a getter-like call of
 * the runtime (./names `isUnlikelyRaiser`), a chmod or unlink of the file the statement before made
 * (`adjustsPathJustMade`), a bind to a fresh `mktemp()` name (`bindsFreshTempName`).
 */
export function practicallyNeverFails(call: Node, imports: Imports): boolean {
  return isUnlikelyRaiser(call, imports) || adjustsPathJustMade(call, imports) || bindsFreshTempName(call, imports);
}

/** A call that fails for real by what it is (./names `plausibleCall`), or always (a function Python 3's module no longer has). */
export function failsByWhatItIs(call: Node, imports: Imports, module: ModuleFacts): boolean {
  return plausibleCall(call, imports) || removedInPython3(call, imports, module);
}

/**
 * `f.write("…")`, `f.write("%s\\t%d\\n" % (a, b))`, `f.write(n * " ")` on a file the function opened with
 * `open(path, "a")` / `open(path, "w")` (text mode, default buffering) and binds to nothing else: the
 * string goes into the buffer and the file is written when the buffer fills or is flushed, so the write
 * itself practically never raises (issue 13). Data of unknown type (`f.write(body)`) may be bytes given to a
 * text file: that raises for real, and so does a write on a file opened elsewhere.
 */
export function bufferedTextWrite(call: Node, imports: Imports): boolean {
  const c = callee(call, imports);
  if (c.name !== 'write' || c.receiver === null || c.raw !== `${c.receiver}.write`) return false;
  const args = named(call.childForFieldName('arguments') ?? call);
  if (args.length !== 1 || !stringValue(args[0]!)) return false;
  const fn = enclosingFunction(call);
  const body = fn ? fn.childForFieldName('body') : call.tree.rootNode;
  if (!body) return false;
  let opens = 0;
  let other = false;
  walk(body, (n) => {
    if (other || (DEFERRED.has(n.type) && n !== body)) return false;
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = strip(n.childForFieldName('left'));
      if (left?.type === 'identifier' && left.text === c.receiver) {
        if (n.type === 'assignment' && textWriteOpen(n.childForFieldName('right'), imports)) opens++;
        else other = true;
      } else if (left && identifiersIn(left).some((i) => i.text === c.receiver)) other = true;
    } else if (n.type === 'for_statement' || n.type === 'for_in_clause' || n.type === 'as_pattern') {
      // `for f in …`, `with … as f`: bound to something else.
      const target = n.type === 'as_pattern' ? n.childForFieldName('alias') : n.childForFieldName('left');
      if (target && identifiersIn(target).some((i) => i.text === c.receiver)) other = true;
    }
    return !other;
  });
  return !other && opens > 0;
}

/** `open(path, "a")`, `open(path, mode="w")`: the builtin open in a text mode that writes, with default buffering. */
function textWriteOpen(e: Node | null, imports: Imports): boolean {
  const call = strip(e);
  if (call?.type !== 'call') return false;
  const c = callee(call, imports);
  if (c.raw !== 'open' || c.resolved !== 'open') return false;
  const args = named(call.childForFieldName('arguments') ?? call);
  let mode: Node | null = null;
  for (const [i, a] of args.entries()) {
    if (a.type === 'keyword_argument') {
      const k = a.childForFieldName('name')?.text;
      if (k === 'mode') mode = a.childForFieldName('value');
      else if (k !== 'encoding' && k !== 'errors' && k !== 'newline') return false;
    } else if (i === 1) mode = a;
    else if (i > 1) return false;
  }
  const m = mode ? literalText(mode) : null;
  return m !== null && /^[wax]\+?t?$|^[wax]t?\+?$/.test(m);
}

/** The text of a plain text literal (no bytes prefix, no interpolation), else null. */
function literalText(e: Node): string | null {
  const text = plainString(e);
  const start = text === null ? undefined : named(strip(e)!).find((k) => k.type === 'string_start')?.text;
  return start !== undefined && /[bB]/.test(start) ? null : text;
}

/** An expression that is a `str` made of literals: a text literal, its `%` formatting or `.format(…)`, a concatenation of such, or one repeated `n` times. */
function stringValue(e: Node): boolean {
  const x = strip(e);
  if (!x) return false;
  if (x.type === 'string') return !/[bB]/.test(named(x).find((k) => k.type === 'string_start')?.text ?? '');
  if (x.type === 'concatenated_string') return named(x).every(stringValue);
  if (x.type === 'binary_operator') {
    const op = x.childForFieldName('operator')?.text;
    const l = x.childForFieldName('left');
    const r = x.childForFieldName('right');
    if (!l || !r) return false;
    if (op === '%') return stringValue(l);
    if (op === '+') return stringValue(l) && stringValue(r);
    if (op === '*') return (stringValue(l) && count(r)) || (stringValue(r) && count(l));
    return false;
  }
  if (x.type === 'call') {
    const fn = strip(x.childForFieldName('function'));
    const obj = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
    return fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format' && obj !== null && stringValue(obj);
  }
  return false;
}

/** A repetition count: an integer, a name, `len(…)`, or arithmetic of those. */
function count(e: Node): boolean {
  const x = strip(e);
  if (!x) return false;
  if (x.type === 'integer' || x.type === 'identifier') return true;
  if (x.type === 'binary_operator') {
    const l = x.childForFieldName('left');
    const r = x.childForFieldName('right');
    return ['+', '-', '*', '//'].includes(x.childForFieldName('operator')?.text ?? '') && !!l && !!r && count(l) && count(r);
  }
  if (x.type === 'call') {
    const fn = strip(x.childForFieldName('function'));
    return fn?.type === 'identifier' && fn.text === 'len';
  }
  return false;
}

/** Calls that change the mode of a path or remove it. */
const PATH_ADJUSTERS: ReadonlySet<string> = new Set(['os.chmod', 'os.unlink', 'os.remove', 'os.rmdir']);
/** Calls that make a file at the path given first (besides a socket's `bind(path)`). */
const PATH_MAKERS: ReadonlySet<string> = new Set(['os.mkfifo', 'os.mkdir', 'os.mknod']);

/** The call a statement consists of (`f(x)` on a line of its own), or null. */
function soleCall(stmt: Node | null): Node | null {
  if (stmt?.type !== 'expression_statement') return null;
  const kids = named(stmt);
  const e = kids.length === 1 ? strip(kids[0]!) : null;
  return e?.type === 'call' ? e : null;
}

/** The first positional argument of a call when it is a plain name, else null. */
function firstName(call: Node): Node | null {
  const a = named(call.childForFieldName('arguments') ?? call)[0];
  const x = a && a.type !== 'keyword_argument' ? strip(a) : null;
  return x?.type === 'identifier' ? x : null;
}

/**
 * `os.chmod(p, mode)`, `os.unlink(p)`, `os.remove(p)` (`os.rmdir(p)` of a directory) as the statement right after the one
 * that made the file at `p` (`s.bind(p)` of a Unix socket, `os.mkfifo(p)`, `os.mkdir(p)`, `os.mknod(p)`): the file
 * exists, the process owns it and could just write its directory, so changing its mode or removing it
 * practically never fails (issue 13). An existing file the function did not make (`os.remove(p)` of a stale
 * socket) may belong to someone else or sit in a directory the process cannot write: that fails for real.
 */
export function adjustsPathJustMade(call: Node, imports: Imports): boolean {
  const c = callee(call, imports);
  if (c.raw === null || c.resolved === null || !PATH_ADJUSTERS.has(c.resolved) || !imports.binds(c.raw.split('.')[0]!)) return false;
  const path = firstName(call);
  const stmt = call.parent;
  if (!path || soleCall(stmt)?.id !== call.id) return false;
  let prev = stmt!.previousNamedSibling;
  while (prev?.type === 'comment') prev = prev.previousNamedSibling;
  const made = soleCall(prev);
  if (!made || firstName(made)?.text !== path.text) return false;
  const m = callee(made, imports);
  let dir: boolean;
  if (m.name === 'bind' && m.receiver !== null && named(made.childForFieldName('arguments') ?? made).length === 1) dir = false;
  else if (m.raw !== null && m.resolved !== null && PATH_MAKERS.has(m.resolved) && imports.binds(m.raw.split('.')[0]!)) dir = m.resolved === 'os.mkdir';
  else return false;
  // A directory is removed with rmdir, anything else with unlink/remove: the other way round fails every time.
  if (c.resolved === 'os.rmdir') return dir;
  return c.resolved === 'os.chmod' || !dir;
}

/**
 * `tempfile.mktemp(…)` with no directory (the system's temporary directory, which exists): a name no file has yet.
 * Not with `dir=`: a directory the code names is not shown to exist or be writable.
 */
function freshTempName(e: Node | null, imports: Imports): boolean {
  const call = strip(e);
  if (call?.type !== 'call') return false;
  const c = callee(call, imports);
  if (c.raw === null || c.resolved !== 'tempfile.mktemp' || !imports.binds(c.raw.split('.')[0]!)) return false;
  const args = named(call.childForFieldName('arguments') ?? call);
  // mktemp(suffix, prefix, dir): no third positional argument, no `dir=`, nothing spread.
  if (args.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return false;
  return !args.some((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'dir') &&
    args.filter((a) => a.type !== 'keyword_argument').length < 3;
}

/**
 * `s.bind(p)` where the function binds `p` once, by an assignment `p = tempfile.mktemp()` (`freshTempName`) that is a
 * statement of a block the bind lies in, before it (so every path to the bind runs it), or `s.bind(tempfile.mktemp())`:
 * no file has that name, so binding a Unix socket to it fails only through a race with another process taking the name
 * (issue 13). Any other path may exist already or be too long.
 */
export function bindsFreshTempName(call: Node, imports: Imports): boolean {
  const c = callee(call, imports);
  if (c.name !== 'bind' || c.receiver === null) return false;
  const args = named(call.childForFieldName('arguments') ?? call);
  if (args.length !== 1) return false;
  if (freshTempName(args[0]!, imports)) return true;
  const path = firstName(call);
  const fn = enclosingFunction(call);
  const body = fn ? fn.childForFieldName('body') : null;
  if (!path || !body) return false;
  // A parameter of that name: the caller's path, not a fresh one.
  if (fn!.childForFieldName('parameters') && identifiersIn(fn!.childForFieldName('parameters')!).some((i) => i.text === path.text)) return false;
  const bindings = scopeBindings(body).filter((b) => b.name === path.text || b.kind === 'star');
  if (bindings.length !== 1 || bindings[0]!.kind !== 'assign') return false;
  const assignment = bindings[0]!.node;
  const stmt = assignment.parent;
  const block = stmt?.parent;
  // `p = mktemp()` on a statement of its own, in a block that holds the bind after it: it dominates the bind.
  if (strip(assignment.childForFieldName('left'))?.type !== 'identifier' || stmt?.type !== 'expression_statement' || !block ||
    stmt.endIndex > call.startIndex || !contains(block, call)) return false;
  return freshTempName(assignment.childForFieldName('right'), imports);
}
