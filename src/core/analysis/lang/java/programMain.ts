/**
 * The end of a program's `main` (issue 13, java-prec7; sockslib census): the Java analogue of Python's
 * `returning` rule (lang/python/scriptChain.ts). When `public static void main(String[])` returns, the JVM exits
 * once no non-daemon thread is left; the OS then closes every descriptor, so a resource still open at main's
 * `return` or closing brace is lost only for the instant before the process ends (pedantic: information
 * severity, with a message that says so). That holds only where main leaves no other thread running: a main that
 * starts one (`new Thread(…)`, a `Timer`, an executor, a `.start()`, or any lambda, method reference or anonymous
 * class it could hand to a thread) keeps the process alive after it returns, and a resource it dropped stays open
 * all that time: its leaks stay warnings. Only main's own body is read: a callee of another class that starts a
 * thread (a server's `listen()`) is not seen, which is why any call named like a thread start counts too.
 *
 * The program's chain (java-prec9, issue 13; sockslib quickstart rows): main often hands the whole run to one
 * method of its class as its last statement (`new TimeClient().start(args);`), or that method starts the one
 * thread the program runs on (`thread = new Thread(this); thread.start();`) and main then returns. The JVM ends
 * when that method returns to main (main has nothing left to do and started no thread), or when that thread's
 * `run()` ends (main's thread is gone by then and no other thread was started): the end of that method, or of
 * `run()`, is the end of the program, and a resource still open there is lost only for the instant before the
 * process exits. `programChainEnds` finds such methods where that is certain from the code:
 * - the class is one no other file of the project names (`isolated`: the project's files are read by
 *   javaProject.ts), is top-level, extends nothing and declares no nested type, and no other type of the file names
 *   it: so no code but its own (run from main) calls its methods, whatever their visibility;
 * - main's last statement, directly in its body (no `try` around it), calls the method on the class itself, a
 *   `new` of it or a local main declared as it; nothing in the class's code reachable from main (main, the
 *   methods it calls, transitively, its constructors, initializers and `run()`) calls that method again, calls
 *   `run()` or `main` directly, lets `this` escape (other than to `new Thread(this)`), or starts a thread
 *   (as above) other than, for `run()`, the one `new Thread(this)` that the method starts, after which it does
 *   nothing but plain assignments.
 * A leak at such a method's `return` or end, an exception that leaves it (to main, which lets it end the process;
 * or, out of `run()`, ends the last thread), or one followed on every path by nothing but logging, printing,
 * `close()` calls, plain assignments and `System.exit` up to the method's end (`endsSoonAfter`) is then at `information` severity.
 */
import type { Node } from 'web-tree-sitter';
import { HANDOFF_CONSTRUCTORS, HANDOFF_METHODS, isLogger } from './names';
import { arityOf, callArgs, endsProcess, simpleTypeName, strip } from './syntax';

/** A created type that runs code on a thread of its own (or is a thread): `Thread`, `Timer`, `ScheduledThreadPoolExecutor`, `Scheduler`. */
const THREAD_TYPE = /(?:Thread|Timer|Executor|ExecutorService|ThreadPool|Scheduler|Daemon)$/;
/** A call that may start one: `t.start()`, `startServer()`, `runAsync`, `launch`, `spawn`, `fork`, `listen`, `serve`, an executor's hand-off. */
const THREAD_CALL = /^(?:start|run|launch|spawn|fork|listen|serve|schedule|execute|submit)(?:[A-Z]|$)/;
/** Classes whose static methods make thread pools and timers (`Executors.newFixedThreadPool(n)`; `Thread.sleep` is not one, `Thread.ofPlatform().start(r)` is a `start`). */
const THREAD_FACTORIES: ReadonlySet<string> = new Set(['Executors', 'ForkJoinPool', 'CompletableFuture']);

/** `static void main(String[] args)` (or `String... args`): the program's entry point. */
export function isProgramMain(fn: Node): boolean {
  if (fn.type !== 'method_declaration' || fn.childForFieldName('name')?.text !== 'main') return false;
  const modifiers = fn.namedChildren.find((c) => c?.type === 'modifiers');
  if (!modifiers || !/\bstatic\b/.test(modifiers.text)) return false;
  const params = fn.childForFieldName('parameters')?.namedChildren.filter((c) => c && (c.type === 'formal_parameter' || c.type === 'spread_parameter')) ?? [];
  return params.length === 1 && /^String\b/.test(params[0]!.childForFieldName('type')?.text ?? params[0]!.namedChildren[0]?.text ?? '');
}

