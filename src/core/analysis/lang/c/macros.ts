import { Parser, type Language, type Node } from 'web-tree-sitter';
import type { CMacroDefinition } from '../../types';
import { fileHintDependencies, hintNames, NO_HINT_DEPENDENCIES, tableHintDependencies, type HintDependencies } from './hintMacros';
import { definitionNodes, objectDefineLines } from './definitions';
import { cleanupFunction, constantValue, declaratorName, strip } from './syntax';

/**
 * What the file's own object-like macros mean to the analysis:
 * - invalid-descriptor constants: `#define BAD_SOCKET -1`, `#define NO_FD ((int) -1)`, `#define NO_HANDLE NULL`;
 * - cleanup qualifiers: `#define auto_close __attribute__((cleanup(closep)))`, so that
 *   `auto_close int fd = open(...)` is closed on every exit.
 * Each candidate replacement text is parsed by tree-sitter, as the initialiser or the qualifier of
 * a declaration, in one small document of its own.
 */
export interface FileMacros {
  /**
   * Invalid-descriptor constants by name; and, under `&NAME` (no identifier), the value of each
   * macro defined as one bit (`#define JOB_PTY 0x4`, `(1 << 3)`), for flag tests (`~flags & JOB_PTY`);
   * and, under `=NAME`, every integer constant of any sign the file defines (an object-like macro written
   * as a number, an enumerator), for the values a function returns (`return MOSQ_ERR_ERRNO;`).
   */
  readonly constants: ReadonlyMap<string, number>;
  readonly cleanup: ReadonlySet<string>;
  /** The file's own function-like macros as branch-prediction hints (hintMacros.ts). */
  readonly hintDeps: HintDependencies;
  /** The names of branch-prediction hints, the file's macros and (once merged) the workspace's included. */
  readonly hints: ReadonlySet<string>;
}

const BASE_HINTS = hintNames(NO_HINT_DEPENDENCIES);

export const NO_MACROS: FileMacros = { constants: new Map(), cleanup: new Set(), hintDeps: NO_HINT_DEPENDENCIES, hints: BASE_HINTS };

/** `macros` with the workspace table's hint macros under the file's own (hintMacros.ts). */
export function withTableHints(macros: FileMacros, table: ReadonlyMap<string, CMacroDefinition> | undefined, lang: Language): FileMacros {
  const ws = tableHintDependencies(table, lang);
  return ws.size ? { ...macros, hints: hintNames(macros.hintDeps, ws) } : macros;
}

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
    // An invalid value: negative, or the null handle (`#define INVALID_EPOLL_HANDLE NULL` where the handle is a `HANDLE`).
    else if (value.includes('-') || /^\(?\s*NULL\s*\)?$/.test(value)) constants.push({ name, value });
  }
  const bits = [...oneBitMacros(root.text), ...integerConstants(root)];
  const hintDeps = fileHintDependencies(root);
  const hints = hintDeps.size ? hintNames(hintDeps) : BASE_HINTS;
  if (!constants.length && !cleanups.length) return bits.length || hintDeps.size ? { constants: new Map(bits), cleanup: new Set(), hintDeps, hints } : NO_MACROS;
  const lines = [
    ...constants.map((c, i) => `int sockscope_c${i} = ${c.value};`),
    ...cleanups.map((c, i) => `${c.value} int sockscope_d${i};`),
  ];
  const parser = new Parser();
  try {
    parser.setLanguage(lang);
    const tree = parser.parse(lines.join('\n'));
    if (!tree) return { ...NO_MACROS, hintDeps, hints };
    try {
      const out = { constants: new Map<string, number>(bits), cleanup: new Set<string>(), hintDeps, hints };
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

/**
 * `#define NAME <one bit>` lines of the text, as [`&NAME`, value]; a name defined twice is left out.
 * Read from the text, not the tree: a flag list inside a header's declarations is often in a part
 * the grammar could not parse. (The text is the file's build configuration: other branches are blank.)
 */
function oneBitMacros(text: string): [string, number][] {
  const seen = new Map<string, number | null>();
  for (const { name, value } of objectDefineLines(text)) {
    const bit = oneBit(value.replace(/\/\*.*?\*\/|\/\/.*$/g, '').trim());
    seen.set(name, seen.has(name) && seen.get(name) !== bit ? null : bit);
  }
  return [...seen].filter((e): e is [string, number] => e[1] !== null).map(([k, v]) => [`&${k}`, v]);
}

/**
 * The file's integer constants, as [`=NAME`, value]: object-like macros written as a number (`#define
 * ERR_IO 14`, `(-2)`, `0x10U`) and enumerators (an explicit value written as a number or an earlier
 * enumerator, else one more than the previous one, the first 0). A name given two values is left out.
 */
export function integerConstants(root: Node): [string, number][] {
  const seen = new Map<string, number | null>();
  const add = (name: string, v: number | null) => seen.set(name, seen.has(name) && seen.get(name) !== v ? null : v);
  for (const { name, value } of objectDefineLines(root.text)) {
    const m = /^\(?\s*(-?)\s*(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*\s*\)?$/.exec(value.replace(/\/\*.*?\*\/|\/\/.*$/g, '').trim());
    if (!m) continue;
    const v = Number(m[2]!.startsWith('0') && !/^0[xX]/.test(m[2]!) && m[2]!.length > 1 ? parseInt(m[2]!, 8) : Number(m[2]));
    if (Number.isSafeInteger(v)) add(name, m[1] ? -v : v);
  }
  if (root.text.includes('enum')) {
    for (const list of root.descendantsOfType('enumerator_list')) {
      let next: number | null = 0;
      for (const e of list?.namedChildren ?? []) {
        if (e?.type !== 'enumerator') continue;
        const name = e.childForFieldName('name')?.text;
        const valueNode = e.childForFieldName('value');
        let v: number | null = next;
        if (valueNode) {
          const c = strip(valueNode);
          v = c?.type === 'identifier' ? seen.get(c.text) ?? null : constantValue(valueNode);
          if (v !== null && !Number.isSafeInteger(v)) v = null;
        }
        if (name) add(name, v);
        next = v === null ? null : v + 1;
      }
    }
  }
  return [...seen].filter((e): e is [string, number] => e[1] !== null).map(([k, v]) => [`=${k}`, v]);
}

/** The value of a macro written as one bit (`0x4`, `8`, `(1 << 3)`, `0x10U`), else null. */
export function oneBit(value: string): number | null {
  const m = /^\(?\s*(?:(0[xX][0-9a-fA-F]+|[1-9][0-9]*)|1\s*<<\s*([0-9]+))[uUlL]*\s*\)?$/.exec(value);
  if (!m) return null;
  const v = m[1] !== undefined ? Number(m[1]) : m[2] !== undefined && Number(m[2]) < 31 ? 2 ** Number(m[2]) : NaN;
  return Number.isSafeInteger(v) && v > 0 && (v & (v - 1)) === 0 ? v : null;
}
