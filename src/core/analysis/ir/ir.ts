/**
 * The intermediate form every language is lowered to (one per function), and that the one engine
 * (../engine) analyses. A function is a control-flow graph whose nodes carry plain operations on
 * named storage locations (`fd`, `fds[0]`, `*p`, `conn`): no syntax trees, so the dataflow never
 * touches the parser, and no language rules, which live in each language's lowering and tables.
 *
 * Offsets are the analysed text's offsets (UTF-16 code units), as tree-sitter gives them.
 */

/** A storage location an operand names: a key, or every location starting with `prefix` (`fds[i]`). */
export interface Ref {
  readonly key: string | null;
  readonly prefix: string | null;
}

/**
 * How a resource's handle says "no resource": `int` handles (descriptors) are invalid when
 * negative, `pointer` handles (`FILE *`, object references) when null/zero; `any` is either (a
 * parameter, whose caller may pass either).
 */
export type Validity = 'int' | 'pointer' | 'any';

/** What an acquisition produces, as the language's tables classify it. */
export interface AcquireSite {
  readonly start: number;
  readonly end: number;
  /** The acquiring function or constructor (`socket`, `fopen`, `net.Dial`). */
  readonly call: string;
  /** The language's resource kind (`fd`, `socket`, `file`, `conn`): opaque to the engine, used by fixes. */
  readonly resource: string;
  readonly validity: Validity;
  /** The acquisition either succeeds or throws (`new Socket(…)`): it never yields the invalid value. */
  readonly alwaysValid?: boolean;
  /** Acquired through a project function whose summary says it returns a new resource (a wrapper). */
  readonly wrapper?: boolean;
}

/**
 * Where an exception may start (a call that may throw, a `throw`): `at` orders the origins (the
 * call's offset), `start`/`end` is where a leak on the exceptional path from here is reported.
 */
export interface ExceptionOrigin {
  readonly at: number;
  readonly start: number;
  readonly end: number;
  /**
   * The call practically never raises (a socket option setter, a logging call, a getter: each
   * language's table says which): a leak that needs it to raise is reported below warning severity,
   * and a resource live at a likelier origin too is reported there instead.
   */
  readonly unlikely?: boolean;
}

export type Value =
  | ({ readonly kind: 'acquire' } & AcquireSite)
  /**
   * The status result of the acquisition at `start`: zero (or nil) on success, non-zero on failure.
   * It reports on every resource that acquisition produced: both of a pair (`rc = pipe(fds)`), or
   * the single one of a two-result acquisition (`conn, err := net.Dial(...)`: `err` is the status
   * of `conn`, and `err != nil` is `cmp status != 0`). Bind the resource before its status.
   */
  | { readonly kind: 'status'; readonly start: number }
  | { readonly kind: 'var'; readonly key: string }
  /** What any of the locations holds (`c ? a : b`, a wrapper of two streams), and the invalid value too when `invalid`. */
  | { readonly kind: 'join'; readonly keys: readonly string[]; readonly invalid: boolean }
  /** A value known to hold no resource (-1, NULL, nil, None). */
  | { readonly kind: 'invalid' }
  /** An aggregate (`{ .fd = fd }`): the named locations are stored into it and owned by it. */
  | { readonly kind: 'aggregate'; readonly keys: readonly string[] }
  /**
   * The result of a call to a project function (C's workspace summaries): a new resource when the
   * callee's summary says it returns one it acquired (an acquiring wrapper), else like `other`.
   */
  | { readonly kind: 'result'; readonly name: string; readonly start: number; readonly end: number }
  /**
   * A flag set on an error path (Java's `error = true;` in a catch, tested in a finally before closing):
   * a status that reports on the function's resources live where it is set. Where a test of it says
   * "no error" (`cmp status != 0`), those resources are not the function's to close (that path handed
   * them over); where it says "error", nothing is proven.
   */
  | { readonly kind: 'errorFlag' }
  | { readonly kind: 'other' };

/** Where a value is stored: a tracked local, storage that outlives the function, or nowhere tracked. */
export type Target = { readonly kind: 'local'; readonly key: string } | { readonly kind: 'escape' } | { readonly kind: 'ignore' };

