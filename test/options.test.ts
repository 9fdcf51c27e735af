/** lib/options.ts: the option checks every entry point shares. */
import t, { type Test } from 'tap';
import { InvalidArgumentError } from '../lib/errors.js';
import {
  booleanOption,
  clockOption,
  functionOption,
  hostOption,
  integerIn,
  MAX_TIMER_MS,
  milliseconds,
  numberIn,
  oneOf,
  optionsObject,
  parsePort,
  portOption,
  serverNameFor,
  signalOption,
  splitHostPort,
  withMethods,
} from '../lib/options.js';
import { caught } from './helpers/caught.js';

/** The InvalidArgumentError `fn` throws, checked for its option, value and message. */
function refused(t: Test, fn: () => unknown, option: string, value: unknown, expected: RegExp): void {
  const err = caught(fn);
  t.type(err, InvalidArgumentError, `${option} ${String(value)}`);
  t.match(err, { code: 'ERR_HE_INVALID_ARGUMENT', option, message: expected });
  t.ok(Object.is((err as InvalidArgumentError).value, value), 'the value is kept');
}

t.test('optionsObject: undefined is {}, anything but a plain object is refused', async (t) => {
  t.same(optionsObject(undefined), {});
  const o = { a: 1 };
  t.equal(optionsObject(o), o);
  for (const bad of [null, 'yes', 1, true, [1]]) refused(t, () => optionsObject(bad as object), 'options', bad, /expected an object/);
  refused(t, () => optionsObject('yes' as unknown as object, 'cache'), 'cache', 'yes', /Invalid cache: "yes"/);
});

t.test('integerIn: integers within the bounds', async (t) => {
  t.equal(integerIn('n', 0, 0, 15), 0);
  t.equal(integerIn('n', 15, 0, 15), 15);
  for (const bad of [-1, 16, 1.5, Number.NaN, '3', undefined]) refused(t, () => integerIn('n', bad, 0, 15), 'n', bad, /an integer from 0 to 15/);
  refused(t, () => integerIn('n', 0, 1, Number.MAX_SAFE_INTEGER), 'n', 0, /an integer of at least 1\)/);
});

t.test('numberIn: fractions allowed, NaN and Infinity refused, the unit in the message', async (t) => {
  t.equal(numberIn('d', 2.5, 0, 10), 2.5);
  refused(t, () => numberIn('d', Number.NaN, 0, 10), 'd', Number.NaN, /a number from 0 to 10/);
  refused(t, () => numberIn('d', 11, 0, 10, 'seconds'), 'd', 11, /a number of seconds from 0 to 10/);
  refused(t, () => numberIn('d', Number.POSITIVE_INFINITY, 0, Number.MAX_VALUE), 'd', Number.POSITIVE_INFINITY, /a number of at least 0\)/);
});

t.test('milliseconds: capped at the largest delay a Node timer keeps (2^31 - 1)', async (t) => {
  t.equal(MAX_TIMER_MS, 2147483647);
  t.equal(milliseconds('timeout', MAX_TIMER_MS), MAX_TIMER_MS);
  t.equal(milliseconds('timeout', 0.5), 0.5);
  refused(t, () => milliseconds('timeout', MAX_TIMER_MS + 1), 'timeout', MAX_TIMER_MS + 1, /milliseconds from 0 to 2147483647/);
  refused(t, () => milliseconds('timeout', 5, 10), 'timeout', 5, /milliseconds from 10 to 2147483647/);
  refused(t, () => milliseconds('delay', 2001, 10, 2000), 'delay', 2001, /milliseconds from 10 to 2000/);
  refused(t, () => milliseconds('timeout', 3e9, 0, Number.MAX_VALUE), 'timeout', 3e9, /from 0 to 2147483647/);
});

t.test('booleanOption, oneOf, functionOption', async (t) => {
  t.equal(booleanOption('b', false), false);
  refused(t, () => booleanOption('b', 'yes'), 'b', 'yes', /a boolean/);
  t.equal(oneOf('m', 'GET', ['POST', 'GET'] as const), 'GET');
  refused(t, () => oneOf('m', 'PUT', ['POST', 'GET']), 'm', 'PUT', /'POST', 'GET'/);
  refused(t, () => oneOf('f', 5, [0, 4, 6]), 'f', 5, /0, 4, 6/);
  const f = (): void => {};
  t.equal(functionOption('f', f), f);
  t.equal(functionOption('f', undefined), undefined);
  refused(t, () => functionOption('f', 1 as unknown as () => void), 'f', 1, /a function/);
});

