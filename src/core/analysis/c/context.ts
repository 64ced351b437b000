import type { Node } from 'web-tree-sitter';
import { buildCfg } from './cfg';
import { FunctionAnalysis, NO_SUMMARY, type FileContext, type Summary } from './engine';
import { NO_RETURN } from './names';
import { calleeName, functionName, hasAttribute, simpleName, strip } from './syntax';

/** Containers whose children can hold top-level declarations and definitions. */
const CONTAINERS = new Set(['translation_unit', 'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef',
  'linkage_specification', 'declaration_list', 'namespace_definition']);

/**
 * File-wide knowledge for the C/C++ analysis: functions defined in the file (for wrapper and
 * ownership summaries, computed lazily on first use), and functions that never return.
 */
export class CFileContext implements FileContext {
  private definitions: Map<string, Node> | undefined;
  private noReturnDeclared: Set<string> | undefined;
  private readonly summaries = new Map<string, Summary | 'busy'>();
  private readonly noReturnMemo = new Map<string, boolean | 'busy'>();
  readonly ownershipTransfers: ReadonlySet<string>;

  constructor(private readonly root: Node, ownershipTransfers: readonly string[], private readonly deadline?: number) {
    this.ownershipTransfers = new Set(ownershipTransfers.map(simpleName));
  }

  private scan(): void {
    if (this.definitions) return;
    this.definitions = new Map();
    this.noReturnDeclared = new Set();
    const stack: Node[] = [this.root];
    while (stack.length) {
      const n = stack.pop()!;
      for (let i = 0; i < n.namedChildCount; i++) {
        const c = n.namedChild(i);
        if (!c) continue;
        if (CONTAINERS.has(c.type)) {
          stack.push(c.type === 'namespace_definition' ? (c.childForFieldName('body') ?? c) : c);
          continue;
        }
        if (c.type !== 'function_definition' && c.type !== 'declaration') continue;
        const name = c.type === 'function_definition' ? functionName(c) : declaredFunction(c);
        if (!name) continue;
        const simple = simpleName(name);
        if (c.type === 'function_definition' && !this.definitions.has(simple)) this.definitions.set(simple, c);
        if (hasAttribute(c, 'noreturn') || hasAttribute(c, '_Noreturn')) this.noReturnDeclared.add(simple);
      }
    }
  }

  isNoReturn(name: string): boolean {
    if (NO_RETURN.has(name)) return true;
    this.scan();
    if (this.noReturnDeclared!.has(name)) return true;
    const memo = this.noReturnMemo.get(name);
    if (memo !== undefined) return memo === true;
    const def = this.definitions!.get(name);
    if (!def) return false;
    this.noReturnMemo.set(name, 'busy');
    const result = this.endsInNoReturn(def);
    this.noReturnMemo.set(name, result);
    return result;
  }

  /**
   * A function whose body has no `return` and whose last statement calls a function that does
   * not return cannot return: every path that could fall off the end runs that statement.
   */
  private endsInNoReturn(def: Node): boolean {
    const body = def.childForFieldName('body');
    if (!body) return false;
    let last: Node | null = null;
    for (let i = body.namedChildCount - 1; i >= 0 && !last; i--) {
      const c = body.namedChild(i);
      if (c && c.type !== 'comment') last = c;
    }
    if (!last || last.type !== 'expression_statement') return false;
    const call = strip(last.namedChild(0));
    if (!call || call.type !== 'call_expression') return false;
    const name = calleeName(call);
    if (!name || !this.isNoReturn(name)) return false;
    return body.descendantsOfType('return_statement').length === 0;
  }

  summary(name: string): Summary | undefined {
    this.scan();
    const def = this.definitions!.get(name);
    if (!def) return undefined;
    const memo = this.summaries.get(name);
    if (memo === 'busy') return NO_SUMMARY; // recursion: assume nothing
    if (memo) return memo;
    this.summaries.set(name, 'busy');
    let result = NO_SUMMARY;
    try {
      const analysis = new FunctionAnalysis(buildCfg(def), def, this, 'summary', this.deadline);
      analysis.run();
      result = analysis.summary();
    } catch {
      result = NO_SUMMARY;
    }
    this.summaries.set(name, result);
    return result;
  }
}

function declaredFunction(decl: Node): string | null {
  const stack: (Node | null)[] = [decl.childForFieldName('declarator')];
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