export type Op =
  /** `target = value` (the statement's offsets: where an overwrite is reported). */
  | { readonly op: 'bind'; readonly target: Target; readonly value: Value; readonly start: number; readonly end: number }
  /** A local array initialised: every element is reset, the listed elements are known invalid. */
  | { readonly op: 'initArray'; readonly name: string; readonly invalid: readonly number[] }
  /** The resource in the location is released (`close(fd)`). */
  | { readonly op: 'release'; readonly ref: Ref }
  /** The resource is handed over to an owner that outlives the function or closes it (`fdopen(fd)`, a field). */
  | { readonly op: 'escape'; readonly ref: Ref }
  /** Two resources acquired into `base[0]` and `base[1]` (`pipe(fds)`), valid where the call succeeded. */
  | ({ readonly op: 'pair'; readonly base: string | null } & AcquireSite)
  /** Every location is handed over (a configured ownership-transfer function). */
  | { readonly op: 'transfer'; readonly refs: readonly Ref[] }
  /**
   * A call to a function of the same file or workspace: its summary says what happens to each
   * argument. Without a summary, `otherwise` decides (default `borrow`: nothing happens): `handoff`
   * gives every argument away, `release` releases every argument (a name that says it closes).
   * `at` is the call's offset: a summary that releases an argument only when it fails makes the
   * call's result (a condition on it, or the variable it is stored in) a status of that argument.
   */
  | { readonly op: 'summary'; readonly name: string; readonly refs: readonly Ref[]; readonly otherwise?: 'borrow' | 'handoff' | 'release'; readonly at?: number }
  /**
   * A call to a function the analysis knows nothing about receives the resource. It may close or
   * keep it: the resource may still be open, but a fix can no longer prove it is.
   */
  | { readonly op: 'lend'; readonly refs: readonly Ref[] }
  /**
   * The value of the locations is returned to the caller (who then owns it). `constant`: the returned
   * expression is this constant (`return -1;`, `return ANET_ERR;`), when the language knows it.
   */
  | {
    readonly op: 'returned'; readonly refs: readonly Ref[]; readonly constant?: number | null;
    /**
     * The returned expression's value when it is an integer constant of any sign, as the language reads
     * one (a literal, a macro or an enumerator the workspace defines: `return MOSQ_ERR_SUCCESS;`), else
     * null or absent: which values the paths that release a parameter return (Summary.releaseSplit).
     */
    readonly value?: number | null;
  }
  /** An exception may start here: the state as it is now goes to the node's exceptional successor. */
  /**
   * The call may raise here. With `when`, it raises only where that guard holds (`assertNotNull(s)`,
   * `Objects.requireNonNull(s)` throw only when `s` is null): the exceptional state is refined by it.
   */
  | { readonly op: 'raise'; readonly origin: ExceptionOrigin; readonly when?: Guard }
  /** The pending exception goes on (the end of a `finally` run on the exceptional path) to the exceptional successor. */
  | { readonly op: 'rethrow' }
  /** A handler caught the pending exception: no exception is pending any more. */
  | { readonly op: 'catch' };

export type Rel = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** The relation with its operands swapped: `c < x` is `x > c`. */
export const MIRROR: Readonly<Record<Rel, Rel>> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '==': '==', '!=': '!=' };

export function isRel(op: string): op is Rel {
  return op === '<' || op === '<=' || op === '>' || op === '>=' || op === '==' || op === '!=';
}

/** What a condition tests. `pair` is the status (0 on success) of the acquisition at that offset, as a `status` value reports it. */
export type Subject =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'pair'; readonly start: number }
  /**
   * `fds[i]` with an index that is not a constant, tested in a loop over the array (`if (fds[i] >= 0)
   * close(fds[i]);`): where the test says invalid, no element holds a resource the loop leaves open.
   */
  | { readonly kind: 'elements'; readonly prefix: string };

export type Guard =
  | { readonly g: 'not'; readonly a: Guard }
  /**
   * `a && b`, `a || b`. `bAcquires` are the offsets of acquisitions inside `b`: they ran only when
   * `a` did not decide the condition alone (a && b false because a is false: b never ran).
   */
  | { readonly g: 'and' | 'or'; readonly a: Guard; readonly b: Guard; readonly bAcquires: readonly number[] }
  /**
   * `subject rel c`. With `nullTest`, `c` is the null reference of a language with one (Java's
   * `s != null`): a location that can hold only the invalid value is null, so the edge where it is
   * not null is never taken.
   */
  | { readonly g: 'cmp'; readonly subject: Subject; readonly rel: Rel; readonly c: number; readonly nullTest?: boolean }
  /**
   * `a == b` / `a != b` between two variables, neither a constant. `standard` names the side that
   * is a standard stream or descriptor (`STDIN_FILENO`, `stdout`), if any.
   */
  | {
    readonly g: 'same'; readonly a: string; readonly b: string; readonly rel: '==' | '!='; readonly standard: 'a' | 'b' | null;
    /** The side that is no variable of the function (a macro or a global: `ANET_ERR`, `INVALID_SOCKET`), if any. */
    readonly constant?: 'a' | 'b' | null;
    /**
     * The constant side's integer value where the language knows it only as a workspace constant of any
     * sign (an enumerator, `#define ERR_X 14`): read only where the other side is a call's status.
     */
    readonly value?: number;
  }
  | { readonly g: 'none' };

export const NO_GUARD: Guard = { g: 'none' };

export interface Program {
  readonly ops: readonly Op[];
  /** cond nodes: what the condition tests. */
  readonly guard: Guard;
  /** cond nodes: a constant condition (`while (1)`, `do ... while (0)`), or null. */
  readonly constant: number | null;
  /** effect nodes: the statement calls a function that does not return (or throws): no normal successor gets a state. */
  readonly noReturn: boolean;
  /** Facts about plain values that correlate branches (engine/facts.ts), when the function has any. */
  readonly facts?: FactProgram;
}

