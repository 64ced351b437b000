/** Escapes text for a Markdown tooltip: no character of it formats, links or runs anything. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#|!~$&-]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}
