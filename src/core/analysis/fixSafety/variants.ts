/**
 * Fix-safety suite (tests only): the texts a user can get from the offered fixes of one source text —
 * every distinct fix applied alone ('exit' and 'all-paths' ones) and the file-wide fix-all.
 */
import { applyEdits } from '../edits';
import { fixAllPaths } from '../fixAll';
import { analyzeSource } from '../index';
import type { AnalysisResult, Fix, LanguageId } from '../types';

export interface FixVariant {
  /** e.g. `exit fix "Close \`fd\` before this return" (line 14)` or `fix-all`. */
  readonly label: string;
  readonly scope: Fix['scope'] | 'fix-all';
  readonly text: string;
}

export async function fixVariants(text: string, language: LanguageId, initial?: AnalysisResult): Promise<{ analysis: AnalysisResult; variants: FixVariant[] }> {
  const analysis = initial ?? await analyzeSource(text, language);
  const variants: FixVariant[] = [];
  const seen = new Set<string>([text]);
  for (const finding of analysis.findings) {
    for (const fix of finding.fixes) {
      let fixed: string;
      try {
        fixed = applyEdits(text, fix.edits);
      } catch (e) {
        // Overlapping edits: a fix that cannot be applied is unsafe too; its label says why.
        variants.push({ label: `${fix.scope} fix "${fix.title}" (line ${finding.range.start.line + 1}): ${(e as Error).message}`, scope: fix.scope, text: '' });
        continue;
      }
      if (seen.has(fixed)) continue;
      seen.add(fixed);
      variants.push({ label: `${fix.scope} fix "${fix.title}" (line ${finding.range.start.line + 1})`, scope: fix.scope, text: fixed });
    }
  }
  if (analysis.findings.some((f) => f.fixes.length > 0)) {
    const all = await fixAllPaths(text, language, {}, analysis);
    if (!seen.has(all.text)) variants.push({ label: 'fix-all', scope: 'fix-all', text: all.text });
  }
  return { analysis, variants };
}
