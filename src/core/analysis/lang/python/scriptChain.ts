import type { Node } from 'web-tree-sitter';
import { DEFERRED, named, plainString, walk } from './syntax';

/**
 * The functions of a file that only the script's own `if __name__ == "__main__":` chain calls, so that an
 * exception leaving one of them ends the process (issue 13, pedantic rows of the pyftpdlib census: files a
 * daemon's nested `_daemonize` opens are lost only on exceptions that nothing up to the `__main__` block catches).
 * The OS closes every descriptor then, so a resource left open only on such an exceptional path is reported
 * below warning severity, as for a script's `main()` (index.ts `isScriptMain`).
 *
 * A function F is in the set when all of these hold (strict: when in doubt, F is not in it and its leaks stay warnings):
 * - the file has a module-level `if __name__ == "__main__":` block, or is a program (it starts with `#!`), whose
 *   module-level code is its main chain as well (a test script calling `do_test()` at its top level);
 * - F is a plain `def` (not `async`, not decorated, no `yield` in its own code: a coroutine or generator runs
 *   where its caller's loop or consumer is, which may catch), defined directly in a function (nested: only its
 *   enclosing function can name it) or at module level when it is private to the file: a leading underscore, the
 *   name `main`, or any name in a file that starts with `#!` (a program, not a library module another module imports);
 * - its name is defined once in its scope, and every other occurrence of the name in that scope (the enclosing
 *   function, or the whole file for a module-level F) is the callee of a call `F(…)`: never passed, stored,
 *   decorated with, imported or read as an attribute;
 * - each of those calls sits either in the `__main__` block (a program: anywhere in its module-level code) or in the own code (not a nested `def` or `lambda`) of
 *   a function of the set, and between the call and that block or function body there is no `with` (its `__exit__`
 *   runs first and may suppress the exception), unless the call makes the `with`'s first context manager (no
 *   `__enter__` has run then), and no `try` that may stop the exception: every `except` handler of a `try` whose
 *   body holds the call passes it on, leaving on every path by a `raise` (bare, `raise X from e`, `raise SystemExit`)
 *   or an exit (`sys.exit`, `exit`, `quit`, `os._exit`, not a function of the file by that name), never by `return`,
 *   `break`, `continue` or its end, and the `try`'s `finally` clause, if any, has no `return`, no `break` or
 *   `continue` that leaves it and no `while` (it runs, and the exception, or one the clause raises, goes on: issue 13,
 *   gyl30-socks, a `main()` that logs and re-raises, a `__main__` block that prints and calls `sys.exit(1)`).
 * - a use of its name that is not a call is an argument that runs it where the chain raises its exception again
 *   (`runEnds`: a `ThreadPoolExecutor` whose futures' results are read at once), and a call in a lambda's body is
 *   such a call when the lambda is such an argument (issue 13, py-thread: gyl30-socks' `run_parallel(48, 12,
 *   lambda i: run_short_tcp_case(…))`).
 * The set is the least fixpoint of these conditions (a function that only calls itself is not in it).
 *
 * `raisingBefore` holds the thread targets whose exception ends the process when it leaves them before a given
 * offset: the starter waits for an event they set and raises on the chain when it is not set (`readyEventBound`).
 * Any other thread target is not in either set: its exception ends its thread, and the process goes on.
 *
 * The result holds that set as `raising`, and `returning`, the functions after whose normal return the process ends at once, so
 * that a resource still open when one returns is closed by the exit right after (a probe script's
 * `return 0 if ok else 2` read by `sys.exit(main())`): every call of the function (it meets the same conditions
 * of privacy, plainness and being only called as a `raising` one) is
 * - the argument of `sys.exit(…)`, `exit(…)`, `quit(…)` or `os._exit(…)` (the builtins: not a function of the file
 *   by that name) in a statement an exception from which ends the process (as for `raising`), or
 * - the last statement of the program: of the `if __name__ == "__main__":` block's body when that block is the
 *   module's last statement, or of a program's (`#!`) module-level code, or
 * - the value of a `return` in the own code of a function of the set (`return wire(host, port)`).
 */
