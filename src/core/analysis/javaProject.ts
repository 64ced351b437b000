/**
 * The other files of a Java file's project, for the CLI and the editor's worker (issue 13): the
 * classes a file creates with `new` that are declared in another file of its package folder or
 * imported by name from a source root of its repository, and which of them are resources
 * themselves (lang/java/projectClasses.ts says when).
 *
 * A file's source root is its folder less its package's folders (`io/src/main/java` for
 * `io/src/main/java/org/globus/io/streams/X.java` of `package org.globus.io.streams`). The
 * repository's other source roots (other modules: JGlobus's `gridftp/src/main/java`) are the
 * folders named `src/main/java` or `src/java/main` (Maven, Gradle, older Ant layouts) under the
 * topmost of the few folders above the root that holds a build file (`pom.xml`, `build.gradle`,
 * `settings.gradle`, `build.xml`), or the nearest with `.git`, searched a few levels deep. The file checked is
 * read from the text being analysed (the editor's buffer, not the file as saved); the other files as
 * saved, lazily, and kept while their size and modification time do not change (parsed without taking a
 * place in the worker's tree cache). Anything not found there (libraries, the JDK, wildcard imports)
 * stays unknown.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ProjectFiles, stampOf } from './projectFiles';
import { ProjectClasses, javaFileFacts, type FoundClass, type JavaFileFacts, type ProjectClass } from './lang/java/projectClasses';
import { CalleeClasses, type CalleeClass, type CalleeFound } from './lang/java/calleeClasses';

const BUILD_FILES = ['pom.xml', 'build.gradle', 'build.gradle.kts', 'settings.gradle', 'settings.gradle.kts', 'build.xml'];
/** Folders climbed above a source root to find the repository's top. */
const MAX_CLIMB = 6;
/** Depth and number of folders searched under the top for other source roots. */
const MAX_ROOT_DEPTH = 5;
const MAX_FOLDERS = 4000;
const SKIP = new Set(['node_modules', 'target', 'build', 'out', 'bin', 'dist', 'test', 'tests', 'docs']);
/** Listing every `.java` file of a repository (isolatedClasses): folders skipped (build output), depth, size, and how long a listing is kept. */
const LIST_SKIP = new Set(['node_modules', 'target', 'build', 'out', 'bin', 'dist']);
const MAX_LIST_DEPTH = 24;
const MAX_LIST_FILES = 30000;
const LIST_TTL_MS = 60_000;
/** Sources that may use a Java class: Java, and the other JVM languages a repository may mix in. */
const SOURCE_FILE = /\.(?:java|kt|kts|groovy|scala)$/;

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A source text with its comments blanked (a class named only in a comment or a Javadoc `{@link X}` is not used
 * there); string and character literals are kept (a class named in one may be loaded by reflection).
 */
export function withoutComments(text: string): string {
  const parts: string[] = [];
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x2f && (text[i + 1] === '/' || text[i + 1] === '*')) {
      parts.push(text.slice(from, i), ' ');
      const end = text[i + 1] === '/' ? text.indexOf('\n', i) : text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : text[i + 1] === '/' ? end : end + 2;
      from = i;
    } else if (c === 0x22 || c === 0x27) {
      // A literal, kept, up to its closing quote (a text block's `"""` too: its inner quotes end and restart plain literals).
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      i = j + 1;
    } else i++;
  }
  parts.push(text.slice(from));
  return parts.join('');
}

export class JavaProject {
  private readonly files = new ProjectFiles<JavaFileFacts>('java', javaFileFacts);
  private readonly roots = new Map<string, readonly string[]>();

  /** The source root of a file of package `pkg`, or null when its folders do not match the package. */
  private static rootOf(file: string, pkg: readonly string[]): string | null {
    let dir = path.dirname(file);
    for (let i = pkg.length - 1; i >= 0; i--) {
      if (path.basename(dir) !== pkg[i]) return null;
      dir = path.dirname(dir);
    }
    return dir;
  }

  /** The top of the repository a source root belongs to: the topmost of the few folders above it with a build file, or the nearest with `.git`; null when none has. */
  private static topOf(root: string): string | null {
    let top: string | null = null;
    for (let dir = root, i = 0; i < MAX_CLIMB; i++) {
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
      if (BUILD_FILES.some((b) => fs.existsSync(path.join(dir, b)))) top = dir;
      if (fs.existsSync(path.join(dir, '.git'))) {
        top = dir;
        break;
      }
    }
    return top;
  }

  /** The source roots of the repository a root belongs to (itself first). */
  private sourceRoots(root: string): readonly string[] {
    const known = this.roots.get(root);
    if (known) return known;
    const top = JavaProject.topOf(root) ?? root;
    const out = [root];
    let visited = 0;
    const walk = (dir: string, depth: number): void => {
      if (depth > MAX_ROOT_DEPTH || visited >= MAX_FOLDERS) return;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      visited++;
      for (const e of entries) {
        if (!e.isDirectory() || e.name.startsWith('.') || SKIP.has(e.name)) continue;
        const sub = path.join(dir, e.name);
        if (e.name === 'src') {
          for (const [a, b] of [['main', 'java'], ['java', 'main']]) {
            const r = path.join(sub, a!, b!);
            if (isDir(r) && !out.includes(r)) out.push(r);
          }
        }
        walk(sub, depth + 1);
      }
    };
    if (top !== root) walk(top, 0);
    this.roots.set(root, out);
    return out;
  }

  /** The class `name` means in a file: declared in it, imported by name from a source root, or of its package folder. */
  private readonly find = async (name: string, from: { readonly file: string; readonly facts: JavaFileFacts }): Promise<FoundClass | undefined> => {
    const r = await this.locate(name, from, (facts) => facts.classes.get(name));
    return r ? { file: r.file, facts: r.facts, cls: r.value } : undefined;
  };

