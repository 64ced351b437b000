/** Processes SockScope runs for itself: never worth attaching to, left out of the picker. */
export const OWN_HELPER_NAMES: readonly string[] = ['sockscope-netlink'];

/** Whether a process is one of SockScope's own helpers (by its kernel name or its program's file name). */
export function isOwnHelper(p: { readonly name: string; readonly cmdline: string }): boolean {
  const program = p.cmdline.trim().split(/\s+/)[0] ?? '';
  const file = program.slice(program.lastIndexOf('/') + 1);
  return OWN_HELPER_NAMES.includes(p.name) || OWN_HELPER_NAMES.includes(file);
}

export interface PickerEntry {
  readonly pid: number;
  readonly label: string;
  /** undefined while being counted or when unreadable. */
  readonly sockets: number | undefined;
}

/** Most sockets first (uncounted last), then by name, then by pid. */
export function comparePickerEntries(a: PickerEntry, b: PickerEntry): number {
  const sa = a.sockets ?? -1;
  const sb = b.sockets ?? -1;
  return sb - sa || a.label.localeCompare(b.label) || a.pid - b.pid;
}

/** A move of the highlighted row this long after the list or the typed text last changed is the user's own. */
export const DELIBERATE_MOVE_MS = 500;

/**
 * Which pid Enter attaches to. A typed pid wins over the highlighted row unless the user moved the
 * highlight themselves (well after the list and the text settled): keys typed while the list is
 * still being filled must not land on whatever row happened to be on top.
 */
export function pidOnAccept(typed: number | undefined, active: number | undefined, userMovedActive: boolean): number | undefined {
  if (typed === undefined) return active;
  if (active === undefined || active === typed) return typed;
  return userMovedActive ? active : typed;
}
