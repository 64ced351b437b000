/**
 * "Fix everything in this file": applies the all-paths fix of every finding at once (CLI `check --fix`,
 * and the fix test over the corpus). Findings of the same descriptor carry the same all-paths fix, so
 * fixes are de-duplicated, their edits merged (two insertions at one point are concatenated), and a fix
 * whose edits would clash with an already accepted one waits for the next round, which re-analyses the
 * edited text so its positions are fresh.
 */
import { applyOffsetEdits, resolveEdits } from './edits';
import type { OffsetEdit } from './edits';
import { EditTrail } from './editTrail';
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

/** The fix fix-all applies for a finding: its all-paths fix, else its preferred one. */
function chosenFix(f: Finding): Fix | undefined {
  return f.fixes.find((x) => x.scope === 'all-paths') ?? f.fixes.find((x) => x.isPreferred) ?? f.fixes[0];
}

/** One fix per distinct all-paths fix (a finding without one contributes its preferred fix). */
export function fileFixes(findings: readonly Finding[]): Fix[] {
  const seen = new Set<string>();
  const objects = new Set<Fix>();
  const fixes: Fix[] = [];
  for (const f of findings) {
    const fix = chosenFix(f);
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
  /** The fixed text (the original text when nothing was fixed, or when the fix was refused). */
  readonly text: string;
  /** What changed, as sorted, non-overlapping edits against the original text (empty when text is unchanged). */
  readonly edits: OffsetEdit[];
  /** The analysis of the original text (its findings, notes and parse status). */
  readonly initial: AnalysisResult;
  /** Findings left in the fixed text (empty when every leak was fixed; the initial findings when refused). */
  readonly remaining: Finding[];
  readonly editsApplied: number;
  readonly rounds: number;
  /** Why nothing was fixed although there were fixes to apply (then `text` is the original). */
  readonly refused?: string;
}

/** Analyse-and-edit rounds fixAllPaths makes at the most. */
const MAX_ROUNDS = 5;

export const REFUSED_PARSE_ERRORS = 'the file has syntax errors';
export const REFUSED_BREAKS_SYNTAX = 'the fix would introduce syntax errors';
export const REFUSED_NO_CONVERGENCE = 'fix did not converge';

/** Findings of the same kind, function and variable are "the same leak" from one round to the next. */
function leakKey(f: Finding): string {
  return `${f.ruleId}\u0000${f.function}\u0000${f.variable}`;
}

function fixesAnything(findings: readonly Finding[]): boolean {
  return fileFixes(findings).some((f) => f.edits.length > 0);
}

/**
 * Applies all-paths fixes until nothing is left to fix. `initial`, the analysis of this very text with
 * these options (the editor has it already), saves the first round's analysis. All or nothing: a text
 * with syntax errors is not fixed, and neither is one where a round makes no progress on the leaks it
 * fixed, breaks the syntax, or leaves fixes that would change the text again (fix-all applied to its
 * own result must change nothing) — then `refused` says why and `text` is the original.
 */
export async function fixAllPaths(
  text: string, language: LanguageId, options: AnalysisOptions = {}, initial?: AnalysisResult,
  analyze: (text: string, language: LanguageId, options: AnalysisOptions) => Promise<AnalysisResult> = analyzeSource,
): Promise<FixAllResult> {
  initial ??= await analyze(text, language, options);
  const original = text;
  const unchanged = (rounds: number, refused?: string): FixAllResult =>
    ({ text: original, edits: [], initial: initial!, remaining: initial!.findings, editsApplied: 0, rounds, refused });
  if (!fixesAnything(initial.findings)) return unchanged(0);
  if (initial.hadParseErrors) return unchanged(0, REFUSED_PARSE_ERRORS);
  const trail = new EditTrail(text.length);
  let result = initial;
  let editsApplied = 0;
  let rounds = 0;
  while (fixesAnything(result.findings)) {
    if (rounds === MAX_ROUNDS) return unchanged(rounds, REFUSED_NO_CONVERGENCE);
    const merged = mergeFixes(fileFixes(result.findings));
    const edits = resolveEdits(text, merged.edits);
    text = applyOffsetEdits(text, edits);
    trail.apply(edits);
    editsApplied += merged.edits.length;
    rounds++;
    const next = await analyze(text, language, options);
    if (next.hadParseErrors) return unchanged(rounds, REFUSED_BREAKS_SYNTAX);
    // The leaks this round fixed must be fewer afterwards; otherwise the next round would only grow the text.
    const applied = new Set(merged.applied.map((fix) => JSON.stringify(fix.edits)));
    const fixed = new Set(result.findings.filter((f) => applied.has(JSON.stringify(chosenFix(f)?.edits))).map(leakKey));
    const before = result.findings.filter((f) => fixed.has(leakKey(f))).length;
    const after = next.findings.filter((f) => fixed.has(leakKey(f))).length;
    if (after >= before) return unchanged(rounds, REFUSED_NO_CONVERGENCE);
    result = next;
  }
  return { text, edits: trail.edits(), initial, remaining: result.findings, editsApplied, rounds };
}
