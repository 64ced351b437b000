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
  private readonly exiting = new Map<string, boolean>();
  private readonly shared: SharedShapes;

  constructor(
    private readonly table: ReadonlyMap<string, CMacroDefinition>,
    lang: Language,
    private readonly isNoReturn: (name: string) => boolean,
  ) {
    let s = SHARED.get(table);
    if (!s) SHARED.set(table, (s = new SharedShapes(table, lang)));
    this.shared = s;
  }

  /** Does this call (of a function-like macro of the table) never return, by its expansion with its arguments? */
  endsProcess(call: Node): boolean {
    const name = calleeName(call);
    const def = name ? this.table.get(name) : undefined;
    if (!name || !def || def.params === null) return false;
    const shape = this.shared.shapeOf(name, def);
    if (!shape) return false;
    let may = this.exiting.get(name);
    if (may === undefined) this.exiting.set(name, (may = shape.callees.some((c) => c !== name && !c.startsWith(PLACEHOLDER) && this.isNoReturn(c)) || shape.callees.some((c) => c.startsWith(PLACEHOLDER))));
    if (!may) return false;
    const text = call.text;
    const open = text.indexOf('(');
    const args = open < 0 ? null : splitArgs(text, open);
    if (!args) return false;
    const arg = (placeholder: string): string | undefined => {
      const i = shape.params.indexOf(placeholder);
      return i < 0 ? undefined : i === shape.params.length - 1 && shape.variadic ? args.args.slice(i).join(', ') : args.args[i];
    };
    const key = `${name}\0${shape.relevant.map((p) => arg(p) ?? '').join('\0')}`;
    let v = this.memo.get(key);
    if (v === undefined) {
      const named = (n: string): number | null => {
        if (!n.startsWith(PLACEHOLDER)) return this.shared.objectValue(n, 0);
        const a = arg(n);
        return a === undefined ? null : this.shared.textValue(a);
      };
      const callee = (n: string): boolean => {
        const a = n.startsWith(PLACEHOLDER) ? arg(n) : n;
        return !!a && /^[A-Za-z_]\w*$/.test(a) && a !== name && this.isNoReturn(a);
      };
      v = runs(shape.body, callee, named);
      this.memo.set(key, v);
    }
    return v;
  }
}

const PLACEHOLDER = '__sockscope_arg';

/** A statement of a macro's expansion, read once from its syntax (the tree is not kept). */
type Stmt =
  | { readonly k: 'seq'; readonly items: readonly Stmt[]; readonly leaves: boolean }
  | { readonly k: 'do'; readonly body: Stmt; readonly leaves: boolean }
  | { readonly k: 'if'; readonly cond: Expr; readonly yes: Stmt | null; readonly no: Stmt | null; readonly leaves: boolean }
  | { readonly k: 'call'; readonly callee: string; readonly leaves: boolean }
  | { readonly k: 'other'; readonly leaves: boolean };
type Expr = { readonly k: 'num'; readonly v: number } | { readonly k: 'name'; readonly n: string } | { readonly k: 'op'; readonly op: string; readonly args: readonly Expr[] } | { readonly k: '?' };

/** A macro's expansion with placeholders for its parameters (`params`), as statements; `relevant`: the placeholders its conditions and callees read. */
interface Shape {
  readonly params: readonly string[];
  readonly variadic: boolean;
  readonly body: Stmt;
  readonly callees: readonly string[];
  readonly relevant: readonly string[];
}

/** The shapes of a table's macros and the values of its constants: the same for every file analysed under the table. */
class SharedShapes {
  private readonly shapes = new Map<string, Shape | null>();
  private readonly objects = new Map<string, number | null>();
  private readonly texts = new Map<string, number | null>();
  private parser: Parser | undefined;

  constructor(private readonly table: ReadonlyMap<string, CMacroDefinition>, private readonly lang: Language) {}

  shapeOf(name: string, def: CMacroDefinition): Shape | null {
    let s = this.shapes.get(name);
    if (s === undefined) {
      s = null;
      const named = (def.params ?? []).filter((p) => p !== '...');
      const variadic = /\b__VA_ARGS__\b/.test(def.value) || (def.params ?? []).includes('...');
      const params = [...named.map((_, i) => `${PLACEHOLDER}${i}`), ...(variadic ? [`${PLACEHOLDER}${named.length}`] : [])];
      const expansion = expand(`${name}(${params.join(', ')})`, this.table, 0);
      if (expansion !== null && expansion.length < MAX_EXPANSION) {
        const tree = this.parse(`void __sockscope_macro(void) {\n${expansion};\n}\n`);
        try {
          const body = tree?.rootNode.namedChild(0)?.childForFieldName('body');
          if (body && !body.hasError) {
            const callees: string[] = [];
            const read: string[] = [];
            const stmt = toStmt(body, callees, read);
            s = { params, variadic, body: stmt, callees, relevant: params.filter((p) => read.includes(p) || callees.includes(p)) };
          }
        } finally {
          tree?.delete();
        }
      }
      this.shapes.set(name, s);
    }
    return s;
  }

  private parse(text: string) {
    this.parser ??= new Parser();
    this.parser.setLanguage(this.lang);
    return this.parser.parse(text);
  }

  /** The value of an argument's text (`M_FATAL`, `M_ERR | M_NOMUTE`), or null. */
  textValue(text: string): number | null {
    if (this.texts.has(text)) return this.texts.get(text)!;
    this.texts.set(text, null);
    let v: number | null = null;
    if (/^[\w\s()|&^~<>+\-*!=]+$/.test(text)) {
      const tree = this.parse(`int __sockscope_v = (${text});\n`);
      try {
        const init = tree?.rootNode.namedChild(0)?.childForFieldName('declarator')?.childForFieldName('value') ?? null;
        v = tree && !tree.rootNode.hasError ? evaluate(init, (n) => this.objectValue(n, 0)) : null;
      } finally {
        tree?.delete();
      }
    }
    this.texts.set(text, v);
    return v;
  }

