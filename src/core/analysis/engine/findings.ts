import type { LineIndex } from '../edits';
import type { Finding, LanguageId, Severity } from '../types';
import type { LeakRecord, OverwriteRecord } from './analysis';
import type { Token } from './values';

/**
 * The one finding convention for every language:
 * - `sockscope.leak` at each exit (return, throw, end of function or block, break/continue/goto
 *   out of the variable's scope) where a resource the function acquired is still open and only
 *   the dying variables hold it;
 *   a leak on an exceptional path is reported where the exception comes from (the call that may throw);
 * - `sockscope.overwrite` at the assignment that overwrites the only copy of an open resource;
 * - the acquisition is `acquired`, and every acquisition site that may reach there is in related information.
 * A language may word the message its own way (`message`); the rule, place and related information stay.
 */
export type FindingBody = Omit<Finding, 'fixes'>;

/** The function's own acquisitions among `tokens`, first acquired first (null when there is none). */
export function ownTokens(tokens: ReadonlySet<Token>): Token[] | null {
  const own = [...tokens].filter((t) => t.param < 0);
  own.sort((a, b) => a.site.start - b.site.start);
  return own.length ? own : null;
}

function acquisitionText(t: Token, lines: LineIndex): string {
  return `${t.site.call}() on line ${lines.position(t.site.start).line + 1}`;
}

function related(tokens: readonly Token[], variable: string, lines: LineIndex) {
  return tokens.map((t) => ({ range: lines.range(t.site.start, t.site.end), message: `\`${variable}\` acquired here by ${t.site.call}()` }));
}

/** Where a leak is reported: the exception's origin on an exceptional path, else the exit. */
export function leakPlace(rec: LeakRecord): { start: number; end: number } {
  return rec.origin ?? rec.exit;
}

/** A leak that needs a call that practically never raises to raise is below warning severity. */
export function leakSeverity(rec: LeakRecord): Severity {
  return (rec.origin ? rec.origin.unlikely : rec.exit.unlikely) ? 'information' : 'warning';
}

export function leakFinding(rec: LeakRecord, tokens: readonly Token[], fn: string, language: LanguageId, lines: LineIndex, message?: string): FindingBody {
  const first = tokens[0]!;
  const more = tokens.length > 1 ? ` (or ${tokens.slice(1).map((t) => acquisitionText(t, lines)).join(', ')})` : '';
  const place = leakPlace(rec);
  const severity = leakSeverity(rec);
  return {
    ruleId: 'sockscope.leak', language, range: lines.range(place.start, place.end), function: fn, variable: rec.variable,
    acquired: lines.range(first.site.start, first.site.end),
    message: message ?? `\`${rec.variable}\` (${acquisitionText(first, lines)})${more} is not closed on this path`,
    ...(severity === 'warning' ? {} : { severity }),
    related: related(tokens, rec.variable, lines),
  };
}

export function overwriteFinding(rec: OverwriteRecord, tokens: readonly Token[], fn: string, language: LanguageId, lines: LineIndex, message?: string): FindingBody {
  const first = tokens[0]!;
  return {
    ruleId: 'sockscope.overwrite', language, range: lines.range(rec.start, rec.end), function: fn,
    variable: rec.variable, acquired: lines.range(first.site.start, first.site.end),
    message: message ?? `\`${rec.variable}\` (${acquisitionText(first, lines)}) is overwritten while still open: the old descriptor leaks`,
    related: related(tokens, rec.variable, lines),
  };
}
