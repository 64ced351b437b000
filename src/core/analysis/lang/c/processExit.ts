import { Parser, type Language, type Node } from 'web-tree-sitter';
import type { CMacroDefinition } from '../../types';
import { calleeName, constantValue, strip } from './syntax';

/**
 * Calls of a function-like macro that end the process by what they are given. A logging macro whose
 * expansion tests a flag of its argument and exits (OpenVPN's `msg(flags, ...)`, whose body ends in
 * `EXIT_FATAL(flags)`, that is `if ((flags) & M_FATAL) _exit(1);`) never returns when the flags it is
 * given hold that bit (`msg(M_FATAL, "...")`, `msg(M_ERR, ...)`): the preprocessor makes the test a
 * constant, and the compiler (and so the program) runs the exit on every path. This holds for any such
 * macro: its expansion, with the call's own arguments, is read as C, and it ends the process when every
 * path through it reaches a call that never returns (`if` of a constant condition takes its one branch,
 * `do { … } while (0)` runs its body once, a statement before the exit that may leave it, `return`,
 * `break`, `continue`, `goto`, or a call that may not return in a branch not taken, does not matter).
 * Anything not understood (a condition that is not constant, an argument of unknown value) ends nothing.
 */
export class MacroExits {
  private readonly memo = new Map<string, boolean>();
  private parser: Parser | undefined;

  constructor(
    private readonly table: ReadonlyMap<string, CMacroDefinition>,
    private readonly lang: Language,
    private readonly isNoReturn: (name: string) => boolean,
  ) {}

  /** Does this call (of a function-like macro of the table) never return, by its expansion with its arguments? */
  endsProcess(call: Node): boolean {
    const name = calleeName(call);
    const def = name ? this.table.get(name) : undefined;
    if (!name || !def || def.params === null) return false;
    if (!this.mayExit(name, def)) return false;
    const text = call.text;
    let v = this.memo.get(text);
    if (v === undefined) {
      v = false;
      const expansion = expand(text, this.table, 0);
      if (expansion !== null && expansion !== text && expansion.length < MAX_EXPANSION) v = this.parsedEndsProcess(expansion);
      this.memo.set(text, v);
    }
    return v;
  }

  private readonly exiting = new Map<string, boolean>();

  /** Does the macro's expansion (its parameters as they are) call a function that never returns at all? Most do not: no call of theirs is read. */
  private mayExit(name: string, def: CMacroDefinition): boolean {
    let v = this.exiting.get(name);
    if (v === undefined) {
      const expansion = expand(`${name}(${(def.params ?? []).filter((p) => p !== '...').join(', ')})`, this.table, 0);
      v = expansion !== null && (expansion.match(/[A-Za-z_]\w*/g) ?? []).some((w) => w !== name && this.isNoReturn(w));
      this.exiting.set(name, v);
    }
    return v;
  }

  private parsedEndsProcess(expansion: string): boolean {
    this.parser ??= new Parser();
    this.parser.setLanguage(this.lang);
    const tree = this.parser.parse(`void __sockscope_macro(void) {\n${expansion};\n}\n`);
    if (!tree) return false;
    try {
      const body = tree.rootNode.namedChild(0)?.childForFieldName('body');
      if (!body || body.hasError) return false;
      return endsProcess(body, (c) => {
        const n = calleeName(c);
        return !!n && this.isNoReturn(n);
      }, (n) => this.constant(n));
    } finally {
      tree.delete();
    }
  }

  /** The integer value of a constant expression of the expansion: numbers, object-like macros of the table, operators. */
  private constant(n: Node | null, depth = 0): number | null {
    return evaluate(n, (name) => this.objectValue(name, depth));
  }

  private readonly objects = new Map<string, number | null>();

