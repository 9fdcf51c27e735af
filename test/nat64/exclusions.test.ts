/** Which IPv4 addresses are never synthesized (V8), and which only not under 64:ff9b::/96 (RFC 6052 §3.1). */
import t from 'tap';
import { isWellKnownPrefix, neverSynthesized, synthesizable } from '../../lib/nat64/exclusions.js';
import { parseNat64Prefix } from '../../lib/nat64/prefix.js';

const WKP = parseNat64Prefix('64:ff9b::/96')!;
const NSP = parseNat64Prefix('2001:db8:64::/96')!;

t.test('V8: 0/8, 127/8, 169.254/16 and 255.255.255.255 are never synthesized, under any prefix', async (t) => {
  for (const ipv4 of ['0.0.0.0', '0.255.1.2', '127.0.0.1', '127.255.255.255', '169.254.0.1', '169.254.255.254', '255.255.255.255']) {
    t.ok(neverSynthesized(ipv4), ipv4);
    t.notOk(synthesizable(ipv4, NSP), `${ipv4} not under a network-specific prefix`);
    t.notOk(synthesizable(ipv4, WKP), `${ipv4} not under the well-known prefix`);
  }
  for (const ipv4 of ['1.0.0.0', '126.255.255.255', '128.0.0.0', '169.253.255.255', '169.255.0.0', '255.255.255.254'])
    t.notOk(neverSynthesized(ipv4), `${ipv4}: just outside`);
});

t.test('RFC 6052 §3.1: the well-known prefix never carries a non-global IPv4 address; a network-specific one may', async (t) => {
  const nonGlobal = [
    '10.1.2.3',
    '100.64.0.1',
    '100.127.255.255',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.170',
    '192.0.2.1',
    '192.88.99.1',
    '192.168.1.1',
    '198.18.0.1',
    '198.19.255.255',
    '198.51.100.1',
    '203.0.113.9',
    '224.0.0.1',
    '239.1.1.1',
    '240.0.0.1',
    '250.1.1.1',
  ];
  for (const ipv4 of nonGlobal) {
    t.notOk(synthesizable(ipv4, WKP), `${ipv4} not under 64:ff9b::/96`);
    t.ok(synthesizable(ipv4, NSP), `${ipv4} under a network-specific prefix`);
  }
  for (const ipv4 of [
    '8.8.8.8',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.0.1.255',
    '192.169.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
  ]) {
    t.ok(synthesizable(ipv4, WKP), `${ipv4} is global`);
  }
  t.ok(isWellKnownPrefix(WKP));
  t.notOk(isWellKnownPrefix(NSP));
  t.notOk(isWellKnownPrefix(parseNat64Prefix('64:ff9b::/64')!), 'same bits, other length: not the WKP');
});
