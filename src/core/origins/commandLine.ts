// A command line as typed into "SockScope: Run with Socket Origins…", split into its words the way a
// POSIX shell quotes them ('single', "double" with \" \\ \$ \`, backslash outside quotes), without
// running a shell: the program must be the process SockScope attaches to. Shell syntax (pipes,
// redirections, variables, globs, lists) is refused with a message rather than passed on as words.

export type ParsedCommandLine = { readonly argv: readonly string[] } | { readonly error: string };

const OPERATORS = new Set(['|', '&', ';', '<', '>', '(', ')', '`', '$', '*', '?', '[', '~', '#']);

export function parseCommandLine(text: string): ParsedCommandLine {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) { argv.push(word); word = ''; inWord = false; }
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { error: 'unterminated single quote' };
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= n) return { error: 'unterminated double quote' };
        const d = text[i] as string;
        if (d === '"') { i++; break; }
        if (d === '\\' && i + 1 < n && '"\\$`\n'.includes(text[i + 1] as string)) { if (text[i + 1] !== '\n') word += text[i + 1]; i += 2; continue; }
        if (d === '$' || d === '`') return { error: `'${d}' inside double quotes needs a shell; escape it as \\${d} or use single quotes` };
        word += d;
        i++;
      }
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= n) return { error: 'a backslash at the end of the line' };
      if (text[i + 1] !== '\n') word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (OPERATORS.has(c) && !(c === '#' && inWord) && !(c === '~' && inWord)) {
      return { error: `'${c}' is shell syntax, which SockScope does not run a shell for: quote it, or put the command in a script and run that` };
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) argv.push(word);
  if (argv.length === 0) return { error: 'no command given' };
  return { argv };
}

/** The words as a command line a POSIX shell reads back as the same words (for messages and prefilled inputs). */
export function quoteCommandLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
}
