import type { Node } from 'web-tree-sitter';
import { acquireShape, callee, isBorrowingCall, type Imports } from './names';
import { DEFERRED, named, strip, tupleElements, walk } from './syntax';

/**
 * A class's close method owns what it closes. In `def close(self): self._send_bye(); self.sock.close()`
 * the socket held in `self.sock` is the method's to close from its first line: if `_send_bye()` raises,
 * it stays open. So a method named as a closer (`close`, `_close`, `close_connection`, `handle_close`)
 * that closes attributes of its object on every path through its body (`self.sock.close()`,
 * `os.close(self.fd)`, or a call to another method of the class that does, `self._close_socket()`)
 * holds those attributes from its entry (./lower binds them there), and only a leak where an exception
 * leaves the method is reported: a method that returns early without closing (already closed, not
 * connected) does so on purpose.
 *
 * Inside such a method the attribute is a tracked name (`self.sock`): closing it, or calling a method
 * of the class that closes it, releases it; `sock = self.sock` aliases it; rebinding or deleting it drops
 * it; any other use as a value (passed to a call that may keep it, returned, stored) hands it over.
 */

export interface OwnedAttributes {
  /** The method's own name for its object (`self`). */
  readonly self: string;
  /** `self.X` → the first call in the method that closes it (where the finding says it is closed). */
  readonly keys: ReadonlyMap<string, Node>;
  /** Methods of the class → the attributes (`X`) each closes on every path (directly or through other methods). */
  readonly closers: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * The calls of the method (by offset) that do I/O on a connection it owns: `self.sock.shutdown()`,
   * `self.sock.sendall(b)`, or a method of the class that does (`self._send_closing_frame()`). These fail
   * when the peer is gone, which is when a close method runs; a leak at any other call of the method
   * needs it to raise where it practically never does, and is reported below warning severity.
   */
  readonly likely: ReadonlySet<number>;
}

/** Words of a method name (`close_connection`, `handleClose`): a closer has the word `close`. */
function isCloserName(name: string): boolean {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split('_').includes('close');
}

/** The methods defined directly in a class body, by name (a name defined twice is left out). */
function methods(cls: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  const twice = new Set<string>();
  const body = cls.childForFieldName('body');
  for (const st of body ? named(body) : []) {
    const def = st.type === 'decorated_definition' ? st.childForFieldName('definition') : st;
    if (def?.type !== 'function_definition') continue;
    const name = def.childForFieldName('name')?.text;
    if (!name) continue;
    if (out.has(name)) twice.add(name);
    // A static or class method has no object of its own.
    if (st !== def) continue;
    out.set(name, def);
  }
  for (const n of twice) out.delete(n);
  return out;
}

/** The method's first parameter (`self`), or null. */
function selfName(fn: Node): string | null {
  const params = fn.childForFieldName('parameters');
  const first = params ? named(params)[0] : undefined;
  return first?.type === 'identifier' ? first.text : null;
}

/** `self.X` (exactly one attribute on the object's own name): X, else null. */
export function ownAttribute(n: Node | null, self: string): string | null {
  const x = strip(n);
  if (x?.type !== 'attribute') return null;
  const obj = strip(x.childForFieldName('object'));
  const attr = x.childForFieldName('attribute');
  return obj?.type === 'identifier' && obj.text === self && attr ? attr.text : null;
}

/**
 * What a call closes directly: `self.X.close()`, `self.X.detach()`, `os.close(self.X)` give X;
 * `self.m()` gives the method name m (prefixed `()` to tell it apart). Null otherwise.
 */
