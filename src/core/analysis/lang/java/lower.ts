import type { Node } from 'web-tree-sitter';
import { firstKid, mentionsIdentifier, searchTree, walk } from '../../syntax';
import type { Summary } from '../../engine/analysis';
import {
  NO_GUARD, type AcquireSite, type ExceptionOrigin, type Exit, type FunctionIr, type Guard, type IrNode, type IrNodeKind, type Op, type Ref,
  type Target, type Value,
} from '../../ir/ir';
import type { CfgNode, FunctionCfg } from './cfg';
import type { Keeping } from './projectClasses';
import { inheritedKey, keptByCallee, replacedArgument, type CalleeClass, type CtorFacts } from './calleeClasses';
import {
  ACCEPTING_TYPES, CHANNELS_VIEW_METHODS, CLOSE_HELPERS, CLOSE_NAME, CONNECTING_METHODS, FACTORY_NAME, NON_NULL_CHECKS, URL_CONNECTION_TYPES, FILES_ACQUIRE, HANDOFF_CONSTRUCTORS, HANDOFF_METHODS, LAYERING_METHODS, NEW_ACQUIRE, OPEN_ACQUIRE,
  CONSTRUCTED_SOCKET_KINDS, QUIET_CONSTRUCTORS, QUIET_METHODS, REGISTER_METHOD, STORE_METHODS, STORE_PREFIX, storedArgs, THROWING_WRAPPERS, VIEW_METHODS, acceptedKind, isUnlikelyThrow,
  isWrapperClassName, isWrapperType, type ResourceKind,
} from './names';
import { jdkContractUnlikely, quietJdkConstruction } from './jdkContracts';
import { isLombokCleanup } from './lombok';
import { callArgs, enclosingStatement, endsProcess, importedClasses, isFunction, isMemberName, simpleTypeName, strip } from './syntax';

/**
 * Lowers one Java method, constructor or lambda (its exception-aware CFG, ./cfg.ts) to the shared
 * IR: node for node, so that findings and fixes map back to the syntax. Each statement's
 * declarations, assignments and calls become ops in evaluation order; a call that may throw is a
 * `raise` at the point where it runs (the state before its own effect leaves by the node's
 * exceptional successor); `catch` clauses and the end of a `finally` on the exceptional path are
 * `catch` and `rethrow`; `x != null` tests are pointer validity guards; streams and wrappers of a
 * socket are binds of the same resource; hand-offs to threads, fields, collections and same-file
 * methods are escapes, transfers and summaries.
 */

/** What the lowering needs from the file around the function. */
export interface LowerContext {
  /** Summary of a same-file method (`m:name/arity`, or a key from `methodKey`) or constructor (`c:Type/arity`), if it has one. */
  summary(key: string): Summary | undefined;
  /**
   * The summary key of the same-file method an unqualified call `name(…)` at `site` calls (declared in
   * an enclosing class or a same-file superclass of one; among overloads, the one whose parameter types
   * match `argTypes`), or undefined when no such method is in the file.
   */
  methodKey?(name: string, argTypes: readonly (string | undefined)[], site: Node): string | undefined;
  /** The callee of this summary key can throw only through calls that practically never do. */
  throwsUnlikely?(key: string): boolean;
  fieldType(name: string): string | undefined;
  /** What a `new` of this class of the file opens, when it is a socket class (`class UnixSocketChannel extends NativeSocketChannel`). */
  socketClass?(name: string): ResourceKind | undefined;
  /** Whether a socket class (`socketClass`) extends a JDK socket class rather than only holding one. */
  socketSubclass?(name: string): boolean;
  /** Is some method of the file with this `name/arity` declared to return a socket or channel? */
  socketMethod?(nameArity: string): boolean;
  /** The arguments (indices) a static factory `name/arity` of another file's class `cls` keeps in the object it returns (ProjectClass.keeps). */
  keptBy?(cls: string, nameArity: string): Keeping | undefined;
  /** Can `new type(…)` with `arity` arguments, a class of another file, let out only an unchecked exception nobody throws on purpose (./quietConstructors)? */
  quietConstructor?(type: string, arity: number): boolean;
  /** What a call of this same-file method (a `methodKey`) returns its caller as a new resource, if it does. */
  returnsNew?(key: string): ResourceKind | undefined;
  /** A class of another file named `type` in this file, with its methods that keep parameters (./calleeClasses). */
  calleeClass?(type: string): CalleeClass | undefined;
  readonly ownershipTransfers: ReadonlySet<string>;
  /**
   * Remembers the syntax of an acquisition or exception origin by its offset (for messages). Of
   * two origins at one offset (`s.getOutputStream().write(b)`) the outer call, lowered last, wins.
   */
  remember(n: Node, role: 'acquisition' | 'origin'): void;
}

/** A resource the function starts with: a captured variable that a thread hand-off gave to this handler. */
export interface Seed {
  readonly name: string;
  readonly site: AcquireSite;
}

/** `new Thread(() -> use(c))`: the handler `handler` takes over what `name` holds on entry to IR node `node`. */
export interface HandOffSite {
  readonly node: number;
  readonly handler: Node;
  readonly name: string;
}

export interface LoweredFunction {
  readonly ir: FunctionIr;
  readonly handOffs: readonly HandOffSite[];
  /** The declarator or assignment that stores each acquisition (by the acquisition's offset). */
  readonly binds: ReadonlyMap<number, Node>;
  /** Set when an expression was too large to lower completely. */
  readonly partial: boolean;
  /**
   * A method declared to return a socket: every `return` gives null, a new acquisition, or a local that
   * only ever holds those and that the method keeps to itself (see `returnsOnlyOwn`; computed when first asked):
   * `direct` when no `return` gives a local (`return new Socket(h, p);`), `local` when some does, else `no`.
   */
  readonly returnsOwn: () => OwnReturns;
}

export type OwnReturns = 'no' | 'direct' | 'local';

const MAX_EXPRESSION_NODES = 100000;
const SKIPPED_IN_EFFECTS = new Set(['lambda_expression', 'class_body', 'switch_block', 'line_comment', 'block_comment', 'string_literal']);
const SIMPLE_STATEMENTS = new Set(['expression_statement', 'local_variable_declaration', 'return_statement', 'throw_statement']);
/** Declared types that may hold a resource (a parameter or local of such a type can be stored or lent). */
const RESOURCE_TYPES = new Set(['Closeable', 'AutoCloseable', 'Channel', 'NetworkChannel', 'ByteChannel', 'SelectableChannel']);

function hasClassBody(n: Node): boolean {
  return n.namedChildren.some((c) => c?.type === 'class_body');
}

/** Where a finding about `site` goes: its statement when that is a simple one, else the expression itself. */
export function reportRange(site: Node): { start: number; end: number } {
  const stmt = enclosingStatement(site);
  return SIMPLE_STATEMENTS.has(stmt.type) ? { start: stmt.startIndex, end: stmt.endIndex } : { start: site.startIndex, end: site.endIndex };
}

/** `new Socket`, `server.accept`, `SocketChannel.open`: how related information names an acquisition. */
function callName(call: Node): string {
  if (call.type === 'object_creation_expression') return `new ${simpleTypeName(call.childForFieldName('type'))}`;
  const o = call.childForFieldName('object');
  const name = call.childForFieldName('name')?.text ?? '';
  return o && o.text.length <= 40 ? `${o.text.replace(/\s+/g, ' ')}.${name}` : name;
}

export class JavaLowering {
  private readonly handOffs: HandOffSite[] = [];
  private readonly binds = new Map<number, Node>();
  /** Resource kinds each local may hold (from the acquisitions and copies anywhere in the function). */
  private readonly kinds = new Map<string, Set<ResourceKind>>();
  private partial = false;
  private current = 0;
  /** The statement being lowered ends the process (`System.exit(1)`): nothing follows it. */
  private endsProcess = false;
  /** Error and success flags, each with its value on the normal path and whether the initializer marks too. */
  private flags: Map<string, Flag> | null = null;
  /** The classes the file imports by name, with their packages (read once, when first needed). */
  private imported: Map<string, readonly string[]> | null = null;

  constructor(private readonly cfg: FunctionCfg, private readonly fn: Node, private readonly ctx: LowerContext) {}

  lower(seeds: readonly Seed[]): LoweredFunction {
    for (const s of seeds) this.kinds.set(s.name, new Set([s.site.resource as ResourceKind]));
    this.inferKinds();
    const nodes = this.cfg.nodes.map((n, id) => this.node(n, id, seeds));
    const ir: FunctionIr = {
      nodes, entry: this.cfg.entry, params: this.cfg.params, start: this.fn.startIndex, end: this.fn.endIndex, autoReleased: new Set(),
    };
    let own: OwnReturns | undefined;
    const returnsOwn = (): OwnReturns => (own ??= this.fn.type === 'method_declaration' ? this.returnsOnlyOwn() : 'no');
    return { ir, handOffs: this.handOffs, binds: this.binds, partial: this.partial, returnsOwn };
  }

  private node(n: CfgNode, id: number, seeds: readonly Seed[]): IrNode {
    this.current = id;
    const ops: Op[] = [];
    const reads: string[] = [];
    let kind: IrNodeKind = 'effect';
    let guard: Guard = NO_GUARD;
    let constant: number | null = null;
    let noReturn = false;
    const ast = n.ast;
    this.endsProcess = false;
    switch (n.kind) {
      case 'entry':
        for (const s of seeds) ops.push({ op: 'bind', target: { kind: 'local', key: s.name }, value: { kind: 'acquire', ...s.site }, start: s.site.start, end: s.site.end });
        kind = ops.length ? 'effect' : 'entry';
        break;
      case 'noop':
        kind = 'noop';
        break;
      case 'catch':
        ops.push({ op: 'catch' });
        break;
      case 'effect':
        if (ast?.type === 'throw_statement') {
          const e = firstKid(ast);
          if (e) this.effects(e, ops, reads);
          ops.push({ op: 'raise', origin: this.origin(ast) });
          noReturn = true;
        } else if (ast) {
          this.effects(ast, ops, reads);
          this.closedByLoop(ast, ops);
        }
        if (this.endsProcess) noReturn = true;
        break;
      case 'cond': {
        kind = 'cond';
        if (!ast) break;
        this.effects(ast, ops, reads);
        const e = strip(ast);
        if (e?.type === 'true') constant = 1;
        else if (e?.type === 'false') constant = 0;
        else guard = this.guard(ast, 0);
        break;
      }
      case 'return': {
        const expr = firstKid(ast ?? null);
        if (expr) {
          this.effects(expr, ops, reads);
          // A returned lambda, method reference or anonymous class keeps the locals it captures.
          const captured = expr.descendantsOfType(['lambda_expression', 'method_reference', 'class_body'])
            .flatMap((n) => (n ? identifiers(n) : [])).filter((name) => this.isLocal(name));
          ops.push({ op: 'returned', refs: [...new Set([...this.refsOf(expr), ...captured, ...this.passedIn(expr)])].map(ref) });
          reads.push(...identifiers(expr));
        }
        break;
      }
      case 'release':
        for (const v of n.vars) ops.push({ op: 'release', ref: ref(v) });
        break;
      case 'uraise':
        // An unchecked exception of this call that the catches around it do not catch.
        if (ast) ops.push({ op: 'raise', origin: this.origin(ast) });
        break;
      case 'rethrow':
        ops.push({ op: 'rethrow' });
        noReturn = true;
        break;
      case 'scope':
        kind = 'scope';
        break;
      case 'exit':
        kind = 'exit';
        break;
    }
    return {
      kind, succ: n.succ, program: { ops, guard, constant, noReturn }, exit: this.exitOf(n), dying: n.vars.length && n.kind === 'scope' ? n.vars : [],
      anchor: ast ? ast.startIndex : -1, reads: [...new Set(reads)], exc: n.exc, uses: this.uses(n),
    };
  }

