import { Parser, type Node } from 'web-tree-sitter';
import { definitionNodes } from './definitions';
import { cleanupFunction, constantValue, declaratorName } from './syntax';

/**
 * What the file's own object-like macros mean to the analysis:
 * - invalid-descriptor constants: `#define BAD_SOCKET -1`, `#define NO_FD ((int) -1)`;
 * - cleanup qualifiers: `#define auto_close __attribute__((cleanup(closep)))`, so that
 *   `auto_close int fd = open(...)` is closed on every exit.
 * Each candidate replacement text is parsed by tree-sitter, as the initialiser or the qualifier of
 * a declaration, in one small document of its own.
 */
export interface FileMacros {
  readonly constants: ReadonlyMap<string, number>;
  readonly cleanup: ReadonlySet<string>;
}

export const NO_MACROS: FileMacros = { constants: new Map(), cleanup: new Set() };

const MAX_VALUE = 120;

export function fileMacros(root: Node): FileMacros {
  const lang = root.tree.language;
  const constants: { name: string; value: string }[] = [];
  const cleanups: { name: string; value: string }[] = [];
  for (const def of definitionNodes(root)) {
    if (def.type !== 'preproc_def') continue;
    const nameNode = def.childForFieldName('name');
    const valueNode = def.childForFieldName('value');
    if (nameNode?.type !== 'identifier' || valueNode?.type !== 'preproc_arg') continue;
    const name = nameNode.text;
    const value = valueNode.text.trim();
    if (!name || !value || value.length > MAX_VALUE || value.includes('\n') || value.includes(';') || value.includes('{') || value.includes('}')) continue;
    if (value.includes('cleanup')) cleanups.push({ name, value });
    else if (value.includes('-')) constants.push({ name, value });
  }
  if (!constants.length && !cleanups.length) return NO_MACROS;
  const lines = [
    ...constants.map((c, i) => `int sockscope_c${i} = ${c.value};`),
    ...cleanups.map((c, i) => `${c.value} int sockscope_d${i};`),
  ];
  const parser = new Parser();
  try {
    parser.setLanguage(lang);
    const tree = parser.parse(lines.join('\n'));
    if (!tree) return NO_MACROS;
    try {
      const out = { constants: new Map<string, number>(), cleanup: new Set<string>() };
      for (let i = 0; i < tree.rootNode.namedChildCount; i++) {
        const d = tree.rootNode.namedChild(i);
        if (!d || d.type !== 'declaration' || d.hasError) continue;
        const decl = d.childForFieldName('declarator');
        const name = declaratorName(decl)?.name ?? '';
        const idx = Number(name.slice('sockscope_c'.length));
        if (name.startsWith('sockscope_c') && constants[idx]) {
          const v = constantValue(decl?.childForFieldName('value') ?? null);
          if (v !== null) out.constants.set(constants[idx].name, v);
        } else if (name.startsWith('sockscope_d') && cleanups[idx] && cleanupFunction(d) !== null) {
          out.cleanup.add(cleanups[idx].name);
        }
      }
      return out;
    } finally {
      tree.delete();
    }
  } finally {
    parser.delete();
  }
}
