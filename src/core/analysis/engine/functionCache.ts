import type { Finding, Fix, Position, Range, TextEdit } from '../types';

/**
 * Results of functions analysed before, so that re-analysing a file after an edit re-runs only the
 * functions that changed. A language keys a function by everything its result depends on: its own
 * text and start column, and what it uses from the rest of the file (callees' definitions, the
 * file's headers, options). An unchanged function that moved up or down is found again, and its
 * findings and fixes are moved by the same number of lines; positions outside the function (an
 * `#include` added at the top) are kept as they are, since the key covers what decides them.
 * What a function depends on by name elsewhere in the file (the definitions of the functions it
 * calls) is stored beside the result as `inputs` and compared when the result is looked up, so
 * that the key itself can be computed without following calls.
 */
export interface FunctionResult {
  readonly findings: readonly Finding[];
  readonly notes: readonly string[];
}

/** Named inputs of a result and the value each had (e.g. a callee's name → its definitions' text). */
export type Inputs = ReadonlyMap<string, string>;

interface Entry extends FunctionResult {
  readonly startLine: number;
  readonly endLine: number;
  readonly inputs: Inputs | undefined;
}

export class FunctionCache {
  private readonly entries = new Map<string, Entry>();
  /** Lookups that found a result, and ones that did not (tests and benchmarks read them). */
  hits = 0;
  misses = 0;
  /** False: nothing is looked up or stored (an analysis from scratch, to compare with). */
  enabled = true;

  constructor(private readonly capacity = 4000) {}

  /**
   * The result stored under `key`, moved to a function that now spans `startLine`.. (0-based); none
   * when one of its inputs has another value now (`current` gives today's value of an input).
   */
  get(key: string, startLine: number, current?: (input: string) => string): FunctionResult | undefined {
    if (!this.enabled) return undefined;
    const e = this.entries.get(key);
    if (!e || (e.inputs && !sameInputs(e.inputs, current))) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Most recently used last: the first key is the one to evict.
    this.entries.delete(key);
    this.entries.set(key, e);
    const delta = startLine - e.startLine;
    if (delta === 0) return e;
    return { findings: moveFindings(e.findings, delta, e.startLine, e.endLine), notes: e.notes };
  }

  set(key: string, startLine: number, endLine: number, result: FunctionResult, inputs?: Inputs): void {
    if (!this.enabled) return;
    this.entries.delete(key);
    this.entries.set(key, { ...result, startLine, endLine, inputs });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}

function sameInputs(inputs: Inputs, current: ((input: string) => string) | undefined): boolean {
  if (!current) return inputs.size === 0;
  for (const [name, value] of inputs) if (current(name) !== value) return false;
  return true;
}

function moveFindings(findings: readonly Finding[], delta: number, first: number, last: number): Finding[] {
  const movePos = (p: Position): Position => (p.line >= first && p.line <= last ? { line: p.line + delta, column: p.column } : p);
  const moveRange = (r: Range): Range => ({ start: movePos(r.start), end: movePos(r.end) });
  const moveEdit = (e: TextEdit): TextEdit => ({ range: moveRange(e.range), newText: e.newText });
  // Messages name lines (`socket() on line 12`): the ones inside the function move with it.
  const moveText = (m: string): string => m.replace(/\bline (\d+)\b/g, (all, n: string) => {
    const line = Number(n) - 1;
    return line >= first && line <= last ? `line ${line + 1 + delta}` : all;
  });
  // Findings of one variable share their all-paths fix object: keep them sharing one moved copy.
  const fixes = new Map<Fix, Fix>();
  const moveFix = (f: Fix): Fix => {
    let moved = fixes.get(f);
    if (!moved) fixes.set(f, (moved = { ...f, edits: f.edits.map(moveEdit) }));
    return moved;
  };
  return findings.map((f) => ({
    ...f,
    range: moveRange(f.range),
    acquired: moveRange(f.acquired),
    message: moveText(f.message),
    ...(f.related ? { related: f.related.map((r) => ({ range: moveRange(r.range), message: moveText(r.message) })) } : {}),
    fixes: f.fixes.map(moveFix),
  }));
}
