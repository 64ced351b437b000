import { readFile } from 'fs/promises';
import path from 'path';

/** The range the kernel picks ephemeral (client-side) ports from, inclusive. */
export interface PortRange {
  readonly low: number;
  readonly high: number;
}

/** Linux's default net.ipv4.ip_local_port_range. */
export const LINUX_DEFAULT_PORT_RANGE: PortRange = { low: 32768, high: 60999 };

export function portRangeSize(r: PortRange): number {
  return r.high - r.low + 1;
}

/** Parses /proc/sys/net/ipv4/ip_local_port_range ("32768\t60999\n"); undefined when malformed. */
export function parsePortRange(text: string): PortRange | undefined {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 2 || !parts.every((p) => /^\d{1,5}$/.test(p))) return undefined;
  const [low, high] = parts.map(Number) as [number, number];
  if (low < 1 || high > 65535 || low > high) return undefined;
  return { low, high };
}

/** Reads the ephemeral port range on Linux; undefined where it cannot be read (other platforms, containers). */
export async function readEphemeralPortRange(procRoot = '/proc'): Promise<PortRange | undefined> {
  try {
    return parsePortRange(await readFile(path.join(procRoot, 'sys/net/ipv4/ip_local_port_range'), 'utf8'));
  } catch {
    return undefined;
  }
}
