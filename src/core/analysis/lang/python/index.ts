import type { Node } from 'web-tree-sitter';
import { LineIndex } from '../../edits';
import { withTree } from '../../parser';
import { FunctionAnalysis, type SummaryProvider } from '../../engine/analysis';
import { FunctionCache } from '../../engine/functionCache';
import { FileReuse, functionKey } from '../../engine/reuse';
import { leakFinding, overwriteFinding, ownTokens } from '../../engine/findings';
import { SYNTAX_ERRORS_NOTE } from '../../types';
import type { AnalysisOptions, AnalysisResult, Finding, Fix } from '../../types';
import { CfgBuilder, CfgTooLarge, type PyCfg } from './cfg';
import { closeMethodAttributes, ownedFingerprint, type OwnedAttributes } from './closeMethod';
import { Effects, failsByWhatItIs, practicallyNeverFails, storingClass, trivialClasses, type AcquisitionSite } from './effects';
import { identifierIndex, indentUnit, PyFixPlanner, type FixContext } from './fixes';
import { acquireSite, PyLowering } from './lower';
import { acquireShape, alwaysRaises, Imports, loopbackPortName, MODULE_FACT_NODES, moduleFacts, processExit, type ModuleFacts } from './names';
import { localSummaries } from './summaries';
import { processEndingFunctions } from './scriptChain';
import { NO_PROJECT_FUNCTIONS, type ProjectFunctions } from './projectModules';
import { DEFERRED, enclosingClass, named, nodesByType, targetNames, walk } from './syntax';

/**
 * Python resource-leak analysis: sockets (`socket.socket`, `create_connection`, `accept`, `socketpair`,
 * `ssl` wrapping), files (`open`) and OS descriptors (`os.open`) that are not closed on every path,
 * exceptions included. The Python CFG is lowered to the shared IR and analysed by the one engine: a
 * leak is reported at each exit where it is lost (a return, the call whose exception leaves the
 * function, a raise, the end of the function, a `del`), with the acquisition in related information;
 * an overwrite at the assignment. Module-level code only reports resources lost by reassignment or
 * `del`: module globals live as long as the module.
 */
