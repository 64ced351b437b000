/**
 * Which files SockScope analyses: the language of each source file extension, and the size limit.
 * Nothing here loads tree-sitter, so the extension host can use it without loading the parser.
 */
import * as path from 'path';
import type { LanguageId } from './types';

/** Files larger than this are not analysed (the result says why). */
export const MAX_ANALYSED_BYTES = 2 * 1024 * 1024;

/** File extensions SockScope analyses, and their language. */
export const SOURCE_EXTENSIONS: Readonly<Record<string, LanguageId>> = {
  '.c': 'c', '.h': 'c',
  '.cc': 'cpp', '.cpp': 'cpp', '.cxx': 'cpp', '.hpp': 'cpp', '.hh': 'cpp', '.hxx': 'cpp',
  '.py': 'python', '.go': 'go', '.java': 'java',
};

/** Maps a file name to a LanguageId, or undefined if SockScope does not analyse it. */
export function languageForFile(fileName: string): LanguageId | undefined {
  // extname() always starts with '.', so no Object.prototype member can match.
  return SOURCE_EXTENSIONS[path.extname(fileName).toLowerCase()];
}
