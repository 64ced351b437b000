/**
 * Test support for the analyzer corpora in test/fixtures/<lang>/: every source file there comes with
 * `<name>.expected.json` = `[{ "line": <1-based>, "variable": "<name>" }]`, the ground truth for the
 * corpus, fix and fuzz tests (scripts/bench-analysis.mjs reads the same files).
 * Used by tests only; nothing in the extension or the CLI imports it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { languageForFile } from './sources';
import { checkWithTool, type ToolCheck } from './testing/toolCheck';
import type { Finding, LanguageId } from './types';

export interface ExpectedFinding {
  readonly line: number;
  readonly variable: string;
  /**
   * Why no fix may be offered for this finding (`"noFix": "reason"` in expected.json): the engine
   * cannot prove a release there is safe. Absent: a fix must be offered.
   */
  readonly noFix?: string;
}

export interface CorpusCase {
  /** File name inside the corpus folder, e.g. `early_return_leak.c`. */
  readonly name: string;
  readonly file: string;
  readonly language: LanguageId;
  readonly text: string;
  readonly expected: readonly ExpectedFinding[];
}

/** The repository's test/fixtures folder, found by walking up from this file (works from src/ and out-x/src/). */
export function fixturesRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'fixtures');
    if (fs.existsSync(path.join(candidate, 'c'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`test/fixtures not found above ${__dirname}`);
  }
}

function parseExpected(file: string): ExpectedFinding[] {
  const data: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(data)) throw new Error(`${file}: expected a JSON array`);
  return data.map((e: unknown, i) => {
    const o = e as { line?: unknown; variable?: unknown; noFix?: unknown };
    if (typeof o?.line !== 'number' || typeof o.variable !== 'string') throw new Error(`${file}[${i}]: need {"line": number, "variable": string}`);
    if (o.noFix !== undefined && typeof o.noFix !== 'string') throw new Error(`${file}[${i}]: "noFix" is the reason, a string`);
    return typeof o.noFix === 'string' ? { line: o.line, variable: o.variable, noFix: o.noFix } : { line: o.line, variable: o.variable };
  });
}

/** Every analysable source in test/fixtures/<corpus>/ with its expected findings (sorted by name). */
export function loadCorpus(corpus: string): CorpusCase[] {
  const dir = path.join(fixturesRoot(), corpus);
  const cases: CorpusCase[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const language = languageForFile(name);
    if (!language) continue;
    const file = path.join(dir, name);
    const expectedFile = path.join(dir, name.slice(0, name.length - path.extname(name).length) + '.expected.json');
    if (!fs.existsSync(expectedFile)) throw new Error(`${name} has no ${path.basename(expectedFile)}`);
    cases.push({ name, file, language, text: fs.readFileSync(file, 'utf8'), expected: parseExpected(expectedFile) });
  }
  return cases;
}

/** 1-based (line, variable) key used to compare findings with expected.json. */
export function findingKey(f: ExpectedFinding): string {
  return `line ${f.line}: ${f.variable}`;
}

export function actualFindings(findings: readonly Finding[]): ExpectedFinding[] {
  return findings.map((f) => ({ line: f.range.start.line + 1, variable: f.variable }));
}

/** A readable diff of expected vs actual findings, or '' when they are the same set. */
export function diffFindings(expected: readonly ExpectedFinding[], findings: readonly Finding[]): string {
  const want = new Set(expected.map(findingKey));
  const got = new Map(findings.map((f) => [findingKey({ line: f.range.start.line + 1, variable: f.variable }), f]));
  const lines: string[] = [];
  for (const k of [...want].sort()) if (!got.has(k)) lines.push(`  missing  ${k}`);
  for (const [k, f] of [...got].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (!want.has(k)) lines.push(`  extra    ${k}  (${f.ruleId}: ${f.message})`);
  }
  return lines.join('\n');
}

/**
 * `gcc -fsyntax-only -Wall` (g++ for C++) on `text`, written to a temp file named like `nameHint`.
 * Calling an undeclared function is an error here (gcc 12 only warns): a fix must not call `close`
 * in a file that does not declare it.
 */
export function compileSyntaxOnly(text: string, language: LanguageId, nameHint: string): Promise<ToolCheck> {
  const lang = language === 'cpp' ? ['-x', 'c++'] : ['-x', 'c', '-Werror=implicit-function-declaration'];
  return checkWithTool('sockscope-cc-', text, nameHint, language === 'cpp' ? 'g++' : 'gcc', (file) => ['-fsyntax-only', '-Wall', ...lang, file], 60000);
}
