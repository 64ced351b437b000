import type { Node } from 'web-tree-sitter';
import { constantValue, strip } from './syntax';
import { endsProcess, evaluate } from './processExit';

/**
 * A leak at a `return` that gives a failure constant (`return NULL;`, `return -1;`) when every caller
 * of the function ends the process on that result:
 *
 *     ps = port_share_open(...);            // ps.c: fork() fails -> goto error -> return NULL (fd[] open)
 *     if (ps == NULL)
 *         msg(M_FATAL, "Port sharing failed"); // init.c: the only caller exits
 *
 * The descriptor is lost only right before the process exits, which closes it: the pedantic class
 * ("reached only right before the process exits"), reported below warning severity. It is sound only
 * when every caller is known, so the rule is conservative about what "every caller" means:
 * - the function is `static` (only its own file can call it), or it is declared in no header outside
 *   its own file's folder: a library's public API, declared in a header of an `include` folder of its
 *   own, may have callers the workspace does not hold (a project's internal header sits beside its
 *   `.c` files);
 * - every use of its name, in every file that may call it, is a direct call, its definition or a
 *   declaration: a name taken as a function pointer (`&f`, `.open = f`, a callback argument, a macro
 *   standing for it) has callers nobody can list (plugin entry points, callbacks);
 * - a file with build alternatives (`#ifdef`) may use the name in its other build only where its first
 *   build (the tree read) does: a build that leaves a caller out has no call there;
 * - there is at least one call, and each is tested right away for that very value: in an `if` condition
 *   (`if (!f(…))`, `if ((x = f(…)) == NULL)`), or assigned (`x = f(…);`, `T *x = f(…);`) and tested by
 *   the statement right after; and the branch that value takes ends the process on every path
 *   (`exit`, a `noreturn` function, a macro call that exits by its arguments, processExit.ts) before it
 *   could leave otherwise.
 *   Or, in `main`, the call is a loop's condition (`while (f(…))`) or the last statement of a `do` body whose
 *   condition tests the variable it assigns (`do { again = juggle(…); } while (again);`), that value ends the
 *   loop, and main then only runs on to its end (mainEndsAfter): returning from main ends the process.
 * Anything else (the result returned to another caller, stored, tested later, a test not decided by the
 * value) keeps the warning.
 */
export interface CallerSource {
  /** The function's own file: its tree (of the analysed text) and its full text (every build's lines). */
  readonly own: { readonly root: Node; readonly text: string };
  /**
   * The other files of the workspace whose text mentions `name`: their path, their texts (each build
   * configuration's; the first is the one `root` gives) and a way to read their tree. Null when the
   * workspace is unknown.
   */
  others(name: string): readonly OtherFile[] | null;
  /** The path of the function's own file (for the header check). */
  readonly path: string;
  /** Does a call never return (a noreturn function, or a macro that exits with these arguments)? */
  endsProcess(call: Node): boolean;
  /** The value of a named constant (`MOSQ_ERR_NOMEM`) or null. */
  constant(name: string): number | null;
}

export interface OtherFile {
  readonly file: string;
  readonly texts: readonly string[];
  withRoot<T>(use: (root: Node) => T): T | undefined;
}

/** The failure constant a `return` gives (`return NULL;`, `return -1;`, `return false;`, `return ERR_X;`), else null. */
export function returnedConstant(ret: Node, named: (name: string) => number | null): number | null {
  if (ret.type !== 'return_statement') return null;
  const e = ret.namedChildren.find((c) => c && c.type !== 'comment') ?? null;
  if (!e) return null;
  const s = strip(e);
  if (s?.type === 'identifier') return constantValue(s) ?? named(s.text);
  return evaluate(e, named);
}