function closedBy(call: Node, self: string, imports: Imports): string | null {
  const fn = strip(call.childForFieldName('function'));
  if (fn?.type !== 'attribute') return null;
  const method = fn.childForFieldName('attribute')?.text;
  const recv = fn.childForFieldName('object');
  const args = call.childForFieldName('arguments');
  const list = args ? named(args) : [];
  if ((method === 'close' || method === 'detach') && list.length === 0) {
    const x = ownAttribute(recv, self);
    if (x !== null) return x;
  }
  const c = callee(call, imports);
  if ((c.resolved === 'os.close' || c.raw === 'os.close') && list.length === 1) return ownAttribute(list[0]!, self);
  const obj = strip(recv);
  if (obj?.type === 'identifier' && obj.text === self && method) return `()${method}`;
  return null;
}

/**
 * The statements of a body that run on every path through it: its top-level statements, the body of a
 * `try` and its `finally`, and the branch of an `if` that only tests the attribute closed inside it
 * (`if self.sock: self.sock.close()`, `if self.sock is not None:`; the other branch has nothing to close).
 */
function unconditionalCalls(body: Node, self: string): Node[] {
  const out: Node[] = [];
  const visit = (block: Node): void => {
    for (const st of named(block)) {
      if (st.type === 'expression_statement') {
        const e = strip(named(st)[0] ?? null);
        if (e?.type === 'call') out.push(e);
      } else if (st.type === 'try_statement') {
        const b = st.childForFieldName('body');
        if (b) visit(b);
        const fin = named(st).find((c) => c.type === 'finally_clause')?.namedChildren.find((c) => c?.type === 'block');
        if (fin) visit(fin);
      } else if (st.type === 'if_statement' && named(st).filter((c) => c.type === 'elif_clause' || c.type === 'else_clause').length === 0) {
        const tested = testedAttribute(st.childForFieldName('condition'), self);
        const cons = st.childForFieldName('consequence');
        if (tested === null || !cons) continue;
        for (const c of named(cons)) {
          const e = c.type === 'expression_statement' ? strip(named(c)[0] ?? null) : null;
          const fn = e?.type === 'call' ? strip(e.childForFieldName('function')) : null;
          // Only a call on the tested attribute itself.
          if (e && fn?.type === 'attribute' && ownAttribute(fn.childForFieldName('object'), self) === tested) out.push(e);
        }
      }
    }
  };
  visit(body);
  return out;
}

/** `self.X`, `self.X is not None`, `self.X != None`: X; else null. */
function testedAttribute(cond: Node | null, self: string): string | null {
  const c = strip(cond);
  if (!c) return null;
  const direct = ownAttribute(c, self);
  if (direct !== null) return direct;
  if (c.type !== 'comparison_operator') return null;
  const parts = named(c);
  const op = c.childrenForFieldName('operators').map((o) => o?.text.replace(/\s+/g, ' '))[0];
  if (parts.length !== 2 || (op !== 'is not' && op !== '!=') || strip(parts[1]!)?.type !== 'none') return null;
  return ownAttribute(parts[0]!, self);
}

/** For each method of the class, the attributes it closes on every path, through other methods too. */
function classClosers(cls: Node, imports: Imports): Map<string, Set<string>> {
  const direct = new Map<string, { attrs: Set<string>; calls: Set<string> }>();
  for (const [name, def] of methods(cls)) {
    const self = selfName(def);
    const body = def.childForFieldName('body');
    if (!self || !body) continue;
    const attrs = new Set<string>();
    const calls = new Set<string>();
    for (const call of unconditionalCalls(body, self)) {
      const x = closedBy(call, self, imports);
      if (x === null) continue;
      if (x.startsWith('()')) calls.add(x.slice(2));
      else attrs.add(x);
    }
    direct.set(name, { attrs, calls });
  }
  // Through other methods of the class, to a fixed point (each round adds an attribute or stops).
  const out = new Map<string, Set<string>>();
  for (const [name, d] of direct) out.set(name, new Set(d.attrs));
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, d] of direct) {
      const mine = out.get(name)!;
      for (const m of d.calls) {
        for (const x of out.get(m) ?? []) {
          if (!mine.has(x)) {
            mine.add(x);
            changed = true;
          }
        }
      }
    }
  }
  for (const [name, s] of [...out]) if (s.size === 0) out.delete(name);
  return out;
}

