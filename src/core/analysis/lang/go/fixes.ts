import type { Node } from 'web-tree-sitter';
import type { Fix, TextEdit } from '../../types';
import { HANDED, MAYBE, type Leak, type Resource } from './flow';
import { mentions, statementsOf, unparen } from './syntax';

/**
 * Quick fixes for Go leaks. The preferred (all-paths) fix is `defer x.Close()` right after the error
 * check that follows the acquisition; for a resource acquired in a loop body (a defer would pile up
 * until the function returns) it is a close before every leaking exit; for a resource handed to a
 * goroutine that never closes it, a `defer p.Close()` at the top of that goroutine's function.
 * Every edit inserts whole lines indented with tabs, so the result stays gofmt-clean.
 */
export class GoFixer {
  private readonly lines: string[];

  constructor(text: string) {
    this.lines = text.split(/\r\n|\r|\n/);
  }

  private indentOf(line: number): string {
    return /^[\t ]*/.exec(this.lines[line] ?? '')?.[0] ?? '';
  }

  /** True when only whitespace precedes `n` on its line. */
  private startsLine(n: Node): boolean {
    return (this.lines[n.startPosition.row] ?? '').slice(0, n.startPosition.column).trim() === '';
  }

  /** True when only whitespace or a line comment follows `n` on its line. */
  private endsLine(n: Node): boolean {
    const rest = (this.lines[n.endPosition.row] ?? '').slice(n.endPosition.column).trim();
    return rest === '' || rest.startsWith('//');
  }

  /** Inserts `body` (lines without indentation) before line `line`, each line prefixed with `indent`. */
  private insertLines(line: number, indent: string, body: readonly string[]): TextEdit {
    const at = { line, column: 0 };
    return { range: { start: at, end: at }, newText: body.map((l) => `${indent}${l}\n`).join('') };
  }

  static closeCall(r: Resource, name = r.variable): string {
    return r.kind === 'response' ? `${name}.Body.Close()` : `${name}.Close()`;
  }

  /** `x.Close()` (or `defer x.Close()`), guarded by a nil check when the error was not checked on the path. */
  private closeLines(r: Resource, mask: number, useDefer: boolean): string[] {
    const stmt = `${useDefer ? 'defer ' : ''}${GoFixer.closeCall(r)}`;
    return mask & MAYBE ? [`if ${r.variable} != nil {`, `\t${stmt}`, '}'] : [stmt];
  }

  /** Edits that close the resource at this one exit, or null where no clean edit exists. */
  exitEdits(leak: Leak): TextEdit[] | null {
    const exit = leak.node.exit;
    const r = leak.resource;
    if (!exit || leak.mask & HANDED) return null;
    switch (exit.kind) {
      case 'return':
      case 'break':
      case 'continue': {
        if (!this.startsLine(exit.node)) return null;
        // A return that still uses the resource gets a defer: it runs after the result is computed.
        const useDefer = exit.kind === 'return' && usesResource(exit.node, r);
        return [this.insertLines(exit.node.startPosition.row, this.indentOf(exit.node.startPosition.row), this.closeLines(r, leak.mask, useDefer))];
      }
      case 'end':
      case 'block': {
        const brace = exit.report;
        if (brace.type !== '}' || !this.startsLine(brace) || brace.startPosition.row === exit.node.startPosition.row) return null;
        const row = brace.startPosition.row;
        return [this.insertLines(row, this.indentOf(row) + '\t', this.closeLines(r, leak.mask, false))];
      }
      case 'case': {
        const stmts = statementsOf(exit.node);
        const last = stmts[stmts.length - 1];
        if (!last || !this.endsLine(last)) return null;
        return [this.insertLines(last.endPosition.row + 1, this.indentOf(last.startPosition.row), this.closeLines(r, leak.mask, false))];
      }
      default:
        return null;
    }
  }

  exitFix(leak: Leak): Fix | null {
    const edits = this.exitEdits(leak);
    if (!edits) return null;
    const where = leak.node.exit?.kind === 'return' ? 'before this return'
      : leak.node.exit?.kind === 'break' ? 'before this break'
        : leak.node.exit?.kind === 'continue' ? 'before this continue' : 'at the end of this block';
    return { title: `Close \`${displayName(leak.resource)}\` ${where}`, scope: 'exit', isPreferred: false, edits };
  }

