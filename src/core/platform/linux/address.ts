// Decoding of the hex `address:port` pairs of /proc/net/{tcp,tcp6,udp,udp6}.
//
// The kernel prints each address as the raw 32-bit words of the in-memory address in host byte
// order: an IPv4 address is one word (so 127.0.0.1 reads 0100007F on a little-endian machine) and
// an IPv6 address is four words, each byte-swapped on its own. The port is printed as a number
// (already converted from network order), so it is read as it stands.

import type { Endpoint } from '../../model';
import { formatIpv6Groups } from '../address';

export interface DecodeOptions {
  /** Byte order of the machine that wrote the table; true for x86, arm64 (default). */
  readonly littleEndian?: boolean;
}

const HEX = /^[0-9A-Fa-f]+$/;

/** The bytes of one address in network order, or undefined when the text is not 8 or 32 hex digits. */
export function addressBytes(hex: string, options: DecodeOptions = {}): number[] | undefined {
  if ((hex.length !== 8 && hex.length !== 32) || !HEX.test(hex)) return undefined;
  const littleEndian = options.littleEndian ?? true;
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = parseInt(hex.slice(w, w + 8), 16);
    const be = [word >>> 24, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff];
    bytes.push(...(littleEndian ? be.reverse() : be));
  }
  return bytes;
}

/** Dotted quad from four bytes. */
function formatIpv4(b: readonly number[]): string {
  return b.join('.');
}

/** RFC 5952 text for 16 bytes (see formatIpv6Groups). */
export function formatIpv6(b: readonly number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0));
  return formatIpv6Groups(groups);
}

/** Decodes `0100007F:1F90` (or the 32-digit IPv6 form) to an Endpoint; undefined when malformed. */
export function parseHexEndpoint(text: string, options: DecodeOptions = {}): Endpoint | undefined {
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const portHex = text.slice(colon + 1);
  if (portHex.length === 0 || portHex.length > 4 || !HEX.test(portHex)) return undefined;
  const bytes = addressBytes(text.slice(0, colon), options);
  if (!bytes) return undefined;
  const address = bytes.length === 4 ? formatIpv4(bytes) : formatIpv6(bytes);
  return { address, port: parseInt(portHex, 16) };
}

/** True for 0.0.0.0 / :: with port 0, which the kernel prints for "no peer". */
export function isUnspecified(e: Endpoint): boolean {
  return e.port === 0 && (e.address === '0.0.0.0' || e.address === '::');
}
