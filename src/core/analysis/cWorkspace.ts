/**
 * Building the C/C++ workspace index (lang/c/workspaceIndex.ts) from files on disk, for the CLI and the
 * editor's worker: headers first (their constant macros are then known when the sources are lowered),
 * one file at a time, with a hook between files so a caller can yield to other work.
 */
import * as path from 'path';
import { CWorkspaceIndex } from './lang/c/workspaceIndex';
import { discoverSources, loadSourceAsync, type SourceFile } from './workspace';

const HEADER = /\.(h|hh|hpp|hxx)$/i;

/** The key of a file in the index (the same for the indexing and the analysis of that file). */
export function workspaceKey(file: string): string {
  return path.resolve(file);
}

/** C/C++ files, headers first, then by path. */
export function indexOrder(files: readonly SourceFile[]): SourceFile[] {
  return files.filter((f) => f.language === 'c' || f.language === 'cpp')
    .sort((a, b) => Number(!HEADER.test(a.path)) - Number(!HEADER.test(b.path)) || a.path.localeCompare(b.path));
}

/** A file's text as the index reads it; undefined when it is unreadable, huge or binary (the index skips it). */
export async function loadIndexable(file: string): Promise<string | undefined> {
  const loaded = await loadSourceAsync(file);
  return loaded.ok && !loaded.text.includes('\u0000') ? loaded.text : undefined;
}

export interface IndexStats {
  readonly files: number;
  readonly skipped: number;
  readonly ms: number;
}

/**
 * Indexes the C/C++ files among `files` (read from disk; unreadable, huge or binary ones are skipped).
 * `between` runs after each file (the worker yields there).
 */
export async function indexFiles(index: CWorkspaceIndex, files: readonly SourceFile[], between?: () => Promise<void>): Promise<IndexStats> {
  const started = Date.now();
  let n = 0;
  let skipped = 0;
  for (const f of indexOrder(files)) {
    const text = await loadIndexable(f.path);
    if (text === undefined) skipped++;
    else {
      try {
        await index.update(workspaceKey(f.path), text, f.language as 'c' | 'cpp');
        n++;
      } catch {
        skipped++;
      }
    }
    if (between) await between();
  }
  return { files: n, skipped, ms: Date.now() - started };
}

/** Indexes the C/C++ files under the given files and folders. */
export async function indexFolders(index: CWorkspaceIndex, inputs: readonly string[]): Promise<IndexStats> {
  return indexFiles(index, discoverSources(inputs).files);
}
