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
 * The set is the least fixpoint of these conditions (a function that only calls itself is not in it).
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
export function processEndingFunctions(root: Node, definitions: readonly Node[]): { readonly raising: ReadonlySet<number>; readonly returning: ReadonlySet<number> } {
  const out = new Set<number>();
  const returning = new Set<number>();
  const mainBlocks = named(root).filter(isMainBlock);
  const program = root.text.startsWith('#!');
  // A program's own module-level code is its main chain too (a test script that calls `do_test()` at the top level).
  if (mainBlocks.length === 0 && !program) return { raising: out, returning };
  interface Candidate { readonly def: Node; readonly calls: readonly Node[] }
  const candidates: Candidate[] = [];
  for (const def of definitions) {
    const name = def.childForFieldName('name')?.text;
    if (!name || !plainDef(def)) continue;
    const scope = definingScope(def);
    if (!scope) continue;
    if (scope.type === 'module' && !(name.startsWith('_') && !name.startsWith('__')) && name !== 'main' && !program) continue;
    const calls = callsOnly(scope, def, name);
    if (calls && calls.length > 0) candidates.push({ def, calls });
  }
  // Names the file defines: `exit(…)` is then not the builtin.
  const shadowed = new Set(definitions.map((d) => d.childForFieldName('name')?.text ?? ''));
  // Least fixpoint: add a function once every call to it sits in the `__main__` block or in a function already added.
  for (let changed = true; changed;) {
    changed = false;
    for (const c of candidates) {
      if (out.has(c.def.startIndex)) continue;
      if (c.calls.every((call) => endsAt(call, mainBlocks, out, program, shadowed))) {
        out.add(c.def.startIndex);
        changed = true;
      }
    }
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const c of candidates) {
      if (returning.has(c.def.startIndex)) continue;
      if (c.calls.every((call) => returnEnds(call, mainBlocks, out, returning, program, shadowed))) {
        returning.add(c.def.startIndex);
        changed = true;
      }
    }
  }
  return { raising: out, returning };
}

const EXITS: ReadonlySet<string> = new Set(['exit', 'quit', 'sys.exit', 'os._exit']);

/** Whether the process ends as soon as `call` returns normally (see scriptChain's `returning`). */
function returnEnds(call: Node, mainBlocks: readonly Node[], raising: ReadonlySet<number>, returning: ReadonlySet<number>, program: boolean, shadowed: ReadonlySet<string>): boolean {
  const p = call.parent;
  // `sys.exit(f())`: the only argument of an exit whose SystemExit ends the process.
  if (p?.type === 'argument_list' && named(p).length === 1 && p.parent?.type === 'call') {
    const exit = p.parent;
    const callee = exit.childForFieldName('function')?.text ?? '';
    if (!EXITS.has(callee) || shadowed.has(callee)) return false;
    return exit.parent?.type === 'expression_statement' && endsAt(exit, mainBlocks, raising, program, shadowed);
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
 * The calls `name(…)` in `scope` when every occurrence of the identifier `name` there, but the definition's own
 * name, is such a call's callee and nothing else defines the name; null otherwise.
 */
function callsOnly(scope: Node, def: Node, name: string): Node[] | null {
  const own = def.childForFieldName('name');
  const calls: Node[] = [];
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
    ok = false;
    return false;
  });
  return ok ? calls : null;
}

/**
 * Whether an exception out of `call` leaves, uncaught and with no other code run on the way, either a
 * `__main__` block or the own code of a function of `ending`.
 */
function endsAt(call: Node, mainBlocks: readonly Node[], ending: ReadonlySet<number>, program: boolean, shadowed: ReadonlySet<string>): boolean {
  let inner: Node = call;
  for (let p = call.parent; p; inner = p, p = p.parent) {
    if (p.type === 'lambda' || p.type === 'class_definition') return false;
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