/**
 * Methods only a socket has (`self.sock.recv(n)`, `self.sock.sendall(b)`): an attribute they are called on
 * is a socket. Not `send`, `close`, `shutdown` or `fileno`: streams, loops, executors and generators have them too.
 */
const SOCKET_ONLY_METHODS: ReadonlySet<string> = new Set([
  'recv', 'recv_into', 'recvfrom', 'recvfrom_into', 'recvmsg', 'sendall', 'sendto', 'sendmsg', 'setsockopt', 'getsockopt', 'getpeername',
]);

/** What a close method may still do on a connection before closing it, and what fails when the peer is gone. */
const IO_METHODS: ReadonlySet<string> = new Set(['send', 'sendall', 'sendto', 'sendmsg', 'shutdown', 'recv', 'recv_into', 'recvfrom', 'write', 'flush']);

/** `self.X.m(…)` with m an I/O method and X one of `attrs`: X, else null. */
function ioOn(call: Node, self: string, attrs: ReadonlySet<string>): string | null {
  const fn = strip(call.childForFieldName('function'));
  const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
  if (method === undefined || !IO_METHODS.has(method)) return null;
  const x = ownAttribute(fn!.childForFieldName('object'), self);
  return x !== null && attrs.has(x) ? x : null;
}

/** The methods of the class that do I/O on one of `attrs` (anywhere in their body, or through another such method). */
function ioMethods(cls: Node, attrs: ReadonlySet<string>): Set<string> {
  const calls = new Map<string, Set<string>>();
  const out = new Set<string>();
  for (const [name, def] of methods(cls)) {
    const self = selfName(def);
    const body = def.childForFieldName('body');
    if (!self || !body) continue;
    const called = new Set<string>();
    walk(body, (n) => {
      if (DEFERRED.has(n.type)) return false;
      if (n.type !== 'call') return true;
      if (ioOn(n, self, attrs) !== null) out.add(name);
      const fn = strip(n.childForFieldName('function'));
      const obj = fn?.type === 'attribute' ? strip(fn.childForFieldName('object')) : null;
      const m = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      if (obj?.type === 'identifier' && obj.text === self && m) called.add(m);
      return true;
    });
    calls.set(name, called);
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, called] of calls) {
      if (out.has(name)) continue;
      if ([...called].some((m) => out.has(m))) {
        out.add(name);
        changed = true;
      }
    }
  }
  return out;
}

/**
 * The attributes of the class's object known to hold a socket, file or descriptor: assigned an acquisition
 * of the tables somewhere in the class (`self.sock = socket.create_connection(a)`, `self.r, self.w =
 * socket.socketpair()`, `self.f = open(p)`), closed with `os.close(self.fd)`, or used with a method only a
 * socket has (`self.sock.recv(n)`). Any other attribute a close method closes (a client, a loop, a handler)
 * is no descriptor the analysis can tell about.
 */
function resourceAttributes(cls: Node, imports: Imports): { all: Set<string>; pairs: Set<string> } {
  const out = new Set<string>();
  const pairs = new Set<string>();
  for (const def of methods(cls).values()) {
    const self = selfName(def);
    const body = def.childForFieldName('body');
    if (!self || !body) continue;
    walk(body, (n) => {
      if (n.type === 'class_definition') return false;
      if (n.type === 'assignment') {
        const right = strip(n.childForFieldName('right'));
        const shape = right?.type === 'call' ? acquireShape(right, imports) : null;
        if (!shape) return true;
        const left = strip(n.childForFieldName('left'));
        const elems = left ? tupleElements(left) : null;
        if (!elems) {
          const x = ownAttribute(left, self);
          if (x !== null && (shape.shape === 'single' || shape.shape === 'wrap')) out.add(x);
        } else {
          elems.forEach((el, i) => {
            const x = ownAttribute(el, self);
            if (x !== null && ((shape.shape === 'accept' && i === 0) || (shape.shape === 'pair' && i < 2))) out.add(x);
            if (x !== null && shape.shape === 'pair') pairs.add(x);
          });
        }
        return true;
      }
      if (n.type !== 'call') return true;
      const fn = strip(n.childForFieldName('function'));
      const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      const onAttr = fn?.type === 'attribute' ? ownAttribute(fn.childForFieldName('object'), self) : null;
      if (onAttr !== null && method !== undefined && SOCKET_ONLY_METHODS.has(method)) out.add(onAttr);
      const c = callee(n, imports);
      const args = n.childForFieldName('arguments');
      const first = args ? named(args)[0] : undefined;
      if ((c.resolved === 'os.close' || c.raw === 'os.close') && first) {
        const x = ownAttribute(first, self);
        if (x !== null) out.add(x);
      }
      return true;
    });
  }
  return { all: out, pairs };
}