  /** `defer x.Close()` after the error check that follows the acquisition. */
  private deferEdits(r: Resource): TextEdit[] | null {
    let stmt = r.stmt;
    if (!stmt) return null;
    if (stmt.type === 'var_spec') {
      if (stmt.parent?.type !== 'var_declaration') return null;
      stmt = stmt.parent;
    }
    const parent = stmt.parent;
    const close = `defer ${GoFixer.closeCall(r)}`;
    if (parent?.type === 'if_statement' && parent.childForFieldName('initializer')?.id === stmt.id) {
      // if x, err := acq(); err == nil { <here> } / if ...; err != nil { ... } else { <here> }
      const check = r.errVar ? errCheck(parent.childForFieldName('condition'), r.errVar) : null;
      const block = check === 'nil' ? parent.childForFieldName('consequence') : check === 'not-nil' ? parent.childForFieldName('alternative') : null;
      if (!block || block.type !== 'block' || block.startPosition.row === block.endPosition.row || !this.endsLine(block.child(0)!)) return null;
      const first = statementsOf(block)[0];
      const indent = first ? this.indentOf(first.startPosition.row) : this.indentOf(parent.startPosition.row) + '\t';
      return [this.insertLines(block.startPosition.row + 1, indent, [close])];
    }
    if (parent?.type !== 'statement_list' || !this.startsLine(stmt)) return null;
    const indent = this.indentOf(stmt.startPosition.row);
    let anchor: Node = stmt;
    let checked = !r.errVar;
    if (r.errVar) {
      for (let s = stmt.nextNamedSibling; s; s = s.nextNamedSibling) {
        if (s.type === 'comment') continue;
        if (s.type === 'if_statement' && !s.childForFieldName('initializer') && errCheck(s.childForFieldName('condition'), r.errVar) === 'not-nil') {
          anchor = s;
          checked = true;
          break;
        }
        if (mentions(s, r.errVar) || mentions(s, r.variable)) break;
      }
    }
    if (!this.endsLine(anchor)) return null;
    const body = checked ? [close] : [`if ${r.variable} != nil {`, `\t${close}`, '}'];
    return [this.insertLines(anchor.endPosition.row + 1, indent, body)];
  }

  /** `defer p.Close()` at the top of each goroutine function that receives the resource and never closes it. */
  private handlerEdits(r: Resource): TextEdit[] | null {
    const edits: TextEdit[] = [];
    for (const h of r.handlers) {
      const body = h.fn.childForFieldName('body');
      if (!h.param || !body || body.startPosition.row === body.endPosition.row || !this.endsLine(body.child(0)!)) return null;
      const first = statementsOf(body)[0];
      const indent = first ? this.indentOf(first.startPosition.row) : this.indentOf(h.fn.startPosition.row) + '\t';
      edits.push(this.insertLines(body.startPosition.row + 1, indent, [`defer ${GoFixer.closeCall(r, h.param)}`]));
    }
    return edits.length ? edits : null;
  }

  /** The preferred fix, the same for every finding of the resource. */
  allPathsFix(r: Resource, leaks: readonly Leak[]): Fix | null {
    const name = displayName(r);
    const exitsAll = (list: readonly Leak[]): TextEdit[] | null => {
      const edits: TextEdit[] = [];
      for (const l of list) {
        const e = this.exitEdits(l);
        if (!e) return null;
        edits.push(...e);
      }
      return edits;
    };
    if (leaks.some((l) => l.mask & HANDED)) {
      const inGoroutine = this.handlerEdits(r);
      const others = exitsAll(leaks.filter((l) => !(l.mask & HANDED)));
      if (!inGoroutine || !others) return null;
      const params = [...new Set(r.handlers.map((h) => h.param))].join('`, `');
      return { title: `Defer \`${params}.Close()\` in the goroutine that receives \`${name}\``, scope: 'all-paths', isPreferred: true, edits: [...inGoroutine, ...others] };
    }
    const deferred = r.inLoop || r.escapes ? null : this.deferEdits(r);
    if (deferred) return { title: `Defer \`${GoFixer.closeCall(r)}\``, scope: 'all-paths', isPreferred: true, edits: deferred };
    const edits = exitsAll(leaks);
    return edits && edits.length ? { title: `Close \`${name}\` on all paths`, scope: 'all-paths', isPreferred: true, edits } : null;
  }
}

/** Does `n` read the resource itself (`conn`, `resp.Body` or `resp` as a whole; `resp.StatusCode` does not count)? */
function usesResource(n: Node, r: Resource): boolean {
  if (r.kind !== 'response') return mentions(n, r.variable);
  const stack: Node[] = [n];
  let budget = 20000;
  while (stack.length && budget-- > 0) {
    const x = stack.pop()!;
    if (x.type === 'identifier' && x.text === r.variable) {
      const p = x.parent;
      if (p?.type !== 'selector_expression' || p.childForFieldName('field')?.text === 'Body') return true;
    }
    for (let i = 0; i < x.namedChildCount; i++) {
      const c = x.namedChild(i);
      if (c) stack.push(c);
    }
  }
  return false;
}

export function displayName(r: Resource): string {
  return r.kind === 'response' ? `${r.variable}.Body` : r.variable;
}

/** 'not-nil' for `err != nil` (alone or first in an `||`), 'nil' for `err == nil` (alone or first in an `&&`). */
function errCheck(cond: Node | null, errVar: string): 'nil' | 'not-nil' | null {
  const c = unparen(cond);
  if (!c || c.type !== 'binary_expression') return null;
  const op = c.childForFieldName('operator')?.text;
  if (op === '||' || op === '&&') {
    const first = errCheck(c.childForFieldName('left'), errVar);
    return (op === '||' && first === 'not-nil') || (op === '&&' && first === 'nil') ? first : null;
  }
  const sides = [unparen(c.childForFieldName('left')), unparen(c.childForFieldName('right'))];
  if (!sides.some((s) => s?.type === 'nil') || !sides.some((s) => s?.type === 'identifier' && s.text === errVar)) return null;
  return op === '!=' ? 'not-nil' : op === '==' ? 'nil' : null;
}
