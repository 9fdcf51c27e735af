/**
 * Fuzz targets for what parses text: resolv.conf, the hosts file, the command line, host
 * names and server entries. Inputs mix well-formed pieces with the malformed ones users
 * and tools really write, and random characters. Each output is checked against what the
 * next stage accepts: whatever resolv.conf gives, the DNS client takes; whatever the CLI
 * accepts, the resolver and connect() take.
 */
import { isIP } from 'node:net';
import dnsPacket from 'dns-packet';
import { UsageError, parseArgs } from '../../lib/cli/args.js';
import { normalizeConnectOptions } from '../../lib/connect-options.js';
import { normalizeHostname, isValidHostname } from '../../lib/dns/name.js';
import { resolveClientOptions } from '../../lib/dns/options.js';
import { makeQuestion } from '../../lib/dns/query.js';
import { DnsError, InvalidArgumentError } from '../../lib/errors.js';
import { lookupHosts, parseHosts } from '../../lib/system/hosts.js';
import { isLoopback } from '../../lib/system/ip.js';
import { DEFAULT_NAMESERVERS, parseResolvConf } from '../../lib/system/resolv-conf.js';
import { parseServerAddress } from '../../lib/system/server-address.js';
import type { Rng } from './fuzz-rng.js';
import { expect, type FuzzTarget } from './fuzz-run.js';

const IPS = [
  '192.0.2.53',
  '127.0.0.1',
  '::1',
  '2001:db8::53',
  'fe80::1%eth0',
  '::ffff:192.0.2.1',
  '[::1]',
  '[192.0.2.1]',
  '127.1',
  '01.2.3.4',
  '256.1.1.1',
  '1.2.3.4:53',
  '[::1]:5300',
  '1.2.3',
  'fe80::1%',
  'ns.example.test',
  '',
];
const NAMES = [
  'example.test',
  'WWW.Example.TEST',
  'localhost',
  'LOCALHOST.',
  'a.localhost',
  'corp.',
  '.',
  'a..b',
  '-a.test',
  '_srv._tcp.test',
  'é.test',
  'xn--e1a.test',
  'x'.repeat(63),
  'x'.repeat(64),
  `${'a.'.repeat(126)}b`,
  `${'a.'.repeat(127)}b`,
];
const NUMBERS = ['0', '1', '5', '10', '15', '16', '30', '2000', '2001', '-5', '1e3', '0x10', '99999999999999999999', '', ' 5', 'abc'];
const SEPARATORS = [' ', ' ', ' ', '\t', '  ', ' \t', '\r', '\f', '\v'];
const WEIRD = ['#', ';', ':', '=', '[', ']', '%', '/', '\0', '\u00a0', '\u2028', '\ud800', '😀', '\x7f'];

/** A token: a well-formed piece, a number, an odd character, or random characters. */
function token(rng: Rng, pool: readonly string[]): string {
  const roll = rng.int(10);
  if (roll < 6) return rng.pick(pool);
  if (roll < 7) return rng.pick(NUMBERS);
  if (roll < 8) return rng.pick(pool) + rng.pick(WEIRD) + rng.pick(pool);
  return Array.from({ length: rng.int(20) }, () => (rng.chance(0.8) ? String.fromCharCode(rng.range(0x20, 0x7e)) : rng.pick(WEIRD))).join('');
}

function line(rng: Rng, keywords: readonly string[], pool: readonly string[]): string {
  const words = [rng.pick(keywords), ...Array.from({ length: rng.int(rng.chance(0.05) ? 60 : 5) }, () => token(rng, pool))];
  return words.map((w) => w + rng.pick(SEPARATORS)).join('');
}

const OPTIONS = ['ndots:', 'timeout:', 'attempts:', 'rotate', 'edns0', 'single-request', 'rotate:1'];
const CONF_KEYWORDS = [
  'nameserver',
  'nameserver',
  'nameserver',
  'search',
  'domain',
  'options',
  'options',
  'sortlist',
  '#',
  ';',
  'NAMESERVER',
  ' nameserver',
  'x',
];

