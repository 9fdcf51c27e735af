import t from 'tap';
import { connect, type ConnectOptions } from '../lib/connect.js';
import { normalizeConnectOptions } from '../lib/connect-options.js';
import { InvalidArgumentError } from '../lib/errors.js';

const base = { host: 'dual.test', port: 443 };
const resolver = { query: () => Promise.reject(new Error('must not be asked')) };

const bad: Array<[string, Record<string, unknown>, string]> = [
  ['host missing', { port: 1 }, 'host'],
  ['host empty', { host: '', port: 1 }, 'host'],
  ['host blank', { host: '  ', port: 1 }, 'host'],
  ['host a number', { host: 5, port: 1 }, 'host'],
  ['host brackets around a name', { host: '[dual.test]', port: 1 }, 'host'],
  ['host brackets around IPv4', { host: '[127.0.0.1]', port: 1 }, 'host'],
  ['port missing', { host: 'x.test' }, 'port'],
  ['port negative', { ...base, port: -1 }, 'port'],
  ['port too big', { ...base, port: 65536 }, 'port'],
  ['port fractional', { ...base, port: 1.5 }, 'port'],
  ['port NaN', { ...base, port: NaN }, 'port'],
  ['port a word', { ...base, port: 'http' }, 'port'],
  ['port empty string', { ...base, port: '' }, 'port'],
  ['port blank string', { ...base, port: '  ' }, 'port'],
  ['port an object', { ...base, port: {} }, 'port'],
  ['port a bigint', { ...base, port: 80n }, 'port'],
  [
    'port a circular object',
    {
      ...base,
      port: (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      })(),
    },
    'port',
  ],
  ['R13: connectionAttemptDelay under 10 ms', { ...base, connectionAttemptDelay: 9 }, 'connectionAttemptDelay'],
  ['R13: connectionAttemptDelay 0', { ...base, connectionAttemptDelay: 0 }, 'connectionAttemptDelay'],
  ['R14: connectionAttemptDelay over 2 s', { ...base, connectionAttemptDelay: 2001 }, 'connectionAttemptDelay'],
  ['connectionAttemptDelay NaN', { ...base, connectionAttemptDelay: NaN }, 'connectionAttemptDelay'],
  ['connectionAttemptDelay a string', { ...base, connectionAttemptDelay: '250' }, 'connectionAttemptDelay'],
  ['resolutionDelay negative', { ...base, resolutionDelay: -1 }, 'resolutionDelay'],
  ['resolutionDelay over 2 s', { ...base, resolutionDelay: 2001 }, 'resolutionDelay'],
  ['resolutionDelay Infinity', { ...base, resolutionDelay: Infinity }, 'resolutionDelay'],
  ['timeout 0', { ...base, timeout: 0 }, 'timeout'],
  ['timeout negative', { ...base, timeout: -5 }, 'timeout'],
  ['timeout beyond a timer', { ...base, timeout: 2 ** 31 }, 'timeout'],
  ['timeout a string', { ...base, timeout: '100' }, 'timeout'],
  ['firstAddressFamilyCount 0', { ...base, firstAddressFamilyCount: 0 }, 'firstAddressFamilyCount'],
  ['firstAddressFamilyCount fractional', { ...base, firstAddressFamilyCount: 1.5 }, 'firstAddressFamilyCount'],
  ['firstAddressFamilyCount a string', { ...base, firstAddressFamilyCount: '1' }, 'firstAddressFamilyCount'],
  ['family 5', { ...base, family: 5 }, 'family'],
  ['family a string', { ...base, family: '4' }, 'family'],
  ['family null', { ...base, family: null }, 'family'],
  ['localAddress not an IP', { ...base, localAddress: 'me.test' }, 'localAddress'],
  ['localAddress a number', { ...base, localAddress: 5 }, 'localAddress'],
  ['localAddress of the other family', { ...base, family: 4, localAddress: '::1' }, 'localAddress'],
  ['family against an IPv6 literal', { host: '::1', port: 1, family: 4 }, 'family'],
  ['localAddress against an IPv4 literal', { host: '127.0.0.1', port: 1, localAddress: '::1' }, 'localAddress'],
  ['tls a string', { ...base, tls: 'yes' }, 'tls'],
  ['tls null', { ...base, tls: null }, 'tls'],
  ['tls an array', { ...base, tls: [] }, 'tls'],
  ['signal a plain object', { ...base, signal: {} }, 'signal'],
  ['signal null', { ...base, signal: null }, 'signal'],
  ['resolver without query', { ...base, resolver: {} }, 'resolver'],
  ['resolver null', { ...base, resolver: null }, 'resolver'],
  ['onEvent not a function', { ...base, onEvent: 'log' }, 'onEvent'],
  ['clock missing methods', { ...base, clock: { now: () => 0 } }, 'clock'],
  ['connectAttempt not a function', { ...base, connectAttempt: {} }, 'connectAttempt'],
  ['order not a function', { ...base, order: 5 }, 'order'],
];

