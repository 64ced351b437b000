import type { Node, Tree } from 'web-tree-sitter';
import { LineIndex } from '../../edits';
import { withTree } from '../../parser';
import { SYNTAX_ERRORS_NOTE } from '../../types';
import type { AnalysisOptions, AnalysisResult, Finding, Fix } from '../../types';
import { FunctionAnalysis, NO_SUMMARY, type LeakRecord, type Summary, type SummaryProvider } from '../../engine/analysis';
import { leakFinding, overwriteFinding, ownTokens, type FindingBody } from '../../engine/findings';
import type { Token } from '../../engine/values';
import { buildCfg, type FunctionCfg } from './cfg';
import { JavaFixer } from './fixes';
import { JavaLowering, type LoweredFunction, type LowerContext, type Seed } from './lower';
import { CONNECTING_METHODS, EXPECTS_THROW, FACTORY_NAME, FILES_ACQUIRE, NEW_ACQUIRE, describeKind, uncheckedThrown, type ResourceKind } from './names';
import { callArgs, functionName, parameterNames, simpleTypeName } from './syntax';
import { returnedSocketKind, socketClasses } from './socketClass';
import { endsSoonAfter, isProgramMain, loopBrokenAt, mayLeaveThreads, programChainEnds, type ChainEnd } from './programMain';
import { testFailingMethods } from './testMethods';
import type { Keeping, ProjectClass } from './projectClasses';
import { calleeClassesKey, type CalleeClass } from './calleeClasses';
import { FunctionCache } from '../../engine/functionCache';
import { leaksOnceAtThrowExits, throwsOnlyUnlikely } from '../../engine/throwExits';
import { CallInputs, FileReuse, functionKey, type Analysed } from '../../engine/reuse';

/**
 * Java socket-leak analysis: each method, constructor or lambda that opens a socket, channel or
 * selector (or is handed one by a thread hand-off) is lowered from its exception-aware CFG to the
 * shared IR (./lower.ts) and analysed by the one engine, which finds the exits where one is still
 * open (on an exceptional path: the call the exception comes from). Streams and wrappers of a socket
 * are the same resource.
 */
export async function analyzeJava(
  text: string, options: AnalysisOptions, projectClasses?: ReadonlyMap<string, ProjectClass>, calleeClasses?: ReadonlyMap<string, CalleeClass>,
  isolated?: ReadonlySet<string>,
): Promise<AnalysisResult> {
  try {
    return await withTree('java', text, (tree) => analyzeTree(tree, text, options, projectClasses, calleeClasses, isolated));
  } catch (e) {
    return { language: 'java', findings: [], hadParseErrors: false, notes: [`analysis failed: ${e instanceof Error ? e.message : String(e)}`] };
  }
}

interface FileIndex {
  /** Methods, constructors and lambdas in document order. */
  readonly functions: Node[];
  /** Methods by `name/arity` (every class and overload, in document order). */
  readonly methods: Map<string, Node[]>;
  /** Class, enum, record and interface declarations by simple name (the first of a name). */
  readonly classes: Map<string, Node>;
  readonly constructors: Map<string, Node>;
  readonly fieldTypes: Map<string, string>;
  /** The file's own socket classes (`class PrependableSocket extends Socket`), by simple name. */
  readonly socketClasses: Map<string, ResourceKind>;
  /** Methods declared to return a socket or channel (`Socket connectToLeader()`), by `name/arity`. */
  readonly socketMethods: Set<string>;
  /**
   * Resource classes of other files not known to implement `Closeable`: a try-with-resources of one may not
   * compile and its close() may throw other checked exceptions, so no fix is offered for what they open.
   */
  readonly unfixable: Set<string>;
  /** Socket classes that extend a JDK socket class (the file's own, or another file's): `new X(null)` may hold nothing. */
  readonly subclasses: Set<string>;
  /** Static factories of other files' classes that keep arguments (`Class.name/arity`: their indices; ProjectClass.keeps). */
  readonly keeps: Map<string, Keeping>;
  /** Constructors of other files' classes that throw nothing on purpose (`Class/arity`; ProjectClass.quietCtors, ./quietConstructors). */
  readonly quietCtors: Set<string>;
  /** Other files' classes whose methods keep parameters, by the simple name the file uses (./calleeClasses). */
  readonly callees: ReadonlyMap<string, CalleeClass>;
}

const FUNCTION_TYPES = ['method_declaration', 'constructor_declaration', 'lambda_expression', 'compact_constructor_declaration'];
const CLASS_TYPES = ['class_declaration', 'enum_declaration', 'record_declaration', 'interface_declaration'];
const BODY_TYPES = new Set(['class_body', 'enum_body', 'interface_body']);

