/** Backoff after failed connects, and how connect failures are classified (ECERT vs ECONNREFUSED). */
import t from 'tap';
import { Backoff, connectFailure, isCertificateError } from '../../lib/dns/reconnect.js';
import { ManualClock } from '../helpers/manual-clock.js';

const failure = { kind: 'failure', code: 'ECONNREFUSED', cause: new Error('refused') } as const;

t.test('exponential: initial × 2^(n-1), capped; a success starts over', async (t) => {
  const clock = new ManualClock();
  const backoff = new Backoff(clock, 250, 2000);
  t.equal(backoff.blocked(), undefined, 'nothing failed yet');
  const waits: number[] = [];
  for (let n = 0; n < 6; n++) {
    backoff.failed(failure);
    let waited = 0;
    while (backoff.blocked() === failure) {
      clock.advance(1);
      waited++;
    }
    waits.push(waited);
  }
  t.same(waits, [250, 500, 1000, 2000, 2000, 2000]);
  backoff.succeeded();
  t.equal(backoff.blocked(), undefined);
  backoff.failed(failure);
  t.equal(backoff.blocked(), failure, 'blocked at once after a failure, with that failure');
  clock.advance(249);
  t.equal(backoff.blocked(), failure);
  clock.advance(1);
  t.equal(backoff.blocked(), undefined, 'back to the initial delay');
});

t.test('a long run of failures does not overflow the delay', async (t) => {
  const clock = new ManualClock();
  const backoff = new Backoff(clock, 1, 10_000);
  for (let n = 0; n < 2000; n++) backoff.failed(failure);
  clock.advance(9_999);
  t.equal(backoff.blocked(), failure);
  clock.advance(1);
  t.equal(backoff.blocked(), undefined);
});

t.test('connect failures: certificate codes are ECERT, anything else ECONNREFUSED; the cause is kept', async (t) => {
  const cert = [
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'CERT_HAS_EXPIRED',
    'SELF_SIGNED_CERT_IN_CHAIN',
  ];
  for (const code of cert) {
    const err = Object.assign(new Error(code), { code });
    t.ok(isCertificateError(err), code);
    t.same(connectFailure(err), { kind: 'failure', code: 'ECERT', cause: err });
  }
  for (const err of [
    Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('x'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }),
    new Error('no code'),
    'a string',
  ]) {
    t.notOk(isCertificateError(err));
    t.same(connectFailure(err), { kind: 'failure', code: 'ECONNREFUSED', cause: err });
  }
});