export function processEndingFunctions(root: Node, definitions: readonly Node[]): ProcessEnding {
  const out = new Set<number>();
  const returning = new Set<number>();
  const raisingBefore = new Map<number, number>();
  const mainBlocks = named(root).filter(isMainBlock);
  const program = root.text.startsWith('#!');
  // A program's own module-level code is its main chain too (a test script that calls `do_test()` at the top level).
  if (mainBlocks.length === 0 && !program) return { raising: out, returning, raisingBefore };
  interface Candidate { readonly def: Node; readonly scope: Node; readonly calls: readonly Node[]; readonly runs: readonly Node[] }
  const candidates: Candidate[] = [];
  for (const def of definitions) {
    const name = def.childForFieldName('name')?.text;
    if (!name || !plainDef(def)) continue;
    const scope = definingScope(def);
    if (!scope) continue;
    if (scope.type === 'module' && !(name.startsWith('_') && !name.startsWith('__')) && name !== 'main' && !program) continue;
    const uses = usesOnly(scope, def, name);
    if (uses && uses.calls.length + uses.runs.length > 0) candidates.push({ def, scope, ...uses });
  }
  // Names the file defines: `exit(…)` is then not the builtin.
  const shadowed = new Set(definitions.map((d) => d.childForFieldName('name')?.text ?? ''));
  const chain: Chain = { root, definitions, mainBlocks, program, shadowed };
  // Least fixpoint: add a function once every call to it sits in the `__main__` block or in a function already added,
  // and every other use of its name runs it where the exception is raised again there (an executor's `result()`).
  for (let changed = true; changed;) {
    changed = false;
    for (const c of candidates) {
      if (out.has(c.def.startIndex)) continue;
      if (c.calls.every((call) => endsAt(call, chain, out)) && c.runs.every((use) => runEnds(use, chain, out))) {
        out.add(c.def.startIndex);
        changed = true;
      }
    }
  }
  // A thread's target whose early exception the chain turns into its own (a ready event never set: `if not
  // ready.wait(5): raise …`).
  for (const c of candidates) {
    if (out.has(c.def.startIndex) || c.calls.length > 0 || c.runs.length !== 1 || c.scope.type !== 'function_definition') continue;
    const before = readyEventBound(c.def, c.runs[0]!, c.scope, chain, out);
    if (before !== null) raisingBefore.set(c.def.startIndex, before);
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const c of candidates) {
      if (returning.has(c.def.startIndex) || c.runs.length > 0) continue;
      if (c.calls.every((call) => returnEnds(call, chain, out, returning))) {
        returning.add(c.def.startIndex);
        changed = true;
      }
    }
  }
  return { raising: out, returning, raisingBefore };
}

export interface ProcessEnding {
  /** Functions an exception leaving which ends the process, by start offset. */
  readonly raising: ReadonlySet<number>;
  /** Functions after whose normal return the process ends at once. */
  readonly returning: ReadonlySet<number>;
  /**
   * Thread targets an exception leaving which before the given offset ends the process (by the target's start
   * offset): the thread dies before it sets the event its starter waits for, and the starter raises on the chain.
   */
  readonly raisingBefore: ReadonlyMap<number, number>;
}

/** What the checks of one file share. */
interface Chain {
  readonly root: Node;
  readonly definitions: readonly Node[];
  readonly mainBlocks: readonly Node[];
  readonly program: boolean;
  readonly shadowed: ReadonlySet<string>;
}

const EXITS: ReadonlySet<string> = new Set(['exit', 'quit', 'sys.exit', 'os._exit']);

