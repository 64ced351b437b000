import type { Node } from 'web-tree-sitter';
import { firstKid } from '../../syntax';
import type { MacroWrapper } from './macroWrappers';
import { NO_RETURN } from './names';
import type { FileScan } from './scan';
import { calleeName, strip } from './syntax';
import type { CMacroDefinition } from '../../types';
import { objectDefineLines } from './definitions';

/**
 * What a file says about functions that never return, for the other files of its workspace:
 * `void fatal(const char *, ...) __attribute__((noreturn));` in a header, a function whose body has
 * no `return` and ends in a call (`static void die(...) { ...; exit(1); }`: it does not return when
 * that callee does not), and macros that are one call (`#define fatal(...) sshfatal(__FILE__, ...)`).
 */
export interface NoReturnFacts {
  /** Names declared or defined with `noreturn` / `_Noreturn`. */
  readonly declared: readonly string[];
  /**
   * Each function visible to other files, with the function its body ends by calling when it has no
   * `return` (null otherwise): [function, callee].
   */
  readonly tails: readonly (readonly [string, string | null])[];
  /** A call-like macro or alias: [macro, the function it calls]. */
  readonly macros: readonly (readonly [string, string])[];
}

export const NO_FACTS: NoReturnFacts = { declared: [], tails: [], macros: [] };

export function noReturnFacts(scan: FileScan, wrappers: readonly MacroWrapper[], visible: (def: Node) => boolean): NoReturnFacts {
  const tails: [string, string | null][] = [];
  for (const [name, def] of scan.definitions) if (visible(def)) tails.push([name, tailCall(def)]);
  return { declared: [...scan.noReturn], tails, macros: wrappers.map((w) => [w.name, w.target] as const) };
}

/**
 * The function a definition's body ends by calling, when the body has no `return`: every path that
 * could leave it runs that call last, so the function does not return if the callee does not.
 */
export function tailCall(def: Node): string | null {
  const body = def.childForFieldName('body');
  if (!body) return null;
  let last: Node | null = null;
  for (let i = body.namedChildCount - 1; i >= 0 && !last; i--) {
    const c = body.namedChild(i);
    if (c && c.type !== 'comment') last = c;
  }
  if (!last || last.type !== 'expression_statement') return null;
  const call = strip(firstKid(last));
  if (!call || call.type !== 'call_expression') return null;
  const name = calleeName(call);
  if (!name || body.descendantsOfType('return_statement').length > 0) return null;
  return name;
}

/**
 * The functions of a workspace that never return, from every file's facts: the library's
 * (`exit`, `abort`, …), those declared `noreturn`, and functions and macros that end in (or are) a
 * call of one. A name that is also defined, in some file, so that it may return is still taken as
 * not returning only when some file declares it so (a declaration is the author's word).
 */
export class NoReturnTable {
  private readonly declared = new Set<string>();
  private readonly tails = new Map<string, (string | null)[]>();
  private readonly memo = new Map<string, boolean | 'busy'>();

  constructor(files: Iterable<NoReturnFacts>) {
    for (const f of files) {
      for (const n of f.declared) this.declared.add(n);
      for (const [name, callee] of [...f.tails, ...f.macros]) {
        const list = this.tails.get(name);
        if (list) list.push(callee);
        else this.tails.set(name, [callee]);
      }
    }
  }

  has(name: string): boolean {
    if (NO_RETURN.has(name) || this.declared.has(name)) return true;
    const m = this.memo.get(name);
    if (m !== undefined) return m === true;
    const callees = this.tails.get(name);
    if (!callees) return false;
    this.memo.set(name, 'busy');
    // Every definition of the name (two files may define it differently) must end in a call that does not return.
    const result = callees.every((c) => c !== null && c !== name && this.has(c));
    this.memo.set(name, result);
    return result;
  }
}

const tableMacros = new WeakMap<object, readonly string[]>();

/** The object-like macros of a table whose value says `noreturn` (read once per table). */
function noReturnMacrosOf(table: ReadonlyMap<string, CMacroDefinition>): readonly string[] {
  let names = tableMacros.get(table);
  if (!names) {
    const found: string[] = [];
    for (const [name, def] of table) if (def.params === null && NORETURN_WORD.test(def.value)) found.push(name);
    tableMacros.set(table, (names = found));
  }
  return names;
}

const NORETURN_WORD = /\b(noreturn|__noreturn__|_Noreturn)\b/;
/** Longest text read between a function's name and the macro (a declaration, not a body). */
const MAX_SPAN = 600;

/**
 * Functions a text declares with a macro that stands for `noreturn` (`#define EV_NORETURN
 * __attribute__((noreturn))`, defined in the text itself or in the workspace's headers): the
 * repairs blank such a macro (the grammar cannot read it after the parameters), so the scan never
 * sees the attribute. Read from the original text: `void event_err(int, const char *, ...)
 * EV_CHECK_FMT(2,3) EV_NORETURN;` (the macro after the parameter list of a declaration) and
 * `EV_NORETURN void die(…)` (before the name). A macro also defined empty (a compiler without the
 * attribute) still says what the author declared.
 */
export function noReturnByMacro(text: string, table: ReadonlyMap<string, CMacroDefinition> | undefined): string[] {
  const names = new Set<string>(table ? noReturnMacrosOf(table) : []);
  if (text.includes('noreturn') || text.includes('_Noreturn')) {
    for (const d of objectDefineLines(text)) if (NORETURN_WORD.test(d.value)) names.add(d.name);
  }
  const out: string[] = [];
  for (const macro of names) {
    if (NORETURN_WORD.test(macro) || !text.includes(macro)) continue;
    const word = new RegExp(`\\b${macro}\\b`, 'g');
    for (const m of text.matchAll(word)) {
      const at = m.index!;
      // Skip its own definition line.
      const lineStart = text.lastIndexOf('\n', at) + 1;
      if (/^[ \t]*#/.test(text.slice(lineStart, at))) continue;
      // The declaration so far: since the last `;`, `{` or `}`, without directive lines and comments.
      const raw = text.slice(Math.max(0, at - MAX_SPAN), at).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ').replace(/^[ \t]*#.*$/gm, ' ');
      const before = raw.slice(Math.max(raw.lastIndexOf(';'), raw.lastIndexOf('{'), raw.lastIndexOf('}')) + 1);
      const after = text.slice(at + macro.length, at + macro.length + MAX_SPAN);
      // After the parameter list of a declaration: `T name(params) [attributes] MACRO [attributes];`.
      const declared = /^[^()]*?\b([A-Za-z_]\w*)\s*\(/.exec(before);
      if (declared && !declared[1]!.startsWith('__') && /\)[^()]*(\([^;{}]*\)[^()]*)*$/.test(before) && /^[^;{}]*;/.test(after)) {
        out.push(declared[1]!);
        continue;
      }
      // Before the declaration: `MACRO [specifiers] T name(`.
      const head = /^[^;{}()=]*?\b([A-Za-z_]\w*)\s*\(/.exec(after);
      if (head && before.trim() === '') out.push(head[1]!);
    }
  }
  return out;
}
