import * as fs from 'fs';
import type { CommandRunner, SocketSource } from './source';
import { SourceError } from './source';
import { LinuxSocketSource } from './linux/linuxSource';
import { DarwinSocketSource } from './darwin/darwinSource';
import { WindowsSocketSource } from './win32/windowsSource';
import { execFileRunner } from './commandRunner';

export * from './source';
export * from './pid';

export interface SourceOptions {
  /** Root of the proc filesystem (tests point it at a fixture tree). */
  readonly procRoot?: string;
  readonly runner?: CommandRunner;
  /** Paths of external tools; the VS Code layer passes them only from trusted settings. */
  readonly tools?: { readonly lsof?: string; readonly netstat?: string; readonly powershell?: string };
  /** Linux: path of the bundled sockscope-netlink helper (dist/bin); used when the file exists. */
  readonly netlinkHelper?: string | undefined;
}

/** Chooses the socket source for a platform, once, at start-up. */
export function createSocketSource(platform: NodeJS.Platform, options: SourceOptions = {}): SocketSource {
  const runner = options.runner ?? execFileRunner;
  switch (platform) {
    case 'linux': {
      const helper = options.netlinkHelper;
      return new LinuxSocketSource({ procRoot: options.procRoot ?? '/proc', netlinkHelper: helper !== undefined && fs.existsSync(helper) ? helper : undefined });
    }
    case 'darwin': return new DarwinSocketSource(runner, { lsofPath: options.tools?.lsof ?? 'lsof' });
    case 'win32': return new WindowsSocketSource(runner, { netstatPath: options.tools?.netstat ?? 'netstat', powershellPath: options.tools?.powershell ?? 'powershell.exe' });
    default: return new UnsupportedSource(platform);
  }
}

class UnsupportedSource implements SocketSource {
  constructor(readonly platform: string) {}
  private error(): SourceError {
    return new SourceError('UNSUPPORTED', `SockScope cannot list sockets on ${this.platform} yet (supported: Linux, macOS, Windows).`);
  }
  listProcesses() { return Promise.reject(this.error()); }
  socketCount() { return Promise.resolve(undefined); }
  snapshot() { return Promise.reject(this.error()); }
  findPortOwners() { return Promise.reject(this.error()); }
}