  /** The value of an object-like macro of the table that is a constant expression, else null. */
  objectValue(name: string, depth: number): number | null {
    if (this.objects.has(name)) return this.objects.get(name)!;
    const def = this.table.get(name);
    let v: number | null = null;
    if (def && def.params === null && depth < 8) {
      if (def.number !== undefined && def.number !== null) v = def.number;
      else if (/^[\w\s()|&^~<>+\-*]+$/.test(def.value)) {
        this.objects.set(name, null); // a macro defined through itself has no value
        const tree = this.parse(`int __sockscope_v = ${def.value};\n`);
        try {
          const init = tree?.rootNode.namedChild(0)?.childForFieldName('declarator')?.childForFieldName('value') ?? null;
          v = tree && !tree.rootNode.hasError ? evaluate(init, (n) => this.objectValue(n, depth + 1)) : null;
        } finally {
          tree?.delete();
        }
      }
    }
    this.objects.set(name, v);
    return v;
  }
}

const SHARED = new WeakMap<ReadonlyMap<string, CMacroDefinition>, SharedShapes>();

/** A statement of the expansion as plain data; `callees` and `read` collect the called names and the names its conditions read. */
function toStmt(n: Node, callees: string[], read: string[]): Stmt {
  const leaves = n.type === 'return_statement' || n.type === 'break_statement' || n.type === 'continue_statement' || n.type === 'goto_statement' || mayLeave(n);
  switch (n.type) {
    case 'compound_statement':
      return { k: 'seq', items: n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => toStmt(c, callees, read)), leaves };
    case 'do_statement': {
      const body = n.childForFieldName('body');
      return body ? { k: 'do', body: toStmt(body, callees, read), leaves } : { k: 'other', leaves };
    }
    case 'if_statement': {
      const yes = n.childForFieldName('consequence');
      const no = n.childForFieldName('alternative');
      const noBranch = no?.type === 'else_clause' ? no.namedChildren.find((c) => c && c.type !== 'comment') ?? null : no;
      return { k: 'if', cond: toExpr(n.childForFieldName('condition'), read), yes: yes ? toStmt(yes, callees, read) : null, no: noBranch ? toStmt(noBranch, callees, read) : null, leaves };
    }
    case 'expression_statement': {
      const e = strip(n.namedChild(0));
      const name = e?.type === 'call_expression' ? calleeName(e) : null;
      if (name) callees.push(name);
      return name ? { k: 'call', callee: name, leaves } : { k: 'other', leaves };
    }
    default:
      return { k: 'other', leaves };
  }
}

function toExpr(node: Node | null, read: string[]): Expr {
  const n = strip(node);
  if (!n) return { k: '?' };
  switch (n.type) {
    case 'identifier':
      if (/^(NULL|nullptr)$/.test(n.text)) return { k: 'num', v: 0 };
      read.push(n.text);
      return { k: 'name', n: n.text };
    case 'number_literal': case 'true': case 'false': case 'null': {
      const v = constantValue(n);
      return v === null ? { k: '?' } : { k: 'num', v };
    }
    case 'parenthesized_expression': case 'condition_clause':
      return toExpr(n.namedChildren.find((c) => c && c.type !== 'comment') ?? null, read);
    case 'unary_expression':
      return { k: 'op', op: `u${n.child(0)?.type ?? ''}`, args: [toExpr(n.childForFieldName('argument'), read)] };
    case 'binary_expression':
      return { k: 'op', op: n.childForFieldName('operator')?.type ?? '', args: [toExpr(n.childForFieldName('left'), read), toExpr(n.childForFieldName('right'), read)] };
    default:
      return { k: '?' };
  }
}

/** `endsProcess` over a statement read by toStmt. */
function runs(s: Stmt | null, noReturn: (callee: string) => boolean, named: (name: string) => number | null): boolean {
  if (!s) return false;
  switch (s.k) {
    case 'seq':
      for (const c of s.items) {
        if (runs(c, noReturn, named)) return true;
        if (c.leaves) return false;
      }
      return false;
    case 'do':
      return runs(s.body, noReturn, named);
    case 'if': {
      const v = valueOf(s.cond, named);
      if (v !== null) return v !== 0 ? runs(s.yes, noReturn, named) : runs(s.no, noReturn, named);
      return runs(s.yes, noReturn, named) && runs(s.no, noReturn, named);
    }
    case 'call':
      return noReturn(s.callee);
    default:
      return false;
  }
}

function valueOf(e: Expr, named: (name: string) => number | null): number | null {
  switch (e.k) {
    case 'num': return e.v;
    case 'name': return named(e.n);
    case '?': return null;
    case 'op': {
      const [a0, b0] = e.args;
      if (e.op.startsWith('u')) {
        const v = valueOf(a0!, named);
        return v === null ? null : unary(e.op.slice(1), v);
      }
      const a = valueOf(a0!, named);
      const b = valueOf(b0!, named);
      return binary(e.op, a, b);
    }
  }
}

function unary(op: string, v: number): number | null {
  switch (op) {
    case '!': return v === 0 ? 1 : 0;
    case '~': return ~v;
    case '-': return -v;
    case '+': return v;
    default: return null;
  }
}

function binary(op: string | undefined, a: number | null, b: number | null): number | null {
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
      return v === null ? null : unary(n.child(0)?.type ?? '', v);
    }
    case 'binary_expression':
      return binary(n.childForFieldName('operator')?.type, evaluate_(n.childForFieldName('left')), evaluate_(n.childForFieldName('right')));
    default:
      return null;
  }
}
