// Address text as lsof and netstat print it ("127.0.0.1:5000", "[::1]:5000", "[fe80::1%lo0]:22", "*:*"),
// turned into the model's Endpoint form (IPv6 in RFC 5952 form). Shared by the macOS and Windows sources.

import { formatIpv6Groups } from '../address';

/** A parsed `host:port`; host is '*' for a wildcard, port is 0 for '*'. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Splits `host:port`, `[v6]:port` or `*:*`. Returns undefined when the text has no valid port. */
export function parseHostPort(text: string): HostPort | undefined {
  const s = text.trim();
  let hostText: string;
  let portText: string;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0 || s[close + 1] !== ':') return undefined;
    hostText = s.slice(1, close);
    portText = s.slice(close + 2);
  } else {
    const colon = s.lastIndexOf(':');
    if (colon <= 0) return undefined;
    hostText = s.slice(0, colon);
    portText = s.slice(colon + 1);
  }
  const port = portText === '*' ? 0 : parsePort(portText);
  if (port === undefined) return undefined;
  if (hostText === '*') return { host: '*', port };
  const host = normalizeIpAddress(hostText);
  return host === undefined ? undefined : { host, port };
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
}

/** An IPv4 dotted quad as is, an IPv6 address in RFC 5952 form (zone id kept); undefined if neither. */
export function normalizeIpAddress(text: string): string | undefined {
  if (text.includes(':')) return normalizeIpv6(text);
  return parseIpv4(text) ? text : undefined;
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

/**
 * RFC 5952: lower case, no leading zeros, the longest run (first on a tie) of two or more zero groups
 * compressed to "::"; v4-mapped addresses print as ::ffff:a.b.c.d. A zone id ("%lo0", "%12") is kept.
 */
export function normalizeIpv6(text: string): string | undefined {
  const pct = text.indexOf('%');
  const addr = pct >= 0 ? text.slice(0, pct) : text;
  const zone = pct >= 0 ? text.slice(pct) : '';
  const groups = ipv6Groups(addr);
  return groups ? formatIpv6Groups(groups) + zone : undefined;
}

/** The eight 16-bit groups of an IPv6 address (with optional trailing dotted quad), or undefined. */
function ipv6Groups(addr: string): number[] | undefined {
  const halves = addr.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i] ?? '';
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = parse(halves[0] ?? '');
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** The all-zero address of a family: what a '*' wildcard host stands for. */
export function anyAddress(ipv6: boolean): string {
  return ipv6 ? '::' : '0.0.0.0';
}

/** True for 0.0.0.0 and :: (an unconnected remote side as netstat and PowerShell print it). */
export function isAnyAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/**
 * Splits text into lines (LF or CRLF). When the text does not end with a newline the last line may have
 * been cut off mid-way (tool killed, buffer limit): it is returned separately so parsers can skip it.
 */
export function splitLines(text: string): { lines: string[]; partial: string | undefined } {
  const lines = text.split(/\r?\n/);
  const last = lines.pop() ?? '';
  const partial = last.replace(/\r$/, '');
  return { lines, partial: partial.trim() === '' ? undefined : partial };
}
