import type { Node } from 'web-tree-sitter';
import { lastAtOrBefore } from '../../edits';
import { compiledQuery } from '../../parser';
import { ACQUIRING_NAMES } from './names';
import { calleeName, declaratorName, functionName, hasAttribute, simpleName } from './syntax';
import { firstKid } from '../../syntax';

/** What one query over the whole file finds (the matching runs inside wasm; only captures cross over). */
/** An assignment, initialised declarator or call, for the effect compiler. */
export interface EffectSite {
  readonly node: Node;
  readonly kind: 'assign' | 'init' | 'call';
  /** For calls of a plain or qualified name: that name. */
  readonly callee: string | null;
}

export interface FileScan {
  /** Function definitions and C++ lambdas that call an acquiring function, in source order. */
  readonly acquiring: Node[];
  /** Every function definition and C++ lambda, in source order. */
  readonly functions: readonly Node[];
  /** The effect sites of each function by node id (not those of functions nested in it), in source order. */
  readonly effects: Map<number, EffectSite[]>;
  /** Function definitions by simple name (the first one wins). */
  readonly definitions: Map<string, Node>;
  /** Functions declared or defined with noreturn / _Noreturn / [[noreturn]]. */
  readonly noReturn: Set<string>;
  /** Included header names, lower case, without <> or quotes. */
  readonly headers: Set<string>;
  /** Offset just after the last top-level #include (0 when there is none). */
  readonly includeEnd: number;
  /** The names each function (by node id) assigns with any operator or steps (`x = …`, `x |= …`, `x++`), in source order. */
  readonly written: Map<number, Node[]>;
  /** Names whose address is taken somewhere in the file (`&x`). */
  readonly addressed: Set<string>;
  /** Variables declared at file scope (outside every function), neither `volatile` nor arrays. */
  readonly fileVariables: Set<string>;
  /** The grammar the file was parsed with. */
  readonly language: 'c' | 'cpp';
}

/**
 * One query finds everything the analysis needs from the file, so the tree is traversed once
 * (inside wasm). Compiled once per grammar (compiledQuery).
 */
const C_SCAN = [
  '(function_definition) @function',
  '(assignment_expression operator: "=") @assign',
  '(init_declarator) @init',
  '(call_expression function: (identifier) @callee) @call',
  '(call_expression function: [(field_expression) (parenthesized_expression) (call_expression) (subscript_expression)]) @call',
  '"_Noreturn" @attribute',
  '(attribute_specifier) @attribute',
  '(attribute_declaration) @attribute',
  '(preproc_include) @include',
  '(assignment_expression left: (identifier) @written)',
  '(update_expression argument: (identifier) @written)',
  '(pointer_expression operator: "&" argument: (identifier) @addressed)',
  '(translation_unit (declaration) @global)',
  '([(preproc_if) (preproc_ifdef) (preproc_else) (preproc_elif)] (declaration) @global)',
];
const SCAN_QUERY = {
  c: C_SCAN.join('\n'),
  cpp: [...C_SCAN, '(lambda_expression) @function', '(call_expression function: (qualified_identifier name: (identifier) @callee)) @call'].join('\n'),
};

