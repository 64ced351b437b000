import type { Node } from 'web-tree-sitter';
import type { ResourceKind } from './names';
import { simpleTypeName } from './syntax';

/**
 * Socket classes the file declares itself, and the socket types a same-file method may be declared to
 * return (issue 13). A class of the file that extends a socket or channel class (`class PrependableSocket
 * extends Socket`, jnr's `UnixSocketChannel extends NativeSocketChannel`), directly or through other
 * classes of the file, is a socket: `new UnixSocketChannel()` opens one, as `new Socket()` does.
 */

/** The JDK's socket and channel classes (not files, selectors or URL connections) and what each holds. */
const SOCKET_TYPES: ReadonlyMap<string, ResourceKind> = new Map<string, ResourceKind>([
  ['Socket', 'socket'], ['SSLSocket', 'socket'], ['ServerSocket', 'server'], ['SSLServerSocket', 'server'],
  ['DatagramSocket', 'datagram'], ['MulticastSocket', 'datagram'],
  ['SocketChannel', 'channel'], ['DatagramChannel', 'channel'], ['ServerSocketChannel', 'serverChannel'],
  ['AsynchronousSocketChannel', 'async'], ['AsynchronousServerSocketChannel', 'asyncServer'],
]);

/** What a JDK socket or channel class (by simple name) holds, if it is one. */
export function jdkSocketKind(name: string): ResourceKind | undefined {
  return SOCKET_TYPES.get(name);
}

/**
 * What a class extending `superName` holds: a JDK socket or channel class by its name, or a channel
 * class of a library whose name says it is one (`NativeSocketChannel`, `AbstractServerSocketChannel`).
 * A name that merely ends in `Socket` is not enough (`ClientCnxnSocket` is a connection manager).
 */
function superclassKind(superName: string): ResourceKind | undefined {
  const exact = SOCKET_TYPES.get(superName);
  if (exact) return exact;
  if (/[a-z]ServerSocketChannel$/.test(superName)) return 'serverChannel';
  if (/[a-z]SocketChannel$/.test(superName)) return 'channel';
  return undefined;
}

/**
 * The file's own socket classes by simple name, with what each holds: a `class` whose superclass is a
 * socket or channel class, or another socket class of the file (to any depth). Interfaces, enums and
 * records cannot extend a class; an anonymous class (`new Socket() { … }`) has no name to be built by.
 */
export function socketClasses(classes: ReadonlyMap<string, Node>): Map<string, ResourceKind> {
  const supers = new Map<string, string>();
  for (const [name, decl] of classes) {
    if (decl.type !== 'class_declaration') continue;
    const type = decl.childForFieldName('superclass')?.namedChildren.find((c) => c !== null) ?? null;
    if (type) supers.set(name, simpleTypeName(type));
  }
  const out = new Map<string, ResourceKind>();
  for (let changed = true, pass = 0; changed && pass <= supers.size; pass++) {
    changed = false;
    for (const [name, sup] of supers) {
      if (out.has(name) || sup === name) continue;
      const kind = out.get(sup) ?? superclassKind(sup);
      if (kind) {
        out.set(name, kind);
        changed = true;
      }
    }
  }
  return out;
}

/**
 * The resource a method declared to return `type` hands its caller, when `type` is a JDK socket or
 * channel class or one of the file's socket classes (a method declared to return `Object`, a stream or
 * a project type is not considered).
 */
export function returnedSocketKind(type: Node | null, own: ReadonlyMap<string, ResourceKind>): ResourceKind | undefined {
  if (!type || type.type === 'array_type') return undefined;
  const name = simpleTypeName(type);
  return SOCKET_TYPES.get(name) ?? own.get(name);
}
