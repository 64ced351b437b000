// Test support for the macOS and Windows sources (imported only by *.test.ts files).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandRunner } from '../source';

/** Reads test/fixtures/<dir>/<name> (the compiled tests sit four levels below the repository root). */
export function readFixture(dir: 'darwin' | 'win32', name: string): string {
  return readFileSync(path.resolve(__dirname, '../../../../../test/fixtures', dir, name), 'utf8');
}

export type Scripted = { stdout?: string; stderr?: string; code?: number } | Error;

/** A CommandRunner that answers from a script keyed by the exact argv, and records every call. */
export class FakeRunner implements CommandRunner {
  readonly calls: string[][] = [];
  private readonly script = new Map<string, Scripted>();

  /** Scripts the answer to `file args...` (matched exactly). */
  on(argv: readonly string[], answer: Scripted): this {
    this.script.set(JSON.stringify(argv), answer);
    return this;
  }

  run(file: string, args: readonly string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    const argv = [file, ...args];
    this.calls.push(argv);
    const answer = this.script.get(JSON.stringify(argv));
    if (answer === undefined) return Promise.reject(new Error(`unscripted command: ${JSON.stringify(argv)}`));
    if (answer instanceof Error) return Promise.reject(answer);
    return Promise.resolve({ stdout: answer.stdout ?? '', stderr: answer.stderr ?? '', code: answer.code ?? 0 });
  }
}
