import { Edit, Parser, type Point, type Tree } from 'web-tree-sitter';
import { loadLanguage, type TreeCache } from '../analysis/parser';
import { pointAfter } from '../analysis/reparse';
import type { LanguageId } from '../analysis/types';

/**
 * One change of a document as VS Code reports it (TextDocumentContentChangeEvent): the text from
 * `rangeOffset` to `rangeOffset + rangeLength` (UTF-16 code units, in the text as it was before this
 * change) becomes `text`. The changes of one event are applied in their order.
 */
export interface TextChange {
  readonly rangeOffset: number;
  readonly rangeLength: number;
  readonly text: string;
}

/** How `update` brought a tree up to date: no edit since the last parse, re-parse of an edited tree, or a parse from scratch. */
export type ParseKind = 'unchanged' | 'incremental' | 'full';

interface DocumentTree {
  readonly language: LanguageId;
  /** The text the tree describes once it is re-parsed: the last parsed text with every edit since applied. */
  text: string;
  tree: Tree;
  /** Edits applied to `tree` since its last parse (an incremental parse is due). */
  edited: boolean;
}

/** A tree of a text derived from a document's (see DocumentTrees.derive). */
interface DerivedTree {
  readonly language: LanguageId;
  readonly text: string;
  readonly tree: Tree;
}

/** Derived trees kept (a file's build configurations and their macro rewrites). */
const DERIVED_TREES = 4;

/** The lengths of the common prefix of `a` and `b`, and of their common suffix after it. */
function commonEnds(a: string, b: string): [number, number] {
  const n = Math.min(a.length, b.length);
  let p = 0;
  while (p < n && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let q = 0;
  while (q < n - p && a.charCodeAt(a.length - 1 - q) === b.charCodeAt(b.length - 1 - q)) q++;
  return [p, q];
}

/** Row (count of '\n') and column (UTF-16 code units since the last '\n') of `offset`, as tree-sitter counts them. */
function pointAt(text: string, offset: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/**
 * The syntax trees of open documents, kept between analyses: VS Code's changes are applied to the
 * old tree (`tree.edit`) as they come, and the next `update` re-parses with tree-sitter's incremental
 * parse (`parser.parse(newText, oldTree)`), which reuses every subtree the edits did not touch.
 * As a TreeCache, it hands the analyzers the tree of a document whose text they are asked to parse.
 */
export class DocumentTrees implements TreeCache {
  private readonly documents = new Map<string, DocumentTree>();
  private readonly parsers = new Map<LanguageId, Parser>();
  private readonly derived: DerivedTree[] = [];

  /** Applies one change event to a known document's tree and text; an unknown document is ignored. */
  edit(document: string, changes: readonly TextChange[]): void {
    const doc = this.documents.get(document);
    if (!doc) return;
    for (const c of changes) {
      const end = c.rangeOffset + c.rangeLength;
      if (c.rangeOffset < 0 || c.rangeLength < 0 || end > doc.text.length) {
        // Out of step with the editor (a change was missed): the next update parses from scratch.
        this.forget(document);
        return;
      }
      const startPosition = pointAt(doc.text, c.rangeOffset);
      const oldEndPosition = pointAt(doc.text, end);
      doc.tree.edit(new Edit({
        startIndex: c.rangeOffset,
        oldEndIndex: end,
        newEndIndex: c.rangeOffset + c.text.length,
        startPosition,
        oldEndPosition,
        newEndPosition: pointAfter(startPosition, c.text),
      }));
      doc.text = doc.text.slice(0, c.rangeOffset) + c.text + doc.text.slice(end);
      doc.edited = true;
    }
  }

  /**
   * Makes the document's tree describe `text`: an incremental re-parse when the edits received since
   * the last parse lead to exactly this text, a full parse otherwise (first analysis, another
   * language, a missed change).
   */
  async update(document: string, language: LanguageId, text: string): Promise<ParseKind> {
    const parser = await this.parser(language);
    const doc = this.documents.get(document);
    const reuse = doc && doc.language === language && doc.text === text ? doc : undefined;
    if (reuse && !reuse.edited) return 'unchanged';
    const tree = parser.parse(text, reuse?.tree ?? null);
    if (!tree) throw new Error('tree-sitter returned no tree');
    if (doc) doc.tree.delete();
    this.documents.set(document, { language, text, tree, edited: false });
    return reuse ? 'incremental' : 'full';
  }

  /**
   * A tree of a text derived from a document (a C build configuration, a text with macro rewrites): the
   * most similar text parsed this way before is edited into it (one replaced region, found by the common
   * prefix and suffix) and re-parsed incrementally; a new text parses from scratch. The last
   * DERIVED_TREES are kept (the cache owns them, as the documents' trees).
   */
  derive(id: LanguageId, text: string): Tree | undefined {
    const parser = this.parsers.get(id);
    if (!parser) return undefined;
    let best: { entry: DerivedTree; prefix: number; suffix: number } | undefined;
    for (const d of this.derived) {
      if (d.language !== id) continue;
      if (d.text === text) return d.tree;
      const [prefix, suffix] = commonEnds(d.text, text);
      if (!best || prefix + suffix > best.prefix + best.suffix) best = { entry: d, prefix, suffix };
    }
    let tree: Tree | null;
    // Worth it only when most of the text is the same.
    if (best && best.prefix + best.suffix >= text.length / 2) {
      const { entry, prefix, suffix } = best;
      const oldEnd = entry.text.length - suffix;
      const newEnd = text.length - suffix;
      const startPosition = pointAt(entry.text, prefix);
      entry.tree.edit(new Edit({
        startIndex: prefix,
        oldEndIndex: oldEnd,
        newEndIndex: newEnd,
        startPosition,
        oldEndPosition: pointAt(entry.text, oldEnd),
        newEndPosition: pointAfter(startPosition, text.slice(prefix, newEnd)),
      }));
      tree = parser.parse(text, entry.tree);
      entry.tree.delete();
      this.derived.splice(this.derived.indexOf(entry), 1);
    } else tree = parser.parse(text);
    if (!tree) return undefined;
    this.derived.push({ language: id, text, tree });
    while (this.derived.length > DERIVED_TREES) this.derived.shift()!.tree.delete();
    return tree;
  }

  lookup(id: LanguageId, text: string): Tree | undefined {
    for (const doc of this.documents.values()) {
      if (doc.language === id && !doc.edited && doc.text === text) return doc.tree;
    }
    return undefined;
  }

  /** Frees a document's tree (it was closed). */
  forget(document: string): void {
    this.documents.get(document)?.tree.delete();
    this.documents.delete(document);
  }

  /** How many documents have a tree (tests). */
  get size(): number {
    return this.documents.size;
  }

  private async parser(language: LanguageId): Promise<Parser> {
    const lang = await loadLanguage(language); // Parser.init() first
    let parser = this.parsers.get(language);
    if (!parser) {
      parser = new Parser();
      parser.setLanguage(lang);
      this.parsers.set(language, parser);
    }
    return parser;
  }

  dispose(): void {
    for (const key of [...this.documents.keys()]) this.forget(key);
    for (const d of this.derived.splice(0)) d.tree.delete();
    for (const p of this.parsers.values()) p.delete();
    this.parsers.clear();
  }
}
