/**
 * The `policy` option: where connections may go. Three forms, checked on the exact
 * address a socket is about to connect to:
 *
 * - `'public'`: the special-purpose preset (special-purpose.ts);
 * - `{ preset?: 'public', allow?: CIDRs, deny?: CIDRs }`: `deny` always blocks, then
 *   `allow` always allows, then the preset decides (none: allowed);
 * - `(address, family, host) => boolean`: `true` allows; anything else, or a throw, blocks.
 *
 * A `deny` prefix also blocks IPv6 forms that carry a denied IPv4 (mapped, compatible,
 * NAT64, 6to4: they reach it, or it); an `allow` prefix lets through an IPv4-mapped
 * address whose IPv4 it allows (the same host), not the NAT64 or 6to4 forms (other hosts).
 *
 * An address this library synthesized from an IPv4 one (NAT64, RFC 6052) is judged on both
 * forms and blocked if either is: the IPv4 as any IPv4 address; the IPv6 form by `deny`,
 * then `allow`, then the preset as a NAT64 form, by its IPv4 (as for `64:ff9b::/96`), so a
 * network-specific prefix hides no private IPv4 and the NAT64 form of a public one passes.
 * A function is asked about both.
 */
import { InvalidArgumentError } from '../errors.js';
import { CidrList, parseCidr, parseIPv4, parseIPv6, type Cidr } from './cidr.js';
import { embeddedIPv4, isIPv4Mapped, isPublicIPv4, isPublicIPv6 } from './special-purpose.js';

/** `true` lets the connection to `address` go ahead; `host` is the host as the caller gave it. */
export type PolicyFunction = (address: string, family: 4 | 6, host: string) => boolean;

export interface PolicyRules {
  /** The preset that decides what `deny` and `allow` leave open. @default none (allowed) */
  preset?: 'public' | undefined;
  /** CIDRs (`'10.0.0.0/8'`, `'fd00::/8'`) or addresses always allowed, unless denied. @default [] */
  allow?: readonly string[] | undefined;
  /** CIDRs or addresses always blocked. @default [] */
  deny?: readonly string[] | undefined;
}

export type AddressPolicyOption = 'public' | PolicyFunction | PolicyRules;

const EXPECTED = "'public', a function (address, family, host) => boolean, or { preset?: 'public', allow?: CIDR[], deny?: CIDR[] }";
const RULE_KEYS = new Set(['preset', 'allow', 'deny']);
const words = new Uint32Array(4);

export class AddressPolicy {
  readonly #fn: PolicyFunction | undefined;
  readonly #preset: boolean;
  readonly #allow: CidrList | undefined;
  readonly #deny: CidrList | undefined;

  private constructor(fn: PolicyFunction | undefined, preset: boolean, allow?: CidrList, deny?: CidrList) {
    this.#fn = fn;
    this.#preset = preset;
    this.#allow = allow;
    this.#deny = deny;
  }

  static readonly publicPreset = new AddressPolicy(undefined, true);

  /** The option's value checked and compiled; `undefined` for none. Throws InvalidArgumentError naming `option`. */
  static from(value: unknown, option = 'policy'): AddressPolicy | undefined {
    if (value === undefined) return undefined;
    if (value instanceof AddressPolicy) return value;
    if (value === 'public') return AddressPolicy.publicPreset;
    if (typeof value === 'function') return new AddressPolicy(value as PolicyFunction, false);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidArgumentError(option, value, EXPECTED);
    const rules = value as Record<string, unknown>;
    for (const key of Object.keys(rules)) if (!RULE_KEYS.has(key)) throw new InvalidArgumentError(`${option}.${key}`, rules[key], 'preset, allow or deny');
    if (rules.preset !== undefined && rules.preset !== 'public') throw new InvalidArgumentError(`${option}.preset`, rules.preset, "'public'");
    const allow = cidrList(rules.allow, `${option}.allow`);
    const deny = cidrList(rules.deny, `${option}.deny`);
    return new AddressPolicy(undefined, rules.preset === 'public', allow, deny);
  }

  /**
   * Whether a connection to `address` may start. Anything that is not an IP address is
   * blocked. `synthesizedFrom`: the IPv4 address a NAT64 synthesis `address` was made from.
   */
  allows(address: string, family: 4 | 6, host: string, synthesizedFrom?: string): boolean {
    if (synthesizedFrom !== undefined) return this.#allowsSynthesized(address, synthesizedFrom, host);
    if (this.#fn !== undefined) {
      try {
        return this.#fn(address, family, host) === true;
      } catch {
        return false; // fail closed
      }
    }
    if (!address.includes(':')) {
      const v4 = parseIPv4(address);
      return v4 >= 0 && this.#allowsV4(v4);
    }
    return parseIPv6(address, words) && this.#allowsV6(words);
  }

  /** Both forms of a NAT64 synthesis (see the top of this file). */
  #allowsSynthesized(address: string, ipv4: string, host: string): boolean {
    if (this.#fn !== undefined) return this.allows(address, 6, host) && this.allows(ipv4, 4, host);
    const v4 = parseIPv4(ipv4);
    if (v4 < 0 || !parseIPv6(address, words) || !this.#allowsV4(v4)) return false;
    if (this.#deny?.hasV6(words)) return false;
    if (this.#allow?.hasV6(words)) return true;
    return !this.#preset || isPublicIPv4(v4);
  }

  #allowsV4(address: number): boolean {
    if (this.#deny?.hasV4(address)) return false;
    if (this.#allow?.hasV4(address)) return true;
    return !this.#preset || isPublicIPv4(address);
  }

  #allowsV6(address: Uint32Array): boolean {
    const deny = this.#deny;
    if (deny !== undefined) {
      const embedded = embeddedIPv4(address);
      if (deny.hasV6(address) || (embedded >= 0 && deny.hasV4(embedded))) return false;
    }
    const allow = this.#allow;
    if (allow !== undefined && (allow.hasV6(address) || (isIPv4Mapped(address) && allow.hasV4(address[3]!)))) return true;
    return !this.#preset || isPublicIPv6(address);
  }
}

/** An array of CIDR strings → the list (an IPv4-mapped prefix also as its IPv4 one), or undefined when empty. */
function cidrList(value: unknown, option: string): CidrList | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new InvalidArgumentError(option, value, 'an array of CIDR strings');
  const cidrs: Cidr[] = [];
  value.forEach((entry: unknown, i) => {
    const cidr = typeof entry === 'string' ? parseCidr(entry) : 'not a string';
    if (typeof cidr === 'string') throw new InvalidArgumentError(`${option}[${i}]`, entry, `a CIDR such as '10.0.0.0/8' or 'fd00::/8' (${cidr})`);
    cidrs.push(cidr);
    if (cidr.family === 6 && cidr.bits >= 96 && isIPv4Mapped(cidr.words)) cidrs.push({ family: 4, bits: cidr.bits - 96, address: cidr.words[3]! });
  });
  return cidrs.length === 0 ? undefined : new CidrList(cidrs);
}

/** Each Resolver's `policy`, the default of the races and lookups that use it. */
const resolverAddressPolicies = new WeakMap<object, AddressPolicy>();

export function setResolverAddressPolicy(resolver: object, policy: AddressPolicy): void {
  resolverAddressPolicies.set(resolver, policy);
}

/** The `policy` a Resolver was built with, if `resolver` is one that has one. */
export function resolverAddressPolicy(resolver: unknown): AddressPolicy | undefined {
  return resolver !== null && typeof resolver === 'object' ? resolverAddressPolicies.get(resolver) : undefined;
}