  /**
   * The locals a statement or condition uses (nothing for the jumps and joins). A null test and a
   * `close()` are not uses: both are harmless on a closed socket, stream or channel.
   */
  private uses(n: CfgNode): string[] {
    if (!n.ast || !(n.kind === 'effect' || n.kind === 'cond' || n.kind === 'return')) return [];
    const out = new Set<string>();
    searchTree(n.ast, MAX_EXPRESSION_NODES, (c) => {
      if (c.type === 'identifier' && this.isLocal(c.text) && !isMemberName(c) && !harmlessUse(c)) out.add(c.text);
    });
    return [...out];
  }

  private exitOf(n: CfgNode): Exit | null {
    const e = n.exit;
    if (!e) return null;
    const id = `${e.kind}:${e.node.startIndex}:${e.node.endIndex}`;
    switch (e.kind) {
      case 'block':
      case 'end':
        return { kind: e.kind, start: Math.max(e.node.startIndex, e.node.endIndex - 1), end: e.node.endIndex, id };
      case 'throw': {
        // Reported at the function's name when no exception origin is known.
        const name = this.fn.childForFieldName('name') ?? this.fn;
        return { kind: 'throw', start: name.startIndex, end: name.endIndex, id };
      }
      default:
        return { kind: e.kind, start: e.node.startIndex, end: e.node.endIndex, id };
    }
  }

  private origin(site: Node): ExceptionOrigin {
    this.ctx.remember(site, 'origin');
    const unlikely = site.type === 'method_invocation' &&
      (isUnlikelyThrow(site.childForFieldName('name')?.text ?? '', callArgs(site).length, site.childForFieldName('object')?.text ?? null) || this.loopbackBind(site)
        || this.connectedSocketStream(site) || this.fileSkip(site) || this.jdkContract(site) || this.bufferedFirstWrite(site)
        || this.loopbackDatagramSend(site))
      || (site.type === 'object_creation_expression' && !hasClassBody(site) && !!this.ctx.quietConstructor?.(simpleTypeName(site.childForFieldName('type')), callArgs(site).length));
    return { at: site.startIndex, ...reportRange(site), ...(unlikely ? { unlikely } : {}) };
  }

  // ---------------------------------------------------------------- effects

  /** The declarations, assignments and calls in `ast`, in evaluation order (iterative post-order walk). */
  private effects(ast: Node, ops: Op[], reads: string[]): void {
    const stack: { n: Node; after: boolean }[] = [{ n: ast, after: false }];
    let budget = MAX_EXPRESSION_NODES;
    while (stack.length) {
      if (--budget < 0) {
        this.partial = true;
        return;
      }
      const { n, after } = stack.pop()!;
      if (after) {
        this.act(n, ops, reads);
        continue;
      }
      if (SKIPPED_IN_EFFECTS.has(n.type) || isFunction(n)) continue;
      switch (n.type) {
        case 'variable_declarator':
        case 'resource': {
          if (!n.childForFieldName('name')) break; // Java 9 `try (sock)`: nothing to evaluate.
          stack.push({ n, after: true });
          const v = n.childForFieldName('value');
          if (v) stack.push({ n: v, after: false });
          break;
        }
        case 'assignment_expression': {
          stack.push({ n, after: true });
          const r = n.childForFieldName('right');
          if (r) stack.push({ n: r, after: false });
          break;
        }
        case 'method_invocation':
        case 'object_creation_expression': {
          stack.push({ n, after: true });
          const a = n.childForFieldName('arguments');
          if (a) stack.push({ n: a, after: false });
          const o = n.childForFieldName('object');
          if (o) stack.push({ n: o, after: false });
          break;
        }
        default:
          for (let i = n.namedChildCount - 1; i >= 0; i--) {
            const c = n.namedChild(i);
            if (c) stack.push({ n: c, after: false });
          }
      }
    }
  }

  private act(n: Node, ops: Op[], reads: string[]): void {
    switch (n.type) {
      case 'variable_declarator':
      case 'resource': {
        const name = n.childForFieldName('name');
        if (!name) return;
        const valueNode = n.childForFieldName('value');
        if (valueNode) reads.push(...identifiers(valueNode));
        if (n.type === 'variable_declarator' && this.flagsOf().get(name.text)?.initializerMarks) {
          this.bind(ops, { kind: 'local', key: name.text }, { kind: 'errorFlag' }, n);
          return;
        }
        this.bind(ops, { kind: 'local', key: name.text }, valueNode ? this.factoryValue(name.text, valueNode) : { kind: 'other' }, n);
        // `@Cleanup InputStream in = …`: Lombok closes it on every path that leaves its scope (./lombok).
        if (n.type === 'variable_declarator' && valueNode && isLombokCleanup(n)) ops.push({ op: 'release', ref: ref(name.text) });
        return;
      }
      case 'assignment_expression': {
        if (n.childForFieldName('operator')?.text !== '=') return;
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (!left) return;
        const target = this.target(left);
        if (target.kind === 'local' && right) reads.push(...identifiers(right));
        if (target.kind === 'local' && this.flagsOf().has(target.key)) {
          this.bind(ops, target, { kind: 'errorFlag' }, n);
          return;
        }
        this.bind(ops, target, target.kind === 'local' && right ? this.factoryValue(target.key, right) : this.valueOf(right), n);
        return;
      }
      case 'method_invocation':
        this.call(n, ops);
        return;
      case 'object_creation_expression':
        this.construct(n, ops);
        return;
    }
  }

  private bind(ops: Op[], target: Target, value: Value, site: Node): void {
    if (target.kind === 'ignore') return;
    if (value.kind === 'acquire' && target.kind === 'local' && !this.binds.has(value.start)) this.binds.set(value.start, site);
    ops.push({ op: 'bind', target, value, ...reportRange(site) });
  }

  private isLocal(name: string): boolean {
    return this.cfg.locals.has(name);
  }

  private typeOf(name: string): string | undefined {
    return this.isLocal(name) ? this.cfg.types.get(name) : this.ctx.fieldType(name);
  }

  /** Where an assignment stores: a local, storage that outlives the function (a field, an array), or nothing tracked. */
  private target(lhs: Node): Target {
    const n = strip(lhs);
    if (!n) return { kind: 'ignore' };
    if (n.type === 'identifier') return this.isLocal(n.text) ? { kind: 'local', key: n.text } : { kind: 'escape' };
    if (n.type === 'field_access' || n.type === 'array_access') return { kind: 'escape' };
    return { kind: 'ignore' };
  }

  // ---------------------------------------------------------------- values

  private valueOf(node: Node | null, depth = 0): Value {
    const e = strip(node);
    if (!e || depth > 60) return { kind: 'other' };
    switch (e.type) {
      case 'null_literal':
        return { kind: 'invalid' };
      case 'identifier':
        return this.isLocal(e.text) ? { kind: 'var', key: e.text } : { kind: 'other' };
      case 'assignment_expression':
        return this.valueOf(e.childForFieldName('left'), depth + 1);
      case 'ternary_expression': {
        const keys: string[] = [];
        let invalid = false;
        for (const f of ['consequence', 'alternative']) {
          const v = this.valueOf(e.childForFieldName(f), depth + 1);
          keys.push(...keysOf(v));
          if (v.kind === 'invalid') invalid = true;
        }
        return keys.length || invalid ? { kind: 'join', keys, invalid } : { kind: 'other' };
      }
      case 'object_creation_expression': {
        const type = simpleTypeName(e.childForFieldName('type'));
        const rk = NEW_ACQUIRE.get(type) ?? this.ctx.socketClass?.(type);
        // A subclass of Socket built on a null SocketImpl (`new PrependableSocket(null)`, the protected
        // `Socket(SocketImpl)` constructor) has no descriptor: `implAccept()` gives it one, or none when it fails.
        if (rk === 'socket' && !NEW_ACQUIRE.has(type) && this.ctx.socketSubclass?.(type) && isNullOnly(callArgs(e))) return { kind: 'other' };
        if (rk && !hasClassBody(e)) return this.acquire(e, rk);
        if (isWrapperType(type)) return this.union(callArgs(e), depth);
        if (isWrapperClassName(type) && !hasClassBody(e) && !this.ctx.summary(`c:${type}/${callArgs(e).length}`)) return this.union(callArgs(e), depth);
        return { kind: 'other' };
      }
      case 'method_invocation': {
        const name = e.childForFieldName('name')?.text ?? '';
        const args = callArgs(e);
        const recv = strip(e.childForFieldName('object'));
        if (name === 'open' && recv) {
          const rk = OPEN_ACQUIRE.get(simpleTypeName(recv));
          if (rk) return this.acquire(e, rk);
        }
        if (name === 'accept' && args.length === 0 && recv) {
          const rk = this.acceptKind(recv);
          if (rk) return this.acquire(e, rk);
        }
        if (VIEW_METHODS.has(name) && args.length === 0 && recv) {
          // `(new Socket()).getChannel()`: a socket its constructor made has no channel (null), nothing to alias.
          if (name === 'getChannel' && this.constructedSocket(recv)) return { kind: 'invalid' };
          // `new Socket(h, p).getInputStream()`: the variable holds the new socket through its stream.
          const inner = this.valueOf(recv, depth + 1);
          if (inner.kind === 'acquire') return inner;
          const keys = keysOf(inner);
          return keys.length ? joinOf(keys) : { kind: 'other' };
        }
        if (CHANNELS_VIEW_METHODS.has(name) && recv && simpleTypeName(recv) === 'Channels') return this.union(args.slice(0, 1), depth);
        if (FILES_ACQUIRE.has(name) && recv && simpleTypeName(recv) === 'Files') return this.acquire(e, 'file');
        // `Socket sock = connectToLeader();`: a method of the file that returns a new socket (or null).
        const own = !recv || recv.type === 'this' ? this.ownReturn(e) : undefined;
        if (own) return this.acquire(e, own, true);
        return { kind: 'other' };
      }
      default:
        return { kind: 'other' };
    }
  }

  /**
   * Is `e` a `Socket`, `ServerSocket` or `DatagramSocket` made by its JDK constructor (`new Socket()`, no
   * anonymous subclass), or a local of this function (not a parameter) that every declaration and `=`
   * assignment gives only such a `new` or null? Such a socket has no channel: `getChannel()` is null.
   */
  private constructedSocket(e: Node): boolean {
    const fresh = (v: Node | null): boolean => {
      const x = strip(v);
      if (x?.type === 'null_literal') return true;
      if (x?.type !== 'object_creation_expression' || hasClassBody(x)) return false;
      const rk = NEW_ACQUIRE.get(simpleTypeName(x.childForFieldName('type')));
      return !!rk && CONSTRUCTED_SOCKET_KINDS.has(rk);
    };
    const n = strip(e);
    if (n?.type === 'object_creation_expression') return fresh(n);
    return n?.type === 'identifier' && this.onlyGiven(n.text, fresh);
  }

