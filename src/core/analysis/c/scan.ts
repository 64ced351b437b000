import { Query, type Language, type Node } from 'web-tree-sitter';
import { ACQUIRING_NAMES } from './names';
import { functionName, hasAttribute, simpleName } from './syntax';

/** What one query over the whole file finds (the matching runs inside wasm; only captures cross over). */
export interface FileScan {
  /** Function definitions and C++ lambdas that call an acquiring function, in source order. */
  readonly acquiring: Node[];
  /** Function definitions by simple name (the first one wins). */
  readonly definitions: Map<string, Node>;
  /** Functions declared or defined with noreturn / _Noreturn / [[noreturn]]. */
  readonly noReturn: Set<string>;
  /** Included header names, lower case, without <> or quotes. */
  readonly headers: Set<string>;
  /** Offset just after the last top-level #include (0 when there is none). */
  readonly includeEnd: number;
}

const queries = new WeakMap<Language, Query>();

/** Compiled once per grammar and kept for the life of the process (a handful of small objects). */
function scanQuery(lang: Language, language: 'c' | 'cpp'): Query {
  let q = queries.get(lang);
  if (!q) {
    const names = ACQUIRING_NAMES.map((n) => JSON.stringify(n)).join(' ');
    const patterns = [
      '(function_definition) @function',
      `(call_expression function: (identifier) @acquire (#any-of? @acquire ${names}))`,
      '"_Noreturn" @attribute',
      '(attribute_specifier) @attribute',
      '(attribute_declaration) @attribute',
      '(preproc_include) @include',
    ];
    if (language === 'cpp') {
      patterns.push('(lambda_expression) @function');
      patterns.push(`(call_expression function: (qualified_identifier name: (identifier) @acquire) (#any-of? @acquire ${names}))`);
    }
    q = new Query(lang, patterns.join('\n'));
    queries.set(lang, q);
  }
  return q;
}

export function scanFile(root: Node, language: 'c' | 'cpp'): FileScan {
  const functions: Node[] = [];
  const acquisitions: number[] = [];
  const definitions = new Map<string, Node>();
  const noReturn = new Set<string>();
  const headers = new Set<string>();
  let includeEnd = 0;
  for (const cap of scanQuery(root.tree.language, language).captures(root)) {
    const n = cap.node;
    switch (cap.name) {
      case 'function':
        functions.push(n);
        if (n.type === 'function_definition') {
          const name = functionName(n);
          if (name && !definitions.has(simpleName(name))) definitions.set(simpleName(name), n);
        }
        break;
      case 'acquire':
        acquisitions.push(n.startIndex);
        break;
      case 'attribute':
        if (n.type === '_Noreturn' || n.text.includes('noreturn')) {
          const owner = attributeOwner(n);
          const name = owner && declaredName(owner);
          if (name && (hasAttribute(owner, 'noreturn') || hasAttribute(owner, '_Noreturn'))) noReturn.add(simpleName(name));
        }
        break;
      case 'include': {
        const p = n.childForFieldName('path')?.text ?? '';
        headers.add(p.replace(/^[<"]|[>"]$/g, '').toLowerCase());
        if (n.parent?.type === 'translation_unit') includeEnd = Math.max(includeEnd, n.endIndex);
        break;
      }
    }
  }
  return { acquiring: innermostContaining(functions, acquisitions), definitions, noReturn, headers, includeEnd };
}

/** For each offset, the innermost function containing it; the distinct ones, in source order. */
function innermostContaining(functions: Node[], offsets: number[]): Node[] {
  functions.sort((a, b) => a.startIndex - b.startIndex);
  const starts = functions.map((f) => f.startIndex);
  const found = new Set<Node>();
  for (const off of offsets) {
    let lo = 0;
    let hi = starts.length - 1;
    let idx = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= off) {
        idx = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Nested functions (lambdas) start after their parent, so the first container going back is the innermost.
    for (let i = idx; i >= 0; i--) {
      const f = functions[i]!;
      if (f.endIndex > off) {
        found.add(f);
        break;
      }
    }
  }
  return [...found].sort((a, b) => a.startIndex - b.startIndex);
}

function attributeOwner(attr: Node): Node | null {
  let n = attr.parent;
  for (let i = 0; n && i < 4; i++, n = n.parent) {
    if (n.type === 'declaration' || n.type === 'function_definition') return n;
  }
  return null;
}

function declaredName(owner: Node): string | null {
  if (owner.type === 'function_definition') return functionName(owner);
  const stack: (Node | null)[] = [owner.childForFieldName('declarator')];
  while (stack.length) {
    const d = stack.pop();
    if (!d) continue;
    if (d.type === 'function_declarator') return d.childForFieldName('declarator')?.text ?? null;
    if (d.type === 'pointer_declarator' || d.type === 'attributed_declarator' || d.type === 'parenthesized_declarator') {
      stack.push(d.childForFieldName('declarator') ?? d.namedChild(0));
    }
  }
  return null;
}
