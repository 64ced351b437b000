import * as vscode from 'vscode';
import { comparePickerEntries, DELIBERATE_MOVE_MS, escapeControl, formatCount, isOwnHelper, pidOnAccept, processLabel } from '../core/model';
import { parsePid } from '../core/platform/pid';
import type { PortOwner, ProcessSummary, SocketSource } from '../core/platform/source';

interface ProcessItem extends vscode.QuickPickItem {
  readonly pid: number;
}

/** Socket counts are computed this many processes at a time while the picker is open. */
const COUNT_CONCURRENCY = 8;

export function parsePort(value: string): number | undefined {
  const text = value.trim();
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** What the open process picker lists (tests read it): its rows' pids and labels, and whether counting goes on. */
export interface PickerState {
  readonly busy: boolean;
  readonly rows: readonly { readonly pid: number; readonly label: string; readonly description: string | undefined }[];
}
let openPicker: (() => PickerState) | undefined;

export function pickerState(): PickerState | undefined {
  return openPicker?.();
}

/**
 * The process picker: every process this user can see except SockScope's own helpers, most sockets
 * first (counts fill in as they are computed; the picker shows busy meanwhile). A typed pid is
 * offered as the first row, listed or not, and Enter attaches to it even while the list is still
 * filling in.
 */
export async function pickProcess(source: SocketSource, title: string): Promise<number | undefined> {
  const qp = vscode.window.createQuickPick<ProcessItem>();
  qp.title = title;
  qp.placeholder = 'Type to filter by name, pid or command line — or type a pid';
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.busy = true;
  let cancelled = false;
  let items: ProcessItem[] = [];
  const counts = new Map<number, number | undefined>();
  /** When the list or the typed text last changed, and whether a later move of the highlight was the user's. */
  let settledAt = Date.now();
  let userMoved = false;
  let settingActive = false;
  const typedPidItem = (pid: number): ProcessItem => {
    const known = items.find((i) => i.pid === pid);
    return { pid, label: `$(debug-start) Attach to pid ${pid}`, description: known ? known.label : undefined, alwaysShow: true };
  };
  const setActive = (item: ProcessItem): void => {
    settingActive = true;
    qp.activeItems = [item];
    settingActive = false;
  };
  const render = (valueChanged = false): void => {
    const typed = parsePid(qp.value);
    const active = qp.activeItems[0]?.pid;
    items.sort((a, b) => comparePickerEntries({ ...a, sockets: counts.get(a.pid) }, { ...b, sockets: counts.get(b.pid) }));
    qp.items = typed !== undefined ? [typedPidItem(typed), ...items] : [...items];
    settledAt = Date.now();
    const first = qp.items[0];
    if (typed !== undefined && first && (valueChanged || !userMoved)) {
      userMoved = false;
      setActive(first);
    } else if (userMoved && active !== undefined) {
      // The user picked a row: it stays highlighted while the counts re-sort the list.
      const again = qp.items.find((i) => i.pid === active);
      if (again) setActive(again);
    }
    // Otherwise the new list highlights its top row.
  };
  const state = (): PickerState => ({ busy: qp.busy, rows: qp.items.map((i) => ({ pid: i.pid, label: i.label, description: i.description })) });
  openPicker = state;
  const result = new Promise<number | undefined>((resolve) => {
    qp.onDidChangeValue(() => render(true));
    qp.onDidChangeActive((active) => {
      // The list highlighting its top row after an update is not the user's doing.
      if (!settingActive && active[0] !== qp.items[0] && Date.now() - settledAt > DELIBERATE_MOVE_MS) userMoved = true;
    });
    qp.onDidAccept(() => {
      const chosen = pidOnAccept(parsePid(qp.value), (qp.selectedItems[0] ?? qp.activeItems[0])?.pid, userMoved);
      if (chosen === undefined) {
        qp.title = qp.value.trim() ? `${title} — "${qp.value.trim()}" matches no process and is not a process id` : title;
        return;
      }
      resolve(chosen);
      qp.hide();
    });
    qp.onDidHide(() => {
      if (openPicker === state) openPicker = undefined;
      cancelled = true;
      resolve(undefined);
      qp.dispose();
    });
  });
  qp.show();
  try {
    const processes = (await source.listProcesses()).filter((p) => !isOwnHelper(p));
    if (cancelled) return await result;
    items = processes.map(toItem);
    render();
    void fillSocketCounts(source, processes, (pid, count) => {
      counts.set(pid, count);
      const i = items.findIndex((it) => it.pid === pid);
      const old = items[i];
      if (old) items[i] = { ...old, description: `${describe(old.pid, count)}` };
    }, () => cancelled, () => render()).finally(() => { if (!cancelled) qp.busy = false; });
  } catch (e) {
    qp.busy = false;
    qp.title = `${title} — cannot list processes (${e instanceof Error ? e.message : String(e)}); type a pid instead`;
  }
  return result;
}

function describe(pid: number, sockets: number | undefined): string {
  if (sockets === undefined) return `pid ${pid} · sockets not readable`;
  return `pid ${pid} · ${formatCount(sockets)} socket${sockets === 1 ? '' : 's'}`;
}

function toItem(p: ProcessSummary): ProcessItem {
  return { pid: p.pid, label: processLabel(p), description: `pid ${p.pid} · counting sockets…`, detail: p.cmdline ? escapeControl(p.cmdline) : undefined };
}

async function fillSocketCounts(
  source: SocketSource,
  processes: readonly ProcessSummary[],
  set: (pid: number, count: number | undefined) => void,
  isCancelled: () => boolean,
  render: () => void,
): Promise<void> {
  let next = 0;
  let lastRender = Date.now();
  const worker = async (): Promise<void> => {
    while (!isCancelled()) {
      const p = processes[next++];
      if (!p) return;
      set(p.pid, await source.socketCount(p.pid).catch(() => undefined));
      if (Date.now() - lastRender > 150) {
        lastRender = Date.now();
        render();
      }
    }
  };
  await Promise.all(Array.from({ length: COUNT_CONCURRENCY }, worker));
  if (!isCancelled()) render();
}

/** Picks among several owners of one port (e.g. a pre-forked server). */
export async function pickPortOwner(owners: readonly PortOwner[], port: number): Promise<number | undefined> {
  const unique = [...new Map(owners.map((o) => [o.pid, o])).values()];
  if (unique.length === 1) return unique[0]?.pid;
  const picked = await vscode.window.showQuickPick(
    unique.map((o) => ({ label: o.name ? escapeControl(o.name) : `pid ${o.pid}`, description: `pid ${o.pid} · ${o.protocol} ${o.state}`, pid: o.pid })),
    { title: `Processes using port ${port}` },
  );
  return picked?.pid;
}
