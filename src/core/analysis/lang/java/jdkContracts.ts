/**
 * JDK calls whose documented contract leaves them practically nothing to fail on (issue 13, java-prec7), by
 * the receiver's declared type, not by name alone (a `release()` or `toByteArray()` of another class may do
 * I/O). A leak only through an exception out of one of them is pedantic: it is reported at information
 * severity (an "unlikely" exception origin, as for the socket options of `names.ts`'s `isUnlikelyThrow`).
 * - `ByteArrayOutputStream`: `toByteArray()`, `toString(…)`, `size()`, `reset()`, `write(…)`: memory
 *   operations. Its javadoc: the data is written into a byte array; the methods "can be called after
 *   the stream has been closed without generating an IOException"; `toByteArray`, `size`, `reset`,
 *   `write(int)` and `write(byte[], int, int)` declare no checked exception (only running out of memory,
 *   an `Error`, can stop them; `write(byte[])`, inherited, calls the latter). (`writeTo(out)` writes to
 *   another stream: not in the list.)
 * - `Semaphore.release()` / `release(n)`: declares nothing; it throws only `IllegalArgumentException` for
 *   a negative `n` and an `Error` when the permit count would overflow `Integer.MAX_VALUE`.
 * - `MessageDigest.getInstance("SHA-1" | "SHA-256" | "MD5")` with that literal name: `NoSuchAlgorithmException`
 *   only when no provider has the algorithm; the `MessageDigest` javadoc requires every Java platform to
 *   support SHA-1 and SHA-256 (and MD5 up to Java 13; every OpenJDK build's SUN provider still has it).
 */
import type { Node } from 'web-tree-sitter';

const BYTE_ARRAY_OUTPUT_METHODS: ReadonlySet<string> = new Set(['toByteArray', 'toString', 'size', 'reset', 'write', 'writeBytes']);
const REQUIRED_DIGESTS: ReadonlySet<string> = new Set(['SHA-1', 'SHA-256', 'MD5']);

/**
 * Does the call of `name` with `args`, on a receiver written `receiver` (null: none) whose declared type
 * is `receiverType` (undefined: unknown, or not a variable), practically never throw by the JDK's contract?
 * `isVariable` says the receiver names a variable (then `receiver` is not a class name).
 */
export function jdkContractUnlikely(name: string, args: readonly Node[], receiver: string | null, receiverType: string | undefined, isVariable: boolean): boolean {
  if (receiverType === 'ByteArrayOutputStream' && BYTE_ARRAY_OUTPUT_METHODS.has(name)) return true;
  if (receiverType === 'Semaphore' && name === 'release' && args.length <= 1) return true;
  if (receiver === 'MessageDigest' && !isVariable && name === 'getInstance' && args.length === 1) {
    const a = args[0];
    if (a?.type === 'string_literal') {
      const text = a.text.replace(/^"|"$/g, '');
      return REQUIRED_DIGESTS.has(text.toUpperCase());
    }
  }
  return false;
}

/**
 * JDK constructors that cannot fail for the arguments given: `new Date()` (the current time) and
 * `new Date(long)` (a time in milliseconds: a number literal, a `long` variable, `System.currentTimeMillis()`)
 * only store a number (`new Date(String)`, deprecated, parses and may throw). Such a construction is not an
 * exception origin at all. `argType` gives an argument's declared type when it is a variable.
 */
export function quietJdkConstruction(type: string, args: readonly Node[], argType: (a: Node) => string | undefined): boolean {
  if (type !== 'Date' || args.length > 1) return false;
  const a = args[0];
  if (!a) return true;
  if (a.type === 'decimal_integer_literal' || a.type === 'hex_integer_literal') return true;
  if (a.type === 'method_invocation' && a.text.replace(/\s+/g, '') === 'System.currentTimeMillis()') return true;
  const t = argType(a);
  return t === 'long' || t === 'Long';
}
