import * as vscode from 'vscode';
import { escapeControl, processLabel } from '../core/model';
import { parsePid } from '../core/platform/pid';
import type { PortOwner, ProcessSummary, SocketSource } from '../core/platform/source';
import { plural } from '../core/model/plural';

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

/**
 * The process picker: every process this user can see, with socket counts filled in as they are
 * computed (the picker shows busy meanwhile). Typing a pid that is not listed offers it anyway.
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
  const typedPidItem = (pid: number): ProcessItem => ({ pid, label: `$(debug-start) Attach to pid ${pid}`, alwaysShow: true });
  const render = (): void => {
    const typed = parsePid(qp.value);
    const active = qp.activeItems[0]?.pid;
    qp.items = typed !== undefined && !items.some((i) => i.pid === typed) ? [typedPidItem(typed), ...items] : items;
    if (active !== undefined) {
      const again = qp.items.find((i) => i.pid === active);
      if (again) qp.activeItems = [again];
    }
  };
  const result = new Promise<number | undefined>((resolve) => {
    qp.onDidChangeValue(() => render());
    qp.onDidAccept(() => {
      const chosen = qp.selectedItems[0] ?? qp.activeItems[0];
      const typed = parsePid(qp.value);
      if (chosen) resolve(chosen.pid);
      else if (typed !== undefined) resolve(typed);
      else {
        qp.title = qp.value.trim() ? `${title} — "${qp.value.trim()}" matches no process and is not a process id` : title;
        return;
      }
      qp.hide();
    });
    qp.onDidHide(() => {
      cancelled = true;
      resolve(undefined);
      qp.dispose();
    });
  });
  qp.show();
  try {
    const processes = await source.listProcesses();
    items = processes.sort((a, b) => b.pid - a.pid).map(toItem);
    render();
    void fillSocketCounts(source, processes, (pid, count) => {
      const i = items.findIndex((it) => it.pid === pid);
      const old = items[i];
      if (old) items[i] = { ...old, description: `${describe(old.pid, count)}` };
    }, () => cancelled, render).finally(() => { if (!cancelled) qp.busy = false; });
  } catch (e) {
    qp.busy = false;
    qp.title = `${title} — cannot list processes (${e instanceof Error ? e.message : String(e)}); type a pid instead`;
  }
  return result;
}

function describe(pid: number, sockets: number | undefined): string {
  if (sockets === undefined) return `pid ${pid} · sockets not readable`;
  return `pid ${pid} · ${plural(sockets, 'socket')}`;
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
