/**
 * Test support: temporary project trees on disk (the tests of the Java and Python project facts, which read other
 * files of a project) and the one-line rows tests compare findings by. Used by tests only; nothing in the
 * extension or the CLI imports it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { AnalysisResult } from '../types';

/** A fresh empty folder under the system's temporary folder, named `sockscope-<name>-…`. */
export function tempRoot(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sockscope-${name}-`));
}

/** Writes `lines` (each ended by a newline) to `root/rel`, making its folders; returns the file's path. */
export function writeLines(root: string, rel: string, lines: readonly string[]): string {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

/** Runs `use` on the tree `make` builds (its `root` a folder of tempRoot's), then removes the tree, whatever `use` does. */
export async function withProject<P extends { readonly root: string }, R>(make: () => P, use: (project: P) => Promise<R>): Promise<R> {
  const project = make();
  try {
    return await use(project);
  } finally {
    fs.rmSync(project.root, { recursive: true, force: true });
  }
}

/** A finding as `<1-based line> <function> <variable> <severity>`. */
export function findingRows(result: AnalysisResult): string[] {
  return result.findings.map((f) => `${f.range.start.line + 1} ${f.function} ${f.variable} ${f.severity ?? 'warning'}`);
}

/** A finding as `<1-based line> <rule id> <variable>`. */
export function ruleRows(result: Pick<AnalysisResult, 'findings'>): string[] {
  return result.findings.map((f) => `${f.range.start.line + 1} ${f.ruleId} ${f.variable}`);
}
