import type { Node } from 'web-tree-sitter';
import type { OffsetEdit } from '../edits';
import { walk } from '../syntax';
import type { TextEdit } from '../types';
import { blockIndent } from './indent';
import type { Placement } from './placement';

/**
 * Inserting a statement into a function, for every language: before a statement (adding braces
 * when that statement is the braceless body of an `if`, `else` or loop), before a block's closing
 * brace, or after a statement on its own line. Each language gives its syntax (which parents take
 * a braceless body, which nodes are preprocessor lines, how comments start) and the statement's
 * text; the layout (own line or inline, indentation, the file's line ending) is decided here.
 * Every edit is an insertion, so that fixes for different variables combine (applyEdits keeps an
 * identical edit once, such as the braces two fixes add around the same braceless `return`).
 */
export interface StatementSyntax {
  /** Parent node types whose body may be a single statement without braces (C, Java). Empty for Go and Python. */
  readonly bracelessParents: ReadonlySet<string>;
  /** Node types of preprocessor lines (C): a braceless body or condition split by them gets no braces. */
  readonly directives: readonly string[];
  /** How a comment that may end a line starts (`//`, `#`). */
  readonly lineComments: readonly string[];
  /**
   * Whether a statement may share a line with the one it goes before (`close(fd); return 1;`).
   * Python cannot put two statements on a line without `;` and a block header: it needs own lines.
   */
  readonly inline: boolean;
  /**
   * The parents a statement may be inserted beside (blocks, switch groups). When given, a statement
   * whose parent is neither one of these nor braceless gets nothing; when absent, anything goes.
   */
  readonly statementLists?: ReadonlySet<string>;
  /** Loop statement types (their `body` field is the body), for releases at the end of each iteration. */
  readonly loops?: ReadonlySet<string>;
  /** Functions nested in a body (lambdas), whose `continue`s are not the body's own. */
  readonly nestedFunctions?: ReadonlySet<string>;
}

/** The text of one statement to insert: one line, or several (the first and the others indented alike). */
export type StatementText = string | readonly string[];

function linesOf(text: StatementText): readonly string[] {
  return typeof text === 'string' ? [text] : text;
}

export class StatementPlacer {
  constructor(
    readonly place: Placement,
    readonly syntax: StatementSyntax,
    /** The parent of a statement (a CFG builder may know it cheaper than Node.parent, which walks from the root). */
    private readonly parentOf: (n: Node) => Node | null = (n) => n.parent,
  ) {}

  /** Is `stmt` the braceless body of an `if`, `else` or loop? */
  isBraceless(stmt: Node): boolean {
    const parent = this.parentOf(stmt);
    return !!parent && this.syntax.bracelessParents.has(parent.type);
  }

  /**
   * A statement whose enclosing braceless body or condition is split by preprocessor lines
   * (`if (a)\n#ifdef X\n || b\n#endif\n return;`): braces added around it would not guard what
   * they seem to, so no statement is placed there.
   */
  crossesDirective(stmt: Node): boolean {
    if (!this.syntax.directives.length) return false;
    const parent = this.parentOf(stmt);
    if (!parent || !this.syntax.bracelessParents.has(parent.type)) return false;
    const owner = parent.type === 'else_clause' ? (this.parentOf(parent) ?? parent) : parent;
    return owner.descendantsOfType([...this.syntax.directives]).length > 0;
  }

  /** The token a braceless body follows: `if (...)`, `else`, `while (...)`, `for (...)`, `do` (comments skipped). */
  private opener(stmt: Node): Node | null {
    const parent = this.parentOf(stmt);
    if (!parent) return null;
    let found: Node | null = null;
    for (let i = 0; i < parent.childCount; i++) {
      const c = parent.child(i);
      if (!c || c.startIndex >= stmt.startIndex) break;
      if (!c.type.endsWith('comment')) found = c;
    }
    return found;
  }

  /**
   * Inserts `text` as a statement before `stmt`: on its own line with `stmt`'s indentation when
   * `stmt` starts its line, else on the same line; braces go around a braceless body. Null where
   * no clean insertion exists (a language without inline statements, and `stmt` shares its line;
   * a parent that is neither a statement list nor a braceless body).
   */
  before(stmt: Node, text: StatementText): TextEdit[] | null {
    return this.edits(this.beforeAt(stmt, text));
  }

