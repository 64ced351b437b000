/** The finding model shared by every language analyzer, the diagnostics, the code actions and the CLI. */

export type LanguageId = 'c' | 'cpp' | 'python' | 'go' | 'java';

/** 0-based line and column (UTF-16 code units, like VS Code). The CLI adds 1 when printing. */
export interface Position {
  readonly line: number;
  readonly column: number;
}
export interface Range {
  readonly start: Position;
  readonly end: Position;
}
/** A replacement of `range` in the analysed text by `newText` (an insertion has start === end). */
export interface TextEdit {
  readonly range: Range;
  readonly newText: string;
}

export interface Fix {
  /** e.g. "Close `sockfd` before this return" or "Close `sockfd` on all paths". */
  readonly title: string;
  /** 'exit': fixes this finding only; 'all-paths': fixes every leaking exit of this descriptor at once. */
  readonly scope: 'exit' | 'all-paths';
  readonly isPreferred: boolean;
  /** Non-overlapping edits against the analysed text. */
  readonly edits: readonly TextEdit[];
}

export type RuleId = 'sockscope.leak' | 'sockscope.overwrite';

/**
 * `warning`: a leak on a plausible path. `information`: a leak only if a call that practically never
 * fails does fail (a socket option setter, a logging call, a getter; see each language's table):
 * shown as a hint in the editor, `info` in the CLI, `note` in SARIF, and never an error exit.
 */
export type Severity = 'warning' | 'information';

export interface Finding {
  readonly ruleId: RuleId;
  readonly language: LanguageId;
  /** Where the descriptor becomes unreachable (C/C++/Go/Java: the leaking exit; Python: the acquisition). */
  readonly range: Range;
  /** Name of the enclosing function ('<lambda>' or '<module>' where there is none). */
  readonly function: string;
  /** The variable (or expression such as `fds[0]`) holding the descriptor. */
  readonly variable: string;
  /** Where the descriptor was acquired (the call expression). */
  readonly acquired: Range;
  readonly message: string;
  /** Absent: 'warning'. */
  readonly severity?: Severity;
  /** Further places worth showing (e.g. the path that loses it), for related information. */
  readonly related?: readonly { readonly range: Range; readonly message: string }[];
  readonly fixes: readonly Fix[];
}

export interface AnalysisOptions {
  /** Functions that take ownership of a descriptor passed to them (setting sockscope.analysis.ownershipTransfers). */
  readonly ownershipTransfers?: readonly string[];
  /** Stop analysing after this many milliseconds (the result then says so in `notes`). */
  readonly timeBudgetMs?: number;
  /** C/C++: the macros the workspace's headers define (see lang/c/workspaceMacros.ts), by name. */
  readonly cMacros?: ReadonlyMap<string, CMacroDefinition>;
}

/** A C/C++ macro definition: object-like (`params` null) or function-like, its replacement text trimmed. */
export interface CMacroDefinition {
  readonly params: readonly string[] | null;
  readonly value: string;
  /** An object-like macro's value when it is an integer constant (`1`, `(0x0100)`, `-1`). */
  readonly number?: number | null;
}

/**
 * The one note of a file whose parse has errors, in every language (the CLI prints it once per file, the
 * editor shows it in its status). The real-world benchmark counts the files with it (`note: syntax errors;`).
 */
export const SYNTAX_ERRORS_NOTE = 'syntax errors; only the parts that parsed were analysed';

export interface AnalysisResult {
  readonly language: LanguageId;
  readonly findings: Finding[];
  /** True when the parse tree had ERROR/MISSING nodes (analysis still ran on what parsed). */
  readonly hadParseErrors: boolean;
  /** Human-readable notes: e.g. "skipped: binary file", "function foo: too complex, analysis cut short". */
  readonly notes: string[];
}
