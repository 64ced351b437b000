/**
 * Lombok's `@Cleanup` (issue 13, java-prec7; pircbotx census): `@Cleanup InputStream in = new FileInputStream(f);`
 * makes the compiler (Lombok's annotation processor) wrap the rest of the local's scope in
 * `try { … } finally { if (in != null) in.close(); }`: the object the local is initialised with is closed on
 * every path that leaves its scope, by a return, a throw or the end of the block. Only the annotation Lombok
 * processes counts: `@lombok.Cleanup`, or `@Cleanup` in a file that imports `lombok.Cleanup` (or `lombok.*`),
 * with no argument or `"close"` (`@Cleanup("dispose")` calls another method, which need not close anything).
 */
import type { Node } from 'web-tree-sitter';

/** Does this `variable_declarator` declare a local under Lombok's `@Cleanup` (closing it with `close()`)? */
export function isLombokCleanup(declarator: Node): boolean {
  const decl = declarator.parent;
  if (decl?.type !== 'local_variable_declaration') return false;
  const modifiers = decl.namedChildren.find((c) => c?.type === 'modifiers');
  if (!modifiers) return false;
  for (const a of modifiers.namedChildren) {
    if (a?.type !== 'marker_annotation' && a?.type !== 'annotation') continue;
    const name = a.childForFieldName('name')?.text.replace(/\s+/g, '');
    if (name !== 'Cleanup' && name !== 'lombok.Cleanup') continue;
    const args = a.childForFieldName('arguments');
    if (args && args.namedChildren.some((c) => c !== null && c.text.replace(/\s+/g, '') !== '"close"' && c.text.replace(/\s+/g, '') !== 'value="close"')) continue;
    if (name === 'lombok.Cleanup' || importsLombokCleanup(declarator.tree.rootNode)) return true;
  }
  return false;
}

function importsLombokCleanup(root: Node): boolean {
  return root.namedChildren.some((d) => d?.type === 'import_declaration' && !d.children.some((c) => c?.type === 'static')
    && /^import\s+lombok\s*\.\s*(?:Cleanup|\*)\s*;$/.test(d.text.trim()));
}
