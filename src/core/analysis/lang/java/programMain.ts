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
 */
import type { Node } from 'web-tree-sitter';
import { HANDOFF_CONSTRUCTORS, HANDOFF_METHODS } from './names';

/** A created type that runs code on a thread of its own (or is a thread): `Thread`, `Timer`, `ScheduledThreadPoolExecutor`, `Scheduler`. */
const THREAD_TYPE = /(?:Thread|Timer|Executor|ExecutorService|ThreadPool|Scheduler|Daemon)$/;
/** A call that may start one: `t.start()`, `startServer()`, `runAsync`, `launch`, `spawn`, `fork`, `listen`, `serve`, an executor's hand-off. */
const THREAD_CALL = /^(?:start|run|launch|spawn|fork|listen|serve|schedule|execute|submit)(?:[A-Z]|$)/;
/** Classes whose static methods make thread pools and timers (`Executors.newFixedThreadPool(n)`; `Thread.sleep` is not one, `Thread.ofPlatform().start(r)` is a `start`). */
const THREAD_FACTORIES: ReadonlySet<string> = new Set(['Executors', 'ForkJoinPool', 'CompletableFuture']);

/** Does main's own body start, or hand code to, another thread (see above)? */
export function mayLeaveThreads(main: Node): boolean {
  const body = main.childForFieldName('body');
  if (!body) return true;
  let found = false;
  const walk = (n: Node): void => {
    if (found) return;
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
        if (HANDOFF_METHODS.has(name) || THREAD_CALL.test(name) || (recv?.type === 'identifier' && THREAD_FACTORIES.has(recv.text))) found = true;
        break;
      }
    }
    for (const c of n.namedChildren) if (c) walk(c);
  };
  walk(body);
  return found;
}