export async function analyzePython(text: string, options: AnalysisOptions, project: ProjectFunctions = NO_PROJECT_FUNCTIONS): Promise<AnalysisResult> {
  const findings: Finding[] = [];
  const notes: string[] = [];
  let hadParseErrors = false;
  try {
    await withTree('python', text, (tree) => {
      hadParseErrors = tree.rootNode.hasError;
      analyzeTree(tree.rootNode, text, options, project, findings, notes);
    });
  } catch (e) {
    notes.push(`analysis failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (hadParseErrors) notes.push(SYNTAX_ERRORS_NOTE);
  findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column);
  return { language: 'python', findings, hadParseErrors, notes };
}

interface Scope {
  readonly name: string;
  /** The function node, or the module. */
  readonly node: Node;
  /** The statements' container: the function body block, or the module. */
  readonly body: Node | null;
  readonly moduleLevel: boolean;
}

/** The module and its functions, given the file's function definitions in document order. */
function scopes(root: Node, definitions: readonly Node[]): Scope[] {
  const out: Scope[] = [{ name: '<module>', node: root, body: root, moduleLevel: true }];
  for (const n of definitions) {
    out.push({ name: n.childForFieldName('name')?.text ?? '<function>', node: n, body: n.childForFieldName('body'), moduleLevel: false });
  }
  return out;
}

/** Whether the scope's own code (not nested functions) contains an acquiring call. */
function acquires(body: Node, imports: Imports): boolean {
  let found = false;
  walk(body, (n) => {
    if (found || DEFERRED.has(n.type)) return false;
    if (n.type === 'call' && acquireShape(n, imports)) found = true;
    return !found;
  });
  return found;
}

/**
 * The names the scope's own code closes (`v.close()`) and those it binds to an acquiring call of the
 * tables (`v = open(p)`): a call outside the tables whose result the function closes is its resource.
 */
function ownedNames(body: Node, imports: Imports): Owned {
  const closed = new Set<string>();
  const acquired = new Set<string>();
  const selfConnected = new Set<string>();
  // `srv, port = bind_port()`: the names bound together from one call; `c.connect(("127.0.0.1", port))`; `srv.accept()`.
  const boundWith = new Map<string, string[]>();
  const loopbackPorts = new Set<string>();
  const accepting = new Set<string>();
  walk(body, (n) => {
    if (DEFERRED.has(n.type)) return false;
    if (n.type === 'call') {
      const fn = n.childForFieldName('function');
      const obj = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
      const method = fn?.childForFieldName('attribute')?.text;
      if (obj?.type === 'identifier' && method === 'close') closed.add(obj.text);
      if (obj?.type === 'identifier' && method === 'accept') accepting.add(obj.text);
      if (method === 'connect' || method === 'connect_ex') {
        // `client.connect(srv.getsockname())`: srv's next accept() takes a connection already queued.
        const arg = n.childForFieldName('arguments')?.namedChildren[0];
        const f = arg?.type === 'call' ? arg.childForFieldName('function') : null;
        const o = f?.type === 'attribute' && f.childForFieldName('attribute')?.text === 'getsockname' ? f.childForFieldName('object') : null;
        if (o?.type === 'identifier') selfConnected.add(o.text);
        const port = loopbackPortName(arg ?? null);
        if (port !== null) loopbackPorts.add(port);
      }
    } else if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (right?.type === 'call' && acquireShape(right, imports)) for (const v of targetNames(left)) acquired.add(v);
      const names = (left?.type === 'pattern_list' || left?.type === 'tuple_pattern') && right?.type === 'call' ? named(left) : [];
      if (names.length > 1 && names.every((x) => x.type === 'identifier')) {
        for (const x of names) boundWith.set(x.text, names.filter((y) => y !== x && y.text !== x.text).map((y) => y.text));
      }
    }
    return true;
  });
  // A loopback connect to the port bound with a socket the function accepts on: it connects to itself.
  const selfPorts = new Set<string>();
  for (const port of loopbackPorts) {
    for (const srv of boundWith.get(port) ?? []) {
      if (!accepting.has(srv)) continue;
      selfPorts.add(port);
      selfConnected.add(srv);
    }
  }
  return { closed, acquired, selfConnected, selfPorts };
}

interface Owned {
  readonly closed: Set<string>;
  readonly acquired: Set<string>;
  readonly selfConnected: Set<string>;
  readonly selfPorts: Set<string>;
}

/** `global`/`nonlocal` names declared in the scope's own code. */
function nonLocalNames(body: Node): Set<string> {
  const out = new Set<string>();
  walk(body, (n) => {
    if (DEFERRED.has(n.type)) return false;
    if (n.type === 'global_statement' || n.type === 'nonlocal_statement') {
      for (const c of named(n)) if (c.type === 'identifier') out.add(c.text);
      return false;
    }
    return true;
  });
  return out;
}

/** Findings per function at most (a bound on the output, not on the analysis). */
const MAX_LEAKS_PER_FUNCTION = 2000;

/**
 * No engine summaries for Python calls: a callee's effect on its arguments comes from the tables (./names);
 * what the file's own functions return and whether they raise comes from ./summaries, through the imports.
 */
const NO_SUMMARIES: SummaryProvider = { summary: () => undefined };

/** Results of Python functions analysed before (per process: the editor's worker keeps it across edits). */
export const PYTHON_FUNCTIONS = new FunctionCache(2000);

/** What every scope of one file shares. */
interface PyFile {
  readonly root: Node;
  readonly text: string;
  readonly index: LineIndex;
  readonly imports: Imports;
  readonly transfers: ReadonlySet<string>;
  /** Classes of the file whose construction practically never raises (./effects `trivialClasses`). */
  readonly trivial: ReadonlySet<string>;
  readonly unit: string;
  readonly deadline: number | undefined;
  /** `exit` / `quit` when the file defines a function of that name (it shadows the builtin: names `processExit`). */
  readonly shadowed: ReadonlySet<string>;
  /** How to read the file as Python 3: names module-level code rebinds, Python 2 syntax (`names.removedInPython3`). */
  readonly module: ModuleFacts;
  /** Functions only the script's `__main__` chain calls, by start offset: an exception leaving one ends the process (./scriptChain). */
  readonly ending: ReadonlySet<number>;
  /** Functions after whose normal return the process ends at once (./scriptChain `returning`). */
  readonly returning: ReadonlySet<number>;
  /** Thread targets an exception leaving which before the offset ends the process (./scriptChain `raisingBefore`). */
  readonly raisingBefore: ReadonlyMap<number, number>;
}

function analyzeTree(root: Node, text: string, options: AnalysisOptions, project: ProjectFunctions, findings: Finding[], notes: string[]): void {
  const deadline = options.timeBudgetMs === undefined ? undefined : Date.now() + options.timeBudgetMs;
  // Imports and definitions are statements: none sits inside a call, a string or a lambda. One search finds both.
  // One search of the tree finds them, the classes and what moduleFacts looks for.
  const find = nodesByType(root, ['import_statement', 'import_from_statement', 'function_definition', 'class_definition', ...MODULE_FACT_NODES]);
  const definitions = find('function_definition');
  const imports = Imports.of([...find('import_statement'), ...find('import_from_statement')].sort((a, b) => a.startIndex - b.startIndex)).withProject(project);
  const module = moduleFacts(root, find);
  // What each definition's own text decides about its summary is looked up from earlier analyses (./summaries
  // DEFINITION_FACTS), except in an analysis from scratch (PYTHON_FUNCTIONS disabled).
  // Which of the file's functions may fail for real (issue 13) is decided from the calls that plausibly fail, judged as
  // inline (./effects `likely`): not a call that practically never fails where the code shows it (a chmod of the file just
  // made, a bind to a fresh mktemp() name), and a function Python 3's module no longer has fails every time.
  imports.withLocal(localSummaries(definitions, imports, (call) => acquireShape(call, imports),
    (call) => !practicallyNeverFails(call, imports) && failsByWhatItIs(call, imports, module), PYTHON_FUNCTIONS.enabled ? text : undefined));
  const index = new LineIndex(text);
  const trivial = trivialClasses(root, find);
  const shadowed = new Set(definitions.map((d) => d.childForFieldName('name')?.text ?? '').filter((n) => n === 'exit' || n === 'quit'));
  const { raising: ending, returning, raisingBefore } = processEndingFunctions(root, definitions);
  const file: PyFile = { root, text, index, imports, transfers: new Set(options.ownershipTransfers ?? []), trivial, unit: indentUnit(root, text, index), deadline, shadowed, module, ending, returning, raisingBefore };
  // A function's result depends on its own text and on the file's imports and indentation unit (whose
  // fingerprint holds what the file's and the project's functions return). Module-level code is analysed every time: its text is the file.
  // The file's classes whose construction never raises decide which exits are below warning.
  const facts = [imports.fingerprint(), file.unit, [...trivial].sort().join(','), [...shadowed].sort().join(','),
    [...module.rebound].filter((v) => v === '*' || imports.binds(v)).sort().join(','), module.python2 ? 'py2' : ''];
  // A fix that closes a bare descriptor spells `os.close` as the imports do (in `facts` already).
  const reuse = new FileReuse(PYTHON_FUNCTIONS, index, deadline);
  for (const scope of scopes(root, definitions)) {
    if (!scope.body) continue;
    if (deadline !== undefined && Date.now() >= deadline) {
      notes.push(`time budget of ${options.timeBudgetMs} ms used up: analysis stopped before \`${scope.name}\``);
      return;
    }
    // A function's result is looked up before anything else about it is computed (one that acquires
    // nothing has an empty result, reused like any other).
    const ownClass = scope.moduleLevel ? null : enclosingClass(scope.node);
    // A method's `cls(…)` depends on its class's `__init__` (./effects `storingClass`).
    const ownClassStores = !scope.moduleLevel && isClassMethod(scope.node) && storingClass(ownClass);
    // … and whether that `__init__` may fail for real (issue 13: then `cls(…)` may).
    const ownClassRaises = !scope.moduleLevel && isClassMethod(scope.node) && imports.local.raisingClasses.has(ownClass?.childForFieldName('name')?.text ?? '');
    // A close method owns the attributes it closes (./closeMethod): that depends on the class's other methods.
    const attributes = scope.moduleLevel ? null : closeMethodAttributes(scope.node, ownClass, imports);
    // A call on `self` borrows only through a method of the caller's own class (./effects `borrows`).
    const className = ownClass?.childForFieldName('name')?.text ?? '';
    const key = scope.moduleLevel ? null : functionKey('python', scope.node, text, options,
      [...facts, ownClassStores ? 'S' : '', ownClassRaises ? 'R' : '', ownedFingerprint(attributes, scope.node.startIndex), `class=${className}`,
        // Whether only the `__main__` chain calls it depends on the rest of the file.
        ending.has(scope.node.startIndex) ? 'ends' : '', returning.has(scope.node.startIndex) ? 'returns-end' : '',
        raisingBefore.has(scope.node.startIndex) ? `ends-before=${raisingBefore.get(scope.node.startIndex)! - scope.node.startIndex}` : '']);
    reuse.run(scope.node, key, (scopeNotes) => {
      const owned = scope.moduleLevel ? null : ownedNames(scope.body!, imports);
      const found = acquires(scope.body!, imports) || (owned?.closed.size ?? 0) > 0 || attributes !== null
        ? analyzeScope(scope, file, scopeNotes, owned, { stores: ownClassStores, raises: ownClassRaises }, attributes) : [];
      return { findings: found, reusable: true };
    }, { findings, notes });
  }
}

