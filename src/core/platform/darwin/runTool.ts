// Helpers shared by the macOS and Windows sources (both drive external tools through a CommandRunner).
import type { CommandRunner } from '../source';
import { SourceError } from '../source';

export type RunResult = { stdout: string; stderr: string; code: number };

/** Runs a tool; every failure becomes a SourceError, and a missing tool gets the caller's advice as message. */
export async function runTool(runner: CommandRunner, file: string, args: readonly string[], missingMessage: string): Promise<RunResult> {
  try {
    return await runner.run(file, args);
  } catch (e) {
    if (e instanceof SourceError && e.code === 'TOOL_MISSING') throw new SourceError('TOOL_MISSING', missingMessage, e.message);
    if (e instanceof SourceError) throw e;
    throw new SourceError('TOOL_FAILED', `${file} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}


/** Throws BAD_INPUT unless port is 1-65535. */
export function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SourceError('BAD_INPUT', `"${port}" is not a port number (1-65535).`);
}