/** The body of the class (named or anonymous) that `n` is in, if any. */
function enclosingBody(n: Node): Node | null {
  for (let p = n.parent; p; p = p.parent) if (BODY_TYPES.has(p.type)) return p;
  return null;
}

/** The same-file superclass body of a class body (`class B extends A` with `A` in the file). */
function superBody(body: Node, idx: FileIndex): Node | null {
  const decl = body.parent;
  const sup = decl?.type === 'class_declaration' ? decl.childForFieldName('superclass') : null;
  const type = sup?.namedChildren.find((c) => c !== null);
  const cls = type ? idx.classes.get(simpleTypeName(type)) : undefined;
  return cls?.childForFieldName('body') ?? null;
}

/**
 * The method an unqualified call `name(…)` with these argument types calls: one declared in the
 * innermost enclosing class that has one (or in a same-file superclass of it); among overloads, the
 * first whose parameter types match the known argument types. A method of an unrelated class of the
 * file is not it (`start()` in a `Thread` subclass is `Thread.start`, not another class's `start`).
 */
function resolveMethod(idx: FileIndex, name: string, argTypes: readonly (string | undefined)[], site: Node): Node | undefined {
  const candidates = idx.methods.get(`${name}/${argTypes.length}`);
  if (!candidates) return undefined;
  const pick = (body: Node): Node | undefined => {
    const here = candidates.filter((m) => enclosingBody(m)?.id === body.id);
    if (!here.length) return undefined;
    return here.find((m) => parameterNames(m).every((p, i) => !argTypes[i] || !p.type || p.type === argTypes[i])) ?? here[0];
  };
  for (let body = enclosingBody(site); body; body = enclosingBody(body)) {
    let found = pick(body);
    for (let sup = superBody(body, idx), depth = 0; !found && sup && depth < 8; sup = superBody(sup, idx), depth++) found = pick(sup);
    if (found) return found;
  }
  return undefined;
}

function arity(fn: Node): number {
  const p = fn.childForFieldName('parameters');
  return p ? p.namedChildren.filter((c) => c && (c.type === 'formal_parameter' || c.type === 'spread_parameter')).length : 0;
}

function isAcquisitionCandidate(n: Node, idx: FileIndex): boolean {
  if (n.type === 'object_creation_expression') {
    const type = simpleTypeName(n.childForFieldName('type'));
    return NEW_ACQUIRE.has(type) || idx.socketClasses.has(type);
  }
  if (n.type === 'method_invocation') {
    const name = n.childForFieldName('name')?.text;
    if (name === 'open' || name === 'accept' || FILES_ACQUIRE.has(name ?? '') || FACTORY_NAME.test(name ?? '') || CONNECTING_METHODS.has(name ?? '')) return true;
    // `connectToLeader()`: a method of the file declared to return a socket may return a new one.
    const recv = n.childForFieldName('object');
    return (!recv || recv.type === 'this') && idx.socketMethods.has(`${name ?? ''}/${callArgs(n).length}`);
  }
  return false;
}

/**
 * Functions, same-file methods and constructors, and field types (document order: the first method, the last
 * field of a name). `projectClasses`: resource classes of other files of the project (javaProject.ts), which
 * count as the file's socket classes unless the file declares a class of that name itself.
 */
function indexFile(tree: Tree, projectClasses?: ReadonlyMap<string, ProjectClass>, calleeClasses?: ReadonlyMap<string, CalleeClass>): FileIndex {
  const idx: FileIndex = {
    functions: [], methods: new Map(), classes: new Map(), constructors: new Map(), fieldTypes: new Map(), socketClasses: new Map(), socketMethods: new Set(), unfixable: new Set(), subclasses: new Set(), keeps: new Map(),
    quietCtors: new Set(),
    callees: calleeClasses ?? new Map(),
  };
  for (const n of tree.rootNode.descendantsOfType([...FUNCTION_TYPES, 'field_declaration', ...CLASS_TYPES])) {
    if (!n) continue;
    if (CLASS_TYPES.includes(n.type)) {
      const name = n.childForFieldName('name')?.text;
      if (name && !idx.classes.has(name)) idx.classes.set(name, n);
      continue;
    }
    if (n.type === 'field_declaration') {
      const type = simpleTypeName(n.childForFieldName('type'));
      for (const d of n.childrenForFieldName('declarator')) {
        const name = d?.childForFieldName('name')?.text;
        if (name) idx.fieldTypes.set(name, type);
      }
      continue;
    }
    idx.functions.push(n);
    const name = n.childForFieldName('name')?.text;
    if (n.type === 'method_declaration' && name) {
      const key = `${name}/${arity(n)}`;
      const list = idx.methods.get(key);
      if (list) list.push(n);
      else idx.methods.set(key, [n]);
    } else if (n.type === 'constructor_declaration' && name && !idx.constructors.has(`${name}/${arity(n)}`)) idx.constructors.set(`${name}/${arity(n)}`, n);
  }
  for (const [name, kind] of socketClasses(idx.classes)) {
    idx.socketClasses.set(name, kind);
    idx.subclasses.add(name);
  }
  for (const [name, c] of projectClasses ?? []) {
    if (idx.classes.has(name)) continue;
    for (const [m, k] of c.keeps ?? []) idx.keeps.set(`${name}.${m}`, k);
    for (const arity of c.quietCtors ?? []) idx.quietCtors.add(`${name}/${arity}`);
    if (!c.kind) continue;
    idx.socketClasses.set(name, c.kind);
    if (!c.closeable) idx.unfixable.add(name);
    if (c.subclass) idx.subclasses.add(name);
  }
  for (const [key, list] of idx.methods) {
    if (list.some((m) => returnedSocketKind(m.childForFieldName('type'), idx.socketClasses))) idx.socketMethods.add(key);
  }
  return idx;
}

