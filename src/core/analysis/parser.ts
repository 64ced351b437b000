import * as fs from 'fs';
import * as path from 'path';
import { Language, Parser, Query, type Tree } from 'web-tree-sitter';
import { reparse, type Replacement } from './reparse';
import type { LanguageId } from './types';

/** A parsed text and the replacements (sorted, not overlapping) that lead from it to the text parsed next. */
export interface ReparseBase {
  readonly tree: Tree;
  readonly text: string;
  readonly replacements: readonly Replacement[];
}

/**
 * Lazily loads web-tree-sitter and the grammar wasm files (each grammar on its first use).
 * The wasm directory is dist/wasm next to the bundle; unbundled test builds (out/) and the
 * source tree fall back to the npm packages in node_modules.
 */
let wasmDirOverride: string | undefined;
let ready: Promise<void> | undefined;
const languages = new Map<LanguageId, Promise<Language>>();

export function setWasmDir(dir: string): void {
  wasmDirOverride = dir;
}

function wasmPath(file: string): string {
  const candidates: string[] = [];
  if (wasmDirOverride) candidates.push(path.join(wasmDirOverride, file));
  if (process.env.SOCKSCOPE_WASM_DIR) candidates.push(path.join(process.env.SOCKSCOPE_WASM_DIR, file));
  candidates.push(path.join(__dirname, 'wasm', file));
  // Walk up from this file to a folder holding dist/wasm (the repo root when running from out/).
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    candidates.push(path.join(dir, 'dist', 'wasm', file));
    if (path.dirname(dir) === dir) break;
  }
  for (const c of candidates) if (fs.existsSync(c)) return c;
  try {
    const pkg = file === 'web-tree-sitter.wasm' ? 'web-tree-sitter' : file.replace(/\.wasm$/, '');
    return require.resolve(`${pkg}/${file}`);
  } catch {
    throw new Error(`SockScope could not find ${file} (looked in ${candidates[0]} and the npm packages). Rebuild with \`npm run build\`.`);
  }
}

const queries = new WeakMap<Language, Map<string, Query>>();

/** The query of `source` for a grammar, compiled on first use and kept for the life of the process. */
export function compiledQuery(lang: Language, source: string): Query {
  let bySource = queries.get(lang);
  if (!bySource) queries.set(lang, (bySource = new Map()));
  let q = bySource.get(source);
  if (!q) bySource.set(source, (q = new Query(lang, source)));
  return q;
}

export async function loadLanguage(id: LanguageId): Promise<Language> {
  ready ??= Parser.init({ locateFile: (f: string) => wasmPath(f) });
  await ready;
  let lang = languages.get(id);
  if (!lang) {
    lang = Language.load(wasmPath(`tree-sitter-${id}.wasm`));
    languages.set(id, lang);
  }
  return lang;
}

/**
 * Where withTree looks for a tree parsed already: the analysis worker keeps each open document's tree
 * and re-parses it incrementally after an edit. `lookup` answers only for exactly this language and text.
 */
export interface TreeCache {
  lookup(id: LanguageId, text: string): Tree | undefined;
  /** A tree of a text that is no document's (one derived from a document's text), which the cache then owns. */
  derive?(id: LanguageId, text: string): Tree | undefined;
}
let treeCache: TreeCache | undefined;

/** Installs (or with undefined removes) the tree cache withTree consults; returns the previous one. */
export function setTreeCache(cache: TreeCache | undefined): TreeCache | undefined {
  const previous = treeCache;
  treeCache = cache;
  return previous;
}

/**
 * Parses `text` and hands the tree to `use`; the tree and parser are freed afterwards (they live in wasm
 * memory). A tree from the tree cache is used as it is and stays alive (its owner frees it). With `from`
 * (a tree of another text and the replacements that make `text` of it), `text` is parsed incrementally
 * from that tree when the cache has none (see reparse.ts); `from.tree` stays the caller's.
 */
export async function withTree<T>(id: LanguageId, text: string, use: (tree: Tree) => T, from?: ReparseBase): Promise<T> {
  return parseWith(id, text, use, from, true);
}

/**
 * withTree for a text that is read once and is no document's derivative (another file of the project,
 * read from disk): an open document's tree of the same text is used, but the tree cache is not asked to
 * derive and keep a tree for it, which would push out the trees it keeps for the documents' analyses.
 */
export async function withTransientTree<T>(id: LanguageId, text: string, use: (tree: Tree) => T): Promise<T> {
  return parseWith(id, text, use, undefined, false);
}

/**
 * Set once a call into tree-sitter's WebAssembly trapped (a `WebAssembly.RuntimeError` such as "memory access out of
 * bounds"): its memory may be damaged, and every later parse in this process or worker could fail or, worse, give
 * wrong trees. Parses then refuse with this message; the analysis worker ends itself after such a request so that
 * the next one starts a fresh instance (core/worker/thread.ts).
 */
let broken: string | undefined;

/** Why tree-sitter can no longer be used in this process or worker, or undefined while it can. */
export function parserBroken(): string | undefined {
  return broken;
}

function noteTrap(e: unknown): void {
  if (!broken && e instanceof WebAssembly.RuntimeError) {
    broken = `the tree-sitter parser failed on an earlier file (${e.message}) and cannot be used again in this process`;
  }
}

async function parseWith<T>(id: LanguageId, text: string, use: (tree: Tree) => T, from: ReparseBase | undefined, derive: boolean): Promise<T> {
  if (broken) throw new Error(broken);
  try {
    return await parseOnce(id, text, use, from, derive);
  } catch (e) {
    noteTrap(e);
    throw e;
  }
}

async function parseOnce<T>(id: LanguageId, text: string, use: (tree: Tree) => T, from: ReparseBase | undefined, derive: boolean): Promise<T> {
  const language = await loadLanguage(id); // runs Parser.init() first: no Parser may exist before it
  const cached = treeCache?.lookup(id, text) ?? (derive ? treeCache?.derive?.(id, text) : undefined);
  if (cached) return use(cached);
  return parseInto(language, text, use, from ? (parser) => reparse(parser, from.tree, from.text, from.replacements, text) : undefined);
}

/**
 * Parses `text` with `language` (a language already loaded) in a parser of its own, or with `parse` (a re-parse from
 * an earlier tree), and gives the tree to `use`; the parser and the tree are freed afterwards.
 */
export function parseInto<T>(language: Language, text: string, use: (tree: Tree) => T, parse?: (parser: Parser) => Tree | null): T {
  const parser = new Parser();
  try {
    parser.setLanguage(language);
    const tree = parse ? parse(parser) : parser.parse(text);
    if (!tree) throw new Error('tree-sitter returned no tree');
    try {
      return use(tree);
    } finally {
      tree.delete();
    }
  } finally {
    parser.delete();
  }
}