/** One resolv.conf line: a keyword, then arguments mostly of the kind it takes. */
function confLine(rng: Rng): string {
  const keyword = rng.pick(CONF_KEYWORDS);
  const options = OPTIONS.map((o) => (o.endsWith(':') ? o + rng.pick(NUMBERS) : o));
  const pool = keyword.includes('nameserver') ? IPS : keyword === 'options' ? options : NAMES;
  return line(rng, [keyword], rng.chance(0.8) ? pool : [...IPS, ...NAMES, ...options]);
}

export const resolvConfTarget: FuzzTarget = {
  name: 'resolv-conf',
  run(rng) {
    const pool = [...IPS, ...NAMES, ...OPTIONS];
    const text = Array.from({ length: rng.int(rng.chance(0.02) ? 2000 : 12) }, () => confLine(rng)).join(rng.chance(0.8) ? '\n' : '\r\n');
    const env = {
      LOCALDOMAIN: rng.chance(0.2) ? line(rng, NAMES, NAMES) : undefined,
      RES_OPTIONS: rng.chance(0.2) ? line(rng, pool, pool) : undefined,
    };
    const conf = parseResolvConf(text, { env, hostname: rng.chance(0.5) ? token(rng, NAMES) : undefined });
    expect(conf.nameservers.length <= 3 && conf.nameservers.every((s) => isIP(s.address) === s.family && s.port === 53), 'bad nameservers');
    // Domains are kept as written (glibc): one leading dot dropped, the root as '.'.
    expect(conf.search.length <= 32 && conf.search.every((d) => d !== '' && !/[ \t\r\n]/.test(d) && (d === '.' || !d.endsWith('.'))), 'bad search list');
    expect(Number.isInteger(conf.ndots) && conf.ndots >= 0 && conf.ndots <= 15, `ndots ${conf.ndots}`);
    expect(conf.timeout % 1000 === 0 && conf.timeout >= 1000 && conf.timeout <= 30_000, `timeout ${conf.timeout}`);
    expect(Number.isInteger(conf.attempts) && conf.attempts >= 1 && conf.attempts <= 5, `attempts ${conf.attempts}`);
    // What the parser gives, the DNS client must take (it throws InvalidArgumentError otherwise).
    const servers = conf.nameservers.length > 0 ? conf.nameservers : [...DEFAULT_NAMESERVERS];
    resolveClientOptions({ servers, timeout: conf.timeout, attempts: conf.attempts, rotate: conf.rotate, search: conf.search, ndots: conf.ndots });
    return `${conf.nameservers.length} servers`;
  },
};

export const hostsTarget: FuzzTarget = {
  name: 'hosts',
  run(rng) {
    const text = Array.from({ length: rng.int(12) }, () => line(rng, IPS, NAMES)).join(rng.chance(0.8) ? '\n' : '\r\n');
    const table = parseHosts(text);
    for (const [name, entry] of table) {
      expect(name !== '' && name === name.toLowerCase(), `key ${JSON.stringify(name)}`);
      expect(entry.v4.every((a) => isIP(a) === 4) && entry.v6.every((a) => isIP(a) === 6), 'an address of the wrong family');
      expect(new Set(entry.v4).size === entry.v4.length && new Set(entry.v6).size === entry.v6.length, 'duplicates');
    }
    const family = rng.chance(0.5) ? 4 : 6;
    const name = token(rng, NAMES);
    const found = lookupHosts(table, name, family);
    if (found === undefined) return 'not listed';
    expect(
      found.every((a) => isIP(a) === family),
      'an answer of the wrong family',
    );
    const local = /(^|\.)localhost\.?$/i.test(name);
    if (local) expect(found.length > 0 && found.every(isLoopback), 'localhost left the machine (RFC 6761 §6.3)');
    let error: unknown;
    try {
      lookupHosts(table, rng.pick([undefined, 1, {}]) as unknown as string, family);
    } catch (err) {
      error = err;
    }
    expect(error instanceof InvalidArgumentError, 'a name that is not a string must be an InvalidArgumentError');
    return local ? 'localhost' : 'listed';
  },
};