t.test('withMethods and clockOption: objects by the methods they have', async (t) => {
  const resolver = { query: () => {} };
  t.equal(withMethods('resolver', resolver, ['query']), resolver);
  t.equal(withMethods('resolver', undefined, ['query']), undefined);
  for (const bad of [null, 1, {}, { query: 1 }]) refused(t, () => withMethods('resolver', bad, ['query']), 'resolver', bad, /an object with query/);
  const clock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} };
  t.equal(clockOption(clock), clock);
  t.equal(clockOption(undefined), undefined);
  const half = { now: () => 0 };
  refused(t, () => clockOption(half), 'clock', half, /an object with now, setTimeout, clearTimeout/);
});

t.test('signalOption: any object shaped like an AbortSignal (other realms, polyfills)', async (t) => {
  const signal = new AbortController().signal;
  t.equal(signalOption(signal), signal);
  t.equal(signalOption(undefined), undefined);
  const lookalike = { aborted: false, addEventListener() {}, removeEventListener() {} };
  t.equal(signalOption(lookalike), lookalike);
  for (const bad of [null, true, {}, { aborted: 'no', addEventListener() {}, removeEventListener() {} }]) {
    refused(t, () => signalOption(bad), 'signal', bad, /an AbortSignal/);
  }
  refused(t, () => signalOption(1, 'options.signal'), 'options.signal', 1, /an AbortSignal/);
});

t.test('portOption: as net.connect takes a port', async (t) => {
  t.equal(portOption(0), 0);
  t.equal(portOption('443'), 443);
  t.equal(portOption(65535), 65535);
  for (const bad of [-1, 65536, 1.5, '', ' ', 'http', null, undefined]) refused(t, () => portOption(bad), 'port', bad, /an integer from 0 to 65535/);
});

t.test('hostOption: a non-empty string; brackets only around IPv6, and removed', async (t) => {
  t.equal(hostOption('example.test'), 'example.test');
  t.equal(hostOption('[::1]'), '::1');
  t.equal(hostOption('::1'), '::1');
  for (const bad of ['', '  ', undefined, 42]) refused(t, () => hostOption(bad), 'host', bad, /a host name or IP address/);
  refused(t, () => hostOption('[192.0.2.1]'), 'host', '[192.0.2.1]', /an IPv6 address inside brackets/);
});

t.test('splitHostPort and parsePort: by syntax only', async (t) => {
  t.strictSame(splitHostPort('a.test'), { host: 'a.test', port: undefined, bracketed: false });
  t.strictSame(splitHostPort('a.test:80'), { host: 'a.test', port: '80', bracketed: false });
  t.strictSame(splitHostPort('a.test:'), { host: 'a.test', port: '', bracketed: false });
  t.strictSame(splitHostPort('[::1]'), { host: '::1', port: undefined, bracketed: true });
  t.strictSame(splitHostPort('[::1]:53'), { host: '::1', port: '53', bracketed: true });
  t.strictSame(splitHostPort('2001:db8::1'), { host: '2001:db8::1', port: undefined, bracketed: false });
  t.equal(splitHostPort('[::1'), undefined);
  t.equal(splitHostPort('[::1]x'), undefined);
  t.equal(splitHostPort('a]b'), undefined);
  t.equal(parsePort('53'), 53);
  t.equal(parsePort('00080'), 80);
  for (const bad of ['0', '65536', '000080', '+80', ' 80', '', 'x']) t.equal(parsePort(bad), undefined, JSON.stringify(bad));
});

t.test('serverNameFor: SNI is a host name without its trailing dot, never an IP address (RFC 6066 §3)', async (t) => {
  t.equal(serverNameFor('example.test.'), 'example.test');
  t.equal(serverNameFor('example.test'), 'example.test');
  for (const none of ['192.0.2.1', '::1', '']) t.equal(serverNameFor(none), undefined, JSON.stringify(none));
});
