import { Parser, type Node } from 'web-tree-sitter';
import { definitionNodes } from './definitions';
import { callArgs, calleeName, strip } from './syntax';

/**
 * Macros that stand for a call of another function, so that a call of the macro does what that
 * function does: `#define sclose(x) close(x)`, `#define closesocket_quiet(s) Curl_closesocket(NULL, s)`,
 * and plain aliases `#define ngx_socket socket`, `#define ngx_close_socket close`. Each replacement text is
 * parsed by tree-sitter as a statement, in one small document per file; only a replacement that is
 * exactly one call of a named function (or one name, for an alias) counts.
 */
export interface MacroWrapper {
  readonly name: string;
  /** The function the macro calls. */
  readonly target: string;
  /** For each argument of the call, the macro parameter it is (index), or null. An alias passes all its arguments on. */
  readonly args: readonly (number | null)[];
}

const MAX_VALUE = 200;
/** Arguments an alias (`#define ngx_close_socket close`) is assumed to pass on. */
const ALIAS_ARITY = 8;

interface Candidate {
  readonly name: string;
  readonly params: readonly string[] | null;
  readonly value: string;
}

export function macroWrappers(root: Node): MacroWrapper[] {
  const lang = root.tree.language;
  const candidates: Candidate[] = [];
  // Definitions with a name and a value; a function-like one with its parameters.
  for (const def of definitionNodes(root)) {
    const nameNode = def.childForFieldName('name');
    const valueNode = def.childForFieldName('value');
    const paramsNode = def.type === 'preproc_function_def' ? def.childForFieldName('parameters') : undefined;
    if (nameNode?.type !== 'identifier' || valueNode?.type !== 'preproc_arg' || (paramsNode !== undefined && paramsNode?.type !== 'preproc_params')) continue;
    const name = nameNode.text;
    const value = valueNode.text.trim();
    if (!name || !value || value.length > MAX_VALUE || /[;{}\n#]/.test(value)) continue;
    // Cheap look at the text before the parse decides: an alias is one word, a call ends with `)`.
    if (paramsNode ? !value.endsWith(')') : !/^[A-Za-z_]\w*$/.test(value)) continue;
    const params = paramsNode ? paramsNode.namedChildren.filter((p): p is Node => !!p && p.type === 'identifier').map((p) => p.text) : null;
    candidates.push({ name, params, value });
  }
  if (!candidates.length) return [];
  const parser = new Parser();
  try {
    parser.setLanguage(lang);
    const tree = parser.parse(candidates.map((c, i) => `void sockscope_m${i}(void) { ${c.value}; }`).join('\n'));
    if (!tree) return [];
    try {
      const out: MacroWrapper[] = [];
      for (let i = 0; i < tree.rootNode.namedChildCount; i++) {
        const def = tree.rootNode.namedChild(i);
        const w = def && def.type === 'function_definition' && !def.hasError ? wrapperOf(def, candidates) : null;
        if (w) out.push(w);
      }
      return out;
    } finally {
      tree.delete();
    }
  } finally {
    parser.delete();
  }
}

function wrapperOf(def: Node, candidates: readonly Candidate[]): MacroWrapper | null {
  const declared = def.childForFieldName('declarator')?.childForFieldName('declarator')?.text ?? '';
  const c = candidates[Number(declared.slice('sockscope_m'.length))];
  const body = def.childForFieldName('body');
  if (!c || !declared.startsWith('sockscope_m') || !body) return null;
  const stmts = body.namedChildren.filter((n): n is Node => !!n && n.type !== 'comment');
  if (stmts.length !== 1 || stmts[0]!.type !== 'expression_statement') return null;
  const e = strip(stmts[0]!.namedChild(0));
  if (!e) return null;
  if (c.params === null) {
    // An alias: the name of a function.
    if (e.type !== 'identifier' || e.text === c.name) return null;
    return { name: c.name, target: e.text, args: Array.from({ length: ALIAS_ARITY }, (_v, i) => i) };
  }
  if (e.type !== 'call_expression') return null;
  const target = calleeName(e);
  if (!target || target === c.name) return null;
  const args = callArgs(e).map((a) => {
    const s = strip(a);
    const k = s && s.type === 'identifier' ? c.params!.indexOf(s.text) : -1;
    return k >= 0 ? k : null;
  });
  return { name: c.name, target, args };
}
