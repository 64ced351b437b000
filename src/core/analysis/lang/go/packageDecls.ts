import { createHash } from 'crypto';
import { withTransientTree } from '../../parser';
import { collectImports, packageName } from './syntax';
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
  /** The file's declarations as written (types, variables, signatures), its imports and what its bodies do with parameters and results: a cache key. */
  readonly fingerprint: string;
  /** The import paths of the file. */
  readonly imports: readonly string[];
}

/** The declarations of a Go file's text, or null when it has no package clause. */
export async function fileDecls(text: string): Promise<GoFileDecls | null> {
  return withTransientTree('go', text, (tree) => {
    const root = tree.rootNode;
    const name = packageName(root);
    if (!name) return null;
    const imports = collectImports(root);
    const types = new GoTypes(root, imports);
    const decls = types.exportDecls();
    // The declarations' text shows neither the imports their types resolve with nor what the bodies do
    // with their parameters and results: those are added.
    const fingerprint = createHash('sha1').update(types.fingerprint).update(JSON.stringify([[...imports], [...decls.borrowing], [...decls.passing]])).digest('hex');
    return { packageName: name, decls, fingerprint, imports: [...new Set(imports.values())] };
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

/**
 * The declarations of another package of the workspace, imported under `path` (see ../../goPackages.ts):
 * its own types (pkg '') become `path`'s, so that a caller's `*k8sutil.Client` finds their methods.
 */
export function importedDecls(files: readonly GoFileDecls[], path: string): PackageDecls {
  const d = mergeDecls(files);
  const q = (t: GoType | null): GoType | null => (t && t.pkg === '' ? { pkg: path, name: t.name } : t);
  const results = (m: ReadonlyMap<string, readonly ResultType[]>) => new Map([...m].map(([k, rs]) => [k, rs.map((r) => ({ ...r, type: q(r.type) }))]));
  const typed = (m: ReadonlyMap<string, GoType | null>) => new Map([...m].map(([k, t]) => [k, q(t)]));
  return {
    ...d,
    functions: results(d.functions), methods: results(d.methods), fields: typed(d.fields), globals: typed(d.globals),
    embedded: new Map([...d.embedded].map(([k, ts]) => [k, ts.map((t) => q(t)!)])),
    fingerprint: `${path}\n${d.fingerprint}`,
  };
}

/**
 * The package a folder's files make for an importer: its non-test files under the package name most
 * of them declare (a `package main` generator kept beside them with a build tag is left out).
 */
export function importableFiles(files: readonly GoFileDecls[]): GoFileDecls[] {
  const counts = new Map<string, number>();
  for (const f of files) if (!f.packageName.endsWith('_test')) counts.set(f.packageName, (counts.get(f.packageName) ?? 0) + 1);
  const name = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  return name === undefined || name === 'main' ? [] : files.filter((f) => f.packageName === name);
}
