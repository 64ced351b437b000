// Text that other processes control (process names, command lines, UNIX socket paths) must not act on
// the terminal or the Markdown it is printed into: an OSC sequence in a process name would retitle the
// terminal, a `[link](command:…)` in a command line would become a link in a tooltip.

/**
 * Characters that are not shown as themselves: C0 controls (newline and tab included), DEL, C1 controls
 * (/proc is read as latin1, so a 0x9b byte arrives as U+009B, a CSI for some terminals), and the
 * invisible direction overrides and isolates that reorder what is shown.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every control character written as an escape (`\n`, `\x1b`, `\u202e`): one visible line. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}

/** Markdown syntax characters; `$` too, since `$(name)` is an icon in VS Code's Markdown. */
const MARKDOWN = /[\\`*_{}[\]()<>#+\-.!|~&$:]/g;

/**
 * `text` as literal Markdown: control characters escaped as above, every Markdown syntax character
 * backslash-escaped (no emphasis, code, links, HTML, headings or icons), and a line break impossible.
 */
export function escapeMarkdown(text: string): string {
  return escapeControl(text).replace(MARKDOWN, (c) => `\\${c}`);
}