/**
 * A condition over fact keys: a key names a plain value the function can follow (a local that is
 * never address-taken, `strcmp(path, "-")` over such values); `none` tests nothing followed.
 */
export type FactTest =
  | { readonly f: 'none' }
  | { readonly f: 'not'; readonly a: FactTest }
  | { readonly f: 'and' | 'or'; readonly a: FactTest; readonly b: FactTest }
  | {
    readonly f: 'cmp'; readonly key: string; readonly rel: Rel; readonly c: number;
    /** Compares the value just assigned (`(x = f()) == c`): known from the test though the node changes it (see factPrograms). */
    readonly assigned?: boolean;
  };

/** What a node does to the followed values: in this order, forgets `drops`, runs its ops, applies `shifts`, records `sets` and `nonNull`, then (cond) tests `test`. */
export interface FactProgram {
  /** Keys whose value this node may change (an assignment, `x++`, a call given the variable). */
  readonly drops?: readonly string[];
  /** `x = 1;`: the key's value afterwards. */
  readonly sets?: readonly { readonly key: string; readonly c: number }[];
  /** `n--;`, `i++;`: the key's value afterwards is its value before plus `by` (applied before `sets`). */
  readonly shifts?: readonly { readonly key: string; readonly by: number }[];
  /** Pointers the node surely dereferences and does not change: `key != 0` afterwards (applied after `sets`). */
  readonly nonNull?: readonly string[];
  /** cond nodes: the condition over followed keys. */
  readonly test?: FactTest;
}

export const EMPTY_PROGRAM: Program = { ops: [], guard: NO_GUARD, constant: null, noReturn: false };

/** How control leaves a function or a scope. */
export type ExitKind = 'return' | 'end' | 'block' | 'break' | 'continue' | 'goto' | 'throw';

export interface Exit {
  readonly kind: ExitKind;
  /** Where a leak at this exit is reported. */
  readonly start: number;
  readonly end: number;
  /** Identity of the exit (two nodes may share it: a scope end and the function end). */
  readonly id: string;
  /**
   * A `throw` exit reached only by an exception from a call that practically never raises (as
   * `ExceptionOrigin.unlikely`, for languages whose throw exits are per call), or a `return` reached
   * only when such a call failed (C: `dup2` onto a standard descriptor, `setenv`): reported below warning severity.
   */
  readonly unlikely?: boolean;
  /** With `unlikely`, the call whose failure alone reaches it, for the message (`setenv()`). */
  readonly unlikelyBecause?: string;
  /**
   * With `unlikely`: a `return` reached only where a defensive test at the function's start found this
   * pointer parameter (or a value read from one) NULL (C: `if (!server) return;`, the caller's contract
   * being that it never is), for the message.
   */
  readonly defensive?: string;
}

/**
 * - `entry`, `noop`: pass the state on;
 * - `effect`, `switch`: run the ops, same state to every successor;
 * - `cond`: run the ops, then succ[0] gets the state where the guard holds, succ[1] where it does not;
 * - `exit`: run the ops; the function ends here (return, throw, end of body);
 * - any node with an `exc` successor also sends the states of its `raise`/`rethrow` ops there;
 * - `scope`: the `dying` variables go out of scope, then the state flows on.
 */
export type IrNodeKind = 'entry' | 'noop' | 'effect' | 'cond' | 'switch' | 'exit' | 'scope';

export interface IrNode {
  readonly kind: IrNodeKind;
  readonly succ: readonly number[];
  readonly program: Program;
  readonly exit: Exit | null;
  readonly dying: readonly string[];
  /** Offset of the statement this node belongs to (names where a release or hand-off happened), or -1. */
  readonly anchor: number;
  /**
   * The variables this node's own statement reads (exits: the returned expression; statements that
   * assign a tracked location: their right-hand sides). A fix may not release a resource that the
   * statement it is inserted before still reads.
   */
  readonly reads: readonly string[];
  /**
   * The exceptional successor (a handler, a `finally`, or the function's throw exit), or -1/absent:
   * the states of this node's `raise` and `rethrow` ops flow there, after the normal successors.
   */
  readonly exc?: number;
  /**
   * Every variable this node's syntax mentions (reads, calls a method on, tests), when the language
   * gives it: a scoped release (try-with-resources) must not be followed by a use of the resource.
   */
  readonly uses?: readonly string[];
}

export interface FunctionIr {
  readonly nodes: readonly IrNode[];
  readonly entry: number;
  /** Parameter names by position (null for an unnamed one). */
  readonly params: readonly (string | null)[];
  /** Offsets of the function (a parameter's token points here). */
  readonly start: number;
  readonly end: number;
  /** Locals released automatically on every exit (C's `__attribute__((cleanup))`): never tracked. */
  readonly autoReleased: ReadonlySet<string>;
  /**
   * A leak held by several locations is named after one that the function closes on another path when the
   * location that first held it is never closed (C: `fd` copied into `file.fd`, closed as `file.fd`). Other
   * languages keep the first holder's name (a Java socket also added to a list closed element by element).
   */
  readonly nameAfterRelease?: boolean;
}