  /**
   * Is `name` a local of this function (not a parameter) that some declaration or `=` assignment gives a
   * value and every one gives a value `fresh` accepts (no loop variable, catch or lambda parameter shares its name)?
   */
  private onlyGiven(name: string, fresh: (v: Node | null) => boolean): boolean {
    if (!this.isLocal(name) || this.cfg.params.includes(name)) return false;
    const body = this.fn.childForFieldName('body');
    if (!body) return false;
    let ok = true;
    let given = false;
    let budget = MAX_EXPRESSION_NODES;
    walk(body, (id) => {
      if (!ok || --budget < 0) return false;
      if (id.type !== 'identifier' || id.text !== name || isMemberName(id)) return true;
      const p = id.parent;
      if ((p?.type === 'variable_declarator' || p?.type === 'resource') && p.childForFieldName('name')?.id === id.id) {
        const v = p.childForFieldName('value');
        if (v && !fresh(v)) ok = false;
        given ||= !!v;
      } else if (p?.type === 'assignment_expression' && p.childForFieldName('left')?.id === id.id) {
        if (p.childForFieldName('operator')?.text !== '=' || !fresh(p.childForFieldName('right'))) ok = false;
        given = true;
      } else if (p && /parameter|enhanced_for_statement|lambda_expression/.test(p.type)) {
        ok = false; // a loop variable, a catch or lambda parameter of the same name: some other value
      }
      return ok;
    });
    return ok && given && budget >= 0;
  }

  /** A JDK call whose contract leaves it practically nothing to fail on, by its receiver's declared type (./jdkContracts). */
  private jdkContract(call: Node): boolean {
    const recv = strip(call.childForFieldName('object'));
    const isVariable = recv?.type === 'identifier' && (this.isLocal(recv.text) || this.typeOf(recv.text) !== undefined);
    let type: string | undefined;
    if (recv?.type === 'identifier') type = this.typeOf(recv.text);
    else if (recv?.type === 'field_access' && recv.childForFieldName('object')?.type === 'this') type = this.ctx.fieldType(recv.childForFieldName('field')?.text ?? '');
    return jdkContractUnlikely(call.childForFieldName('name')?.text ?? '', callArgs(call), recv?.text ?? null, type, isVariable);
  }

  /**
   * `s.bind(new InetSocketAddress("127.0.0.1", 0))` (or `"::1"`, `"localhost"`, `InetAddress.getLoopbackAddress()`)
   * on a local that the function only ever gives an unbound socket of its own (`new Socket()`, `new ServerSocket()`,
   * `new DatagramSocket(null)`, a no-argument `SocketChannel`/`ServerSocketChannel`/`DatagramChannel.open()`, or
   * null), with no `bind` or `connect` on it earlier in the text: binding a fresh socket to a loopback address and
   * a port the system picks practically never fails.
   */
  /**
   * `s.getInputStream()` / `s.getOutputStream()` of a local declared `Socket` or `SSLSocket` that only ever holds
   * what an `accept()` returned or a `new Socket(host, port…)` (which connects) made: a connected socket's stream
   * is only refused once the socket was closed or that direction shut down, which the function would have done
   * itself. (A `URLConnection`'s `getInputStream()` connects and reads headers: not this.)
   */
  private connectedSocketStream(call: Node): boolean {
    const name = call.childForFieldName('name')?.text;
    if ((name !== 'getInputStream' && name !== 'getOutputStream') || callArgs(call).length) return false;
    const recv = strip(call.childForFieldName('object'));
    if (recv?.type !== 'identifier') return false;
    const type = this.typeOf(recv.text);
    if (type !== 'Socket' && type !== 'SSLSocket') return false;
    const connected = (v: Node | null): boolean => {
      const x = strip(v);
      if (x?.type === 'method_invocation') return x.childForFieldName('name')?.text === 'accept' && callArgs(x).length === 0 && !!x.childForFieldName('object');
      if (x?.type === 'object_creation_expression') return simpleTypeName(x.childForFieldName('type')) === 'Socket' && !hasClassBody(x) && callArgs(x).length >= 2;
      return false;
    };
    if (!this.onlyGiven(recv.text, connected)) return false;
    // Nothing in the function shuts it down or closes it before the call (in the text).
    return !this.calledBefore(call, recv.text, ['close', 'shutdownInput', 'shutdownOutput']);
  }

  /**
   * `fis.skip(n)` of a local declared `FileInputStream` that only ever holds a `new FileInputStream(f)` the
   * function opened by name (a `File` or a path, not a `FileDescriptor`), not closed earlier in the text:
   * skipping in a file is an `lseek`, which fails only where the name opens something that cannot seek (a
   * pipe or a FIFO), practically never for the files a program opens by name (nanohttpd's `serveFile`
   * skips to the start of a byte range it checked against the file's length).
   */
  private fileSkip(call: Node): boolean {
    if (call.childForFieldName('name')?.text !== 'skip' || callArgs(call).length !== 1) return false;
    const recv = strip(call.childForFieldName('object'));
    if (recv?.type !== 'identifier' || this.typeOf(recv.text) !== 'FileInputStream' || !this.isLocal(recv.text)) return false;
    const byName = (v: Node | null): boolean => {
      const x = strip(v);
      if (x?.type !== 'object_creation_expression' || hasClassBody(x) || simpleTypeName(x.childForFieldName('type')) !== 'FileInputStream') return false;
      const args = callArgs(x);
      const a = strip(args[0] ?? null);
      if (args.length !== 1 || !a || /FileDescriptor/.test(a.text)) return false;
      return a.type !== 'identifier' || this.typeOf(a.text) !== 'FileDescriptor';
    };
    return this.onlyGiven(recv.text, byName) && !this.calledBefore(call, recv.text, ['close']);
  }

  /**
   * `w.write("…" + port + "\r\n")` (java-prec9, issue 13; pircbotx IdentServerTest): the first write, not in a loop,
   * of a short string to a local that only ever holds a `new OutputStreamWriter(…)` or `new BufferedWriter(…)` the
   * function made, with no `write`, `append`, `flush` or `close` of it earlier in the text. Both writers gather what
   * they are given in a buffer (OutputStreamWriter: "the resulting bytes are accumulated in a buffer before being
   * written to the underlying output stream", at least 512 bytes and growing to 8,192 in the JDK's StreamEncoder;
   * BufferedWriter: 8,192 chars) and pass it on only when it is full, or on `flush()`/`close()`. A string whose length
   * the code bounds (string and character literals and primitive values joined by `+`, at most `SHORT_WRITE` chars,
   * which no charset makes more than 4 bytes each) fits in the empty buffer: the call does no I/O, and fails only if
   * the writer was closed, which nothing did. The `flush()` that follows is where the socket's failure shows.
   */
  private bufferedFirstWrite(call: Node): boolean {
    const args = callArgs(call);
    if (call.childForFieldName('name')?.text !== 'write' || args.length !== 1 || inLoop(call, this.fn)) return false;
    const recv = strip(call.childForFieldName('object'));
    if (recv?.type !== 'identifier') return false;
    const made = (v: Node | null): boolean => {
      const x = strip(v);
      const type = x?.type === 'object_creation_expression' ? simpleTypeName(x.childForFieldName('type')) : '';
      return (type === 'OutputStreamWriter' || type === 'BufferedWriter') && !hasClassBody(x!) && callArgs(x!).length <= 2;
    };
    if (!this.onlyGiven(recv.text, made) || this.calledBefore(call, recv.text, ['write', 'append', 'flush', 'close'])) return false;
    const length = this.boundedLength(args[0]!, 0);
    return length !== undefined && length <= SHORT_WRITE;
  }

  /**
   * `socket.send(packet)` (java-prec9, issue 13; sockslib UDPTimeServer.shutdown) of a local that only ever holds a
   * `new DatagramSocket(…)` the function made (no argument or one) and that nothing in the function connects, with a
   * packet made in the function (inline, or a local only ever given one) as `new DatagramPacket(buf, len, addr)` to
   * `new InetSocketAddress(<loopback>, port)` (or `(buf, len, <loopback>, port)`), whose length the code bounds below
   * UDP's largest datagram (`buf.length` of a literal's `getBytes()` or of `new byte[n]`, or a number). Sending a
   * datagram from an unconnected socket to the loopback interface needs no handshake and no route; a port nobody
   * listens on is reported (ICMP) only to a connected socket. The kernel refuses it only when out of buffers or for
   * an oversized datagram (ruled out): practically never.
   */
  private loopbackDatagramSend(call: Node): boolean {
    const args = callArgs(call);
    if (call.childForFieldName('name')?.text !== 'send' || args.length !== 1) return false;
    const recv = strip(call.childForFieldName('object'));
    if (recv?.type !== 'identifier') return false;
    const made = (v: Node | null): boolean => {
      const x = strip(v);
      return x?.type === 'object_creation_expression' && simpleTypeName(x.childForFieldName('type')) === 'DatagramSocket' && !hasClassBody(x) && callArgs(x).length <= 1;
    };
    if (!this.onlyGiven(recv.text, made) || this.calledIn(recv.text, ['connect'])) return false;
    const packet = (v: Node | null): boolean => {
      const x = strip(v);
      if (x?.type !== 'object_creation_expression' || simpleTypeName(x.childForFieldName('type')) !== 'DatagramPacket' || hasClassBody(x)) return false;
      const a = callArgs(x);
      const to = a.length === 3 ? strip(a[2]!) : null;
      const addressed = a.length === 4 ? isLoopback(strip(a[2]!))
        : to?.type === 'object_creation_expression' && simpleTypeName(to.childForFieldName('type')) === 'InetSocketAddress' && !hasClassBody(to)
          && callArgs(to).length === 2 && isLoopback(strip(callArgs(to)[0]!));
      return addressed && a.length >= 3 && this.datagramSized(a[0]!, a[1]!);
    };
    const p = strip(args[0]!);
    return packet(p) || (p?.type === 'identifier' && this.onlyGiven(p.text, packet));
  }

  /** `buf, buf.length` (or a number) where the packet's length is bounded below 65,507 bytes (see loopbackDatagramSend). */
  private datagramSized(buf: Node, len: Node): boolean {
    const l = strip(len);
    if (l?.type === 'decimal_integer_literal') return Number(l.text) <= MAX_DATAGRAM;
    const b = strip(buf);
    if (l?.type !== 'field_access' || l.childForFieldName('field')?.text !== 'length' || b?.type !== 'identifier' || strip(l.childForFieldName('object'))?.text !== b.text) return false;
    const literal = (v: Node | null): boolean => strip(v)?.type === 'string_literal' && (strip(v)!.text.length - 2) * 4 <= MAX_DATAGRAM;
    const sized = (v: Node | null): boolean => {
      const x = strip(v);
      if (x?.type === 'array_creation_expression') {
        const dims = x.namedChildren.filter((c) => c?.type === 'dimensions_expr');
        const n = dims.length === 1 ? strip(dims[0]!.namedChildren[0] ?? null) : null;
        return n?.type === 'decimal_integer_literal' && Number(n.text) <= MAX_DATAGRAM;
      }
      if (x?.type !== 'method_invocation' || x.childForFieldName('name')?.text !== 'getBytes') return false;
      const o = strip(x.childForFieldName('object'));
      return literal(o) || (o?.type === 'identifier' && this.onlyGiven(o.text, literal));
    };
    return this.onlyGiven(b.text, sized);
  }