/**
 * Does code under these nodes start, or hand code to, another thread (see above)? Nodes of `skip` (by id) are not
 * read; `own(call)` says a call is one of the class's own methods, read on its own (not a thread start by its name).
 */
function startsThreads(roots: readonly Node[], skip: ReadonlySet<number> = new Set(), own: (call: Node) => boolean = () => false): boolean {
  let found = false;
  const walk = (n: Node): void => {
    if (found || skip.has(n.id)) return;
    switch (n.type) {
      case 'lambda_expression':
      case 'method_reference':
      case 'class_body':
        found = true;
        return;
      case 'object_creation_expression': {
        const t = n.childForFieldName('type')?.text.replace(/<.*$/s, '').split('.').pop() ?? '';
        if (HANDOFF_CONSTRUCTORS.has(t) || THREAD_TYPE.test(t)) found = true;
        break;
      }
      case 'method_invocation': {
        const name = n.childForFieldName('name')?.text ?? '';
        const recv = n.childForFieldName('object');
        if (!own(n) && (HANDOFF_METHODS.has(name) || THREAD_CALL.test(name) || (recv?.type === 'identifier' && THREAD_FACTORIES.has(recv.text)))) found = true;
        break;
      }
    }
    for (const c of n.namedChildren) if (c) walk(c);
  };
  for (const r of roots) walk(r);
  return found;
}

/** Does main's own body start, or hand code to, another thread (see above)? */
export function mayLeaveThreads(main: Node): boolean {
  const body = main.childForFieldName('body');
  return !body || startsThreads([body]);
}

/** How a method's end ends the program: it returns to main's last statement, or it is `run()` of the program's last thread. */
export type ChainEnd = 'returns' | 'thread';

const COMMENTS = new Set(['line_comment', 'block_comment']);
const statements = (block: Node | null | undefined): Node[] => (block?.namedChildren ?? []).filter((c): c is Node => !!c && !COMMENTS.has(c.type));
const LOOPS = new Set(['while_statement', 'do_statement', 'for_statement', 'enhanced_for_statement']);

