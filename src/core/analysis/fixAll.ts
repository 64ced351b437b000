/**
 * "Fix everything in this file": applies the all-paths fix of every finding at once (CLI `check --fix`,
 * and the fix test over the corpus). Findings of the same descriptor carry the same all-paths fix, so
 * fixes are de-duplicated, their edits merged (two insertions at one point are concatenated), and a fix
 * whose edits would clash with an already accepted one waits for the next round, which re-analyses the
 * edited text so its positions are fresh.
 */
import { applyEdits } from './edits';
import { analyzeSource } from './index';
import type { AnalysisOptions, AnalysisResult, Finding, Fix, LanguageId, Position, TextEdit } from './types';

function cmp(a: Position, b: Position): number {
  return a.line - b.line || a.column - b.column;
}

function isInsertion(e: TextEdit): boolean {
  return cmp(e.range.start, e.range.end) === 0;
}

/** Two edits clash when their ranges overlap, or an insertion touches a replaced range (its order would be ambiguous). */
function clash(a: TextEdit, b: TextEdit): boolean {
  if (isInsertion(a) && isInsertion(b)) return false;
  if (isInsertion(a) || isInsertion(b)) {
    const [p, r] = isInsertion(a) ? [a.range.start, b.range] : [b.range.start, a.range];
    return cmp(r.start, p) <= 0 && cmp(p, r.end) <= 0;
  }
  return cmp(a.range.start, b.range.end) < 0 && cmp(b.range.start, a.range.end) < 0;
}

function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return cmp(a.range.start, b.range.start) === 0 && cmp(a.range.end, b.range.end) === 0 && a.newText === b.newText;
}

/** One fix per distinct all-paths fix (a finding without one contributes its preferred fix). */
export function fileFixes(findings: readonly Finding[]): Fix[] {
  const seen = new Set<string>();
  const objects = new Set<Fix>();
  const fixes: Fix[] = [];
  for (const f of findings) {
    const fix = f.fixes.find((x) => x.scope === 'all-paths') ?? f.fixes.find((x) => x.isPreferred) ?? f.fixes[0];
    // Findings of one descriptor share their all-paths fix object: serialise each object once.
    if (!fix || objects.has(fix)) continue;
    objects.add(fix);
    const key = JSON.stringify(fix.edits);
    if (seen.has(key)) continue;
    seen.add(key);
    fixes.push(fix);
  }
  return fixes;
}

export interface MergedFixes {
  /** Non-overlapping edits, in text order. */
  readonly edits: TextEdit[];
  readonly applied: Fix[];
  /** Fixes left for a later round because their edits clash with an applied one. */
  readonly deferred: Fix[];
}

/**
 * Accepted edits kept sorted by start, so that checking a new edit against them is a binary search
 * and a look at its neighbours, not a scan: a descriptor with 10,000 leaking exits has one fix of
 * 10,000 edits.
 */
class SortedEdits {
  readonly list: TextEdit[] = [];

  /** Index of the first edit starting at or after `p`. */
  private lowerBound(p: Position): number {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(this.list[mid]!.range.start, p) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The accepted edits that may touch `e`: those starting between the last one before it and its end. */
  private near(e: TextEdit): TextEdit[] {
    let i = this.lowerBound(e.range.start);
    // Replacements starting before `e` may reach over it: step back over the ones that do.
    while (i > 0 && cmp(this.list[i - 1]!.range.end, e.range.start) >= 0) i--;
    const out: TextEdit[] = [];
    for (let j = i; j < this.list.length && cmp(this.list[j]!.range.start, e.range.end) <= 0; j++) out.push(this.list[j]!);
    return out;
  }

  has(e: TextEdit): boolean {
    return this.near(e).some((x) => sameEdit(x, e));
  }

  clashes(e: TextEdit): boolean {
    return this.near(e).some((x) => clash(x, e));
  }

  /** Adds `e`; an insertion at the same point as an accepted insertion is appended to its text. */
  add(e: TextEdit): void {
    const i = this.lowerBound(e.range.start);
    if (isInsertion(e)) {
      for (let j = i; j < this.list.length && cmp(this.list[j]!.range.start, e.range.start) === 0; j++) {
        const x = this.list[j]!;
        if (isInsertion(x)) {
          this.list[j] = { range: e.range, newText: x.newText + e.newText };
          return;
        }
      }
    }
    this.list.splice(i, 0, e);
  }
}

export function mergeFixes(fixes: readonly Fix[]): MergedFixes {
  const accepted = new SortedEdits();
  const applied: Fix[] = [];
  const deferred: Fix[] = [];
  for (const fix of fixes) {
    const fresh = fix.edits.filter((e) => !accepted.has(e));
    if (fresh.some((e) => accepted.clashes(e))) {
      deferred.push(fix);
      continue;
    }
    for (const e of fresh) accepted.add(e);
    applied.push(fix);
  }
  return { edits: accepted.list, applied, deferred };
}

export interface FixAllResult {
  readonly text: string;
  /** The analysis of the original text (its findings, notes and parse status). */
  readonly initial: AnalysisResult;
  /** Findings left in the fixed text (empty when every leak was fixed). */
  readonly remaining: Finding[];
  readonly editsApplied: number;
  readonly rounds: number;
}

/** Analyse-and-edit rounds fixAllPaths makes at the most. */
const MAX_ROUNDS = 5;

/**
 * Applies all-paths fixes until nothing is left to fix. `initial`, the analysis of this very text with
 * these options (the editor has it already), saves the first round's analysis.
 */
export async function fixAllPaths(text: string, language: LanguageId, options: AnalysisOptions = {}, initial?: AnalysisResult): Promise<FixAllResult> {
  initial ??= await analyzeSource(text, language, options);
  let result = initial;
  let editsApplied = 0;
  let rounds = 0;
  while (result.findings.length > 0 && rounds < MAX_ROUNDS) {
    const merged = mergeFixes(fileFixes(result.findings));
    if (merged.edits.length === 0) break;
    text = applyEdits(text, merged.edits);
    editsApplied += merged.edits.length;
    rounds++;
    const next = await analyzeSource(text, language, options);
    // A round that does not reduce the findings would loop forever: stop and report what is left.
    const progressed = next.findings.length < result.findings.length;
    result = next;
    if (!progressed) break;
  }
  return { text, initial, remaining: result.findings, editsApplied, rounds };
}