  /** The most chars a string expression can have: literals and primitive values joined by `+` (undefined when unbounded). */
  private boundedLength(e: Node, depth: number): number | undefined {
    const x = strip(e);
    if (!x || depth > 16) return undefined;
    switch (x.type) {
      case 'string_literal':
        return x.text.startsWith('"""') ? undefined : x.text.length - 2;
      case 'character_literal':
        return 1;
      case 'decimal_integer_literal':
      case 'true':
      case 'false':
        return x.text.length;
      case 'identifier': {
        const t = this.typeOf(x.text);
        return t === undefined ? undefined : PRIMITIVE_CHARS.get(t);
      }
      case 'binary_expression': {
        if (x.childForFieldName('operator')?.text !== '+') return undefined;
        const l = this.boundedLength(x.childForFieldName('left')!, depth + 1);
        const r = l === undefined ? undefined : this.boundedLength(x.childForFieldName('right')!, depth + 1);
        return l === undefined || r === undefined ? undefined : l + r;
      }
      default:
        return undefined;
    }
  }

  /** Whether a call of one of `methods` on local `name` comes before `call` in the function's text. */
  private calledBefore(call: Node, name: string, methods: readonly string[]): boolean {
    return this.calledIn(name, methods, call.startIndex);
  }

  /** Whether a call of one of `methods` on local `name` is in the function's text (before offset `end`, when given). */
  private calledIn(name: string, methods: readonly string[], end = Infinity): boolean {
    let found = false;
    searchTree(this.fn.childForFieldName('body') ?? this.fn, MAX_EXPRESSION_NODES, (n) => {
      if (found || n.type !== 'method_invocation' || n.startIndex >= end) return;
      const o = strip(n.childForFieldName('object'));
      if (methods.includes(n.childForFieldName('name')?.text ?? '') && o?.type === 'identifier' && o.text === name) found = true;
    });
    return found;
  }

  private loopbackBind(call: Node): boolean {
    const args = callArgs(call);
    if (call.childForFieldName('name')?.text !== 'bind' || args.length < 1 || args.length > 2) return false;
    const addr = strip(args[0]!);
    if (addr?.type !== 'object_creation_expression' || simpleTypeName(addr.childForFieldName('type')) !== 'InetSocketAddress' || hasClassBody(addr)) return false;
    const [host, port] = callArgs(addr);
    if (callArgs(addr).length !== 2 || strip(port!)?.text !== '0' || !isLoopback(strip(host!))) return false;
    const recv = strip(call.childForFieldName('object'));
    if (recv?.type !== 'identifier') return false;
    const unbound = (v: Node | null): boolean => {
      const x = strip(v);
      if (x?.type === 'null_literal') return true;
      if (x?.type === 'object_creation_expression') {
        const type = simpleTypeName(x.childForFieldName('type'));
        const a = callArgs(x);
        return !hasClassBody(x) && (((type === 'Socket' || type === 'ServerSocket') && a.length === 0)
          || ((type === 'DatagramSocket' || type === 'MulticastSocket') && isNullOnly(a)));
      }
      if (x?.type !== 'method_invocation' || x.childForFieldName('name')?.text !== 'open' || callArgs(x).length) return false;
      const cls = strip(x.childForFieldName('object'));
      return !!cls && ['SocketChannel', 'ServerSocketChannel', 'DatagramChannel'].includes(simpleTypeName(cls));
    };
    if (!this.onlyGiven(recv.text, unbound)) return false;
    // An earlier bind or connect of it (or this bind run again by a loop around it) would fail: only the first in the text counts.
    return !this.calledBefore(call, recv.text, ['bind', 'connect']) && !inLoop(call, this.fn);
  }

  /**
   * The value stored in local `name`: as `valueOf`, and also what a factory (`createSocket()`,
   * `factory.openChannel(…)`) returns when `name` is declared as a socket or channel type: a new
   * resource the function owns, or null.
   */
  private factoryValue(name: string, node: Node): Value {
    const v = this.valueOf(node);
    const e = strip(node);
    if (v.kind !== 'other' || e?.type !== 'method_invocation' || !FACTORY_NAME.test(e.childForFieldName('name')?.text ?? '')) return v;
    if (this.layersWithoutDescriptor(e)) return v;
    const type = this.cfg.types.get(name) ?? '';
    if (type === 'SSLSocket' && this.layersOverHeldSocket(e)) return v;
    const rk = NEW_ACQUIRE.get(type) ?? OPEN_ACQUIRE.get(type);
    if (!rk || rk === 'file') return v;
    this.ctx.remember(e, 'acquisition');
    return { kind: 'acquire', start: e.startIndex, end: e.endIndex, call: callName(e), resource: rk, validity: 'pointer', alwaysValid: false };
  }

  /**
   * `factory.createSocket(s, host, port, autoClose)`: SSLSocketFactory's layering overload (a boolean literal last)
   * makes a TLS socket over the connected socket `s`; it opens no descriptor of its own (it reads and writes
   * through `s`'s). It is a resource of the function only as the new owner of a socket the function holds:
   * with `autoClose` false it never closes `s` (the function must close `s`, which stays tracked), and over a
   * socket another object owns (`bot.getSocket()`, `this.socket`, a field: not a local or parameter) dropping
   * the layer leaves `s` with that owner, which closes it. Neither is an acquisition.
   */
  private layersWithoutDescriptor(call: Node): boolean {
    const args = callArgs(call);
    if (!LAYERING_METHODS.has(call.childForFieldName('name')?.text ?? '') || args.length !== 4) return false;
    const autoClose = strip(args[3]!)?.type;
    if (autoClose === 'false') return true;
    if (autoClose !== 'true') return false;
    const over = strip(args[0]!);
    return !(over?.type === 'identifier' && this.isLocal(over.text));
  }

  /**
   * `SSLSocket s = server.createSSLSocket(socket)` (java-prec9, issue 13; subethasmtp StartTLSCommand): a factory that
   * returns an SSLSocket and is given a socket another object holds (an argument that is a getter's result,
   * `sess.getSocket()`, or a field, or a local that only ever holds one). JSSE makes an SSLSocket out of an existing
   * socket only by layering TLS over it (`SSLSocketFactory.createSocket(Socket, …)`, ./lower.ts layersWithoutDescriptor):
   * the layer reads and writes through that socket's descriptor and opens none of its own (a factory that connected a
   * new socket would have no use for the old one). So the result is not the function's resource: dropping it leaves
   * the socket with the object that holds it, which closes it.
   */
  private layersOverHeldSocket(call: Node): boolean {
    const held = (v: Node | null): boolean => {
      const x = strip(v);
      if (x?.type === 'method_invocation') return /^get[A-Z]/.test(x.childForFieldName('name')?.text ?? '') && callArgs(x).length === 0 && !!x.childForFieldName('object');
      if (x?.type === 'field_access') return true;
      return x?.type === 'identifier' && !this.isLocal(x.text) && this.ctx.fieldType(x.text) !== undefined;
    };
    return callArgs(call).some((a) => {
      const x = strip(a);
      if (x?.type === 'identifier' && this.isLocal(x.text)) {
        const t = this.cfg.types.get(x.text);
        return (t === 'Socket' || t === 'SSLSocket') && this.onlyGiven(x.text, held);
      }
      if (!held(x)) return false;
      // A getter or field given directly: its declared type is not known here; its name must say socket.
      return /socket$/i.test(x?.type === 'method_invocation' ? x.childForFieldName('name')?.text ?? '' : x?.text ?? '');
    });
  }

  private union(exprs: Node[], depth: number): Value {
    const keys: string[] = [];
    for (const a of exprs) {
      const v = this.valueOf(a, depth + 1);
      if (v.kind === 'acquire') return v;
      keys.push(...keysOf(v));
    }
    return keys.length ? joinOf(keys) : { kind: 'other' };
  }

  private acquire(call: Node, rk: ResourceKind, mayBeNull = false): Value {
    this.ctx.remember(call, 'acquisition');
    // A non-blocking ServerSocketChannel.accept() (and a channel's open()) may give null; a constructor never does.
    const alwaysValid = !mayBeNull && !(call.type === 'method_invocation' && rk === 'channel');
    return { kind: 'acquire', start: call.startIndex, end: call.endIndex, call: callName(call), resource: rk, validity: 'pointer', alwaysValid };
  }

  /** The locals whose resources an expression's value holds (a socket, its stream, a wrapper of its stream). */
  private refsOf(e: Node | null | undefined): string[] {
    return keysOf(this.valueOf(e ?? null));
  }

  /** `return wrap(s)`, `return factory.layer(s, …)`: the resources passed to the returned call, which its result keeps. */
  private passedIn(expr: Node): string[] {
    const e = strip(expr);
    if (!e || (e.type !== 'method_invocation' && e.type !== 'object_creation_expression')) return [];
    return callArgs(e).flatMap((a) => this.refsOf(a)).filter((k) => this.mayHoldResource(k));
  }

  /** The same-file method an unqualified (or `this.`) call calls, as a summary key. */
  private ownMethodKey(call: Node): string | undefined {
    const name = call.childForFieldName('name')?.text ?? '';
    const args = callArgs(call);
    return this.ctx.methodKey ? this.ctx.methodKey(name, args.map((a) => this.declaredType(a)), call) : `m:${name}/${args.length}`;
  }

  /** What a call of a same-file method gives its caller as a new resource (`Socket s = openData(…)`), if it does. */
  private ownReturn(call: Node): ResourceKind | undefined {
    if (!this.ctx.returnsNew || !this.ctx.socketMethod?.(`${call.childForFieldName('name')?.text ?? ''}/${callArgs(call).length}`)) return undefined;
    const key = this.ownMethodKey(call);
    return key ? this.ctx.returnsNew(key) : undefined;
  }

  /**
   * Does every `return` of this method give null, a new acquisition (`new Socket(…)`, `server.accept()`,
   * another same-file method that returns one) or a local that only ever holds those and that the method
   * keeps to itself (`keptFresh`)? Then its caller owns what it returns: nothing else refers to it.
   */
  private returnsOnlyOwn(): OwnReturns {
    const body = this.fn.childForFieldName('body');
    if (!body) return 'no';
    const returns: Node[] = [];
    let budget = MAX_EXPRESSION_NODES;
    walk(body, (n) => {
      if (--budget < 0 || isFunction(n) || n.type === 'class_body') return false;
      if (n.type === 'return_statement') returns.push(n);
      return true;
    });
    if (budget < 0 || !returns.length) return 'no';
    const params = new Set(this.cfg.params);
    const locals = new Map<string, boolean>();
    let direct = false;
    for (const r of returns) {
      const e = strip(firstKid(r));
      if (!e) return 'no';
      if (e.type === 'null_literal') continue;
      if (e.type === 'identifier') {
        if (params.has(e.text) || !this.isLocal(e.text)) return 'no';
        let fresh = locals.get(e.text);
        if (fresh === undefined) locals.set(e.text, (fresh = this.keptFresh(e.text, body)));
        if (!fresh) return 'no';
        continue;
      }
      const v = this.valueOf(e);
      if (v.kind !== 'acquire' || v.start !== e.startIndex) return 'no';
      direct = true;
    }
    return locals.size ? 'local' : direct ? 'direct' : 'no';
  }