/** Whether `fn` itself (not a function nested in it) contains a possible acquisition. */
function acquires(fn: Node, idx: FileIndex): boolean {
  const nested = fn.descendantsOfType(FUNCTION_TYPES).filter((n): n is Node => n !== null && n.id !== fn.id);
  return fn.descendantsOfType(['object_creation_expression', 'method_invocation']).some((n) => n !== null && isAcquisitionCandidate(n, idx)
    && !nested.some((f) => f.startIndex <= n.startIndex && n.endIndex <= f.endIndex));
}

class JavaFileContext implements LowerContext, SummaryProvider {
  readonly ownershipTransfers: ReadonlySet<string>;
  private readonly summaries = new Map<number, Summary | 'busy'>();
  /** What each same-file method returns to its caller as a new resource (`returnsNew`), by id. */
  private readonly newReturns = new Map<number, ResourceKind | null | 'busy'>();
  /** Functions whose exceptions can come only from calls that practically never throw (by id). */
  private readonly unlikelyThrows = new Map<number, boolean>();
  /** Functions that can throw only unchecked exceptions nobody throws on purpose (by id; `uncheckedOnly`). */
  private readonly unchecked = new Map<number, boolean | 'busy'>();
  private readonly cfgs = new Map<number, FunctionCfg>();
  /** The unchecked exceptions each same-file function lets escape through the JDK calls it makes itself (by id). */
  private readonly ownEscapes = new Map<number, readonly string[]>();
  private readonly lowered = new Map<number, LoweredFunction>();
  /** Acquisitions and exception origins by offset. */
  private readonly acquisitions = new Map<number, Node>();
  private readonly origins = new Map<number, Node>();
  /** What thread hand-offs give each handler (lambda or run() method), by handler id. */
  readonly seeds = new Map<number, Map<string, Seed>>();

  constructor(private readonly idx: FileIndex, transfers: readonly string[], private readonly deadline?: number) {
    this.ownershipTransfers = new Set(transfers);
  }

  /** `m:name/arity@offset` (the method declared at that offset), `m:name/arity` (the first of them) or `c:Type/arity` (a constructor). */
  summary(key: string): Summary | undefined {
    const fn = this.functionOf(key);
    return fn ? this.summaryOf(fn) : undefined;
  }

  methodKey(name: string, argTypes: readonly (string | undefined)[], site: Node): string | undefined {
    const fn = resolveMethod(this.idx, name, argTypes, site);
    return fn ? `m:${name}/${argTypes.length}@${fn.startIndex}` : undefined;
  }

  throwsUnlikely(key: string): boolean {
    const fn = this.functionOf(key);
    if (!fn || !this.summaryOf(fn)) return false;
    return (this.unlikelyThrows.get(fn.id) ?? false) || this.uncheckedOnly(fn);
  }

  /**
   * Can this same-file method or constructor throw only exceptions that are not modelled? It declares no
   * `throws`, so javac lets nothing checked leave it (an `IOException` of a call in it is caught inside,
   * kryonet's `acceptOperation(socketChannel)`): only an unchecked exception can, which is a bug (a null
   * dereference) unless the code throws it on purpose. So it has no `throw` statement, no `this(…)` or
   * `super(…)` call, and every method or constructor of the file it calls (any overload of that name and
   * arity) is such a function too (recursion: not one). The unchecked exceptions of names.ts's table that
   * it lets escape are modelled apart (`uncheckedOf`). A call of one is an unlikely exception origin.
   */
  private uncheckedOnly(fn: Node): boolean {
    const memo = this.unchecked.get(fn.id);
    if (memo !== undefined) return memo === true;
    this.unchecked.set(fn.id, 'busy');
    let result = false;
    try {
      result = this.computeUncheckedOnly(fn);
    } finally {
      this.unchecked.set(fn.id, result);
    }
    return result;
  }