  /** `before` as offset edits (`\n` line breaks), for a language that splices them into a larger replacement. */
  beforeAt(stmt: Node, text: StatementText): OffsetEdit[] | null {
    const lines = linesOf(text);
    const own = this.place.firstOnLine(stmt.startIndex);
    if (!own && (!this.syntax.inline || lines.length > 1)) return null;
    const at = (start: number, newText: string): OffsetEdit => ({ start, end: start, newText });
    // Own lines are whole lines inserted before the statement's line, with its indentation.
    const ownLines = () => at(this.place.lineStart(stmt.startIndex), lines.map((l) => `${this.place.indentAt(stmt.startIndex)}${l}\n`).join(''));
    if (!this.isBraceless(stmt)) {
      const parent = this.parentOf(stmt);
      if (this.syntax.statementLists && (!parent || !this.syntax.statementLists.has(parent.type))) return null;
      return [own ? ownLines() : at(stmt.startIndex, `${lines[0]} `)];
    }
    const op = this.opener(stmt);
    if (!op) return null;
    if (own) return [at(op.endIndex, ' {'), ownLines(), at(stmt.endIndex, `\n${this.place.indentAt(op.startIndex)}}`)];
    return [at(op.endIndex, ' {'), at(stmt.startIndex, `${lines[0]} `), at(stmt.endIndex, ' }')];
  }

  /**
   * Inserts `text` before the closing brace of `block` (its last character), indented like the
   * block's statements (or one `unit` deeper than the brace), or inline before a brace that does
   * not start its line.
   */
  beforeBrace(block: Node, text: StatementText, unit?: string): TextEdit[] | null {
    return this.edits(this.beforeBraceAt(block, text, unit));
  }

  /** `beforeBrace` as offset edits. */
  beforeBraceAt(block: Node, text: StatementText, unit?: string): OffsetEdit[] | null {
    const brace = block.endIndex - 1;
    if (this.place.text[brace] !== '}') return null;
    const lines = linesOf(text);
    if (!this.place.firstOnLine(brace)) return this.syntax.inline && lines.length === 1 ? [{ start: brace, end: brace, newText: `${lines[0]} ` }] : null;
    const inner = blockIndent(this.place, block, brace, unit);
    const start = this.place.lineStart(brace);
    return [{ start, end: start, newText: lines.map((l) => `${inner}${l}\n`).join('') }];
  }

  /**
   * Inserts `text` at the end of each iteration of `loop`: before its body's closing brace and
   * before each `continue` of this loop (not of loops or functions nested in it). For a value an
   * assignment in the loop's condition or update overwrites on the way round.
   */
  atEndOfIteration(loop: Node, text: StatementText): TextEdit[] | null {
    const body = loop.childForFieldName('body');
    if (!body || !body.type.endsWith('block') && body.type !== 'compound_statement') return null;
    const edits = this.beforeBrace(body, text);
    if (!edits) return null;
    const continues: Node[] = [];
    walk(body, (n) => {
      if (n.type === 'continue_statement') continues.push(n);
      return n.id === body.id || !(this.syntax.loops?.has(n.type) || this.syntax.nestedFunctions?.has(n.type));
    });
    for (const n of continues) {
      const e = this.before(n, text);
      if (!e) return null;
      edits.push(...e);
    }
    return edits;
  }

  private edits(list: readonly OffsetEdit[] | null): TextEdit[] | null {
    return list && list.map((e) => this.place.replace(e.start, e.end, e.newText));
  }

  /**
   * Inserts `text` on new lines after `stmt`, which must end its line (only a comment may follow),
   * indented with `indent`.
   */
  after(stmt: Node, text: StatementText, indent: string): TextEdit[] | null {
    if (!this.place.lastOnLine(stmt.endIndex, this.syntax.lineComments)) return null;
    return [this.place.insertLinesAfter(stmt.endIndex, indent, linesOf(text))];
  }

  /**
   * Inserts `text` as the first statement of `block` (after its opening brace, which must end its
   * line), indented like the block's first statement, or one `unit` deeper than the line holding `owner`.
   */
  atBlockStart(block: Node, text: StatementText, owner: Node, unit: string): TextEdit[] | null {
    const open = block.child(0);
    if (!open || this.place.line(block.startIndex) === this.place.line(block.endIndex) || !this.place.lastOnLine(open.endIndex, this.syntax.lineComments)) return null;
    const first = block.namedChildren.find((c) => c && !c.type.endsWith('comment')) ?? null;
    const indent = first && this.place.firstOnLine(first.startIndex) ? this.place.indentAt(first.startIndex) : this.place.indentAt(owner.startIndex) + unit;
    return [this.place.insertLinesAfter(open.endIndex, indent, linesOf(text))];
  }
}