  /** The file a type `name` of a file is declared in (a class or an interface: `pick` says whether a file's facts declare it). */
  private async locate<T>(
    name: string, from: { readonly file: string; readonly facts: JavaFileFacts }, pick: (facts: JavaFileFacts) => T | undefined,
  ): Promise<{ file: string; facts: JavaFileFacts; value: T } | undefined> {
    const own = pick(from.facts);
    if (own) return { file: from.file, facts: from.facts, value: own };
    const at = async (file: string): Promise<{ file: string; facts: JavaFileFacts; value: T } | undefined> => {
      const facts = await this.files.ofFile(file);
      const value = facts ? pick(facts) : undefined;
      return facts && value ? { file, facts, value } : undefined;
    };
    const imported = from.facts.imports.get(name);
    if (imported) {
      if (imported[0] === 'java' || imported[0] === 'javax') return undefined;
      const root = JavaProject.rootOf(from.file, from.facts.pkg);
      if (!root) return undefined;
      for (const r of this.sourceRoots(root)) {
        const found = await at(path.join(r, ...imported, `${name}.java`));
        if (found) return found;
      }
      return undefined;
    }
    // Not imported by name: a class of the same package (its folder), which javac prefers to a wildcard import's.
    return at(path.join(path.dirname(from.file), `${name}.java`));
  }

  /** The class or interface `name` means in a file, with its callee facts (lang/java/calleeClasses.ts). */
  private readonly findCallee = async (name: string, from: { readonly file: string; readonly facts: JavaFileFacts }): Promise<CalleeFound | undefined> => {
    const r = await this.locate(name, from, (facts) => facts.callees?.classes.get(name));
    return r ? { file: r.file, facts: r.facts, cls: r.value } : undefined;
  };

  /** The source files (`SOURCE_FILE`) under a repository's top (tests included), listed again after a minute; null when there are too many. */
  private readonly javaFiles = new Map<string, { at: number; files: readonly string[] | null }>();
  /** The capitalised words of each such file's text, while its size and modification time do not change. */
  private readonly words = new Map<string, { stamp: string; words: ReadonlySet<string> | null }>();

  private javaFilesUnder(top: string): readonly string[] | null {
    const known = this.javaFiles.get(top);
    if (known && Date.now() - known.at < LIST_TTL_MS) return known.files;
    let files: string[] | null = [];
    const walk = (dir: string, depth: number): void => {
      if (!files || depth > MAX_LIST_DEPTH) return;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (!files) return;
        if (e.isDirectory() && !e.name.startsWith('.') && !LIST_SKIP.has(e.name)) walk(path.join(dir, e.name), depth + 1);
        else if (e.isFile() && SOURCE_FILE.test(e.name)) {
          files.push(path.join(dir, e.name));
          if (files.length > MAX_LIST_FILES) files = null;
        }
      }
    };
    walk(top, 0);
    this.javaFiles.set(top, { at: Date.now(), files });
    return files;
  }

  private wordsOf(file: string): ReadonlySet<string> | null {
    const stamp = stampOf(file);
    if (stamp === null) return null;
    const known = this.words.get(file);
    if (known?.stamp === stamp) return known.words;
    let words: Set<string> | null = null;
    try {
      words = new Set(withoutComments(fs.readFileSync(file, 'utf8')).match(/\b[A-Z][\w$]*/g) ?? []);
    } catch {
      words = null;
    }
    this.words.set(file, { stamp, words });
    return words;
  }

  /**
   * The classes a file with a program `main` declares that no other source file of its repository (Java, Kotlin, Groovy, Scala) names (as a word
   * of its text outside comments): no code outside the file can use them (lang/java/programMain.ts). The files are
   * those under the repository's top (`topOf`, tests included); without a top, with too many files or with a file
   * that cannot be read, none is. Empty for a file with no class that has a one-parameter `main`.
   */
  async isolatedClasses(file: string, text?: string): Promise<Set<string>> {
    const abs = path.resolve(file);
    // The file's classes with a `main(…)` of one parameter, from its parsed facts (the tree says later which is a program's).
    const facts = await this.files.of(abs, text);
    const left = new Set([...facts?.classes.values() ?? []].filter((c) => c.methods.has('main/1')).map((c) => c.name));
    if (!left.size) return left;
    const top = JavaProject.topOf((facts && JavaProject.rootOf(abs, facts.pkg)) ?? path.dirname(abs));
    const files = top ? this.javaFilesUnder(top) : null;
    if (!files || !files.includes(abs)) return new Set();
    for (const f of files) {
      if (f === abs || !left.size) continue;
      const words = this.wordsOf(f);
      if (!words) return new Set();
      for (const n of left) if (words.has(n)) left.delete(n);
    }
    return left;
  }

  /**
   * The resource classes of other files that `file` creates with `new`, by simple name: `file` read from
   * `text` when given (the text being analysed), else as saved.
   */
  async resourceClasses(file: string, text?: string): Promise<Map<string, ProjectClass>> {
    const abs = path.resolve(file);
    const facts = await this.files.of(abs, text);
    if (!facts) return new Map();
    // Derived facts depend on other files, which may change: derived afresh for each file checked.
    return new ProjectClasses(this.find).resourceClasses(abs, facts);
  }

  /**
   * The classes of other files that `file`'s types name, with the methods of theirs that keep a parameter
   * (lang/java/calleeClasses.ts): `file` read from `text` when given, else as saved.
   */
  async calleeClasses(file: string, text?: string): Promise<Map<string, CalleeClass>> {
    const abs = path.resolve(file);
    const facts = await this.files.of(abs, text);
    if (!facts) return new Map();
    return new CalleeClasses(this.findCallee).classesOf(abs, facts);
  }
}
