/**
 * Facts taken from the other files of a project (Java's project classes, Python's project modules): each
 * file read as saved, lazily, and kept while its size and modification time do not change; the file
 * being checked taken from the text analysed (the editor's buffer), the last few such texts kept. Files
 * are parsed without taking places in the analysis worker's tree cache (withTransientTree).
 */
import * as fs from 'fs';
import type { Tree } from 'web-tree-sitter';
import { withTransientTree } from './parser';
import type { LanguageId } from './types';
import { loadSourceAsync } from './workspace';

/** The texts checked whose facts are kept (the editor re-analyses one buffer after each edit). */
const CHECKED_TEXTS = 8;

/** `size:mtime` of a regular file, or null when it is not one. */
export function stampOf(file: string): string | null {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? `${st.size}:${st.mtimeMs}` : null;
  } catch {
    return null;
  }
}

export class ProjectFiles<F> {
  private readonly files = new Map<string, { stamp: string; facts: F | null }>();
  private readonly checked = new Map<string, { text: string; facts: F | null }>();

  constructor(private readonly language: LanguageId, private readonly factsOfTree: (tree: Tree) => F) {}

  private async parse(text: string): Promise<F | null> {
    try {
      return await withTransientTree(this.language, text, this.factsOfTree);
    } catch {
      return null;
    }
  }

  /** The facts of a file as saved, or null when it cannot be read or parsed. */
  async ofFile(file: string): Promise<F | null> {
    const stamp = stampOf(file);
    if (stamp === null) return null;
    const known = this.files.get(file);
    if (known?.stamp === stamp) return known.facts;
    const loaded = await loadSourceAsync(file);
    const facts = loaded.ok ? await this.parse(loaded.text) : null;
    this.files.set(file, { stamp, facts });
    return facts;
  }

  /** The facts of the text being checked as `file`, or null when it does not parse. */
  async ofText(file: string, text: string): Promise<F | null> {
    const known = this.checked.get(file);
    if (known?.text === text) return known.facts;
    const facts = await this.parse(text);
    this.checked.delete(file);
    this.checked.set(file, { text, facts });
    while (this.checked.size > CHECKED_TEXTS) this.checked.delete(this.checked.keys().next().value!);
    return facts;
  }

  /** `file` from `text` when given (the text being analysed), else as saved. */
  of(file: string, text?: string): Promise<F | null> {
    return text === undefined ? this.ofFile(file) : this.ofText(file, text);
  }
}