function analyzeScope(scope: Scope, file: PyFile, notes: string[], owned: Owned | null, ownClass: { stores: boolean; raises: boolean }, attributes: OwnedAttributes | null): Finding[] {
  const { text, index, imports, transfers, deadline } = file;
  const findings: Finding[] = [];
  const body = scope.body!;
  const effects = new Effects(imports, transfers, scope.moduleLevel ? new Set() : nonLocalNames(body), owned?.closed, owned?.acquired,
    { trivialClasses: file.trivial, selfConnected: owned?.selfConnected ?? new Set(), selfPorts: owned?.selfPorts, ownClassStores: ownClass.stores, ownClassRaises: ownClass.raises, owned: attributes, module: file.module });
  const builder = new CfgBuilder((roots) => effects.raiser(roots), {
    io: (roots) => effects.ioRaiser(roots), narrow: (h) => effects.narrowHandler(h),
    processExit: (stmt) => processExit(stmt, imports, file.shadowed),
    // A statement that always raises on Python 3 (`string.join(…)`) leaves only by that exception.
    alwaysRaises: (stmt) => alwaysRaises(stmt, imports, file.module),
  });
  let cfg;
  try {
    cfg = builder.build(body);
  } catch (e) {
    if (!(e instanceof CfgTooLarge)) throw e;
    notes.push(`${scope.name}: too complex (control-flow graph too large), not analysed`);
    return findings;
  }
  if (cfg.truncated) notes.push(`${scope.name}: nesting too deep, inner statements treated as opaque`);
  const lowered = new PyLowering(cfg, effects, text, scope.node, body, parameters(scope.node), scope.moduleLevel).lower();
  const analysis = new FunctionAnalysis(lowered.ir, NO_SUMMARIES, 'report', deadline);
  analysis.run();
  if (!analysis.complete) {
    notes.push(`${scope.name}: analysis cut short (step limit or time budget), findings left out`);
    return findings;
  }
  if (analysis.leaks.size === 0 && analysis.overwrites.size === 0) return findings;
  let ids: Map<string, Node[]> | null = null;
  const ctx: FixContext = {
    text, index, scope: body, unit: file.unit,
    identifiers: () => (ids ??= identifierIndex(body)),
    statements: (b) => builder.statements(b),
  };
  // A function whose parse has errors is never edited: its text may not be what the tree says.
  const planner = scope.node.hasError ? null : new PyFixPlanner(ctx, analysis, lowered, cfg, acquisitionSites(cfg, effects), escapingVariables(cfg, effects));
  const regionFix = (tokens: readonly import('../../engine/values').Token[]): Fix | null =>
    planner && tokens.length === 1 ? planner.regionFix(tokens[0]!) : null;
  const records = [...analysis.leaks.values()];
  if (records.length > MAX_LEAKS_PER_FUNCTION) {
    // Every call may raise: n open resources and n calls make n² leaking exits. Report the first ones.
    notes.push(`${scope.name}: ${records.length} leaking exits, only the first ${MAX_LEAKS_PER_FUNCTION} are reported`);
    records.sort((a, b) => a.exit.start - b.exit.start);
    records.length = MAX_LEAKS_PER_FUNCTION;
  }
  // An exception that leaves a script's module-level `main()` ends the process, which closes everything:
  // such a leak is reported below warning severity (one caught inside main, which goes on, is not).
  // So does one leaving a function that only that chain calls, up to the `if __name__ == "__main__":` block, with
  // nothing on the way that may catch it (./scriptChain).
  // Likewise an exception leaving a test (`test_x`/`testX`/`setUp` of a class, or a module-level `test_x`)
  // fails the test, and the runner reports that failure: the leak on that path is below warning too.
  const alwaysEnds = isScriptMain(scope) || (!scope.moduleLevel && file.ending.has(scope.node.startIndex)) || isTest(scope);
  // A thread's target that dies before it sets the event its starter waits for: the starter raises on the chain.
  const endsBefore = scope.moduleLevel ? undefined : file.raisingBefore.get(scope.node.startIndex);
  const exceptionEnds = (rec: { readonly exit: { readonly start: number }; readonly origin: { readonly start: number } | null }) =>
    alwaysEnds || (endsBefore !== undefined && (rec.origin?.start ?? rec.exit.start) < endsBefore);
  // A function after whose normal return the process exits at once (`sys.exit(main())`, ./scriptChain): what it
  // leaves open there the exit closes, so such a leak is reported below warning severity too.
  const returnEnds = !scope.moduleLevel && file.returning.has(scope.node.startIndex);
  // A close method's attributes (./closeMethod) are reported only where an exception leaves the method
  // before it closes them, with no fix (the object, not the method, made them).
  const heldStarts = new Set([...(attributes?.keys.values() ?? [])].map((c) => c.startIndex));
  const held = (tokens: readonly import('../../engine/values').Token[]) => tokens.some((t) => heldStarts.has(t.site.start) && attributes!.keys.has(t.site.call));
  for (const rec of records) {
    const tokens = ownTokens(rec.tokens);
    if (!tokens) continue;
    if (held(tokens)) {
      if (rec.exit.kind !== 'throw') continue;
      const closedAt = index.position(tokens[0]!.site.start).line + 1;
      const message = `\`${rec.variable}\` is left open when an exception leaves here: ${scope.name}() closes it on line ${closedAt}`;
      const finding = leakFinding(rec, tokens, scope.name, 'python', index, message);
      const likely = attributes!.likely.has((rec.origin ?? rec.exit).start);
      findings.push({ ...finding, ...(exceptionEnds(rec) || !likely ? { severity: 'information' as const } : {}), fixes: [] });
      continue;
    }
    const fixes = [regionFix(tokens), planner?.exitFix(rec) ?? null].filter((f): f is Fix => f !== null);
    const finding = leakFinding(rec, tokens, scope.name, 'python', index);
    const atEndingReturn = returnEnds && (rec.exit.kind === 'return' || rec.exit.kind === 'end');
    findings.push({
      ...finding,
      ...(exceptionEnds(rec) && rec.exit.kind === 'throw' ? { severity: 'information' as const } : {}),
      ...(atEndingReturn ? { severity: 'information' as const, message: `${finding.message} (the program exits as soon as ${scope.name}() returns)` } : {}),
      fixes,
    });
  }
  for (const rec of analysis.overwrites.values()) {
    const tokens = ownTokens(rec.tokens);
    if (!tokens || held(tokens)) continue;
    const fix = regionFix(tokens);
    findings.push({ ...overwriteFinding(rec, tokens, scope.name, 'python', index), fixes: fix ? [fix] : [] });
  }
  return findings;
}

