import type { Node } from 'web-tree-sitter';
import type { LineIndex } from '../edits';
import { dominantEol } from '../fileio/eol';
import type { AnalysisOptions, Finding, LanguageId } from '../types';
import type { FunctionCache, Inputs } from './functionCache';

/**
 * Re-analysis after an edit re-runs only the functions whose result may have changed; every language
 * drives its functions through here. A function's result is reused when its key (`functionKey`: its
 * text, what stands before it on its first line, the options, the file-wide facts the language's
 * analysis reads) is the same and its named inputs (`CallInputs`: the definitions of the functions it
 * calls, transitively) still have the values they had. A result is stored only when it is complete
 * and owes nothing to the time budget: no notes, and the deadline not passed when it was computed.
 */

/** A function's result and what it depends on besides its key. */
export interface Analysed {
  readonly findings: readonly Finding[];
  /** False when it depends on more than the key and the inputs (e.g. a hand-off from another function). */
  readonly reusable: boolean;
  /** What else it depends on, by name (`CallInputs`); null: too much to name (then it is not stored). */
  readonly inputs?: () => Inputs | null;
}

/**
 * The key of a function: the language, the options, the file's line ending (fixes write it), the text
 * before the function on its first line (indentation decides positions and fixes), whether its parse
 * has errors (no fix then), the file-wide facts the language reads (imports, field types, …) and the
 * function's text.
 */
export function functionKey(language: LanguageId, fn: Node, text: string, options: AnalysisOptions, fileFacts: readonly string[]): string {
  const lineStart = text.lastIndexOf('\n', fn.startIndex - 1) + 1;
  const parts = [language, fileEol(text), text.slice(lineStart, fn.startIndex), (options.ownershipTransfers ?? []).join('\n'), fn.hasError ? 'E' : '',
    ...fileFacts, fn.text];
  // Each part with its length: no two different lists of parts make the same key.
  return parts.map((p) => `${p.length}:${p}`).join('');
}

let lastEol: { readonly text: string; readonly eol: string } | undefined;

/** The dominant line ending of `text` (remembered for the last text: every function of a file asks). */
function fileEol(text: string): string {
  if (lastEol?.text !== text) lastEol = { text, eol: dominantEol(text) };
  return lastEol.eol;
}

/** One file's analysis: looks functions up in the cache, analyses the others and stores what may be reused. */
export class FileReuse {
  /** Functions whose result came from the cache (tests, benchmarks). */
  reused = 0;

  constructor(
    private readonly cache: FunctionCache,
    private readonly lines: LineIndex,
    private readonly deadline: number | undefined,
    private readonly current?: (input: string) => string,
  ) {}

  /**
   * Adds the findings and notes of `fn` to `out`: the cached ones when `key` (null: never cached) and
   * the inputs match, else `analyse`'s.
   */
  run(fn: Node, key: string | null, analyse: (notes: string[]) => Analysed, out: { findings: Finding[]; notes: string[] }): void {
    const startLine = this.lines.position(fn.startIndex).line;
    const cached = key === null ? undefined : this.cache.get(key, startLine, this.current);
    if (cached) {
      this.reused++;
      out.findings.push(...cached.findings);
      out.notes.push(...cached.notes);
      return;
    }
    const notes: string[] = [];
    const result = analyse(notes);
    out.findings.push(...result.findings);
    out.notes.push(...notes);
    if (key === null || !result.reusable || notes.length > 0) return;
    if (this.deadline !== undefined && Date.now() > this.deadline) return; // a summary may have been cut short
    const named = result.inputs ? result.inputs() : undefined;
    if (named === null) return;
    this.cache.set(key, startLine, this.lines.position(fn.endIndex).line, { findings: result.findings, notes }, named);
  }
}

/** The text of a name's definitions ('' for none: a definition added later is a change). */
function definitionsText(defs: readonly Node[]): string {
  return defs.map((d) => d.text).join('\u0000');
}

/**
 * What a function's result depends on through calls to functions of the same file (their summaries):
 * each name it calls with the text of that name's definitions, and the same for the calls in those
 * definitions, transitively. One per file analysis (it remembers today's definitions by name).
 */
export class CallInputs {
  private readonly texts = new Map<string, string>();
  private readonly calls = new Map<number, readonly string[]>();

  /**
   * `callsOf`: the names under which a function's calls find their same-file definitions (`definitions`).
   * Past `limit` definitions, a function's inputs are too many to name.
   */
  constructor(
    private readonly callsOf: (fn: Node) => Iterable<string>,
    private readonly definitions: (name: string) => readonly Node[],
    private readonly limit = 64,
  ) {}

  /** Today's value of an input. */
  readonly current = (name: string): string => {
    let t = this.texts.get(name);
    if (t === undefined) this.texts.set(name, (t = definitionsText(this.definitions(name))));
    return t;
  };

  /** The inputs of `fn`, or null when they pass the limit. */
  of(fn: Node): Inputs | null {
    const out = new Map<string, string>();
    const queue: Node[] = [fn];
    let defs = 0;
    while (queue.length) {
      const f = queue.pop()!;
      for (const name of this.callsOf_(f)) {
        if (out.has(name)) continue;
        out.set(name, this.current(name));
        for (const d of this.definitions(name)) {
          if (++defs > this.limit) return null;
          queue.push(d);
        }
      }
    }
    return out;
  }

  private callsOf_(fn: Node): readonly string[] {
    let c = this.calls.get(fn.id);
    if (!c) this.calls.set(fn.id, (c = [...new Set(this.callsOf(fn))]));
    return c;
  }
}
