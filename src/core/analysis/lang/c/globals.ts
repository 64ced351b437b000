import type { Node } from 'web-tree-sitter';
import type { FileScan } from './scan';

/**
 * The file-scope variables whose value a function may follow like a local's (engine/facts.ts), so
 * that two tests of one global (`if (family == AF_UNIX) s = unix_listen(…)`, later
 * `if (family != AF_UNIX) s = tcp_listen(…)`) are correlated: a variable declared at file scope,
 * not `volatile` (a signal handler may change it), whose address the file never takes (no pointer
 * may change it behind the function's back).
 *
 * A function changes it where it assigns it, and where it calls a function of the file that assigns
 * it (directly or through the file's functions it calls) or a function through a pointer (which may
 * be any of them). A library call or a function of another file is taken to leave it as it is: the
 * analysis cannot see such a change, and a path that needs one is not reported.
 */
export class FileGlobals {
  private readonly memo = new Map<string, ReadonlySet<string>>();
  private everyWritten: ReadonlySet<string> | undefined;

  constructor(private readonly scan: FileScan) {}

  /** Is `name` a variable of the file (followable or not)? */
  isVariable(name: string): boolean {
    return this.scan.fileVariables.has(name);
  }

  /** The variables `fn` assigns (any operator) or steps, as the file scan found them. */
  writesOf(fn: Node): readonly Node[] {
    return this.scan.written.get(fn.id) ?? [];
  }

  /** Can a function whose own variables do not include `name` follow the global `name`? */
  followable(name: string): boolean {
    return this.scan.fileVariables.has(name) && !this.scan.addressed.has(name);
  }

  /**
   * The file's globals a call may change: those the file's function `callee` (or the functions of the
   * file it calls) assigns, every one some function of the file assigns for a call through a pointer
   * (`callee` null), none for a function the file does not define.
   */
  writtenBy(callee: string | null): ReadonlySet<string> {
    if (callee === null) return (this.everyWritten ??= new Set([...this.scan.written.values()].flatMap((list) => list.map((w) => w.text)).filter((n) => this.followable(n))));
    let out = this.memo.get(callee);
    if (out) return out;
    const found = new Set<string>();
    const seen = new Set<string>([callee]);
    const queue = [callee];
    while (queue.length) {
      const def = this.scan.definitions.get(queue.pop()!);
      if (!def) continue;
      for (const w of this.scan.written.get(def.id) ?? []) if (this.followable(w.text)) found.add(w.text);
      for (const e of this.scan.effects.get(def.id) ?? []) {
        if (e.kind !== 'call') continue;
        if (e.callee === null) {
          for (const n of this.writtenBy(null)) found.add(n);
        } else if (!seen.has(e.callee)) {
          seen.add(e.callee);
          queue.push(e.callee);
        }
      }
    }
    this.memo.set(callee, (out = found));
    return out;
  }

  /**
   * What a function's analysis may depend on besides its text and its callees' (which its cache key
   * holds): the followable globals, and which of them some function of the file assigns (what a call
   * through a pointer changes). Changes only when a global is declared, has its address taken, or
   * gets its first or loses its last assignment.
   */
  signature(): string {
    const names = [...this.scan.fileVariables].filter((n) => this.followable(n)).sort();
    const written = this.writtenBy(null);
    return names.map((n) => (written.has(n) ? `${n}=` : n)).join(',');
  }
}