/** A method decorated `@classmethod` (its `cls` is the class). */
function isClassMethod(fn: Node): boolean {
  const p = fn.parent;
  return p?.type === 'decorated_definition' && named(p).some((d) => d.type === 'decorator' && /^@\s*classmethod\s*$/.test(d.text));
}

/** A module-level function named `main` (not a method, not nested). */
function isScriptMain(scope: Scope): boolean {
  if (scope.moduleLevel || scope.name !== 'main') return false;
  let p = scope.node.parent;
  if (p?.type === 'decorated_definition') p = p.parent;
  return p?.type === 'module';
}

/**
 * A test the runner calls: `test…` or `setUp` defined directly in a class body, or a module-level
 * `test_…` function (pytest). Nested helpers and other methods are not tests.
 */
function isTest(scope: Scope): boolean {
  if (scope.moduleLevel) return false;
  let p = scope.node.parent;
  if (p?.type === 'decorated_definition') p = p.parent;
  if (p?.type === 'module') return /^test_/.test(scope.name);
  const cls = p?.type === 'block' ? p.parent : null;
  return cls?.type === 'class_definition' && (/^test(?:_|[A-Z0-9]|$)/.test(scope.name) || scope.name === 'setUp');
}

/** The names of a function's parameters (none for the module). */
function parameters(fn: Node): string[] {
  const params = fn.type === 'function_definition' ? fn.childForFieldName('parameters') : null;
  const out: string[] = [];
  for (const p of params ? named(params) : []) {
    // `x`, `x=1`, `x: int`, `*args`, `**kw`: the parameter's own name, not its default or annotation.
    const id = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? named(p).find((c) => c.type === 'identifier'));
    if (id?.type === 'identifier') out.push(id.text);
  }
  return out;
}

/** The acquisitions of the function, by the offset their token carries. */
function acquisitionSites(cfg: PyCfg, effects: Effects): Map<number, AcquisitionSite> {
  const out = new Map<number, AcquisitionSite>();
  for (const n of cfg.nodes) {
    for (const e of effects.of(n)) if (e.t === 'acquire') out.set(acquireSite(e.site).start, e.site);
  }
  return out;
}

/** Variables returned, stored, transferred or aliased somewhere in the scope: closing them everywhere would be wrong. */
function escapingVariables(cfg: PyCfg, effects: Effects): Set<string> {
  const out = new Set<string>();
  for (const n of cfg.nodes) {
    for (const e of [...effects.of(n), ...(n.kind === 'for' ? effects.of(n, true) : [])]) {
      if (e.t === 'escape') out.add(e.v);
      if (e.t === 'alias') out.add(e.from);
      if (e.t === 'derive') for (const v of e.from) out.add(v);
    }
  }
  return out;
}