  /**
   * Local `name` is only ever given null or a new acquisition (declarators and `=` assignments), and
   * every other mention of it is harmless to the caller's ownership: a call on it (`sock.connect(a)`,
   * `((SSLSocket) sock).startHandshake()`), a null or `instanceof` test, a `return`, or an argument of a
   * call that only borrows it (`mayKeepArgument`). Stored, copied, given to a constructor or a call that
   * keeps it, captured by a lambda or bound by try-with-resources, a loop or a catch, it is not the caller's alone.
   */
  private keptFresh(name: string, body: Node): boolean {
    let ok = true;
    let budget = MAX_EXPRESSION_NODES;
    walk(body, (id) => {
      if (!ok || --budget < 0) return false;
      // A lambda, nested method or anonymous class that mentions it captures it.
      if (isFunction(id) || id.type === 'class_body') {
        if (mentionsIdentifier(id, name, MAX_EXPRESSION_NODES)) ok = false;
        return false;
      }
      if (id.type === 'identifier' && id.text === name && !isMemberName(id) && !this.harmlessMention(id, name)) ok = false;
      return ok;
    });
    return ok && budget >= 0;
  }

  /** One mention of `name` in `keptFresh`: a binding to null or an acquisition, or a use that keeps it where it is. */
  private harmlessMention(id: Node, name: string): boolean {
    const p = id.parent;
    if (p?.type === 'variable_declarator' && p.childForFieldName('name')?.id === id.id) {
      const v = p.childForFieldName('value');
      return !v || strip(v)?.type === 'null_literal' || this.factoryValue(name, v).kind === 'acquire';
    }
    if (p?.type === 'assignment_expression' && p.childForFieldName('left')?.id === id.id) {
      const r = p.childForFieldName('right');
      return p.childForFieldName('operator')?.text === '=' && !!r && (strip(r)?.type === 'null_literal' || this.factoryValue(name, r).kind === 'acquire');
    }
    // The expression the mention is: through parentheses and casts.
    let child = id;
    let q = p;
    while (q && (q.type === 'parenthesized_expression' || q.type === 'cast_expression')) {
      child = q;
      q = q.parent;
    }
    if (!q) return false;
    if (q.type === 'method_invocation' && q.childForFieldName('object')?.id === child.id) return true;
    if (q.type === 'return_statement' || q.type === 'instanceof_expression') return true;
    if (q.type === 'binary_expression') return harmlessUse(id);
    return q.type === 'argument_list' && q.parent?.type === 'method_invocation' && child.id === id.id && !this.mayKeepArgument(q.parent, id);
  }

  /**
   * May `call` keep its argument `arg` (so that the value lives on elsewhere)? A same-file method keeps it
   * when its summary says so; a call that stores, registers, hands over or layers it does (the lowering
   * hands it over there: `call`). Any other call only borrows it, as the lowering takes it for the
   * function's own analysis (`verifyRemote(socket)`, `LOG.debug("…", s)`, `closeQuietly(s)`).
   */
  private mayKeepArgument(call: Node, arg: Node): boolean {
    const name = call.childForFieldName('name')?.text ?? '';
    const recv = call.childForFieldName('object');
    const args = callArgs(call);
    const i = args.findIndex((a) => a.id === arg.id);
    if (i < 0) return true;
    if (STORE_METHODS.has(name) || STORE_PREFIX.test(name) || HANDOFF_METHODS.has(name) || name === REGISTER_METHOD || LAYERING_METHODS.has(name)
      || this.ctx.ownershipTransfers.has(name) || (recv && this.ctx.ownershipTransfers.has(`${recv.text}.${name}`))) return true;
    if (!recv || recv.type === 'this') {
      const key = this.ownMethodKey(call);
      const summary = key ? this.ctx.summary(key) : undefined;
      if (summary) return i >= summary.escapes.length || !!summary.escapes[i];
      if (key) return true; // a same-file method without a summary yet (recursion): unknown
    }
    if (this.calleeKeeps(call)?.includes(i)) return true;
    // `Util.readAll(s)`: a static method of a library class, which the lowering takes to keep what it is given.
    const r = strip(recv);
    if (r?.type === 'identifier' && /^[A-Z]/.test(r.text) && !this.isLocal(r.text) && this.importedFromOutsideJdk(r.text)) return !CLOSE_HELPERS.has(name) && !CLOSE_NAME.test(name);
    return false;
  }

  /** What `recv.accept()` returns: a connection when `recv` is (or holds) a server socket or channel. */
  private acceptKind(recv: Node): ResourceKind | null {
    for (const k of this.refsOf(recv)) {
      for (const kind of this.kinds.get(k) ?? []) {
        const a = acceptedKind(kind);
        if (a) return a;
      }
    }
    const name = recv.type === 'identifier' ? recv.text : recv.type === 'field_access' ? recv.childForFieldName('field')?.text : undefined;
    const type = name ? this.typeOf(name) : undefined;
    return type ? ACCEPTING_TYPES.get(type) ?? null : null;
  }

  /**
   * The resource kinds each local may hold, from every acquisition and copy stored in it anywhere
   * in the function (flow-insensitive: it decides what `x.accept()` returns when `x` is a `var`).
   */
  private inferKinds(): void {
    const binds: [string, Node | null][] = [];
    const stack: Node[] = [this.fn.childForFieldName('body') ?? this.fn];
    let budget = MAX_EXPRESSION_NODES;
    while (stack.length && budget-- > 0) {
      const n = stack.pop()!;
      if (n.id !== this.fn.id && (isFunction(n) || n.type === 'class_body')) continue;
      if (n.type === 'variable_declarator' || n.type === 'resource') {
        const name = n.childForFieldName('name')?.text;
        if (name) binds.push([name, n.childForFieldName('value')]);
      } else if (n.type === 'assignment_expression') {
        const l = strip(n.childForFieldName('left'));
        if (l?.type === 'identifier') binds.push([l.text, n.childForFieldName('right')]);
      }
      for (let i = 0; i < n.namedChildCount; i++) {
        const c = n.namedChild(i);
        if (c) stack.push(c);
      }
    }
    for (let pass = 0, changed = true; pass < 4 && changed; pass++) {
      changed = false;
      for (const [name, value] of binds) {
        const v = this.valueOf(value);
        const add = v.kind === 'acquire' ? [v.resource as ResourceKind] : keysOf(v).flatMap((k) => [...(this.kinds.get(k) ?? [])]);
        let set = this.kinds.get(name);
        for (const k of add) {
          if (!set) this.kinds.set(name, (set = new Set()));
          if (!set.has(k)) {
            set.add(k);
            changed = true;
          }
        }
      }
    }
  }

  /** May this local hold a resource (an acquisition or copy is stored in it, or its declared type is one)? */
  private mayHoldResource(name: string): boolean {
    if (this.kinds.has(name)) return true;
    const type = this.cfg.types.get(name) ?? '';
    return NEW_ACQUIRE.has(type) || OPEN_ACQUIRE.has(type) || isWrapperType(type) || RESOURCE_TYPES.has(type);
  }

  // ---------------------------------------------------------------- calls

  private raise(ops: Op[], site: Node): void {
    const origin = this.origin(site);
    if (origin.unlikely && this.caught(site)) return;
    ops.push({ op: 'raise', origin });
  }

  /**
   * Is `site` in the body of a `try` of this function that has a `catch`? An exception from a call that
   * practically never throws, caught there, is not followed: the leaks it could lead to after the catch
   * (at a later return or the end) would be reported as warnings while they are pedantic ones.
   */
  private caught(site: Node): boolean {
    let child = site;
    for (let p = site.parent; p && p.id !== this.fn.id && !isFunction(p); child = p, p = p.parent) {
      if ((p.type === 'try_statement' || p.type === 'try_with_resources_statement') && p.childForFieldName('body')?.id === child.id
        && p.namedChildren.some((c) => c?.type === 'catch_clause')) return true;
    }
    return false;
  }

