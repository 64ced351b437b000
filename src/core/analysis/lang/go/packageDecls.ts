import { withTree } from '../../parser';
import { collectImports } from './syntax';
import { GoTypes, type PackageDecls, type ResultType } from './types';
import type { GoType } from './names';

/**
 * The declarations one Go file gives the other files of its package: functions' and methods'
 * result types, struct fields, embedded types and typed package variables, resolved with the
 * file's own imports (nothing of its syntax tree is kept). A file is analysed with the merged
 * declarations of the other files of its package (see ../../goPackages.ts), so that a helper
 * declared in another file (`func (c *Client) Dial(ep string) (*grpc.ClientConn, error)`, an
 * interface method `ConnectServer() (net.Conn, error)`, a struct field's type) is known by its type.
 */
export interface GoFileDecls {
  /** The name in the file's package clause (`x`, or `x_test` for an external test package). */
  readonly packageName: string;
  readonly decls: Omit<PackageDecls, 'fingerprint'>;
  /** The file's declarations as written (types, variables, signatures): a cache key. */
  readonly fingerprint: string;
}

/** The declarations of a Go file's text, or null when it has no package clause. */
export async function fileDecls(text: string): Promise<GoFileDecls | null> {
  return withTree('go', text, (tree) => {
    const root = tree.rootNode;
    const clause = root.namedChildren.find((c) => c?.type === 'package_clause');
    const packageName = clause?.namedChildren.find((c) => c?.type === 'package_identifier')?.text;
    if (!packageName) return null;
    const types = new GoTypes(root, collectImports(root));
    return { packageName, decls: types.exportDecls(), fingerprint: types.fingerprint };
  });
}

const sameResults = (a: readonly ResultType[], b: readonly ResultType[]) => JSON.stringify(a) === JSON.stringify(b);
const sameType = (a: GoType | null, b: GoType | null) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The declarations of several files of one package, merged. A name two files declare differently
 * (alternatives chosen by build tags: `dial_linux.go`, `dial_windows.go`) is unknown: functions and
 * methods are left out, fields and variables have no type.
 */
export function mergeDecls(files: readonly GoFileDecls[]): PackageDecls {
  const functions = new Map<string, readonly ResultType[]>();
  const methods = new Map<string, readonly ResultType[]>();
  const fields = new Map<string, GoType | null>();
  const embedded = new Map<string, readonly GoType[]>();
  const globals = new Map<string, GoType | null>();
  const borrowing = new Map<string, readonly boolean[]>();
  const passing = new Set<string>();
  const bodies = new Set<string>();
  const clashes = new Set<string>();
  const results = (into: Map<string, readonly ResultType[]>, from: ReadonlyMap<string, readonly ResultType[]>, tag: string) => {
    for (const [k, v] of from) {
      if (clashes.has(tag + k)) continue;
      const old = into.get(k);
      if (old && !sameResults(old, v)) {
        into.delete(k);
        clashes.add(tag + k);
      } else into.set(k, v);
    }
  };
  const typed = (into: Map<string, GoType | null>, from: ReadonlyMap<string, GoType | null>) => {
    for (const [k, v] of from) into.set(k, into.has(k) && !sameType(into.get(k)!, v) ? null : v);
  };
  for (const f of files) {
    results(functions, f.decls.functions, 'f:');
    results(methods, f.decls.methods, 'm:');
    typed(fields, f.decls.fields);
    typed(globals, f.decls.globals);
    for (const [k, b] of f.decls.borrowing) {
      const old = borrowing.get(k);
      borrowing.set(k, old ? old.map((x, i) => x && !!b[i]).slice(0, Math.min(old.length, b.length)) : b);
    }
    for (const b of f.decls.passing) passing.add(b);
    for (const b of f.decls.bodies) bodies.add(b);
    for (const [k, v] of f.decls.embedded) embedded.set(k, embedded.has(k) && JSON.stringify(embedded.get(k)) !== JSON.stringify(v) ? [] : v);
  }
  // A function two files define (build-tag alternatives) borrows a parameter only when each definition does.
  for (const f of files) {
    for (const k of f.decls.bodies) if (!f.decls.borrowing.has(k)) borrowing.delete(k);
    for (const k of f.decls.functions.keys()) if (!f.decls.passing.has(k)) passing.delete(k);
    for (const k of f.decls.methods.keys()) if (!f.decls.passing.has(k)) passing.delete(k);
  }
  return { functions, methods, fields, embedded, globals, borrowing, passing, bodies, fingerprint: files.map((f) => f.fingerprint).sort().join('\n--\n') };
}