/** Does every caller of `name` (defined by `def`) end the process when it returns `value`? (see above) */
export function everyCallerExitsOn(def: Node, name: string, value: number, src: CallerSource): boolean {
  const isStatic = def.children.some((c) => c?.type === 'storage_class_specifier' && c.text === 'static');
  let calls = 0;
  const check = (root: Node, texts: readonly string[]): boolean => {
    const places = mentions(texts[0]!, name);
    // The tree shows the first build: another build may leave a use out (a caller compiled out calls
    // nothing), but not have one of its own (blanked lines keep their offsets).
    for (const t of texts.slice(1)) if (mentions(t, name).some((at) => !places.includes(at))) return false;
    for (const at of places) {
      const id = root.descendantForIndex(at, at + name.length);
      if (!id) return false;
      const use = useOf(id, name);
      if (use === 'declaration' || use === 'comment') continue;
      if (use !== 'call') return false;
      calls++;
      if (!exitsOnValue(id.parent!, value, src)) return false;
    }
    return true;
  };
  if (!check(src.own.root, [src.own.text])) return false;
  if (!isStatic) {
    const others = src.others(name);
    if (!others) return false;
    const folder = folderOf(src.path);
    for (const o of others) {
      if (o.file === src.path) continue;
      // A header of another folder that names the function: a public API (callers beyond the workspace).
      if (/\.(h|hh|hpp|hxx)$/i.test(o.file) && folderOf(o.file) !== folder) return false;
      const ok = o.withRoot((root) => check(root, o.texts));
      if (!ok) return false;
    }
  }
  return calls > 0;
}

function folderOf(path: string): string {
  const i = path.replace(/\\/g, '/').lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Offsets of `name` as a whole word in `text`. */
function mentions(text: string, name: string): number[] {
  const out: number[] = [];
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + name.length)) {
    if (isWord(text.charCodeAt(at - 1)) || isWord(text.charCodeAt(at + name.length))) continue;
    out.push(at);
  }
  return out;
}

function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** What the word at `id` is: a direct call's callee, a function's declarator, a comment, or something else. */
function useOf(id: Node, name: string): 'call' | 'declaration' | 'comment' | 'other' {
  if (id.type === 'comment') return 'comment';
  if (id.type !== 'identifier' || id.text !== name) return 'other';
  const p = id.parent;
  if (p?.type === 'call_expression' && p.childForFieldName('function')?.id === id.id) return 'call';
  if (p?.type === 'function_declarator' && p.childForFieldName('declarator')?.id === id.id) return 'declaration';
  return 'other';
}

/**
 * Is the call tested for `value` right away, and does the branch that value takes end the process?
 * `call`: the call_expression.
 */
function exitsOnValue(call: Node, value: number, src: CallerSource): boolean {
  // Climb to the expression the call is the value of: parentheses, a cast, `x = f(…)`.
  let e: Node = call;
  let held: string | null = null;
  for (let p = e.parent; p; p = e.parent) {
    if (p.type === 'parenthesized_expression' || p.type === 'cast_expression') e = p;
    else if (p.type === 'assignment_expression' && p.childForFieldName('right')?.id === e.id && p.childForFieldName('operator')?.type === '=') {
      held = p.childForFieldName('left')?.text ?? null;
      e = p;
    } else break;
  }
  const parent = e.parent;
  if (!parent) return false;
  // In an `if` condition: the test reads the call (or the variable it was just assigned to).
  const cond = conditionOf(e);
  if (cond) return branchExits(cond.ifNode, cond.cond, value, { call: e, held }, src);
  // `while (f(…))` in `main`: the value ends the loop, and main then returns (mainEndsAfter).
  const loop = loopOf(e);
  if (loop) return loopEnds(loop, value, { call: e, held }, src) && mainEndsAfter(loop, src);
  let statement: Node | null = null;
  if (parent.type === 'expression_statement' && held) statement = parent;
  if (!statement && e === call && parent.type === 'init_declarator' && parent.childForFieldName('value')?.id === call.id) {
    const d = strip(parent.childForFieldName('declarator'));
    held = d?.type === 'pointer_declarator' ? innerName(d) : d?.type === 'identifier' ? d.text : null;
    statement = parent.parent?.type === 'declaration' ? parent.parent : null;
    if (statement && statement.childrenForFieldName('declarator').length !== 1) statement = null;
  }
  if (!statement || !held) return false;
  let next = statement.nextNamedSibling;
  while (next?.type === 'comment') next = next.nextNamedSibling;
  if (!next) {
    // `do { again = f(…); } while (again);` in `main`: the value ends the loop, and main then returns.
    const loop = statement.parent?.parent;
    if (loop?.type !== 'do_statement' || statement.parent?.id !== loop.childForFieldName('body')?.id) return false;
    return loopEnds(loop, value, { call: null, held }, src) && mainEndsAfter(loop, src);
  }
  if (next.type !== 'if_statement') return false;
  return branchExits(next, next.childForFieldName('condition'), value, { call: null, held }, src);
}