  private computeUncheckedOnly(fn: Node): boolean {
    const body = fn.childForFieldName('body');
    if (!body || (fn.type !== 'method_declaration' && fn.type !== 'constructor_declaration')) return false;
    if (fn.namedChildren.some((c) => c?.type === 'throws')) return false;
    for (const n of body.descendantsOfType(['throw_statement', 'explicit_constructor_invocation', 'method_invocation', 'object_creation_expression'])) {
      if (!n) continue;
      if (n.type === 'throw_statement' || n.type === 'explicit_constructor_invocation') return false;
      const callees = n.type === 'object_creation_expression'
        ? [this.idx.constructors.get(`${simpleTypeName(n.childForFieldName('type'))}/${callArgs(n).length}`)]
        : n.childForFieldName('object') && n.childForFieldName('object')?.type !== 'this' ? []
          : this.idx.methods.get(`${n.childForFieldName('name')?.text ?? ''}/${callArgs(n).length}`) ?? [];
      for (const c of callees) if (c && !this.uncheckedOnly(c)) return false;
    }
    return true;
  }

  private functionOf(key: string): Node | undefined {
    if (key.startsWith('c:')) return this.idx.constructors.get(key.slice(2));
    if (!key.startsWith('m:')) return undefined;
    const at = key.indexOf('@');
    const list = this.idx.methods.get(at < 0 ? key.slice(2) : key.slice(2, at));
    if (at < 0) return list?.[0];
    const offset = Number(key.slice(at + 1));
    return list?.find((m) => m.startIndex === offset);
  }

  fieldType(name: string): string | undefined {
    return this.idx.fieldTypes.get(name);
  }

  socketMethod(nameArity: string): boolean {
    return this.idx.socketMethods.has(nameArity);
  }

  socketClass(name: string): ResourceKind | undefined {
    return this.idx.socketClasses.get(name);
  }

  socketSubclass(name: string): boolean {
    return this.idx.subclasses.has(name);
  }

  quietConstructor(type: string, arity: number): boolean {
    return this.idx.quietCtors.has(`${type}/${arity}`);
  }

  keptBy(cls: string, nameArity: string): Keeping | undefined {
    return this.idx.keeps.get(`${cls}.${nameArity}`);
  }

  calleeClass(type: string): CalleeClass | undefined {
    // A class the file declares itself is that one (its calls have summaries), not another file's of that name.
    return this.idx.classes.has(type) ? undefined : this.idx.callees.get(type);
  }

  /**
   * What a call of this same-file method acquires: the method is declared to return a socket or channel,
   * and every `return` gives null, a new acquisition or a local that holds only those and that the method
   * keeps to itself (so the caller owns whatever it gets); where a local is returned, its summary says a
   * resource it acquired reaches a return on some path. Recursion: unknown while in progress.
   */
  returnsNew(key: string): ResourceKind | undefined {
    const fn = this.functionOf(key);
    if (!fn || fn.type !== 'method_declaration' || !fn.childForFieldName('body')) return undefined;
    const memo = this.newReturns.get(fn.id);
    if (memo !== undefined) return memo === 'busy' || memo === null ? undefined : memo;
    const kind = returnedSocketKind(fn.childForFieldName('type'), this.idx.socketClasses);
    if (!kind) {
      this.newReturns.set(fn.id, null);
      return undefined;
    }
    this.newReturns.set(fn.id, 'busy');
    let result: ResourceKind | null = null;
    try {
      // A local returned: its summary must say that the method's own resource reaches a return (not
      // closed on every path). `return new Socket(h, p);` (or null) needs no more.
      const own = this.lower(fn).lowered.returnsOwn();
      if (own === 'direct' || (own === 'local' && this.summaryOf(fn)?.returns)) result = kind;
    } finally {
      this.newReturns.set(fn.id, result);
    }
    return result ?? undefined;
  }

  /**
   * May a fix close these tokens? Not one opened by `new` of a project class not known to be `Closeable`,
   * nor by a call of a method of the file declared to return one (idx.unfixable).
   */
  fixable(tokens: readonly Token[]): boolean {
    if (this.idx.unfixable.size === 0) return true;
    return tokens.every((t) => {
      const n = this.acquisitions.get(t.site.start);
      if (n?.type === 'object_creation_expression') return !this.idx.unfixable.has(simpleTypeName(n.childForFieldName('type')));
      if (n?.type !== 'method_invocation') return true;
      const methods = this.idx.methods.get(`${n.childForFieldName('name')?.text ?? ''}/${callArgs(n).length}`) ?? [];
      return !methods.some((m) => this.idx.unfixable.has(simpleTypeName(m.childForFieldName('type'))));
    });
  }

