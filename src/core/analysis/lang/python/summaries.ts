import type { Node } from 'web-tree-sitter';
import type { Imports, ResourceKind } from './names';
import { DEFERRED, enclosingClass, named, strip, targetNames, walk } from './syntax';

/**
 * Summaries of the functions and methods a file defines, for calls to them from the same file
 * (`self._new_conn()`, `cls.make()`, `make_socket()`): whether the callee returns a new resource,
 * and whether it practically never raises. Python has no types: a method is looked up by name among
 * the methods of the file's classes, and a summary holds only when every definition of that name in
 * the file agrees (a subclass overriding it with something else makes it unknown).
 */
export interface LocalSummaries {
  /** Methods (called on `self`/`cls`) that return a new resource of the given kind. */
  readonly methodsReturning: ReadonlyMap<string, ResourceKind>;
  /** Module-level functions that return a new resource of the given kind. */
  readonly functionsReturning: ReadonlyMap<string, ResourceKind>;
  /** Methods whose body only reads attributes or stores into them: calling them practically never raises. */
  readonly quietMethods: ReadonlySet<string>;
  /** Module-level functions of that kind. */
  readonly quietFunctions: ReadonlySet<string>;
  /**
   * Methods whose every definition in the file may fail for real (issue 13): its body has a `raise` or an
   * `assert`, or calls what plausibly fails (`plausibleCall` in ./names) or another such function of the file.
   */
  readonly raisingMethods: ReadonlySet<string>;
  /** Module-level functions of that kind. */
  readonly raisingFunctions: ReadonlySet<string>;
  /** Classes of the file whose `__init__` is of that kind (constructing one may fail). */
  readonly raisingClasses: ReadonlySet<string>;
  /** Methods (called on `self`) that only borrow some of their parameters (see `borrowedParameters`). */
  readonly borrowingMethods: ReadonlyMap<string, Borrows>;
  /** Module-level functions that only borrow some of their parameters. */
  readonly borrowingFunctions: ReadonlyMap<string, Borrows>;
}

/**
 * The parameters a function only borrows, by the caller's position (`self` not counted) and by name
 * (for keyword arguments); for a method, the names of the classes of the file that define it.
 */
export interface Borrows {
  readonly positions: ReadonlySet<number>;
  readonly names: ReadonlySet<string>;
  readonly classes: ReadonlySet<string>;
}

export const NO_SUMMARIES: LocalSummaries = {
  methodsReturning: new Map(), functionsReturning: new Map(), quietMethods: new Set(), quietFunctions: new Set(),
  raisingMethods: new Set(), raisingFunctions: new Set(), raisingClasses: new Set(),
  borrowingMethods: new Map(), borrowingFunctions: new Map(),
};

/** How a table acquisition is recognised (names.ts `acquireShape` without the summaries). */
export type TableShape = (call: Node) => { shape: string; kind?: ResourceKind } | null;

/** Rounds of propagation through functions returning what another function of the file returned. */
const ROUNDS = 3;

/**
 * Computes the summaries of the functions defined in `definitions` (the file's function_definition nodes).
 * `source`, the file's text, lets what each definition's own text decides be looked up from an earlier
 * analysis (`DefinitionFacts`); without it everything is computed here.
 */
