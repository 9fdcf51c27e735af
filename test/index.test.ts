import t from 'tap';
import * as api from '../lib/index.js';

t.test('the public surface of DESIGN.md is exported', async (t) => {
  for (const name of [
    'connect',
    'createConnection',
    'lookup',
    'Resolver',
    'getDefaultResolver',
    'HttpAgent',
    'HttpsAgent',
    'connector',
    'HappyEyeballsSocket',
  ]) {
    t.type((api as Record<string, unknown>)[name], 'function', name);
  }
  for (const name of [
    'DnsError',
    'InvalidArgumentError',
    'AttemptError',
    'AllAttemptsFailedError',
    'TimeoutError',
    'AbortError',
    'CancelError',
    'AddressBlockedError',
  ]) {
    t.type((api as Record<string, unknown>)[name], 'function', name);
  }
  t.type(api.History, 'function', 'History');
  t.ok(api.defaultHistory instanceof api.History, 'defaultHistory');
  t.equal(api.channelNames.raceEnd, 'happy-eyeballs:race:end');
  t.equal(api.channelNames.dnsHttps, 'happy-eyeballs:dns:https');
  t.equal(api.httpsQueryName('example.com', 8443), '_8443._https.example.com', 'RFC 9460 §9.1');
  t.same(api.attemptDelayRange, { min: 10, max: 2000 });
  t.same(api.resolutionDelayRange, { min: 0, max: 2000 });
});