for (const [name, options, option] of bad) {
  t.test(`rejects ${name} with InvalidArgumentError naming ${option}`, async (t) => {
    const err = await connect({ resolver, ...options } as unknown as ConnectOptions).catch((e: unknown) => e);
    t.type(err, InvalidArgumentError);
    t.match(err, { code: 'ERR_HE_INVALID_ARGUMENT', option, message: new RegExp(`^Invalid ${option}: `) });
  });
}

t.test('rejects options that are not an object', async (t) => {
  for (const options of [null, 'dual.test', 443]) {
    await t.rejects(connect(options as unknown as ConnectOptions), { option: 'options' } as never);
  }
});

t.test('defaults and accepted forms', async (t) => {
  const s = normalizeConnectOptions({ host: 'www.he.test.', port: ' 8080 ', tls: true });
  t.match(s, {
    host: 'www.he.test.',
    port: 8080,
    literalFamily: 0,
    families: [6, 4],
    connectionAttemptDelay: 250,
    resolutionDelay: 50,
    firstAddressFamilyCount: 1,
    timeout: undefined,
  });
  t.same(s.tls, { servername: 'www.he.test' }, 'SNI is the name without its trailing dot');
  t.same(normalizeConnectOptions({ host: '[::1]', port: 0 }), { ...normalizeConnectOptions({ host: '::1', port: 0 }) });
  t.match(normalizeConnectOptions({ host: '[::1]', port: 1 }), { host: '::1', literalFamily: 6 });
  t.equal(normalizeConnectOptions({ host: '127.0.0.1', port: 1, tls: {} }).tls?.servername, undefined, 'no SNI for an IP literal');
  t.equal(normalizeConnectOptions({ host: 'a.test', port: 1, tls: { servername: 'b.test' } }).tls?.servername, 'b.test');
  t.equal(normalizeConnectOptions({ host: 'a.test', port: 1, tls: false }).tls, undefined);
  t.same(normalizeConnectOptions({ host: 'a.test', port: 1, family: 4 }).families, [4]);
  t.same(normalizeConnectOptions({ host: 'a.test', port: 1, localAddress: '::1' }).families, [6]);
  t.same(normalizeConnectOptions({ host: 'a.test', port: 1, family: 6, localAddress: '::1' }).families, [6]);
  t.same(normalizeConnectOptions({ host: '::1', port: 1, family: 6 }).families, [6]);
  t.match(normalizeConnectOptions({ host: 'a.test', port: 1, connectionAttemptDelay: 10, resolutionDelay: 0, timeout: 1 }), {
    connectionAttemptDelay: 10,
    resolutionDelay: 0,
    timeout: 1,
  });
  t.match(normalizeConnectOptions({ host: 'a.test', port: 1, connectionAttemptDelay: 2000, resolutionDelay: 2000 }), {
    connectionAttemptDelay: 2000,
    resolutionDelay: 2000,
  });
});

t.test('ordinary socket options pass through; the race keeps its own', async (t) => {
  const s = normalizeConnectOptions({
    host: 'a.test',
    port: 1,
    noDelay: true,
    keepAlive: true,
    allowHalfOpen: true,
    localAddress: '127.0.0.1',
    timeout: 5,
    lookup: () => {},
    path: '/tmp/x',
  } as ConnectOptions);
  t.same(s.net, { noDelay: true, keepAlive: true, allowHalfOpen: true, localAddress: '127.0.0.1' });
});
