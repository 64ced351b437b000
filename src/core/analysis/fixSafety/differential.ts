/**
 * Fix-safety suite (tests only), differential check: walks every function a fix changed, in the
 * fixed text and in the original, with the independent path walker (paths/walker.ts); a violation
 * found in the fixed function and not in the original one is the fix's doing. A fixed text that no
 * longer parses (the original did) is a problem too.
 */
import type { Node } from 'web-tree-sitter';
import { withTree } from '../parser';
import type { LanguageId } from '../types';
import { familyOf, FUNCTIONS, functionName, normalized } from './paths/syntax';
import { walkFunction } from './paths/walker';

interface FunctionInfo {
  readonly key: string;
  readonly text: string;
  readonly violations: Set<string>;
}

function functionsOf(root: Node, language: LanguageId): FunctionInfo[] {
  const family = familyOf(language);
  const found: FunctionInfo[] = [];
  const seen = new Map<string, number>();
  const visit = (n: Node) => {
    if (FUNCTIONS[family].has(n.type)) {
      const name = functionName(n);
      const i = seen.get(name) ?? 0;
      seen.set(name, i + 1);
      found.push({ key: `${name}#${i}`, text: normalized(n), violations: walkFunction(n, family).violations });
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  visit(root);
  return found;
}

async function analyse(text: string, language: LanguageId): Promise<{ functions: FunctionInfo[]; hasErrors: boolean }> {
  return withTree(language, text, (tree) => ({ functions: functionsOf(tree.rootNode, language), hasErrors: tree.rootNode.hasError }));
}

/** What the fix did wrong, by the walker's account (empty: nothing). */
export async function differentialProblems(original: string, fixed: string, language: LanguageId): Promise<string[]> {
  const before = await analyse(original, language);
  const after = await analyse(fixed, language);
  const problems: string[] = [];
  if (after.hasErrors && !before.hasErrors) problems.push('the fixed text does not parse');
  const old = new Map(before.functions.map((f) => [f.key, f]));
  for (const f of after.functions) {
    const o = old.get(f.key);
    if (o && o.text === f.text) continue;
    for (const v of f.violations) if (!o?.violations.has(v)) problems.push(`${f.key.replace(/#0$/, '')}: ${v}`);
  }
  return problems;
}
