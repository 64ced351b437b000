import type { Snapshot } from '../core/model';
import { escapeControl } from '../core/model';
import { SourceError } from '../core/platform';
import type { CliIo } from './io';
import { cliSocketSource } from './source';

/**
 * One snapshot of `pid` for a one-shot command (`sockets`, `origins`). On failure it prints one line,
 * `sockscope <command>: <why>`, and gives undefined. The source's message is already a full sentence
 * (it names the process when it can); process-controlled text in it comes escaped.
 */
export async function snapshotOnce(pid: number, command: string, io: CliIo): Promise<Snapshot | undefined> {
  const source = cliSocketSource();
  try {
    return await source.snapshot(pid);
  } catch (e) {
    const message = e instanceof SourceError ? e.message : `cannot read process ${pid}: ${e instanceof Error ? e.message : String(e)}`;
    io.err(`sockscope ${command}: ${escapeControl(message.replace(/\s*\n\s*/g, ' '))}\n`);
    return undefined;
  } finally {
    source.dispose?.();
  }
}
