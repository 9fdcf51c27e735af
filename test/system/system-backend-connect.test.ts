/**
 * `backend: 'system'` under connect(): the race keeps its worth when getaddrinfo
 * resolves, because AAAA and A are two lookups (family 6, family 4) the race acts on as
 * each ends. getaddrinfo runs in private namespaces against a loopback DNS server that
 * can delay AAAA (test/helpers/nss-namespace.ts).
 */
import t from 'tap';
import { runNssChild } from '../helpers/nss-namespace.js';
import { unmet } from '../helpers/requirements.js';

t.test(
  "backend 'system' under connect(): R12/R17 IPv6 black-holed → IPv4 after one attempt delay; R4/R5 AAAA lookup slow → IPv4 after the Resolution Delay",
  { skip: unmet(['root', 'unshare', 'iproute2', 'ipv6']) },
  async (t) => {
    const r = await runNssChild(t, { scenario: 'connect', hosts: 'files dns', timeoutMs: 60_000 });
    const hole = r.blackHole as { ms: number; attempted: string[]; winner: string };
    t.equal(hole.winner, '127.0.0.1', 'IPv4 won');
    t.match(hole.attempted, [/^::1:\d+$/, /^127\.0\.0\.1:\d+$/], 'IPv6 first (RFC 6724), then IPv4');
    t.ok(hole.ms >= 250 && hole.ms < 1500, `after one Connection Attempt Delay (250 ms), not a connect timeout: ${Math.round(hole.ms)} ms`);
    const slow = r.slowAaaa as { ms: number; attempted: string[]; winner: string };
    t.equal(slow.winner, '127.0.0.1');
    t.match(slow.attempted, [/^127\.0\.0\.1:\d+$/], 'only IPv4 tried: AAAA came 1.5 s late');
    t.ok(slow.ms >= 50 && slow.ms < 1000, `after the Resolution Delay (50 ms), not after the AAAA (1,500 ms): ${Math.round(slow.ms)} ms`);
    t.same(r.stats, { systemQueries: 4, upstreamQueries: 0 }, 'every lookup through getaddrinfo, none by the user-space client');
    t.same(
      [...(r.askedOfDns as string[])].sort(),
      ['dual.he.test A', 'dual.he.test AAAA', 'slow.he.test A', 'slow.he.test AAAA'],
      'one query per family lookup',
    );
  },
);
