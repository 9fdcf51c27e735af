import t from 'tap';
import type { Candidate, OrderFunction } from '../../lib/address/types.js';
import { createOrder, defaultOrderSteps } from '../../lib/address/default-order.js';
import { CandidateQueue } from '../../lib/racer/queue.js';
import { A4, A6, runRace } from '../helpers/race-harness.js';
import { settle } from '../helpers/race-clock.js';
import { plan, simpleOrder } from '../helpers/race-fakes.js';

const c = (address: string): Candidate => ({ address, family: address.includes(':') ? 6 : 4 });
const v6a = c('2001:db8::1');
const v6b = c('2001:db8::2');
const v4a = c('192.0.2.1');
const v4b = c('192.0.2.2');

function queue(order: OrderFunction) {
  let changes = 0;
  const failures: unknown[] = [];
  const q = new CandidateQueue(
    order,
    () => changes++,
    (error) => failures.push(error),
  );
  const drain = (): string[] => {
    const out: string[] = [];
    for (let x = q.next(); x !== undefined; x = q.next()) out.push(x.address);
    return out;
  };
  return { q, drain, changes: () => changes, failures };
}

t.test('R6: each merge orders every known address and hands out only untried ones', async (t) => {
  const { q, drain, changes } = queue(simpleOrder);
  q.add([v6a, v6b]);
  t.equal(changes(), 1);
  t.same(q.next(), v6a);
  q.add([v4a, v4b]);
  t.same(drain(), [v4a.address, v6b.address, v4b.address], 'v4a lands right after the tried v6a');
  q.add([v6a, v4a]);
  t.equal(changes(), 2, 'known addresses cause no merge');
  t.ok(q.idle);
});

t.test('a single address is not ordered at all', async (t) => {
  let calls = 0;
  const { q, drain } = queue((x) => {
    calls++;
    return x;
  });
  q.add([v4a]);
  t.same(drain(), [v4a.address]);
  t.equal(calls, 0);
});

const misbehaving: Array<[string, OrderFunction, string[]]> = [
  [
    'throws',
    () => {
      throw new Error('bad sort');
    },
    [v4a.address, v6a.address, v6b.address],
  ],
  [
    'rejects',
    async () => {
      throw new Error('bad sort');
    },
    [v4a.address, v6a.address, v6b.address],
  ],
  ['resolves to something that is not a list', async () => undefined as never, [v4a.address, v6a.address, v6b.address]],
  ['drops an address', (x) => x.filter((y) => y !== v4a), [v6a.address, v6b.address, v4a.address]],
  ['adds unknown and repeated entries', () => [v6b, c('2001:db8::99'), v6b, null as never, v4a], [v6b.address, v4a.address, v6a.address]],
];

for (const [name, order, want] of misbehaving) {
  t.test(`an order function that ${name} cannot lose or repeat addresses`, async (t) => {
    const { q, drain, failures } = queue(order);
    q.add([v4a, v6a, v6b]);
    await settle();
    t.same(drain(), want);
    const fails = name === 'throws' || name === 'rejects';
    t.same(
      failures.map((e) => (e as Error).message),
      fails ? ['bad sort'] : [],
      fails ? 'its error is reported, not swallowed' : 'no failure',
    );
  });
}

t.test('async order: nothing is ready until it resolves; arrivals meanwhile are merged after', async (t) => {
  const pending: Array<() => void> = [];
  const inputs: string[][] = [];
  const order: OrderFunction = (x) => {
    inputs.push(x.map((y) => y.address));
    return new Promise((resolve) => pending.push(() => resolve(simpleOrder(x))));
  };
  const { q, drain, changes } = queue(order);
  q.add([v4a, v6a]);
  t.notOk(q.idle, 'ordering');
  t.equal(q.next(), undefined);
  q.add([v6b]);
  pending.shift()?.();
  await settle();
  t.equal(changes(), 0, 'a stale result is not announced');
  t.same(inputs, [
    [v4a.address, v6a.address],
    [v4a.address, v6a.address, v6b.address],
  ]);
  t.equal(q.next()?.address, v6a.address, 'the first result is usable meanwhile');
  pending.shift()?.();
  await settle();
  t.equal(changes(), 1);
  t.same(drain(), [v4a.address, v6b.address], 'the handed-out address is not put back');
});

t.test('close(): untried addresses dropped, a running ordering ignored', async (t) => {
  let finish: (() => void) | undefined;
  const { q, changes } = queue((x) => new Promise((resolve) => (finish = () => resolve(x))));
  q.add([v4a, v6a]);
  q.close();
  finish?.();
  await settle();
  t.equal(q.next(), undefined);
  t.equal(changes(), 0);
});

t.test('R7/R10: createOrder finds sources, sorts with them, then interleaves', async (t) => {
  const log: unknown[] = [];
  const sources = new Map([
    [v6a.address, '2001:db8::100'],
    [v4a.address, undefined],
  ]);
  const order = createOrder(2, {
    findSources: async (addresses) => {
      log.push(['find', addresses]);
      return sources;
    },
    sort: (destinations, s) => {
      log.push(['sort', destinations.map((d) => d.address), s]);
      return [...destinations].reverse();
    },
    interleave: (sorted, count) => {
      log.push(['interleave', sorted.map((d) => d.address), count]);
      return sorted.slice(1);
    },
  });
  t.same(await order([v4a, v6a]), [v4a]);
  t.same(log, [
    ['find', [v4a.address, v6a.address]],
    ['sort', [v4a.address, v6a.address], sources],
    ['interleave', [v6a.address, v4a.address], 2],
  ]);
});

t.test('the default order returns the same addresses', async (t) => {
  const steps = defaultOrderSteps();
  t.equal(defaultOrderSteps().sort, steps.sort);
  const out = await createOrder(1)([c('127.0.0.1'), c('::1')]);
  t.same(out.map((x) => x.address).sort(), ['127.0.0.1', '::1']);
});

for (const how of ['throws', 'rejects'] as const) {
  t.test(`a race whose order function ${how} ends with its error: race:end carries it, running attempts are abandoned`, async (t) => {
    const bad = new Error('bad sort');
    let calls = 0;
    // The AAAA answer (one address) needs no order; the merge of the A answer is the one that fails.
    const order: OrderFunction = () => {
      calls++;
      if (how === 'throws') throw bad;
      return Promise.reject(bad);
    };
    const run = runRace({ dns: { AAAA: { at: 10, addresses: [A6] }, A: { at: 20, addresses: [A4] } }, attempts: { [A6]: plan.hang }, order });
    await run.clock.advance(1000);
    t.equal(calls, 1);
    t.equal(run.outcome.error, bad, "the race rejects with the order function's error");
    t.equal(run.outcome.settled, 1);
    t.match(run.events.at(-1), { type: 'race:end', outcome: 'failed', error: bad });
    t.same(run.attempts.live, [], 'nothing left running');
    t.equal(run.clock.pending, 0, 'no timer left');
  });
}

t.test('an order function that rejects after the race has ended changes nothing', async (t) => {
  let reject!: (error: Error) => void;
  const order: OrderFunction = () => new Promise((_, no) => (reject = no));
  const run = runRace({ dns: { AAAA: { at: 10, addresses: [A6] }, A: { at: 20, addresses: [A4] } }, attempts: { [A6]: plan.hang }, order });
  await run.clock.advance(30);
  run.control.cancel();
  reject(new Error('too late'));
  await run.clock.advance(1000);
  t.equal(run.outcome.settled, 1);
  t.match(run.outcome.error, { name: 'CancelError' });
});