/** Does a loop's condition come out false when the call's result (or the variable just given it) is `value`? */
function loopEnds(loop: Node, value: number, tested: { call: Node | null; held: string | null }, src: CallerSource): boolean {
  return evaluate(loop.childForFieldName('condition'), (n) => (n === tested.held ? value : src.constant(n)), (n) => (tested.call && n.id === tested.call.id ? value : null)) === 0;
}

/**
 * Is \`st\` a statement of \`main\`'s own body after which every path reaches the end of \`main\` (a \`return\`, the
 * closing brace, or a call that ends the process) with no jump elsewhere on the way? Returning from \`main\` ends
 * the process, which closes every descriptor: the cleanup statements on the way (\`close\`, \`unlink\`) cannot reach
 * a descriptor the call lost. A \`goto\`, \`break\` or \`continue\` on the way (it could go back before the loop),
 * or a statement nested anywhere but directly in main's body, says no.
 */
function mainEndsAfter(st: Node, src: CallerSource): boolean {
  const body = st.parent;
  const fn = body?.parent;
  if (body?.type !== 'compound_statement' || fn?.type !== 'function_definition' || functionName(fn) !== 'main') return false;
  for (let n = st.nextNamedSibling; n; n = n.nextNamedSibling) {
    let s: Node | null = n;
    while (s?.type === 'labeled_statement') s = s.namedChildren.find((c) => c && c.type !== 'statement_identifier' && c.type !== 'comment') ?? null;
    if (!s || s.type === 'comment') continue;
    if (s.type === 'return_statement' || endsProcess(s, (c) => src.endsProcess(c), () => null)) return true;
    if (s.descendantsOfType(['return_statement', 'break_statement', 'continue_statement', 'goto_statement']).length > 0) return false;
  }
  return true;
}

/** The declared name of a function definition (\`main\` of \`int main(int argc, char **argv)\`). */
function functionName(fn: Node): string | null {
  let d: Node | null = fn.childForFieldName('declarator');
  while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
  const id = d?.childForFieldName('declarator');
  return id?.type === 'identifier' ? id.text : null;
}

function innerName(d: Node): string | null {
  let n: Node | null = d;
  while (n && n.type === 'pointer_declarator') n = n.childForFieldName('declarator');
  return n?.type === 'identifier' ? n.text : null;
}

/** The `if` whose condition `e` is, or is an operand of (through `!`, comparisons, `&&`/`||`, parentheses). */
function conditionOf(e: Node): { ifNode: Node; cond: Node } | null {
  const whole = e.parent;
  if (whole?.type === 'if_statement' && whole.childForFieldName('condition')?.id === e.id) return { ifNode: whole, cond: e };
  for (let p = e.parent; p; p = p.parent) {
    if (p.type === 'condition_clause' || (p.type === 'parenthesized_expression' && p.parent?.type === 'if_statement')) {
      const i = p.parent;
      return i?.type === 'if_statement' ? { ifNode: i, cond: p } : null;
    }
    if (p.type !== 'parenthesized_expression' && p.type !== 'unary_expression' && p.type !== 'binary_expression') return null;
  }
  return null;
}

/** The \`while\` whose condition \`e\` is, or is an operand of (as conditionOf). */
function loopOf(e: Node): Node | null {
  const whole = e.parent;
  if (whole?.type === 'while_statement' && whole.childForFieldName('condition')?.id === e.id) return whole;
  for (let p = e.parent; p; p = p.parent) {
    if (p.type === 'condition_clause' || (p.type === 'parenthesized_expression' && p.parent?.type === 'while_statement')) {
      return p.parent?.type === 'while_statement' ? p.parent : null;
    }
    if (p.type !== 'parenthesized_expression' && p.type !== 'unary_expression' && p.type !== 'binary_expression') return null;
  }
  return null;
}

/** Takes the branch of `ifNode` that `cond` gives when the call's result is `value`, and asks whether it ends the process. */
function branchExits(ifNode: Node, cond: Node | null, value: number, tested: { call: Node | null; held: string | null }, src: CallerSource): boolean {
  const v = evaluate(cond, (n) => (n === tested.held ? value : src.constant(n)), (n) => (tested.call && n.id === tested.call.id) || (!!tested.held && n.text === tested.held && n.type !== 'identifier') ? value : null);
  if (v === null) return false;
  const no = ifNode.childForFieldName('alternative');
  const branch = v !== 0 ? ifNode.childForFieldName('consequence') : no?.type === 'else_clause' ? no.namedChildren.find((c) => c && c.type !== 'comment') ?? null : no;
  return endsProcess(branch, (c) => src.endsProcess(c), () => null);
}
