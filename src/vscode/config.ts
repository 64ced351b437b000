import * as vscode from 'vscode';
import type { SourceOptions } from '../core/platform';

const SECTION = 'sockscope';

export function setting<T>(key: string, fallback: T): T {
  return vscode.workspace.getConfiguration(SECTION).get<T>(key, fallback);
}

/** Linux: read sockets through the bundled sockscope-netlink helper (sock_diag), or /proc only. */
export function netlinkHelperEnabled(): boolean {
  return setting<boolean>('sampling.netlinkHelper', true);
}

/**
 * Tool paths for the socket sources. In an untrusted workspace a path taken from workspace settings
 * could run anything, so only the user/machine value (or the default) is used there.
 */
export function toolPaths(): NonNullable<SourceOptions['tools']> {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  const pick = (key: string, fallback: string): string => {
    if (vscode.workspace.isTrusted) return cfg.get<string>(key, fallback) || fallback;
    const inspected = cfg.inspect<string>(key);
    return inspected?.globalValue || fallback;
  };
  return {
    lsof: pick('tools.lsofPath', 'lsof'),
    netstat: pick('tools.netstatPath', 'netstat'),
    powershell: pick('tools.powershellPath', 'powershell.exe'),
  };
}
