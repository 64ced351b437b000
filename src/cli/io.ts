/** What a CLI command writes to; injected so commands can be tested without a terminal. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Resolves when the user presses Ctrl-C (SIGINT); long-running commands stop then. */
  readonly interrupted: Promise<void>;
}

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export type CliCommand = (args: string[], io: CliIo) => Promise<number>;