/**
 * The attributes a method named as a closer owns from its entry (see the top of this file), or null
 * when it is no such method. `cls` is the class it is defined in directly.
 */
export function closeMethodAttributes(fn: Node, cls: Node | null, imports: Imports): OwnedAttributes | null {
  const name = fn.childForFieldName('name')?.text;
  if (!cls || !name || !isCloserName(name) || fn.parent?.type === 'decorated_definition') return null;
  const self = selfName(fn);
  const body = fn.childForFieldName('body');
  if (!self || !body) return null;
  const closers = classClosers(cls, imports);
  const closed = closers.get(name);
  if (!closed?.size) return null;
  const resources = resourceAttributes(cls, imports);
  const attrs = new Set([...closed].filter((a) => resources.all.has(a)));
  if (!attrs.size) return null;
  const keys = new Map<string, Node>();
  for (const call of unconditionalCalls(body, self)) {
    const x = closedBy(call, self, imports);
    const closes = x === null ? [] : x.startsWith('()') ? [...(closers.get(x.slice(2)) ?? [])] : [x];
    for (const a of closes) if (attrs.has(a) && !keys.has(`${self}.${a}`)) keys.set(`${self}.${a}`, call);
  }
  if (!keys.size) return null;
  // The ends of a socketpair the object made are connected to each other: no peer goes away.
  const connections = new Set([...keys.keys()].map((k) => k.slice(self.length + 1)).filter((a) => !resources.pairs.has(a)));
  const io = ioMethods(cls, connections);
  const likely = new Set<number>();
  walk(body, (n) => {
    if (DEFERRED.has(n.type)) return false;
    if (n.type !== 'call') return true;
    const fn = strip(n.childForFieldName('function'));
    const obj = fn?.type === 'attribute' ? strip(fn.childForFieldName('object')) : null;
    const m = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
    if (ioOn(n, self, connections) !== null || (obj?.type === 'identifier' && obj.text === self && m !== undefined && io.has(m))) likely.add(n.startIndex);
    return true;
  });
  return { self, keys, closers, likely };
}

/** A fingerprint of what a method owns (part of its cache key: it depends on the other methods of the class); offsets from `base`. */
export function ownedFingerprint(owned: OwnedAttributes | null, base: number): string {
  if (!owned) return '';
  const closers = [...owned.closers].map(([m, s]) => `${m}:${[...s].sort().join('+')}`).sort().join(',');
  return `${[...owned.keys.keys()].sort().join(',')}|${closers}|${[...owned.likely].map((x) => x - base).sort((a, b) => a - b).join(',')}`;
}

/** The tracked key a node names (`self.sock`), or null. */
export function trackedKey(n: Node | null, owned: OwnedAttributes): string | null {
  const x = ownAttribute(n, owned.self);
  return x !== null && owned.keys.has(`${owned.self}.${x}`) ? `${owned.self}.${x}` : null;
}