  private objectValue(name: string, depth: number): number | null {
    if (this.objects.has(name)) return this.objects.get(name)!;
    const def = this.table.get(name);
    let v: number | null = null;
    if (def && def.params === null && depth < 8) {
      if (def.number !== undefined && def.number !== null) v = def.number;
      else if (/^[\w\s()|&^~<>+\-*]+$/.test(def.value)) {
        this.objects.set(name, null); // a macro defined through itself has no value
        this.parser ??= new Parser();
        this.parser.setLanguage(this.lang);
        const tree = this.parser.parse(`int __sockscope_v = ${def.value};\n`);
        try {
          const init = tree?.rootNode.namedChild(0)?.childForFieldName('declarator')?.childForFieldName('value') ?? null;
          v = tree && !tree.rootNode.hasError ? this.constant(init, depth + 1) : null;
        } finally {
          tree?.delete();
        }
      }
    }
    this.objects.set(name, v);
    return v;
  }
}

const MAX_EXPANSION = 4000;
const MAX_DEPTH = 4;

/**
 * `text` with the function-like macros of the table expanded (arguments substituted, then expanded in
 * turn, to a few levels; a macro is not expanded inside its own expansion), or null when a call's
 * arguments cannot be read. Object-like macros stay: the evaluation reads their values.
 */
export function expand(text: string, table: ReadonlyMap<string, CMacroDefinition>, depth: number, active: ReadonlySet<string> = new Set()): string | null {
  if (depth > MAX_DEPTH) return text;
  let out = '';
  let at = 0;
  const word = /[A-Za-z_]\w*/g;
  for (let m = word.exec(text); m; m = word.exec(text)) {
    const name = m[0];
    const def = table.get(name);
    if (!def || def.params === null || active.has(name) || inLiteral(text, m.index)) continue;
    let open = m.index + name.length;
    while (open < text.length && /\s/.test(text[open]!)) open++;
    if (text[open] !== '(') continue;
    const args = splitArgs(text, open);
    if (!args) return null;
    const body = substitute(def.params, args.args, def.value.replace(/\\\r?\n/g, ' '));
    if (body === null) return null;
    const inner = expand(body, table, depth + 1, new Set([...active, name]));
    if (inner === null) return null;
    out += text.slice(at, m.index) + inner;
    at = args.end;
    word.lastIndex = args.end;
  }
  return out + text.slice(at);
}

