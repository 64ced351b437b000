/**
 * A test the runner calls (issue 13, java-pedantic): the Java analogue of Python's `isTest` (lang/python/index.ts),
 * narrowed to file streams. An exception that leaves a JUnit or TestNG test method is caught by the runner, which
 * reports it as that test's failure. A file stream the test opened is on the local disk: an exception while it is
 * open comes from a broken environment (a missing fixture file, a full disk) or a bug, and the failing test is how
 * that is reported, so a file stream leaked only on that path is pedantic (information severity). A socket or channel
 * keeps its warning: its peer is another party (the server under test refuses, times out or hangs up, which is what
 * network tests exercise), so the exceptional path is one tests really take, run after run (judged real leaks on
 * zookeeper's tests). A leak at the test's normal end, or on a path where an exception is caught inside the test,
 * which then goes on, stays a warning (that happens on every passing run). Fixtures (`@Before`, `@BeforeAll`, …)
 * are not tests: they run for every test of the class, and their failure is not one test's report; they keep
 * their warnings.
 *
 * Tests are:
 * - a method annotated `@Test` (JUnit 4 `org.junit.Test`, JUnit 5 `org.junit.jupiter.api.Test`, TestNG), or JUnit 5's
 *   `@ParameterizedTest`, `@RepeatedTest`, `@TestFactory`, `@TestTemplate`, unless the annotation expects an
 *   exception (`@Test(expected = …)`, TestNG's `expectedExceptions`): then the exceptional path is the test passing,
 *   repeated on every run;
 * - JUnit 3's convention, in a file that imports JUnit or TestNG: a `public void test…()` method without parameters
 *   and annotations, which `TestCase` finds by name;
 * - a `private` method of the same class whose every use in the file is a plain call (`helper(…)`, `this.helper(…)`)
 *   made by such a method (or by another such helper), outside any `try` and any lambda or nested class body: its
 *   exception goes straight on out of the test (Python keeps a helper's warnings because a public helper may be
 *   called from anywhere; a private one is called only where the file shows).
 */
import type { Node } from 'web-tree-sitter';

const TEST_ANNOTATIONS: ReadonlySet<string> = new Set([
  'Test', 'ParameterizedTest', 'RepeatedTest', 'TestFactory', 'TestTemplate',
]);
/** An annotation element that says the test expects an exception (JUnit 4 `expected`, TestNG `expectedExceptions`). */
const EXPECTING = /\bexpected(?:Exceptions)?\s*=/;
const TEST_IMPORT = /^import\s+(?:static\s+)?(?:org\.junit|junit\.framework|org\.testng)\b/m;

function modifiersOf(fn: Node): Node | undefined {
  return fn.namedChildren.find((c): c is Node => c?.type === 'modifiers');
}

function annotationName(a: Node): string {
  return (a.childForFieldName('name')?.text ?? '').split('.').pop() ?? '';
}

/** Is `fn` a test method that the runner itself calls (see above)? */
function runnerCalls(fn: Node, importsTests: boolean): boolean {
  if (fn.type !== 'method_declaration') return false;
  const mods = modifiersOf(fn);
  const annotations = mods?.namedChildren.filter((c): c is Node => c?.type === 'annotation' || c?.type === 'marker_annotation') ?? [];
  const test = annotations.filter((a) => TEST_ANNOTATIONS.has(annotationName(a)));
  if (test.length) return !test.some((a) => EXPECTING.test(a.childForFieldName('arguments')?.text ?? ''));
  if (!importsTests || annotations.length) return false;
  const name = fn.childForFieldName('name')?.text ?? '';
  const params = fn.childForFieldName('parameters')?.namedChildren.filter((c) => c?.type === 'formal_parameter' || c?.type === 'spread_parameter') ?? [];
  if (params.length || fn.childForFieldName('type')?.text !== 'void' || /\bstatic\b/.test(mods?.text ?? '')) return false;
  return /^test/.test(name) && /\bpublic\b/.test(mods?.text ?? '');
}

/** The class body a method is declared in, directly. */
function classBodyOf(fn: Node): Node | null {
  const p = fn.parent;
  return p?.type === 'class_body' ? p : null;
}

/**
 * The methods of the file (by node id) out of which an exception goes to the test runner as a test's failure (see
 * above). `root` is the file's syntax tree, `text` its text.
 */
export function testFailingMethods(root: Node, text: string): ReadonlySet<number> {
  const importsTests = TEST_IMPORT.test(text);
  const out = new Set<number>();
  // Every test annotation's name has `Test` in it, and JUnit 3's tests need the file to import JUnit or TestNG: a file
  // with neither has no test, and its tree is not walked (the editor analyses a file again after each edit).
  if (!importsTests && !text.includes('Test')) return out;
  const methods = root.descendantsOfType('method_declaration').filter((m): m is Node => m !== null);
  for (const m of methods) if (runnerCalls(m, importsTests)) out.add(m.id);
  if (!out.size) return out;
  // Private helpers, to a fixed point (each round may admit helpers of helpers).
  const helpers = methods.filter((m) => !out.has(m.id) && /\bprivate\b/.test(modifiersOf(m)?.text ?? '') && !/\babstract\b/.test(modifiersOf(m)?.text ?? ''));
  if (!helpers.length) return out;
  const idents = root.descendantsOfType(['identifier', 'method_reference']).filter((n): n is Node => n !== null);
  let changed = true;
  while (changed) {
    changed = false;
    for (const h of helpers) {
      if (out.has(h.id)) continue;
      const name = h.childForFieldName('name')?.text ?? '';
      const body = classBodyOf(h);
      // Overloads of the name are not told apart: every use of it must qualify.
      const uses = idents.filter((n) => n.type === 'method_reference' ? n.text.endsWith(`::${name}`) : n.text === name && n.id !== h.childForFieldName('name')?.id);
      if (!uses.length || !body) continue;
      if (uses.every((u) => plainCallFrom(u, out, body))) {
        out.add(h.id);
        changed = true;
      }
    }
  }
  return out;
}

/**
 * Is this use of a helper's name the name of a call `name(…)` or `this.name(…)`, made directly in the body of a
 * method of `out` declared in the same class body, outside any `try`, lambda or nested class body?
 */
function plainCallFrom(use: Node, out: ReadonlySet<number>, classBody: Node): boolean {
  const call = use.parent;
  if (call?.type !== 'method_invocation' || call.childForFieldName('name')?.id !== use.id) return false;
  const recv = call.childForFieldName('object');
  if (recv && recv.type !== 'this') return false;
  for (let p: Node | null = call.parent; p; p = p.parent) {
    switch (p.type) {
      case 'try_statement':
      case 'try_with_resources_statement':
      case 'lambda_expression':
      case 'class_body':
      case 'constructor_declaration':
        return false;
      case 'method_declaration':
        return out.has(p.id) && p.parent?.id === classBody.id;
    }
  }
  return false;
}