/** Whether the process ends as soon as `call` returns normally (see scriptChain's `returning`). */
function returnEnds(call: Node, chain: Chain, raising: ReadonlySet<number>, returning: ReadonlySet<number>): boolean {
  const { mainBlocks, program, shadowed } = chain;
  const p = call.parent;
  // `sys.exit(f())`: the only argument of an exit whose SystemExit ends the process.
  if (p?.type === 'argument_list' && named(p).length === 1 && p.parent?.type === 'call') {
    const exit = p.parent;
    const callee = exit.childForFieldName('function')?.text ?? '';
    if (!EXITS.has(callee) || shadowed.has(callee)) return false;
    return exit.parent?.type === 'expression_statement' && endsAt(exit, chain, raising);
  }
  // `return f(…)` in a function whose own normal return ends the process.
  if (p?.type === 'return_statement') {
    let fn: Node | null = p.parent;
    while (fn && fn.type !== 'function_definition' && fn.type !== 'lambda' && fn.type !== 'class_definition' && fn.type !== 'module') fn = fn.parent;
    if (fn?.type !== 'function_definition' || !returning.has(fn.startIndex)) return false;
    // Not from inside a `try` or `with` of that function (a `finally` or `__exit__` would run after it).
    for (let q: Node | null = p.parent; q && q !== fn; q = q.parent) if (q.type === 'try_statement' || q.type === 'with_statement') return false;
    return true;
  }
  // `f()` as the program's last statement.
  if (p?.type !== 'expression_statement') return false;
  const block = p.parent;
  if (block?.type === 'module') return program && lastNamed(block)?.startIndex === p.startIndex;
  const ifStmt = block?.parent;
  if (block?.type !== 'block' || ifStmt?.type !== 'if_statement' || ifStmt.parent?.type !== 'module') return false;
  if (!mainBlocks.some((m) => m.startIndex === ifStmt.startIndex) || ifStmt.childForFieldName('consequence')?.startIndex !== block.startIndex) return false;
  return lastNamed(block)?.startIndex === p.startIndex && lastNamed(ifStmt.parent)?.startIndex === ifStmt.startIndex;
}

/** The last named child that is not a comment. */
function lastNamed(n: Node): Node | undefined {
  const kids = named(n).filter((c) => c.type !== 'comment');
  return kids[kids.length - 1];
}

/** `if __name__ == "__main__":` (either operand order, any quotes) at module level. */
function isMainBlock(n: Node): boolean {
  if (n.type !== 'if_statement') return false;
  const cond = n.childForFieldName('condition');
  if (cond?.type !== 'comparison_operator') return false;
  const operands = named(cond);
  const operators = cond.children.filter((c) => c !== null && !c.isNamed).map((c) => c!.type);
  if (operands.length !== 2 || operators.length !== 1 || operators[0] !== '==') return false;
  const [a, b] = operands;
  const is = (x: Node | undefined, y: Node | undefined) => x?.type === 'identifier' && x.text === '__name__' && plainString(y ?? null) === '__main__';
  return is(a, b) || is(b, a);
}

/** Not `async`, not decorated, and no `yield` in its own code. */
function plainDef(def: Node): boolean {
  if (def.parent?.type === 'decorated_definition') return false;
  if (def.children.some((c) => c?.type === 'async')) return false;
  const body = def.childForFieldName('body');
  let generator = false;
  if (body) {
    walk(body, (n) => {
      if (generator || DEFERRED.has(n.type)) return false;
      if (n.type === 'yield') generator = true;
      return !generator;
    });
  }
  return !generator;
}

/** The function a definition is nested in, or the module for a module-level one; null for a method. */
function definingScope(def: Node): Node | null {
  for (let p = def.parent; p; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'module') return p;
    if (p.type === 'class_definition' || p.type === 'lambda') return null;
  }
  return null;
}

/**
 * The uses of `name` in `scope` when every occurrence of the identifier there, but the definition's own name, is
 * either the callee of a call `name(…)` (`calls`) or an argument of a call (`runs`: `Thread(target=name)`,
 * `pool.submit(name, x)`, `run_all(name)`, judged by `runEnds`); null when one is anything else (stored, returned,
 * decorated with, imported, read as an attribute).
 */
function usesOnly(scope: Node, def: Node, name: string): { calls: Node[]; runs: Node[] } | null {
  const own = def.childForFieldName('name');
  const calls: Node[] = [];
  const runs: Node[] = [];
  let ok = true;
  walk(scope, (n) => {
    if (!ok) return false;
    if (n.type !== 'identifier' || n.text !== name) return true;
    if (own && n.startIndex === own.startIndex) return false;
    const p = n.parent;
    if (p?.type === 'call' && p.childForFieldName('function')?.startIndex === n.startIndex && p.childForFieldName('function')?.type === 'identifier') {
      calls.push(p);
      return false;
    }
    if (argumentCall(n)) {
      runs.push(n);
      return false;
    }
    ok = false;
    return false;
  });
  return ok ? { calls, runs } : null;
}