export function localSummaries(definitions: readonly Node[], imports: Imports, table: TableShape, plausible: (call: Node) => boolean = () => false,
  source?: string): LocalSummaries {
  const facts = new FileFacts(source);
  const methods = new Map<string, Node[]>();
  const functions = new Map<string, Node[]>();
  for (const def of definitions) {
    const name = def.childForFieldName('name')?.text;
    if (!name) continue;
    const owner = ownerOf(def);
    const into = owner === 'class' ? methods : owner === 'module' ? functions : null;
    if (!into) continue;
    const list = into.get(name) ?? [];
    list.push(def);
    into.set(name, list);
  }
  const quiet = (d: Node): boolean => facts.of(d).quiet;
  const quietMethods = new Set([...methods].filter(([, ds]) => ds.every(quiet)).map(([n]) => n));
  const quietFunctions = new Set([...functions].filter(([, ds]) => ds.every(quiet)).map(([n]) => n));
  const methodsReturning = new Map<string, ResourceKind>();
  const functionsReturning = new Map<string, ResourceKind>();
  const shapeOf = (call: Node): ResourceKind | null => {
    const t = table(call);
    if (t && (t.shape === 'single' || t.shape === 'wrap') && t.kind) return t.kind;
    const local = calleeOf(call, imports);
    if (!local) return null;
    return (local.method ? methodsReturning : functionsReturning).get(local.name) ?? null;
  };
  for (let round = 0; round < ROUNDS; round++) {
    let changed = false;
    for (const [map, defs] of [[methodsReturning, methods], [functionsReturning, functions]] as const) {
      for (const [name, ds] of defs) {
        if (map.has(name)) continue;
        const kinds = ds.map((d) => facts.of(d).mayReturnNew ? returnsNew(d, imports, shapeOf, facts.returns(d)) : null);
        const k = kinds[0];
        if (k && kinds.every((x) => x === k)) {
          map.set(name, k);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  const borrowingMethods = borrowing(methods, imports, functions, facts);
  const borrowingFunctions = borrowing(functions, imports, functions, facts);
  const { raisingMethods, raisingFunctions, raisingClasses } = raisingSummaries(methods, functions, imports, plausible, facts);
  return { methodsReturning, functionsReturning, quietMethods, quietFunctions, raisingMethods, raisingFunctions, raisingClasses, borrowingMethods, borrowingFunctions };
}

/**
 * The file's methods, functions and classes whose call may fail for real (see `LocalSummaries.raisingMethods`),
 * found in rounds: a function calling one found in an earlier round is one too.
 */
function raisingSummaries(methods: ReadonlyMap<string, Node[]>, functions: ReadonlyMap<string, Node[]>, imports: Imports,
  plausible: (call: Node) => boolean, facts: FileFacts): { raisingMethods: Set<string>; raisingFunctions: Set<string>; raisingClasses: Set<string> } {
  const raisingMethods = new Set<string>();
  const raisingFunctions = new Set<string>();
  const raisingClasses = new Set<string>();
  const inits = new Map<string, Node[]>();
  for (const d of methods.get('__init__') ?? []) {
    const name = enclosingClass(d)?.childForFieldName('name')?.text;
    if (name) inits.set(name, [...(inits.get(name) ?? []), d]);
  }
  // What a call says does not change from round to round: whether it plausibly fails, and which function or class of the file it calls.
  interface CallFacts { readonly plausible: boolean; readonly local: { name: string; method: boolean } | null; readonly cls: string | null }
  const callFacts = new Map<Node, CallFacts>();
  const factsOf = (call: Node): CallFacts => {
    let f = callFacts.get(call);
    if (!f) {
      const fn = strip(call.childForFieldName('function'));
      const name = fn?.type === 'identifier' ? fn.text : null;
      callFacts.set(call, f = { plausible: plausible(call), local: calleeOf(call, imports), cls: name !== null && imports.resolve(name) === name ? name : null });
    }
    return f;
  };
  // A `raise` or `assert` of its own, or a call that plausibly fails or calls a function or class of the file found in an earlier round.
  const raises = (def: Node): boolean => facts.of(def).raisesItself || facts.calls(def).some((call) => {
    const f = factsOf(call);
    return f.plausible || (f.local !== null && (f.local.method ? raisingMethods : raisingFunctions).has(f.local.name)) ||
      (f.cls !== null && raisingClasses.has(f.cls));
  });
  for (let round = 0; round < ROUNDS; round++) {
    let changed = false;
    for (const [set, defs] of [[raisingMethods, methods], [raisingFunctions, functions], [raisingClasses, inits]] as const) {
      for (const [name, ds] of defs) {
        if (set.has(name) || !ds.every(raises)) continue;
        set.add(name);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return { raisingMethods, raisingFunctions, raisingClasses };
}

/** One string for a function's cache key: what the summaries say. */
export function summariesFingerprint(s: LocalSummaries): string {
  const m = (x: ReadonlyMap<string, string>) => [...x].map(([k, v]) => `${k}:${v}`).sort().join(',');
  const b = (x: ReadonlyMap<string, Borrows>) => [...x].map(([k, v]) =>
    `${k}:${[...v.positions].sort().join('.')}:${[...v.names].sort().join('.')}:${[...v.classes].sort().join('.')}`).sort().join(',');
  const n = (x: ReadonlySet<string>) => [...x].sort().join(',');
  return `${m(s.methodsReturning)}|${m(s.functionsReturning)}|${n(s.quietMethods)}|${n(s.quietFunctions)}` +
    `|${b(s.borrowingMethods)}|${b(s.borrowingFunctions)}|${n(s.raisingMethods)}|${n(s.raisingFunctions)}|${n(s.raisingClasses)}`;
}

/**
 * A call to a function or method of the file: `self.m(…)` / `cls.m(…)` (a method), or `f(…)` with `f` a
 * plain name the imports do not bind (a module-level function).
 */
export function calleeOf(call: Node, imports: Imports): { name: string; method: boolean } | null {
  const fn = strip(call.childForFieldName('function'));
  if (fn?.type === 'identifier') return imports.resolve(fn.text) === fn.text ? { name: fn.text, method: false } : null;
  if (fn?.type !== 'attribute') return null;
  const obj = strip(fn.childForFieldName('object'));
  const attr = fn.childForFieldName('attribute');
  if (obj?.type !== 'identifier' || (obj.text !== 'self' && obj.text !== 'cls') || !attr) return null;
  return { name: attr.text, method: true };
}

/** Whether a definition is a method (directly in a class body), a module-level function, or nested. */
function ownerOf(def: Node): 'class' | 'module' | 'nested' {
  let p = def.parent;
  if (p?.type === 'decorated_definition') {
    // A property is read, not called; other decorators may wrap the function in anything.
    if (named(p).some((d) => d.type === 'decorator' && !/^@\s*(?:staticmethod|classmethod)\s*$/.test(d.text))) return 'nested';
    p = p.parent;
  }
  if (p?.type === 'module') return 'module';
  if (p?.type === 'block' && p.parent?.type === 'class_definition') return 'class';
  return 'nested';
}

/** The statements of a function body, without a leading docstring. */
function bodyStatements(def: Node): Node[] {
  const body = def.childForFieldName('body');
  const sts = body ? named(body).filter((s) => s.type !== 'comment') : [];
  const first = sts[0];
  if (first?.type === 'expression_statement' && named(first)[0]?.type === 'string') sts.shift();
  return sts;
}

/** An expression computed without calls, subscripts or arithmetic: names, attributes, constants, comparisons of those. */
function callFree(e: Node): boolean {
  let ok = true;
  walk(e, (n) => {
    if (n.type === 'call' || n.type === 'subscript' || n.type === 'binary_operator' || n.type === 'await' || DEFERRED.has(n.type)) ok = false;
    return ok;
  });
  return ok;
}

/**
 * A getter or setter: every statement is `pass`, `return` of a call-free value, or a store of a call-free
 * value into an attribute of `self`/`cls` (no generator, no async).
 */
function quietBody(def: Node): boolean {
  if (isAsync(def)) return false;
  const sts = bodyStatements(def);
  if (!sts.length) return true;
  return sts.every((st) => {
    if (st.type === 'pass_statement') return true;
    if (st.type === 'return_statement') {
      const v = named(st)[0];
      return !v || callFree(v);
    }
    if (st.type !== 'expression_statement') return false;
    const e = named(st)[0];
    if (e?.type !== 'assignment') return false;
    const left = strip(e.childForFieldName('left'));
    const obj = left?.type === 'attribute' ? strip(left.childForFieldName('object')) : null;
    const right = e.childForFieldName('right');
    return obj?.type === 'identifier' && (obj.text === 'self' || obj.text === 'cls') && right !== null && callFree(right);
  });
}

function isAsync(def: Node): boolean {
  return def.child(0)?.type === 'async';
}

/**
 * The kind of the new resource a function returns, or null: the function returns something (every
 * `return` has a value), never a parameter, an attribute or None, and each value returned is either an
 * acquiring call or a local name every binding of which is an acquiring call (`sock = socket.socket(…)` …
 * `return sock`). A local bound to a project call (`sock = connection.create_connection(…)`) counts when
 * the function says what it returns: its return annotation is `socket.socket` or `ssl.SSLSocket`.
 * A function that closes or detaches the name, yields, or is async is not summarised.
 */
function returnsNew(def: Node, imports: Imports, shapeOf: (call: Node) => ResourceKind | null, walked: Returns | null): ResourceKind | null {
  if (!walked) return null;
  const { body, returns, bindings, rebound } = walked;
  const params = new Set(parameterNames(def));
  const annotated = socketAnnotation(def, imports);
  let kind: ResourceKind | null = null;
  // What each returned name gives (every `return s` of a long chain asks about the same name once).
  const byName = new Map<string, ResourceKind | null>();
  const nameKind = (v: string): ResourceKind | null => {
    if (byName.has(v)) return byName.get(v)!;
    let k: ResourceKind | null = null;
    const bs = bindings.get(v) ?? [];
    if (bs.length && bs.every((b) => b.type === 'call') && onlyUsedHere(body, v)) {
      const ks = bs.map((b) => shapeOf(b) ?? (annotated ? 'socket' as const : null));
      if (ks.every((x) => x !== null && x === ks[0])) k = ks[0]!;
    }
    byName.set(v, k);
    return k;
  };
  for (const r of returns) {
    const v = strip(named(r)[0] ?? null);
    if (!v) return null;
    let k: ResourceKind | null = null;
    if (v.type === 'call') k = shapeOf(v);
    else if (v.type === 'identifier' && !params.has(v.text) && !rebound.has(v.text) && v.text !== 'self' && v.text !== 'cls') k = nameKind(v.text);
    if (!k || (kind && k !== kind)) return null;
    kind = k;
  }
  return kind;
}

/** What `returnsNew` reads in a function body: its `return`s, the plain bindings of each local and the names bound otherwise. */
interface Returns {
  readonly body: Node;
  readonly returns: readonly Node[];
  readonly bindings: ReadonlyMap<string, readonly Node[]>;
  readonly rebound: ReadonlySet<string>;
}

/**
 * The walk of `returnsNew`, or null when the function cannot return a new resource whatever the rest of the file
 * says: async, a generator, a `global`/`nonlocal`, no `return`, or an end it may fall off.
 */
function returnsOf(def: Node): Returns | null {
  if (isAsync(def)) return null;
  const body = def.childForFieldName('body');
  if (!body) return null;
  const returns: Node[] = [];
  const bindings = new Map<string, Node[]>();
  const rebound = new Set<string>();
  let bad = false;
  walk(body, (n) => {
    // A node's type is read once: each read is a call into the parser.
    const type = n.type;
    if (bad || DEFERRED.has(type)) return false;
    if (type === 'yield' || type === 'global_statement' || type === 'nonlocal_statement') bad = true;
    else if (type === 'return_statement') returns.push(n);
    else if (type === 'assignment' || type === 'augmented_assignment' || type === 'named_expression') {
      const left = strip(n.childForFieldName(type === 'named_expression' ? 'name' : 'left'));
      const right = n.childForFieldName(type === 'named_expression' ? 'value' : 'right');
      if (left?.type === 'identifier' && type !== 'augmented_assignment' && right?.type !== 'assignment') {
        const list = bindings.get(left.text) ?? [];
        list.push(strip(right) ?? n);
        bindings.set(left.text, list);
      } else for (const v of targetNames(left)) rebound.add(v);
    } else if (type === 'for_statement' || type === 'with_item' || type === 'as_pattern' || type === 'except_clause') {
      // Names bound by loops, `with … as`, `except … as`: not a plain binding.
      if (type === 'for_statement') for (const v of targetNames(n.childForFieldName('left'))) rebound.add(v);
    } else if (type === 'call') {
      const f = strip(n.childForFieldName('function'));
      const o = f?.type === 'attribute' ? strip(f.childForFieldName('object')) : null;
      if (o?.type === 'identifier' && ['close', 'detach'].includes(f!.childForFieldName('attribute')?.text ?? '')) rebound.add(o.text);
    }
    return !bad;
  });
  // A function that may fall off its end returns None there: its result may be no resource at all
  // (and `with f() as s:` would fail where the caller's code did not).
  if (bad || !returns.length || !endsInExit(body)) return null;
  return { body, returns, bindings, rebound };
}

/**
 * Whether what every `return` gives may be a new resource as far as the function's text tells (`returnsNew` without
 * what the file's imports and other functions say): a call, or a local name that is no parameter, is bound only to
 * calls and stays with the function (`onlyUsedHere`).
 */
function mayReturnNew(def: Node, walked: Returns | null): boolean {
  if (!walked) return false;
  const { body, returns, bindings, rebound } = walked;
  const params = new Set(parameterNames(def));
  const kept = new Map<string, boolean>();
  return returns.every((r) => {
    const v = strip(named(r)[0] ?? null);
    if (v?.type === 'call') return true;
    if (v?.type !== 'identifier' || params.has(v.text) || rebound.has(v.text) || v.text === 'self' || v.text === 'cls') return false;
    let ok = kept.get(v.text);
    if (ok === undefined) {
      const bs = bindings.get(v.text) ?? [];
      kept.set(v.text, ok = bs.length > 0 && bs.every((b) => b.type === 'call') && onlyUsedHere(body, v.text));
    }
    return ok;
  });
}

/**
 * Whether control cannot fall off the end of a block: its last statement is a `return` or `raise`, an
 * `if` with an `else` all of whose branches end so, a `with` whose body does, or a `try` whose body
 * and handlers (or its `finally`) do. Loops and anything else may fall through.
 */
function endsInExit(block: Node | null): boolean {
  const sts = block ? named(block).filter((s) => s.type !== 'comment') : [];
  const last = sts[sts.length - 1];
  if (!last) return false;
  switch (last.type) {
    case 'return_statement':
    case 'raise_statement':
      return true;
    case 'if_statement': {
      const alternatives = last.childrenForFieldName('alternative').filter((a): a is Node => a !== null);
      if (!alternatives.some((a) => a.type === 'else_clause')) return false;
      return endsInExit(last.childForFieldName('consequence')) && alternatives.every((a) => endsInExit(a.childForFieldName(a.type === 'else_clause' ? 'body' : 'consequence')));
    }
    case 'with_statement':
      return endsInExit(last.childForFieldName('body'));
    case 'try_statement': {
      const parts = named(last);
      const fin = parts.find((p) => p.type === 'finally_clause');
      if (fin && endsInExit(named(fin).find((c) => c.type === 'block') ?? null)) return true;
      // An `else:` runs after the body when it does not exit; the handlers must each exit too.
      const orElse = parts.find((p) => p.type === 'else_clause');
      const bodyEnds = endsInExit(last.childForFieldName('body')) || (orElse !== undefined && endsInExit(orElse.childForFieldName('body')));
      return bodyEnds && parts.filter((p) => p.type === 'except_clause' || p.type === 'except_group_clause').every((h) => endsInExit(named(h).find((c) => c.type === 'block') ?? null));
    }
    default:
      return false;
  }
}

/**
 * Whether the function keeps `v` to itself: every use of the name is a binding, a `return v`, or the
 * receiver of a method call (`v.connect(addr)`). Stored (`self.sock = v`), passed on (`register(v)`) or
 * captured by a nested function, the object lives elsewhere too and the caller does not own it alone.
 */
function onlyUsedHere(body: Node, v: string): boolean {
  let ok = true;
  walk(body, (n) => {
    if (!ok) return false;
    if (n.type !== 'identifier' || n.text !== v) return true;
    const p = n.parent;
    if (!p) return false;
    if (p.type === 'return_statement') return false;
    if ((p.type === 'assignment' || p.type === 'named_expression') && p.childForFieldName(p.type === 'assignment' ? 'left' : 'name')?.id === n.id) return false;
    if (p.type === 'attribute' && p.childForFieldName('object')?.id === n.id && p.parent?.type === 'call' && p.parent.childForFieldName('function')?.id === p.id) return false;
    ok = false;
    return false;
  });
  return ok;
}

/** `-> socket.socket`, `-> socket` (from socket import socket), `-> ssl.SSLSocket`. */
function socketAnnotation(def: Node, imports: Imports): boolean {
  const t = def.childForFieldName('return_type');
  const e = t ? (named(t)[0] ?? t) : null;
  if (!e || (e.type !== 'attribute' && e.type !== 'identifier')) return false;
  const text = e.text.replace(/\s+/g, '');
  const dot = text.indexOf('.');
  const resolved = dot < 0 ? imports.resolve(text) : imports.resolve(text.slice(0, dot)) + text.slice(dot);
  return resolved === 'socket.socket' || resolved === 'ssl.SSLSocket';
}

function parameterNames(def: Node): string[] {
  const params = def.childForFieldName('parameters');
  const out: string[] = [];
  for (const p of params ? named(params) : []) {
    const id = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? named(p).find((c) => c.type === 'identifier'));
    if (id?.type === 'identifier') out.push(id.text);
  }
  return out;
}

/**
 * Methods of a parameter that use the object without keeping, ending or handing it on: reading,
 * writing, querying and setting options. Not `close`, `detach`, `shutdown`, `makefile`, `dup`, `accept`.
 */
const BORROWING_USES: ReadonlySet<string> = new Set([
  'read', 'read1', 'readinto', 'readline', 'readlines', 'write', 'writelines', 'flush', 'seek', 'tell', 'peek',
  'readable', 'writable', 'seekable', 'isatty', 'send', 'sendall', 'sendto', 'recv', 'recvfrom', 'recv_into',
  'recvfrom_into', 'fileno', 'getsockname', 'getpeername', 'settimeout', 'gettimeout', 'setblocking',
  'setsockopt', 'getsockopt',
]);

/** The uses of BORROWING_USES that move data (reading, writing, sending, receiving). */
const DATA_USE = /^(?:read1?|readinto|readlines?|write|writelines|flush|peek|send|sendall|sendto|recv|recvfrom|recv_into|recvfrom_into)$/;

/** `for … in p`, `p.read()`, `p.sendall(b)`, `print(…, file=p)`: a use that moves data through `p`. */
function dataUse(id: Node): boolean {
  const p = id.parent;
  if (p?.type === 'for_statement') return p.childForFieldName('right')?.id === id.id;
  if (p?.type === 'keyword_argument') return p.childForFieldName('name')?.text === 'file' && p.childForFieldName('value')?.id === id.id;
  return p?.type === 'attribute' && p.childForFieldName('object')?.id === id.id && DATA_USE.test(p.childForFieldName('attribute')?.text ?? '');
}

/** Builtins that look at a value and keep nothing of it. */
const BORROWING_BUILTINS: ReadonlySet<string> = new Set(['len', 'str', 'repr', 'print', 'isinstance']);

/** Names whose call can reach a function's locals (`locals()`, `vars()`, `eval`, frames): nothing is proven then. */
const FRAME_ACCESS: ReadonlySet<string> = new Set(['locals', 'vars', 'eval', 'exec', 'globals', '_getframe', 'currentframe', 'getframeinfo']);

/**
 * The functions (or methods) of `defs` that only borrow some of their parameters: every definition of the
 * name in the file borrows the parameter at that position under that name (`borrowedParameters`).
 */
function borrowing(defs: ReadonlyMap<string, Node[]>, imports: Imports, functions: ReadonlyMap<string, Node[]>, facts: FileFacts): Map<string, Borrows> {
  const out = new Map<string, Borrows>();
  for (const [name, ds] of defs) {
    const each = ds.map((d) => borrowedParameters(d, imports, functions, facts.of(d)));
    const common = [...each[0] ?? []].filter(([i, p]) => each.every((own) => own.get(i) === p));
    const classes = new Set<string>();
    for (const d of ds) {
      const cls = enclosingClass(d)?.childForFieldName('name')?.text;
      if (cls) classes.add(cls);
    }
    if (common.length) out.set(name, { positions: new Set(common.map(([i]) => i)), names: new Set(common.map(([, p]) => p)), classes });
  }
  return out;
}

/**
 * The parameters (caller position → name) that the definition provably only borrows: a plain function
 * or method (no decorator, not async, no `yield`, no access to its frame) in whose body every mention
 * of the parameter is `for … in p`, a reading or writing method called on it (`p.read()`, `p.sendall(b)`,
 * BORROWING_USES) or an argument of a builtin that keeps nothing (`len(p)`, `print(…, file=p)`), and at
 * least one of them moves data through it (`dataUse`).
 * Stored, returned, closed, held by `with`, passed to another call, captured, rebound or deleted, the
 * parameter is not borrowed. Parameters after `*args` or `*` (keyword-only) and `**kwargs` are not counted.
 */
function borrowedParameters(def: Node, imports: Imports, functions: ReadonlyMap<string, Node[]>, facts: DefinitionFacts): Map<number, string> {
  const out = new Map<number, string>();
  if (def.parent?.type === 'decorated_definition' || facts.positional === null) return out;
  const positional = [...facts.positional];
  if (ownerOf(def) === 'class' && positional.shift() === undefined) return out;
  if (!positional.length || facts.opaque) return out;
  // Each builtin a mention hands the parameter to must still be the builtin here (`mentionUse`).
  const builtin = (b: string): boolean => imports.resolve(b) === b && !functions.has(b);
  positional.forEach((p, i) => {
    const builtins = facts.borrowable.get(p);
    if (builtins && builtins.every(builtin)) out.set(i, p);
  });
  return out;
}

/**
 * What `borrowedParameters` reads in the definition's own text: its positional parameters (`self` included;
 * null when none can be borrowed: async, or a parameter that is not a plain name), whether a `yield` or a frame
 * read makes them all opaque, and each parameter whose every mention only uses it, one of them moving data.
 * Only a callee that moves data through the object counts: a helper that just asks a socket for its
 * address or descriptor (`_getsockname(skt)`) usually sits in code that hands the socket on right after,
 * where the only leaks left are exceptions of calls that practically never raise.
 */
function borrowFacts(def: Node): Pick<DefinitionFacts, 'positional' | 'opaque' | 'borrowable'> {
  const none = { positional: null, opaque: false, borrowable: new Map<string, readonly string[]>() };
  if (isAsync(def)) return none;
  const body = def.childForFieldName('body');
  const params = def.childForFieldName('parameters');
  if (!body || !params) return none;
  const positional: string[] = [];
  for (const p of named(params)) {
    if (p.type === 'positional_separator' || p.type === 'comment') continue;
    if (p.type === 'list_splat_pattern' || p.type === 'keyword_separator' || p.type === 'dictionary_splat_pattern') break;
    const id = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? named(p).find((c) => c.type === 'identifier'));
    if (id?.type !== 'identifier') return none;
    positional.push(id.text);
  }
  if (!positional.length) return { ...none, positional };
  // A generator keeps its arguments in its frame; a frame read can reach any of them.
  let opaque = false;
  walk(body, (n) => {
    const type = n.type;
    if (opaque || DEFERRED.has(type)) return false;
    if (type === 'yield' || (type === 'identifier' && FRAME_ACCESS.has(n.text))) opaque = true;
    return !opaque;
  });
  if (opaque) return { ...none, positional, opaque };
  const mentions = new Map<string, Node[]>();
  const wanted = new Set(positional);
  for (const id of body.descendantsOfType('identifier')) {
    if (id && wanted.has(id.text)) {
      const list = mentions.get(id.text) ?? [];
      list.push(id);
      mentions.set(id.text, list);
    }
  }
  const borrowable = new Map<string, readonly string[]>();
  for (const p of wanted) {
    const ids = mentions.get(p) ?? [];
    if (!ids.some(dataUse)) continue;
    const builtins = new Set<string>();
    const uses = ids.every((id) => {
      if (inNestedScope(id, body)) return false;
      const use = mentionUse(id);
      if (typeof use === 'string') builtins.add(use);
      return use !== false;
    });
    if (uses) borrowable.set(p, [...builtins]);
  }
  return { positional, opaque, borrowable };
}

/** Scopes of their own: a lambda, nested definition or generator may keep what it mentions beyond the call. */
const NESTED_SCOPES: ReadonlySet<string> = new Set([
  ...DEFERRED, 'generator_expression', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension',
]);

/** Whether `id` sits in a lambda, nested definition or comprehension inside `body`. */
function inNestedScope(id: Node, body: Node): boolean {
  for (let n = id.parent; n && n.id !== body.id; n = n.parent) if (NESTED_SCOPES.has(n.type)) return true;
  return false;
}

/**
 * One mention of a parameter that only uses it (see `borrowedParameters`): true, or the name of the builtin it is
 * passed to (it only uses it while that name is the builtin: not one the file imports or defines); false when it does not.
 */
function mentionUse(id: Node): boolean | string {
  const p = id.parent;
  if (!p) return false;
  if (p.type === 'for_statement') return p.childForFieldName('right')?.id === id.id;
  if (p.type === 'attribute') {
    const call = p.parent;
    return p.childForFieldName('object')?.id === id.id && BORROWING_USES.has(p.childForFieldName('attribute')?.text ?? '') &&
      call?.type === 'call' && call.childForFieldName('function')?.id === p.id;
  }
  let args: Node | null = null;
  if (p.type === 'argument_list') args = p;
  else if (p.type === 'keyword_argument' && p.childForFieldName('value')?.id === id.id && p.childForFieldName('name')?.text === 'file') args = p.parent;
  const call = args?.type === 'argument_list' ? args.parent : null;
  const fn = call?.type === 'call' ? call.childForFieldName('function') : null;
  if (fn?.type !== 'identifier' || !BORROWING_BUILTINS.has(fn.text)) return false;
  // `print(x, file=p)` only: another keyword of another builtin is no borrow; a builtin the file rebinds is unknown.
  if (p.type === 'keyword_argument' && fn.text !== 'print') return false;
  return fn.text;
}

/**
 * What a definition's own text decides about its summaries, whatever the rest of the file (imports, the other
 * definitions, the project): the same for the same text, and kept across analyses (`DEFINITION_FACTS`).
 */
export interface DefinitionFacts {
  /** `quietBody`. */
  readonly quiet: boolean;
  /** False: `returnsNew` is null whatever the file (`returnsOf`, `mayReturnNew`). */
  readonly mayReturnNew: boolean;
  /** A `raise` or `assert` in the function's own code: it may fail whatever it calls. */
  readonly raisesItself: boolean;
  /** See `borrowFacts`: the parameters, and for each borrowable one the builtins its mentions hand it to. */
  readonly positional: readonly string[] | null;
  readonly opaque: boolean;
  readonly borrowable: ReadonlyMap<string, readonly string[]>;
}

/** A bounded map of definition facts by key (`definitionKey`), the least recently used dropped first. */
export class DefinitionFactsCache {
  private readonly entries = new Map<string, DefinitionFacts>();
  /** Lookups that found facts, and ones that did not (tests). */
  hits = 0;
  misses = 0;

  constructor(private readonly capacity = 4000) {}

  get(key: string): DefinitionFacts | undefined {
    const f = this.entries.get(key);
    if (!f) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, f);
    return f;
  }

  set(key: string, facts: DefinitionFacts): void {
    this.entries.delete(key);
    this.entries.set(key, facts);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Definition facts of the files analysed before (per process: the editor's worker keeps them across edits). */
export const DEFINITION_FACTS = new DefinitionFactsCache();

/**
 * The key of a definition's facts: its text and what stands before it on its first line (the indentation the
 * parse of its body depends on). A definition whose parse has errors has none (its facts are never kept).
 */
function definitionKey(def: Node, source: string): string | null {
  if (def.hasError) return null;
  const lineStart = source.lastIndexOf('\n', def.startIndex - 1) + 1;
  const prefix = source.slice(lineStart, def.startIndex);
  return `${prefix.length}:${prefix}${def.text}`;
}

/** One file's definitions: their facts (from the cache when their text was seen before) and the walks the rounds of `localSummaries` share. */
class FileFacts {
  private readonly facts = new Map<Node, DefinitionFacts>();
  private readonly walked = new Map<Node, Returns | null>();
  private readonly callLists = new Map<Node, readonly Node[]>();
  private owned: Map<number, { calls: Node[]; raises: Node[] }> | undefined;

  constructor(private readonly source: string | undefined) {}

  of(def: Node): DefinitionFacts {
    let f = this.facts.get(def);
    if (f) return f;
    const key = this.source === undefined ? null : definitionKey(def, this.source);
    f = key === null ? undefined : DEFINITION_FACTS.get(key);
    if (!f) {
      const own = this.ownCode(def);
      f = { quiet: quietBody(def), mayReturnNew: mayReturnNew(def, this.returns(def)), raisesItself: own.raises, ...borrowFacts(def) };
      if (key !== null) DEFINITION_FACTS.set(key, f);
    }
    this.facts.set(def, f);
    return f;
  }

  /** `returnsOf`, once per definition. */
  returns(def: Node): Returns | null {
    if (!this.walked.has(def)) this.walked.set(def, returnsOf(def));
    return this.walked.get(def)!;
  }

  /** The calls of the function's own code (not in nested functions, classes or lambdas). */
  calls(def: Node): readonly Node[] {
    return this.callLists.get(def) ?? this.ownCode(def).calls;
  }

  /**
   * The calls of the function's own code, and whether it has a `raise` or `assert` (not in nested functions,
   * classes or lambdas). One search of the file finds them all, with the nested scopes: each belongs to the
   * innermost scope around it, and to the function when that is the function and it lies in its body.
   */
  private ownCode(def: Node): { calls: readonly Node[]; raises: boolean } {
    const owned = this.owned ??= ownedByScope(def.tree.rootNode);
    const body = def.childForFieldName('body');
    const inBody = (n: Node): boolean => body !== null && body.startIndex <= n.startIndex && n.endIndex <= body.endIndex;
    const mine = owned.get(def.id);
    const calls = (mine?.calls ?? []).filter(inBody);
    const raises = (mine?.raises ?? []).some(inBody);
    this.callLists.set(def, calls);
    return { calls, raises };
  }
}

/** The calls and the `raise`/`assert` statements of a file by the innermost function, class or lambda around them (by node id). */
function ownedByScope(root: Node): Map<number, { calls: Node[]; raises: Node[] }> {
  const out = new Map<number, { calls: Node[]; raises: Node[] }>();
  const open: Node[] = [];
  for (const n of root.descendantsOfType(['call', 'raise_statement', 'assert_statement', ...DEFERRED])) {
    if (!n) continue;
    while (open.length && open[open.length - 1]!.endIndex <= n.startIndex) open.pop();
    const type = n.type;
    if (DEFERRED.has(type)) {
      open.push(n);
      continue;
    }
    const scope = open[open.length - 1];
    if (!scope) continue;
    let own = out.get(scope.id);
    if (!own) out.set(scope.id, own = { calls: [], raises: [] });
    (type === 'call' ? own.calls : own.raises).push(n);
  }
  return out;
}