const COMMANDS = ['probe', 'probe', 'resolve', 'resolve', 'demo', 'help', 'PROBE', ''];
const CLI_OPTIONS = [
  '--port',
  '--tls',
  '--json',
  '--nameserver',
  '--attempt-delay',
  '--resolution-delay',
  '--timeout',
  '--help',
  '-h',
  '--version',
  '-v',
  '--no-color',
  '--',
  '-',
  '--bogus',
  '-x',
  '--port=',
  '--tls=1',
  '--timeout=5',
  '--nameserver=::1',
];
const TARGETS = ['example.test', 'example.test:443', 'host:99999', '[::1]:80', '[::1', '::1]', '::1', '1.2.3.4:0', ...NAMES, ...IPS];

/** A command, a target and options in any order, with values that fit or not. */
function argvFor(rng: Rng): string[] {
  const argv: string[] = [];
  if (rng.chance(0.9)) argv.push(rng.pick(COMMANDS));
  if (rng.chance(0.85)) argv.push(token(rng, TARGETS));
  for (let n = rng.int(5); n > 0; n--) {
    const option = rng.pick(CLI_OPTIONS);
    const at = rng.int(argv.length + 1);
    const value = option === '--nameserver' ? token(rng, IPS) : token(rng, NUMBERS);
    argv.splice(at, 0, ...(rng.chance(0.7) ? [option, value] : [option]));
  }
  return argv;
}

export const cliTarget: FuzzTarget = {
  name: 'cli-args',
  run(rng) {
    const argv = argvFor(rng);
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs(argv);
    } catch (err) {
      expect(err instanceof UsageError && err.code === 'ERR_HE_USAGE', `threw ${String(err)}`);
      expect(!err.message.includes('\n') && !err.message.includes('\r'), 'a usage message must be one line');
      return 'usage error';
    }
    if (parsed.command === 'probe' || parsed.command === 'resolve') {
      expect(isIP(parsed.host) !== 0 || isValidHostname(parsed.host), `host ${parsed.host}`);
      // What the CLI accepts, the resolver and connect() must take.
      for (const server of parsed.nameservers) parseServerAddress(server);
    }
    if (parsed.command === 'probe') {
      const { host, port, attemptDelay, resolutionDelay, timeout } = parsed;
      normalizeConnectOptions({ host, port, connectionAttemptDelay: attemptDelay, resolutionDelay, timeout });
      expect(Number.isInteger(port) && port >= 1, `port ${port}`);
    }
    return parsed.command;
  },
};

export const namesTarget: FuzzTarget = {
  name: 'names',
  run(rng) {
    const input = rng.chance(0.1) ? (rng.pick([undefined, null, 42, {}, ['a']]) as unknown as string) : token(rng, [...NAMES, ...IPS]);
    const server = token(rng, IPS);
    try {
      const parsed = parseServerAddress(server);
      resolveClientOptions({ servers: [parsed] }); // a server entry that parses is one the client takes
    } catch (err) {
      expect(err instanceof InvalidArgumentError, `server ${JSON.stringify(server)}: threw ${String(err)}`);
    }
    let name: string;
    try {
      name = normalizeHostname(input);
    } catch (err) {
      expect(err instanceof DnsError && err.code === 'EBADNAME', `name ${JSON.stringify(input)}: threw ${String(err)}`);
      return 'refused';
    }
    expect(name === input, 'a valid name must come back unchanged');
    // A name the validator accepts goes on the wire (as the client sends it: without the
    // trailing dot of an absolute name) and reads back the same.
    const bare = name.replace(/\.$/, '');
    const question = makeQuestion(bare, rng.chance(0.5) ? 'A' : 'AAAA');
    const { name: codec } = dnsPacket as unknown as { name: { decode(buf: Buffer, offset: number): string } };
    expect(codec.decode(question.template, 12) === bare, 'the wire name reads back differently');
    return 'accepted';
  },
};
