/**
 * Fix-safety suite (tests only): the behaviour cases in test/fixtures/fixsafety/<lang>/. A case is a
 * minimal source file `<id>.<ext>` with a driver `<id>.driver.<ext>` that runs the code on each path
 * (see the harness file of the folder). Cases named `safe_*` are real leaks whose fix must stay offered.
 */
import * as fs from 'fs';
import * as path from 'path';
import { fixturesRoot } from '../corpusFixtures';
import { languageForFile } from '../index';
import type { LanguageId } from '../types';

export type CaseFolder = 'c' | 'python' | 'go' | 'java';

export interface BehaviourCase {
  /** `<folder>/<file name without extension>`, e.g. `c/own_close_elsewhere`: the key in known-unsafe.json. */
  readonly id: string;
  readonly folder: CaseFolder;
  readonly language: LanguageId;
  readonly file: string;
  readonly text: string;
  readonly driverFile: string;
  /** A fix must be offered (the case is a real leak with a safe fix). */
  readonly mustOffer: boolean;
}

export const CASE_FOLDERS: readonly CaseFolder[] = ['c', 'python', 'go', 'java'];

export function fixSafetyRoot(): string {
  return path.join(fixturesRoot(), 'fixsafety');
}

/** The folder's support files (harness, shared declarations) that every driver build needs. */
export function supportFiles(folder: CaseFolder): string[] {
  const dir = path.join(fixSafetyRoot(), folder);
  return fs.readdirSync(dir).sort().filter((n) => !n.includes('.driver.') && !isCaseSource(dir, n) && !n.endsWith('.md')).map((n) => path.join(dir, n));
}

function isCaseSource(dir: string, name: string): boolean {
  const ext = path.extname(name);
  if (!languageForFile(name) || name.includes('.driver.')) return false;
  return fs.existsSync(path.join(dir, `${name.slice(0, -ext.length)}.driver${ext}`));
}

export function loadCases(folder: CaseFolder): BehaviourCase[] {
  const dir = path.join(fixSafetyRoot(), folder);
  const cases: BehaviourCase[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    if (!isCaseSource(dir, name)) continue;
    const ext = path.extname(name);
    const base = name.slice(0, -ext.length);
    const file = path.join(dir, name);
    cases.push({
      id: `${folder}/${base}`, folder, language: languageForFile(name)!, file, text: fs.readFileSync(file, 'utf8'),
      driverFile: path.join(dir, `${base}.driver${ext}`), mustOffer: /^safe_|^Safe/.test(base),
    });
  }
  return cases;
}