  private call(call: Node, ops: Op[]): void {
    const name = call.childForFieldName('name')?.text ?? '';
    const args = callArgs(call);
    const recvNode = call.childForFieldName('object');
    const recv = strip(recvNode);
    if (name === 'close' && args.length === 0) {
      if (recv) for (const k of this.refsOf(recv)) ops.push({ op: 'release', ref: ref(k) });
      return;
    }
    // `IOUtils.closeQuietly(s, consumer)`, `Closeables.close(s, true)`: a helper that closes what it is given.
    const staticClose = name === 'close' && args.length > 0 && recv?.type === 'identifier' && /^[A-Z]/.test(recv.text) && !this.isLocal(recv.text);
    if ((CLOSE_HELPERS.has(name) && args.length > 0) || staticClose) {
      for (const a of args) for (const k of this.refsOf(a)) ops.push({ op: 'release', ref: ref(k) });
      return;
    }
    // `System.exit(1)`: the process ends here (and closes everything).
    if (endsProcess(call)) {
      this.endsProcess = true;
      return;
    }
    // `assertNotNull(s)`, `Objects.requireNonNull(s)`: an exception only where `s` is null (it holds nothing then).
    if (NON_NULL_CHECKS.has(name) && args.length > 0) {
      const checked = args.map((a) => strip(a)).filter((a): a is Node => a?.type === 'identifier' && this.isLocal(a.text) && this.mayHoldResource(a.text));
      if (checked.length === 1) {
        ops.push({ op: 'raise', origin: this.origin(call), when: { g: 'cmp', subject: { kind: 'key', key: checked[0]!.text }, rel: '==', c: 0 } });
        return;
      }
    }
    if (this.ctx.ownershipTransfers.has(name) || (recvNode && this.ctx.ownershipTransfers.has(`${recvNode.text}.${name}`))) {
      ops.push({ op: 'transfer', refs: args.flatMap((a) => this.refsOf(a)).map(ref) });
      return;
    }
    if (HANDOFF_METHODS.has(name) && args.length > 0) {
      this.handOff(args, ops);
      return;
    }
    // `uc.getLastModified()`: the first call that connects a URLConnection opens its stream.
    if (recv?.type === 'identifier' && this.connects(call, recv.text)) {
      this.raise(ops, call);
      this.ctx.remember(call, 'acquisition');
      const value: Value = { kind: 'acquire', start: call.startIndex, end: call.endIndex, call: callName(call), resource: 'urlConnection', validity: 'pointer', alwaysValid: true };
      this.bind(ops, { kind: 'local', key: recv.text }, value, call);
      return;
    }
    // Once connected, `uc.getInputStream()` fails only when connecting failed: nothing is open then.
    if (recv?.type === 'identifier' && this.isLocal(recv.text) && URL_CONNECTION_TYPES.has(this.cfg.types.get(recv.text) ?? '') && CONNECTING_METHODS.has(name)) {
      ops.push({ op: 'raise', origin: this.origin(call), when: { g: 'cmp', subject: { kind: 'key', key: recv.text }, rel: '==', c: 0 } });
      return;
    }
    // The selector's key set refers to the channel now; the event loop closes it.
    if (name === REGISTER_METHOD && recv) ops.push({ op: 'transfer', refs: this.refsOf(recv).map(ref) });
    const stored = (STORE_METHODS.has(name) || STORE_PREFIX.test(name)) && recv ? storedArgs(name, args).flatMap((a) => this.refsOf(a)).filter((k) => this.mayHoldResource(k)) : [];
    if (stored.length && recv) {
      // A local collection holds them now (and leaks them if it is dropped); any other keeps them.
      if (STORE_PREFIX.test(name)) {
        // `if (!thread.addAcceptedConnection(sc))`: it may refuse (and say so), or throw before keeping it.
        this.raise(ops, call);
        ops.push({ op: 'transfer', refs: stored.map(ref) });
      } else if (recv.type === 'identifier' && this.isLocal(recv.text)) {
        ops.push({ op: 'bind', target: { kind: 'local', key: recv.text }, value: joinOf([recv.text, ...stored]), ...reportRange(call) });
      } else ops.push({ op: 'transfer', refs: stored.map(ref) });
      return;
    }
    if (!recv || recv.type === 'this') {
      const key = this.ctx.methodKey ? this.ctx.methodKey(name, args.map((a) => this.declaredType(a)), call) : `m:${name}/${args.length}`;
      const summary = key ? this.ctx.summary(key) : undefined;
      if (key && summary) {
        this.applySummary(summary, key, args, call, ops);
        return;
      }
    }
    // `NIOServerCnxn.closeSock(sc)`, `forceClose(s)`: a helper of another file (or an inherited one) whose name says it closes.
    if (CLOSE_NAME.test(name) && args.length > 0) {
      const closed = args.flatMap((a) => this.refsOf(a)).filter((k) => this.mayHoldResource(k));
      if (closed.length) {
        for (const k of closed) ops.push({ op: 'release', ref: ref(k) });
        return;
      }
    }
    // `client.close(true)`: an overload of close() called on a resource the function holds (JGlobus's
    // `FTPClient.close(boolean ignoreQuitReply)`) closes it, as close() does.
    if (name === 'close' && args.length > 0 && recv && recv.type !== 'this') {
      const held = this.refsOf(recv).filter((k) => this.mayHoldResource(k));
      if (held.length) {
        for (const k of held) ops.push({ op: 'release', ref: ref(k) });
        return;
      }
    }
    if (name === REGISTER_METHOD || QUIET_METHODS.has(name)) return;
    // `factory.createSocket(s, host, port, true)`: the layered socket owns `s` (autoClose).
    if (LAYERING_METHODS.has(name) && args.length === 4 && strip(args[3]!)?.type === 'true') {
      this.raise(ops, call);
      ops.push({ op: 'transfer', refs: this.refsOf(args[0]).map(ref) });
      return;
    }
    // `InputArchive ia = BinaryInputArchive.getArchive(in)`: a static factory building a reader over the
    // file stream it is given does no I/O (like a wrapper's constructor, it does not throw).
    if (this.isStaticWrapping(call)) return;
    // `Response.newChunkedResponse(status, mime, in)`: a static factory of another file's class that returns
    // `new Response(…)` built on `in`, which the constructor keeps in a field that close() closes. The
    // object returned owns it, as `new Response(status, mime, in, -1)` would (an exception from the
    // factory still leaks it; an unlikely one when only an unchecked exception nobody throws on purpose can
    // leave it and its constructor).
    const keeping = recv?.type === 'identifier' && !this.isLocal(recv.text) ? this.ctx.keptBy?.(recv.text, `${name}/${args.length}`) : undefined;
    if (keeping) {
      const kept = keeping.params;
      if (!keeping.uncheckedOnly) this.raise(ops, call);
      else if (!this.caught(call)) ops.push({ op: 'raise', origin: { ...this.origin(call), unlikely: true } });
      const given = kept.flatMap((i) => (args[i] ? this.refsOf(args[i]) : [])).filter((k) => this.mayHoldResource(k));
      if (given.length) ops.push({ op: 'transfer', refs: given.map(ref) });
      const rest = args.filter((_, i) => !kept.includes(i)).flatMap((a) => this.refsOf(a)).filter((k) => this.mayHoldResource(k));
      if (rest.length) ops.push({ op: 'lend', refs: rest.map(ref) });
      return;
    }
    // `Streams.copyAndClose(in, out)`, `Handshake.check(s)`: a static method of another file's class of the project,
    // read (java-handoff2): what it keeps, closes, returns or only borrows, when every resource given is one of those.
    if (this.staticCallee(call, args, ops)) return;
    // `IOUtil.readInput(in)`: a static method of a class the file imports from a library or another
    // package of the project (not the JDK), which the analysis cannot see: it may keep or close what
    // it is given (kerby's readInput closes its stream). An exception from it still leaks it; after
    // it returns, the resource is taken to be its business (silence rather than a guess).
    if (recv?.type === 'identifier' && /^[A-Z]/.test(recv.text) && !this.isLocal(recv.text) && this.importedFromOutsideJdk(recv.text)) {
      this.raise(ops, call);
      const given = args.map((a) => strip(a)).filter((a): a is Node => a?.type === 'identifier' && this.isLocal(a.text) && this.mayHoldResource(a.text));
      if (given.length === args.length) {
        ops.push({ op: 'transfer', refs: given.map((a) => ref(a.text)) });
        return;
      }
      this.unknown(args, call, ops);
      return;
    }
    // `sess.setSocket(s)`: a method of another file's class that stores what it is given (./calleeClasses); `sess.end(s)`
    // one that closes it on every path that returns, `w = codec.wrap(s)` one that returns it or an object built on it.
    const kept = this.calleeKeeps(call);
    const released = this.calleeFacts(call, 'releases');
    if (kept || released) {
      const quietBuilder = kept ? this.calleeQuietBuilder(call) : false;
      // `manager.newSession(s)`: a builder of an interface that declares no `throws` (./calleeClasses `quietBuilder`)
      // can let out only an unchecked exception: an unlikely exception origin.
      this.classified(args, { keeps: kept ?? [], releases: released ?? [], borrows: [] }, ops, 'lend', () => {
        if (!quietBuilder) this.raise(ops, call);
        else if (!this.caught(call)) ops.push({ op: 'raise', origin: { ...this.origin(call), unlikely: true } });
      });
      return;
    }
    this.unknown(args, call, ops);
  }

  /**
   * The facts `what` of a call on another file's class (./calleeClasses) for its arguments: `returns` only where the
   * call's value is used (a value returned and dropped keeps nothing).
   */
  private calleeFacts(call: Node, what: 'releases' | 'returns' | 'borrows', cls = this.calleeOf(call)): readonly number[] | undefined {
    if (what === 'returns' && call.parent?.type === 'expression_statement') return undefined;
    const ps = cls?.[what]?.get(`${call.childForFieldName('name')?.text ?? ''}/${callArgs(call).length}`);
    return ps?.length ? ps : undefined;
  }

  /** The class of another file a call's receiver is declared as (./calleeClasses `keptByCallee`), or the class a static call names. */
  private calleeOf(call: Node): CalleeClass | undefined {
    if (!this.ctx.calleeClass) return undefined;
    const recv = strip(call.childForFieldName('object'));
    if (!recv || recv.type === 'this' || recv.type === 'super') {
      // `setSocket(s)` of a method the class inherits from another file's superclass (./calleeClasses `inherited`).
      const cls = this.topClass(call);
      return cls ? this.ctx.calleeClass(inheritedKey(cls)) : undefined;
    }
    return keptByCallee(recv, (name, field) => (!field && this.isLocal(name) ? this.cfg.types.get(name) : this.ctx.fieldType(name)), (t) => this.ctx.calleeClass!(t))
      ?? (this.isStaticReceiver(recv) ? this.ctx.calleeClass(recv.text) : undefined);
  }

  /** The name of the top-level class whose own body (not an anonymous class's) a node is in, if any. */
  private topClass(n: Node): string | undefined {
    let decl: Node | null = n.parent;
    while (decl && decl.type !== 'class_body') decl = decl.parent;
    decl = decl?.parent ?? null;
    return decl?.type === 'class_declaration' && decl.parent?.type === 'program' ? decl.childForFieldName('name')?.text : undefined;
  }

  /** `Helper` in `Helper.m(s)`: a capitalised name that is no local, parameter or field of the file. */
  private isStaticReceiver(recv: Node): boolean {
    return recv.type === 'identifier' && /^[A-Z]/.test(recv.text) && !this.isLocal(recv.text) && this.ctx.fieldType(recv.text) === undefined;
  }

  /**
   * The resources among `args` by what the callee does with the parameter each is given to: kept (or returned, or
   * not known) → handed over; closed on every path that returns → released; only borrowed → lent (still the
   * caller's). `rest` says what becomes of an argument in none of the lists. `raise` adds the call's exception: after
   * the releases (a callee that closes a parameter on every path that returns is its last owner, on its exceptional
   * exits too, as for the file's own summaries: `applySummary`), before the hand-overs (it may throw before keeping it).
   */
  private classified(args: readonly Node[], facts: CtorFacts, ops: Op[], rest: 'lend' | 'transfer', raise: () => void): void {
    const keys = (i: number): string[] => (args[i] ? this.refsOf(args[i]) : []).filter((k) => this.mayHoldResource(k));
    const released = facts.releases.flatMap(keys);
    const kept = facts.keeps.flatMap(keys).filter((k) => !released.includes(k));
    const lent = args.flatMap((_, i) => (facts.keeps.includes(i) || facts.releases.includes(i) ? [] : keys(i)))
      .filter((k) => !released.includes(k) && !kept.includes(k));
    const borrowed = lent.filter((k) => rest === 'lend' || args.every((_, i) => !keys(i).includes(k) || facts.borrows.includes(i)));
    const given = [...kept, ...lent.filter((k) => !borrowed.includes(k))];
    for (const k of new Set(released)) ops.push({ op: 'release', ref: ref(k) });
    raise();
    if (given.length) ops.push({ op: 'transfer', refs: [...new Set(given)].map(ref) });
    if (borrowed.length) ops.push({ op: 'lend', refs: [...new Set(borrowed)].map(ref) });
  }