  remember(n: Node, role: 'acquisition' | 'origin'): void {
    if (role === 'origin') this.origins.set(n.startIndex, n);
    else if (!this.acquisitions.has(n.startIndex)) this.acquisitions.set(n.startIndex, n);
  }

  acquisitionAt(offset: number): Node | undefined {
    return this.acquisitions.get(offset);
  }

  originAt(offset: number): Node | undefined {
    return this.origins.get(offset);
  }

  handOver(fn: Node, name: string, token: Token): void {
    let m = this.seeds.get(fn.id);
    if (!m) this.seeds.set(fn.id, (m = new Map()));
    if (!m.has(name)) m.set(name, { name, site: token.site });
  }

  /**
   * A function's CFG, built once per file when it has no extra locals: a helper is analysed for its
   * summary and for its own leaks. Extra locals (captured variables handed over) change the graph.
   */
  cfgOf(fn: Node, extraLocals: readonly string[] = []): FunctionCfg {
    if (extraLocals.length > 0) return this.build(fn, extraLocals);
    let cfg = this.cfgs.get(fn.id);
    if (!cfg) this.cfgs.set(fn.id, (cfg = this.build(fn, [])));
    return cfg;
  }

  private build(fn: Node, extraLocals: readonly string[]): FunctionCfg {
    return buildCfg(fn, extraLocals, (call, typeOf) => this.uncheckedOf(call, typeOf, true), (name) => this.idx.fieldTypes.get(name));
  }

  /**
   * The unchecked exceptions of the table (names.ts) a call throws: a JDK call's, or (with `callees`)
   * those a same-file method lets escape from the JDK calls it makes itself. One level only, so that
   * the result does not depend on the order functions are analysed in (recursion, reuse).
   */
  private uncheckedOf(call: Node, typeOf: (name: string) => string | undefined, callees: boolean): readonly string[] {
    if (call.type !== 'method_invocation') return [];
    const name = call.childForFieldName('name')?.text ?? '';
    const object = call.childForFieldName('object');
    const args = callArgs(call);
    const argType = (a: Node): string | undefined => (a.type === 'string_literal' ? 'String' : a.type === 'identifier' ? typeOf(a.text) : undefined);
    if (object && object.type !== 'this') {
      const receiverType = object.type === 'identifier' ? typeOf(object.text) : undefined;
      return uncheckedThrown(name, object.text, receiverType, args.length, args.length === 1 && argType(args[0]!) === 'String');
    }
    if (!callees) return [];
    const fn = resolveMethod(this.idx, name, args.map(argType), call);
    if (!fn || !fn.childForFieldName('body')) return [];
    let own = this.ownEscapes.get(fn.id);
    if (!own) {
      own = [...buildCfg(fn, [], (c, t) => this.uncheckedOf(c, t, false), (n) => this.idx.fieldTypes.get(n)).uncheckedEscapes];
      this.ownEscapes.set(fn.id, own);
    }
    return own;
  }

  /** A function lowered to the IR (once per file when nothing is handed to it). */
  lower(fn: Node, seeds: readonly Seed[] = []): { cfg: FunctionCfg; lowered: LoweredFunction } {
    const cfg = this.cfgOf(fn, seeds.map((s) => s.name));
    if (seeds.length) return { cfg, lowered: new JavaLowering(cfg, fn, this).lower(seeds) };
    let lowered = this.lowered.get(fn.id);
    if (!lowered) this.lowered.set(fn.id, (lowered = new JavaLowering(cfg, fn, this).lower([])));
    return { cfg, lowered };
  }

  private summaryOf(fn: Node): Summary | undefined {
    const memo = this.summaries.get(fn.id);
    if (memo === 'busy') return undefined; // recursion: unknown while in progress
    if (memo) return memo;
    if (!fn.childForFieldName('body')) return undefined;
    this.summaries.set(fn.id, 'busy');
    let result = NO_SUMMARY;
    try {
      const a = new FunctionAnalysis(this.lower(fn).lowered.ir, this, 'summary', this.deadline);
      a.run();
      result = a.summary();
      if (result.mayThrow) this.unlikelyThrows.set(fn.id, throwsOnlyUnlikely(a));
    } catch {
      result = NO_SUMMARY;
    }
    this.summaries.set(fn.id, result);
    return result;
  }
}

/** Results of Java functions analysed before (per process: the editor's worker keeps it across edits). */
export const JAVA_FUNCTIONS = new FunctionCache(2000);

