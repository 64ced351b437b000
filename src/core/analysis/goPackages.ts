/**
 * The other files of a Go file's package, for the CLI and the editor's worker: a Go package is the
 * `.go` files of one folder, so the analysis of a file uses the declarations of its siblings (see
 * lang/go/packageDecls.ts). Read lazily, the first time a file of that folder is analysed, and kept
 * per file until its size or modification time changes. Test files (`_test.go`) belong to the package
 * only for the analysis of test files.
 */
import * as fs from 'fs';
import * as path from 'path';
import { fileDecls, type GoFileDecls } from './lang/go/packageDecls';
import { loadSourceAsync } from './workspace';

/** Folders with more Go files than this are read only up to it (generated code). */
const MAX_SIBLINGS = 400;

interface Entry {
  readonly stamp: string;
  readonly decls: GoFileDecls | null;
}

export class GoPackages {
  private readonly files = new Map<string, Entry>();

  /** The declarations of the other Go files of `file`'s folder (test files only for a test file). */
  async siblings(file: string): Promise<GoFileDecls[]> {
    const abs = path.resolve(file);
    const dir = path.dirname(abs);
    const isTest = abs.endsWith('_test.go');
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => n.endsWith('.go') && (isTest || !n.endsWith('_test.go'))).sort().slice(0, MAX_SIBLINGS);
    } catch {
      return [];
    }
    const out: GoFileDecls[] = [];
    for (const n of names) {
      const p = path.join(dir, n);
      if (p === abs) continue;
      const d = await this.decls(p);
      if (d) out.push(d);
    }
    return out;
  }

  private async decls(p: string): Promise<GoFileDecls | null> {
    let stamp: string;
    try {
      const st = fs.statSync(p);
      if (!st.isFile()) return null;
      stamp = `${st.size}:${st.mtimeMs}`;
    } catch {
      return null;
    }
    const known = this.files.get(p);
    if (known?.stamp === stamp) return known.decls;
    const loaded = await loadSourceAsync(p);
    let decls: GoFileDecls | null = null;
    if (loaded.ok && !loaded.text.includes('\u0000')) {
      try {
        decls = await fileDecls(loaded.text);
      } catch {
        decls = null;
      }
    }
    this.files.set(p, { stamp, decls });
    return decls;
  }
}