  /**
   * `Helper.m(s)` of another file's class of the project (java-handoff2): when every resource given goes to a parameter
   * the method keeps, returns (its value used), closes on every path that returns or only borrows, it is handed over,
   * released or lent accordingly. False (nothing done) otherwise: the call is then read as before.
   */
  private staticCallee(call: Node, args: readonly Node[], ops: Op[]): boolean {
    const recv = strip(call.childForFieldName('object'));
    if (!recv || !this.isStaticReceiver(recv)) return false;
    const cls = this.calleeOf(call);
    if (!cls) return false;
    const key = `${call.childForFieldName('name')?.text ?? ''}/${args.length}`;
    const keeps = [...new Set([...(cls.keeps.get(key) ?? []), ...(this.calleeFacts(call, 'returns', cls) ?? [])])];
    const facts: CtorFacts = { keeps, releases: this.calleeFacts(call, 'releases', cls) ?? [], borrows: this.calleeFacts(call, 'borrows', cls) ?? [] };
    const known = new Set([...facts.keeps, ...facts.releases, ...facts.borrows]);
    const resourceArgs = args.map((a, i) => (this.refsOf(a).some((k) => this.mayHoldResource(k)) ? i : -1)).filter((i) => i >= 0);
    if (!resourceArgs.length || !resourceArgs.every((i) => known.has(i))) return false;
    this.classified(args, facts, ops, 'lend', () => this.raise(ops, call));
    return true;
  }

  /** Is the call a builder of another file's interface that can let out only unchecked exceptions (./calleeClasses `quietBuilder`)? */
  private calleeQuietBuilder(call: Node): boolean {
    if (!this.ctx.calleeClass) return false;
    const recv = strip(call.childForFieldName('object'));
    if (!recv || recv.type === 'this' || recv.type === 'super') return false;
    const cls = keptByCallee(recv, (name, field) => (!field && this.isLocal(name) ? this.cfg.types.get(name) : this.ctx.fieldType(name)), (t) => this.ctx.calleeClass!(t));
    return !!cls?.quietBuilders?.has(`${call.childForFieldName('name')?.text ?? ''}/${callArgs(call).length}`);
  }

  /**
   * The arguments (indices) a call keeps when its receiver's declared type is a class of another file whose
   * method of that name and arity keeps them (./calleeClasses): a local or parameter (`sess`), a field of the
   * file's class (`this.session`), or a field of such a class (`connection.tcp`). Undefined when none or unknown.
   */
  private calleeKeeps(call: Node): readonly number[] | undefined {
    const cls = this.calleeOf(call);
    const kept = [...new Set([...(cls?.keeps.get(`${call.childForFieldName('name')?.text ?? ''}/${callArgs(call).length}`) ?? []), ...(this.calleeFacts(call, 'returns', cls) ?? [])])];
    return kept.length ? kept : undefined;
  }

  /** Is `cls` a class the file imports by name from outside `java.*`/`javax.*` (`import org.apache.kerby.util.IOUtil;`)? */
  private importedFromOutsideJdk(cls: string): boolean {
    const pkg = (this.imported ??= importedClasses(this.fn.tree.rootNode)).get(cls);
    return !!pkg && pkg[0] !== 'java' && pkg[0] !== 'javax';
  }

  private construct(n: Node, ops: Op[]): void {
    const type = simpleTypeName(n.childForFieldName('type'));
    const args = callArgs(n);
    if (NEW_ACQUIRE.has(type)) {
      this.raise(ops, n);
      return;
    }
    if (HANDOFF_CONSTRUCTORS.has(type)) {
      this.handOff(args, ops);
      return;
    }
    if (isWrapperType(type)) {
      if (THROWING_WRAPPERS.has(type)) this.raise(ops, n);
      return;
    }
    const key = `c:${type}/${args.length}`;
    const summary = this.ctx.summary(key);
    if (summary) {
      this.applySummary(summary, key, args, n, ops);
      return;
    }
    if (QUIET_CONSTRUCTORS.has(type) || quietJdkConstruction(type, args, (a) => this.declaredType(a)) || hasClassBody(n)) return;
    if (isWrapperClassName(type) && !this.wrappingSocketClass(type, args, n, ops)) {
      // `new ChannelWrapper(ch)` of another file: the wrapper is the resource (its value is what it
      // wraps, closing it closes that); it may still throw while being built.
      this.raise(ops, n);
      return;
    }
    // `new Handler(s)` of another file's class whose constructors of that arity are read (./calleeClasses `ctors`,
    // java-handoff2): what they keep is handed over to the object, what they close on every path that returns is
    // released, what they only borrow stays the caller's; anything else is taken to be kept, as below.
    const ctor = this.ctx.calleeClass?.(type)?.ctors?.get(args.length);
    if (ctor) {
      this.classified(args, ctor, ops, 'transfer', () => this.raise(ops, n));
      return;
    }
    this.unknown(args, n, ops);
    // `new Conn(s)`, `new Handler(s, this)`: an object of a class the analysis cannot see keeps what it is
    // built from (once built: an exception from the constructor still leaks it).
    const kept = args.flatMap((a) => this.refsOf(a)).filter((k) => this.mayHoldResource(k));
    if (kept.length) ops.push({ op: 'transfer', refs: kept.map(ref) });
  }

  /**
   * `new MonitorSocketWrapper(socket, monitor)` of another file's class that is a socket itself (it extends
   * `Socket`: `valueOf` makes it a new acquisition, not a name of what it wraps): the new socket is built on
   * the resources it is given and keeps them, as `new Conn(s)` of a class the analysis cannot see does
   * (`construct`); so they are handed over to it once it is built. An exception from the constructor leaves
   * them the caller's; it is an unlikely one when every constructor of that arity can let out only unchecked
   * exceptions nobody throws on purpose (./calleeClasses `quietCtors`). False when `type` is no such class.
   */
  private wrappingSocketClass(type: string, args: Node[], n: Node, ops: Op[]): boolean {
    if (!this.ctx.socketClass?.(type) || hasClassBody(n)) return false;
    const kept = args.flatMap((a) => this.refsOf(a)).filter((k) => this.mayHoldResource(k));
    if (!kept.length) return false;
    if (!this.ctx.calleeClass?.(type)?.quietCtors.has(args.length)) this.raise(ops, n);
    else if (!this.caught(n)) ops.push({ op: 'raise', origin: { ...this.origin(n), unlikely: true } });
    ops.push({ op: 'transfer', refs: kept.map(ref) });
    return true;
  }

  /**
   * A call the analysis cannot see: it may throw, and a resource among its arguments may be kept
   * by it (`new Conn(s)` of another file): still open, but no fix may close it afterwards.
   */
  private unknown(args: Node[], site: Node, ops: Op[]): void {
    this.raise(ops, site);
    // `socket = initializer.init(socket)`, `s = Wrapper.wrap(s, m)`: the function gives up its only name of the
    // resource for what the call returns, built from it (./calleeClasses `replacedArgument`): handed over.
    const replaced = replacedArgument(site, args);
    const given = replaced !== undefined && this.isLocal(replaced) && this.mayHoldResource(replaced) ? replaced : undefined;
    if (given !== undefined) ops.push({ op: 'transfer', refs: [ref(given)] });
    const lent = args.flatMap((a) => this.refsOf(a)).filter((k) => this.mayHoldResource(k) && k !== given);
    if (lent.length) ops.push({ op: 'lend', refs: lent.map(ref) });
  }

  /**
   * A same-file callee. One that closes a resource it is given on every path that returns is its last
   * owner, on its exceptional exits too (`receiveConnection(sock)` closes what it cannot handle): an
   * exception from it leaks only what it was not given. (One that only keeps it somewhere, such as
   * `registerAndConnect(ch, addr)` registering it with a selector before connecting, may throw before
   * or after: its caller still owns the resource when it throws.) One whose exceptions can come only
   * from calls that practically never throw (`setSockOpts(s)` setting socket options) is an unlikely origin.
   */
  private applySummary(summary: Summary, key: string, args: Node[], site: Node, ops: Op[]): void {
    const refs = args.map((a) => ref(this.refsOf(a)[0] ?? null));
    const takes = refs.some((r, i) => r.key !== null && summary.releases[i]);
    const raise = (): void => {
      if (!summary.mayThrow) return;
      if (this.ctx.throwsUnlikely?.(key)) {
        if (this.caught(site)) return;
        this.ctx.remember(site, 'origin');
        ops.push({ op: 'raise', origin: { at: site.startIndex, ...reportRange(site), unlikely: true } });
      } else this.raise(ops, site);
    };
    if (!takes) raise();
    ops.push({ op: 'summary', name: key, refs });
    if (takes) raise();
  }

  /**
   * `Type.getX(r)`: a static getter of a class (capitalised receiver) given one argument that holds a
   * stream, reader, writer or channel (not a socket), whose result is stored in a local.
   */
  private isStaticWrapping(call: Node): boolean {
    const recv = strip(call.childForFieldName('object'));
    const args = callArgs(call);
    if (recv?.type !== 'identifier' || !/^[A-Z][a-z]/.test(recv.text) || this.isLocal(recv.text) || args.length !== 1) return false;
    if (!/^get[A-Z]/.test(call.childForFieldName('name')?.text ?? '')) return false;
    const p = call.parent;
    const stored = p?.type === 'variable_declarator' || (p?.type === 'assignment_expression' && strip(p.childForFieldName('left'))?.type === 'identifier');
    if (!stored) return false;
    const keys = this.refsOf(args[0]);
    return keys.length > 0 && keys.every((k) => [...(this.kinds.get(k) ?? [])].every((kind) => kind === 'file') && (this.kinds.get(k)?.size ?? 0) > 0);
  }

  /** Is `call` the first (in the text) call that connects the URLConnection local `name`? */
  private connects(call: Node, name: string): boolean {
    if (!this.isLocal(name) || !URL_CONNECTION_TYPES.has(this.cfg.types.get(name) ?? '') || !CONNECTING_METHODS.has(call.childForFieldName('name')?.text ?? '')) return false;
    let first = Infinity;
    searchTree(this.fn.childForFieldName('body') ?? this.fn, MAX_EXPRESSION_NODES, (n) => {
      if (n.type !== 'method_invocation' || n.startIndex >= first || !CONNECTING_METHODS.has(n.childForFieldName('name')?.text ?? '')) return;
      const o = strip(n.childForFieldName('object'));
      if (o?.type === 'identifier' && o.text === name) first = n.startIndex;
    });
    return first === call.startIndex;
  }

  /** The declared simple type of an argument that is a local or a field (`Socket`), if known. */
  private declaredType(arg: Node): string | undefined {
    const e = strip(arg);
    return e?.type === 'identifier' ? this.typeOf(e.text) : undefined;
  }

  /**
   * `for (ServerSocket s : opened) { s.close(); }` over a local collection: the loop closes every
   * element, so what the collection holds is released where the loop starts.
   */
  private closedByLoop(value: Node, ops: Op[]): void {
    const loop = value.parent;
    if (loop?.type !== 'enhanced_for_statement' || loop.childForFieldName('value')?.id !== value.id) return;
    const coll = strip(value);
    const element = loop.childForFieldName('name')?.text;
    const body = loop.childForFieldName('body');
    if (coll?.type !== 'identifier' || !this.isLocal(coll.text) || !element || !body) return;
    let closes = false;
    searchTree(body, MAX_EXPRESSION_NODES, (n) => {
      if (closes || n.type !== 'method_invocation') return;
      const name = n.childForFieldName('name')?.text ?? '';
      const args = callArgs(n);
      const recv = strip(n.childForFieldName('object'));
      if (name === 'close' && args.length === 0 && recv?.type === 'identifier' && recv.text === element) closes = true;
      else if ((CLOSE_HELPERS.has(name) || CLOSE_NAME.test(name)) && args.some((a) => strip(a)?.type === 'identifier' && strip(a)!.text === element)) closes = true;
    });
    if (closes) ops.push({ op: 'release', ref: ref(coll.text) });
  }

