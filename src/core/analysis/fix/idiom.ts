/**
 * The project's own release idiom, for every language: when the function (or the file) already
 * releases descriptors with a function of its own (`evutil_closesocket(fd)`,
 * `Curl_closesocket(conn, s)`, `util_closesocket(s)`), the fix calls it too instead of a bare
 * `close`, so that whatever bookkeeping the project does on a close is not skipped. Each language
 * finds the release calls (by name, see its names table); choosing among them is done here.
 */

/** A release call as written: its callee and arguments (the argument's text without parentheses or casts). */
export interface ReleaseCall {
  readonly callee: string;
  readonly args: readonly { readonly text: string; readonly identifier: boolean }[];
}

/**
 * The call releasing `v` in the project's idiom: like one of the function's own release calls,
 * `callee(v)` for a one-argument one, or the same call with `v` in place of its one argument that
 * is a local (its other arguments all parameters of the function, which still hold the same values
 * at the fix); else the file's one-argument release function (`fileCloser`); null when neither exists.
 */
export function projectRelease(v: string, calls: Iterable<ReleaseCall>, params: ReadonlySet<string>, fileCloser: () => string | null): string | null {
  for (const c of calls) {
    if (c.args.length === 1) return `${c.callee}(${v})`;
    const k = c.args.findIndex((a) => a.identifier && !params.has(a.text));
    if (k < 0 || !c.args.every((a, i) => i === k || (a.identifier && params.has(a.text)))) continue;
    return `${c.callee}(${c.args.map((a, i) => (i === k ? v : a.text)).join(', ')})`;
  }
  const name = fileCloser();
  return name ? `${name}(${v})` : null;
}

/** The first one-argument release function among `calls` (the file's closer), or null. */
export function oneArgumentCloser(calls: Iterable<ReleaseCall>): string | null {
  for (const c of calls) if (c.args.length === 1) return c.callee;
  return null;
}
