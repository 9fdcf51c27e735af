/** diagnostics.ts: the channel names subscribers use, and the Resolver's query channel. */
import diagnostics from 'node:diagnostics_channel';
import t from 'tap';
import { channelNames, dnsQueryChannel } from '../lib/diagnostics.js';

t.test('every channel is named happy-eyeballs:…, each name once', async (t) => {
  const names = Object.values(channelNames);
  for (const name of names) t.match(name, /^happy-eyeballs:[a-z:]+$/, name);
  t.equal(new Set(names).size, names.length, 'no two kinds share a channel');
});

t.test('the query channel is the one named dnsQuery', async (t) => {
  t.equal(dnsQueryChannel, diagnostics.channel(channelNames.dnsQuery));
});
