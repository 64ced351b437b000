import type { TextEdit } from '../types';
import type { Placement } from './placement';

/**
 * Adding the declaration a release needs (C's `#include <unistd.h>`), for every language: one
 * line after the file's last include or import (`end`, the offset just past it; 0 when there is
 * none), starting a line of its own, in the file's line ending. The language decides whether the
 * line is needed (its names table) and writes it. An edit outside the function makes its fixes
 * depend on the file: the language's reuse key must name the position (C's does: `includeEnd`).
 */
export function importLine(place: Placement, end: number, line: string): TextEdit {
  const needsNewline = end > 0 && place.text[end - 1] !== '\n' && place.text[end - 1] !== '\r';
  return place.insert(end, `${needsNewline ? '\n' : ''}${line}\n`);
}
