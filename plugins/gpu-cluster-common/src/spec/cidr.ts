/** IPv4 CIDR helpers (isomorphic: no Node `net` module). */

/** Strict dotted-quad IPv4 CIDR: each octet 0-255 without leading zeros, prefix 0-32. @public */
export const IPV4_CIDR_PATTERN =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(?:3[0-2]|[12]?\d)$/;

/** @public */
export interface Ipv4Range {
  cidr: string;
  /** First address as an unsigned 32-bit integer. */
  start: number;
  /** Last address (inclusive). */
  end: number;
  prefix: number;
}

/** Parses an IPv4 CIDR; returns undefined for malformed text. @public */
export function parseIpv4Cidr(cidr: string): Ipv4Range | undefined {
  if (!IPV4_CIDR_PATTERN.test(cidr)) return undefined;
  const [address, prefixText] = cidr.split('/');
  const prefix = Number(prefixText);
  const value = address
    .split('.')
    .reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - prefix);
  const start = value - (value % size);
  return { cidr, start, end: start + size - 1, prefix };
}

/** Whether the address part has host bits set (e.g. 192.168.0.1/24). @public */
export function hasHostBits(cidr: string): boolean {
  const range = parseIpv4Cidr(cidr);
  if (!range) return false;
  const value = cidr
    .split('/')[0]
    .split('.')
    .reduce((acc, octet) => acc * 256 + Number(octet), 0);
  return value !== range.start;
}

/** @public */
export function cidrsOverlap(a: string, b: string): boolean {
  const ra = parseIpv4Cidr(a);
  const rb = parseIpv4Cidr(b);
  if (!ra || !rb) return false;
  return ra.start <= rb.end && rb.start <= ra.end;
}

/** Whether `inner` lies wholly inside `outer`. @public */
export function cidrContains(outer: string, inner: string): boolean {
  const ro = parseIpv4Cidr(outer);
  const ri = parseIpv4Cidr(inner);
  if (!ro || !ri) return false;
  return ro.start <= ri.start && ri.end <= ro.end;
}
