import type { Node } from 'web-tree-sitter';
import { firstKid, keyText, mentionsIdentifier, namedKids as kids } from '../../syntax';
import { packagePath, type Imports } from './names';

/** Small helpers over the tree-sitter Go syntax tree; the language-neutral ones come from ../syntax. */
export { callArgs, namedKids as kids } from '../../syntax';

/** The statements of a block, a case clause or a statement_list. */
export function statementsOf(n: Node | null): Node[] {
  if (!n) return [];
  const list = n.type === 'statement_list' ? n : kids(n).find((c) => c.type === 'statement_list');
  return list ? kids(list) : [];
}

export function unparen(n: Node | null): Node | null {
  let x = n;
  while (x && x.type === 'parenthesized_expression') x = firstKid(x);
  return x;
}

/** The expressions of an expression_list (or the single expression). */
export function exprList(n: Node | null): Node[] {
  if (!n) return [];
  return n.type === 'expression_list' ? kids(n) : [n];
}

export interface Callee {
  /** `close` for `close(x)`, `Close` for `x.Close()`, null for other callee shapes. */
  readonly name: string | null;
  /** The operand of a selector callee (`x` in `x.Close`), else null. */
  readonly operand: Node | null;
  /** The import path when the operand is a package name. */
  readonly pkg: string | undefined;
  /** `pkg.Name`, `x.Name` or `name` as written (whitespace removed). */
  readonly text: string;
}

export function callee(call: Node, imports: Imports): Callee {
  const f = unparen(call.childForFieldName('function'));
  if (!f) return { name: null, operand: null, pkg: undefined, text: '' };
  if (f.type === 'identifier') return { name: f.text, operand: null, pkg: undefined, text: f.text };
  if (f.type === 'selector_expression') {
    const operand = f.childForFieldName('operand');
    const field = f.childForFieldName('field');
    const pkg = operand?.type === 'identifier' ? packagePath(imports, operand.text) : undefined;
    return { name: field?.text ?? null, operand, pkg, text: keyText(f) };
  }
  return { name: null, operand: null, pkg: undefined, text: keyText(f) };
}

/**
 * The names under which the calls in `fn` (function literals included) may find same-file definitions:
 * `f` for `f(…)`, `.m` for `x.m(…)` (any method `m`); calls into imported packages have none.
 */
export function calledNames(fn: Node, imports: Imports): string[] {
  const out: string[] = [];
  for (const call of fn.descendantsOfType('call_expression')) {
    if (!call) continue;
    const c = callee(call, imports);
    if (!c.name || (c.operand && c.pkg !== undefined)) continue;
    out.push(c.operand ? `.${c.name}` : c.name);
  }
  return out;
}

/** Parameter names in order (`a, b net.Conn` gives two); null for `_` and unnamed parameters. */
export function parameterNames(fn: Node): (string | null)[] {
  const out: (string | null)[] = [];
  for (const p of kids(fn.childForFieldName('parameters'))) {
    if (p.type !== 'parameter_declaration' && p.type !== 'variadic_parameter_declaration') continue;
    const names = p.childrenForFieldName('name').filter((x): x is Node => x !== null);
    if (names.length === 0) out.push(null);
    for (const nm of names) out.push(nm.text === '_' ? null : nm.text);
  }
  return out;
}

/** The name in the package clause of the file that holds `n` (`main`, `x_test`), or null. */
export function packageName(n: Node): string | null {
  const clause = n.tree.rootNode.namedChildren.find((c) => c?.type === 'package_clause');
  return clause?.namedChildren.find((c) => c?.type === 'package_identifier')?.text ?? null;
}

/** Local package name -> import path. */
export function collectImports(root: Node): Map<string, string> {
  const imports = new Map<string, string>();
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'import_spec') {
      const pathNode = n.childForFieldName('path');
      const p = pathNode ? pathNode.text.slice(1, -1) : '';
      const alias = n.childForFieldName('name');
      if (alias && alias.type === 'package_identifier') {
        if (p) imports.set(alias.text, p);
      } else if (p && !alias) {
        for (const local of packageNames(p)) if (!imports.has(local)) imports.set(local, p);
      }
      continue;
    }
    if (n.type === 'source_file' || n.type === 'import_declaration' || n.type === 'import_spec_list') {
      for (const c of kids(n)) stack.push(c);
    }
  }
  return imports;
}

/**
 * The names an unaliased import may be used under: its last path element, without a major-version
 * element (`.../v2`) or suffix (`yaml.v3`), and without a `go-` prefix or `-go` suffix
 * (`github.com/quic-go/quic-go` is package `quic`).
 */
export function packageNames(path: string): string[] {
  const parts = path.split('/');
  let last = parts[parts.length - 1] ?? '';
  if (/^v\d+$/.test(last) && parts.length > 1) last = parts[parts.length - 2]!;
  last = last.replace(/\.v\d+$/, '');
  const out = [last];
  const bare = last.replace(/^go-/, '').replace(/-go$/, '');
  if (bare !== last) out.push(bare);
  return out.filter((n) => n !== '');
}

/** Functions, methods and function literals anywhere in the tree, in source order. */
export function functionNodes(root: Node): Node[] {
  return root.descendantsOfType(['function_declaration', 'method_declaration', 'func_literal'])
    .filter((n): n is Node => n !== null && n.childForFieldName('body') !== null);
}

/** A readable name: `f`, `Server.serve` for a method, `<lambda>` for a literal. */
export function functionName(fn: Node): string {
  const name = fn.childForFieldName('name')?.text;
  if (fn.type === 'function_declaration') return name ?? '<lambda>';
  if (fn.type === 'method_declaration') {
    const recv = kids(fn.childForFieldName('receiver'))[0]?.childForFieldName('type');
    const t = recv ? recv.text.replace(/^\*/, '').replace(/\[.*$/, '') : '';
    return t ? `${t}.${name ?? ''}` : (name ?? '<lambda>');
  }
  return '<lambda>';
}

/** Does the subtree mention identifier `name`? Iterative; nested function literals included. */
export function mentions(node: Node, name: string): boolean {
  return mentionsIdentifier(node, name, 50000);
}

/** The last leaf of a node (the closing `}` of a block or statement). */
export function lastLeaf(n: Node): Node {
  let x = n;
  for (let guard = 0; guard < 10000 && x.childCount > 0; guard++) {
    const c = x.child(x.childCount - 1);
    if (!c) break;
    x = c;
  }
  return x;
}

/** The `var_spec`s of a `var` declaration, in source order (grouped `var ( … )` lists included). */
export function varSpecs(decl: Node): Node[] {
  const out: Node[] = [];
  const stack = kids(decl);
  while (stack.length) {
    const s = stack.pop()!;
    if (s.type === 'var_spec_list') stack.push(...kids(s));
    else if (s.type === 'var_spec') out.push(s);
  }
  return out.reverse();
}