function analyzeTree(
  tree: Tree, text: string, options: AnalysisOptions, projectClasses?: ReadonlyMap<string, ProjectClass>, calleeClasses?: ReadonlyMap<string, CalleeClass>,
  isolated?: ReadonlySet<string>,
): AnalysisResult {
  const deadline = options.timeBudgetMs !== undefined ? Date.now() + options.timeBudgetMs : undefined;
  const root = tree.rootNode;
  const notes: string[] = [];
  const findings: Finding[] = [];
  const hadParseErrors = root.hasError;
  if (hadParseErrors) notes.push(SYNTAX_ERRORS_NOTE);
  const idx = indexFile(tree, projectClasses, calleeClasses);
  const ctx = new JavaFileContext(idx, options.ownershipTransfers ?? [], deadline);
  const lines = new LineIndex(text);
  // A function's result depends on its text, the file's field types and imports and (through summaries) the
  // same-file methods and constructors it calls, transitively. One that hands resources to a thread
  // handler, or is such a handler, depends on another function's analysis: it is always analysed.
  // The file's socket classes and the methods declared to return a socket decide which calls acquire.
  const facts = [
    [...idx.fieldTypes].map(([f, t]) => `${f}:${t}`).sort().join(','),
    [...[...idx.socketClasses].map(([c, k]) => `${c}:${k}${idx.unfixable.has(c) ? ':unfixable' : ''}${idx.subclasses.has(c) ? ':sub' : ''}`), ...idx.socketMethods].sort().join(','),
    [...idx.keeps].map(([m, k]) => `${m}:${k.params.join('+')}${k.uncheckedOnly ? ':unchecked' : ''}`).sort().join(','),
    [...idx.quietCtors].sort().join(','),
    calleeClassesKey(idx.callees),
    // The imports: which classes come from outside the JDK, whether `@Cleanup` is Lombok's (./lombok).
    root.namedChildren.filter((d) => d?.type === 'import_declaration').map((d) => d!.text).join('\n'),
  ];
  const calls = new CallInputs(calledNames, (name) => {
    if (name.startsWith('m:')) return idx.methods.get(name.slice(2)) ?? [];
    const fn = idx.constructors.get(name.slice(2));
    return fn ? [fn] : [];
  });
  const reuse = new FileReuse(JAVA_FUNCTIONS, lines, deadline, calls.current);
  // Methods whose exceptions go to the test runner (./testMethods): that depends on the rest of the file, so it is part of their key.
  const failsTest = testFailingMethods(root, text);
  // Methods whose end is the program's end (./programMain): that too depends on the rest of the file and on the project.
  const chainEnds = isolated?.size ? programChainEnds(root, isolated) : new Map<number, ChainEnd>();
  for (let i = 0; i < idx.functions.length; i++) {
    const fn = idx.functions[i]!;
    const seeds = [...(ctx.seeds.get(fn.id)?.values() ?? [])];
    if (deadline !== undefined && Date.now() > deadline) {
      notes.push(`time budget of ${options.timeBudgetMs} ms used up: functions from line ${fn.startPosition.row + 1} on were not analysed`);
      break;
    }
    const name = functionName(fn);
    try {
      // A function's result is looked up before anything else about it is computed (one that
      // acquires nothing has an empty result, which depends on its text only).
      const chain = chainEnds.get(fn.id);
      const key = [...facts, ...(failsTest.has(fn.id) ? ['fails-test'] : []), ...(chain ? [`program-end:${chain}`] : [])];
      reuse.run(fn, seeds.length ? null : functionKey('java', fn, text, options, key), (fnNotes) => (seeds.length || acquires(fn, idx)
        ? { ...analyzeFunction(fn, name, ctx, seeds, text, lines, deadline, fnNotes, failsTest.has(fn.id), chain), inputs: () => calls.of(fn) }
        : { findings: [], reusable: true }), { findings, notes });
    } catch (e) {
      notes.push(`function ${name}: not analysed (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column || a.variable.localeCompare(b.variable));
  return { language: 'java', findings, hadParseErrors, notes };
}

function analyzeFunction(
  fn: Node, name: string, ctx: JavaFileContext, seeds: readonly Seed[], text: string, lines: LineIndex,
  deadline: number | undefined, notes: string[], failsTest = false, chain?: ChainEnd,
): Analysed {
  const { cfg, lowered } = ctx.lower(fn, seeds);
  if (cfg.truncated) notes.push(`function ${name}: too deeply nested or too large, parts were treated as opaque`);
  const a = new FunctionAnalysis(lowered.ir, ctx, 'report', deadline);
  a.run();
  if (!a.complete || lowered.partial) notes.push(`function ${name}: analysis cut short (step limit or time budget)`);
  // What the thread hand-offs give their handlers, which are analysed later (they follow in document order).
  for (const h of lowered.handOffs) for (const t of tokensHeld(a, h.node, h.name)) if (t.param < 0) ctx.handOver(h.handler, h.name, t);
  const fixer = new JavaFixer({ text, lines, fn, cfg, lowered, analysis: a, captured: new Set(seeds.map((s) => s.name)) });
  const out: { finding: FindingBody; fixes: Fix[] }[] = [];
  // One finding per variable and place: a reassignment that also throws is reported once, as the overwrite.
  const seen = new Set<string>();
  const add = (finding: FindingBody, fixes: () => Fix[]): void => {
    const key = `${finding.range.start.line}:${finding.range.start.column}:${finding.variable}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ finding, fixes: fixes() });
  };
  for (const rec of a.overwrites.values()) {
    const tokens = ownTokens(rec.tokens);
    if (!tokens) continue;
    add(overwriteFinding(rec, tokens, name, 'java', lines, `\`${rec.variable}\` is reassigned here while it still holds an open ${what(tokens[0]!, ctx, lines)}`),
      () => (closable(tokens) && ctx.fixable(tokens) ? fixer.overwriteFixes(rec) : []));
  }
  // An exception that leaves a program's `static void main(String[])` ends the process, which closes
  // everything: such a leak is reported below warning severity. (One caught inside main, which then goes
  // on, is a leak for the rest of the run: upstream projects fix those.)
  const endsProcess = isProgramMain(fn);
  // Returning from such a main ends the process too when main started no other thread (./programMain): a leak
  // at its `return` or closing brace is reported below warning severity, saying so.
  const returnEnds = endsProcess && !mayLeaveThreads(fn);
  // A lambda given to `assertThrows(E.class, () -> …)` is expected to throw: a leak at its normal end
  // happens only when the test fails anyway, and is reported below warning severity.
  const expectedToThrow = expectsThrow(fn);
  for (const rec of leaksOnceAtThrowExits(a)) {
    const tokens = ownTokens(rec.tokens);
    if (!tokens) continue;
    const finding = leakFinding(rec, tokens, name, 'java', lines, message(rec, what(tokens[0]!, ctx, lines), name, ctx));
    const atEndingReturn = returnEnds && (rec.exit.kind === 'return' || rec.exit.kind === 'end');
    // An exception that leaves a test the runner calls (or a private helper only tests call) fails that test, which
    // is how the problem is reported (./testMethods): a file stream leaked only on that path is below warning too.
    const testFile = failsTest && tokens.every((t) => t.site.resource === 'file');
    // A method whose end is the program's end (./programMain): a leak at its end, or followed by nothing but trivial statements up to it.
    const atProgramEnd = chain !== undefined && endsProgram(rec, a, fn, ctx);
    const below = ((endsProcess || testFile) && rec.exit.kind === 'throw' && leavesFunction(a, rec.node)) || (expectedToThrow && rec.exit.kind !== 'throw') || atEndingReturn || atProgramEnd;
    const shown = atEndingReturn ? { ...finding, message: `${finding.message} (the program exits as soon as main() returns)` }
      : atProgramEnd ? { ...finding, message: `${finding.message} (the program exits right after: ${chain === 'thread' ? 'this is the run() of the only thread main() leaves running' : 'main() ends as soon as this returns'})` }
        : finding;
    add(below ? { ...shown, severity: 'information' } : shown, () => (closable(tokens) && ctx.fixable(tokens) ? fixer.leakFixes(rec, tokens[0]!) : []));
  }
  return { findings: out.map(({ finding, fixes }) => ({ ...finding, fixes })), reusable: seeds.length === 0 && lowered.handOffs.length === 0 };
}

