// The socket source the CLI commands use: the platform's, with the sockscope-netlink helper that
// the build puts next to dist/cli.js (dist/bin/) on Linux. SOCKSCOPE_NETLINK=0 reads /proc only.
import * as path from 'path';
import type { SocketSource } from '../core/platform';
import { createSocketSource } from '../core/platform';

export function cliSocketSource(env: NodeJS.ProcessEnv = process.env): SocketSource {
  const helper = env.SOCKSCOPE_NETLINK === '0' ? undefined : path.join(__dirname, 'bin', 'sockscope-netlink');
  return createSocketSource(process.platform, { netlinkHelper: helper });
}
