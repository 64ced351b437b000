import * as vscode from 'vscode';

/** One LogOutputChannel for the extension; every line carries the component that wrote it. */
export class Log implements vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('SockScope', { log: true });
  }

  for(component: string): ComponentLog {
    const tag = `[${component}]`;
    const c = this.channel;
    return {
      get tracing() { return c.logLevel === vscode.LogLevel.Trace; },
      trace: (m) => c.trace(`${tag} ${m}`),
      info: (m) => c.info(`${tag} ${m}`),
      warn: (m) => c.warn(`${tag} ${m}`),
      error: (m, e) => c.error(`${tag} ${m}${e === undefined ? '' : `: ${errorText(e)}`}`),
    };
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

export interface ComponentLog {
  /** Whether trace lines are written: skip the work of building them otherwise. */
  readonly tracing: boolean;
  trace(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.stack ?? e.message;
  return String(e);
}