/** The methods of the file whose end is the program's end (see the module comment), by node id. */
export function programChainEnds(root: Node, isolated: ReadonlySet<string>): Map<number, ChainEnd> {
  const out = new Map<number, ChainEnd>();
  if (!isolated.size) return out;
  for (const cls of root.namedChildren) {
    const name = cls?.type === 'class_declaration' ? cls.childForFieldName('name')?.text : undefined;
    if (!cls || !name || !isolated.has(name) || cls.childForFieldName('superclass')) continue;
    // No other type of the file names the class.
    const word = new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`);
    if (root.namedChildren.some((o) => o && o.id !== cls.id && !COMMENTS.has(o.type) && o.type !== 'import_declaration' && o.type !== 'package_declaration' && word.test(o.text))) continue;
    const chain = chainOf(cls, name);
    if (chain) out.set(chain.fn.id, chain.end);
  }
  return out;
}

function chainOf(cls: Node, name: string): { fn: Node; end: ChainEnd } | undefined {
  const body = cls.childForFieldName('body');
  const members = (body?.namedChildren ?? []).filter((c): c is Node => !!c);
  if (members.some((m) => /(?:class|interface|enum|record|annotation_type)_declaration$/.test(m.type))) return undefined;
  const methods = members.filter((m) => m.type === 'method_declaration');
  const main = methods.find(isProgramMain);
  const mainBody = main?.childForFieldName('body');
  const tail = statements(mainBody).pop();
  const call = tail?.type === 'expression_statement' ? strip(tail.namedChildren[0] ?? null) : null;
  if (!main || !mainBody || call?.type !== 'method_invocation') return undefined;
  const mName = call.childForFieldName('name')?.text ?? '';
  const ownNames = new Set(methods.map((m) => m.childForFieldName('name')?.text ?? ''));
  // Locals of main declared as the class (`TimeServer server = new TimeServer();`).
  const ownLocals = new Set<string>();
  for (const d of mainBody.descendantsOfType('local_variable_declaration')) {
    if (d && simpleTypeName(d.childForFieldName('type')) === name) for (const v of d.childrenForFieldName('declarator')) if (v?.childForFieldName('name')) ownLocals.add(v.childForFieldName('name')!.text);
  }
  /** A call of one of the class's own methods: unqualified, on `this`, on a `new` of the class or on such a local. */
  const own = (c: Node): boolean => {
    if (!ownNames.has(c.childForFieldName('name')?.text ?? '')) return false;
    const r = strip(c.childForFieldName('object'));
    return !r || r.type === 'this' || (r.type === 'identifier' && ownLocals.has(r.text))
      || (r.type === 'object_creation_expression' && simpleTypeName(r.childForFieldName('type')) === name && !r.namedChildren.some((k) => k?.type === 'class_body'));
  };
  if (!own(call)) return undefined;
  const targets = methods.filter((m) => m.childForFieldName('name')?.text === mName && arityOf(m) === callArgs(call).length);
  const target = targets[0];
  if (targets.length !== 1 || !target || target.id === main.id || !target.childForFieldName('body')) return undefined;
  const runs = methods.filter((m) => m.childForFieldName('name')?.text === 'run' && arityOf(m) === 0);
  const runnable = /\bRunnable\b/.test(cls.childForFieldName('interfaces')?.text ?? '') && runs.length === 1 && !!runs[0]!.childForFieldName('body');
  // The class's code that main reaches: main, constructors, initializers, field initializers, run() (for a
  // Runnable), and the methods these call by name, transitively.
  const scanned = new Set<number>();
  const roots: Node[] = [];
  const add = (n: Node): void => {
    if (scanned.has(n.id)) return;
    scanned.add(n.id);
    roots.push(n);
  };
  add(main);
  for (const m of members) if (m.type !== 'method_declaration') add(m);
  if (runnable) add(runs[0]!);
  for (let i = 0; i < roots.length; i++) {
    for (const c of roots[i]!.descendantsOfType('method_invocation')) {
      const n = c?.childForFieldName('name')?.text;
      if (n && ownNames.has(n)) for (const m of methods) if (m.childForFieldName('name')?.text === n) add(m);
    }
  }
  const calls = roots.flatMap((r) => r.descendantsOfType('method_invocation')).filter((c): c is Node => !!c);
  if (calls.some((c) => c.childForFieldName('name')?.text === 'main' || (c.childForFieldName('name')?.text === 'run' && callArgs(c).length === 0))) return undefined;
  /** main's last call is the only call of that name (`started`: the thread's `start()`, when the method is `start`). */
  const calledOnce = (started?: Node): boolean => calls.filter((c) => c.childForFieldName('name')?.text === mName && c.id !== started?.id).length === 1;
  // `this` escapes only into `new Thread(this)`.
  const threads: Node[] = [];
  for (const t of roots.flatMap((r) => r.descendantsOfType('this'))) {
    const p = t?.parent;
    if (!t || !p) continue;
    if ((p.type === 'field_access' || p.type === 'method_invocation') && p.childForFieldName('object')?.id === t.id) continue;
    const creation = p.type === 'argument_list' ? p.parent : null;
    if (creation?.type === 'object_creation_expression' && simpleTypeName(creation.childForFieldName('type')) === 'Thread' && callArgs(creation)[0]?.id === t.id) {
      threads.push(creation);
      continue;
    }
    return undefined;
  }
  if (!threads.length) return !calledOnce() || startsThreads(roots, new Set(), own) ? undefined : { fn: target, end: 'returns' };
  if (!runnable || threads.length !== 1) return undefined;
  const started = startOf(threads[0]!, target);
  if (!started || !calledOnce(started) || startsThreads(roots, new Set([threads[0]!.id, started.id]), own)) return undefined;
  return { fn: runs[0]!, end: 'thread' };
}

/**
 * The `.start()` call of the thread `new Thread(this)` makes, in `method`'s own statements: `new Thread(this).start();`,
 * or `t = new Thread(this);` (a field or local `t`) followed by `t.start();`; after it only plain assignments.
 */
function startOf(creation: Node, method: Node): Node | undefined {
  const list = statements(method.childForFieldName('body'));
  const stmtOf = (n: Node): Node | undefined => list.find((s) => s.startIndex <= n.startIndex && n.endIndex <= s.endIndex);
  const made = stmtOf(creation);
  if (!made) return undefined;
  const startCall = (e: Node | null, held?: string): boolean => e?.type === 'method_invocation' && e.childForFieldName('name')?.text === 'start'
    && callArgs(e).length === 0 && (held === undefined ? strip(e.childForFieldName('object'))?.id === creation.id : strip(e.childForFieldName('object'))?.text.replace(/^this\./, '') === held);
  let at = list.indexOf(made);
  let start: Node | null = null;
  if (made.type === 'expression_statement' && startCall(strip(made.namedChildren[0] ?? null))) start = strip(made.namedChildren[0] ?? null);
  else {
    const e = made.type === 'expression_statement' ? strip(made.namedChildren[0] ?? null) : null;
    const held = e?.type === 'assignment_expression' && strip(e.childForFieldName('right'))?.id === creation.id ? strip(e.childForFieldName('left'))?.text.replace(/^this\./, '')
      : made.type === 'local_variable_declaration' ? made.childrenForFieldName('declarator').find((d) => strip(d?.childForFieldName('value') ?? null)?.id === creation.id)?.childForFieldName('name')?.text
        : undefined;
    if (!held) return undefined;
    for (let i = at + 1; i < list.length && !start; i++) {
      const x = list[i]!.type === 'expression_statement' ? strip(list[i]!.namedChildren[0] ?? null) : null;
      if (x && startCall(x, held)) {
        start = x;
        at = i;
      }
    }
  }
  if (!start) return undefined;
  return list.slice(at + 1).every(isPlainAssignment) ? start : undefined;
}

/** `stop = false;`, `this.port = p;`: an assignment of a literal, a name or a field, with no call. */
function isPlainAssignment(s: Node): boolean {
  const e = s.type === 'expression_statement' ? strip(s.namedChildren[0] ?? null) : null;
  const r = e?.type === 'assignment_expression' ? strip(e.childForFieldName('right')) : null;
  return !!r && (/literal$/.test(r.type) || r.type === 'true' || r.type === 'false' || r.type === 'identifier' || r.type === 'field_access');
}

/** A statement that only logs, prints, closes something (`server.close()`), assigns plainly, ends the process or returns nothing: it cannot hold the program up. */
function isTrivial(s: Node): boolean {
  if (COMMENTS.has(s.type)) return true;
  if (s.type === 'return_statement') return !s.namedChildren.some((c) => c && !COMMENTS.has(c.type));
  if (isPlainAssignment(s)) return true;
  const e = s.type === 'expression_statement' ? strip(s.namedChildren[0] ?? null) : null;
  if (e?.type !== 'method_invocation') return false;
  const name = e.childForFieldName('name')?.text ?? '';
  const recv = strip(e.childForFieldName('object'))?.text ?? '';
  return endsProcess(e) || ((name === 'printStackTrace' || name === 'close') && callArgs(e).length === 0)
    || recv === 'System.out' || recv === 'System.err' || (!!recv && isLogger(recv.split('.').pop() ?? ''));
}

const allTrivial = (block: Node | null | undefined): boolean => statements(block).every(isTrivial);

/**
 * Does the method `fn` end, on every path from `node`, having run nothing but trivial statements (`isTrivial`)?
 * `caught`: whether `node` completes normally (a loop a `break` leaves) rather than throwing (the call an exception
 * comes from). The exception goes up to the first `try` with `catch` clauses around it (all of them must be trivial:
 * any may be the one that takes it), and on from there as that `try` completing; a `finally` on the way must be
 * trivial; a loop around a statement that completes goes round again (not trivial), as does a `switch`.
 */
export function endsSoonAfter(node: Node, fn: Node, caught: boolean): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  let child = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    if (p.id === body.id) return !caught || statements(p).slice(statements(p).findIndex((s) => s.id === child.id) + 1).every(isTrivial);
    switch (p.type) {
      case 'block': {
        const list = statements(p);
        const i = list.findIndex((s) => s.id === child.id);
        if (caught && (i < 0 || !list.slice(i + 1).every(isTrivial))) return false;
        break;
      }
      case 'try_statement': {
        const fin = p.namedChildren.find((c) => c?.type === 'finally_clause');
        if (fin && !allTrivial(fin.namedChildren.find((c) => c?.type === 'block'))) return false;
        if (child.id === p.childForFieldName('body')?.id) {
          const catches = p.namedChildren.filter((c): c is Node => c?.type === 'catch_clause');
          if (catches.length) {
            if (!catches.every((c) => allTrivial(c.childForFieldName('body')))) return false;
            caught = true;
          }
        }
        break;
      }
      case 'try_with_resources_statement':
      case 'lambda_expression':
      case 'class_body':
      case 'switch_block':
      case 'switch_expression':
        return false;
      default:
        if (LOOPS.has(p.type) && caught) return false;
    }
  }
  return false;
}

/** The loop an unlabeled `break` at `offset` of `fn` leaves (not a `switch`), or undefined. */
export function loopBrokenAt(fn: Node, offset: number): Node | undefined {
  let b: Node | null = fn.descendantForIndex(offset);
  while (b && b.type !== 'break_statement' && b.id !== fn.id) b = b.parent;
  if (b?.type !== 'break_statement' || b.namedChildren.some((c) => c?.type === 'identifier')) return undefined;
  for (let p = b.parent; p && p.id !== fn.id; p = p.parent) {
    if (LOOPS.has(p.type)) return p;
    if (p.type === 'switch_block' || p.type === 'switch_expression' || p.type === 'lambda_expression' || p.type === 'class_body') return undefined;
  }
  return undefined;
}
