/** Help text, one screen per command, and the two lines printed for a usage error. */
import { attemptDelayRange, resolutionDelayRange } from '../connect-options.js';
import { DEFAULT_PORT, PROBE_DEFAULTS, type CommandName, type UsageError } from './args.js';

const BIN = 'happy-eyeballs';

const EXIT_CODES = `Exit status:
  0  reachable (probe) / addresses found (resolve)
  1  not reachable / no addresses
  2  bad usage or bad input`;

const NAMESERVER = `      --nameserver SERVER   ask this DNS server; repeat for more (asked in order);
                            default: the system's resolv.conf. SERVER is one of
                              IP[:PORT], [IPv6]:PORT   plain DNS (port 53)
                              tls://IP[:PORT][#NAME]   DNS over TLS (port 853); the
                                                       certificate must name NAME, or IP
                              https://HOST[:PORT]/PATH DNS over HTTPS (HTTP/2, port 443)
                            Certificates are checked against Node's CA store; trust a
                            private CA with NODE_EXTRA_CA_CERTS=ca.pem. A refused
                            certificate fails (ECERT): never plaintext instead.
      --backend WHERE       where names are resolved: dns (the built-in client),
                            system (getaddrinfo: nsswitch, mDNS…) or auto (per
                            name, the default); the answer says which did`;

const GLOBAL = `Usage: ${BIN} <command> [options]

Connect the way RFC 8305 (Happy Eyeballs v2) says, and show the race.

Commands:
  probe <host>[:port]   resolve AAAA and A, race the connections, report per family
  resolve <host>        show the AAAA, A and HTTPS records with TTLs and CNAME chain
  demo                  run probe against a lab started on loopback
  help [command]        show help for a command

Options:
  -h, --help            show help (after a command: that command's help)
  -v, --version         print the version
      --no-color        no colours (also: NO_COLOR set and non-empty)

${EXIT_CODES}

Run '${BIN} <command> --help' for a command's options.`;

const PROBE = `Usage: ${BIN} probe <host>[:port] [options]

Resolve AAAA and A in parallel, race staggered connection attempts (RFC 8305),
then try every address on its own (at most 2 s each), so a broken family shows
even when the other one wins. Prints each address's answer, the race as a
timeline and a verdict:
dual-stack, ipv4-only, ipv6-only, ipv6-broken, ipv4-broken or unreachable.

<host> is a host name, an IPv4 address or an IPv6 address; a port goes after a
colon: name:port, 192.0.2.1:port, [2001:db8::1]:port (a bare IPv6 address takes
no port: use brackets or --port).

Options:
      --port N              TCP port, 1-65535 (default ${DEFAULT_PORT.tls} with --tls, else ${DEFAULT_PORT.tcp});
                            must agree with a port given in <host>
      --tls                 complete a TLS handshake too (SNI: the host name, ALPN h2
                            and http/1.1); the HTTPS record steers the race (RFC 9460);
                            trusts Node's CA store, plus NODE_EXTRA_CA_CERTS=file.pem
      --json                print one JSON object instead of the report
${NAMESERVER}
      --attempt-delay MS    Connection Attempt Delay, ${attemptDelayRange.min}-${attemptDelayRange.max} ms (default ${PROBE_DEFAULTS.attemptDelay})
      --resolution-delay MS Resolution Delay: wait this long for AAAA after A arrives,
                            ${resolutionDelayRange.min}-${resolutionDelayRange.max} ms (default ${PROBE_DEFAULTS.resolutionDelay})
      --timeout MS          give up on the whole probe after MS ms (default ${PROBE_DEFAULTS.timeout})
      --no-color            no colours
  -h, --help                show this help

${EXIT_CODES}

Examples:
  ${BIN} probe example.com
  ${BIN} probe example.com --tls --json
  ${BIN} probe [2001:db8::1]:8080 --attempt-delay 100
  ${BIN} probe localhost:3000 --nameserver 127.0.0.1:5300`;

const RESOLVE = `Usage: ${BIN} resolve <host> [options]

Ask AAAA, A and HTTPS in parallel with the built-in DNS client (or the system
resolver for AAAA and A of names only it can answer: see --backend) and print
the records (HTTPS in zone-file presentation format, RFC 9460), their TTLs
(seconds), the CNAME chain, the server and backend that answered and how long
each answer took.

Options:
      --json                print one JSON object instead of the table
${NAMESERVER}
      --no-color            no colours
  -h, --help                show this help

${EXIT_CODES}

Examples:
  ${BIN} resolve example.com
  ${BIN} resolve example.com --nameserver 127.0.0.1:5300 --json
  ${BIN} resolve example.com --nameserver tls://1.1.1.1#cloudflare-dns.com
  ${BIN} resolve example.com --nameserver https://1.1.1.1/dns-query
  NODE_EXTRA_CA_CERTS=ca.pem ${BIN} resolve www.example.test --nameserver tls://127.0.0.1:8853#localhost`;

const DEMO = `Usage: ${BIN} demo [options]

Start a lab on loopback (a DNS server and listeners), probe it and show the
race. Sends nothing beyond loopback.

Options:
      --no-color            no colours
  -h, --help                show this help

${EXIT_CODES}`;

const TEXT: Record<CommandName, string> = { probe: PROBE, resolve: RESOLVE, demo: DEMO };

/** The help text for a command, or the global one; ends with a newline. */
export function usage(topic?: CommandName): string {
  return `${topic ? TEXT[topic] : GLOBAL}\n`;
}

/** `Try 'happy-eyeballs probe --help'.` */
export function usageHint(command?: CommandName): string {
  return `Try '${BIN}${command ? ` ${command}` : ''} --help'.`;
}

/** What main writes to stderr before exiting 2: the message, then the hint. */
export function formatUsageError(err: UsageError): string {
  return `${BIN}: ${err.message}\n${usageHint(err.command)}\n`;
}
