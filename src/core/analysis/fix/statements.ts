import type { Node } from 'web-tree-sitter';
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
   * no clean insertion exists (a language without inline statements, and `stmt` shares its line).
   */
  before(stmt: Node, text: StatementText): TextEdit[] | null {
    const lines = linesOf(text);
    const own = this.place.firstOnLine(stmt.startIndex);
    if (!own && (!this.syntax.inline || lines.length > 1)) return null;
    // Own lines are whole lines inserted before the statement's line, with its indentation.
    const ownLines = () => this.place.insertLines(stmt.startIndex, this.place.indentAt(stmt.startIndex), lines);
    if (!this.isBraceless(stmt)) return [own ? ownLines() : this.place.insert(stmt.startIndex, `${lines[0]} `)];
    const op = this.opener(stmt);
    if (!op) return null;
    if (own) {
      return [
        this.place.insert(op.endIndex, ' {'),
        ownLines(),
        this.place.insert(stmt.endIndex, `\n${this.place.indentAt(op.startIndex)}}`),
      ];
    }
    return [this.place.insert(op.endIndex, ' {'), this.place.insert(stmt.startIndex, `${lines[0]} `), this.place.insert(stmt.endIndex, ' }')];
  }

  /**
   * Inserts `text` before the closing brace of `block` (its last character), indented like the
   * block's statements (or one `unit` deeper than the brace), or inline before a brace that does
   * not start its line.
   */
  beforeBrace(block: Node, text: StatementText, unit?: string): TextEdit[] | null {
    const brace = block.endIndex - 1;
    if (this.place.text[brace] !== '}') return null;
    const lines = linesOf(text);
    if (!this.place.firstOnLine(brace)) return this.syntax.inline && lines.length === 1 ? [this.place.insert(brace, `${lines[0]} `)] : null;
    const inner = blockIndent(this.place, block, brace, unit);
    return [this.place.insertLines(brace, inner, lines)];
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