export function scanFile(root: Node, language: 'c' | 'cpp'): FileScan {
  const functions: Node[] = [];
  const sites: EffectSite[] = [];
  const definitions = new Map<string, Node>();
  const noReturn = new Set<string>();
  const headers = new Set<string>();
  let includeEnd = 0;
  const written: Node[] = [];
  const addressed = new Set<string>();
  const declarations: Node[] = [];
  for (const m of compiledQuery(root.tree.language, SCAN_QUERY[language]).matches(root)) {
    let anchor: Node | null = null;
    let kind: EffectSite['kind'] | null = null;
    let callee: string | null = null;
    for (const cap of m.captures) {
      const n = cap.node;
      switch (cap.name) {
        case 'function':
          functions.push(n);
          if (n.type === 'function_definition') {
            const name = functionName(n);
            if (name && !definitions.has(simpleName(name))) definitions.set(simpleName(name), n);
          }
          break;
        case 'assign': anchor = n; kind = 'assign'; break;
        case 'init': anchor = n; kind = 'init'; break;
        case 'call': anchor = n; kind = 'call'; break;
        case 'callee': callee = n.text; break;
        case 'attribute':
          if (n.type === '_Noreturn' || n.text.includes('noreturn')) {
            const owner = attributeOwner(n);
            const name = owner && declaredName(owner);
            // The attribute may sit on the declaration or after the parameters (`void f(int) __attribute__((noreturn));`).
            const holders = [owner, n.parent].filter((h): h is Node => !!h);
            if (name && holders.some((h) => NORETURN_WORDS.some((w) => hasAttribute(h, w)))) noReturn.add(simpleName(name));
          }
          break;
        case 'written': written.push(n); break;
        case 'addressed': addressed.add(n.text); break;
        case 'global': declarations.push(n); break;
        case 'include': {
          const p = n.childForFieldName('path')?.text ?? '';
          headers.add(p.replace(/^[<"]|[>"]$/g, '').toLowerCase());
          if (n.parent?.type === 'translation_unit') includeEnd = Math.max(includeEnd, n.endIndex);
          break;
        }
      }
    }
    // A C++ member that a library name would hide (`Conn::open`) is named as the member.
    if (anchor && kind === 'call' && callee !== null && language === 'cpp' && ACQUIRING.has(callee)) callee = calleeName(anchor);
    if (anchor && kind) sites.push({ node: anchor, kind, callee });
  }
  // Give each site to the innermost function around it; a function acquires if one of its calls does.
  functions.sort((a, b) => a.startIndex - b.startIndex);
  const starts = functions.map((f) => f.startIndex);
  const ends = functions.map((f) => f.endIndex);
  const byFunction = new Map<number, EffectSite[]>();
  const acquiring = new Set<Node>();
  for (const site of sites) {
    const fn = innermost(functions, starts, ends, site.node.startIndex);
    if (!fn) continue;
    let list = byFunction.get(fn.id);
    if (!list) byFunction.set(fn.id, (list = []));
    list.push(site);
    if (site.kind === 'call' && site.callee !== null && ACQUIRING.has(site.callee)) acquiring.add(fn);
  }
  const writes = new Map<number, Node[]>();
  for (const w of written) {
    const fn = innermost(functions, starts, ends, w.startIndex);
    if (!fn) continue;
    let list = writes.get(fn.id);
    if (!list) writes.set(fn.id, (list = []));
    list.push(w);
  }
  // A preprocessor block inside a function holds locals: only declarations outside every function are the file's.
  const fileVariables = new Set<string>();
  for (const d of declarations) if (!innermost(functions, starts, ends, d.startIndex)) for (const name of variablesDeclared(d)) fileVariables.add(name);
  return {
    acquiring: [...acquiring].sort((a, b) => a.startIndex - b.startIndex), functions, effects: byFunction, definitions, noReturn, headers, includeEnd,
    written: writes, addressed, fileVariables, language,
  };
}

/** The plain variables a file-scope declaration declares (not functions, arrays nor `volatile` ones). */
function variablesDeclared(decl: Node): string[] {
  if (decl.children.some((c) => c?.type === 'type_qualifier' && c.text === 'volatile')) return [];
  const out: string[] = [];
  for (const d of decl.childrenForFieldName('declarator')) {
    const v = declaratorName(d);
    if (v && !v.isArray) out.push(v.name);
  }
  return out;
}

const ACQUIRING: ReadonlySet<string> = new Set(ACQUIRING_NAMES);
const NORETURN_WORDS = ['noreturn', '__noreturn__', '_Noreturn'];

/** The innermost function containing `offset` (functions sorted by start; their offsets read once). */
function innermost(functions: Node[], starts: number[], ends: number[], offset: number): Node | null {
  // Nested functions (lambdas) start after their parent, so the first container going back is the innermost.
  for (let i = lastAtOrBefore(starts, offset); i >= 0; i--) if (ends[i]! > offset) return functions[i]!;
  return null;
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
      stack.push(d.childForFieldName('declarator') ?? firstKid(d));
    }
  }
  return null;
}