  /**
   * `new Thread(...)`, `executor.submit(...)`: every local the arguments mention (directly, or
   * captured by a lambda or an anonymous class) now belongs to the other thread. The lambdas and
   * run()/call() methods among the arguments are analysed with those resources as their own.
   */
  private handOff(args: Node[], ops: Op[]): void {
    const handlers: Node[] = [];
    const mentioned = new Set<string>();
    const stack: Node[] = [...args];
    let budget = MAX_EXPRESSION_NODES;
    while (stack.length && budget-- > 0) {
      const n = stack.pop()!;
      if (n.type === 'identifier' && this.isLocal(n.text)) mentioned.add(n.text);
      if (n.type === 'lambda_expression') handlers.push(n);
      if (n.type === 'method_declaration' && ['run', 'call'].includes(n.childForFieldName('name')?.text ?? '')) handlers.push(n);
      for (let i = 0; i < n.namedChildCount; i++) {
        const c = n.namedChild(i);
        if (c) stack.push(c);
      }
    }
    for (const name of mentioned) for (const h of handlers) if (mentionsFree(h, name)) this.handOffs.push({ node: this.current, handler: h, name });
    if (mentioned.size) ops.push({ op: 'transfer', refs: [...mentioned].map(ref) });
  }

  /**
   * Flags tested in a finally to close only when something failed. A boolean local initialised to a
   * constant and otherwise assigned only the other constant, either only in catch clauses (an error
   * flag: `error = true;`) or only outside them (a success flag: `success = true;` at the end of a try
   * body). Where the flag says the normal path was taken, what was live where it was set is not the
   * function's to close any more (for a success flag, also what was live at its declaration: on a path
   * that never set it, that branch cannot be taken).
   */
  private flagsOf(): Map<string, Flag> {
    if (this.flags) return this.flags;
    const init = new Map<string, boolean>();
    const sets = new Map<string, { value: boolean; inCatch: boolean }[]>();
    const bad = new Set<string>();
    const constant = (r: Node | null): boolean | undefined => (r?.type === 'true' ? true : r?.type === 'false' ? false : undefined);
    const body = this.fn.childForFieldName('body');
    if (body) {
      searchTree(body, MAX_EXPRESSION_NODES, (n) => {
        if (n.type === 'variable_declarator') {
          const name = n.childForFieldName('name')?.text;
          if (!name || !this.isLocal(name) || this.cfg.types.get(name) !== 'boolean') return;
          const v = constant(strip(n.childForFieldName('value')));
          if (v === undefined || init.has(name)) bad.add(name);
          else init.set(name, v);
          return;
        }
        if (n.type !== 'assignment_expression') return;
        const l = strip(n.childForFieldName('left'));
        if (l?.type !== 'identifier' || !this.isLocal(l.text) || this.cfg.types.get(l.text) !== 'boolean') return;
        const v = n.childForFieldName('operator')?.text === '=' ? constant(strip(n.childForFieldName('right'))) : undefined;
        if (v === undefined) bad.add(l.text);
        else sets.set(l.text, [...(sets.get(l.text) ?? []), { value: v, inCatch: inCatch(n, this.fn) }]);
      });
    }
    const flags = new Map<string, Flag>();
    for (const [name, list] of sets) {
      const initial = init.get(name);
      if (bad.has(name) || initial === undefined || list.some((x) => x.value === initial)) continue;
      if (list.every((x) => x.inCatch)) flags.set(name, { normal: initial, initializerMarks: false });
      else if (list.every((x) => !x.inCatch)) flags.set(name, { normal: !initial, initializerMarks: true });
    }
    return (this.flags = flags);
  }

  // ---------------------------------------------------------------- null checks

  /** Offsets of the acquisitions inside an expression (they run only when it is evaluated). */
  private acquisitionsIn(e: Node): number[] {
    const out: number[] = [];
    searchTree(e, MAX_EXPRESSION_NODES, (n) => {
      if (n.type !== 'object_creation_expression' && n.type !== 'method_invocation') return;
      const v = this.valueOf(n);
      if (v.kind === 'acquire' && v.start === n.startIndex) out.push(v.start);
    });
    return out;
  }

  private guard(cond: Node, depth: number): Guard {
    const e = strip(cond);
    if (!e || depth > 100) return NO_GUARD;
    if (e.type === 'unary_expression' && e.childForFieldName('operator')?.type === '!') {
      const arg = e.childForFieldName('operand');
      return arg ? { g: 'not', a: this.guard(arg, depth + 1) } : NO_GUARD;
    }
    if (e.type === 'identifier') {
      // `if (error)`, `if (!success)`: where the flag says the normal path was taken, what was live where it was set was handed over.
      const flag = this.flagsOf().get(e.text);
      return flag === undefined ? NO_GUARD : { g: 'cmp', subject: { kind: 'key', key: e.text }, rel: flag.normal ? '!=' : '==', c: 0 };
    }
    if (e.type === 'method_invocation') {
      // `s.isClosed()` holds where `s` no longer holds an open resource (as `s == null`); `ch.isOpen()` the opposite.
      const name = e.childForFieldName('name')?.text;
      const recv = strip(e.childForFieldName('object'));
      if ((name === 'isClosed' || name === 'isOpen') && callArgs(e).length === 0 && recv?.type === 'identifier' && this.isLocal(recv.text)) {
        return { g: 'cmp', subject: { kind: 'key', key: recv.text }, rel: name === 'isClosed' ? '==' : '!=', c: 0 };
      }
      return NO_GUARD;
    }
    if (e.type !== 'binary_expression') return NO_GUARD;
    const op = e.childForFieldName('operator')?.type ?? '';
    const l = strip(e.childForFieldName('left'));
    const r = strip(e.childForFieldName('right'));
    if (!l || !r) return NO_GUARD;
    if (op === '&&' || op === '||') {
      return { g: op === '&&' ? 'and' : 'or', a: this.guard(l, depth + 1), b: this.guard(r, depth + 1), bAcquires: this.acquisitionsIn(r) };
    }
    if (op !== '==' && op !== '!=') return NO_GUARD;
    const subject = l.type === 'null_literal' ? r : r.type === 'null_literal' ? l : null;
    if (!subject || subject.type !== 'identifier' || !this.isLocal(subject.text)) return NO_GUARD;
    return { g: 'cmp', subject: { kind: 'key', key: subject.text }, rel: op, c: 0, nullTest: true };
  }
}

interface Flag {
  /** The flag's value on the normal path (`false` for `error`, `true` for `success`). */
  readonly normal: boolean;
  /** Its declaration records what is live there too (a success flag). */
  readonly initializerMarks: boolean;
}

/** Is `n` in the body of a catch clause of `fn` (not of a nested function)? */
function inCatch(n: Node, fn: Node): boolean {
  for (let p = n.parent; p && p.id !== fn.id && !isFunction(p); p = p.parent) if (p.type === 'catch_clause') return true;
  return false;
}

/** `s == null`, `s != null`, `s.close()`. */
function harmlessUse(id: Node): boolean {
  let p = id.parent;
  let child = id;
  while (p && p.type === 'parenthesized_expression') {
    child = p;
    p = p.parent;
  }
  if (!p) return false;
  if (p.type === 'binary_expression') {
    const op = p.childForFieldName('operator')?.type;
    const other = p.childForFieldName('left')?.id === child.id ? p.childForFieldName('right') : p.childForFieldName('left');
    return (op === '==' || op === '!=') && strip(other)?.type === 'null_literal';
  }
  return p.type === 'method_invocation' && p.childForFieldName('object')?.id === child.id && p.childForFieldName('name')?.text === 'close'
    && callArgs(p).length === 0;
}

function ref(key: string | null): Ref {
  return { key, prefix: null };
}

function keysOf(v: Value): string[] {
  return v.kind === 'var' ? [v.key] : v.kind === 'join' ? [...v.keys] : [];
}

function joinOf(keys: string[]): Value {
  const unique = [...new Set(keys)];
  return unique.length === 1 ? { kind: 'var', key: unique[0]! } : { kind: 'join', keys: unique, invalid: false };
}

/** The identifiers an expression reads. */
function identifiers(expr: Node): string[] {
  if (expr.type === 'identifier') return [expr.text];
  return [...new Set(expr.descendantsOfType('identifier').map((n) => n.text))];
}

/** Does `fn` use `name` without declaring it (a captured variable)? */
function mentionsFree(fn: Node, name: string): boolean {
  let used = false;
  // Stops (true) at a declaration of `name`: then it is not free.
  const declared = searchTree(fn, MAX_EXPRESSION_NODES, (n) => {
    if (n.type !== 'identifier' || n.text !== name) return false;
    const p = n.parent;
    if (p && (p.type === 'variable_declarator' || p.type === 'formal_parameter') && p.childForFieldName('name')?.id === n.id) return true;
    if (p && p.type === 'formal_parameters') return true;
    if (p && p.type === 'lambda_expression' && p.childForFieldName('parameters')?.id === n.id) return true;
    if (!(p && p.type === 'method_invocation' && p.childForFieldName('name')?.id === n.id)
      && !(p && p.type === 'field_access' && p.childForFieldName('field')?.id === n.id)) used = true;
    return false;
  });
  return used && !declared;
}

/** The largest UDP payload over IPv4 (65,535 less the IP and UDP headers). */
const MAX_DATAGRAM = 65507;
/** The longest first write of a buffered writer that certainly stays in its buffer (lower.ts bufferedFirstWrite). */
const SHORT_WRITE = 512;
/** The most chars `String.valueOf` gives for a value of a primitive type. */
const PRIMITIVE_CHARS: ReadonlyMap<string, number> = new Map([
  ['int', 11], ['long', 20], ['short', 6], ['byte', 4], ['char', 1], ['boolean', 5],
]);

/** `"127.0.0.1"`, `"::1"`, `"localhost"` or `InetAddress.getLoopbackAddress()`. */
function isLoopback(e: Node | null): boolean {
  if (e?.type === 'string_literal') return ['"127.0.0.1"', '"::1"', '"localhost"'].includes(e.text);
  return e?.type === 'method_invocation' && e.childForFieldName('name')?.text === 'getLoopbackAddress' && callArgs(e).length === 0
    && strip(e.childForFieldName('object'))?.text === 'InetAddress';
}

/** Is `n` inside a loop of `fn` (not of a nested function)? */
function inLoop(n: Node, fn: Node): boolean {
  for (let p = n.parent; p && p.id !== fn.id && !isFunction(p); p = p.parent) {
    if (['for_statement', 'enhanced_for_statement', 'while_statement', 'do_statement'].includes(p.type)) return true;
  }
  return false;
}

/** `(null)`: a single argument, the null literal. */
function isNullOnly(args: readonly Node[]): boolean {
  return args.length === 1 && strip(args[0]!)?.type === 'null_literal';
}