/**
 * Is a leak of a method whose end is the program's end (./programMain) followed by that end: it is at the method's
 * `return` or closing brace, its exception leaves the method, or (caught in it, or out of a loop a `break` leaves)
 * nothing but trivial statements run before the method ends.
 */
function endsProgram(rec: LeakRecord, a: FunctionAnalysis, fn: Node, ctx: JavaFileContext): boolean {
  switch (rec.exit.kind) {
    case 'return':
    case 'end':
      return true;
    case 'throw': {
      if (leavesFunction(a, rec.node)) return true;
      const site = rec.origin ? ctx.originAt(rec.origin.at) : undefined;
      return !!site && endsSoonAfter(site, fn, false);
    }
    case 'break': {
      const loop = loopBrokenAt(fn, rec.exit.start);
      return !!loop && endsSoonAfter(loop, fn, true);
    }
    default:
      return false;
  }
}

/**
 * Does the exception of a leak on an exceptional path (at IR node `from`: the throw exit, or the end of a
 * block it leaves) leave the function? It does when the throw exit can be reached from there without
 * passing a `catch` (a `finally` that re-throws passes it on); one that a `catch` of the function takes
 * lets it go on, holding the leaked resource.
 */
function leavesFunction(a: FunctionAnalysis, from: number): boolean {
  const nodes = a.ir.nodes;
  const seen = new Set<number>([from]);
  const queue = [from];
  while (queue.length) {
    const id = queue.pop()!;
    const n = nodes[id];
    if (!n) continue;
    if (n.kind === 'exit' && n.exit?.kind === 'throw') return true;
    if (id !== from && n.program.ops.some((op) => op.op === 'catch')) continue;
    for (const next of n.exc !== undefined && n.exc >= 0 ? [...n.succ, n.exc] : n.succ) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}

/** Can a fix call `close()` on it? (A URLConnection has no `close()`: its stream is closed instead; no fix is offered.) */
function closable(tokens: readonly Token[]): boolean {
  return tokens.every((t) => t.site.resource !== 'urlConnection');
}

/** `assertThrows(E.class, () -> …)`: a lambda that the test expects to throw. */
function expectsThrow(fn: Node): boolean {
  if (fn.type !== 'lambda_expression' || fn.parent?.type !== 'argument_list') return false;
  const call = fn.parent.parent;
  return call?.type === 'method_invocation' && EXPECTS_THROW.has(call.childForFieldName('name')?.text ?? '');
}

/** The summary names of the calls in `fn`: `m:name/arity` for a method call, `c:Type/arity` for a `new`. */
function calledNames(fn: Node): string[] {
  const out: string[] = [];
  for (const n of fn.descendantsOfType(['method_invocation', 'object_creation_expression'])) {
    if (!n) continue;
    const args = callArgs(n).length;
    if (n.type === 'method_invocation') out.push(`m:${n.childForFieldName('name')?.text ?? ''}/${args}`);
    else out.push(`c:${simpleTypeName(n.childForFieldName('type'))}/${args}`);
  }
  return out;
}

function tokensHeld(a: FunctionAnalysis, node: number, name: string): Token[] {
  return [...(a.valueAt(node, name) ?? [])].filter((v): v is Token => v.kind === 'token');
}

/** `new Socket(…)`, `server.accept()`, `SocketChannel.open()`. */
function label(call: Node): string {
  const short = (s: string): string => (s.length > 40 ? `${s.slice(0, 37)}…` : s);
  if (call.type === 'object_creation_expression') return `new ${simpleTypeName(call.childForFieldName('type'))}(…)`;
  if (call.type === 'method_invocation') {
    const o = call.childForFieldName('object');
    const args = call.childForFieldName('arguments')?.namedChildCount ? '…' : '';
    return `${o ? short(o.text.replace(/\s+/g, ' ')) + '.' : ''}${call.childForFieldName('name')?.text ?? ''}(${args})`;
  }
  return short(call.text);
}

/** `socket from \`new Socket(…)\` (line 6)`. */
function what(t: Token, ctx: JavaFileContext, lines: LineIndex): string {
  const call = ctx.acquisitionAt(t.site.start);
  const kind = t.site.resource === 'param' ? 'socket' : (t.site.resource as ResourceKind);
  return `${describeKind(kind)} from \`${call ? label(call) : t.site.call}\` (line ${lines.position(t.site.start).line + 1})`;
}

function siteName(site: Node): string {
  if (site.type === 'method_invocation') return `\`${site.childForFieldName('name')?.text ?? ''}()\``;
  if (site.type === 'object_creation_expression') return `\`new ${simpleTypeName(site.childForFieldName('type'))}(…)\``;
  return 'the `throw`';
}

function message(rec: LeakRecord, what: string, fnName: string, ctx: JavaFileContext): string {
  const v = `\`${rec.variable}\``;
  switch (rec.exit.kind) {
    case 'return': return `${v} (${what}) is still open at this return`;
    case 'break': return `${v} (${what}) is still open at this break`;
    case 'continue': return `${v} (${what}) is still open at this continue`;
    case 'block': return `${v} (${what}) goes out of scope here without being closed`;
    case 'end': return `${v} (${what}) is never closed: it is still open when \`${fnName}\` ends`;
    default: {
      const site = rec.origin ? ctx.originAt(rec.origin.at) : undefined;
      if (!site) return `an exception leaks ${v} (${what})`;
      return site.type === 'throw_statement' ? `the \`throw\` here leaks ${v} (${what})` : `an exception from ${siteName(site)} here leaks ${v} (${what})`;
    }
  }
}