/** Is offset `i` inside a string or character literal of `text` (counted from the start)? */
function inLiteral(text: string, i: number): boolean {
  let quote: string | null = null;
  for (let k = 0; k < i; k++) {
    const c = text[k]!;
    if (quote) {
      if (c === '\\') k++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
  }
  return quote !== null;
}

/** The arguments of the call whose `(` is at `open` (top-level commas, literals skipped), and the offset after its `)`. */
function splitArgs(text: string, open: number): { args: string[]; end: number } | null {
  const args: string[] = [];
  let depthP = 0;
  let start = open + 1;
  let quote: string | null = null;
  for (let k = open; k < text.length; k++) {
    const c = text[k]!;
    if (quote) {
      if (c === '\\') k++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depthP++;
    else if (c === ')' || c === ']' || c === '}') {
      depthP--;
      if (depthP === 0) {
        args.push(text.slice(start, k).trim());
        return { args: args.length === 1 && args[0] === '' ? [] : args, end: k + 1 };
      }
    } else if (c === ',' && depthP === 1) {
      args.push(text.slice(start, k).trim());
      start = k + 1;
    }
  }
  return null;
}

/** The macro's body with its parameters replaced by the arguments (`...` by the rest, as `__VA_ARGS__`); null on `#`/`##`. */
function substitute(params: readonly string[], args: readonly string[], body: string): string | null {
  if (body.includes('#')) return null;
  // The table lists the named parameters only: a body that reads `__VA_ARGS__` takes the rest.
  const variadic = (params.length > 0 && params[params.length - 1] === '...') || /\b__VA_ARGS__\b/.test(body);
  const named = params.filter((p) => p !== '...');
  if (variadic ? args.length < named.length : args.length !== named.length && !(named.length === 0 && args.length === 0)) return null;
  const values = new Map<string, string>();
  named.forEach((p, i) => values.set(p, args[i]!));
  if (variadic) values.set('__VA_ARGS__', args.slice(named.length).join(', '));
  return body.replace(/[A-Za-z_]\w*/g, (w) => values.get(w) ?? w);
}

/**
 * Does every path through statement `st` reach a call that never returns (`noReturn`), with nothing
 * before it that may leave the statement? `constant` gives a condition's value when it is known.
 */
export function endsProcess(st: Node | null, noReturn: (call: Node) => boolean, constant: (n: Node | null) => number | null): boolean {
  if (!st) return false;
  switch (st.type) {
    case 'compound_statement':
      for (const c of st.namedChildren) {
        if (!c || c.type === 'comment') continue;
        if (endsProcess(c, noReturn, constant)) return true;
        if (mayLeave(c)) return false;
      }
      return false;
    case 'do_statement':
      // The body runs at least once.
      return endsProcess(st.childForFieldName('body'), noReturn, constant);
    case 'if_statement': {
      const v = constant(st.childForFieldName('condition'));
      const yes = st.childForFieldName('consequence');
      const no = st.childForFieldName('alternative');
      const noBranch = no?.type === 'else_clause' ? no.namedChildren.find((c) => c && c.type !== 'comment') ?? null : no;
      if (v !== null) return v !== 0 ? endsProcess(yes, noReturn, constant) : endsProcess(noBranch, noReturn, constant);
      return endsProcess(yes, noReturn, constant) && endsProcess(noBranch, noReturn, constant);
    }
    case 'expression_statement': {
      const e = strip(st.namedChild(0));
      return e?.type === 'call_expression' && noReturn(e);
    }
    default:
      return false;
  }
}

/** A statement that may leave the block around it otherwise than by falling through. */
function mayLeave(st: Node): boolean {
  return st.descendantsOfType(['return_statement', 'break_statement', 'continue_statement', 'goto_statement']).length > 0;
}

/** The value of a constant integer expression (`(M_FATAL) & M_FATAL`, `0`, `false`), names read by `named`; else null. */
export function evaluate(node: Node | null, named: (name: string) => number | null, given?: (n: Node) => number | null): number | null {
  const n = strip(node);
  if (!n) return null;
  const g = given?.(n) ?? (node && node.id !== n.id ? given?.(node) : null) ?? null;
  if (g !== null) return g;
  const evaluate_ = (x: Node | null): number | null => evaluate(x, named, given);
  switch (n.type) {
    case 'identifier': {
      const c = constantValue(n);
      return c !== null && /^(NULL|nullptr)$/.test(n.text) ? c : named(n.text);
    }
    case 'number_literal': case 'true': case 'false': case 'null':
      return constantValue(n);
    case 'parenthesized_expression': case 'condition_clause':
      return evaluate_(n.namedChildren.find((c) => c && c.type !== 'comment') ?? null);
    case 'unary_expression': {
      const v = evaluate_(n.childForFieldName('argument'));
      if (v === null) return null;
      switch (n.child(0)?.type) {
        case '!': return v === 0 ? 1 : 0;
        case '~': return ~v;
        case '-': return -v;
        case '+': return v;
        default: return null;
      }
    }
    case 'binary_expression': {
      const op = n.childForFieldName('operator')?.type;
      const a = evaluate_(n.childForFieldName('left'));
      const b = evaluate_(n.childForFieldName('right'));
      if (op === '&&') return a === 0 || b === 0 ? 0 : a !== null && b !== null ? 1 : null;
      if (op === '||') return (a !== null && a !== 0) || (b !== null && b !== 0) ? 1 : a === 0 && b === 0 ? 0 : null;
      if (a === null || b === null) return null;
      switch (op) {
        case '&': return a & b;
        case '|': return a | b;
        case '^': return a ^ b;
        case '<<': return b >= 0 && b < 31 ? a << b : null;
        case '>>': return b >= 0 && b < 31 ? a >> b : null;
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '==': return a === b ? 1 : 0;
        case '!=': return a !== b ? 1 : 0;
        case '<': return a < b ? 1 : 0;
        case '<=': return a <= b ? 1 : 0;
        case '>': return a > b ? 1 : 0;
        case '>=': return a >= b ? 1 : 0;
        default: return null;
      }
    }
    default:
      return null;
  }
}
