// `tasklist /fo csv /nh`: "Image Name","PID","Session Name","Session#","Mem Usage", one quoted CSV row per
// process. Memory is localized ("12,345 K", "12.345 K", "12 345 K"); localized messages such as
// "INFO: No tasks are running..." are not CSV and are skipped.
import type { ParseResult } from '../source';
import { splitLines } from '../darwin/address';

export interface TasklistRow {
  readonly name: string;
  readonly pid: number;
  readonly session: string;
  readonly memoryKb: number | undefined;
}

export function parseTasklistCsv(text: string): ParseResult<TasklistRow> {
  const { lines, partial } = splitLines(text);
  const items: TasklistRow[] = [];
  let skipped = partial === undefined ? 0 : 1;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const cells = parseCsvLine(line.trim());
    const pidText = cells?.[1] ?? '';
    if (!cells || cells.length < 2 || !/^\d+$/.test(pidText)) { skipped++; continue; }
    const mem = (cells[4] ?? '').replace(/\D/g, '');
    items.push({ name: cells[0] ?? '', pid: Number(pidText), session: cells[2] ?? '', memoryKb: mem ? Number(mem) : undefined });
  }
  return { items, skipped };
}

/** One CSV line with "quoted" cells ("" is a quote inside a cell); undefined when quotes do not balance. */
export function parseCsvLine(line: string): string[] | undefined {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return undefined;
        if (line[i] === '"') {
          if (line[i + 1] === '"') { cell += '"'; i += 2; continue; }
          i++;
          break;
        }
        cell += line[i];
        i++;
      }
    } else {
      while (i < line.length && line[i] !== ',') cell += line[i++];
    }
    cells.push(cell);
    if (i >= line.length) return cells;
    if (line[i] !== ',') return undefined;
    i++;
  }
}
