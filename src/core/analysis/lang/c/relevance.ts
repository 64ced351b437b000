import type { Language, Node } from 'web-tree-sitter';
import { parseInto } from '../../parser';
import type { CMacroDefinition } from '../../types';
import { releasesByName, type CWorkspace } from './context';
import { ACQUIRE, ACQUIRE_PAIR, ADOPT_FIRST_ARG, RELEASE } from './names';

/**
 * The relevance gate: can a C/C++ file give a finding at all? Every finding comes from a function the
 * analysis picks (index.ts `analysedFunctions`): one that calls an acquiring library function, a
 * function or macro that may return a new descriptor (`mayAcquire`), or (a `void` function closing a
 * plain parameter) a releasing function or one that may release (`mayRelease`). Those callees are
 * names in the tree the analysis finally reads, and every name there is
 * - a name written in the file (build configurations only blank text; syntax repairs insert
 *   punctuation or blank tokens; macro rewrites blank a use, keep its arguments or put a keyword,
 *   `static` or `__offset` there), or
 * - a name in the replacement of a macro the file names (a rewrite may put a macro's expansion in
 *   place of its use, macroRewrites.ts `braceMacro`), through the macros that replacement names.
 * So a file none of whose names, nor the names in the replacements of the macros it defines or names
 * (transitively), is an acquiring or releasing library function, a name that reads as a release
 * (`closesByName`), or a workspace function or macro for which `mayAcquire` or `mayRelease` says yes,
 * gives no finding in any configuration, repaired or not: its configurations, macro rewrites,
 * syntax repairs and analysis can be skipped. `mayAcquire`/`mayRelease` are the analysis's own
 * names-only searches of the workspace's call graph (engine/summaries.ts): a function is "relevant"
 * when a chain of calls (through macros that call another function too) reaches an acquisition or a
 * release; they lower nothing. The file's own functions need no search: their bodies are in the file,
 * so the names they call are among the file's names. Function pointers, out-parameters and descriptor
 * fields read in another function give a finding only in a function the analysis picks by the rule
 * above, so they need nothing more.
 *
 * Names are read from the tree only: every identifier-like token, ERROR nodes included (tree-sitter
 * keeps the tokens of what it could not parse), and the tokens of macro replacements (`preproc_arg`,
 * which the grammar leaves as text, and the values of the workspace's macro table), each parsed with
 * tree-sitter too.
 *
 * The syntax-error note says the analysis may have missed code; in a file the gate skips, the parts
 * that did not parse cannot hold code the analysis would read, so it gives no note (nor reports the
 * parse errors).
 */
export function mayGiveFindings(root: Node, language: 'c' | 'cpp', table: ReadonlyMap<string, CMacroDefinition> | undefined, workspace: CWorkspace | undefined): boolean {
  const resolver = workspace?.index.resolver();
  const seen = new Set<string>();
  // A name that is relevant by itself (not through a macro's replacement): the search stops at the first.
  const relevant = (n: string): boolean => {
    if (seen.has(n)) return false;
    seen.add(n);
    return LIBRARY.has(n) || releasesByName(n) || (!!resolver && (resolver.mayAcquire(n, workspace!.file) || resolver.mayRelease(n, workspace!.file, releasesByName)));
  };
  const replacements: string[] = [];
  if (anyName(root, relevant, replacements)) return true;
  if (replacements.length && parseInto(root.tree.language, replacements.join('\n'), (t) => anyName(t.rootNode, relevant, undefined))) return true;
  if (!table) return false;
  // The workspace's macros the file names, through the macros their replacements name.
  const values = tableNames(table, root.tree.language, language);
  const work = [...seen].filter((n) => values.has(n));
  const followed = new Set(work);
  while (work.length) {
    for (const m of values.get(work.pop()!) ?? []) {
      if (relevant(m)) return true;
      if (!followed.has(m) && values.has(m)) {
        followed.add(m);
        work.push(m);
      }
    }
  }
  return false;
}

/** The library functions the C tables give a meaning (acquisitions, out-parameter acquisitions, releases, adoptions). */
const LIBRARY: ReadonlySet<string> = new Set([...ACQUIRE.keys(), ...ACQUIRE_PAIR.keys(), ...RELEASE, ...ADOPT_FIRST_ARG]);

/** Token types that hold a name (a macro's, a function's, a field's, a type's). */
const NAME_TYPES: ReadonlySet<string> = new Set(['identifier', 'field_identifier', 'type_identifier', 'namespace_identifier', 'statement_identifier']);

/**
 * Does `test` say yes for the name of one of the tree's tokens? The text of its macro replacements goes
 * to `replacements` (when given) on the way.
 */
function anyName(root: Node, test: (name: string) => boolean, replacements: string[] | undefined): boolean {
  const cursor = root.walk();
  try {
    for (;;) {
      const type = cursor.nodeType;
      if (NAME_TYPES.has(type)) {
        if (test(cursor.nodeText)) return true;
      } else if (type === 'preproc_arg') replacements?.push(cursor.nodeText);
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return false;
    }
  } finally {
    cursor.delete();
  }
}

const tableMemo = new WeakMap<ReadonlyMap<string, CMacroDefinition>, Map<string, ReadonlyMap<string, readonly string[]>>>();

/**
 * The names in each replacement of the macro table (parsed once per table and grammar: all values in
 * one text, each token given to the value it falls in).
 */
function tableNames(table: ReadonlyMap<string, CMacroDefinition>, lang: Language, language: 'c' | 'cpp'): ReadonlyMap<string, readonly string[]> {
  let byLang = tableMemo.get(table);
  if (!byLang) tableMemo.set(table, (byLang = new Map()));
  let out = byLang.get(language);
  if (out) return out;
  const keys: string[] = [];
  const starts: number[] = [];
  let text = '';
  for (const [name, def] of table) {
    if (!def.value) continue;
    keys.push(name);
    starts.push(text.length);
    text += def.value + '\n;\n';
  }
  const found = new Map<string, Set<string>>();
  parseInto(lang, text, (tree) => {
    const cursor = tree.walk();
    try {
      for (;;) {
        if (NAME_TYPES.has(cursor.nodeType)) {
          const at = cursor.startIndex;
          let lo = 0;
          let hi = starts.length - 1;
          while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (starts[mid]! <= at) lo = mid;
            else hi = mid - 1;
          }
          const key = keys[lo]!;
          let set = found.get(key);
          if (!set) found.set(key, (set = new Set()));
          set.add(cursor.nodeText);
        }
        if (cursor.gotoFirstChild()) continue;
        while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return;
      }
    } finally {
      cursor.delete();
    }
  });
  out = new Map([...found].map(([k, v]) => [k, [...v]]));
  byLang.set(language, out);
  return out;
}