/**
 * The call an expression is an argument of, with its position or keyword: null when it is not one, or when the call
 * has a `*args` or `**kwargs` (positions unknown).
 */
function argumentCall(e: Node): { call: Node; position: number; keyword: string | null } | null {
  let arg = e;
  let keyword: string | null = null;
  if (arg.parent?.type === 'keyword_argument') {
    if (arg.parent.childForFieldName('value')?.startIndex !== arg.startIndex) return null;
    keyword = arg.parent.childForFieldName('name')?.text ?? null;
    if (keyword === null) return null;
    arg = arg.parent;
  }
  const list = arg.parent;
  const call = list?.parent;
  if (list?.type !== 'argument_list' || call?.type !== 'call') return null;
  const args = named(list).filter((c) => c.type !== 'comment');
  if (args.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return null;
  const position = keyword === null ? args.findIndex((a) => a.startIndex === arg.startIndex) : -1;
  return { call, position, keyword };
}

/**
 * Whether an exception out of the function `fn` (a lambda, or the name of a function of the file) given as an
 * argument is raised again on the chain: `fn` is submitted to a thread pool whose futures' results the chain
 * reads (`submitReraises`), either directly (`pool.submit(fn, x)`) or as the argument of a plain function of the
 * file whose parameter is used only so (`run_parallel(48, 12, lambda i: case(i))` with
 * `def run_parallel(total, n, fn): … pool.submit(fn, i) …`). A thread's target and a callback kept or called
 * elsewhere are not (the process goes on while the exception ends only a thread, or a caller may catch).
 */
function runEnds(fn: Node, chain: Chain, ending: ReadonlySet<number>): boolean {
  const at = argumentCall(fn);
  if (!at) return false;
  const callee = at.call.childForFieldName('function');
  if (callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'submit') {
    return at.position === 0 && submitReraises(at.call, chain, ending);
  }
  if (callee?.type !== 'identifier') return false;
  const defs = chain.definitions.filter((d) => d.childForFieldName('name')?.text === callee.text);
  const g = defs.length === 1 ? defs[0]! : null;
  const scope = g ? definingScope(g) : null;
  if (!g || !scope || !plainDef(g) || !(at.call.startIndex >= scope.startIndex && at.call.endIndex <= scope.endIndex)) return false;
  const param = at.keyword ?? positionalParameter(g, at.position);
  const body = g.childForFieldName('body');
  if (!param || !body) return false;
  // The parameter's one use in the function is as the function a pool runs.
  const uses: Node[] = [];
  walk(body, (n) => {
    if (n.type === 'identifier' && n.text === param) uses.push(n);
    return true;
  });
  if (uses.length !== 1) return false;
  const site = argumentCall(uses[0]!);
  const siteCallee = site?.call.childForFieldName('function');
  return !!site && site.position === 0 && siteCallee?.type === 'attribute' && siteCallee.childForFieldName('attribute')?.text === 'submit' &&
    submitReraises(site.call, chain, ending);
}

/** The name of the function's `position`-th parameter when it and those before it are plain (no `*`, `/` or `**`). */
function positionalParameter(def: Node, position: number): string | null {
  const params = named(def.childForFieldName('parameters') ?? def).filter((c) => c.type !== 'comment');
  if (position < 0 || position >= params.length) return null;
  for (let i = 0; i <= position; i++) {
    const p = params[i]!;
    if (p.type === 'identifier') continue;
    if ((p.type === 'default_parameter' || p.type === 'typed_parameter' || p.type === 'typed_default_parameter') && (p.childForFieldName('name') ?? named(p)[0])?.type === 'identifier') continue;
    return null;
  }
  const p = params[position]!;
  return p.type === 'identifier' ? p.text : (p.childForFieldName('name') ?? named(p)[0])?.text ?? null;
}

/**
 * Whether an exception of the function a `pool.submit(fn, …)` call runs is raised again on the chain. It is when
 * (strict):
 * - `pool` is the target of the one item of a `with ThreadPoolExecutor(…) as pool:` (concurrent.futures; its exit
 *   waits for the pool's work and never suppresses an exception);
 * - the submit call makes a statement of that `with`'s own body, `f = pool.submit(…)` or
 *   `fs = [pool.submit(…) for … in …]`, and the very next statement reads the result of that future
 *   (`f.result()`, `x = f.result()`, `return f.result()`), or of every future of the list:
 *   `for f in fs:` whose body has such a statement and no `return`, `break`, `continue` or `while` (`result()`
 *   raises the function's exception, or the first of them);
 * - an exception out of the `with` ends the process (`endsAt`: nothing catches it up to a function of the chain).
 */
function submitReraises(submit: Node, chain: Chain, ending: ReadonlySet<number>): boolean {
  const pool = submit.childForFieldName('function')?.childForFieldName('object');
  if (pool?.type !== 'identifier') return false;
  let expr: Node = submit;
  const listed = expr.parent?.type === 'list_comprehension' && expr.parent.childForFieldName('body')?.startIndex === expr.startIndex;
  if (listed) expr = expr.parent!;
  const assignment = expr.parent;
  const target = assignment?.childForFieldName('left');
  if (assignment?.type !== 'assignment' || assignment.childForFieldName('right')?.startIndex !== expr.startIndex || target?.type !== 'identifier') return false;
  const stmt = assignment.parent;
  const block = stmt?.parent;
  const w = block?.parent;
  if (stmt?.type !== 'expression_statement' || block?.type !== 'block' || w?.type !== 'with_statement' || !executorWith(w, pool.text, chain.root)) return false;
  const stmts = named(block).filter((c) => c.type !== 'comment');
  const next = stmts[stmts.findIndex((c) => c.startIndex === stmt.startIndex) + 1];
  if (!next) return false;
  if (listed) {
    const left = next.childForFieldName('left');
    const body = next.childForFieldName('body');
    if (next.type !== 'for_statement' || left?.type !== 'identifier' || next.childForFieldName('right')?.text !== target.text || !body) return false;
    if (!passesThrough(body) || !named(body).some((s) => readsResult(s, left.text, false))) return false;
  } else if (!readsResult(next, target.text, true)) return false;
  return endsAt(w, chain, ending);
}

/** `name.result(…)` as a statement, the value of an assignment statement, or (when allowed) of a `return`. */
function readsResult(stmt: Node, name: string, returns: boolean): boolean {
  let value: Node | null | undefined;
  if (stmt.type === 'expression_statement') {
    value = named(stmt)[0];
    if (named(stmt).length !== 1) return false;
    if (value?.type === 'assignment') value = value.childForFieldName('right');
  } else if (stmt.type === 'return_statement' && returns) value = named(stmt)[0];
  if (value?.type !== 'call') return false;
  const callee = value.childForFieldName('function');
  return callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'result' &&
    callee.childForFieldName('object')?.type === 'identifier' && callee.childForFieldName('object')?.text === name;
}

/** `with ThreadPoolExecutor(…) as name:` (concurrent.futures' class, as imported), its only item. */
function executorWith(w: Node, name: string, root: Node): boolean {
  const clause = named(w).find((c) => c.type === 'with_clause');
  const items = clause ? named(clause).filter((c) => c.type === 'with_item') : [];
  if (items.length !== 1) return false;
  const value = items[0]!.childForFieldName('value');
  if (value?.type !== 'as_pattern') return false;
  const alias = value.childForFieldName('alias');
  const id = alias?.type === 'identifier' ? alias : alias ? named(alias)[0] : undefined;
  const made = named(value)[0];
  if (id?.type !== 'identifier' || id.text !== name || made?.type !== 'call') return false;
  const callee = made.childForFieldName('function')?.text ?? '';
  return callee === 'concurrent.futures.ThreadPoolExecutor' && imports(root, 'concurrent.futures', null) ||
    callee === 'futures.ThreadPoolExecutor' && imports(root, 'concurrent', 'futures') ||
    callee === 'ThreadPoolExecutor' && imports(root, 'concurrent.futures', 'ThreadPoolExecutor');
}

/** Whether the module imports `module` (`name` null: `import module`) or `name` from it (`from module import name`), unaliased. */
function imports(root: Node, module: string, name: string | null): boolean {
  return named(root).some((s) => {
    if (name === null) return s.type === 'import_statement' && named(s).some((m) => m.type === 'dotted_name' && m.text === module);
    if (s.type !== 'import_from_statement' || s.childForFieldName('module_name')?.text !== module) return false;
    return named(s).some((m, i) => i > 0 && m.type === 'dotted_name' && m.text === name);
  });
}

/**
 * A thread's target F, nested in a function G of the chain, whose exception before F sets the event G waits for
 * ends the process: the offset of F's first `ready.set()`, or null. It holds when (strict) F's one use is
 * `t = threading.Thread(target=F, …)`, a statement of G's own code in no loop, followed at once by `t.start()` and
 * by `if not ready.wait(<number>): …` whose body raises or exits on every path, with nothing that may catch between
 * it and G's body (`endsAt`); `ready` is a name of G bound once, to `threading.Event()`, and used only there and in
 * `ready.set()` statements of F's own body (not nested in any of its statements). An exception leaving F before
 * its first such statement ends the thread with the event unset (nothing else can set it, and no loop of F leads
 * back before it), so `wait` returns False when its timeout passes and G raises on the chain; one after it does
 * not (the starter goes on, and the resource stays open for as long as the process runs).
 */
function readyEventBound(f: Node, use: Node, g: Node, chain: Chain, ending: ReadonlySet<number>): number | null {
  const at = argumentCall(use);
  if (!at || at.keyword !== 'target' || !threadingName(at.call.childForFieldName('function'), 'Thread', chain.root)) return null;
  const assignment = at.call.parent;
  const thread = assignment?.childForFieldName('left');
  if (assignment?.type !== 'assignment' || assignment.childForFieldName('right')?.startIndex !== at.call.startIndex || thread?.type !== 'identifier') return null;
  const stmt = assignment.parent;
  const block = stmt?.parent;
  if (stmt?.type !== 'expression_statement' || block?.type !== 'block') return null;
  for (let p: Node | null = block; p && p.startIndex !== g.startIndex; p = p.parent) {
    if (p.type === 'for_statement' || p.type === 'while_statement' || DEFERRED.has(p.type) || p.type === 'module') return null;
  }
  const stmts = named(block).filter((c) => c.type !== 'comment');
  const i = stmts.findIndex((c) => c.startIndex === stmt.startIndex);
  const start = stmts[i + 1];
  const check = stmts[i + 2];
  const startCall = start?.type === 'expression_statement' ? named(start)[0] : undefined;
  const startFn = startCall?.type === 'call' ? startCall.childForFieldName('function') : null;
  if (startFn?.type !== 'attribute' || startFn.childForFieldName('object')?.text !== thread.text || startFn.childForFieldName('attribute')?.text !== 'start' ||
    named(startCall!.childForFieldName('arguments') ?? startCall!).length !== 0) return null;
  // `if not ready.wait(5):` whose body always raises or exits.
  const cond = check?.type === 'if_statement' ? check.childForFieldName('condition') : null;
  const waited = cond?.type === 'not_operator' ? cond.childForFieldName('argument') : null;
  const waitFn = waited?.type === 'call' ? waited.childForFieldName('function') : null;
  const ready = waitFn?.type === 'attribute' && waitFn.childForFieldName('attribute')?.text === 'wait' ? waitFn.childForFieldName('object') : null;
  const consequence = check?.childForFieldName('consequence');
  if (ready?.type !== 'identifier' || !consequence || !finiteTimeout(waited!) || !blockLeaves(consequence, chain.shadowed) || !passesThrough(consequence)) return null;
  if (!endsAt(check!, chain, ending)) return null;
  // Every use of `ready` in G: its one binding to threading.Event(), the wait, and `ready.set()` statements of F's body.
  const fBody = f.childForFieldName('body');
  if (!fBody) return null;
  let bound = 0;
  let first: number | null = null;
  let ok = true;
  walk(g, (n) => {
    if (!ok) return false;
    if (n.type !== 'identifier' || n.text !== ready.text) return true;
    const p = n.parent;
    if (n.startIndex === ready.startIndex) return false;
    if (p?.type === 'assignment' && p.childForFieldName('left')?.startIndex === n.startIndex && p.parent?.type === 'expression_statement') {
      const made = p.childForFieldName('right');
      if (made?.type === 'call' && threadingName(made.childForFieldName('function'), 'Event', chain.root) && named(made.childForFieldName('arguments') ?? made).length === 0) {
        bound++;
        return false;
      }
    }
    const call = p?.type === 'attribute' && p.childForFieldName('object')?.startIndex === n.startIndex && p.childForFieldName('attribute')?.text === 'set' ? p.parent : null;
    const statement = call?.type === 'call' && call.childForFieldName('function')?.startIndex === p!.startIndex ? call.parent : null;
    if (statement?.type === 'expression_statement' && named(statement).length === 1 && statement.parent?.startIndex === fBody.startIndex) {
      first = first === null ? statement.startIndex : Math.min(first, statement.startIndex);
      return false;
    }
    ok = false;
    return false;
  });
  return ok && bound === 1 ? first : null;
}

/** `x.wait(5)` or `x.wait(timeout=2.5)`: one argument, a number literal. */
function finiteTimeout(wait: Node): boolean {
  const args = named(wait.childForFieldName('arguments') ?? wait).filter((c) => c.type !== 'comment');
  if (args.length !== 1) return false;
  let value: Node | null = args[0]!;
  if (value.type === 'keyword_argument') value = value.childForFieldName('name')?.text === 'timeout' ? value.childForFieldName('value') : null;
  return value?.type === 'integer' || value?.type === 'float';
}

/** `threading.X` (with `import threading`) or `X` imported from threading. */
function threadingName(callee: Node | null, name: string, root: Node): boolean {
  if (!callee) return false;
  if (callee.text === `threading.${name}`) return imports(root, 'threading', null);
  return callee.type === 'identifier' && callee.text === name && imports(root, 'threading', name);
}

/**
 * Whether an exception out of `call` leaves, uncaught and with no other code run on the way, either a
 * `__main__` block or the own code of a function of `ending`.
 */
function endsAt(call: Node, chain: Chain, ending: ReadonlySet<number>): boolean {
  const { mainBlocks, program, shadowed } = chain;
  let inner: Node = call;
  for (let p = call.parent; p; inner = p, p = p.parent) {
    if (p.type === 'class_definition') return false;
    // A lambda's body raises out of the lambda, to where it is run: a pool whose result the chain reads.
    if (p.type === 'lambda') return inner.startIndex === p.childForFieldName('body')?.startIndex && runEnds(p, chain, ending);
    // A `with` whose exit may suppress the exception, but for the call that makes its first context manager: an
    // exception there comes before any `__enter__`, so no `__exit__` sees it (`with connect(…) as s:`).
    if (p.type === 'with_statement') {
      if (inner.type === 'with_clause' && inFirstContext(call, inner)) continue;
      return false;
    }
    if (p.type === 'function_definition') return ending.has(p.startIndex) && inner.type === 'block' && inner.startIndex === p.childForFieldName('body')?.startIndex;
    if (p.type === 'if_statement' && p.parent?.type === 'module' && mainBlocks.some((m) => m.startIndex === p.startIndex)) {
      // Only the block's own body, not its condition or an `else`/`elif` branch.
      return inner.startIndex === p.childForFieldName('consequence')?.startIndex;
    }
    // Module-level code that tests `__name__` otherwise (`if __name__ != "__main__":`) runs when the file is imported.
    if (p.type === 'if_statement' && p.parent?.type === 'module' && mentionsName(p.childForFieldName('condition'))) return false;
    // A statement of a program's module-level code (the file starts with `#!`): nothing runs it but the program.
    if (p.type === 'module') return program;
    if (p.type === 'try_statement') {
      if (inner.type === 'finally_clause') continue;
      // A `finally` runs and the exception goes on, unless the clause leaves by `return`, `break` or `continue`
      // (which discards it) or may loop for ever.
      const fin = named(p).find((c) => c.type === 'finally_clause');
      if (fin && !passesThrough(fin)) return false;
      if (inner.type === 'except_clause' || inner.type === 'except_group_clause' || inner.type === 'else_clause') continue;
      // From the `try` body: every handler must pass the exception on (a `raise` of any kind) or end the process
      // (`sys.exit(…)`, `os._exit(…)`): the exception, or the SystemExit that replaces it, goes on up the chain
      // (an `except*` handler that raises on every path raises what it matched; the rest of the group goes on anyway).
      const handlers = named(p).filter((c) => c.type === 'except_clause' || c.type === 'except_group_clause');
      if (handlers.every((h) => passesOn(h, shadowed))) continue;
      return false;
    }
  }
  return false;
}

/**
 * Whether the clause's own code (not a nested `def`, `lambda` or class) never leaves it by `return`, nor by a
 * `break` or `continue` of a loop outside it, and has no `while` (which may loop for ever): an exception that
 * is under way when it runs is then still under way, or replaced by one its code raises, when it ends.
 */
function passesThrough(clause: Node): boolean {
  let ok = true;
  const visit = (n: Node, loops: number): void => {
    if (!ok || DEFERRED.has(n.type)) return;
    if (n.type === 'return_statement' || n.type === 'while_statement') { ok = false; return; }
    if ((n.type === 'break_statement' || n.type === 'continue_statement') && loops === 0) { ok = false; return; }
    const inner = n.type === 'for_statement' ? loops + 1 : loops;
    for (const c of named(n)) visit(c, inner);
  };
  for (const c of named(clause)) visit(c, 0);
  return ok;
}

/**
 * Whether an `except` handler passes the exception on: it leaves only by raising (`raise`, `raise X from e`,
 * `raise SystemExit(1)`) or ending the process (`sys.exit(…)`, `exit(…)`, `quit(…)`, `os._exit(…)`) on every
 * path, never by `return`, `break`, `continue` or its end.
 */
function passesOn(handler: Node, shadowed: ReadonlySet<string>): boolean {
  const body = named(handler).filter((c) => c.type === 'block').pop();
  return !!body && passesThrough(body) && blockLeaves(body, shadowed);
}

/** Whether one statement of the block, run on every path through it, always raises or ends the process. */
function blockLeaves(block: Node, shadowed: ReadonlySet<string>): boolean {
  return named(block).some((s) => statementLeaves(s, shadowed));
}

function statementLeaves(s: Node, shadowed: ReadonlySet<string>): boolean {
  if (s.type === 'raise_statement') return true;
  if (s.type === 'expression_statement') {
    const call = named(s)[0];
    if (named(s).length !== 1 || call?.type !== 'call') return false;
    const callee = call.childForFieldName('function')?.text ?? '';
    return EXITS.has(callee) && !shadowed.has(callee);
  }
  if (s.type === 'if_statement') {
    // Every branch, and an `else` there must be.
    const consequence = s.childForFieldName('consequence');
    const branches = named(s).filter((c) => c.type === 'elif_clause' || c.type === 'else_clause');
    if (!consequence || !branches.some((b) => b.type === 'else_clause')) return false;
    return blockLeaves(consequence, shadowed) && branches.every((b) => {
      const body = b.childForFieldName('consequence') ?? b.childForFieldName('body') ?? named(b).filter((c) => c.type === 'block').pop() ?? null;
      return !!body && blockLeaves(body, shadowed);
    });
  }
  return false;
}

/** Whether `call` lies in the expression of the first item of a with clause (not its `as` target). */
function inFirstContext(call: Node, clause: Node): boolean {
  const item = named(clause)[0];
  if (item?.type !== 'with_item') return false;
  let value = item.childForFieldName('value');
  if (value?.type === 'as_pattern') value = named(value)[0] ?? null;
  return !!value && call.startIndex >= value.startIndex && call.endIndex <= value.endIndex;
}

/** Whether the expression reads `__name__`. */
function mentionsName(cond: Node | null): boolean {
  let found = false;
  if (cond) {
    walk(cond, (n) => {
      if (n.type === 'identifier' && n.text === '__name__') found = true;
      return !found;
    });
  }
  return found;
}
