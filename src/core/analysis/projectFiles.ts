/**
 * Facts taken from the other files of a project (Java's project classes, Python's project modules): each
 * file read as saved, lazily, and kept while its size and modification time do not change; the file
 * being checked taken from the text analysed (the editor's buffer), the last few such texts kept. Files
 * are parsed without taking places in the analysis worker's tree cache (withTransientTree).
 */
import { createHash } from 'crypto';
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

/** A digest of a text: facts depend on the text alone, so two equal digests share them. */
function digestOf(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

export class ProjectFiles<F> {
  private readonly files = new Map<string, { stamp: string; digest: string; facts: F | null }>();
  private readonly checked = new Map<string, { digest: string; facts: F | null }>();

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
    if (!loaded.ok) {
      this.files.set(file, { stamp, digest: '', facts: null });
      return null;
    }
    // A file checked as it is saved (the CLI checks every file, then other files look it up) is parsed once.
    const digest = digestOf(loaded.text);
    const checked = this.checked.get(file);
    const facts = checked?.digest === digest ? checked.facts : known?.digest === digest ? known.facts : await this.parse(loaded.text);
    this.files.set(file, { stamp, digest, facts });
    return facts;
  }

  /** The facts of the text being checked as `file`, or null when it does not parse. */
  async ofText(file: string, text: string): Promise<F | null> {
    const digest = digestOf(text);
    const known = this.checked.get(file);
    if (known?.digest === digest) return known.facts;
    // The text as saved, read before as another file's (an editor buffer without unsaved changes) is not parsed again.
    const saved = this.files.get(file);
    const facts = saved?.digest === digest ? saved.facts : await this.parse(text);
    this.checked.delete(file);
    this.checked.set(file, { digest, facts });
    while (this.checked.size > CHECKED_TEXTS) this.checked.delete(this.checked.keys().next().value!);
    return facts;
  }

  /** `file` from `text` when given (the text being analysed), else as saved. */
  of(file: string, text?: string): Promise<F | null> {
    return text === undefined ? this.ofFile(file) : this.ofText(file, text);
  }
}
