import type { Node } from 'web-tree-sitter';
import { calleeName, strip } from './syntax';
import { ACQUIRE, ACQUIRE_PAIR, BORROW, DUP_ONTO, RELEASE } from './names';

/**
 * Pointers a statement surely dereferences, for the facts (engine/facts.ts): after `p->f`, `*p` or `p[i]` has
 * been evaluated, `p` is not NULL until it changes. Reading through a null pointer is undefined behaviour and
 * on every platform SockScope's users build for it faults (address 0 and the page after it are never mapped),
 * so a path that went on past the dereference is a path on which `p` was not NULL: a later `if (p == NULL)`
 * does not take its true branch there. This holds for C code in general, whatever the project; it is only as
 * strong as "surely evaluated", which is why the walk below is narrow:
 *
 * - only the parts of the statement that run whenever it runs: not the right operand of `&&`/`||`, not the
 *   branches of `?:`, not the operand of `sizeof`/`_Alignof`/`typeof` (not evaluated), not a nested statement;
 * - not `&p->f`, `&p[i]`, `&*p`: taking an address computes it without reading memory (`&p->first` of a NULL
 *   `p` is NULL, no fault);
 * - the arguments of a call only when the callee is a library function of the C tables (`connect`, `socket`,
 *   `memcpy`, …): any other name may be a function-like macro that drops an argument (`assert` under
 *   `NDEBUG`, a logging macro compiled out), so what its arguments dereference may never be evaluated.
 *
 * A wrong "not NULL" would prune a path (a missed leak, never a false one), so the walk errs on the side of
 * saying nothing.
 */

/** Library calls whose arguments are all evaluated (functions, not macros that may drop one). */
const EVALUATED_ARGS: ReadonlySet<string> = new Set([
  ...ACQUIRE.keys(), ...ACQUIRE_PAIR.keys(), ...BORROW, ...DUP_ONTO, ...RELEASE,
  'strcmp', 'strncmp', 'strcasecmp', 'strncasecmp', 'memcmp', 'strlen', 'strchr', 'strrchr', 'strstr', 'strcpy', 'strncpy',
  'memmove', 'free', 'freeaddrinfo', 'getnameinfo', 'htons', 'ntohs', 'htonl', 'ntohl',
].filter((n) => n !== 'sizeof' && !/^[A-Z_0-9]+$/.test(n)));

/**
 * Standard functions that write through a pointer argument during the call only and keep no copy of it
 * (`getaddrinfo(host, port, &hints, &res)` fills `res`; `accept(fd, sa, &len)`): `&x` given to one of them
 * changes `x` at that call, and nowhere else, as an assignment there would (engine/facts.ts: a variable whose
 * address escapes elsewhere may change anywhere and is not followed).
 */
export const OUT_PARAM_CALLS: ReadonlySet<string> = new Set([
  'getaddrinfo', 'getnameinfo', 'accept', 'accept4', 'getsockname', 'getpeername', 'getsockopt', 'recvfrom',
  'strtol', 'strtoul', 'strtoll', 'strtoull', 'strtod', 'strtof', 'time', 'gettimeofday', 'clock_gettime',
]);

/** Is `n` (an `&x` expression) given directly to a call of OUT_PARAM_CALLS? */
export function outParamArgument(n: Node): boolean {
  const list = n.parent;
  const call = list?.type === 'argument_list' ? list.parent : null;
  return call?.type === 'call_expression' && OUT_PARAM_CALLS.has(calleeName(call) ?? '');
}

const NOT_EVALUATED: ReadonlySet<string> = new Set(['sizeof_expression', 'alignof_expression', 'offsetof_expression', 'typeof_specifier', 'generic_expression', 'compound_statement']);

/** The identifiers `root` (a condition, an expression statement or a declaration) surely dereferences. */
export function surelyDereferenced(root: Node): string[] {
  const out = new Set<string>();
  if (!EXPRESSION_ROOTS.has(root.type) && !root.type.endsWith('_expression')) return [];
  const base = (e: Node | null): void => {
    const b = strip(e);
    if (b?.type === 'identifier') out.add(b.text);
  };
  const walk = (n: Node, depth: number): void => {
    if (depth > 64 || NOT_EVALUATED.has(n.type) || (n.type.endsWith('_statement') && n.type !== 'expression_statement')) return;
    switch (n.type) {
      case 'pointer_expression':
        if (n.child(0)?.type === '&') {
          // `&p->f`, `&p[i]`, `&*p`: an address, no read; what lies further in (`&q->a[p->i]`) is read.
          const arg = strip(n.childForFieldName('argument'));
          if (arg) for (const c of inner(arg)) walk(c, depth + 1);
          return;
        }
        base(n.childForFieldName('argument'));
        break;
      case 'field_expression':
        if (n.childForFieldName('operator')?.text === '->') base(n.childForFieldName('argument'));
        break;
      case 'subscript_expression':
        base(n.childForFieldName('argument'));
        break;
      case 'binary_expression': {
        const op = n.childForFieldName('operator')?.type;
        if (op === '&&' || op === '||') {
          const l = n.childForFieldName('left');
          if (l) walk(l, depth + 1);
          return;
        }
        break;
      }
      case 'conditional_expression': {
        const c = n.childForFieldName('condition');
        if (c) walk(c, depth + 1);
        return;
      }
      case 'call_expression': {
        const fn = n.childForFieldName('function');
        if (fn && fn.type !== 'identifier') walk(fn, depth + 1);
        if (!EVALUATED_ARGS.has(calleeName(n) ?? '')) return;
        for (const a of n.childForFieldName('arguments')?.namedChildren ?? []) if (a) walk(a, depth + 1);
        return;
      }
    }
    for (const c of n.namedChildren) if (c) walk(c, depth + 1);
  };
  walk(root, 0);
  return [...out];
}

/** The evaluated parts inside an address-of operand: the indexes and bases below its outermost access. */
function inner(arg: Node): Node[] {
  if (arg.type === 'field_expression') {
    const a = strip(arg.childForFieldName('argument'));
    return a ? (a.type === 'field_expression' || a.type === 'subscript_expression' ? inner(a) : a.type === 'identifier' ? [] : [a]) : [];
  }
  if (arg.type === 'subscript_expression') {
    const idx = arg.childForFieldName('index');
    const a = strip(arg.childForFieldName('argument'));
    return [...(idx ? [idx] : []), ...(a ? (a.type === 'field_expression' || a.type === 'subscript_expression' ? inner(a) : a.type === 'identifier' ? [] : [a]) : [])];
  }
  if (arg.type === 'pointer_expression') return [];
  return [arg];
}

const EXPRESSION_ROOTS: ReadonlySet<string> = new Set(['expression_statement', 'declaration', 'init_declarator', 'parenthesized_expression', 'comma_expression', 'identifier']);
