/**
 * Host strings under an address policy. A host whose last label is numeric is never a
 * DNS name (RFC 1123 §2.1; WHATWG URL "ends in a number"): it is read as the IPv4
 * address the WHATWG URL parser makes of it (`0x7f.1`, `0177.1`, `2130706433` all name
 * 127.0.0.1, as they do to inet_aton and to every browser), so the policy judges the
 * address such a host really names; one that is not an IPv4 address is refused rather
 * than sent to DNS. Unicode names are mapped by UTS #46 through `url.domainToASCII`,
 * as the URL parser does (full-width digits and dots become an IPv4 literal there).
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { InvalidArgumentError } from '../errors.js';

const EXPECTED = 'a host name or an IP address (a numeric last label must make an IPv4 address, as in a URL)';

/** WHATWG URL forbidden domain code points: a host holding one is not a host (`/`, `@`, `%`…). */
const FORBIDDEN = /[\0-\x20#%/:<>?@[\\\]^|\x7f]/u;
const NON_ASCII = /[^\0-\x7f]/u;

/**
 * The host as the policy sees it: an IP literal (IPv4 dotted quad, or IPv6 as given),
 * or a DNS name in ASCII. Throws InvalidArgumentError naming `option` for a numeric
 * host that is no IPv4 address, or a Unicode name IDNA refuses.
 */
export function hostUnderPolicy(host: string, option: string): string {
  if (isIP(host) !== 0) return host;
  let name = host;
  if (NON_ASCII.test(host)) {
    name = FORBIDDEN.test(host) ? '' : domainToASCII(host);
    if (name === '' || FORBIDDEN.test(name)) throw new InvalidArgumentError(option, host, EXPECTED);
  }
  if (!endsInNumber(name)) return name;
  const address = parseUrlIPv4(name);
  if (address < 0) throw new InvalidArgumentError(option, host, EXPECTED);
  return [address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff].join('.');
}

/** WHATWG URL "ends in a number checker". */
export function endsInNumber(host: string): boolean {
  const labels = host.split('.');
  if (labels.at(-1) === '') {
    if (labels.length === 1) return false;
    labels.pop();
  }
  const last = labels.at(-1)!;
  return /^[0-9]+$/u.test(last) || parseUrlIPv4Number(last) >= 0;
}

/**
 * WHATWG URL "IPv4 parser": one to four parts, each decimal, octal (`0` prefix) or hex
 * (`0x` prefix); the last fills the bytes the others leave (`127.1` = 127.0.0.1).
 * → the address as an unsigned 32-bit number, or -1 (failure).
 */
export function parseUrlIPv4(host: string): number {
  const parts = host.split('.');
  if (parts.at(-1) === '' && parts.length > 1) parts.pop();
  if (parts.length > 4) return -1;
  const numbers = parts.map(parseUrlIPv4Number);
  if (numbers.some((n) => n < 0)) return -1;
  const last = numbers.pop()!;
  if (numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) return -1;
  return numbers.reduce((sum, n, i) => sum + n * 256 ** (3 - i), last);
}

/** WHATWG URL "IPv4 number parser" → the number, or -1 (failure). */
export function parseUrlIPv4Number(text: string): number {
  if (text === '') return -1;
  let radix = 10;
  let digits = text;
  if (text.length >= 2 && text[0] === '0') {
    const hex = text[1] === 'x' || text[1] === 'X';
    radix = hex ? 16 : 8;
    digits = text.slice(hex ? 2 : 1);
  }
  if (digits === '') return 0;
  const valid = radix === 10 ? /^[0-9]+$/u : radix === 8 ? /^[0-7]+$/u : /^[0-9a-f]+$/iu;
  if (!valid.test(digits)) return -1;
  // Digits past 2^53 lose precision, but any such number is far out of range anyway.
  return [...digits].reduce((n, d) => n * radix + parseInt(d, radix), 0);
}