/** The tracked attributes a call releases: closing one, or calling a method of the class that closes it. */
export function attributesReleased(call: Node, owned: OwnedAttributes, imports: Imports): string[] {
  const x = closedBy(call, owned.self, imports);
  if (x === null) return [];
  const attrs = x.startsWith('()') ? [...(owned.closers.get(x.slice(2)) ?? [])] : [x];
  return attrs.map((a) => `${owned.self}.${a}`).filter((k) => owned.keys.has(k));
}

export type AttributeEvent =
  | { readonly t: 'release'; readonly v: string }
  | { readonly t: 'escape'; readonly v: string; readonly early: true }
  | { readonly t: 'alias'; readonly v: string; readonly from: string; readonly at: Node }
  | { readonly t: 'drop'; readonly v: string; readonly at: Node; readonly how: 'reassigned' | 'deleted' };

/** Node types where a tracked attribute is only read (tested), never handed on. */
const READS = new Set(['comparison_operator', 'not_operator', 'boolean_operator', 'if_statement', 'elif_clause', 'while_statement']);

/**
 * What one statement (or condition) does to the tracked attributes, in a simple order: aliases first
 * (`sock = self.sock` reads it before anything closes it), then hand-overs, releases and rebindings.
 */
export function attributeEvents(stmt: Node, roots: readonly Node[], owned: OwnedAttributes, imports: Imports): AttributeEvent[] {
  const aliases: AttributeEvent[] = [];
  const rest: AttributeEvent[] = [];
  for (const root of roots) {
    walk(root, (n) => {
      if (DEFERRED.has(n.type)) {
        // A lambda or nested definition that mentions the attribute may close or keep it later: handed over.
        const seen = new Set<string>();
        walk(n, (m) => {
          const k = m.type === 'attribute' ? trackedKey(m, owned) : null;
          if (k !== null && !seen.has(k)) {
            seen.add(k);
            rest.push({ t: 'escape', v: k, early: true });
          }
          return true;
        });
        return false;
      }
      if (n.type === 'call') {
        for (const k of attributesReleased(n, owned, imports)) rest.push({ t: 'release', v: k });
        return true;
      }
      if (n.type !== 'attribute') return true;
      const key = trackedKey(n, owned);
      if (key === null) return true;
      const parent = n.parent;
      // `self.sock.send(b)`: a method called on it borrows it.
      if (parent?.type === 'attribute' && parent.childForFieldName('object')?.id === n.id) return false;
      if (parent?.type === 'assignment' && parent.childForFieldName('left')?.id === n.id) {
        const right = strip(parent.childForFieldName('right'));
        const other = right ? trackedKey(right, owned) : null;
        if (other !== key) rest.push({ t: 'drop', v: key, at: stmt, how: 'reassigned' });
        return false;
      }
      if (parent?.type === 'assignment' && parent.childForFieldName('right')?.id === n.id) {
        const left = strip(parent.childForFieldName('left'));
        if (left?.type === 'identifier') {
          aliases.push({ t: 'alias', v: left.text, from: key, at: stmt });
          return false;
        }
        if (trackedKey(left, owned) !== null) return false;
      }
      if (parent?.type === 'delete_statement' || (parent?.type === 'expression_list' && parent.parent?.type === 'delete_statement')) {
        rest.push({ t: 'drop', v: key, at: stmt, how: 'deleted' });
        return false;
      }
      if (parent && (READS.has(parent.type) || (parent.type === 'parenthesized_expression'))) return false;
      if (parent?.type === 'argument_list' && parent.parent?.type === 'call') {
        const call = parent.parent;
        if (attributesReleased(call, owned, imports).includes(key) || isBorrowingCall(call, imports)) return false;
        const fn = strip(call.childForFieldName('function'));
        // `os.close(self.fd)` is a release (above); other `os`/builtin functions of the tables borrow.
        if (fn?.type === 'identifier' && callee(call, imports).name === 'len') return false;
      }
      rest.push({ t: 'escape', v: key, early: true });
      return false;
    });
  }
  return [...aliases, ...rest];
}
