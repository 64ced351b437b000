/**
 * Finding and reading the source files to analyse (CLI `check`, workspace scans): walks folders,
 * skips build and dependency folders, picks the language by file extension, and refuses huge or
 * binary files with a note instead of reading them whole.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { FileIdentity } from '../fsx/fileIdentity';
import { readRegularFile, readRegularFileSync } from '../fsx/readRegularFile';
import type { ReadOutcome } from '../fsx/readRegularFile';
import { languageForFile, MAX_ANALYSED_BYTES } from './sources';
import type { LanguageId } from './types';

/** Folders never descended into: dependencies, VCS metadata and build output. */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['node_modules', '.git', 'dist', 'out']);
/** analyzeSource's limit (it measures text length): larger files are not read at all. */
export const MAX_SOURCE_BYTES = MAX_ANALYSED_BYTES;

export interface SourceFile {
  readonly path: string;
  readonly language: LanguageId;
  /** The folder given (or, for a file given by name, its folder): fixes are never written outside it. */
  readonly root: string;
}

export interface Discovery {
  /** Analysable files, sorted, each once. */
  readonly files: SourceFile[];
  /** Inputs that do not exist or cannot be read (an I/O error for the caller). */
  readonly errors: string[];
  /** Things skipped on purpose (unsupported extension given explicitly, symlinked folders). */
  readonly notes: string[];
}

/** Expands files and folders into the analysable source files under them. */
export function discoverSources(inputs: readonly string[]): Discovery {
  const found = new Map<string, SourceFile>();
  const errors: string[] = [];
  const notes: string[] = [];
  const add = (p: string, language: LanguageId, root: string) => {
    if (!found.has(path.resolve(p))) found.set(path.resolve(p), { path: p, language, root });
  };

  const walk = (dir: string, root: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      errors.push(`${dir}: cannot read folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      return;
    }
    for (const entry of entries) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(p, root);
      } else if (entry.isFile()) {
        const language = languageForFile(entry.name);
        if (language) add(p, language, root);
      } else if (entry.isSymbolicLink() && languageForFile(entry.name)) {
        // Symlinked files are followed; symlinked folders are not (they could form a cycle).
        try {
          if (fs.statSync(p).isFile()) add(p, languageForFile(entry.name)!, root);
        } catch {
          notes.push(`${p}: skipped: broken symbolic link`);
        }
      }
    }
  };

  for (const input of inputs) {
    let st: fs.Stats;
    try {
      st = fs.statSync(input);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      errors.push(code === 'ENOENT' ? `${input}: no such file or folder` : `${input}: cannot access (${code ?? String(e)})`);
      continue;
    }
    const language = languageForFile(input);
    if (st.isDirectory()) walk(input, input);
    else if (!language) notes.push(`${input}: skipped: not a C, C++, Python, Go or Java source file`);
    else if (!st.isFile()) notes.push(`${input}: skipped: not a regular file`);
    else add(input, language, path.dirname(input));
  }
  const files = [...found.values()].sort((a, b) => a.path.localeCompare(b.path));
  return { files, errors, notes };
}

/**
 * A source file as read: `text` is its UTF-8 decoding without a byte order mark (`bom`), `bytes` the
 * file as it is on disk and `identity` which file that was (a fix is written into those bytes, and only
 * over that very file).
 */
export type LoadedSource =
  | { readonly ok: true; readonly text: string; readonly bom: boolean; readonly bytes: Buffer; readonly identity: FileIdentity }
  | { readonly ok: false; readonly skipped: boolean; readonly note: string };

/** Bytes that never occur in text files (NUL and most C0 controls) among the first 8 KiB mark a binary file. */
function looksBinary(buf: Buffer): boolean {
  const n = Math.min(buf.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = buf[i]!;
    if (b === 0) return true;
    if (b < 32 && b !== 9 && b !== 10 && b !== 12 && b !== 13 && b !== 27) control++;
  }
  return n > 0 && control / n > 0.1;
}

function loaded(file: string, read: ReadOutcome, maxBytes: number): LoadedSource {
  if (!read.ok && read.reason === 'not-regular') return { ok: false, skipped: true, note: `${file}: skipped: not a regular file` };
  if (!read.ok) {
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    return { ok: false, skipped: true, note: `${file}: skipped: ${mib(read.size)} is larger than the ${mib(maxBytes)} limit` };
  }
  const { bytes, identity } = read;
  if (looksBinary(bytes)) return { ok: false, skipped: true, note: `${file}: skipped: binary file` };
  const text = bytes.toString('utf8');
  const bom = text.charCodeAt(0) === 0xfeff;
  return { ok: true, text: bom ? text.slice(1) : text, bom, bytes, identity };
}

function readError(file: string, e: unknown): LoadedSource {
  return { ok: false, skipped: false, note: `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
}

/**
 * Reads a source file as UTF-8 (a BOM is dropped). Huge or binary files, and anything that is not a
 * regular file (a FIFO, a device), come back as `{ ok: false, skipped: true }` with a note, without
 * reading more than `maxBytes` + 1 bytes; read errors as `{ ok: false, skipped: false }`.
 */
export function loadSource(file: string, maxBytes = MAX_SOURCE_BYTES): LoadedSource {
  try {
    return loaded(file, readRegularFileSync(file, maxBytes), maxBytes);
  } catch (e) {
    return readError(file, e);
  }
}

/** loadSource without blocking: lets a caller read the next files while it analyses this one. */
export async function loadSourceAsync(file: string, maxBytes = MAX_SOURCE_BYTES): Promise<LoadedSource> {
  try {
    return loaded(file, await readRegularFile(file, maxBytes), maxBytes);
  } catch (e) {
    return readError(file, e);
  }
}
